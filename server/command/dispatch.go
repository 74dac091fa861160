package command

import (
	"context"
	"sort"
	"sync/atomic"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// Dispatcher runs client commands against one node's Env. It is safe for
// concurrent use by every connection.
type Dispatcher struct {
	env      *Env
	cmds     map[string]*Command // by lowercase name
	sorted   []*Command          // by name, for COMMAND
	lastSave atomic.Int64        // Unix seconds of the last SAVE/BGSAVE or the start
	gate     *gate               // transactions and scripts run alone (atomic.go)
	pubsub   *pubsub             // subscriptions and MONITOR (pubsub.go)
	intro    introspection       // SLOWLOG, LATENCY, CLIENT PAUSE (introspect.go)
	scripts  *scripting          // EVAL, SCRIPT, FUNCTION, FCALL (scripting.go)
	raw      KV                  // the store under internal keys (userkv.go)
	colls    collLocks           // one writer per collection (collection.go)
	pops     popLines            // pops of one key that meet, as one batch (popline.go)
	scans    *scanCursors        // HSCAN, SSCAN and ZSCAN cursors (scancursor.go)
	acl      *aclState           // ACL users (acl*.go)
	mem      memGauge            // used memory, for maxmemory (maxmemory.go)
}

// New returns a dispatcher over env (see Env for the defaults of nil fields).
func New(env *Env) *Dispatcher {
	d := &Dispatcher{env: env.withDefaults(), gate: newGate(), pubsub: newPubSub(), scans: newScanCursors()}
	d.raw = d.env.KV
	d.pubsub.track.maxKeys = d.trackingMaxKeys
	d.env.KV = userKV{d.raw} // handlers see user keys only
	if d.env.Topology == nil {
		d.env.Topology = localTopology{d}
	}
	d.sorted = append(d.table(), d.pubsubCommands()...) // pubsub.go
	d.sorted = append(d.sorted, d.typeCommands()...)    // types.go
	d.sorted = append(d.sorted, d.aclCommand())         // aclcmd.go
	sort.Slice(d.sorted, func(i, j int) bool { return d.sorted[i].Name < d.sorted[j].Name })
	d.cmds = make(map[string]*Command, len(d.sorted))
	for _, c := range d.sorted {
		d.cmds[c.Name] = c
	}
	d.acl = newACLState(d.all(), d.env.Settings.RequirePass()) // aclstate.go
	d.lastSave.Store(d.env.Clock().Unix())
	d.scripts = newScripting(d.env)
	d.loadFunctions() // functionsync.go
	return d
}

// Env returns the dispatcher's environment (with defaults filled in).
func (d *Dispatcher) Env() *Env { return d.env }

// maxNameLen bounds the stack buffer used to lowercase command names.
const maxNameLen = 32

// lookup finds name case-insensitively without allocating.
func lookup(m map[string]*Command, name []byte) *Command {
	if len(name) > maxNameLen {
		return nil
	}
	var buf [maxNameLen]byte
	for i, c := range name {
		buf[i] = lower(c)
	}
	return m[string(buf[:len(name)])]
}

// Do runs one command for s under ctx and returns its reply. args[0] is the
// command name; len(args) must be at least 1.
func (d *Dispatcher) Do(ctx context.Context, s *Session, args [][]byte) resp.Reply {
	if len(args) == 0 {
		return resp.Err("ERR empty command")
	}
	cmd, rej := d.resolve(args)
	if rej.Kind == resp.KindError {
		if cmd != nil {
			cmd.rejected.Add(1)
		}
		if cmd != nil && cmd.Name == "exec" {
			s.resetTx() // as Redis's execCommandAbort
			rej = execAbort(rej)
		} else {
			s.txFail()
		}
		d.env.Stats.CountError(rej)
		return rej
	}
	if cmd.Flags&NoAuth == 0 && d.authRequired(s) { // aclcheck.go
		d.env.Stats.CountError(errNoAuth)
		cmd.rejected.Add(1)
		s.txFail()
		return errNoAuth
	}
	if r := d.permit(s, cmd, args); r.IsError() {
		return r // aclcheck.go
	}
	if r := d.oom(s, cmd); r.IsError() {
		return r // maxmemory.go
	}
	if r := d.noReplicas(s, cmd); r.IsError() {
		return r // minreplicas.go
	}
	if r := d.paused(ctx, s, cmd); r.IsError() {
		return r // pause.go
	}
	if r, ok := d.pubsubGate(s, cmd); !ok {
		return r // pubsub.go
	}
	if s.tx != nil && !txControl[cmd.Name] {
		return d.queue(s, cmd, args) // multi.go
	}
	s.ctx = ctx
	defer func() { s.ctx = nil }()
	var r resp.Reply
	if cmd.Flags&(AllowBusy|Atomic) == 0 {
		release, kind, ok := d.gate.shared()
		if !ok {
			d.env.Stats.CountError(errBusy(kind))
			cmd.rejected.Add(1)
			return errBusy(kind)
		}
		r = func() resp.Reply {
			defer release()
			return d.run(s, cmd, args)
		}()
	} else {
		r = d.run(s, cmd, args)
	}
	// Out of the gate: the clients it woke need it (blocking.go).
	d.settleWakes(s)
	return r
}

// run runs cmd's handler for s and counts it.
func (d *Dispatcher) run(s *Session, cmd *Command, args [][]byte) resp.Reply {
	s.set(func() { s.LastCmd, s.LastActive = cmd.Name, d.env.Clock() })
	defer d.observed(s, cmd, args, time.Now()) // introspect.go
	absent := d.beforeRun(s, cmd, args)        // notify.go
	r := cmd.Handler(s, args)
	r = d.afterRun(s, cmd, args, r, absent) // notify.go
	d.env.Stats.Commands.Add(1)
	cmd.calls.Add(1)
	if r.Kind == resp.KindError {
		cmd.failed.Add(1)
		if !s.takeCountedError() { // a script's error counted inside it (errorstats.go)
			d.env.Stats.CountError(r)
		}
	}
	return r
}

// resolve finds the command (or subcommand) args name and checks its
// arity. On failure it returns the error reply, and the command if known.
func (d *Dispatcher) resolve(args [][]byte) (*Command, resp.Reply) {
	cmd := lookup(d.cmds, args[0])
	if cmd == nil {
		return nil, resp.ErrUnknownCommand(string(args[0]), args[1:])
	}
	if cmd.subs != nil && len(args) >= 2 {
		sub := lookup(cmd.subs, args[1])
		if sub == nil {
			return cmd, resp.ErrUnknownSubcommand(cmd.Name, string(args[1]))
		}
		cmd = sub
	}
	if (cmd.Arity > 0 && cmd.Arity != len(args)) || len(args) < -cmd.Arity || cmd.Handler == nil {
		return cmd, errWrongArgs(cmd.Name)
	}
	return cmd, resp.Reply{}
}

// Lookup returns the table entry for a command name (any case), or nil.
// The server uses it to route commands by their key positions.
func (d *Dispatcher) Lookup(name []byte) *Command { return lookup(d.cmds, name) }

// Blocks reports whether name is a blocking command (BLPOP, BZPOPMIN,
// XREAD, ...), for the server's Inbox.BlockingBefore: the server asks it
// of every command it reads. Their names start with b or x: any other
// costs one comparison.
func (d *Dispatcher) Blocks(name []byte) bool {
	if len(name) == 0 || (lower(name[0]) != 'b' && lower(name[0]) != 'x') {
		return false
	}
	c := d.Lookup(name)
	return c != nil && c.Flags&Blocking != 0
}
