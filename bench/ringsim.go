package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/cluster/ring"
)

// The ring mode (-ringsim) starts no servers: it runs cluster/ring's
// Simulate over rings of several sizes and partition counts and prints
// Markdown: the step table of one run per (S, Q), with -seeds > 1 a summary
// of movement over that many name sets, and New's time and memory per (S, Q).

// RingsimConfig is one -ringsim run; parseRingsim gives the defaults.
type RingsimConfig struct {
	Nodes   []int // cluster sizes S; default 16,64,256
	Q       []int // partition counts; default 256,1024,4096,16384
	PerNode []int // instead of -q: Q = r·S for each r; default none
	N       int   // replicas; default 3
	Seeds   int   // name sets per (S, Q); default 1 (node-000..)
	Keys    int64 // distinct keys, for the transfer column; default 100,000,000
	Value   int64 // bytes per key, for the transfer column; default 1024
}

// ringsimArgs reports whether args ask for the ring mode, and returns them
// without the -ringsim flag.
func ringsimArgs(args []string) ([]string, bool) {
	i := slices.IndexFunc(args, func(a string) bool { return a == "-ringsim" || a == "--ringsim" })
	if i < 0 {
		return args, false
	}
	return slices.Delete(slices.Clone(args), i, i+1), true
}

func parseRingsim(args []string) (RingsimConfig, error) {
	c := RingsimConfig{N: 3, Seeds: 1, Keys: 100_000_000, Value: 1024}
	nodes, qs, per := "16,64,256", "256,1024,4096,16384", ""
	fs := flag.NewFlagSet("bench -ringsim", flag.ContinueOnError)
	fs.StringVar(&nodes, "nodes", nodes, "cluster sizes S, comma-separated")
	fs.StringVar(&qs, "q", qs, "partition counts Q (powers of two), comma-separated")
	fs.StringVar(&per, "per-node", per, "instead of -q: partitions per node Q/S (powers of two), comma-separated")
	fs.IntVar(&c.N, "n", c.N, "replicas N (1..8)")
	fs.IntVar(&c.Seeds, "seeds", c.Seeds, "name sets per (S, Q); above 1 adds a movement summary")
	fs.Int64Var(&c.Keys, "keys", c.Keys, "distinct keys in the data set (transfer column)")
	fs.Int64Var(&c.Value, "value", c.Value, "bytes per key (transfer column)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	c.Nodes, err = ringInts("-nodes", nodes)
	if err == nil && per != "" {
		c.PerNode, err = ringInts("-per-node", per)
	} else if err == nil {
		c.Q, err = ringInts("-q", qs)
	}
	switch {
	case err != nil:
		return c, err
	case fs.NArg() > 0:
		return c, fmt.Errorf("bench -ringsim: unexpected argument %q", fs.Arg(0))
	case c.N < 1 || c.N > 8 || c.Seeds < 1 || c.Keys < 0 || c.Value < 0:
		return c, errors.New("bench -ringsim: -n must be in 1..8, -seeds positive, -keys and -value not negative")
	}
	return c, nil
}

func ringInts(name, list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("bench -ringsim: %s: %q is not a positive integer", name, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// ringCombo is one (S, Q) of the run.
type ringCombo struct{ s, q int }

// combos returns every (S, Q) with room for N replicas (Q >= S·N).
func (c RingsimConfig) combos() []ringCombo {
	var out []ringCombo
	for _, s := range c.Nodes {
		qs := c.Q
		if c.PerNode != nil {
			qs = nil
			for _, r := range c.PerNode {
				qs = append(qs, r*s)
			}
		}
		for _, q := range qs {
			if q >= s*c.N {
				out = append(out, ringCombo{s, q})
			}
		}
	}
	return out
}

// ringScript is the scenario of cluster/ring's TestSimulateScale: s members
// named after seed (seed 0: node-000..), two joins, then the removal of the
// first member and of one from the middle.
func ringScript(s, seed int) ([]string, []ring.Step) {
	name := func(i int) string {
		if seed == 0 {
			return fmt.Sprintf("node-%03d", i)
		}
		return fmt.Sprintf("node-%03d.s%d", i, seed)
	}
	members := make([]string, s)
	for i := range members {
		members[i] = name(i)
	}
	return members, []ring.Step{{Op: ring.Join, Node: name(s)}, {Op: ring.Join, Node: name(s + 1)},
		{Op: ring.Remove, Node: name(0)}, {Op: ring.Remove, Node: name(s / 2)}}
}

func ringsimMain(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseRingsim(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil {
		err = runRingsim(cfg, args, stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	return 0
}
