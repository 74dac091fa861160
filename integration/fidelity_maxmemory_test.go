package integration

// maxmemory and maxmemory-policy against redis-server: CONFIG SET parsing
// (memtoull's units, saturation and errors), INFO memory's fields (read
// through a script, the rest of INFO differs by nature), and noeviction:
// with maxmemory 1 both servers are above it, so denyoom commands answer
// OOM and write nothing while reads and DEL run, and MULTI/EXEC refuse as
// Redis's processCommand. The topic ends with both limits reset.
func init() {
	const memInfo = "return {string.match(redis.call('info','memory'), 'maxmemory:[^\\r]*\\r\\nmaxmemory_human:[^\\r]*\\r\\nmaxmemory_policy:[^\\r]*')}"
	set := func(name, v string) probe { return p("CONFIG", "SET", name, v) }
	get := func(name string) probe { return p("CONFIG", "GET", name) }
	addFidelity("maxmemory",
		get("maxmemory"), get("maxmemory-policy"), p("EVAL", memInfo, "0"),
		set("maxmemory", "100mb"), get("maxmemory"), p("EVAL", memInfo, "0"),
		set("maxmemory", "1k"), get("maxmemory"), set("maxmemory", "1KB"), get("maxmemory"),
		set("maxmemory", "5Gb"), get("maxmemory"), set("maxmemory", "5b"), get("maxmemory"),
		set("maxmemory", ""), get("maxmemory"), set("maxmemory", "99999999999999999999"), get("maxmemory"),
		p("EVAL", memInfo, "0"), set("maxmemory", "18446744073709551615kb"), get("maxmemory"),
		set("maxmemory", "2000000000000000"), p("EVAL", memInfo, "0"),
		set("maxmemory", "1.5mb"), set("maxmemory", "-1"), set("maxmemory", "abc"), set("maxmemory", "0x10"),
		set("maxmemory", "+5"), set("maxmemory", "5kbb"), set("maxmemory", "5t"), set("maxmemory", " 5"),
		p("CONFIG", "SET", "maxmemory"), get("maxmemory"),
		set("maxmemory-policy", "foo"), set("maxmemory-policy", "ALLKEYS-LRU"), get("maxmemory-policy"),
		set("maxmemory-policy", "volatile-ttl"), p("EVAL", memInfo, "0"),
		p("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "bad"), get("maxmemory"),
		p("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction"), p("EVAL", memInfo, "0"),
		// noeviction above the limit
		p("SET", "a", "1"), p("RPUSH", "l", "x"), p("CONFIG", "RESETSTAT"), set("maxmemory", "1"),
		p("SET", "k", "v"), p("GET", "a"), p("SET", "a", "2"), p("INCR", "n"), p("APPEND", "a", "x"),
		p("SETRANGE", "a", "0", "x"), p("SETNX", "n", "1"), p("MSET", "x", "1"), p("SADD", "s", "m"),
		p("HSET", "h", "f", "v"), p("ZADD", "z", "1", "m"), p("RPUSH", "l", "y"), p("LPOP", "l"),
		p("PFADD", "hll", "a"), p("COPY", "a", "b"), p("EXPIRE", "a", "100"), p("PERSIST", "a"),
		p("EXISTS", "k", "s", "h", "z", "hll", "b"), p("PING"), p("ECHO", "x"), p("PUBLISH", "ch", "m"),
		p("EVAL", "return 1", "0"),
		p("MULTI"), p("GET", "a"), p("EXEC"), p("MULTI"), p("SET", "a", "2"), p("EXEC"),
		p("MULTI"), p("DEL", "a"), p("DISCARD"), p("MULTI"), p("PING"), p("CONFIG", "SET", "maxmemory", "0"), p("EXEC"),
		p("GET", "a"), p("DEL", "a"), p("GET", "a"),
		p("INFO", "errorstats"),
		p("EVAL", "return string.match(redis.call('info','commandstats'), 'cmdstat_set:[^\\r]*rejected_calls=%d+')", "0"),
		set("maxmemory-policy", "allkeys-lru"), p("INCR", "n"), set("maxmemory-policy", "noeviction"),
		// transactions that set the limit themselves (CONFIG SET is queued)
		set("maxmemory", "0"), p("MULTI"), p("SET", "q", "1"), set("maxmemory", "1"), p("EXEC"),
		p("SET", "q", "x"), set("maxmemory", "0"), p("MULTI"), p("GET", "q"), set("maxmemory", "1"), p("EXEC"),
		p("GET", "q"), p("MULTI"), p("GET", "q"), p("EXEC"),
		// scripts above the limit: a script without a shebang is checked
		// call by call, until its first write; one with a shebang or a
		// function up front, unless flagged no-writes or allow-oom
		p("EVAL", "return redis.pcall('set','x','y')", "0"),
		p("EVAL", "return redis.pcall('get','x')", "0"),
		p("EVAL", "redis.call('del','x'); return redis.pcall('set','x','y')", "0"),
		p("EVAL", "return redis.pcall('set','x','y')", "0"),
		p("EVAL", "#!lua\nreturn 1", "0"),
		p("EVAL", "#!lua flags=no-writes\nreturn 1", "0"),
		p("EVAL", "#!lua flags=allow-oom\nreturn redis.pcall('set','x','z')", "0"),
		p("GET", "x"), p("DEL", "x"),
		p("FUNCTION", "LOAD", "#!lua name=oomlib\nredis.register_function('w', function() return 1 end)\n"+
			"redis.register_function{function_name='r', callback=function() return 2 end, flags={'no-writes'}}"),
		p("FCALL", "w", "0"), p("FCALL", "r", "0"), p("FUNCTION", "DELETE", "oomlib"),
		set("maxmemory", "0"), p("SET", "q", "2"), p("GET", "q"), p("EVAL", memInfo, "0"),
	)
}

// INFO's tracking counts (clients section: tracking_clients; stats:
// tracking_total_keys, _items, _prefixes) and tracking-table-max-keys,
// against redis-server. NOLOOP keeps the session's own writes from
// pushing invalidations into the replies compared.
func init() {
	const stats = "return string.match(redis.call('info','stats'), 'tracking_total_keys:%d+\\r\\ntracking_total_items:%d+\\r\\ntracking_total_prefixes:%d+')"
	const clients = "return string.match(redis.call('info','clients'), 'tracking_clients:%d+')"
	info := []probe{p("EVAL", stats, "0"), p("EVAL", clients, "0")}
	var probes []probe
	add := func(ps ...probe) { probes = append(append(probes, ps...), info...) }
	add(p("CONFIG", "GET", "tracking-table-max-keys"), p("CONFIG", "SET", "tracking-table-max-keys", "-1"),
		p("CONFIG", "SET", "tracking-table-max-keys", "1k"),
		p("CONFIG", "SET", "tracking-table-max-keys", "9223372036854775808"),
		p("CONFIG", "SET", "tracking-table-max-keys", "9223372036854775807"),
		p("CONFIG", "GET", "tracking-table-max-keys"))
	add(p("CLIENT", "TRACKING", "on", "NOLOOP"), p("MGET", "k1", "k2", "k3"), p("GET", "k1"))
	add(p("SET", "k1", "v"))
	add(p("CONFIG", "SET", "tracking-table-max-keys", "0"), p("MGET", "k4", "k5"))
	add(p("MSET", "k2", "1", "k3", "1", "k4", "1", "k5", "1"))
	add(p("GET", "k9"), p("CLIENT", "TRACKING", "off"))
	// (ringkv forgets k9 only on a write while some session tracks)
	add(p("CLIENT", "TRACKING", "on", "NOLOOP"), p("SET", "k9", "1"), p("CLIENT", "TRACKING", "off"))
	add(p("CLIENT", "TRACKING", "on", "BCAST", "NOLOOP", "PREFIX", "x", "PREFIX", "y"))
	add(p("CLIENT", "TRACKING", "off"), p("CONFIG", "SET", "tracking-table-max-keys", "1000000"))
	addFidelity("trackinginfo", probes...)
}
