package ring

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// simReplicas is the N of the scaling runs (the server's default).
const simReplicas = 3

// Measured movement (copies moved / ideal per step, N=3, 10 name sets × the
// four steps of simScript; go run ./bench -ringsim -seeds 10 -nodes
// 16,64,128,256 -per-node 16,32,64,128,256):
//
//	Q/S   S=16  S=64  S=128  S=256   (worst; mean at S=256)
//	 32   1.36  1.72  2.08   2.82    (2.29)
//	 64   1.21  1.27  1.40   1.54    (1.36)
//	128   1.11  1.21  1.20   1.17    (1.08)
//
// So "within 1.5x of ideal while Q/S >= 32" holds only up to S≈16. Why
// movement grows with S at a fixed Q/S was not measured; a likely reason is
// that the ±15% band is the same for every S while a join or removal pushes
// more nodes across its edges, and each re-levelling path moves several
// partitions. What
// the ring meets is asserted below: with Q/S >= 64 (every Q/S >= 32 case of
// this matrix), each step within 1.6x and the four steps' mean within 1.5x,
// up to S=256; Q/S >= 128 keeps every step within 1.25x.
func movementBound(q, s int) (step, mean float64, ok bool) {
	switch {
	case q/s >= 128:
		return 1.25, 1.25, true
	case q/s >= 64:
		return 1.6, 1.5, true
	}
	return 0, 0, false // Q/S=16 measures 2..3.3x, Q/S=4 10..13x: see the table
}

// Dynamo §6.2, strategy 3: with Q equal partitions, a join should take
// about 1/(S+1) of the data and a removal hand out 1/S. Rings of 16, 64 and
// 256 nodes go through two joins and two removals for each Q that leaves
// room for N replicas; every ring stays within its balance bounds with
// distinct nodes in every list, no step moves fewer copies than any balanced
// placement must, and movement is within movementBound.
func TestSimulateScale(t *testing.T) {
	type run struct {
		q, s    int
		reports []StepReport
	}
	var runs []*run
	for _, s := range []int{16, 64, 256} {
		for _, q := range []int{256, 1024, 4096, 16384} {
			// At 256 nodes only the Q this README recommends (Q/S=64): the
			// smaller Qs cost ~20 s each under -race and are reproduced by
			// `go run ./bench -ringsim`.
			if q >= s*simReplicas && (s < 256 || q == 16384) {
				runs = append(runs, &run{q: q, s: s})
			}
		}
	}
	t.Run("rings", func(t *testing.T) {
		for _, r := range runs {
			t.Run(fmt.Sprintf("Q=%d/S=%d", r.q, r.s), func(t *testing.T) {
				t.Parallel()
				members, steps := simScript(r.s)
				var err error
				if r.reports, err = Simulate(r.q, simReplicas, members, steps); err != nil {
					t.Fatal(err)
				}
				checkRun(t, r.q, r.s, r.reports)
			})
		}
	})
	var all []StepReport
	for _, r := range runs {
		all = append(all, r.reports...)
	}
	t.Logf("N=%d; transfer for 100M keys of 1 KiB:\n%s", simReplicas, Table(all, 100_000_000, 1024))
}

func checkRun(t *testing.T, q, s int, reports []StepReport) {
	t.Helper()
	var sum float64
	for _, r := range reports {
		lo, hi := bounds(q, r.Members)
		switch {
		case r.OutOfBounds != 0 || r.Primary.Min < lo || r.Primary.Max > hi:
			t.Errorf("%v: %d (node, position) loads outside [%d, %d]; owners hold %d..%d", r.Step, r.OutOfBounds, lo, hi, r.Primary.Min, r.Primary.Max)
		case r.Replica.Min < simReplicas*lo || r.Replica.Max > simReplicas*hi:
			t.Errorf("%v: nodes hold %d..%d copies, bounds %d..%d", r.Step, r.Replica.Min, r.Replica.Max, simReplicas*lo, simReplicas*hi)
		case r.Repeats != 0:
			t.Errorf("%v: %d preference lists name a node twice", r.Step, r.Repeats)
		case r.CopiesMoved < r.MinCopies:
			t.Errorf("%v: moved %d copies, below the least possible %d", r.Step, r.CopiesMoved, r.MinCopies)
		}
		sum += r.Ratio()
	}
	step, mean, ok := movementBound(q, s)
	if !ok {
		return
	}
	for _, r := range reports[1:] {
		if r.Ratio() > step {
			t.Errorf("%v: moved %d copies, %.2f x ideal %.0f; bound %.2f", r.Step, r.CopiesMoved, r.Ratio(), r.IdealCopies(), step)
		}
	}
	if m := sum / float64(len(reports)-1); m > mean {
		t.Errorf("mean movement %.2f x ideal over %d steps; bound %.2f", m, len(reports)-1, mean)
	}
}

// The cost of a large Q: one New of 16384 partitions over 256 members (the
// largest ring of TestSimulateScale, Q/S=64), its time, bytes allocated and
// bytes kept, logged (not asserted: -race inflates the time ~20x). The ring
// must agree with the simulation of the same members.
func TestRingBuildCost(t *testing.T) {
	t.Parallel()
	const q, s = 16384, 256
	members := simNodes(0, s)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	r := mustNew(t, q, members)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	runtime.GC()
	runtime.ReadMemStats(&after)
	kept := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("New(Q=%d, S=%d): %v, %s allocated, %s kept", q, s, took.Round(time.Millisecond), size(int64(alloc)), size(kept))

	sim, err := Simulate(q, simReplicas, members, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := oracleSpread(r, simReplicas)
	if got := sim[0]; got.Primary != want.Primary || got.Replica != want.Replica {
		t.Fatalf("simulation spread %+v %+v, ring %+v %+v", got.Primary, got.Replica, want.Primary, want.Replica)
	}
	runtime.KeepAlive(r)
}

// oracleSpread counts a ring's loads through its public methods.
func oracleSpread(r *Ring, n int) StepReport {
	owned, held := map[string]int{}, map[string]int{}
	for p := range r.Q() {
		owned[r.Owner(p)]++
		for _, m := range r.Preference(p, n) {
			held[m]++
		}
	}
	var out StepReport
	members := r.Members()
	out.Primary.Min, out.Primary.Max = minMax(owned, members)
	out.Replica.Min, out.Replica.Max = minMax(held, members)
	out.Primary.Mean = float64(r.Q()) / float64(len(members))
	out.Replica.Mean = float64(r.Q()*n) / float64(len(members))
	return out
}
