package replicatest

import (
	"testing"
	"testing/synctest"
)

// Report is the outcome of a simulated run.
type Report struct {
	Log        string      // every op with its outcome
	Violations []Violation // broken invariants after the last stabilize
	History    History
	Counts     Counts
	Final      State // the stores after the last op
}

// Unions returns, for every key, the union of the elements of the live
// siblings on its first replica: a set-add workload's final sets.
func (st State) Unions() map[string][]string {
	out := map[string][]string{}
	for key, list := range st.Replicas {
		out[key] = union(st.Copies[key][list[0]])
	}
	return out
}

// Start returns a new cluster for a test, closed (and its close checked)
// when the test ends; inside a synctest bubble, before the bubble ends.
func Start(t testing.TB, cfg Config) *Sim {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// Simulate runs ops on a new cluster inside a synctest bubble. Unless ops
// end with one, it stabilizes the cluster and checks it at the end. It
// fails t on an error of the harness itself, not on violations: the
// caller decides, with the log in hand.
func Simulate(t *testing.T, cfg Config, ops []Op) Report {
	var rep Report
	synctest.Test(t, func(t *testing.T) {
		s := Start(t, cfg)
		s.Play(ops)
		if n := len(ops); n == 0 || ops[n-1].Cmd != "check" {
			s.Do(Op{Cmd: "stabilize"})
		}
		rep = Report{Log: s.Log(), Violations: s.Check(), History: s.hist, Counts: s.Counts(), Final: s.State()}
	})
	return rep
}
