package main

import (
	"slices"
	"strings"
	"testing"
)

func TestParseTests(t *testing.T) {
	for _, c := range []struct {
		in           string
		tests, added []string
	}{
		{"set,get", []string{"set", "get"}, nil},
		{" GET , set,,get", []string{"set", "get"}, nil},
		// redis-benchmark's order, whatever the order of -t.
		{"mset,lrange_100,hset,incr", []string{"incr", "hset", "lrange_100", "mset"}, nil},
		// The pops get their producers, pushes at least as many as pops.
		{"spop", []string{"sadd", "spop"}, []string{"sadd"}},
		{"zpopmin,zadd", []string{"zadd", "zpopmin"}, nil},
		{"lpop", []string{"lpush", "lpop"}, []string{"lpush"}},
		{"rpop,lpop", []string{"lpush", "rpush", "lpop", "rpop"}, []string{"lpush", "rpush"}},
		{"rpush,lpop,rpop", []string{"lpush", "rpush", "lpop", "rpop"}, []string{"lpush"}},
		{"rpush,rpop", []string{"rpush", "rpop"}, nil},
		{strings.Join(TypeTests, ","), []string{"incr", "lpush", "rpush", "lpop", "rpop", "sadd", "hset", "spop",
			"zadd", "zpopmin", "lrange_100", "lrange_300", "lrange_500", "lrange_600", "mset"}, nil},
	} {
		tests, added, err := ParseTests(c.in)
		if err != nil || !slices.Equal(tests, c.tests) || !slices.Equal(added, c.added) {
			t.Errorf("ParseTests(%q) = %q, %q, %v; want %q, %q", c.in, tests, added, err, c.tests, c.added)
		}
	}
	for _, bad := range []string{"", ",", "xadd", "lrange", "set,nope"} {
		if _, _, err := ParseTests(bad); err == nil {
			t.Errorf("ParseTests(%q) did not fail", bad)
		}
	}
}

func TestTestsFlags(t *testing.T) {
	c, err := parseFlags(nil)
	if err != nil || c.Tests != "set,get" || c.typesMode() {
		t.Errorf("default: %q typesMode=%v %v", c.Tests, c.typesMode(), err)
	}
	if c, err = parseFlags([]string{"-tests", "get,set"}); err != nil || c.typesMode() {
		t.Errorf("-tests get,set is the SET/GET comparison: typesMode=%v %v", c.typesMode(), err)
	}
	if c, err = parseFlags([]string{"-types", "-n", "20000"}); err != nil || !c.typesMode() || c.Tests != strings.Join(TypeTests, ",") {
		t.Errorf("-types: %q typesMode=%v %v", c.Tests, c.typesMode(), err)
	}
	if c, err = parseFlags([]string{"-tests", "lpush,lpop"}); err != nil || !c.typesMode() {
		t.Errorf("-tests lpush,lpop: typesMode=%v %v", c.typesMode(), err)
	}
	for _, bad := range [][]string{{"-types", "-tests", "lpush"}, {"-types", "-cluster"}, {"-tests", "xadd"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) did not fail", bad)
		}
	}
}

func TestParseSchedstat(t *testing.T) {
	if ns, err := ParseSchedstat("123456789 2000 17\n"); err != nil || ns != 123456789 {
		t.Errorf("ParseSchedstat = %d, %v", ns, err)
	}
	if _, err := ParseSchedstat("12 3"); err == nil {
		t.Error("no error on two fields")
	}
}

func TestAttributeCPU(t *testing.T) {
	// As streamed: a warning before the header, the header at 1000 ns, then
	// each test's line when it ended.
	lines := []timedLine{
		{"WARNING: Could not fetch server CONFIG", 500},
		{`"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"`, 1000},
		{`"LPUSH","1000.00","0.3","0.1","0.25","0.4","0.6","1.0"`, 4000},
		{`"LPUSH (needed to benchmark LRANGE)","900.00","0.3","0.1","0.25","0.4","0.6","1.0"` + "\r", 5000},
		{`"LRANGE_100 (first 100 elements)","100.00","3","1","2.5","4","6","10"`, 15000},
	}
	res, cpu, notes, err := AttributeCPU(lines, 100)
	if err != nil || len(res) != 3 || len(notes) != 1 {
		t.Fatalf("AttributeCPU = %v, %v, %v", res, notes, err)
	}
	want := map[string]int64{"LPUSH": 3000, "LPUSH (needed to benchmark LRANGE)": 1000, "LRANGE_100 (first 100 elements)": 10000}
	for k, v := range want {
		if cpu[k] != v {
			t.Errorf("cpu[%q] = %d, want %d", k, cpu[k], v)
		}
	}
	if res[2].Test != "LRANGE_100 (first 100 elements)" || res[2].RPS != 100 || res[2].P99 != 6 {
		t.Errorf("LRANGE_100 = %+v", res[2])
	}
	// No header: the first test counts from the start reading.
	_, cpu, _, _ = AttributeCPU(lines[2:3], 100)
	if cpu["LPUSH"] != 3900 {
		t.Errorf("without header cpu = %d, want 3900", cpu["LPUSH"])
	}
}

func TestCheckOrder(t *testing.T) {
	tr := &TypesReport{}
	a := []Result{{Test: "LPUSH"}, {Test: "LPOP"}}
	if err := tr.checkOrder(a); err != nil { // the first run sets the order
		t.Errorf("first run refused: %v", err)
	}
	if err := tr.checkOrder(a); err != nil {
		t.Errorf("same order refused: %v", err)
	}
	if tr.checkOrder([]Result{{Test: "LPOP"}, {Test: "LPUSH"}}) == nil || tr.checkOrder(a[:1]) == nil {
		t.Error("different tests accepted")
	}
}

func TestMarkdownTypes(t *testing.T) {
	r := &Report{Cfg: DefaultConfig(), Servers: []*target{{Label: "redis-server", Config: "redis-server --port 1"},
		{Label: "ringkv (1 node)", Config: "ringkv --port 2"}}}
	r.Cfg.Requests = 20000
	r.Types = &TypesReport{Tests: []string{"lpush", "lpop"}, Added: []string{"lpush"}, Tables: []TypeTable{
		{Test: "LPOP", Pipeline: 1, Requests: 20000, Rows: []TypeRow{
			{Label: "redis-server", S: Summary{RPS: 1000, P50: 0.1, P99: 0.5, MinRPS: 900, MaxRPS: 1100}, CPU: 8.25},
			{Label: "ringkv (1 node)", S: Summary{RPS: 600, P50: 1, P99: 5, MinRPS: 550, MaxRPS: 650}, CPU: 40},
		}},
		{Test: "LRANGE_100 (first 100 elements)", Pipeline: 16, Requests: 5, Rows: []TypeRow{
			{Label: "redis-server", S: Summary{RPS: 100}}, {Label: "ringkv (1 node)", S: Summary{RPS: 25}},
		}},
	}}
	md := r.Markdown()
	for _, want := range []string{
		"-t lpush,lpop -c 50 -r 1000000 -d 100 -n N -P {1,16} --csv`, N = 20000 at -P 1",
		"Added so that the pops have data: lpush.",
		"## Summary: each cell is redis-server / ringkv (1 node)",
		"| LPOP | 1 | 1000 / 600 | 0.60× | 0.100 / 1.000 | 0.500 / 5.000 | 8.2 / 40.0 |",
		"| LRANGE_100 | 16 | 100 / 25 | 0.25× |",
		"## LPOP, -P 1 (n = 20000)",
		"| server | requests/s | p50 ms | p99 ms | vs redis-server | requests/s range | CPU µs/req |",
		"| ringkv (1 node) | 600 | 1.000 | 5.000 | 0.60× | 550–650 | 40.0 |",
		"## LRANGE_100 (first 100 elements), -P 16 (n = 5)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "-t set,get") {
		t.Errorf("data-type report describes the SET/GET workload:\n%s", md)
	}
}
