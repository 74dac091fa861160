package replicatest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ringkv/ringkv/replica"
)

// antiEntropy runs one anti-entropy round (Dynamo §4.7) on every running
// node, in name order, and returns the keys repaired.
func (s *Sim) antiEntropy() (repaired int, err error) {
	return s.eachRunning(func(c *replica.Coordinator) (int, error) { return c.SyncOnce(context.Background()) })
}

// reap runs one tombstone-reaping round on every running node.
func (s *Sim) reap() (reaped int, err error) {
	return s.eachRunning(func(c *replica.Coordinator) (int, error) { return c.ReapOnce(context.Background()) })
}

func (s *Sim) eachRunning(fn func(*replica.Coordinator) (int, error)) (total int, err error) {
	var errs []error
	for _, name := range s.names {
		if n := s.nodes[name]; n.running() {
			k, err := fn(n.c)
			total += k
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
			s.settle(0)
		}
	}
	return total, errors.Join(errs...)
}

// Stabilize ends the faults (see recover) and lets the cluster repair
// itself: it runs rounds (at most Config.Rounds) of hinted handoff and of
// repair until every key's replicas hold the same set and no hint is
// pending. Repair is an anti-entropy round on every node or, with
// Config.ReadRepairOnly, a read of every key the run touched at R=N,
// which repairs the replicas behind (read repair). Then it lets the
// tombstones age past their grace, reaps them and checks again. It
// returns the rounds it took to converge and the keys reaped, or an
// error naming what still differs.
func (s *Sim) Stabilize() (rounds, reaped int, err error) {
	if out := s.recover(); strings.HasPrefix(out, "error") {
		return 0, 0, errors.New(out)
	}
	if rounds, err = s.converge(s.cfg.Rounds); err != nil || s.cfg.TombstoneGrace < 0 {
		return rounds, 0, err
	}
	s.settle(s.cfg.TombstoneGrace)
	reaped, _ = s.reap()
	s.settle(s.cfg.Timeout)
	if _, err := s.converge(1); err != nil {
		return rounds, reaped, fmt.Errorf("after reaping %d keys: %w", reaped, err)
	}
	return rounds, reaped, nil
}

// converge runs at most max rounds of hinted handoff and repair until the
// replicas agree.
func (s *Sim) converge(max int) (int, error) {
	for round := 1; round <= max; round++ {
		s.settle(4 * s.cfg.HintInterval) // hinted handoff
		if s.cfg.ReadRepairOnly {
			s.readAll()
		} else {
			_, _ = s.antiEntropy()
		}
		s.settle(s.cfg.Timeout)
		if len(s.diverged()) == 0 {
			return round, nil
		}
	}
	return max, fmt.Errorf("not converged after %d rounds: %s", max, strings.Join(s.diverged(), "; "))
}

// readAll reads every key the run touched at R=N through its first
// primary; read repair brings the primaries behind up to date.
func (s *Sim) readAll() {
	for _, key := range s.sortedKeys() {
		n := s.nodes[s.firstRunning(key)]
		if n.running() {
			_, _ = n.c.Get(context.Background(), []byte(key), replica.ReadOptions{R: s.cfg.N})
		}
	}
}

func (s *Sim) sortedKeys() []string {
	keys := make([]string, 0, len(s.keys))
	for k := range s.keys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
