package main

import (
	"strings"
	"testing"
)

func TestMarkdownTables(t *testing.T) {
	r := &Report{Cfg: DefaultConfig(), Servers: []*target{{Label: "redis-server", Config: "redis-server --port 1"}}}
	r.Tables = []Table{{Test: "SET", Pipeline: 16, Requests: 10, Rows: []Row{
		{Label: "redis-server", S: Summary{RPS: 1000, P50: 0.1, P99: 0.5, MinRPS: 900, MaxRPS: 1100}},
		{Label: "ringkv (1 node)", S: Summary{RPS: 250, P50: 1, P99: 5, MinRPS: 240, MaxRPS: 260}},
	}}}
	r.Memory = []MemRow{{Label: "redis-server", LoadedKiB: 102400, DiskBytes: -1, Settled: true},
		{Label: "ringkv (1 node)", LoadedKiB: 51200, DiskBytes: 1 << 20, Settled: false},
		{Label: "ringkv (3 nodes)", EmptyKiB: 2048, DiskBytes: 0, Failed: "redis-cli --pipe: killed"}}
	r.note("x")
	r.note("x")
	md := r.Markdown()
	for _, want := range []string{
		"## SET, -P 16 (n = 10)",
		"| ringkv (1 node) | 250 | 1.000 | 5.000 | 0.0 | 0.25× | 240–260 |",
		"| redis-server | 0.0 | 100.0 | 1.00× |  | – |",
		"| ringkv (1 node) | 0.0 | 50.0 (not settled) | 0.50× |  | 1.0 |",
		"`redis-server --port 1`",
		"| ringkv (3 nodes) | 2.0 | load failed (see notes) | – |  | 0.0 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Count(md, "- x\n") != 1 {
		t.Errorf("note not deduplicated:\n%s", md)
	}
}
