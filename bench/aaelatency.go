package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Anti-entropy during a target 3 run.
const (
	aaeOff       = "off"                   // --aae-interval negative on every node
	aaeRepairing = "on"                    // on, with n3's divergence being repaired
	aaeIdle      = "on, nothing to repair" // on, after the repair ended: the control
)

// target3: redis-benchmark against n1 while n3 is repaired, against the
// same with anti-entropy off, interleaved. n3 misses AAEDivKeys keys once;
// each repetition then benchmarks with anti-entropy off everywhere (the
// divergence stays), and again after a restart with it on while the
// divergence is being repaired. A repetition repairs only what its run
// with anti-entropy on reaches, so the divergence shrinks slowly; the last
// one waits for the repair to end. At the end, a control run with
// anti-entropy on and nothing to repair.
func (r *aaeRunner) target3(ctx context.Context) error {
	t := &AAELatency{}
	r.rep.Latency = t
	l := Load{KeyFormat: "aae3:%07d", Count: r.cfg.AAEDivKeys, Size: r.cfg.DataSize, Random: true}
	r.logf("target 3: n3 misses %d keys", l.Count)
	var err error
	if t.Div, err = r.diverge(ctx, l); err != nil {
		return err
	}
	for rep := 1; rep <= r.cfg.AAEReps; rep++ {
		for _, mode := range []string{aaeOff, aaeRepairing} {
			if err := r.benchRun(ctx, t, rep, mode); err != nil {
				return err
			}
		}
	}
	return r.benchRun(ctx, t, r.cfg.AAEReps, aaeIdle)
}

// LatencyRun is one redis-benchmark run of target 3.
type LatencyRun struct {
	Rep            int
	Mode           string // aaeOff, aaeRepairing or aaeIdle
	Set, Get       Result
	Took           time.Duration // the benchmark's wall time
	Retried        bool          // the first attempt failed (see the notes)
	RepairedDuring int64         // aae_keys_repaired on n1 and n2 while it ran
	Outlasted      bool          // repairing: keys were still being repaired after it ended
	RepairEnd      time.Duration // repairing, last repetition: from its start to the last repair (0: not waited for)
}

// benchRun restarts every node with anti-entropy as mode says and runs
// redis-benchmark against n1 at once, adding the run to t. While
// repairing, it then checks that the repair outlasted the run and, in the
// last repetition, waits until the repair is over.
func (r *aaeRunner) benchRun(ctx context.Context, t *AAELatency, rep int, mode string) error {
	interval := r.cfg.AAEInterval
	if mode == aaeOff {
		interval = -1
	}
	if err := r.restartAll(ctx, interval); err != nil {
		return err
	}
	run := LatencyRun{Rep: rep, Mode: mode}
	s := &Settle{Need: 1}
	before := r.c.read(ctx)
	start := time.Now()
	s.Observe(start, before)
	var prof *profiling
	if r.cfg.Profile != "" && rep == 1 && mode != aaeIdle {
		prof = r.startProfiles(ctx, onOff(mode != aaeOff))
	}
	err := r.benchmark(ctx, &run)
	run.Took = time.Since(start)
	if prof != nil {
		r.finish(ctx, prof)
	}
	if err != nil {
		return err
	}
	mid := r.c.read(ctx)
	s.Observe(time.Now(), mid)
	run.RepairedDuring = mid.Sum(repaired) - before.Sum(repaired)
	r.logf("target 3 rep %d, anti-entropy %s: SET p99 %.3f ms, GET p99 %.3f ms, %d keys repaired during the run",
		rep, mode, run.Set.P99, run.Get.P99, run.RepairedDuring)
	if mode == aaeRepairing {
		grew := mid.Sum(repaired)
		_ = r.c.poll(ctx, "repair outlasting the benchmark", 15*time.Second, func(_ time.Time, c Cluster) bool {
			run.Outlasted = c.Sum(repaired) > grew
			return run.Outlasted
		})
	}
	if mode == aaeRepairing && rep == r.cfg.AAEReps {
		err = r.c.settle(ctx, "repair after the benchmark", s, r.cfg.AAEWait)
		if !s.Last.IsZero() {
			run.RepairEnd = s.Last.Sub(start)
		}
	}
	t.Runs = append(t.Runs, run)
	return err
}

// benchmark runs redis-benchmark against n1 into run, once more if the
// first attempt fails (an error reply stops redis-benchmark), noting the
// failure and the tail of every node's log.
func (r *aaeRunner) benchmark(ctx context.Context, run *LatencyRun) error {
	args := []string{"-h", "127.0.0.1", "-p", fmt.Sprint(r.c.nodes[0].port), "-t", "set,get", "-c", fmt.Sprint(r.cfg.Clients),
		"-d", fmt.Sprint(r.cfg.DataSize), "-r", fmt.Sprint(r.cfg.AAEBenchR), "-n", fmt.Sprint(r.cfg.AAEBenchN), "--csv"}
	var err error
	for attempt := 1; attempt <= 2; attempt++ {
		var res []Result
		var notes []string
		res, notes, err = redisBenchmark(ctx, r.cfg, args)
		for _, n := range notes {
			r.rep.note("redis-benchmark said: `%s`", n)
		}
		if err == nil {
			for _, x := range res {
				switch x.Test {
				case "SET":
					run.Set = x
				case "GET":
					run.Get = x
				}
			}
			return nil
		}
		run.Retried = true
		r.logf("target 3 rep %d, anti-entropy %s: attempt %d failed: %v", run.Rep, run.Mode, attempt, err)
		r.rep.note("Target 3 rep %d, anti-entropy %s, attempt %d failed: %s", run.Rep, run.Mode, attempt, firstLineOf(err.Error()))
		for _, n := range r.c.nodes {
			r.rep.note("%s's log then ended with: `%s`", n.name, oneLine(tail(n.logPath(), 2)))
		}
	}
	return err
}

// oneLine joins lines for a Markdown list item.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " ⏎ "), "`", "'")
}
