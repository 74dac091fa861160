package integration

func init() {
	addFidelity("transactions",
		p("EXEC"), p("DISCARD"), p("UNWATCH"), p("WATCH"),
		p("MULTI"), p("MULTI"), p("SET", "k", "1"), p("INCR", "k"), p("GET", "k"), p("WATCH", "k"),
		p("EXEC"), p("GET", "k"),
		// a queued error aborts the transaction
		p("MULTI"), p("SET", "k", "2"), p("NOSUCH"), p("GET"), p("SAVE"), p("EXEC"), p("GET", "k"),
		// a runtime error does not
		p("SET", "s", "x"), p("MULTI"), p("INCR", "s"), p("SET", "t", "1"), p("EXEC"), p("GET", "t"),
		// WATCH: own write aborts; untouched runs; DISCARD and UNWATCH forget
		p("WATCH", "k"), p("SET", "k", "9"), p("MULTI"), p("SET", "k", "10"), p("EXEC"), p("GET", "k"),
		p("WATCH", "k", "missing"), p("MULTI"), p("INCR", "k"), p("EXEC"),
		p("WATCH", "k"), p("SET", "k", "1"), p("UNWATCH"), p("MULTI"), p("INCR", "k"), p("EXEC"),
		p("MULTI"), p("PING"), p("ECHO", "x"), p("DISCARD"), p("EXEC"),
		p("MULTI"), p("EXEC"), p("MULTI"), p("RESET"), p("EXEC"),
		p("MULTI", "x"), p("EXEC", "x"),
	)
}
