package command

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/replica/version"
)

// TestObjectEncodingThresholds: a collection's OBJECT ENCODING follows
// Redis 7.0's rules and the configured thresholds, by current contents.
func TestObjectEncodingThresholds(t *testing.T) {
	f := newFixture(t)
	v65 := strings.Repeat("v", 65)
	f.script(`
		> HSET h a 1
		(integer) 1
		> OBJECT ENCODING h
		"listpack"
		> SADD s 1 -5 9223372036854775807
		(integer) 3
		> OBJECT ENCODING s
		"intset"
		> SADD s0 007
		(integer) 1
		> OBJECT ENCODING s0
		"hashtable"
		> ZADD z 1 a
		(integer) 1
		> OBJECT ENCODING z
		"listpack"
		> RPUSH l a
		(integer) 1
		> OBJECT ENCODING l
		"quicklist"
		> CONFIG SET hash-max-listpack-entries 2
		OK
		> HSET h b 2 c 3
		(integer) 2
		> OBJECT ENCODING h
		"hashtable"
		> HDEL h c
		(integer) 1
		> OBJECT ENCODING h
		"listpack"
		> CONFIG SET set-max-intset-entries 3
		OK
		> SADD s 4
		(integer) 1
		> OBJECT ENCODING s
		"hashtable"
		> CONFIG SET zset-max-listpack-entries 0
		OK
		> OBJECT ENCODING z
		"skiplist"
	`)
	for key, kind := range map[string]string{"hv": "HSET", "zv": "ZADD"} {
		if kind == "HSET" {
			f.do("HSET", key, "f", v65)
		} else {
			f.do("ZADD", key, "1", v65)
		}
		want := map[string]string{"hv": "hashtable", "zv": "skiplist"}[key]
		if got := f.do("OBJECT", "ENCODING", key).Text(); got != want {
			t.Errorf("OBJECT ENCODING of a 65-byte %s: %q, want %q", kind, got, want)
		}
	}
}

// TestDumpFollowsThresholds: DUMP writes the encoding OBJECT ENCODING
// reports, under the configured thresholds (a hash of 129..512 small
// fields is a listpack, as redis-server dumps it).
func TestDumpFollowsThresholds(t *testing.T) {
	f := newFixture(t)
	args := []string{"HSET", "h"}
	for i := 0; i < 300; i++ {
		args = append(args, fmt.Sprintf("f%03d", i), fmt.Sprint(i))
	}
	f.do(args...)
	typ := func() byte { return f.do("DUMP", "h").Bytes[0] }
	if got := typ(); got != rdbHashListpack {
		t.Errorf("DUMP of a 300-field hash: type %d, want listpack %d", got, rdbHashListpack)
	}
	f.do("CONFIG", "SET", "hash-max-listpack-entries", "299")
	if got := typ(); got != rdbHash {
		t.Errorf("DUMP past hash-max-listpack-entries: type %d, want %d", got, rdbHash)
	}
	f.do("SADD", "s", "1", "2")
	f.do("CONFIG", "SET", "set-max-intset-entries", "1")
	if got := f.do("DUMP", "s").Bytes[0]; got != rdbSet {
		t.Errorf("DUMP past set-max-intset-entries: type %d, want %d", got, rdbSet)
	}
	// a restored payload reads back whatever the encoding
	f.do("RESTORE", "h2", "0", string(f.do("DUMP", "h").Bytes))
	if n := f.do("HLEN", "h2").Int; n != 300 {
		t.Errorf("HLEN after RESTORE: %d", n)
	}
}

// TestMemoryUsageCollections: MEMORY USAGE of a collection grows with its
// contents; SAMPLES bounds what a hashtable's estimate reads.
func TestMemoryUsageCollections(t *testing.T) {
	f := newFixture(t)
	usage := func(args ...string) int64 { return f.do(append([]string{"MEMORY", "USAGE"}, args...)...).Int }
	f.do("HSET", "h", "a", "1")
	small := usage("h")
	args := []string{"HSET", "h"}
	for i := 0; i < 1000; i++ {
		args = append(args, fmt.Sprintf("f%04d", i), strings.Repeat("x", i%100))
	}
	f.do(args...)
	big, all := usage("h"), usage("h", "SAMPLES", "0")
	if small <= 0 || big < 20*small || all < 20*small {
		t.Errorf("MEMORY USAGE of a hash: %d with one field, %d (%d sampling all) with 1000", small, big, all)
	}
	if big == all { // the first 5 values are short, the average is not
		t.Errorf("MEMORY USAGE SAMPLES 5 and 0 agree (%d): SAMPLES ignored", big)
	}
	f.do("RPUSH", "l", "a")
	l1 := usage("l")
	for i := 0; i < 100; i++ {
		f.do("RPUSH", "l", strings.Repeat("y", 500))
	}
	if l2 := usage("l"); l2 < l1+40000 {
		t.Errorf("MEMORY USAGE of a list: %d, then %d after 50 KB", l1, l2)
	}
}

// TestEncodingSizes checks the allocator and structure models against
// Redis 7.0.15's MEMORY USAGE of the same values (jemalloc).
func TestEncodingSizes(t *testing.T) {
	for n, want := range map[int]int{1: 8, 8: 8, 9: 16, 21: 32, 128: 128, 129: 160, 257: 320, 8193: 10240} {
		if got := mallocSize(n); got != want {
			t.Errorf("mallocSize(%d) = %d, want %d", n, got, want)
		}
	}
	key := func(k string) int { return sdsSize(len(k)) + dictEntrySize }
	h200 := make([][]byte, 0, 400)
	for i := 1; i <= 200; i++ {
		h200 = append(h200, []byte(fmt.Sprintf("f%d", i)), []byte(fmt.Sprint(i)))
	}
	l100 := make([][]byte, 100)
	for i := range l100 {
		l100[i] = []byte(strings.Repeat("y", 500))
	}
	for _, c := range []struct {
		name    string
		v       rdbValue
		samples int
		want    int // redis-cli MEMORY USAGE of the same value
	}{
		{"RPUSH l a", rdbValue{Kind: version.KindList, Elems: bs("a")}, 5, 144},
		{"SADD s2 1 2 007", rdbValue{Kind: version.KindSet, Elems: bs("1", "2", "007")}, 5, 232},
		{"SADD si 1 2 3", rdbValue{Kind: version.KindSet, Elems: bs("1", "2", "3")}, 5, 64},
		{"ZADD z 1 a 2 b", rdbValue{Kind: version.KindZSet, Elems: bs("a", "b"), Scores: []float64{1, 2}}, 5, 80},
		{"HSET h f1 1 .. f200 200", rdbValue{Kind: version.KindHash, Elems: h200}, 5, 1840},
	} {
		k := strings.Fields(c.name)[1]
		if got := defaultEncLimits.memoryOf(&c.v, c.samples) + key(k); got != c.want {
			t.Errorf("MEMORY USAGE after %s: %d, Redis says %d", c.name, got, c.want)
		}
	}
	// 100 elements of 500 bytes: 7 nodes; Redis says 57712 sampling 5
	// nodes (its last node is smaller) and 51568 sampling all
	lv := rdbValue{Kind: version.KindList, Elems: l100}
	t.Logf("list of 100x500: %d (SAMPLES 5; Redis 57712), %d (SAMPLES 0; Redis 51568)",
		defaultEncLimits.memoryOf(&lv, 5)+key("l2"), defaultEncLimits.memoryOf(&lv, 0)+key("l2"))
}

func bs(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, e := range s {
		out[i] = []byte(e)
	}
	return out
}
