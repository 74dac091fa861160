package integration

import (
	"strings"
	"testing"
)

// introspectionProbes cover OBJECT, MEMORY, SLOWLOG, LATENCY, CLIENT
// PAUSE/UNPAUSE/NO-EVICT, WAIT, CONFIG and COMMAND: normal use and every
// error path. Settings changed here are restored at the end (the servers
// outlive the topic).
var introspectionProbes = []probe{
	// OBJECT
	p("SET", "int", "123"), p("SET", "big", "12345"), p("SET", "emb", "hello"), p("SET", "raw", long60),
	p("SET", "negzero", "-0"), p("OBJECT", "ENCODING", "int"), p("OBJECT", "ENCODING", "big"),
	p("OBJECT", "ENCODING", "emb"), p("OBJECT", "ENCODING", "raw"), p("OBJECT", "ENCODING", "negzero"),
	p("OBJECT", "ENCODING", "missing"), p("OBJECT", "REFCOUNT", "int"), p("OBJECT", "REFCOUNT", "big"),
	p("OBJECT", "REFCOUNT", "emb"), p("OBJECT", "REFCOUNT", "missing"), p("OBJECT", "FREQ", "int"),
	p("OBJECT", "FREQ", "missing"), p("OBJECT", "IDLETIME", "missing"), loose(sameKind, "OBJECT", "IDLETIME", "emb"),
	p("OBJECT", "HELP"), p("OBJECT", "FOO", "k"), p("OBJECT", "ENCODING"), p("OBJECT", "ENCODING", "a", "b"),
	p("OBJECT"), p("OBJECT", "HELP", "x"),
	// MEMORY
	p("MEMORY", "USAGE", "missing"), loose(sameKind, "MEMORY", "USAGE", "emb"),
	loose(sameKind, "MEMORY", "USAGE", "raw", "SAMPLES", "0"), p("MEMORY", "USAGE", "emb", "SAMPLES"),
	p("MEMORY", "USAGE", "emb", "SAMPLES", "abc"), p("MEMORY", "USAGE", "emb", "SAMPLES", "-1"),
	p("MEMORY", "USAGE", "missing", "SAMPLES", "abc"), p("MEMORY", "USAGE", "emb", "FOO", "1"),
	p("MEMORY", "USAGE"), p("MEMORY", "HELP"), p("MEMORY", "FOO"), p("MEMORY", "PURGE"),
	loose(sameKind, "MEMORY", "DOCTOR"), loose(sameKeys, "MEMORY", "STATS"),
	knownDiff("redis-server is built with jemalloc; ringkv answers as a Redis without it", "MEMORY", "MALLOC-STATS"),
	// SLOWLOG
	p("SLOWLOG", "RESET"), p("CONFIG", "SET", "slowlog-log-slower-than", "0"), p("SLOWLOG", "RESET"),
	p("SLOWLOG", "LEN"), p("SET", "k", "v"), p("SLOWLOG", "LEN"), loose(sameKind, "SLOWLOG", "GET", "1"),
	loose(sameKind, "SLOWLOG", "GET"), loose(sameKind, "SLOWLOG", "GET", "-1"), p("SLOWLOG", "GET", "-2"),
	p("SLOWLOG", "GET", "abc"), p("SLOWLOG", "GET", "1", "2"), p("SLOWLOG", "LEN", "x"), p("SLOWLOG", "FOO"),
	p("SLOWLOG"), p("SLOWLOG", "HELP"), p("EXEC"), p("SLOWLOG", "LEN"),
	p("CONFIG", "SET", "slowlog-max-len", "2"), p("PING"), p("PING"), p("SLOWLOG", "LEN"),
	p("CONFIG", "SET", "slowlog-log-slower-than", "-1"), p("SLOWLOG", "RESET"), p("PING"), p("SLOWLOG", "LEN"),
	p("CONFIG", "SET", "slowlog-max-len", "-1"), p("CONFIG", "SET", "slowlog-log-slower-than", "-2"),
	p("CONFIG", "SET", "slowlog-log-slower-than", "abc"),
	p("CONFIG", "SET", "slowlog-log-slower-than", "10000", "slowlog-max-len", "128"),
	loose(samePairs, "CONFIG", "GET", "slowlog*"),
	// LATENCY (latency-monitor-threshold is 0: nothing recorded)
	p("LATENCY", "RESET"), p("LATENCY", "LATEST"), p("LATENCY", "HISTORY", "command"), p("LATENCY", "DOCTOR"),
	p("LATENCY", "RESET", "command", "fast-command"), p("LATENCY", "HISTORY"), p("LATENCY", "FOO"),
	p("LATENCY"), p("CONFIG", "GET", "latency-monitor-threshold"),
	p("CONFIG", "SET", "latency-monitor-threshold", "-1"), p("CONFIG", "SET", "latency-monitor-threshold", "100000"),
	p("LATENCY", "DOCTOR"), p("CONFIG", "SET", "latency-monitor-threshold", "0"),
	knownDiff("ringkv has no LATENCY GRAPH and HISTOGRAM", "LATENCY", "HELP"),
	// CLIENT
	p("CLIENT", "NO-EVICT", "on"), p("CLIENT", "NO-EVICT", "OFF"), p("CLIENT", "NO-EVICT", "maybe"),
	p("CLIENT", "NO-EVICT"), p("CLIENT", "NO-TOUCH", "on"), p("CLIENT", "PAUSE"), p("CLIENT", "PAUSE", "abc"),
	p("CLIENT", "PAUSE", "-1"), p("CLIENT", "PAUSE", "10", "foo"), p("CLIENT", "PAUSE", "10", "write", "x"),
	p("CLIENT", "PAUSE", "1.5"), p("CLIENT", "PAUSE", "10", "WRITE"), p("CLIENT", "UNPAUSE"),
	p("CLIENT", "PAUSE", "5", "ALL"), p("CLIENT", "UNPAUSE"), p("CLIENT", "UNPAUSE", "x"), p("GET", "k"),
	knownDiff("ringkv lists only the CLIENT subcommands it has (plus SETINFO)", "CLIENT", "HELP"),
	// WAIT: a single node is a Redis without replicas
	p("WAIT", "0", "0"), p("SET", "w", "1"), p("WAIT", "0", "0"), p("WAIT", "1", "10"), p("WAIT", "-1", "0"),
	p("WAIT"), p("WAIT", "0"), p("WAIT", "a", "0"), p("WAIT", "0", "a"), p("WAIT", "0", "-1"),
	p("WAIT", "99999999999999999999", "0"),
	// CONFIG
	p("CONFIG", "SET", "databases", "2"), p("CONFIG", "SET", "daemonize", "yes"),
	loose(samePairs, "CONFIG", "GET", "*of", "maxmemory-clients", "maxmemory-samples"), p("CONFIG", "SET", "timeout", "1", "timeout", "2"),
	p("CONFIG", "SET", "maxclients", "0"), loose(samePairs, "CONFIG", "GET", "maxclients", "timeout"),
	loose(samePairs, "CONFIG", "GET", "maxclients", "timeout", "maxclients"), p("CONFIG", "GET", "nosuch*"),
	knownDiff("ringkv's fsync policy is fixed at start: appendfsync is immutable", "CONFIG", "SET", "appendfsync", "always"),
	knownDiff("(restores redis-server's setting)", "CONFIG", "SET", "appendfsync", "everysec"),
	knownDiff("ringkv does not evict: the policy stays noeviction", "CONFIG", "SET", "maxmemory-policy", "allkeys-lru"),
	knownDiff("(restores redis-server's setting)", "CONFIG", "SET", "maxmemory-policy", "noeviction"),
	p("CONFIG", "RESETSTAT"), p("CONFIG", "HELP"),
	// COMMAND: Redis's own metadata for the commands both have
	p("COMMAND", "INFO", "get", "set", "object|encoding", "client|pause", "memory|usage", "wait"),
	p("COMMAND", "INFO", "slowlog|get", "latency|doctor", "debug", "config|set", "command|getkeysandflags"),
	p("COMMAND", "DOCS", "get"), p("COMMAND", "DOCS", "set"), p("COMMAND", "DOCS", "object|freq"),
	p("COMMAND", "DOCS", "client|pause"), p("COMMAND", "DOCS", "nosuch"),
	knownDiff("ringkv lists only the subcommands it has", "COMMAND", "DOCS", "client"),
	p("COMMAND", "GETKEYSANDFLAGS", "set", "a", "b"), p("COMMAND", "GETKEYSANDFLAGS", "set", "a", "b", "get"),
	p("COMMAND", "GETKEYSANDFLAGS", "rename", "a", "b"), p("COMMAND", "GETKEYSANDFLAGS", "mset", "a", "1", "b", "2"),
	p("COMMAND", "GETKEYSANDFLAGS", "object", "encoding", "k"), p("COMMAND", "GETKEYSANDFLAGS", "ping"),
	p("COMMAND", "GETKEYSANDFLAGS", "ping", "x"), p("COMMAND", "GETKEYS", "client", "kill", "x"),
	p("COMMAND", "GETKEYS", "memory", "usage", "k", "samples", "5"), p("COMMAND", "GETKEYS", "object", "encoding", "k", "x"),
	p("COMMAND", "GETKEYS", "object", "nosuch", "k"), p("COMMAND", "GETKEYS", "nosuch", "k"),
	loose(sameSet, "COMMAND", "LIST", "FILTERBY", "PATTERN", "slowlog*"),
	loose(sameSet, "COMMAND", "LIST", "FILTERBY", "PATTERN", "object*"), p("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"),
	p("COMMAND", "LIST", "FILTERBY", "MODULE", "x"), p("COMMAND", "LIST", "FILTERBY", "FOO", "x"),
	p("COMMAND", "LIST", "FILTERBY"), p("COMMAND", "LIST", "FILTERBY", "ACLCAT"), p("COMMAND", "HELP"),
}

// debugProbes need a redis-server with the DEBUG command enabled (Redis 7
// refuses it by default; ringkv always has it).
var debugProbes = []probe{
	p("DEBUG", "SLEEP", "0"), p("DEBUG", "SLEEP", "0.01"), p("DEBUG", "SLEEP", "abc"), p("DEBUG", "SLEEP"),
	p("DEBUG", "SLEEP", "1", "2"), p("DEBUG", "OBJECT", "missing"), p("DEBUG", "OBJECT"), p("DEBUG", "FOO"),
	p("DEBUG"), p("DEBUG", "ERROR", "my error"), p("DEBUG", "ERROR", "ERR custom"), p("DEBUG", "ERROR"),
	p("SET", "k", "12345"), loose(sameKind, "DEBUG", "OBJECT", "k"), p("SET", "k", "hello"),
	loose(sameKind, "DEBUG", "OBJECT", "k"), p("DEBUG", "HELP", "x"),
	knownDiff("ringkv has only SLEEP, OBJECT and ERROR", "DEBUG", "HELP"),
	knownDiff("ringkv refuses the subcommands it cannot honour", "DEBUG", "SET-ACTIVE-EXPIRE", "1"),
}

func init() { addFidelity("introspection", introspectionProbes...) }

// TestFidelityDebug compares DEBUG with a redis-server that enables it.
func TestFidelityDebug(t *testing.T) {
	t.Parallel()
	ref := StartRedisServer(t, "--enable-debug-command", "yes")
	n := StartNode(t, NodeOptions{})
	for _, proto := range []int{2, 3} {
		session := []probe{p("FLUSHALL")}
		if proto == 3 {
			session = append(session, loose(sameKeys, "HELLO", "3"))
		}
		compareSessions(t, proto, n.Addr(), ref, append(session, debugProbes...))
	}
	// DEBUG OBJECT's line has Redis's fields, in Redis's order
	a, b := DialRESP(t, n.Addr()), DialRESP(t, ref)
	for _, c := range []*RESPConn{a, b} {
		c.Do("SET", "k", "hello")
	}
	fields := func(line string) string {
		var names []string
		for _, f := range strings.Fields(line)[2:] { // after "Value at:<address>"
			name, _, _ := strings.Cut(f, ":")
			names = append(names, name)
		}
		return strings.Join(names, " ")
	}
	ours, theirs := fields(a.Do("DEBUG", "OBJECT", "k").Str), fields(b.Do("DEBUG", "OBJECT", "k").Str)
	if !strings.HasPrefix(ours, theirs) {
		t.Errorf("DEBUG OBJECT fields: ringkv %q, redis %q", ours, theirs)
	}
}
