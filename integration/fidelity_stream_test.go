package integration

// streamProbes cover the stream commands: normal use, edge cases and
// their error paths. IDs are explicit wherever a reply shows them, so
// replies compare byte for byte; auto IDs (`*`) compare by reply type.
var streamProbes = []probe{
	// XADD: IDs, options, errors
	p("XADD", "s", "1-1", "a", "1"), p("XADD", "s", "1-1", "a", "1"), p("XADD", "s", "1-0", "a", "1"),
	p("XADD", "s", "1-*", "b", "2"), p("XADD", "s", "5", "c", "3", "d", "4"), p("XADD", "s", "5-*", "e", "5"),
	p("XADD", "s", "0-0", "a", "1"), p("XADD", "new", "0-0", "a", "1"), p("EXISTS", "new"),
	p("XADD", "s", "x-1", "a", "1"), p("XADD", "s", "1-x", "a", "1"), p("XADD", "s", "-1", "a", "1"),
	p("XADD", "s", "+", "a", "1"), p("XADD", "s", "6-1", "a"), p("XADD", "s", "6-1"), p("XADD", "s"),
	p("XADD", "nomk", "NOMKSTREAM", "1-1", "a", "1"), p("EXISTS", "nomk"),
	loose(sameKind, "XADD", "auto", "*", "f", "v"), loose(sameKind, "XADD", "auto", "*", "f", "v"),
	p("XADD", "s", "MAXLEN", "x", "9-1", "a", "1"), p("XADD", "s", "MAXLEN", "-1", "9-1", "a", "1"),
	p("XADD", "s", "MAXLEN", "5", "MINID", "1", "9-1", "a", "1"), p("XADD", "s", "LIMIT", "5", "9-1", "a", "1"),
	p("XADD", "s", "MAXLEN", "5", "LIMIT", "5", "9-1", "a", "1"), p("XADD", "s", "FOO", "9-1", "a", "1"),
	p("XADD", "s", "MINID", "+", "9-1", "a", "1"),
	// The options take every argument, leaving no ID (found by FuzzCommands: a panic).
	p("XADD", "s", "MAXLEN", "=", "5"), p("XADD", "s", "MINID", "~", "18446744073709551615-18446744073709551615"),
	p("XADD", "s", "NOMKSTREAM", "MAXLEN", "5"), p("XADD", "s", "MAXLEN", "5", "f"),
	p("XADD", "max", "18446744073709551615-18446744073709551615", "a", "1"), p("XADD", "max", "*", "a", "1"),
	p("SET", "str", "v"), p("XADD", "str", "1-1", "a", "1"), p("XLEN", "str"), p("XRANGE", "str", "-", "+"),
	// XLEN, XRANGE, XREVRANGE
	p("XLEN", "s"), p("XLEN", "nokey"), p("XLEN"), p("TYPE", "s"), p("OBJECT", "ENCODING", "s"),
	p("XRANGE", "s", "-", "+"), p("XRANGE", "s", "1", "1"), p("XRANGE", "s", "(1-1", "+"),
	p("XRANGE", "s", "-", "(5-0"), p("XRANGE", "s", "-", "+", "COUNT", "2"), p("XRANGE", "s", "-", "+", "COUNT", "0"),
	p("XRANGE", "s", "-", "+", "COUNT", "-1"), p("XRANGE", "s", "-", "+", "COUNT"), p("XRANGE", "s", "-", "+", "FOO", "1"),
	p("XRANGE", "s", "5", "1"), p("XRANGE", "s", "x", "+"), p("XRANGE", "s", "(-", "+"),
	p("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"), p("XRANGE", "s", "-", "(0-0"),
	p("XRANGE", "nokey", "-", "+"), p("XRANGE", "s", "-"),
	p("XREVRANGE", "s", "+", "-"), p("XREVRANGE", "s", "+", "-", "COUNT", "1"), p("XREVRANGE", "s", "(5-1", "(1-0"),
	p("XREVRANGE", "nokey", "+", "-"),
	// XDEL, XTRIM, XSETID
	p("XDEL", "s", "1-1", "9-9"), p("XDEL", "s", "1-1"), p("XDEL", "s", "x"), p("XDEL", "nokey", "1-1"), p("XDEL", "s"),
	p("XLEN", "s"), p("XTRIM", "s", "MAXLEN", "3"), p("XRANGE", "s", "-", "+"), p("XTRIM", "s", "MINID", "5-1"),
	p("XTRIM", "s", "MINID", "=", "5-1"), p("XTRIM", "s"), p("XTRIM", "s", "FOO", "1"), p("XTRIM", "s", "MAXLEN", "~", "0"),
	p("XTRIM", "s", "MAXLEN", "0", "LIMIT", "10"), p("XTRIM", "nokey", "MAXLEN", "0"), p("XLEN", "s"),
	p("XSETID", "s", "4-0"), p("XSETID", "s", "10-0"), loose(sameKind, "XADD", "s", "*", "late", "1"), p("XSETID", "nokey", "1-1"),
	p("XSETID", "s", "20-0", "ENTRIESADDED", "1"), p("XSETID", "s", "20-0", "MAXDELETEDID", "30-0"),
	p("XSETID", "s", "20-0", "ENTRIESADDED", "-1"), p("XSETID", "s", "x"), p("XSETID", "s", "20-0", "FOO"),
	p("XSETID", "s", "20-0", "ENTRIESADDED", "100", "MAXDELETEDID", "15-0"),
	// XREAD
	p("DEL", "s"), p("XADD", "s", "1-1", "a", "1"), p("XADD", "s", "2-1", "b", "2"), p("XADD", "t", "3-1", "c", "3"),
	p("XREAD", "STREAMS", "s", "0"), p("XREAD", "COUNT", "1", "STREAMS", "s", "t", "0", "0"),
	p("XREAD", "STREAMS", "s", "t", "1-1", "0"), p("XREAD", "STREAMS", "s", "$"), p("XREAD", "STREAMS", "nokey", "0"),
	p("XREAD", "STREAMS", "s", "t", "0"), p("XREAD", "STREAMS", "s", ">"), p("XREAD", "STREAMS", "s", "x"),
	p("XREAD", "STREAMS"), p("XREAD", "FOO", "STREAMS", "s", "0"), p("XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"),
	p("XREAD", "NOACK", "STREAMS", "s", "0"), p("XREAD", "BLOCK", "x", "STREAMS", "s", "0"),
	p("XREAD", "BLOCK", "10", "STREAMS", "s", "$"), p("XREAD", "STREAMS", "str", "0"),
	// groups
	p("XGROUP", "CREATE", "s", "g", "0"), p("XGROUP", "CREATE", "s", "g", "0"), p("XGROUP", "CREATE", "nokey", "g", "0"),
	p("XGROUP", "CREATE", "mk", "g", "$", "MKSTREAM"), p("XLEN", "mk"), p("EXISTS", "mk"),
	p("XGROUP", "CREATE", "s", "g2", "x"), p("XGROUP", "CREATE", "s", "g3", "$", "ENTRIESREAD", "-2"),
	p("XGROUP", "CREATE", "s", "g3", "$", "FOO"), p("XGROUP", "SETID", "s", "nog", "0"), p("XGROUP", "FOO"),
	p("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"),
	p("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"), p("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"),
	p("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"), p("XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", "0"),
	p("XREADGROUP", "GROUP", "nog", "alice", "STREAMS", "s", ">"), p("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "$"),
	p("XREADGROUP", "STREAMS", "s", ">"), p("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "nokey", ">"),
	p("XACK", "s", "g", "1-1", "1-1", "9-9"), p("XACK", "s", "nog", "1-1"), p("XACK", "nokey", "g", "1-1"), p("XACK", "s", "g", "x"),
	p("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"),
	p("XDEL", "s", "2-1"), p("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0"),
	p("XGROUP", "SETID", "s", "g", "0"), p("XADD", "s", "4-1", "d", "4"),
	p("XREADGROUP", "GROUP", "g", "dave", "NOACK", "STREAMS", "s", ">"),
	p("XGROUP", "CREATECONSUMER", "s", "g", "erin"), p("XGROUP", "CREATECONSUMER", "s", "g", "erin"),
	p("XGROUP", "DELCONSUMER", "s", "g", "bob"), p("XGROUP", "DELCONSUMER", "s", "g", "nobody"),
	p("XGROUP", "DESTROY", "s", "g"), p("XGROUP", "DESTROY", "s", "g"), p("XGROUP", "DESTROY", "nokey", "g"),
	p("XGROUP", "CREATECONSUMER", "s", "g", "x"), p("XGROUP", "CREATE", "str", "g", "0"),
	// across types
	p("COPY", "s", "s2"), p("XRANGE", "s2", "-", "+"), p("RENAME", "s2", "s3"), p("XRANGE", "s3", "-", "+"),
	p("HSET", "s3", "a", "1"), p("DEL", "s", "s3", "t", "mk", "auto", "max"),
}

func init() { addFidelity("stream", streamProbes...) }
