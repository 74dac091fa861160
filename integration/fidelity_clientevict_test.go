package integration

// clientEvictProbes: CONFIG GET/SET maxmemory-clients (bytes with units, a
// percentage of maxmemory up to 100%, and Redis's odd 64-bit wrap of a
// huge byte count into a percentage), client-query-buffer-limit, CONFIG
// SET's all-or-nothing rollback when one value fails, CLIENT NO-EVICT, and
// port's validation. Byte values stay large: a small limit would evict the
// probing clients themselves. The last probes restore the defaults for the
// topics that follow on the same servers.
var clientEvictProbes = []probe{
	p("CONFIG", "GET", "maxmemory-clients"), p("CONFIG", "GET", "client-query-buffer-limit"),
	p("CONFIG", "SET", "maxmemory-clients", "200%"), p("CONFIG", "SET", "maxmemory-clients", "101%"),
	p("CONFIG", "SET", "maxmemory-clients", "100%"), p("CONFIG", "GET", "maxmemory-clients"),
	p("CONFIG", "SET", "maxmemory-clients", "0%"), p("CONFIG", "GET", "maxmemory-clients"),
	p("CONFIG", "SET", "maxmemory-clients", "5%"), p("CONFIG", "GET", "maxmemory-clients"),
	p("CONFIG", "SET", "maxmemory-clients", "-1"), p("CONFIG", "SET", "maxmemory-clients", "-5%"),
	p("CONFIG", "SET", "maxmemory-clients", "05%"), p("CONFIG", "SET", "maxmemory-clients", "%"),
	p("CONFIG", "SET", "maxmemory-clients", "abc"), p("CONFIG", "SET", "maxmemory-clients", "1.5mb"),
	p("CONFIG", "SET", "maxmemory-clients", "100mb"), p("CONFIG", "GET", "maxmemory-clients"),
	p("CONFIG", "SET", "maxmemory-clients", "5GB"), p("CONFIG", "GET", "maxmemory-clients"),
	p("CONFIG", "SET", "maxmemory-clients", "18446744073709551615"), p("CONFIG", "GET", "maxmemory-clients"),
	p("CONFIG", "SET", "maxmemory-clients", "18446744073709551616"), p("CONFIG", "GET", "maxmemory-clients"),
	p("CONFIG", "SET", "maxmemory-clients", "9223372036854775808"), p("CONFIG", "GET", "maxmemory-clients"),
	p("CONFIG", "SET", "maxmemory-clients", ""), p("CONFIG", "GET", "maxmemory-clients"),
	p("CONFIG", "SET", "client-query-buffer-limit", "1000"), p("CONFIG", "SET", "client-query-buffer-limit", "abc"),
	p("CONFIG", "SET", "client-query-buffer-limit", "2m"), p("CONFIG", "GET", "client-query-buffer-limit"),
	p("CONFIG", "SET", "client-query-buffer-limit", "99999999999999999999"),
	p("CONFIG", "SET", "client-query-buffer-limit", "1gb"),
	// Redis's "CONFIG SET rollback on set error".
	p("CONFIG", "SET", "maxmemory", "10000002"),
	p("CONFIG", "SET", "maxmemory", "10000001", "maxmemory-clients", "200%", "client-query-buffer-limit", "invalid"),
	p("CONFIG", "GET", "maxmemory"), p("CONFIG", "GET", "maxmemory-clients"), p("CONFIG", "GET", "client-query-buffer-limit"),
	p("CONFIG", "SET", "maxmemory-clients", "10%", "maxmemory-clients", "20%"),
	p("CONFIG", "SET", "port", "abc"), p("CONFIG", "SET", "port", "70000"), p("CONFIG", "SET", "port", "-1"),
	p("CLIENT", "NO-EVICT", "on"), p("CLIENT", "NO-EVICT", "off"), p("CLIENT", "NO-EVICT", "maybe"),
	p("CONFIG", "SET", "maxmemory", "0", "maxmemory-clients", "0"),
}

func init() { addFidelity("clientevict", clientEvictProbes...) }
