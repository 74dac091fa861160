package integration

// limitsProbes are the extremes of every numeric argument of the string,
// key, scan and expire commands (int64 limits, one past them, negatives,
// signs, the empty string), so that no client input crashes a node and
// each answers as redis-server 7.0 does (issue 7). proto-max-bulk-len is
// lowered to 1 MiB so the largest strings stay cheap on both servers.
var limitsProbes = []probe{
	p("CONFIG", "SET", "proto-max-bulk-len", "1048576"),
	// SCAN on an empty keyspace: the cursor is read with strtoul.
	p("SCAN", ""), p("SCAN", "+0"), p("SCAN", "-0"), p("SCAN", "00"), p("SCAN", "-1"), p("SCAN", "1"),
	p("SCAN", "18446744073709551615"), p("SCAN", "18446744073709551616"), p("SCAN", "-18446744073709551615"),
	p("SCAN", "-18446744073709551616"), p("SCAN", "-"), p("SCAN", "+"), p("SCAN", " 1"), p("SCAN", "1 "),
	p("SCAN", "0x1"), p("SCAN", "0", "COUNT", "9223372036854775807"), p("SCAN", "0", "COUNT", "9223372036854775808"),
	p("SCAN", "0", "COUNT", "-9223372036854775808"), p("SCAN", "0", "COUNT", "-1"),
	p("SCAN", "0", "COUNT", "1", "COUNT", "0"), p("SCAN", "0", "TYPE", "string", "COUNT", "0"),
	// SETRANGE and APPEND: offset + length checked without overflow.
	p("SETRANGE", "k", "9223372036854775807", "A"), p("SETRANGE", "k", "9223372036854775807", ""),
	p("SETRANGE", "k", "9223372036854775806", "AB"), p("SETRANGE", "k", "-9223372036854775808", "A"),
	p("SETRANGE", "k", "9223372036854775808", "A"), p("SETRANGE", "k", "-1", ""), p("EXISTS", "k"),
	p("SETRANGE", "k", "1048576", "A"), p("SETRANGE", "k", "1048575", "AB"), p("SETRANGE", "k", "1048575", "A"),
	p("STRLEN", "k"), p("SETRANGE", "k", "9223372036854775807", ""), p("SETRANGE", "k", "9223372036854775807", "A"),
	p("APPEND", "k", "A"), p("APPEND", "k", ""), p("STRLEN", "k"), p("DEL", "k"),
	// GETRANGE at the extremes.
	p("SET", "s", "hello"), p("GETRANGE", "s", "9223372036854775807", "-9223372036854775808"),
	p("GETRANGE", "s", "-9223372036854775808", "9223372036854775807"),
	p("GETRANGE", "s", "-9223372036854775808", "-9223372036854775808"), p("GETRANGE", "s", "0", "9223372036854775807"),
	p("GETRANGE", "s", "9223372036854775807", "9223372036854775807"), p("GETRANGE", "s", "-1", "-9223372036854775808"),
	p("GETRANGE", "s", "9223372036854775808", "0"), p("GETRANGE", "nokey", "9223372036854775807", "-9223372036854775808"),
	// INCRBY / DECRBY: overflow in both directions, numbers Redis refuses.
	p("SET", "n", "1"), p("INCRBY", "n", "9223372036854775807"), p("INCRBY", "n", "-9223372036854775808"),
	p("DECRBY", "n", "9223372036854775807"), p("DECRBY", "n", "-9223372036854775808"),
	p("DECRBY", "n", "9223372036854775808"), p("INCRBY", "n", "-9223372036854775809"), p("INCRBY", "n", ""),
	p("INCRBY", "n", " 1"), p("INCRBY", "n", "1 "), p("INCRBY", "n", "+1"), p("INCRBY", "n", "01"), p("INCRBY", "n", "-0"),
	p("INCRBY", "n", "1.0"), p("GET", "n"), p("SET", "n", "-9223372036854775808"), p("DECR", "n"), p("INCR", "n"),
	p("SET", "n", "9223372036854775807"), p("INCR", "n"), p("DECRBY", "n", "-1"), p("DECR", "n"),
	p("SET", "z", "00"), p("INCR", "z"), p("SET", "z", "-0"), p("INCR", "z"), p("SET", "z", "+5"), p("INCR", "z"),
	p("SET", "z", "9223372036854775808"), p("INCR", "z"),
	// INCRBYFLOAT: infinities and NaN in the increment or the value.
	p("INCRBYFLOAT", "x", "nan"), p("INCRBYFLOAT", "x", "inf"), p("INCRBYFLOAT", "x", "-inf"),
	p("INCRBYFLOAT", "x", "+inf"), p("INCRBYFLOAT", "x", "Infinity"), p("INCRBYFLOAT", "x", ""),
	p("INCRBYFLOAT", "x", " 1"), p("INCRBYFLOAT", "x", "1 "), p("EXISTS", "x"),
	p("SET", "y", "inf"), p("INCRBYFLOAT", "y", "1"), p("SET", "y", "nan"), p("INCRBYFLOAT", "y", "1"),
	p("SET", "y", "1.5 "), p("INCRBYFLOAT", "y", "1"),
	knownDiff("redis parses long double (to ~1e4932); ringkv float64", "INCRBYFLOAT", "x", "1e309"),
	knownDiff("redis prints the long double nearest 1e308", "INCRBYFLOAT", "big", "1e308"),
	knownDiff("redis adds in long double: 2e308 is finite there", "INCRBYFLOAT", "big", "1e308"),
	knownDiff("only redis holds x (1e309 above)", "DEL", "x", "big"),
	// Expire times: unit conversion and base-time addition overflow.
	p("SET", "e", "v"), p("EXPIRE", "e", "9223372036854775807"), p("EXPIRE", "e", "9223372036854775"),
	p("EXPIRE", "e", "-9223372036854775808"), p("EXPIRE", "e", "-9223372036854775"),
	p("PEXPIRE", "e", "9223372036854775807"), p("PEXPIRE", "e", "9223372036854775000"),
	p("EXPIRE", "e", "9223372036854775808"), p("EXPIREAT", "e", "9223372036854775807"),
	p("EXPIREAT", "e", "-9223372036854775808"), p("EXISTS", "e"), p("EXPIRE", "nokey", "9223372036854775807"),
	p("EXPIRE", "nokey", "9223372036854775807", "FOO"), p("EXPIRE", "nokey", "abc", "FOO"),
	p("SET", "e", "v"), p("EXPIREAT", "e", "9223372036854775"), p("EXPIRETIME", "e"), loose(sameKind, "TTL", "e"),
	p("PEXPIREAT", "e", "9223372036854775807"), p("EXPIRETIME", "e"), p("PEXPIRETIME", "e"),
	loose(sameKind, "TTL", "e"), loose(sameKind, "PTTL", "e"),
	p("PEXPIREAT", "e", "9223372036854775307"), p("EXPIRETIME", "e"), p("PEXPIREAT", "e", "4000000000500"),
	p("EXPIRETIME", "e"), p("PEXPIREAT", "e", "4000000000499"), p("EXPIRETIME", "e"),
	p("EXPIRE", "e", "9223372036854775807", "GT"), p("PEXPIREAT", "e", "9223372036854775807", "LT"),
	p("PEXPIRE", "e", "-9223372036854775808"), p("EXISTS", "e"),
	// SET / SETEX / PSETEX / GETEX expire options.
	p("SET", "k", "v", "EX", "9223372036854775807"), p("SET", "k", "v", "PX", "9223372036854775807"),
	p("SET", "k", "v", "EXAT", "9223372036854775807"), p("SET", "k", "v", "EX", "9223372036854775"),
	p("SET", "k", "v", "EXAT", "9223372036854776"), p("SET", "k", "v", "EX", "-9223372036854775808"),
	p("SET", "k", "v", "PXAT", "-1"), p("SET", "k", "v", "EXAT", "0"), p("SET", "k", "v", "EX", "9223372036854775808"),
	p("SET", "k", "v", "PXAT", "9223372036854775807"), p("PEXPIRETIME", "k"),
	p("SET", "k", "v", "EXAT", "9223372036854775"), p("PEXPIRETIME", "k"),
	p("SETEX", "k", "9223372036854775807", "v"), p("SETEX", "k", "-1", "v"), p("SETEX", "k", "9223372036854775", "v"),
	p("PSETEX", "k", "9223372036854775807", "v"), p("PSETEX", "k", "9223372036854775000", "v"),
	p("PSETEX", "k", "-9223372036854775808", "v"),
	p("GETEX", "nokey", "EX", "0"), p("GETEX", "nokey", "EX", "abc"), p("GETEX", "nokey", "PX", "9223372036854775807"),
	p("GETEX", "k", "EX", "9223372036854775807"), p("GETEX", "k", "PX", "9223372036854775807"),
	p("GETEX", "k", "EXAT", "9223372036854775807"), p("GETEX", "k", "EX", "0"), p("GETEX", "k", "EX", "-1"),
	p("GETEX", "k", "EX", "abc"), p("GETEX", "k", "EXAT", "9223372036854775"), p("PEXPIRETIME", "k"),
	p("GETEX", "k", "PXAT", "9223372036854775807"), p("PEXPIRETIME", "k"), p("GETEX", "k", "PXAT", "1"),
	p("EXISTS", "k"),
	// COPY's DB is a C int.
	p("SET", "a", "1"), p("COPY", "a", "b", "DB", "9223372036854775807"), p("COPY", "a", "b", "DB", "2147483648"),
	p("COPY", "a", "b", "DB", "-2147483649"), p("COPY", "a", "b", "DB", "99999999999999999999"),
	p("COPY", "a", "b", "DB", "-1"), p("COPY", "a", "b", "DB", "16"), p("COPY", "a", "a", "DB", "0"),
	p("CONFIG", "SET", "proto-max-bulk-len", "536870912"),
}

func init() { addFidelity("limits", limitsProbes...) }
