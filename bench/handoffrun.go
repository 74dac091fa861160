package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// HandoffTrial is one trial of the handoff mode: one --transfer-rate on a
// fresh cluster.
type HandoffTrial struct {
	Rate      string // ringkv --transfer-rate
	Keys      int    // keys loaded
	Loaded    int64  // value bytes loaded
	LoadTook  time.Duration
	LoadQuiet bool          // the nodes went quiet (CPU, RSS) after the load, before the baseline
	Before    []fgSample    // foreground before the join, At from its start
	During    []fgSample    // foreground from the join, At from the join
	Bytes     int64         // n4's handoff_bytes_received at the end
	Received  int64         // n4's handoff_keys_received at the end
	Transfers int64         // n4's handoff_transfers_done at the end
	WaitMs    int64         // n4's handoff_wait_ms at the end: pages held back for its LevelDB compaction
	LdbWrote  int64         // n4's leveldb_write_bytes at the end: journal, tables, compactions
	FirstByte time.Duration // from the join to the first bytes seen received (0: never)
	LastByte  time.Duration // ... to the last growth of the bytes received
	Streamed  time.Duration // ... to n4 with no transfer pending
	Settled   time.Duration // ... to every node settled on the new ring (0: not within -handoff-wait)
	Baseline  time.Duration // the foreground run before the join
	CPU       []NodeCPU
	Profiles  []string // pprof -top of each profiled node
	Stacks    string   // with -profile: what each node's handoff goroutine was doing (handoffstacks.go)
	Err       string   // what stopped the trial early; "" none
}

// NodeCPU is one node's CPU time (all threads) in the baseline and from
// the join to the end of the trial.
type NodeCPU struct {
	Name           string
	Baseline, Join time.Duration
}

// hoRunner carries the handoff mode's state.
type hoRunner struct {
	cfg Config
	log io.Writer
	bin string
}

func (r *hoRunner) logf(format string, a ...any) {
	fmt.Fprintf(r.log, "bench %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
}

// trial runs one trial; a failure is kept in t.Err. Every process and
// temp dir of the trial is gone when it returns.
func (r *hoRunner) trial(ctx context.Context, rate string) *HandoffTrial {
	h := r.cfg.Handoff
	t := &HandoffTrial{Rate: rate, Baseline: h.Baseline}
	p := &procs{}
	defer p.Close()
	flags := []string{"--n", "3", "--r", "2", "--w", "2", "--partitions", fmt.Sprint(h.Partitions), "--transfer-rate", rate}
	c, err := startHoCluster(ctx, p, r.bin, flags, r.cfg.Profile != "")
	defer c.close()
	if err == nil {
		err = r.load(ctx, c, t)
	}
	if err == nil {
		err = r.join(ctx, c, t)
	}
	if err != nil {
		t.Err = firstLineOf(err.Error())
		r.logf("trial --transfer-rate %s: %v", rate, err)
		for _, n := range c.nodes {
			r.logf("%s's log ends: %s", n.Name, oneLine(tail(n.Log, 3)))
		}
	}
	return t
}

// load fills n1..n3, waits for them to go quiet, and runs the baseline
// foreground load.
func (r *hoRunner) load(ctx context.Context, c *hoCluster, t *HandoffTrial) error {
	h := r.cfg.Handoff
	l := handoffLoad(h)
	t.Keys, t.Loaded = l.Count, int64(l.Count)*int64(l.Size)
	r.logf("--transfer-rate %s: loading %d keys of %d bytes through %d connections", t.Rate, l.Count, l.Size, h.Conns)
	start := time.Now()
	if err := bulkLoad(ctx, clientPorts(c.nodes), h, l); err != nil {
		return err
	}
	t.LoadTook = time.Since(start)
	r.logf("loaded in %v; waiting for the nodes to go quiet", t.LoadTook.Round(time.Millisecond))
	quiet, _, err := settle(ctx, c.running(), 5*time.Minute)
	if err != nil {
		return err
	}
	t.LoadQuiet = quiet
	fg := newForeground(clientPorts(c.nodes), l, h.FgRate)
	defer fg.close()
	cpu0 := cpuAll(c.running())
	t.Before = fg.run(ctx, time.Now(), nil, h.Baseline)
	for i, d := range cpuSince(c.running(), cpu0) {
		t.CPU = append(t.CPU, NodeCPU{Name: c.nodes[i].Name, Baseline: d})
	}
	b := SummarizeFg(t.Before, 0, 0, nil)
	r.logf("baseline: %d ops, p50 %v p99 %v max %v", b.Ops, b.P50, b.P99, b.Max)
	return ctx.Err()
}

// join starts n4 while the foreground load runs through n1..n3, and
// watches INFO until every node has settled on the ring of four.
func (r *hoRunner) join(ctx context.Context, c *hoCluster, t *HandoffTrial) error {
	h := r.cfg.Handoff
	fg := newForeground(clientPorts(c.nodes), handoffLoad(h), h.FgRate)
	defer fg.close()
	old := c.running()
	cpu0 := cpuAll(old)
	stop, fgDone := make(chan struct{}), make(chan struct{})
	ref := time.Now()
	go func() { defer close(fgDone); t.During = fg.run(ctx, ref, stop, h.Wait) }()
	defer func() { close(stop); <-fgDone }()
	r.logf("starting n4 (joins n1)")
	n4, err := c.add(ctx, "n4", r.cfg.Profile != "")
	if err != nil {
		return err
	}
	prof := &hoProfiles{}
	var stacks *stackSampler
	if r.cfg.Profile != "" {
		stacks = startStacks(c.nodes, 250*time.Millisecond)
	}
	err = r.watch(ctx, c, t, ref, prof)
	if stacks != nil {
		t.Stacks = stacks.finish()
	}
	for i, d := range cpuSince(old, cpu0) {
		t.CPU[i].Join = d
	}
	if ns, cerr := cpuNanos(n4.Pid()); cerr == nil {
		t.CPU = append(t.CPU, NodeCPU{Name: n4.Name, Join: time.Duration(ns)})
	}
	t.Profiles = prof.wait(ctx, r.bin)
	return err
}

// watch polls INFO every 200 ms from the join until every node has
// settled, recording when n4's bytes started and stopped growing, and
// starts the CPU profiles at the first bytes.
func (r *hoRunner) watch(ctx context.Context, c *hoCluster, t *HandoffTrial, ref time.Time, prof *hoProfiles) error {
	deadline := ref.Add(r.cfg.Handoff.Wait)
	why, lastLog := "", time.Now()
	for time.Now().Before(deadline) {
		infos := c.read(ctx)
		now := time.Since(ref)
		if n4 := infos[3]; n4 != nil {
			r.observe(t, n4, now, c, prof)
		}
		var done bool
		if done, why = HandoffDone(infos, 4); done {
			t.Settled = now
			r.logf("settled %v after the join: %d bytes, %d keys received", now.Round(time.Millisecond), t.Bytes, t.Received)
			return nil
		}
		if time.Since(lastLog) > 10*time.Second {
			r.logf("%v after the join: %d bytes received; waiting: %s", now.Round(time.Second), t.Bytes, why)
			lastLog = time.Now()
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return err
		}
	}
	return fmt.Errorf("bench: handoff not settled %v after the join: %s", r.cfg.Handoff.Wait, why)
}

// observe takes n4's counters from one reading at now.
func (r *hoRunner) observe(t *HandoffTrial, n4 map[string]string, now time.Duration, c *hoCluster, prof *hoProfiles) {
	b := infoInt(n4, "handoff_bytes_received")
	if b > t.Bytes {
		if t.FirstByte == 0 {
			t.FirstByte = now
			if r.cfg.Profile != "" {
				prof.start(r.cfg, c, t.Rate)
			}
		}
		t.LastByte = now
	}
	t.Bytes, t.Received = b, infoInt(n4, "handoff_keys_received")
	t.Transfers = infoInt(n4, "handoff_transfers_done")
	t.WaitMs = infoInt(n4, "handoff_wait_ms")
	t.LdbWrote = infoInt(n4, "leveldb_write_bytes")
	if t.Streamed == 0 && t.Transfers > 0 && n4["handoff_transfers_pending"] == "0" {
		t.Streamed = now
	}
}

// clientPorts are the nodes' client ports.
func clientPorts(nodes []*hoNode) []int {
	out := make([]int, len(nodes))
	for i, n := range nodes {
		out[i] = n.Port
	}
	return out
}

// cpuAll reads every node's CPU time (ns); -1 where it cannot.
func cpuAll(nodes []*node) []int64 {
	out := make([]int64, len(nodes))
	for i, n := range nodes {
		ns, err := cpuNanos(n.Pid())
		if err != nil {
			ns = -1
		}
		out[i] = ns
	}
	return out
}

// cpuSince is each node's CPU time since the reading before.
func cpuSince(nodes []*node, before []int64) []time.Duration {
	now := cpuAll(nodes)
	out := make([]time.Duration, len(nodes))
	for i := range nodes {
		if now[i] >= 0 && before[i] >= 0 {
			out[i] = time.Duration(now[i] - before[i])
		}
	}
	return out
}

// runHandoff is the -handoff mode: one trial per -handoff-rates value,
// then the report on stdout (and -out).
func runHandoff(ctx context.Context, cfg Config, stdout, log io.Writer) error {
	rates, err := cfg.Handoff.rates()
	if err != nil {
		return err
	}
	p := &procs{}
	defer p.Close()
	r := &hoRunner{cfg: cfg, log: log, bin: cfg.Ringkv}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	if r.bin == "" {
		r.logf("building ./cmd/ringkv")
		if r.bin, err = buildRingkv(ctx, p, root); err != nil {
			return err
		}
	}
	rep := &HandoffReport{Cfg: cfg, Facts: gatherFacts(ctx, root, r.bin), Invocation: shellJoin("go run ./bench", os.Args[1:])}
	for _, rate := range rates {
		if ctx.Err() != nil {
			break
		}
		rep.Trials = append(rep.Trials, r.trial(ctx, rate))
	}
	rep.Facts.LoadEnd = loadAvg()
	md := rep.Markdown()
	fmt.Fprint(stdout, md)
	if cfg.Out != "" {
		if err := os.WriteFile(cfg.Out, []byte(md), 0o644); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("stopped (%v)", context.Cause(ctx))
	}
	return nil
}
