//go:build !race

package replicatest

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

var (
	seedFlag  = flag.Int64("seed", 0, "TestSim: run only this seed")
	seedsFlag = flag.Int("seeds", 20, "TestSim: how many seeds to run (1..seeds)")
	opsFlag   = flag.Int("ops", 200, "TestSim: client ops per seed")
	logFlag   = flag.Bool("simlog", false, "log the coordinators and engines (debug) to stderr")
)

func simConfig() Config {
	cfg := DefaultConfig()
	if *logFlag {
		cfg.Logger = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).Level(zerolog.DebugLevel)
	}
	return cfg
}

// TestSim drives 5 coordinators (N=3, R=W=2) through random client ops
// (some at once), partitions, slow links, crashes, one wipe, restarts,
// anti-entropy and reaping, then checks that the replicas converge and no
// acknowledged write is lost (Dynamo §4.4–§4.7). A failing seed
// reproduces with -seed=N, which also prints the seed's op log (-v).
func TestSim(t *testing.T) {
	seeds := []int64{*seedFlag}
	if *seedFlag == 0 {
		seeds = seeds[:0]
		for i := range *seedsFlag {
			seeds = append(seeds, int64(i+1))
		}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			cfg, g := seedConfig(seed)
			rep := Simulate(t, cfg, Generate(g, names(cfg.Nodes)))
			if *seedFlag != 0 {
				t.Logf("seed %d: %s\nop log:\n%s", seed, rep.Counts, rep.Log)
			}
			if len(rep.Violations) > 0 {
				t.Errorf("seed %d: %d violations; reproduce: go test ./replica/replicatest -run 'TestSim$' -seed=%d\n%s\n\nop log:\n%s",
					seed, len(rep.Violations), seed, joinViolations(rep.Violations), rep.Log)
			}
		})
	}
}

// seedConfig is a seed's cluster and schedule: even seeds have clients
// call Update where they connect (Config.Direct), odd ones route writes
// as the server does.
func seedConfig(seed int64) (Config, GenConfig) {
	cfg := simConfig()
	cfg.Direct = seed%2 == 0
	return cfg, GenConfig{Seed: seed, Ops: *opsFlag, Faults: 0.25, Par: 0.1, MaxDown: 2, MaxWipes: cfg.W - 1}
}

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint("n", i+1)
	}
	return out
}

func joinViolations(vs []Violation) string {
	lines := make([]string, len(vs))
	for i, v := range vs {
		lines[i] = v.String()
	}
	return strings.Join(lines, "\n")
}
