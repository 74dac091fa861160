package integration

// sortProbes cover SORT and SORT_RO over lists and sets: numeric and
// ALPHA, ASC/DESC, LIMIT edges, BY (nosort, string weights, hash fields,
// missing keys), GET (#, strings, hash fields, missing), STORE, and every
// error. A set sorted BY nosort is compared by its elements: Redis lists
// it in its own encoding's order (an intset numerically, a hash table in
// hash order), ringkv by bytes. ALPHA BY ties are avoided: Redis's qsort
// leaves their order undefined.
var sortProbes = []probe{
	p("SADD", "s", "3", "10", "2", "1.5", "-1"),
	p("MSET", "w_3", "1", "w_10", "5", "w_2", "3", "w_-1", "4", "w_1.5", "2", "n_3", "three", "n_10", "ten", "n_2", "two",
		"n_1.5", "onefive"),
	p("HSET", "h_3", "f", "x3", "g", "3"), p("HSET", "h_2", "f", "x2", "g", "-3"),
	p("SORT", "s"), p("SORT", "s", "DESC"), p("SORT", "s", "ASC"), p("SORT", "s", "desc", "asc"),
	p("SORT", "s", "LIMIT", "1", "2"), p("SORT", "s", "ALPHA"), p("SORT", "s", "ALPHA", "DESC"),
	p("SORT", "s", "BY", "w_*"), p("SORT", "s", "BY", "w_*", "DESC"), p("SORT", "s", "BY", "w_*", "ALPHA"),
	p("SORT", "s", "BY", "w_*", "GET", "#", "GET", "n_*", "GET", "h_*->f"),
	p("SORT", "s", "BY", "h_*->g"), p("SORT", "s", "BY", "w_*->f"), p("SORT", "s", "BY", "missing_*"),
	p("SORT", "s", "GET", "h_*->"), p("SORT", "s", "GET", "nostar"), p("SORT", "s", "GET", "#", "GET", "#"),
	p("SORT", "s", "BY", "w_*", "LIMIT", "1", "3"), p("SORT", "s", "BY", "w_*", "LIMIT", "4", "10"),
	p("SORT", "s", "LIMIT", "10", "5"), p("SORT", "s", "LIMIT", "-5", "2"), p("SORT", "s", "LIMIT", "2", "-1"),
	p("SORT", "s", "LIMIT", "0", "0"), p("SORT", "s", "LIMIT", "5", "1"), p("SORT", "s", "LIMIT", "4", "1"),
	p("SORT", "s", "LIMIT", "9223372036854775807", "9223372036854775807"),
	p("SORT", "s", "LIMIT", "-9223372036854775808", "1"), p("SORT", "s", "LIMIT", "1", "2", "LIMIT", "0", "1"),
	loose(sameSet, "SORT", "s", "BY", "nosort"), p("SORT", "s", "BY", "nosort", "LIMIT", "0", "10", "GET", "n_*", "ALPHA", "STORE", "d"),
	p("LRANGE", "d", "0", "-1"), p("SORT", "s", "BY", "nosort", "DESC", "STORE", "d"), p("LRANGE", "d", "0", "-1"),
	p("SORT", "s", "STORE", "d"), p("LRANGE", "d", "0", "-1"), p("TYPE", "d"),
	p("SORT", "s", "GET", "n_*", "ALPHA", "STORE", "d"), p("LRANGE", "d", "0", "-1"),
	p("SET", "d2", "v"), p("EXPIRE", "d2", "100"), p("SORT", "s", "STORE", "d2"), p("TTL", "d2"), p("TYPE", "d2"),
	p("SORT", "missing"), p("SORT", "missing", "STORE", "d2"), p("EXISTS", "d2"), p("SORT_RO", "missing"),
	p("SORT", "s", "LIMIT", "5", "1", "STORE", "d"), p("EXISTS", "d"),
	p("SORT_RO", "s"), p("SORT_RO", "s", "BY", "w_*", "GET", "n_*", "DESC", "LIMIT", "0", "2"),
	// lists keep their order BY nosort, reversed by DESC
	p("RPUSH", "l", "3", "1", "2", "b", "1"),
	p("SORT", "l", "BY", "nosort"), p("SORT", "l", "BY", "nosort", "DESC"),
	p("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"), p("SORT", "l", "BY", "nosort", "LIMIT", "1", "2"),
	p("SORT", "l", "ALPHA"), p("SORT", "l", "ALPHA", "DESC", "LIMIT", "0", "-1"), p("SORT", "l"),
	p("SORT", "l", "BY", "constant", "GET", "#", "STORE", "dl"), p("LRANGE", "dl", "0", "-1"),
	p("SORT", "l", "ALPHA", "STORE", "l"), p("LRANGE", "l", "0", "-1"),
	p("RPUSH", "nums", "10", "-2.5", "1e3", "0x10", "inf", "-inf", " 7", "", "3"), p("SORT", "nums"),
	p("SORT", "nums", "DESC"), p("RPUSH", "nan", "nan"), p("SORT", "nan"), p("RPUSH", "trail", "5 "), p("SORT", "trail"),
	p("RPUSH", "huge", "1e400"), p("SORT", "huge"), p("RPUSH", "ties", "b", "a", "c"), p("SORT", "ties", "BY", "nokey_*"),
	// errors, in Redis's order: options first, then the key's type
	p("SORT", "n_3"), p("SORT", "h_3"), p("SORT", "n_3", "FOO"), p("SORT", "s", "LIMIT", "1"),
	p("SORT", "s", "LIMIT", "a", "1"), p("SORT", "s", "LIMIT", "1", "b"), p("SORT", "s", "FOO"),
	p("SORT", "s", "BY"), p("SORT", "s", "GET"), p("SORT", "s", "STORE"), p("SORT_RO", "s", "STORE", "d"),
	p("SORT"), p("SORT_RO"), p("SORT", "n_3", "LIMIT", "0", "1", "STORE", "d"),
}

func init() { addFidelity("sort", sortProbes...) }
