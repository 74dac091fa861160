package main

import (
	"context"
	"fmt"
	"time"
)

// target1: replicas converge after a divergence of AAEKeys keys.
func (r *aaeRunner) target1(ctx context.Context) error {
	l := Load{KeyFormat: "aae1:%07d", Count: r.cfg.AAEKeys, Size: r.cfg.DataSize, Random: true}
	r.logf("target 1: n3 misses %d keys", l.Count)
	t := &AAEConverge{}
	r.rep.Converge = t
	var err error
	if t.Div, err = r.diverge(ctx, l); err != nil {
		return err
	}
	r.logf("target 1: %d hints dropped; restarting n3", t.Div.Dropped)
	t.Repair, err = r.repair(ctx, int64(l.Count))
	r.logf("target 1: last repair %.2f s after the restart, %d repairs counted", t.Repair.Last.Seconds(), t.Repair.Repaired)
	if err != nil {
		return err
	}
	t.Held, err = r.verify(ctx, l)
	t.Verified = err == nil
	r.logf("target 1: n3's LevelDB holds %d of %d keys", t.Held, l.Count)
	return err
}

// target2: loads AAEBigKeys keys with anti-entropy off, turns it on and
// waits for quiet, measures what a round without differences moves, then
// the repair of AAEDiffKeys keys n3 missed.
func (r *aaeRunner) target2(ctx context.Context) error {
	t := &AAEDiff{}
	r.rep.Diff = t
	r.logf("target 2: restarting with anti-entropy off to load %d keys", r.cfg.AAEBigKeys)
	if err := r.restartAll(ctx, -1); err != nil {
		return err
	}
	big := Load{KeyFormat: "aae2:%07d", Count: r.cfg.AAEBigKeys, Size: r.cfg.DataSize, Random: true}
	start := time.Now()
	if err := pipeLoad(ctx, r.cfg, r.c.nodes[0].port, big); err != nil {
		return err
	}
	t.Load = time.Since(start)
	r.logf("target 2: loaded %d keys in %.1f s; anti-entropy on, waiting for quiet", big.Count, t.Load.Seconds())
	if err := r.restartAll(ctx, r.cfg.AAEInterval); err != nil {
		return err
	}
	quiet := &Settle{}
	start = time.Now()
	if err := r.c.settle(ctx, "anti-entropy quiet after the load", quiet, r.cfg.AAEWait); err != nil {
		return err
	}
	t.QuietAfter, t.QuietRepaired = time.Since(start), quiet.Repaired()
	var err error
	if t.Idle, err = r.idleRounds(ctx, 3); err != nil {
		return err
	}
	r.logf("target 2: a round without differences: %d bytes per exchange", t.Idle.PerExchange())
	diff := Load{KeyFormat: "aae2-diff:%07d", Count: r.cfg.AAEDiffKeys, Size: r.cfg.DataSize, Random: true}
	if t.Div, err = r.diverge(ctx, diff); err != nil {
		return err
	}
	t.Repair, err = r.repair(ctx, int64(diff.Count))
	r.logf("target 2: %d bytes over %d exchanges, last repair %.2f s after the restart", t.Repair.Bytes, t.Repair.Exchanges, t.Repair.Last.Seconds())
	if err != nil {
		return err
	}
	t.Held, err = r.verify(ctx, diff)
	t.Verified = err == nil
	return err
}

// restartAll restarts the cluster with anti-entropy every interval
// (negative: off), noting unclean stops.
func (r *aaeRunner) restartAll(ctx context.Context, interval time.Duration) error {
	unclean, err := r.c.restartAll(ctx, interval, r.cfg.AAEWait)
	if len(unclean) > 0 {
		r.rep.note("%v did not stop cleanly on a restart (their Merkle trees were rebuilt).", unclean)
	}
	return err
}

// Idle is what anti-entropy moved over rounds that found no difference;
// Exchanges counts pairs (one node starts, the other answers).
type Idle struct {
	Bytes, Exchanges, Repaired int64
	Took                       time.Duration
}

// PerExchange is the bytes one exchange (one pair of nodes) moved.
func (i Idle) PerExchange() int64 {
	if i.Exchanges == 0 {
		return 0
	}
	return i.Bytes / i.Exchanges
}

// idleRounds measures peer bytes over the next rounds full rounds.
func (r *aaeRunner) idleRounds(ctx context.Context, rounds int) (Idle, error) {
	before := r.c.read(ctx)
	start := time.Now()
	var after Cluster
	err := r.c.poll(ctx, "idle anti-entropy rounds", r.cfg.AAEWait, func(_ time.Time, c Cluster) bool {
		after = c
		for i, n := range c {
			if !n.Up || n.Exchanges-before[i].Exchanges < int64(rounds*(len(c)-1)) {
				return false
			}
		}
		return true
	})
	return Idle{Bytes: after.Sum(sent) - before.Sum(sent), Exchanges: (after.Sum(exchanges) - before.Sum(exchanges)) / 2,
		Repaired: after.Sum(repaired) - before.Sum(repaired), Took: time.Since(start)}, err
}

// engineBench runs the in-process exchange benchmark next to the real
// processes' figures: two engines, AAEEngineKeys keys, 10 diverged.
func (r *aaeRunner) engineBench(ctx context.Context) error {
	if r.cfg.AAEEngineKeys == 0 {
		return nil
	}
	args := []string{"test", "./engine", "-run", "X", "-bench", "Exchange", "-args", fmt.Sprintf("-exchange.keys=%d", r.cfg.AAEEngineKeys)}
	r.rep.EngineCmd = shellJoin("go", args)
	r.logf("running %s", r.rep.EngineCmd)
	cmd, cancel := command(ctx, r.cfg.RunTimeout, "go", args...)
	defer cancel()
	cmd.Dir = r.root
	out, err := cmd.CombinedOutput()
	r.rep.Engine = BenchLines(string(out))
	if err != nil {
		return fmt.Errorf("%s: %v: %s", r.rep.EngineCmd, err, lastLines(string(out), 5))
	}
	return nil
}
