package integration

import "strings"

// ACL against redis-server, RESP2 and RESP3: users and their rules as
// ACL LIST and GETUSER describe them (Redis's best fit of categories;
// probes keep to at most one single-command rule after the categories,
// whose order is Redis's command dict's), SETUSER's errors, AUTH as a
// user, NOPERM for commands, subcommands, first arguments, keys (read-
// only patterns) and channels, in and out of MULTI, DRYRUN, and the
// subcommands' errors. The topic ends authenticated as default with its
// users deleted: ACL state outlives FLUSHALL.
func init() {
	addFidelity("acl",
		p("ACL", "WHOAMI"), p("ACL", "USERS"), p("ACL", "LIST"), p("ACL", "GETUSER", "default"),
		p("ACL", "GETUSER", "nosuch"), p("ACL"), p("ACL", "FOO"), p("ACL", "HELP"), p("ACL", "CAT"),
		p("ACL", "CAT", "nosuch"), loose(sameKind, "ACL", "CAT", "string"), p("ACL", "CAT", "a", "b"),
		p("ACL", "GENPASS", "0"), p("ACL", "GENPASS", "x"), p("ACL", "GENPASS", "4097"),
		loose(sameKind, "ACL", "GENPASS"), loose(sameKind, "ACL", "GENPASS", "7"),
		p("ACL", "SAVE"), p("ACL", "LOAD"), p("ACL", "SAVE", "x"),
		p("ACL", "LOG", "x"), p("ACL", "LOG", "RESET"), p("ACL", "LOG"), p("ACL", "LOG", "1", "2"),
		// users and rules
		p("ACL", "SETUSER", "alice", "on", ">p1", "~k*", "+get", "+@string", "-set", "&ch*", "%R~r*"),
		p("ACL", "LIST"), p("ACL", "GETUSER", "alice"), p("ACL", "USERS"),
		p("ACL", "SETUSER", "t", "reset", "+get", "+@list"), p("ACL", "GETUSER", "t"),
		p("ACL", "SETUSER", "t", "reset", "+@all", "-@string", "+get", "%W~w*", "%R~w*", "&a", "&b"),
		p("ACL", "GETUSER", "t"), p("ACL", "LIST"),
		p("ACL", "SETUSER", "t", "reset", "+@read", "-@write", "allkeys", "allchannels", "nopass", "on"),
		p("ACL", "GETUSER", "t"),
		p("ACL", "SETUSER", "t", "+config|get", "+config", "allcommands", "-get", "nocommands", "+select|0"),
		p("ACL", "GETUSER", "t"), p("ACL", "SETUSER", "t", "reset", "+@hash", "-hget", "+@hash"), p("ACL", "GETUSER", "t"),
		p("ACL", "SETUSER", "t", "reset", "-client", "+client|list"), p("ACL", "GETUSER", "t"),
		p("ACL", "SETUSER", "t", "reset", "+GET", "+@STRING", "~A", "%RW~b", "%W~A"), p("ACL", "GETUSER", "t"),
		p("ACL", "SETUSER", "t", ">x", ">y", "<x", "#"+hex64("a"), "!"+hex64("a")), p("ACL", "GETUSER", "t"),
		p("ACL", "SETUSER", "t", "resetpass", "resetkeys", "resetchannels", "allcommands", "-@dangerous"),
		p("ACL", "GETUSER", "t"),
		// SETUSER's errors (none of the rules apply)
		p("ACL", "SETUSER", "t", "allkeys", "~x"), p("ACL", "SETUSER", "t", "allchannels", "&x"),
		p("ACL", "SETUSER", "t", "+nosuch"), p("ACL", "SETUSER", "t", "-@nosuch"), p("ACL", "SETUSER", "t", "-select|0"),
		p("ACL", "SETUSER", "t", "<nope"), p("ACL", "SETUSER", "t", "#abc"), p("ACL", "SETUSER", "t", "!"+hex64("b")),
		p("ACL", "SETUSER", "t", "+client|list|x"), p("ACL", "SETUSER", "t", "+client|nosuch"),
		p("ACL", "SETUSER", "t", "+debug|"), p("ACL", "SETUSER", "t", "bogus"), p("ACL", "SETUSER", "t", "%X~k"),
		p("ACL", "SETUSER", "t", "on", "off", "bogus"), p("ACL", "GETUSER", "t"),
		p("ACL", "SETUSER", "a b"), p("ACL", "SETUSER"), p("ACL", "GETUSER"), p("ACL", "DELUSER"),
		p("ACL", "DELUSER", "default"), p("ACL", "DELUSER", "nosuch", "t"), p("ACL", "USERS"),
		p("CLIENT", "KILL", "USER", "nosuch"), p("CLIENT", "KILL", "USER", "alice"),
		// enforcement
		p("ACL", "SETUSER", "bob", "on", ">pw", "~k*", "%R~r*", "&ch", "+get", "+set", "+publish", "+subscribe",
			"+psubscribe", "+client|id", "+select|0", "+multi", "+exec", "+ping"),
		p("ACL", "DRYRUN", "bob", "get", "x"), p("ACL", "DRYRUN", "bob", "get", "k"),
		p("ACL", "DRYRUN", "bob", "incr", "k"), p("ACL", "DRYRUN", "bob", "publish", "zz", "m"),
		p("ACL", "DRYRUN", "bob", "set", "r1", "v"), p("ACL", "DRYRUN", "bob", "select", "0"),
		p("ACL", "DRYRUN", "nobody", "get", "k"), p("ACL", "DRYRUN", "bob", "nosuch"),
		p("ACL", "DRYRUN", "bob", "get"), p("ACL", "DRYRUN", "bob", "client", "list"), p("ACL", "DRYRUN", "bob"),
		p("AUTH", "bob", "wrong"), p("AUTH", "nobody", "x"), p("AUTH", "bob", "pw"), p("ACL", "WHOAMI"),
		p("GET", "k1"), p("GET", "x"), p("SET", "k1", "v"), p("SET", "r1", "v"), p("GET", "r1"), p("INCR", "k"),
		p("PUBLISH", "ch", "m"), p("PUBLISH", "cx", "m"), p("SELECT", "0"), p("SELECT", "1"),
		p("CLIENT", "LIST"), p("PING"), p("GET", "k1", "x"), p("NOSUCH"),
		p("MULTI"), p("INCR", "k"), p("GET", "k1"), p("EXEC"),
		p("MULTI"), p("GET", "x"), p("EXEC"),
		p("PSUBSCRIBE", "c*"), p("SUBSCRIBE", "nope"),
		p("AUTH", "default", "x"), p("ACL", "WHOAMI"),
		loose(sameKind, "ACL", "LOG"), p("ACL", "LOG", "0"), p("ACL", "LOG", "-1"), p("ACL", "LOG", "RESET"),
		// a disabled user cannot log in; RESET and HELLO AUTH
		p("ACL", "SETUSER", "bob", "off"), p("AUTH", "bob", "pw"), p("ACL", "SETUSER", "bob", "on"),
		loose(sameKeys, "HELLO", "2", "AUTH", "bob", "pw"), p("ACL", "WHOAMI"), p("HELLO", "2", "AUTH", "bob", "bad"),
		p("RESET"), p("ACL", "WHOAMI"),
		// a script's redis.call runs with its caller's permissions
		p("ACL", "SETUSER", "sc", "on", "nopass", "~k*", "+eval", "+get"), p("AUTH", "sc", "x"),
		p("EVAL", "return redis.call('set','k','b')", "0"), p("EVAL", "return redis.pcall('set','k','b')", "0"),
		p("EVAL", "return redis.call('get','a')", "0"), p("EVAL", "return redis.call('get','k')", "0"),
		p("AUTH", "default", "x"),
		// EXEC checks each queued command again: here the transaction
		// itself takes GET and the keys away before they run
		p("ACL", "SETUSER", "mx", "on", "nopass", "~*", "&*", "+@all"), p("AUTH", "mx", "x"),
		p("MULTI"), p("ACL", "SETUSER", "mx", "-get", "resetkeys", "~k", "resetchannels"),
		p("GET", "k"), p("SET", "k2", "v"), p("PUBLISH", "c", "m"), p("PING"), p("EXEC"),
		p("AUTH", "default", "x"),
		p("ACL", "DELUSER", "alice", "t", "bob", "sc", "mx"), p("ACL", "LOG", "RESET"), p("ACL", "LIST"),
	)
}

// hex64 is a valid password hash: 64 lowercase hex characters.
func hex64(c string) string { return strings.Repeat(c, 64) }
