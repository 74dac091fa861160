package command

// ACLCheckCmd implements lua.ACLChecker for redis.acl_check_cmd: whether
// the script's user may run args (command, keys, channels), checked as
// Redis's ACLCheckAllUserCommandPerm, without an ACL LOG entry. A command
// or subcommand the server does not have is not known (Redis's
// lookupCommand; arity is not checked).
func (c *scriptCaller) ACLCheckCmd(args [][]byte) (allowed, known bool) {
	cmd := lookup(c.d.cmds, args[0])
	if cmd == nil {
		return false, false
	}
	if cmd.subs != nil && len(args) >= 2 {
		if cmd = lookup(cmd.subs, args[1]); cmd == nil {
			return false, false
		}
	}
	return !c.d.aclRefuses(c.s, cmd, args), true // aclcheck.go
}
