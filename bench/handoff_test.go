package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "100mb": 100 << 20, "1gb": 1 << 30, "64MB": 64 << 20, "100k": 100e3, "512": 512, "2g": 2e9} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "mb", "-1", "1.5gb", "ten"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q): no error", in)
		}
	}
}

func TestHandoffFlags(t *testing.T) {
	c, err := parseFlags([]string{"-handoff", "-handoff-bytes", "100mb", "-handoff-rates", "64mb, 0"})
	if err != nil {
		t.Fatal(err)
	}
	rates, _ := c.Handoff.rates()
	if !c.Handoff.On || c.Handoff.Bytes != 100<<20 || c.Handoff.keys() != 102400 || strings.Join(rates, "|") != "64mb|0" {
		t.Fatalf("parsed %+v, rates %q", c.Handoff, rates)
	}
	for _, bad := range [][]string{{"-handoff-rates", "fast"}, {"-handoff-partitions", "100"}, {"-handoff-bytes", "10", "-handoff-value", "1024"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// settledInfo is one node's INFO fields, settled on ring v of members.
func settledInfo(members, v string) map[string]string {
	return map[string]string{"cluster_members": members, "cluster_ring_version": v, "handoff_settled_ring_version": v,
		"handoff_transfers_pending": "0", "handoff_partitions_to_drop": "0"}
}

func TestHandoffDone(t *testing.T) {
	all := func() []map[string]string {
		return []map[string]string{settledInfo("4", "a"), settledInfo("4", "a"), settledInfo("4", "a"), settledInfo("4", "a")}
	}
	if done, why := HandoffDone(all(), 4); !done {
		t.Fatalf("settled cluster: not done: %s", why)
	}
	cases := map[string]func([]map[string]string){
		"no answer":      func(c []map[string]string) { c[2] = nil },
		"members":        func(c []map[string]string) { c[3]["cluster_members"] = "3" },
		"other ring":     func(c []map[string]string) { c[1] = settledInfo("4", "b") },
		"not settled":    func(c []map[string]string) { c[3]["handoff_settled_ring_version"] = "0" },
		"transfers left": func(c []map[string]string) { c[3]["handoff_transfers_pending"] = "2" },
		"drops left":     func(c []map[string]string) { c[0]["handoff_partitions_to_drop"] = "1" },
	}
	for name, spoil := range cases {
		c := all()
		spoil(c)
		if done, why := HandoffDone(c, 4); done || why == "" {
			t.Errorf("%s: done %v, why %q", name, done, why)
		}
	}
}

func TestInfoFields(t *testing.T) {
	f := InfoFields("# Cluster\r\ncluster_members:4\r\nhandoff_bytes_received:12345\r\nmember0:name=n1,state=alive\r\n")
	if f["cluster_members"] != "4" || infoInt(f, "handoff_bytes_received") != 12345 || infoInt(f, "missing") != 0 || f["member0"] != "name=n1,state=alive" {
		t.Fatalf("fields %v", f)
	}
}

func TestPercentileAndSummary(t *testing.T) {
	var xs []time.Duration
	for i := 100; i >= 1; i-- {
		xs = append(xs, time.Duration(i)*time.Millisecond)
	}
	if p50, p99, p100 := Percentile(xs, 50), Percentile(xs, 99), Percentile(xs, 100); p50 != 50*time.Millisecond || p99 != 99*time.Millisecond || p100 != 100*time.Millisecond {
		t.Fatalf("p50 %v p99 %v max %v", p50, p99, p100)
	}
	if Percentile(nil, 99) != 0 {
		t.Fatal("percentile of nothing is not 0")
	}
	samples := []fgSample{
		{At: 0, Lat: time.Millisecond}, {At: time.Second, Lat: 2 * time.Millisecond, Set: true},
		{At: 2 * time.Second, Lat: 9 * time.Millisecond, Err: true}, {At: 3 * time.Second, Lat: 3 * time.Millisecond, Miss: true},
		{At: 4 * time.Second, Lat: 50 * time.Millisecond, Set: true},
	}
	win := SummarizeFg(samples, time.Second, 4*time.Second, nil)
	if win.Ops != 3 || win.Errs != 1 || win.Misses != 1 || win.Max != 3*time.Millisecond || win.P50 != 2*time.Millisecond {
		t.Fatalf("window [1s, 4s): %+v", win)
	}
	set := true
	if s := SummarizeFg(samples, 0, 0, &set); s.Ops != 2 || s.Max != 50*time.Millisecond {
		t.Fatalf("SETs: %+v", s)
	}
}

// dump is a goroutine dump with the handoff goroutine's frames.
func dump(frames ...string) string {
	g := "goroutine 26 [select]:\n"
	for _, f := range frames {
		g += "github.com/ringkv/ringkv/replica.(*Coordinator)." + f + "(0x1)\n\t/x.go:1 +0x1\n"
	}
	return "goroutine 1 [running]:\nmain.main()\n\n" + g + "\ngoroutine 3 [IO wait]:\nnet.x()\n"
}

func TestHandoffActivity(t *testing.T) {
	cases := map[string]string{
		dump("pace", "syncSegment", "syncPartition", "receive", "HandoffOnce"):                          "sync with the other previous holders: paced wait (AAE key rate)",
		dump("call", "getRemote", "repairKey", "syncSegment", "handOver", "dropForeign", "HandoffOnce"): "push to the new holders before dropping: per-key repair (peer RPC + merge)",
		dump("saveInbound", "stream", "receive", "HandoffOnce"):                                         "stream: save cursor (fsync)",
		dump("call", "stream", "receive", "HandoffOnce"):                                                "stream: peer RPC",
		dump("stream", "receive", "HandoffOnce"):                                                        "stream: rate limit wait",
		dump("HandoffOnce"):                                                                             "handoff pass: other",
		"goroutine 1 [running]:\nmain.main()\n":                                                         "idle (no handoff pass running)",
		strings.Replace(dump("stream", "HandoffOnce"), "main.main()", "engine.(*DB).Merge(", 1):         "stream: rate limit wait",
	}
	for in, want := range cases {
		if got := HandoffActivity(in); got != want {
			t.Errorf("HandoffActivity = %q, want %q for\n%s", got, want, in)
		}
	}
}

func TestShareLines(t *testing.T) {
	got := ShareLines(map[string]int{"b": 1, "a": 3})
	if want := "   75% (3) a\n   25% (1) b\n"; got != want {
		t.Fatalf("ShareLines = %q, want %q", got, want)
	}
}
