package integration

func init() {
	addFidelity("limits-2",
		p("SELECT", "9223372036854775807"), p("SELECT", "2147483648"), p("SELECT", "-2147483649"),
		p("SELECT", "9223372036854775808"), p("SELECT", "-1"), p("SELECT", "x"),
		p("CONFIG", "SET", "proto-max-bulk-len", "9223372036854775808"),
		p("CONFIG", "SET", "proto-max-bulk-len", "8589934592gb"),
		p("CONFIG", "SET", "proto-max-bulk-len", "abc"), p("CONFIG", "SET", "proto-max-bulk-len", "1k"),
		p("CLIENT", "KILL", "MAXAGE", "10"),
	)
}
