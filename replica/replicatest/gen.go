package replicatest

import (
	"fmt"
	"math/rand"
	"slices"
	"time"
)

// GenConfig shapes a random schedule. The client ops come from Seed
// alone and the faults from FaultSeed alone, so one history can be
// replayed under different fault schedules (metamorphic tests).
type GenConfig struct {
	Seed      int64
	FaultSeed int64 // default: Seed
	Ops       int   // client ops; default 150
	Sets      int   // set-add keys s0, s1, ...; default 3
	Registers int   // put and delete keys r0, ...; default 3
	Counters  int   // increment keys c0, ...; default 2
	// Faults is the chance of a fault op (partition, heal, slow link,
	// crash, wipe, restart, gossip, tick, anti-entropy, reap) before each
	// client op; 0: a calm run with ticks only.
	Faults float64
	// MaxDown bounds the nodes down at once. Default 1.
	MaxDown int
	// MaxWipes bounds the wipes in the run: with at most W-1, some node
	// that acknowledged each write keeps it. Default 0.
	MaxWipes int
	// Par is the chance that a client op runs at once with another.
	Par float64
	// Via is the client's node: "" a random node, "*" the key's first
	// running primary.
	Via string
}

func (g *GenConfig) defaults() {
	if g.FaultSeed == 0 {
		g.FaultSeed = g.Seed
	}
	if g.Ops == 0 {
		g.Ops = 150
	}
	if g.Sets == 0 && g.Registers == 0 && g.Counters == 0 {
		g.Sets, g.Registers, g.Counters = 3, 3, 2
	}
	if g.MaxDown == 0 {
		g.MaxDown = 1
	}
}

// Generate returns a random schedule over nodes, ending with a stabilize
// and a check.
func Generate(g GenConfig, nodes []string) []Op {
	g.defaults()
	hist := rand.New(rand.NewSource(g.Seed))
	f := faulter{g: g, rng: rand.New(rand.NewSource(g.FaultSeed)), nodes: nodes}
	var ops []Op
	for i := range g.Ops {
		if f.rng.Float64() < g.Faults {
			ops = append(ops, f.next()...)
		} else if f.rng.Intn(8) == 0 {
			ops = append(ops, Op{Cmd: "tick", Dur: time.Duration(1+f.rng.Intn(200)) * time.Millisecond})
		}
		if g.Par > 0 && hist.Float64() < g.Par {
			a, b := clientOp(hist, g, nodes, i), clientOp(hist, g, nodes, i+g.Ops)
			ops = append(ops, Op{Cmd: "par", Par: []Op{a, b}})
			continue
		}
		ops = append(ops, clientOp(hist, g, nodes, i))
	}
	return append(ops, Op{Cmd: "stabilize"}, Op{Cmd: "check"})
}

// clientOp draws the i-th client op.
func clientOp(rng *rand.Rand, g GenConfig, nodes []string, i int) Op {
	via := g.Via
	if via == "" {
		via = nodes[rng.Intn(len(nodes))]
	}
	keys := g.Sets + g.Registers + g.Counters
	k := rng.Intn(keys)
	switch {
	case k < g.Sets:
		return Op{Cmd: "vset", Via: via, Key: fmt.Sprint("s", k), Arg: fmt.Sprint("e", i)}
	case k < g.Sets+g.Registers:
		key := fmt.Sprint("r", k-g.Sets)
		switch rng.Intn(6) {
		case 0, 1:
			return Op{Cmd: "del", Via: via, Key: key}
		case 2:
			return Op{Cmd: "get", Via: via, Key: key}
		}
		return Op{Cmd: "put", Via: via, Key: key, Arg: fmt.Sprint("v", i)}
	}
	return Op{Cmd: "incr", Via: via, Key: fmt.Sprint("c", k-g.Sets-g.Registers)}
}

// faulter draws fault ops, keeping track of which nodes are down.
type faulter struct {
	g     GenConfig
	rng   *rand.Rand
	nodes []string
	down  []string
	wipes int
}

func (f *faulter) next() []Op {
	switch r := f.rng.Intn(20); {
	case r < 3:
		return []Op{f.split()}
	case r < 6:
		return []Op{{Cmd: "heal"}}
	case r < 8 && len(f.down) < f.g.MaxDown:
		return []Op{f.kill()}
	case r < 11 && len(f.down) > 0:
		i := f.rng.Intn(len(f.down))
		n := f.down[i]
		f.down = slices.Delete(f.down, i, i+1)
		return []Op{{Cmd: "restart", Node: n}}
	case r < 14:
		return []Op{{Cmd: "gossip"}}
	case r < 15:
		d := time.Duration(0)
		if f.rng.Intn(2) == 0 {
			d = time.Duration(20+f.rng.Intn(200)) * time.Millisecond
		}
		return []Op{{Cmd: "slow", Node: f.nodes[f.rng.Intn(len(f.nodes))], Dur: d}}
	case r < 16:
		return []Op{{Cmd: "aae"}}
	case r < 17:
		// A calm spell: hints drain and old tombstones are reaped, then
		// the faults resume over keys that were reaped.
		f.down = nil
		return []Op{{Cmd: "recover"}, {Cmd: "tick", Dur: 600 * time.Millisecond}, {Cmd: "reap"}}
	}
	return []Op{{Cmd: "tick", Dur: time.Duration(1+f.rng.Intn(300)) * time.Millisecond}}
}

// split cuts the nodes in two random groups.
func (f *faulter) split() Op {
	if len(f.nodes) < 2 {
		return Op{Cmd: "heal"}
	}
	perm := f.rng.Perm(len(f.nodes))
	cut := 1 + f.rng.Intn(len(f.nodes)-1)
	var a, b []string
	for i, p := range perm {
		if i < cut {
			a = append(a, f.nodes[p])
		} else {
			b = append(b, f.nodes[p])
		}
	}
	slices.Sort(a)
	slices.Sort(b)
	return Op{Cmd: "partition", Groups: [][]string{a, b}}
}

// kill crashes a running node, or wipes it while the budget lasts.
func (f *faulter) kill() Op {
	up := slices.DeleteFunc(slices.Clone(f.nodes), func(n string) bool { return slices.Contains(f.down, n) })
	n := up[f.rng.Intn(len(up))]
	f.down = append(f.down, n)
	if f.wipes < f.g.MaxWipes && f.rng.Intn(3) == 0 {
		f.wipes++
		return Op{Cmd: "wipe", Node: n}
	}
	return Op{Cmd: "crash", Node: n}
}
