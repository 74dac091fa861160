package main

import (
	"fmt"
	"slices"
	"strings"
)

// The data-type mode (-types, or -tests with anything but set,get) runs
// redis-benchmark's own tests by their -t names instead of the SET/GET
// comparison: one redis-benchmark run per server, pipeline depth and
// repetition, each from an empty server, with the server's CPU time per
// request beside redis-benchmark's figures (typesrun.go, typesreport.go).

// benchOrder is every -t name bench accepts, in the order redis-benchmark
// 7.0 runs them whatever the order of -t. XADD is left out: ringkv has no
// streams. (-t lrange alone is left out too: name the lengths.)
var benchOrder = []string{
	"ping_inline", "ping_mbulk", "set", "get", "incr", "lpush", "rpush", "lpop", "rpop",
	"sadd", "hset", "spop", "zadd", "zpopmin", "lrange_100", "lrange_300", "lrange_500", "lrange_600", "mset",
}

// TypeTests is what -types selects: redis-benchmark's default list without
// PING_* and SET/GET (the default run's) and XADD.
var TypeTests = []string{
	"incr", "lpush", "rpush", "lpop", "rpop", "sadd", "hset", "spop", "zadd", "zpopmin",
	"lrange_100", "lrange_300", "lrange_500", "lrange_600", "mset",
}

// defaultTests is -tests' default: the SET/GET comparison of run.go.
const defaultTests = "set,get"

// ParseTests reads a comma-separated list of redis-benchmark -t names and
// returns them in redis-benchmark's run order, with the producers a test
// needs added (and listed in added): SPOP needs SADD, ZPOPMIN needs ZADD,
// and LPOP and RPOP each need a push (LPUSH, then RPUSH) so that the pops
// never outnumber the pushes. The LRANGE_* tests need nothing: before them
// redis-benchmark itself runs "LPUSH (needed to benchmark LRANGE)".
func ParseTests(list string) (tests, added []string, err error) {
	seen := map[string]bool{}
	for _, t := range strings.Split(list, ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		switch {
		case t == "":
			continue
		case t == "xadd":
			return nil, nil, fmt.Errorf("bench: -tests: ringkv has no streams, so no xadd")
		case !slices.Contains(benchOrder, t):
			return nil, nil, fmt.Errorf("bench: -tests: %q is none of %s", t, strings.Join(benchOrder, ","))
		}
		seen[t] = true
	}
	if len(seen) == 0 {
		return nil, nil, fmt.Errorf("bench: -tests is empty")
	}
	need := func(t string) {
		if !seen[t] {
			seen[t] = true
			added = append(added, t)
		}
	}
	if seen["spop"] {
		need("sadd")
	}
	if seen["zpopmin"] {
		need("zadd")
	}
	pops := count(seen, "lpop", "rpop")
	for _, push := range []string{"lpush", "rpush"} {
		if count(seen, "lpush", "rpush") < pops {
			need(push)
		}
	}
	for _, t := range benchOrder {
		if seen[t] {
			tests = append(tests, t)
		}
	}
	return tests, added, nil
}

func count(seen map[string]bool, names ...string) int {
	n := 0
	for _, t := range names {
		if seen[t] {
			n++
		}
	}
	return n
}

// typesMode reports whether -tests asks for anything but the SET/GET
// comparison (the order of the names does not matter).
func (c Config) typesMode() bool {
	tests, _, err := ParseTests(c.Tests)
	return err == nil && !slices.Equal(tests, []string{"set", "get"})
}

// validateTests checks -tests, -types and their combination with -cluster.
func (c Config) validateTests() error {
	if _, _, err := ParseTests(c.Tests); err != nil {
		return err
	}
	if c.typesMode() && c.Cluster {
		return fmt.Errorf("bench: -tests other than %s (or -types) runs on a single ringkv node only; drop -cluster", defaultTests)
	}
	return nil
}
