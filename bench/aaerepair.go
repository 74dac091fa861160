package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// n3 is the node that misses writes: the last in name order, so it never
// starts an exchange and every repair it gets is started by n1 or n2.
const n3 = 2

// Divergence is how a run made n3 miss writes that only anti-entropy can
// repair.
type Divergence struct {
	Keys    int           // keys written through n1 at W=2 while n3 was down
	Write   time.Duration // how long the writes took
	Dropped int64         // hints dropped on n1 and n2 meanwhile
	Down    time.Duration // how long n3 was down in all
}

// diverge stops n3 cleanly, writes l through n1 at the default W=2, then
// waits until n1 and n2 hold no hints and have dropped at least one per
// key (--hint-max-age 1ms: dropped at the next handoff tick), and n3 has
// been down 3 s after the writes. n3 is left stopped.
func (r *aaeRunner) diverge(ctx context.Context, l Load) (Divergence, error) {
	d := Divergence{Keys: l.Count}
	if !r.c.stop(n3, r.cfg.AAEWait) {
		r.rep.note("n3 did not stop cleanly before a divergence; its tree is rebuilt on restart.")
	}
	down := time.Now()
	before := r.c.read(ctx).Sum(dropped)
	if err := pipeLoad(ctx, r.cfg, r.c.nodes[0].port, l); err != nil {
		return d, err
	}
	wrote := time.Now()
	d.Write = wrote.Sub(down)
	var last Cluster
	err := r.c.poll(ctx, "hints for n3 dropped", r.cfg.AAEWait, func(now time.Time, c Cluster) bool {
		last = c
		return c[0].Up && c[1].Up && c.Sum(pending) == 0 && c.Sum(dropped)-before >= int64(l.Count) &&
			now.Sub(wrote) >= 3*time.Second
	})
	d.Dropped = last.Sum(dropped) - before
	if err != nil && last.Sum(pending) == 0 && d.Dropped > 0 {
		r.rep.note("After writing %d keys with n3 down, %d hints were dropped (fewer than one per key) and none are pending; measured anyway.", l.Count, d.Dropped)
		err = nil
	}
	d.Down = time.Since(down)
	return d, err
}

// Repair is one repair of n3 after it comes back.
type Repair struct {
	Ready       time.Duration // n3's restart until it answered PING
	First, Last time.Duration // n3's restart until the first and last key repair seen
	Settled     time.Duration // n3's restart until two quiet rounds confirmed the end
	Repaired    int64         // aae_keys_repaired on n1 and n2 (a key both repaired counts twice)
	PerNode     []int64       // aae_keys_repaired per node over the repair
	Bytes       int64         // peer_bytes_sent summed over the nodes over the repair
	Exchanges   int64         // exchanges (pairs) over the repair: aae_exchanges summed over the nodes, halved
	Rounds      []LogRound    // the rounds n1 and n2 logged as having repaired keys
}

// repair restarts n3 with anti-entropy on and waits until at least need
// keys were repaired and two quiet rounds followed. Bytes and exchanges
// cover the whole window, quiet rounds included.
func (r *aaeRunner) repair(ctx context.Context, need int64) (Repair, error) {
	var rp Repair
	offsets := r.logOffsets()
	before := r.c.read(ctx)
	s := &Settle{Need: need}
	start := time.Now()
	s.Observe(start, before)
	if err := r.c.start(ctx, n3, r.cfg.AAEInterval); err != nil {
		return rp, err
	}
	rp.Ready = time.Since(start)
	err := r.c.settle(ctx, fmt.Sprintf("repair of %d keys on n3", need), s, r.cfg.AAEWait)
	rp.Settled = time.Since(start)
	after := r.c.read(ctx)
	if !s.First.IsZero() {
		rp.First, rp.Last = s.First.Sub(start), s.Last.Sub(start)
	}
	rp.Repaired = s.Repaired()
	for i := range after {
		rp.PerNode = append(rp.PerNode, after[i].Repaired-before[i].Repaired)
	}
	rp.Bytes = after.Sum(sent) - before.Sum(sent)                     // n3 restarted: its counters began at 0
	rp.Exchanges = (after.Sum(exchanges) - before.Sum(exchanges)) / 2 // each counted by both nodes
	rp.Rounds = r.roundsSince(offsets)
	return rp, err
}

// logOffsets notes the size of every node's log, so that roundsSince reads
// only what was logged afterwards.
func (r *aaeRunner) logOffsets() []int64 {
	out := make([]int64, len(r.c.nodes))
	for i, n := range r.c.nodes {
		if st, err := os.Stat(n.logPath()); err == nil {
			out[i] = st.Size()
		}
	}
	return out
}

// roundsSince returns the repairing rounds the nodes logged after offsets.
func (r *aaeRunner) roundsSince(offsets []int64) []LogRound {
	var out []LogRound
	for i, n := range r.c.nodes {
		b, err := os.ReadFile(n.logPath())
		if err != nil || int64(len(b)) < offsets[i] {
			continue
		}
		for _, lr := range ParseRounds(string(b[offsets[i]:])) {
			lr.Node = n.name
			out = append(out, lr)
		}
	}
	return out
}

// verify stops n3 cleanly, counts in its LevelDB the keys of l it holds
// with their value, and starts it again.
func (r *aaeRunner) verify(ctx context.Context, l Load) (int, error) {
	if !r.c.stop(n3, r.cfg.AAEWait) {
		r.rep.note("n3 did not stop cleanly for the check of its LevelDB.")
	}
	have, err := holds(r.c.nodes[n3].dataDir(), l)
	if serr := r.c.start(ctx, n3, r.cfg.AAEInterval); err == nil {
		err = serr
	}
	if err == nil {
		err = r.c.waitMembers(ctx)
	}
	if err == nil {
		err = r.c.waitTrees(ctx, r.cfg.AAEWait)
	}
	return have, err
}
