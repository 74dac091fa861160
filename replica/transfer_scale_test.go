package replica_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestHandoffScale runs rings of 16 and 64 real coordinators (in-memory
// network and LevelDB) through two joins and two removals of dead nodes
// and reports, per step, the records transferred against the ideal (a
// joining node's share N·K/(S+1); a dead node's share N·K/S) and against
// what the ring change calls for (every copy newly held). Transfers move
// exactly what the ring calls for, and afterwards every key is on exactly
// its N holders. Rings of 256 nodes are simulated at the ring level in
// cluster/ring (TestSimulateScale, `go run ./bench -ringsim`).
func TestHandoffScale(t *testing.T) {
	for _, sc := range []struct{ s, q, keys int }{{16, 1024, 6000}, {64, 4096, 4000}} {
		t.Run(fmt.Sprintf("S=%d", sc.s), func(t *testing.T) {
			handoffScale(t, sc.s, sc.q, sc.keys)
		})
	}
}

func handoffScale(t *testing.T, s, q, nkeys int) {
	hc := newHandoffClusterQ(t, s+2, s, s, q)
	names := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("n%d", i+1)
		}
		return out
	}
	keys := handoffKeys(nkeys)
	hc.write(t, "n1", keys, "a")
	var table strings.Builder
	fmt.Fprintf(&table, "\n| step | S after | records moved | called for | ideal | moved/ideal |\n|---|---:|---:|---:|---:|---:|\n")
	step := func(what string, next []string, dead string) {
		before := hc.place.Ring()
		if dead != "" {
			hc.kill(dead)
		}
		hc.place.set(t, next...)
		after := hc.place.Ring()
		calledFor := int64(0)
		perPartition := map[int]int64{}
		for _, k := range keys {
			perPartition[after.KeyPartition([]byte(k))]++
		}
		for p := range q {
			was := before.Preference(p, 3)
			for _, n := range after.Preference(p, 3) {
				if !slices.Contains(was, n) {
					calledFor += perPartition[p]
				}
			}
		}
		received := func() (sum int64) {
			for _, c := range hc.coords {
				sum += c.Stats().TransferKeys.Load()
			}
			return sum
		}
		start := received()
		for range 2 {
			for _, n := range next {
				hc.pass(t, n)
			}
		}
		moved := received() - start
		ideal := float64(3*nkeys) / float64(len(next))
		if dead != "" {
			ideal = float64(3*nkeys) / float64(len(before.Members()))
		}
		fmt.Fprintf(&table, "| %s | %d | %d | %d | %.0f | %.2f |\n", what, len(next), moved, calledFor, ideal, float64(moved)/ideal)
		if moved != calledFor {
			t.Errorf("%s: %d records transferred, the ring change calls for %d", what, moved, calledFor)
		}
		for _, n := range next {
			if p, f := hc.coords[n].HandoffBusy(); p != 0 || f != 0 {
				t.Fatalf("%s: %s has %d transfers pending and %d partitions to drop", what, n, p, f)
			}
		}
		// Every key on its holders, and no copy elsewhere: the live
		// records of all nodes add up to N per key.
		r := hc.place.Ring()
		for _, k := range keys {
			for _, n := range r.Preference(r.KeyPartition([]byte(k)), 3) {
				if got, err := hc.stores[n].Get([]byte(k)); err != nil || len(got) == 0 {
					t.Fatalf("%s: holder %s lacks %s (%v)", what, n, k, err)
				}
			}
		}
		var copies int64
		for _, n := range next {
			copies += hc.stores[n].Len()
		}
		if copies != int64(3*nkeys) {
			t.Fatalf("%s: %d copies on the %d nodes, want %d", what, copies, len(next), 3*nkeys)
		}
	}
	all := names(s + 2)
	step("join", all[:s+1], "")
	step("join", all, "")
	step("remove dead", slices.Delete(slices.Clone(all), 0, 1), "n1")
	step("remove dead", slices.Delete(slices.Clone(all), 0, 2), "n2")
	t.Log(table.String())
}
