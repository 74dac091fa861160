package integration

import (
	"fmt"
	"strings"
	"testing"
)

// encodingProbes cover OBJECT ENCODING of hashes, sets, sorted sets and
// lists across the encoding thresholds (set with CONFIG SET), and DUMP
// payloads that follow them: a 300-field hash is a listpack under the
// default hash-max-listpack-entries (512), as redis-server dumps it.
var encodingProbes = encodingSession()

func encodingSession() []probe {
	seq := func(cmd, key string, n int, elem func(i int) []string) probe {
		args := []string{cmd, key}
		for i := 0; i < n; i++ {
			args = append(args, elem(i)...)
		}
		return p(args...)
	}
	v64, v65 := strings.Repeat("v", 64), strings.Repeat("v", 65)
	shrunk := "Redis never converts back to a compact encoding; ringkv answers by current contents"
	probes := []probe{
		p("CONFIG", "GET", "hash-max-listpack-entries"), p("CONFIG", "GET", "zset-max-ziplist-value"),
		p("CONFIG", "GET", "set-max-intset-entries"), p("CONFIG", "GET", "list-max-listpack-size"),
		// hashes: entries and value length
		p("HSET", "h", "a", "1"), p("OBJECT", "ENCODING", "h"), p("HSET", "h", "b", v64), p("OBJECT", "ENCODING", "h"),
		p("HSET", "h", v64, "x"), p("OBJECT", "ENCODING", "h"), p("HSET", "h", "c", v65), p("OBJECT", "ENCODING", "h"),
		p("HDEL", "h", "c"), knownDiff(shrunk, "OBJECT", "ENCODING", "h"),
		p("HSET", "hk", v65, "1"), p("OBJECT", "ENCODING", "hk"),
		seq("HSET", "h512", 512, func(i int) []string { return []string{fmt.Sprintf("f%03d", i), "1"} }),
		p("OBJECT", "ENCODING", "h512"), p("HSET", "h512", "f999", "1"), p("OBJECT", "ENCODING", "h512"),
		p("CONFIG", "SET", "hash-max-listpack-entries", "2"), p("HSET", "h2", "a", "1", "b", "2"), p("OBJECT", "ENCODING", "h2"),
		p("HSET", "h2", "c", "3"), p("OBJECT", "ENCODING", "h2"),
		p("CONFIG", "SET", "hash-max-listpack-entries", "0"), p("HSET", "h0", "a", "1"), p("OBJECT", "ENCODING", "h0"),
		p("CONFIG", "SET", "hash-max-ziplist-entries", "512"), p("CONFIG", "SET", "hash-max-listpack-value", "0"),
		p("HSET", "he", "", ""), p("OBJECT", "ENCODING", "he"), p("HSET", "he2", "a", ""), p("OBJECT", "ENCODING", "he2"),
		p("CONFIG", "SET", "hash-max-listpack-value", "64"),
		// sets: integers as string2ll reads them, and their count
		p("SADD", "s", "1", "-5", "9223372036854775807"), p("OBJECT", "ENCODING", "s"),
		p("SADD", "s", "x"), p("OBJECT", "ENCODING", "s"), p("SADD", "s0", "007"), p("OBJECT", "ENCODING", "s0"),
		p("SADD", "s1", "-0"), p("OBJECT", "ENCODING", "s1"), p("SADD", "s2", "9223372036854775808"), p("OBJECT", "ENCODING", "s2"),
		p("SADD", "s3", " 1"), p("OBJECT", "ENCODING", "s3"), p("SADD", "s4", "1.0"), p("OBJECT", "ENCODING", "s4"),
		p("CONFIG", "SET", "set-max-intset-entries", "2"), p("SADD", "si", "1", "2"), p("OBJECT", "ENCODING", "si"),
		p("SADD", "si", "3"), p("OBJECT", "ENCODING", "si"), p("SREM", "si", "3"), knownDiff(shrunk, "OBJECT", "ENCODING", "si"),
		p("CONFIG", "SET", "set-max-intset-entries", "0"), p("SADD", "sz", "1"), p("OBJECT", "ENCODING", "sz"),
		p("CONFIG", "SET", "set-max-intset-entries", "512"),
		seq("SADD", "s512", 512, func(i int) []string { return []string{fmt.Sprint(i * 1000)} }),
		p("OBJECT", "ENCODING", "s512"), p("DUMP", "s512"), p("SADD", "s512", "-1"), p("OBJECT", "ENCODING", "s512"),
		// sorted sets: entries and member length
		p("ZADD", "z", "1", "a"), p("OBJECT", "ENCODING", "z"), p("ZADD", "z", "2", v64), p("OBJECT", "ENCODING", "z"),
		p("ZADD", "z", "3", v65), p("OBJECT", "ENCODING", "z"), p("ZADD", "zk", "1", v65), p("OBJECT", "ENCODING", "zk"),
		seq("ZADD", "z128", 128, func(i int) []string { return []string{fmt.Sprint(i), fmt.Sprintf("m%03d", i)} }),
		p("OBJECT", "ENCODING", "z128"), knownDiff(lzfNote, "DUMP", "z128"), p("ZADD", "z128", "999", "m999"), p("OBJECT", "ENCODING", "z128"),
		p("DUMP", "z128"),
		p("CONFIG", "SET", "zset-max-listpack-entries", "1"), p("ZADD", "z1", "1", "a"), p("OBJECT", "ENCODING", "z1"),
		p("ZADD", "z1", "2", "b"), p("OBJECT", "ENCODING", "z1"), p("CONFIG", "SET", "zset-max-listpack-entries", "0"),
		p("ZADD", "z0", "1", "a"), p("OBJECT", "ENCODING", "z0"), p("CONFIG", "SET", "zset-max-ziplist-entries", "128"),
		p("CONFIG", "SET", "zset-max-listpack-value", "1"), p("ZADD", "zv", "1", "a", "2", "bb"), p("OBJECT", "ENCODING", "zv"),
		p("ZADD", "zv2", "1", "a"), p("OBJECT", "ENCODING", "zv2"), p("CONFIG", "SET", "zset-max-listpack-value", "64"),
		// lists are quicklists in 7.0, however small
		p("RPUSH", "l", "a"), p("OBJECT", "ENCODING", "l"), p("CONFIG", "SET", "list-max-listpack-size", "1"),
		p("RPUSH", "l2", "a", "b", "c"), p("OBJECT", "ENCODING", "l2"), p("DUMP", "l2"),
		p("CONFIG", "SET", "list-max-listpack-size", "-2"),
		p("SET", "str", "12"), p("OBJECT", "ENCODING", "str"), p("OBJECT", "ENCODING", "missing"),
		// DUMP of a 300-field hash: a listpack under the default 512, byte for byte
		seq("HSET", "h300", 300, func(i int) []string { return []string{fmt.Sprintf("field:%03d", i), fmt.Sprint(i * 7)} }),
		p("OBJECT", "ENCODING", "h300"), knownDiff(lzfNote, "DUMP", "h300"), p("HLEN", "h300"),
		// under 200 it is a hashtable, whose DUMP follows Redis's dict order
		p("CONFIG", "SET", "hash-max-listpack-entries", "200"),
		seq("HSET", "h300b", 300, func(i int) []string { return []string{fmt.Sprintf("field:%03d", i), fmt.Sprint(i * 7)} }),
		p("OBJECT", "ENCODING", "h300b"), loose(sameKind, "DUMP", "h300b"),
		// MEMORY USAGE estimates: of the same kind, growing with the contents
		loose(sameKind, "MEMORY", "USAGE", "h300"), loose(sameKind, "MEMORY", "USAGE", "h300b", "SAMPLES", "0"),
		loose(sameKind, "MEMORY", "USAGE", "s512"), loose(sameKind, "MEMORY", "USAGE", "z128"),
		loose(sameKind, "MEMORY", "USAGE", "l"),
	}
	// Redis 7.0's defaults back
	for _, kv := range [][2]string{{"hash-max-listpack-entries", "512"}, {"hash-max-listpack-value", "64"},
		{"zset-max-listpack-entries", "128"}, {"zset-max-listpack-value", "64"}, {"set-max-intset-entries", "512"},
		{"list-max-listpack-size", "-2"}, {"list-compress-depth", "0"}} {
		probes = append(probes, p("CONFIG", "SET", kv[0], kv[1]))
	}
	return probes
}

const lzfNote = "ringkv writes DUMP payloads uncompressed, Redis LZF-compresses them (TestEncodingDumpExchange checks the encoding)"

func init() { addFidelity("encoding", encodingProbes...) }

// TestEncodingDumpExchange: the DUMP of a 300-field hash (and of a
// 128-member sorted set) has the RDB type redis-server gives it (listpack
// under the default thresholds, plain past them) and each server restores
// the other's payload to the same contents and encoding.
func TestEncodingDumpExchange(t *testing.T) {
	t.Parallel()
	ours, theirs := DialRESP(t, StartNode(t, NodeOptions{}).Addr()), DialRESP(t, StartRedisServer(t))
	both := func(args ...string) (Reply, Reply) { return ours.Do(args...), theirs.Do(args...) }
	h := []string{"HSET", "h"}
	for i := 0; i < 300; i++ {
		h = append(h, fmt.Sprintf("field:%03d", i), fmt.Sprint(i*7))
	}
	z := []string{"ZADD", "z"}
	for i := 0; i < 128; i++ {
		z = append(z, fmt.Sprint(i), fmt.Sprintf("m%03d", i))
	}
	for _, step := range []struct {
		config  []string // CONFIG SET before writing the key
		write   []string
		key     string
		typ     byte // RDB type
		readAll []string
	}{
		{nil, h, "h", 16, []string{"HGETALL", "h"}},                                         // RDB_TYPE_HASH_LISTPACK
		{[]string{"hash-max-listpack-entries", "200"}, h, "h", 4, []string{"HGETALL", "h"}}, // RDB_TYPE_HASH
		{nil, z, "z", 17, []string{"ZRANGE", "z", "0", "-1", "WITHSCORES"}},                 // RDB_TYPE_ZSET_LISTPACK
		{[]string{"zset-max-listpack-entries", "100"}, z, "z", 5, []string{"ZRANGE", "z", "0", "-1", "WITHSCORES"}},
	} {
		both("DEL", step.key, step.key+"2")
		if step.config != nil {
			both(append([]string{"CONFIG", "SET"}, step.config...)...)
		}
		both(step.write...)
		a, b := both("DUMP", step.key)
		if a.Str == "" || b.Str == "" || a.Str[0] != step.typ || b.Str[0] != step.typ {
			t.Errorf("%v: DUMP types ringkv %q, redis %q, want %d", step.config, a.Str[:1], b.Str[:1], step.typ)
		}
		// each restores the other's payload
		if r := ours.Do("RESTORE", step.key+"2", "0", b.Str); r.Str != "OK" {
			t.Errorf("ringkv RESTORE of redis's payload: %s", r)
		}
		if r := theirs.Do("RESTORE", step.key+"2", "0", a.Str); r.Str != "OK" {
			t.Errorf("redis RESTORE of ringkv's payload: %s", r)
		}
		ra, rb := both(append(step.readAll[:1:1], append([]string{step.key + "2"}, step.readAll[2:]...)...)...)
		wa, _ := both(step.readAll...)
		if ra.Raw != wa.Raw || rb.Raw != wa.Raw && step.typ != 4 {
			t.Errorf("%v: restored contents differ", step.config)
		}
		ea, eb := both("OBJECT", "ENCODING", step.key+"2")
		if ea.Raw != eb.Raw {
			t.Errorf("%v: OBJECT ENCODING of the restored key: ringkv %s, redis %s", step.config, ea, eb)
		}
		both("CONFIG", "SET", "hash-max-listpack-entries", "512")
		both("CONFIG", "SET", "zset-max-listpack-entries", "128")
	}
}
