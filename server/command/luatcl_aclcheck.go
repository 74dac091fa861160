package command

import (
	"github.com/ringkv/ringkv/resp"
)

// scriptCommand is the command (or subcommand) a script's args name, as
// Redis's lookupCommand finds it; nil when the server has none.
func (c *scriptCaller) scriptCommand(args [][]byte) *Command {
	cmd := lookup(c.d.cmds, args[0])
	if cmd != nil && cmd.subs != nil && len(args) >= 2 {
		cmd = lookup(cmd.subs, args[1])
	}
	return cmd
}

// ACLCheckCmd implements lua.ACLChecker for redis.acl_check_cmd: whether
// the script's user may run args (command, keys, channels), checked as
// Redis's ACLCheckAllUserCommandPerm, without an ACL LOG entry. A command
// or subcommand the server does not have is not known (Redis's
// lookupCommand; arity is not checked).
func (c *scriptCaller) ACLCheckCmd(args [][]byte) (allowed, known bool) {
	cmd := c.scriptCommand(args)
	if cmd == nil {
		return false, false
	}
	return !c.d.aclRefuses(c.s, cmd, args), true // aclcheck.go
}

// statsCaller is the Caller scripts get: a call of a known command the
// script caller refuses (arity, no-script command, ACL, read-only script,
// OOM, key elsewhere in the cluster) counts in its command's rejected_calls,
// as Redis's scriptCall does (incrCommandStatsOnError).
type statsCaller struct{ *scriptCaller }

// Call implements lua.Caller.
func (c statsCaller) Call(args [][]byte) resp.Reply {
	r := c.scriptCaller.Call(args)
	if !r.IsError() || c.ran {
		return r
	}
	if cmd := c.scriptCommand(args); cmd != nil { // an unknown command has no stats
		cmd.rejected.Add(1)
	}
	return r
}
