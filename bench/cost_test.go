package main

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// infoReply is INFO cluster handoff as ringkv answers it (abridged).
const infoReply = "# Cluster\r\ncluster_node:n1\r\ncluster_members:3\r\npeer_bytes_sent:48000\r\npeer_bytes_received:47000\r\n" +
	"peer_frames_sent:530\r\npeer_frames_received:520\r\npeer_writes:500\r\nmember0:name=n1,state=alive\r\n\r\n" +
	"# Handoff\r\nhints_pending:0\r\nread_repairs:7\r\n"

func TestParsePeerStats(t *testing.T) {
	s, missing, err := ParsePeerStats(infoReply)
	if want := (PeerStats{BytesSent: 48000, FramesSent: 530, Writes: 500, ReadRepairs: 7}); err != nil || s != want || missing != nil {
		t.Errorf("ParsePeerStats = %+v, %v, %v; want %+v", s, missing, err, want)
	}
	// An older ringkv: the frame counters are absent and read as 0.
	old := "peer_bytes_sent:10\npeer_bytes_received:9\nread_repairs:1\n"
	s, missing, err = ParsePeerStats(old)
	if want := (PeerStats{BytesSent: 10, ReadRepairs: 1}); err != nil || s != want {
		t.Errorf("ParsePeerStats(old) = %+v, %v; want %+v", s, err, want)
	}
	if want := []string{"peer_frames_sent", "peer_writes"}; !slices.Equal(missing, want) {
		t.Errorf("missing = %q, want %q", missing, want)
	}
	if _, _, err := ParsePeerStats("peer_writes:lots\n"); err == nil {
		t.Error("no error on a non-integer counter")
	}
}

func TestPeerPerRequest(t *testing.T) {
	before := PeerStats{BytesSent: 1000, FramesSent: 10, Writes: 10, ReadRepairs: 1}
	after := before.Add(PeerStats{BytesSent: 48000, FramesSent: 530, Writes: 265, ReadRepairs: 2})
	got := after.Sub(before).PerRequest(100)
	want := PeerCost{Bytes: 480, Frames: 5.3, Writes: 2.65, FramesPerWrite: 2, RepairsPerK: 20}
	if got != want {
		t.Errorf("PerRequest = %+v, want %+v", got, want)
	}
	if c := (PeerStats{}).PerRequest(100); !math.IsNaN(c.FramesPerWrite) || c.Bytes != 0 {
		t.Errorf("no traffic: %+v, want frames/write NaN", c)
	}
}

func TestSampleCost(t *testing.T) {
	s := Sample{Requests: 50000, CPU: 700_000_000, Peer: PeerStats{FramesSent: 100000, Writes: 50000}}
	if c := s.Cost(); c.CPU != 14 || c.Peer.Frames != 2 || c.Peer.FramesPerWrite != 2 {
		t.Errorf("Cost = %+v, want 14 µs/req, 2 frames/req, 2 frames/write", c)
	}
}

func TestCPUTarget(t *testing.T) {
	redis := &target{Redis: true, Nodes: []*node{{}}}
	single := &target{Nodes: []*node{{}}}
	cluster := &target{Nodes: []*node{{}, {}, {}}}
	for _, c := range []struct {
		t    *target
		test string
		p    int
		want float64
	}{
		{redis, "SET", 1, 0}, {single, "SET", 1, 14}, {single, "GET", 1, 20}, {single, "GET", 16, 0},
		{cluster, "SET", 1, 34}, {cluster, "GET", 1, 34}, {cluster, "SET", 16, 0},
	} {
		if got := cpuTarget(c.t, c.test, c.p); got != c.want {
			t.Errorf("cpuTarget(%d nodes, redis %v, %s, -P %d) = %g, want %g", len(c.t.Nodes), c.t.Redis, c.test, c.p, got, c.want)
		}
	}
}

func TestMedianCost(t *testing.T) {
	runs := []Cost{
		{CPU: 10, Peer: PeerCost{Bytes: 400, FramesPerWrite: math.NaN(), RepairsPerK: 1}},
		{CPU: 30, Peer: PeerCost{Bytes: 500, FramesPerWrite: 1.5, RepairsPerK: 0}},
		{CPU: 20, Peer: PeerCost{Bytes: 450, FramesPerWrite: 2.5, RepairsPerK: 3}},
	}
	got := MedianCost(runs)
	if got.CPU != 20 || got.Peer.Bytes != 450 || got.Peer.FramesPerWrite != 2 || got.Peer.RepairsPerK != 1 {
		t.Errorf("MedianCost = %+v", got)
	}
}

func TestCostReport(t *testing.T) {
	row := func(label string, nodes int, cpu, target float64) Row {
		return Row{Label: label, Nodes: nodes, Target: target,
			Cost: Cost{CPU: cpu, Peer: PeerCost{Bytes: 480, Frames: 5.33, Writes: 2.5, FramesPerWrite: 2.13, RepairsPerK: 0.4}}}
	}
	r := &Report{Cfg: DefaultConfig(), Servers: []*target{{Label: "redis-server"}, {Label: "ringkv (3 nodes)", Nodes: []*node{{}, {}, {}}}}}
	for _, p := range Pipelines {
		for _, test := range []string{"SET", "GET"} {
			tb := Table{Test: test, Pipeline: p, Requests: 100, ClusterRequests: 30}
			tb.Rows = []Row{row("redis-server", 1, 5, 0), row("ringkv (1 node)", 1, 15, cpuTarget(&target{Nodes: []*node{{}}}, test, p)),
				row("ringkv (3 nodes)", 3, 30, cpuTarget(&target{Nodes: []*node{{}, {}, {}}}, test, p))}
			r.Tables = append(r.Tables, tb)
		}
	}
	md := r.Markdown()
	for _, want := range []string{
		"| server | SET -P 1 | GET -P 1 | SET -P 16 | GET -P 16 |",
		"| redis-server | 5.0 | 5.0 | 5.0 | 5.0 |",
		"| ringkv (1 node) | 15.0 (≤ 14 ✗) | 15.0 (≤ 20 ✓) | 15.0 | 15.0 |",
		"| ringkv (3 nodes) | 30.0 (≤ 34 ✓) | 30.0 (≤ 34 ✓) | 30.0 | 30.0 |",
		"| ringkv (3 nodes) | GET | 16 | 480 | 5.33 | 2.50 | 2.13 | 0.40 |",
		"## SET, -P 1 (n = 100, cluster 30)",
		"| ringkv (1 node) | 0 | 0.000 | 0.000 | 15.0 | – | 0–0 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if n := strings.Count(md, "| ringkv (1 node) | SET |"); n != 0 {
		t.Errorf("a single node has a peer traffic row:\n%s", md)
	}
}

func TestQuickFlags(t *testing.T) {
	quick, err := parseFlags([]string{"-quick"})
	if err != nil {
		t.Fatal(err)
	}
	if quick.Reps != 1 || quick.Requests != 50000 || quick.MemKeys != 0 || quick.clusterRequests(16) != 60000 {
		t.Errorf("-quick = %+v", quick)
	}
	// quickSummary, which -h and the report show, says what -quick does.
	spelled, err := parseFlags(strings.Fields(quickSummary))
	if spelled.Quick = true; err != nil || spelled != quick {
		t.Errorf("%s = %+v, %v; -quick = %+v", quickSummary, spelled, err, quick)
	}
	// A flag given explicitly wins over -quick.
	c, err := parseFlags([]string{"-n", "1000", "-quick", "-mem-keys", "2000000"})
	if err != nil || c.Requests != 1000 || c.MemKeys != 2000000 || c.RequestsP16 != 200000 {
		t.Errorf("-n 1000 -quick -mem-keys 2000000 = %+v, %v", c, err)
	}
	if _, err := parseFlags([]string{"-mem-keys", "-1"}); err == nil {
		t.Error("no error for -mem-keys -1")
	}
	// The cluster's -n defaults to the single servers'.
	if d := DefaultConfig(); d.clusterRequests(1) != d.Requests || d.clusterRequests(16) != d.RequestsP16 {
		t.Errorf("default cluster -n %d, %d", d.clusterRequests(1), d.clusterRequests(16))
	}
}

func TestMemSettle(t *testing.T) {
	if got := memSettle(1_000_000); got != time.Minute {
		t.Errorf("memSettle(1M) = %v", got)
	}
	if got := memSettle(10_000_000); got != 5*time.Minute {
		t.Errorf("memSettle(10M) = %v", got)
	}
}

func TestLoadBound(t *testing.T) {
	c := DefaultConfig() // -run-timeout 10m
	if got := loadBound(c, 500_000); got != 10*time.Minute {
		t.Errorf("loadBound(500k) = %v, want -run-timeout", got)
	}
	if got := loadBound(c, 10_000_000); got != 10000*time.Second {
		t.Errorf("loadBound(10M) = %v, want 10M keys at %d/s", got, loadRate)
	}
}
