package command

// Blind reports whether args is a blind write: one that replaces its keys'
// values whatever they hold and replies without reading them (SET without
// NX, XX, GET or KEEPTTL; SETEX, PSETEX, MSET). Such a write decides
// nothing on the copies it supersedes, so any replica of its keys may
// coordinate it (Dynamo §6.4): a node that holds a copy runs it, and
// forwards nothing. Two of them via different replicas at once become
// siblings, as DESIGN.md's data model says; GET picks one.
func Blind(cmd *Command, args [][]byte) bool {
	switch cmd.Name {
	case "setex", "psetex", "mset":
		return true
	case "set":
		o, ok := parseSetOpts(args[3:], false)
		return ok && !o.nx && !o.xx && !o.get && !o.keepTTL
	}
	return false
}
