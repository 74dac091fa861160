package integration

// BZPOPMIN, BZPOPMAX and BZMPOP where they do not block (a sorted set is
// there, a short timeout, MULTI, scripts) and their errors,
// against redis-server 7.0.15 in RESP2 and RESP3. (Their notifications:
// server/command/zset_block_test.go; in RESP3 Redis interleaves them
// inside BZMPOP's reply.)
func init() {
	addFidelity("zblock",
		p("ZADD", "z", "1", "a", "2", "b", "3", "c", "1.1", "d"), p("BZPOPMIN", "z", "0"), p("BZPOPMAX", "z", "0"),
		p("BZPOPMIN", "missing", "z", "0"), p("BZPOPMAX", "missing", "z", "1.5"),
		p("ZADD", "z", "1", "a", "2", "b", "3", "c", "-inf", "m", "inf", "n"),
		p("BZMPOP", "0", "1", "z", "MIN"), p("BZMPOP", "0", "2", "missing", "z", "MAX", "COUNT", "2"),
		p("BZMPOP", "0", "1", "z", "min", "count", "10"), p("EXISTS", "z"),
		p("BZPOPMIN", "z", "0.01"), p("BZPOPMAX", "z", "missing", "0.01"), p("BZMPOP", "0.01", "1", "z", "MAX"),
		// errors, in Redis's order of checks
		p("ZADD", "z", "1", "a"), p("SET", "s", "v"),
		p("BZPOPMIN", "z", "-1"), p("BZPOPMIN", "z", "x"), p("BZPOPMIN", "z", "inf"), p("BZPOPMIN", "z", "1e400"),
		p("BZPOPMIN", "z", "-0.5"), p("BZPOPMIN", "z"), p("BZPOPMAX"), p("BZMPOP", "0", "1", "z"),
		p("BZPOPMIN", "s", "z", "0"), p("BZPOPMAX", "s", "0"), p("BZMPOP", "0", "2", "s", "z", "MIN"),
		p("BZMPOP", "0", "0", "z", "MIN"), p("BZMPOP", "0", "-1", "z", "MIN"), p("BZMPOP", "0", "x", "z", "MIN"),
		p("BZMPOP", "0", "3", "z", "MIN"), p("BZMPOP", "0", "1", "z", "UP"), p("BZMPOP", "x", "1", "z", "MIN"),
		p("BZMPOP", "x", "1", "z", "UP"), p("BZMPOP", "-1", "1", "z", "MIN"), p("BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"),
		p("BZMPOP", "0", "1", "z", "MIN", "COUNT", "x"), p("BZMPOP", "0", "1", "z", "MIN", "COUNT"),
		p("BZMPOP", "0", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"), p("BZMPOP", "0", "1", "z", "MIN", "FOO"),
		p("BZMPOP", "0", "9223372036854775807", "z", "MIN"), p("ZCARD", "z"),
		// MULTI: no blocking
		p("DEL", "z"), p("MULTI"), p("BZPOPMIN", "z", "0"), p("BZPOPMAX", "z", "1"), p("BZMPOP", "0", "1", "z", "MIN"),
		p("ZADD", "z", "5", "e", "6", "f"), p("BZPOPMAX", "z", "0"), p("BZMPOP", "0", "1", "z", "MIN"), p("EXEC"),
		// scripts: BZPOPMIN/MAX are noscript, BZMPOP answers at once
		p("EVAL", "return redis.call('BZPOPMIN', KEYS[1], 0)", "1", "z"),
		p("EVAL", "return redis.call('BZMPOP', 0, 1, KEYS[1], 'MIN')", "1", "z"),
		p("EVAL", "redis.call('ZADD', KEYS[1], 1, 'w'); return redis.call('BZMPOP', 0, 1, KEYS[1], 'MAX')", "1", "z"),
	)
}
