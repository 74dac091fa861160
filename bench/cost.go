package main

import "math"

// What a request costs the servers (issue 10): CPU time per request for
// every server and, for the cluster, what went between the nodes. The
// figures come from measure (benchmark.go) as Samples; the report shows
// their medians beside issue 10's CPU targets (costreport.go).

// cpuTargets are issue 10's CPU budgets in µs per request at -P 1, by the
// kind of target: a single ringkv node, and the 3-node cluster (its three
// processes together). redis-server has none.
var cpuTargets = map[string]map[string]float64{
	"single":  {"SET": 14, "GET": 20},
	"cluster": {"SET": 34, "GET": 34},
}

// cpuTarget is t's CPU budget for test at pipeline depth p, or 0 for none.
func cpuTarget(t *target, test string, p int) float64 {
	if t.Redis || p != 1 {
		return 0
	}
	kind := "single"
	if len(t.Nodes) > 1 {
		kind = "cluster"
	}
	return cpuTargets[kind][test]
}

// MedianCost takes the median of each figure separately over runs;
// frames per write only over the runs that wrote to peers.
func MedianCost(runs []Cost) Cost {
	var cpu, bytes, frames, writes, fpw, repairs []float64
	for _, c := range runs {
		cpu, bytes, frames = append(cpu, c.CPU), append(bytes, c.Peer.Bytes), append(frames, c.Peer.Frames)
		writes, repairs = append(writes, c.Peer.Writes), append(repairs, c.Peer.RepairsPerK)
		if !math.IsNaN(c.Peer.FramesPerWrite) {
			fpw = append(fpw, c.Peer.FramesPerWrite)
		}
	}
	return Cost{CPU: Median(cpu), Peer: PeerCost{Bytes: Median(bytes), Frames: Median(frames), Writes: Median(writes),
		FramesPerWrite: Median(fpw), RepairsPerK: Median(repairs)}}
}
