package replicatest

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// parStagger separates the starts of a par's ops, so that they meet the
// network in one order on every run.
const parStagger = 113 * time.Microsecond

// Do runs one op after Config.Step of fake time and returns its outcome,
// which it also appends to the log.
func (s *Sim) Do(o Op) string {
	// One nanosecond more: each op starts at its own sub-microsecond
	// residue, so its messages never meet those of an op before it, which
	// may still be in flight, at one instant.
	s.settle(s.cfg.Step + time.Nanosecond)
	s.seq++
	out := s.do(o)
	for _, name := range s.names {
		if n := s.nodes[name]; n.running() {
			s.actors.see(name, n.db.Actor())
		}
	}
	s.log = append(s.log, fmt.Sprintf("%4d %-28s -> %s", s.seq, o, strings.ReplaceAll(out, "\n", "\n     ")))
	return out
}

// Play runs ops in order.
func (s *Sim) Play(ops []Op) {
	for _, o := range ops {
		s.Do(o)
	}
}

func (s *Sim) do(o Op) string {
	switch o.Cmd {
	case "partition", "crash", "wipe", "slow":
		s.faulted = true
	}
	switch o.Cmd {
	case "put", "vset", "incr", "del", "get":
		s.keys[o.Key] = true
		out, rec := s.client(o)
		s.hist.Writes = append(s.hist.Writes, rec...)
		return out
	case "par":
		return s.par(o.Par)
	case "partition":
		return s.partition(o.Groups)
	case "heal":
		return s.heal()
	case "crash", "wipe":
		return s.crash(o.Node, o.Cmd == "wipe")
	case "restart":
		return s.restart(o.Node)
	case "gossip":
		return s.gossip()
	case "recover":
		return s.recover()
	case "slow":
		return s.slow(o.Node, o.Dur)
	case "tick":
		s.settle(o.Dur)
		return "ok"
	case "aae":
		return s.aaeOp()
	case "reap":
		return s.reapOp()
	case "stabilize":
		rounds, reaped, err := s.Stabilize()
		if err != nil {
			return "error: " + err.Error()
		}
		return fmt.Sprintf("ok: converged in %d rounds, reaped %d", rounds, reaped)
	}
	return s.observe(o)
}

func (s *Sim) aaeOp() string {
	n, err := s.antiEntropy()
	if err != nil {
		return fmt.Sprintf("repaired %d; error: %v", n, err)
	}
	return fmt.Sprintf("ok: repaired %d", n)
}

func (s *Sim) reapOp() string {
	n, err := s.reap()
	if err != nil {
		return fmt.Sprintf("reaped %d; error: %v", n, err)
	}
	return fmt.Sprintf("ok: reaped %d", n)
}

// observe runs the ops that only look.
func (s *Sim) observe(o Op) string {
	switch o.Cmd {
	case "dump":
		return s.dump(o.Key)
	case "hints":
		return s.hints()
	case "locate":
		return s.locate(o.Key)
	case "check":
		vs := s.Check()
		if len(vs) == 0 {
			return "ok"
		}
		lines := make([]string, len(vs))
		for i, v := range vs {
			lines[i] = v.String()
		}
		return strings.Join(lines, "\n")
	}
	return fmt.Sprintf("error: unknown op %q", o.Cmd)
}

// Check returns the violations of the invariants (see Checker.Check) in
// the cluster's current state. Call it after Stabilize.
func (s *Sim) Check() []Violation {
	calm := !s.faulted && s.cfg.R+s.cfg.W > s.cfg.N
	return Checker{Names: s.actors, Calm: calm}.Check(s.State(), &s.hist)
}

// par runs client ops at once and records their writes in op order.
// Without routing (Config.Direct) a key two of them write is marked
// concurrent: its read-modify-writes may interleave.
func (s *Sim) par(ops []Op) string {
	outs := make([]string, len(ops))
	recs := make([][]Write, len(ops))
	writers := map[string]int{}
	var wg sync.WaitGroup
	for i, o := range ops {
		s.keys[o.Key] = true
		if o.Cmd != "get" {
			writers[o.Key]++
		}
		wg.Go(func() {
			time.Sleep(time.Duration(i) * parStagger)
			outs[i], recs[i] = s.client(o)
		})
	}
	wg.Wait()
	for _, rec := range recs {
		s.hist.Writes = append(s.hist.Writes, rec...)
	}
	for k, n := range writers {
		if n > 1 && s.cfg.Direct {
			if s.hist.Concurrent == nil {
				s.hist.Concurrent = map[string]bool{}
			}
			s.hist.Concurrent[k] = true
		}
	}
	return strings.Join(outs, " | ")
}
