package command

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// aclCommand is ACL and its subcommands (Redis 7.0's arities and flags).
func (d *Dispatcher) aclCommand() *Command {
	const adm, f = Admin | NoScript | Loading | Stale, NoScript | Loading | Stale
	return container("acl", -2, 0, "server", nil,
		keyless("cat", -2, f, "", d.aclCat),
		keyless("deluser", -3, adm, "", d.aclDelUser),
		keyless("dryrun", -4, adm, "", d.aclDryRun),
		keyless("genpass", -2, f, "", d.aclGenPass),
		keyless("getuser", 3, adm, "", d.aclGetUser),
		keyless("help", 2, Loading|Stale, "", d.aclHelp),
		keyless("list", 2, adm, "", d.aclList),
		keyless("load", 2, adm, "", d.aclLoad),
		keyless("log", -2, adm, "", d.aclLogCmd),
		keyless("save", 2, adm, "", d.aclSave),
		keyless("setuser", -3, adm, "", d.aclSetUser),
		keyless("users", 2, adm, "", d.aclUsers),
		keyless("whoami", 2, f, "", d.aclWhoAmI),
	)
}

// ACL SETUSER username [rule ...]: all rules apply, or none.
func (d *Dispatcher) aclSetUser(s *Session, args [][]byte) resp.Reply {
	name := string(args[2])
	if hasSpaces(name) {
		return resp.Err("ERR Usernames can't contain spaces or null characters")
	}
	a := d.acl
	a.sync(d.env.Settings.RequirePass())
	old := a.user(name)
	u := newUser(name)
	if old != nil {
		u = old.clone()
	}
	ops := make([]string, len(args)-3)
	for i, r := range args[3:] {
		ops[i] = string(r)
	}
	rules, open, ok := mergeSelectorArgs(ops) // aclselector.go
	if !ok {
		return resp.Err("ERR Unmatched parenthesis in acl selector starting at '" + ops[open] + "'.")
	}
	for _, r := range rules {
		if err := u.apply(a.cmds, r); err != nil {
			return resp.Err("ERR Error in ACL SETUSER modifier '" + r + "': " + err.Error())
		}
	}
	d.changeUsers(s, func(users map[string]*aclUser) { users[name] = u })
	d.killRevokedSubscribers(old, u) // aclpubsub.go
	return resp.OK()
}

// ACL DELUSER username [username ...]: their connections are closed.
func (d *Dispatcher) aclDelUser(s *Session, args [][]byte) resp.Reply {
	for _, n := range args[2:] {
		if string(n) == "default" {
			return resp.Err("ERR The 'default' user cannot be removed")
		}
	}
	var gone []string
	d.changeUsers(s, func(users map[string]*aclUser) {
		for _, n := range args[2:] {
			if users[string(n)] != nil {
				delete(users, string(n))
				gone = append(gone, string(n))
			}
		}
	})
	for _, n := range gone {
		d.killUser(s, n)
	}
	return resp.Int(int64(len(gone)))
}

// killUser closes the connections authenticated as user (s's after its
// reply).
func (d *Dispatcher) killUser(s *Session, user string) {
	d.env.Clients.Kill(KillFilter{User: user, Skip: s.ID})
	if s.User() == user {
		s.Close = true
	}
}

// ACL GETUSER username
func (d *Dispatcher) aclGetUser(_ *Session, args [][]byte) resp.Reply {
	d.acl.sync(d.env.Settings.RequirePass())
	u := d.acl.user(string(args[2]))
	if u == nil {
		return resp.Null()
	}
	str := resp.BulkString
	var flags, pass []resp.Reply
	for _, f := range u.flags.names() {
		flags = append(flags, str(f))
	}
	for _, p := range u.passwords {
		pass = append(pass, str(p))
	}
	sels := make([]resp.Reply, len(u.selectors))
	for i, s := range u.selectors {
		sels[i] = resp.Map(s.reply(d.acl.cmds)...) // aclselector.go
	}
	fields := append([]resp.Reply{str("flags"), resp.Set(flags...), str("passwords"), resp.Array(pass...)},
		u.aclSelector.reply(d.acl.cmds)...)
	return resp.Map(append(fields, str("selectors"), resp.Array(sels...))...)
}

// ACL LIST
func (d *Dispatcher) aclList(_ *Session, _ [][]byte) resp.Reply {
	d.acl.sync(d.env.Settings.RequirePass())
	var out []resp.Reply
	for _, n := range d.acl.names() {
		if u := d.acl.user(n); u != nil {
			out = append(out, resp.BulkString("user "+n+" "+u.describe(d.acl.cmds)))
		}
	}
	return resp.Array(out...)
}

// ACL USERS
func (d *Dispatcher) aclUsers(_ *Session, _ [][]byte) resp.Reply {
	var out []resp.Reply
	for _, n := range d.acl.names() {
		out = append(out, resp.BulkString(n))
	}
	return resp.Array(out...)
}

// ACL WHOAMI
func (d *Dispatcher) aclWhoAmI(s *Session, _ [][]byte) resp.Reply {
	return resp.BulkString(s.User())
}

// ACL CAT [category]
func (d *Dispatcher) aclCat(_ *Session, args [][]byte) resp.Reply {
	if len(args) > 3 {
		return aclSyntax(args)
	}
	var out []resp.Reply
	if len(args) == 2 {
		for _, c := range aclCategories {
			out = append(out, resp.BulkString(c))
		}
		return resp.Array(out...)
	}
	cat := strings.ToLower(string(args[2]))
	found := false
	for _, c := range aclCategories {
		found = found || c == cat
	}
	if !found {
		v := string(args[2])
		return resp.Err("ERR Unknown category '" + v[:min(len(v), 128)] + "'")
	}
	for _, n := range d.acl.cmds.byCat["@"+cat] {
		out = append(out, resp.BulkString(n))
	}
	return resp.Array(out...)
}

// ACL GENPASS [bits]
func (d *Dispatcher) aclGenPass(_ *Session, args [][]byte) resp.Reply {
	if len(args) > 3 {
		return aclSyntax(args)
	}
	bits := int64(256)
	if len(args) == 3 {
		var ok bool
		if bits, ok = resp.ParseInt(args[2]); !ok {
			return errNotInteger
		}
	}
	if bits <= 0 || bits > 4096 {
		return resp.Err("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
	}
	b := make([]byte, (bits+7)/8+1)
	_, _ = rand.Read(b)
	return resp.BulkString(hex.EncodeToString(b)[:(bits+3)/4])
}

// ACL LOG [count | RESET]
func (d *Dispatcher) aclLogCmd(_ *Session, args [][]byte) resp.Reply {
	if len(args) > 3 {
		return aclSyntax(args)
	}
	count := int64(10)
	if len(args) == 3 {
		if strings.EqualFold(string(args[2]), "reset") {
			d.acl.log.reset()
			return resp.OK()
		}
		var ok bool
		if count, ok = resp.ParseInt(args[2]); !ok {
			return errNotInteger
		}
	}
	return d.acl.log.reply(int(max(min(count, 1<<30), 0)), d.env.Clock())
}

// ACL DRYRUN username command [arg ...]
func (d *Dispatcher) aclDryRun(_ *Session, args [][]byte) resp.Reply {
	d.acl.sync(d.env.Settings.RequirePass())
	u := d.acl.user(string(args[2]))
	if u == nil {
		return resp.Err("ERR User '" + string(args[2]) + "' not found")
	}
	cargs := args[3:]
	cmd := lookup(d.cmds, cargs[0])
	if cmd != nil && cmd.subs != nil && len(cargs) >= 2 {
		cmd = lookup(cmd.subs, cargs[1])
	}
	if cmd == nil {
		return resp.Err("ERR Command '" + string(cargs[0]) + "' not found")
	}
	if (cmd.Arity > 0 && cmd.Arity != len(cargs)) || len(cargs) < -cmd.Arity {
		return errWrongArgs(cmd.Name)
	}
	switch why, pos := d.acl.check(u, cmd, cargs); why {
	case aclDeniedCmd:
		return resp.BulkString("This user has no permissions to run the '" + cmd.Name + "' command")
	case aclDeniedKey:
		return resp.BulkString("This user has no permissions to access the '" + string(cargs[pos]) + "' key")
	case aclDeniedChannel:
		return resp.BulkString("This user has no permissions to access the '" + string(cargs[pos]) + "' channel")
	}
	return resp.OK()
}

// ACL HELP
func (d *Dispatcher) aclHelp(_ *Session, _ [][]byte) resp.Reply {
	return help("ACL",
		"CAT [<category>]",
		"    List all commands that belong to <category>, or all command categories",
		"    when no category is specified.",
		"DELUSER <username> [<username> ...]",
		"    Delete a list of users.",
		"DRYRUN <username> <command> [<arg> ...]",
		"    Returns whether the user can execute the given command without executing the command.",
		"GETUSER <username>",
		"    Get the user's details.",
		"GENPASS [<bits>]",
		"    Generate a secure 256-bit user password. The optional `bits` argument can",
		"    be used to specify a different size.",
		"LIST",
		"    Show users details in config file format.",
		"LOAD",
		"    Reload users from the ACL file.",
		"LOG [<count> | RESET]",
		"    Show the ACL log entries.",
		"SAVE",
		"    Save the current config to the ACL file.",
		"SETUSER <username> <attribute> [<attribute> ...]",
		"    Create or modify a user with the specified attributes.",
		"USERS",
		"    List all the registered usernames.",
		"WHOAMI",
		"    Return the current connection username.",
	)
}

// aclSyntax is Redis's addReplySubcommandSyntaxError for ACL.
func aclSyntax(args [][]byte) resp.Reply {
	return resp.Err("ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) + "'. Try ACL HELP.")
}
