package command

import (
	"github.com/ringkv/ringkv/resp"
)

// Errors of commands a script may not run (Redis 7.0's texts).
var (
	errScriptUnknown  = resp.Err("ERR Unknown Redis command called from script")
	errScriptArity    = resp.Err("ERR Wrong number of args calling Redis command from script")
	errScriptNotAllow = resp.Err("ERR This Redis command is not allowed from script")
	errScriptReadOnly = resp.Err("ERR Write commands are not allowed from read-only scripts.")
	errScriptNonLocal = resp.Err("ERR Script attempted to access a non local key in a cluster node")
)

// scriptCaller runs a script's redis.call commands for its session inside
// the script's exclusive section, with Redis's checks: the command
// exists, its arity, no noscript command, no write from a read-only
// script, and, in a cluster, no key outside the partition of the keys the
// script declared (or, with none declared, not coordinated here).
type scriptCaller struct {
	d        *Dispatcher
	s        *Session
	run      *runningScript
	declared [][]byte
	ro       bool

	// oomAtStart: used memory was above maxmemory when the script (one
	// without a shebang) started, so its first write that may grow
	// memory is refused (Redis's scriptVerifyOOM).
	oomAtStart bool

	ran  bool     // the last call reached d.run, which counted its error
	errs []string // the last error replies of calls (errorstats.go)

	checked bool // the cluster facts below are known
	cluster bool
	self    string
	part    int
}

func (d *Dispatcher) newScriptCaller(s *Session, run *runningScript, keys [][]byte, ro bool) *scriptCaller {
	return &scriptCaller{d: d, s: s, run: run, declared: keys, ro: ro}
}

// Call implements lua.Caller. Its error replies count in INFO errorstats
// here, once (noteError).
func (c *scriptCaller) Call(args [][]byte) resp.Reply {
	c.ran = false
	return c.noteError(c.call(args))
}

func (c *scriptCaller) call(args [][]byte) resp.Reply {
	cmd := lookup(c.d.cmds, args[0])
	if cmd == nil {
		return errScriptUnknown
	}
	if cmd.subs != nil && len(args) >= 2 {
		if cmd = lookup(cmd.subs, args[1]); cmd == nil {
			return errScriptUnknown
		}
	}
	switch {
	case (cmd.Arity > 0 && cmd.Arity != len(args)) || len(args) < -cmd.Arity || cmd.Handler == nil:
		return errScriptArity
	case cmd.Flags&NoScript != 0:
		return errScriptNotAllow
	}
	if r := c.d.scriptDenied(c.s, cmd, args); r.IsError() {
		return r // aclcheck.go
	}
	switch {
	case cmd.Flags&Write != 0 && c.ro:
		return errScriptReadOnly
	case !c.local(cmd, args):
		return errScriptNonLocal
	case c.oomAtStart && cmd.Flags&DenyOOM != 0 && !c.run.wrote.Load():
		// Only before its first write: a script cannot stop half way.
		return errOOM
	case cmd.Flags&Write != 0 && !c.d.replicasOK():
		return errNoReplicas // Redis's scriptVerifyWriteCommandAllow
	}
	if cmd.Flags&Write != 0 {
		c.run.wrote.Store(true)
	}
	c.ran = true
	outer := c.s.scriptCall
	c.s.scriptCall = c
	defer func() { c.s.scriptCall = outer }()
	return c.d.run(c.s, cmd, args)
}

// local reports whether every key of the call may be used here.
func (c *scriptCaller) local(cmd *Command, args [][]byte) bool {
	keys := cmd.KeysOf(args)
	if len(keys) == 0 {
		return true
	}
	if !c.checked {
		c.checked = true
		c.cluster = c.d.clustered()
		c.self = c.d.env.Settings.Params().Node
		c.part = -1
		if len(c.declared) > 0 {
			c.part, _, _ = c.d.env.Topology.Locate(c.declared[0])
		}
	}
	if !c.cluster {
		return true
	}
	for _, k := range keys {
		if c.part >= 0 {
			if p, _, _ := c.d.env.Topology.Locate(k); p != c.part {
				return false
			}
			continue
		}
		if coord, _, _ := c.d.env.Topology.Serving(k); coord != c.self {
			return false
		}
	}
	return true
}
