package command

import (
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// sessionACL is the ACL side of a connection: the user it authenticated
// as ("" is default) and whether it runs a peer's forwarded command,
// which the receiving node already checked.
type sessionACL struct {
	user string
	peer bool
}

// User returns the name of the user s authenticated as.
func (s *Session) User() string {
	if s.acl.user == "" {
		return "default"
	}
	return s.acl.user
}

// TrustPeer marks s as running commands a peer forwarded: the node that
// received them from their client checked their permissions (Permit).
func (s *Session) TrustPeer() { s.acl.peer = true }

// login makes s authenticated as user.
func (s *Session) login(user string) {
	s.set(func() { s.Authed, s.acl.user = true, user })
}

// aclReason is why a command was denied (Redis's ACL_DENIED_*).
type aclReason int

const (
	aclOK aclReason = iota
	aclDeniedCmd
	aclDeniedKey
	aclDeniedChannel
	aclDeniedAuth
)

var aclReasonNames = [...]string{"", "command", "key", "channel", "auth"}

// authRequired reports whether s must AUTH before running commands: it
// has not, and the default user is off or has passwords.
func (d *Dispatcher) authRequired(s *Session) bool {
	if s.Authed {
		return false
	}
	if d.acl.open.Load() {
		return d.env.Settings.RequirePass() != ""
	}
	d.acl.sync(d.env.Settings.RequirePass())
	return !d.acl.defaultAuthed()
}

// newAuthed is whether a new connection starts authenticated.
func (d *Dispatcher) newAuthed() bool {
	if d.acl == nil || d.acl.open.Load() {
		return d.env.Settings.RequirePass() == ""
	}
	d.acl.sync(d.env.Settings.RequirePass())
	return d.acl.defaultAuthed()
}

// Permit checks that s's user may run args (a command that resolved and
// passed its arity check) and returns the NOPERM error if not, logged in
// ACL LOG. The server calls it before forwarding a command to another
// node, which then runs it without checking again (TrustPeer).
func (d *Dispatcher) Permit(s *Session, args [][]byte) resp.Reply {
	if d.acl.open.Load() || s.acl.peer || len(args) == 0 {
		return resp.Reply{}
	}
	cmd, rej := d.resolve(args)
	if rej.IsError() {
		return resp.Reply{}
	}
	return d.permit(s, cmd, args)
}

// permit is Permit for a resolved command, with Do's accounting.
func (d *Dispatcher) permit(s *Session, cmd *Command, args [][]byte) resp.Reply {
	if d.acl.open.Load() || s.acl.peer {
		return resp.Reply{}
	}
	ctx := "toplevel"
	if s.tx != nil {
		ctx = "multi"
	}
	why := d.denied(s, cmd, args, ctx)
	if why == aclOK {
		return resp.Reply{}
	}
	r := nopermReply(why, cmd)
	cmd.rejected.Add(1)
	s.txFail()
	d.env.Stats.CountError(r)
	return r
}

// denied checks s's user for cmd and logs a denial in context ctx.
func (d *Dispatcher) denied(s *Session, cmd *Command, args [][]byte, ctx string) aclReason {
	d.acl.sync(d.env.Settings.RequirePass())
	why, pos := d.acl.check(d.acl.user(s.User()), cmd, args)
	if why == aclOK {
		return aclOK
	}
	obj := cmd.Name
	if why != aclDeniedCmd {
		obj = string(args[pos])
	}
	info := s.Info()
	info.LastCmd = cmd.Name // Redis's client info names the denied command
	d.acl.log.add(aclLogEntry{reason: why, context: ctx, object: obj, user: s.User(),
		client: info.Line(d.env.Clock())}, d.env.Clock())
	return why
}

// scriptDenied is the error of a script's redis.call that s's user may
// not run (Redis's scriptVerifyACL), logged in context lua.
func (d *Dispatcher) scriptDenied(s *Session, cmd *Command, args [][]byte) resp.Reply {
	if d.acl.open.Load() || s.acl.peer {
		return resp.Reply{}
	}
	switch d.denied(s, cmd, args, "lua") {
	case aclDeniedCmd:
		return resp.Err("ERR The user executing the script can't run this command or subcommand")
	case aclDeniedKey:
		return resp.Err("ERR The user executing the script can't access at least one of the keys mentioned in the command arguments")
	case aclDeniedChannel:
		return resp.Err("ERR The user executing the script can't publish to the channel mentioned in the command")
	}
	return resp.Reply{}
}

func nopermReply(why aclReason, cmd *Command) resp.Reply {
	switch why {
	case aclDeniedKey:
		return resp.Err("NOPERM this user has no permissions to access one of the keys used as arguments")
	case aclDeniedChannel:
		return resp.Err("NOPERM this user has no permissions to access one of the channels used as arguments")
	}
	return resp.Err("NOPERM this user has no permissions to run the '" + cmd.Name + "' command")
}

// check decides whether u may run cmd with args (Redis's
// ACLCheckAllUserCommandPerm): one of its selectors, the root first,
// must allow the command with all its keys and channels. On denial it
// returns the reason and the position of the key or channel refused,
// as Redis picks them: the gravest reason any selector gave (channel,
// then key, then command), and of those the last position. A nil user
// (deleted) may run nothing.
func (a *aclState) check(u *aclUser, cmd *Command, args [][]byte) (aclReason, int) {
	if u == nil {
		return aclDeniedCmd, 0
	}
	why, pos := aclDeniedCmd, 0
	var keys keyCache
	for i := -1; i < len(u.selectors); i++ {
		s := &u.aclSelector
		if i >= 0 {
			s = u.selectors[i]
		}
		w, p := s.check(cmd, args, &keys)
		if w == aclOK {
			return aclOK, 0
		}
		if w > why || (w == why && p > pos) {
			why, pos = w, p
		}
	}
	return why, pos
}

// keyCache holds a command's keys once a selector needed them, for the
// next selectors (Redis's aclKeyResultCache).
type keyCache struct {
	refs []keyRef
	done bool
}

func (k *keyCache) get(cmd *Command, args [][]byte) []keyRef {
	if !k.done {
		k.refs, k.done = cmd.keyRefs(args), true
	}
	return k.refs
}

// check is Redis's ACLSelectorCheckCmd.
func (s *aclSelector) check(cmd *Command, args [][]byte, keys *keyCache) (aclReason, int) {
	if cmd.Flags&NoAuth == 0 && !s.cmds[cmd.Name] && !s.firstArgOK(cmd.Name, args) {
		return aclDeniedCmd, 0
	}
	if !s.allKeys {
		for _, k := range keys.get(cmd, args) {
			if !s.keyOK(args[k.pos], k.flags) {
				return aclDeniedKey, k.pos
			}
		}
	}
	if !s.allChans {
		for _, pos := range channelArgs(cmd.Name, args) {
			if !s.channelOK(args[pos], cmd.Name == "psubscribe") {
				return aclDeniedChannel, pos
			}
		}
	}
	return aclOK, 0
}

func (u *aclSelector) firstArgOK(name string, args [][]byte) bool {
	idx := 1
	if strings.Contains(name, "|") {
		idx = 2
	}
	if idx >= len(args) {
		return false
	}
	for _, a := range u.firstArgs[name] {
		if strings.EqualFold(a, string(args[idx])) {
			return true
		}
	}
	return false
}

// keyOK: a pattern with the access the key's flags need matches it.
func (u *aclSelector) keyOK(key []byte, flags []string) bool {
	var read, write bool
	for _, f := range flags {
		switch f {
		case "access":
			read = true
		case "insert", "delete", "update":
			write = true
		}
	}
	for _, k := range u.keys {
		if (read && !k.read) || (write && !k.write) {
			continue
		}
		if globMatch([]byte(k.pattern), key, false) {
			return true
		}
	}
	return false
}

// channelOK: a channel matches one of u's patterns; a PSUBSCRIBE pattern
// must equal one literally.
func (u *aclSelector) channelOK(ch []byte, pattern bool) bool {
	for _, p := range u.chans {
		if (pattern && p == string(ch)) || (!pattern && globMatch([]byte(p), ch, false)) {
			return true
		}
	}
	return false
}

// channelArgs are the positions of the channels a command publishes or
// subscribes to (Redis's channel flags publish and subscribe).
func channelArgs(name string, args [][]byte) []int {
	var out []int
	switch name {
	case "publish", "spublish":
		out = append(out, 1)
	case "subscribe", "ssubscribe", "psubscribe":
		for i := 1; i < len(args); i++ {
			out = append(out, i)
		}
	}
	return out
}

// defaultNoPass reports whether the default user is nopass (AUTH with
// one argument is then an error).
func (d *Dispatcher) defaultNoPass() bool {
	if d.acl.open.Load() {
		return d.env.Settings.RequirePass() == ""
	}
	d.acl.sync(d.env.Settings.RequirePass())
	return d.acl.user("default").flags&flagNoPass != 0
}

// login authenticates s as user with pass (AUTH, HELLO AUTH); a failure
// is logged in ACL LOG with the command's name as sent.
func (d *Dispatcher) login(s *Session, cmdName, user, pass []byte) bool {
	d.acl.sync(d.env.Settings.RequirePass())
	if u := d.acl.user(string(user)); u != nil && u.checkPassword(pass) {
		s.login(u.name)
		return true
	}
	ctx := "toplevel"
	if s.tx != nil {
		ctx = "multi"
	}
	d.acl.log.add(aclLogEntry{reason: aclDeniedAuth, context: ctx, object: string(cmdName),
		user: string(user), client: s.Info().Line(d.env.Clock())}, d.env.Clock())
	return false
}

// execDenied is the error of a queued command that s's user may no longer
// run when EXEC runs it (its rules changed since it was queued), logged
// with context multi.
func (d *Dispatcher) execDenied(s *Session, args [][]byte) resp.Reply {
	if d.acl.open.Load() || s.acl.peer {
		return resp.Reply{}
	}
	cmd, rej := d.resolve(args)
	if rej.IsError() {
		return resp.Reply{}
	}
	const changed = "NOPERM ACLs rules changed between the moment the transaction was accumulated " +
		"and the EXEC call. This command is no longer allowed for the following reason: "
	switch d.denied(s, cmd, args, "multi") {
	case aclDeniedCmd:
		return resp.Err(changed + "no permission to execute the command or subcommand")
	case aclDeniedKey:
		return resp.Err(changed + "no permission to touch the specified keys")
	case aclDeniedChannel:
		return resp.Err(changed + "no permission to access one of the channels used as arguments")
	}
	return resp.Reply{}
}

// aclRefuses reports, without logging, whether s's user may not run cmd
// (MONITOR does not show a command ACL refused, as Redis's).
func (d *Dispatcher) aclRefuses(s *Session, cmd *Command, args [][]byte) bool {
	if d.acl.open.Load() || s.acl.peer {
		return false
	}
	why, _ := d.acl.check(d.acl.user(s.User()), cmd, args)
	return why != aclOK
}

// AuthRequired reports whether s has yet to AUTH before it may run
// commands (the server reads its commands with Redis's small limits
// until then).
func (d *Dispatcher) AuthRequired(s *Session) bool { return d.authRequired(s) }
