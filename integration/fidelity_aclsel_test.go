package integration

// ACL selectors against redis-server, RESP2 and RESP3: SETUSER with
// selectors in one argument or spread over several, how GETUSER and
// ACL LIST show them, clearselectors and reset, the errors of a bad
// selector (unbalanced parentheses, a rule a selector does not take),
// DRYRUN and NOPERM when the root or one selector allows a command and
// which denial is named when none does, and ACL LOG. Probes keep to at
// most one single-command rule per selector after the categories (their
// order is Redis's command dict's). The topic ends as default with its
// users deleted.
func init() {
	addFidelity("aclsel",
		p("ACL", "SETUSER", "s", "on", "nopass", "~a*", "+get", "(+set ~b*)", "(+get", "~c*", "&ch)",
			"(%R~d* +@read +publish &p*)"),
		p("ACL", "LIST"), p("ACL", "GETUSER", "s"),
		p("ACL", "DRYRUN", "s", "get", "a1"), p("ACL", "DRYRUN", "s", "get", "b1"),
		p("ACL", "DRYRUN", "s", "set", "b1", "x"), p("ACL", "DRYRUN", "s", "set", "a1", "x"),
		p("ACL", "DRYRUN", "s", "get", "c1"), p("ACL", "DRYRUN", "s", "mget", "a1", "c1"),
		p("ACL", "DRYRUN", "s", "mget", "c1", "a1"), p("ACL", "DRYRUN", "s", "get", "zz"),
		p("ACL", "DRYRUN", "s", "incr", "a1"), p("ACL", "DRYRUN", "s", "publish", "ch", "m"),
		p("ACL", "DRYRUN", "s", "publish", "p1", "m"), p("ACL", "DRYRUN", "s", "publish", "q", "m"),
		p("ACL", "DRYRUN", "s", "subscribe", "ch"), p("ACL", "DRYRUN", "s", "mget", "d1", "d2"),
		p("ACL", "DRYRUN", "s", "set", "d1", "x"), p("ACL", "DRYRUN", "s", "mset", "b1", "x", "b2", "y"),
		p("ACL", "DRYRUN", "s", "strlen", "d1"), p("ACL", "DRYRUN", "s", "strlen", "a1"),
		// a selector with every key and channel, and one with a first argument
		p("ACL", "SETUSER", "w", "reset", "on", "nopass", "(~* &* +@all -@dangerous)", "(+select|0)", "(+@hash ~h*)"),
		p("ACL", "LIST"), p("ACL", "GETUSER", "w"), p("ACL", "DRYRUN", "w", "flushall"),
		p("ACL", "DRYRUN", "w", "select", "0"), p("ACL", "DRYRUN", "w", "select", "1"),
		p("ACL", "DRYRUN", "w", "hset", "x", "f", "v"),
		p("ACL", "SETUSER", "e", "reset", "()", "( +get  ~k )", "(+get \"~a b)", "(%W~x %R~x)"),
		p("ACL", "GETUSER", "e"), p("ACL", "LIST"),
		// clearselectors and reset drop the selectors; a selector after
		// reset stays
		p("ACL", "SETUSER", "e", "clearselectors"), p("ACL", "GETUSER", "e"),
		p("ACL", "SETUSER", "e", "(+get)", "reset", "(+set ~k)"), p("ACL", "GETUSER", "e"),
		// errors: nothing applies
		p("ACL", "SETUSER", "e", "on", "(+get", "~foo*"), p("ACL", "SETUSER", "e", "(+get", "~foo*", "(~x"),
		p("ACL", "SETUSER", "e", "(+get ~a", "(~b ~c)"), p("ACL", "SETUSER", "e", "(on)"),
		p("ACL", "SETUSER", "e", "(>pass)"), p("ACL", "SETUSER", "e", "(nopass)"), p("ACL", "SETUSER", "e", "(reset)"),
		p("ACL", "SETUSER", "e", "(clearselectors)"), p("ACL", "SETUSER", "e", "(~* ~a)"),
		p("ACL", "SETUSER", "e", "(&* &a)"), p("ACL", "SETUSER", "e", "(+nosuch)"),
		p("ACL", "SETUSER", "e", "(+get ~a b)"), p("ACL", "SETUSER", "e", "(\"\")"),
		p("ACL", "SETUSER", "e", "(+client|list|x)"), p("ACL", "SETUSER", "e", "(%X~k)"),
		p("ACL", "SETUSER", "e", "+get)"), p("ACL", "SETUSER", "e", "("), p("ACL", "SETUSER", "e", ")"),
		p("ACL", "SETUSER", "e", "(+get", ")"), p("ACL", "GETUSER", "e"),
		// enforcement on a connection, in MULTI and in a script, and ACL LOG
		p("ACL", "LOG", "RESET"),
		p("ACL", "SETUSER", "u", "on", "nopass", "~a*", "+get", "+multi", "+exec", "+eval",
			"(+set ~b*)", "(+publish &ch*)"),
		p("AUTH", "u", "x"), p("SET", "b1", "v"), p("GET", "b1"), p("GET", "a1"), p("SET", "a1", "v"),
		p("PUBLISH", "ch1", "m"), p("PUBLISH", "zz", "m"), p("INCR", "b1"),
		p("MULTI"), p("SET", "b2", "v"), p("SET", "zz", "v"), p("EXEC"),
		p("EVAL", "return redis.call('set','b3','v')", "0"), p("EVAL", "return redis.pcall('set','a3','v')", "0"),
		p("AUTH", "default", "x"),
		loose(sameKind, "ACL", "LOG", "4"), // ages and client lines differ: the unit tests check the entries
		p("ACL", "DELUSER", "s", "w", "e", "u"), p("ACL", "LOG", "RESET"), p("ACL", "LIST"),
		// no aclfile: CONFIG GET shows "", and it cannot be set
		p("CONFIG", "GET", "aclfile"), p("CONFIG", "SET", "aclfile", "/tmp/x.acl"), p("ACL", "LOAD"), p("ACL", "SAVE"),
	)
}
