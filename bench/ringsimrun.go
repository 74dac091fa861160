package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/ringkv/ringkv/cluster/ring"
)

// runRingsim prints the ring mode's report to w; args are the command line
// it echoes.
func runRingsim(cfg RingsimConfig, args []string, w io.Writer) error {
	combos := cfg.combos()
	fmt.Fprintf(w, "## Ring simulation\n\n`go run ./bench %s` (N=%d; transfer for %d keys of %d bytes)\n\n",
		strings.Join(append([]string{"-ringsim"}, args...), " "), cfg.N, cfg.Keys, cfg.Value)
	var all []ring.StepReport
	runs := make([][][]ring.StepReport, len(combos)) // combo -> seed -> reports
	for i, c := range combos {
		for seed := range cfg.Seeds {
			members, steps := ringScript(c.s, seed)
			reports, err := ring.Simulate(c.q, cfg.N, members, steps)
			if err != nil {
				return fmt.Errorf("bench -ringsim: S=%d Q=%d: %w", c.s, c.q, err)
			}
			runs[i] = append(runs[i], reports)
		}
		all = append(all, runs[i][0]...)
	}
	fmt.Fprintln(w, ring.Table(all, cfg.Keys, cfg.Value))
	if cfg.Seeds > 1 {
		writeMovement(w, combos, runs)
	}
	return writeBuildCost(w, combos)
}

// writeMovement summarises copies and owners moved over ideal across every
// step of every name set, and the invariants' violations (0 expected).
func writeMovement(w io.Writer, combos []ringCombo, runs [][][]ring.StepReport) {
	fmt.Fprintf(w, "Movement over %d name sets × 4 steps (moved / ideal):\n\n", len(runs[0]))
	fmt.Fprintln(w, "| S | Q | Q/S | copies mean | copies worst | owners mean | owners worst | balance (held %) | violations |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---|---:|")
	for i, c := range combos {
		var copies, owners []float64
		lo, hi, bad := 1e9, 0.0, 0
		for _, reports := range runs[i] {
			for _, r := range reports {
				lo, hi = min(lo, r.Replica.MinPct()), max(hi, r.Replica.MaxPct())
				bad += violations(r)
				if r.Step.Op != 0 {
					copies, owners = append(copies, r.Ratio()), append(owners, r.PrimaryRatio())
				}
			}
		}
		fmt.Fprintf(w, "| %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.0f..%.0f | %d |\n",
			c.s, c.q, c.q/c.s, ringMean(copies), ringWorst(copies), ringMean(owners), ringWorst(owners), lo, hi, bad)
	}
	fmt.Fprintln(w)
}

// violations counts what must not happen in a report: loads outside the
// balance bounds, a node twice in a list, fewer copies moved than possible.
func violations(r ring.StepReport) int {
	n := r.OutOfBounds + r.Repeats
	if r.CopiesMoved < r.MinCopies {
		n++
	}
	return n
}

func ringMean(v []float64) float64 {
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	return sum / float64(len(v))
}

func ringWorst(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// writeBuildCost times one ring.New per (S, Q), the work every node does on
// every membership change, with the bytes it allocates and keeps.
func writeBuildCost(w io.Writer, combos []ringCombo) error {
	fmt.Fprintln(w, "Building one ring (`ring.New`, every node on every membership change):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| S | Q | time | allocated | kept |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|")
	for _, c := range combos {
		members, _ := ringScript(c.s, 0)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		r, err := ring.New(c.q, members)
		took := time.Since(start)
		if err != nil {
			return fmt.Errorf("bench -ringsim: New(%d, %d members): %w", c.q, c.s, err)
		}
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc
		runtime.GC()
		runtime.ReadMemStats(&after)
		kept := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		runtime.KeepAlive(r)
		fmt.Fprintf(w, "| %d | %d | %v | %.1f MiB | %.1f MiB |\n", c.s, c.q, took.Round(time.Microsecond),
			float64(alloc)/(1<<20), float64(max(kept, 0))/(1<<20))
	}
	return nil
}
