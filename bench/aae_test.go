package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const infoSample = "# Cluster\r\ncluster_node:n1\r\ncluster_members:3\r\npeer_bytes_sent:1234\r\npeer_bytes_received:987\r\n" +
	"\r\n# Handoff\r\nhints_pending:5\r\nhints_dropped:7\r\ntarget0:node=n3,pending=5,bytes=10\r\n" +
	"\r\n# AAE\r\naae_tree_ready:1\r\naae_exchanges:42\r\naae_keys_repaired:10000\r\naae_oldest_sync_age_seconds:-1\r\n"

func TestParseNodeInfo(t *testing.T) {
	got, err := ParseNodeInfo(infoSample)
	want := NodeInfo{Members: 3, Sent: 1234, Received: 987, Exchanges: 42, Repaired: 10000, HintsPending: 5, HintsDropped: 7, TreeReady: true}
	if err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	_, err = ParseNodeInfo(strings.ReplaceAll(infoSample, "peer_bytes_sent:1234\r\n", ""))
	if err == nil || !strings.Contains(err.Error(), "peer_bytes_sent") {
		t.Fatalf("missing field: %v", err)
	}
	if _, err := ParseNodeInfo(strings.Replace(infoSample, "aae_exchanges:42", "aae_exchanges:x", 1)); err == nil {
		t.Fatal("a non-integer field parsed")
	}
}

// reading builds a Cluster of up nodes from (exchanges, repaired) pairs.
func reading(xr ...[2]int64) Cluster {
	c := make(Cluster, len(xr))
	for i, p := range xr {
		c[i] = NodeState{Up: true, NodeInfo: NodeInfo{Exchanges: p[0], Repaired: p[1]}}
	}
	return c
}

func TestSettleWaitsForRepairsThenTwoQuietRounds(t *testing.T) {
	t0 := time.Unix(0, 0)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	s := &Settle{Need: 10}
	// (exchanges taken part in, keys repaired) per node; 2 exchanges a round each
	steps := []struct {
		c    Cluster
		done bool
	}{
		{reading([2]int64{5, 100}, [2]int64{3, 0}, [2]int64{0, 0}), false},   // base: 100 repaired before
		{reading([2]int64{7, 100}, [2]int64{5, 0}, [2]int64{2, 0}), false},   // nothing yet
		{reading([2]int64{15, 100}, [2]int64{13, 0}, [2]int64{9, 0}), false}, // many rounds, but Need not met
		{reading([2]int64{16, 104}, [2]int64{14, 3}, [2]int64{10, 0}), false},
		{reading([2]int64{17, 108}, [2]int64{15, 5}, [2]int64{11, 0}), false}, // 13 repaired: Need met at 4 s
		{reading([2]int64{20, 108}, [2]int64{19, 5}, [2]int64{15, 0}), false}, // n1 +3 < 4
		{reading([2]int64{21, 108}, [2]int64{19, 5}, [2]int64{14, 0}), false}, // n3 +3 < 4 (a stale reading)
		{reading([2]int64{21, 108}, [2]int64{19, 5}, [2]int64{15, 0}), true},
	}
	for i, st := range steps {
		if got := s.Observe(at(i), st.c); got != st.done {
			t.Fatalf("step %d: done %v, want %v", i, got, st.done)
		}
	}
	if s.First != at(3) || s.Last != at(4) || s.Repaired() != 13 {
		t.Fatalf("first %v last %v repaired %d", s.First, s.Last, s.Repaired())
	}
}

func TestSettleQuietAndDownNodes(t *testing.T) {
	s := &Settle{}
	now := time.Unix(0, 0)
	down := reading([2]int64{1, 0}, [2]int64{1, 0}, [2]int64{0, 0})
	down[2].Up = false
	if s.Observe(now, down) || s.Observe(now, reading([2]int64{5, 0}, [2]int64{5, 0}, [2]int64{3, 0})) {
		t.Fatal("done before n3 took part in two rounds")
	}
	c := reading([2]int64{5, 0}, [2]int64{5, 0}, [2]int64{4, 0})
	c[1].Up = false
	if s.Observe(now, c) {
		t.Fatal("done while n2 did not answer")
	}
	if !s.Observe(now, reading([2]int64{5, 0}, [2]int64{5, 0}, [2]int64{4, 0})) {
		t.Fatal("two quiet rounds not seen")
	}
	if !s.First.IsZero() || s.Repaired() != 0 {
		t.Fatalf("quiet settle saw repairs: %+v", s)
	}
}

func TestWithFlagAndFlagValue(t *testing.T) {
	args := []string{"--port", "1", "--aae-interval", "1s"}
	if got := WithFlag(args, "aae-interval", "-1ns"); !slices.Equal(got, []string{"--port", "1", "--aae-interval", "-1ns"}) {
		t.Fatalf("replace: %q", got)
	}
	if args[3] != "1s" {
		t.Fatal("WithFlag changed its argument")
	}
	if got := WithFlag(args[:2], "aae-interval", "2s"); !slices.Equal(got, []string{"--port", "1", "--aae-interval", "2s"}) {
		t.Fatalf("append: %q", got)
	}
	if flagValue(args, "aae-interval") != "1s" || flagValue(args, "pprof-addr") != "" {
		t.Fatal("flagValue")
	}
}

func TestParseRounds(t *testing.T) {
	log := `{"level":"info","node":"n1","keys_repaired":1418,"took":2240.5,"time":"x","message":"anti-entropy repaired replicas"}
not json, anti-entropy repaired replicas
{"level":"info","message":"ring changed"}
{"level":"info","keys_repaired":3,"took":0.25,"message":"anti-entropy repaired replicas"}`
	got := ParseRounds(log)
	want := []LogRound{{Repaired: 1418, Took: 2240500 * time.Microsecond}, {Repaired: 3, Took: 250 * time.Microsecond}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestBenchLinesAndCPUSummary(t *testing.T) {
	out := "goos: linux\ngoarch: amd64\n    tree_test.go:670: loaded 1000 keys into 2 DBs in 1s\nBenchmarkExchange-2 \t 10\t 123 ns/op\t 456 wire-bytes/op\nPASS\nok  \tgithub.com/x/engine\t3.1s\n"
	got := BenchLines(out)
	if len(got) != 4 || !strings.HasPrefix(got[2], "BenchmarkExchange-2") || !strings.HasPrefix(got[1], "tree_test.go:670: loaded") {
		t.Fatalf("BenchLines: %q", got)
	}
	if s := CPUSummary("Duration: 20s, Total samples = 24.99s (124.95%)\n"); s != "24.99s CPU in 20s (124.95%)" {
		t.Fatalf("CPUSummary: %q", s)
	}
	if CPUSummary("nothing") != "?" {
		t.Fatal("CPUSummary of nothing")
	}
}

func TestAAEMarkdown(t *testing.T) {
	r := &AAEReport{Cfg: DefaultConfig(), Invocation: "go run ./bench -aae", Command: "ringkv --node n1"}
	r.Converge = &AAEConverge{Div: Divergence{Keys: 10000, Dropped: 10000},
		Repair: Repair{Ready: 100 * time.Millisecond, First: time.Second, Last: 5 * time.Second, PerNode: []int64{10000, 20, 0}}, Held: 10000, Verified: true}
	r.Diff = &AAEDiff{Idle: Idle{Bytes: 3 * 25000, Exchanges: 3}, Div: Divergence{Keys: 10},
		Repair: Repair{Last: 3 * time.Second, Bytes: 4*25000 + 30000, Exchanges: 4}, Held: 10, Verified: true}
	r.Latency = &AAELatency{Runs: []LatencyRun{
		{Rep: 1, Mode: aaeOff, Set: Result{P99: 10}, Get: Result{P99: 5}},
		{Rep: 1, Mode: aaeRepairing, Set: Result{P99: 11}, Get: Result{P99: 7}, RepairedDuring: 5, Outlasted: true, RepairEnd: 30 * time.Second},
		{Rep: 1, Mode: aaeIdle, Set: Result{P99: 9}, Get: Result{P99: 6}, Retried: true},
	}}
	md := r.Markdown()
	for _, want := range []string{
		"| **n3 restart → last key repaired (converged)** | **5.00 s** |",
		"| repair rate, keys ÷ (last − first) | 2500 keys/s |",
		"| n3's LevelDB after a clean stop holds | 10000 of 10000 keys |",
		"| target under 30 s | met |",
		"| **bytes the repair moved (net)** | **29.3 KiB** |",
		"| target under 2 s (restart → last repair) | **missed** |",
		"| SET p99 ms | 10.000 | 11.000 | 1.10× | 9.000 |",
		"| GET p99 ms | 5.000 | 7.000 | 1.40× | 6.000 |",
		"Target, p99 of SET and GET within 1.2×: **missed**.",
		"| 1 | on | 0 | 11.000 | 0 | 7.000 | 0.0 | 5 | yes | 30.0 |",
		"| 1 | off | 0 | 10.000 | 0 | 5.000 | 0.0 | 0 | – | – |",
		"| 1 | on, nothing to repair (second attempt) | 0 | 9.000 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestAAEFlags(t *testing.T) {
	c, err := parseFlags([]string{"-aae", "-aae-targets", "3,engine", "-aae-keys", "5"})
	if err != nil || !c.AAE || c.AAEKeys != 5 || !c.runs("3") || !c.runs("engine") || c.runs("1") {
		t.Fatalf("parsed %+v, %v", c, err)
	}
	if !DefaultConfig().runs("2") {
		t.Fatal("the default does not run target 2")
	}
	for _, bad := range [][]string{{"-aae-targets", "4"}, {"-aae-targets", ""}, {"-aae-reps", "0"}, {"-aae-interval", "0s"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAliveIn(t *testing.T) {
	info := "# Cluster\r\ncluster_members:3\r\nmember0:name=n1,state=alive,client=127.0.0.1:1,partitions=1024\r\n" +
		"member1:name=n2,state=failed,client=127.0.0.1:2,partitions=1024\r\nmember2:name=n3,state=alive,client=127.0.0.1:3,partitions=1024\r\n"
	if got := AliveIn(info); got != 2 {
		t.Fatalf("AliveIn = %d, want 2", got)
	}
}
