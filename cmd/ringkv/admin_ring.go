package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
)

var ringCommand = adminCommand{
	help: "Show how the ring's partitions are spread over the members: each one's primary and\n" +
		"replica counts as a share of the mean, and the spread between the least and most loaded.",
	run: runRing,
}

// ringReport is the ring's balance, computed from RINGKV STATUS.
type ringReport struct {
	RingVersion       string    `json:"ring_version"`
	Partitions        int64     `json:"partitions"`          // Q
	N                 int64     `json:"n"`                   // replicas per key
	Nodes             int       `json:"nodes"`               // S: members in the ring
	PartitionsPerNode float64   `json:"partitions_per_node"` // Q/S
	Members           []ringRow `json:"members"`
	PrimaryMinPct     float64   `json:"primary_min_pct"` // of the mean
	PrimaryMaxPct     float64   `json:"primary_max_pct"`
	ReplicasMinPct    float64   `json:"replicas_min_pct"`
	ReplicasMaxPct    float64   `json:"replicas_max_pct"`
}

// ringRow is one member's share of the ring.
type ringRow struct {
	Name        string  `json:"name"`
	Ring        string  `json:"ring"`
	Primary     int64   `json:"primary"`
	PrimaryPct  float64 `json:"primary_pct"` // of the mean
	Replicas    int64   `json:"replicas"`
	ReplicasPct float64 `json:"replicas_pct"`
}

func runRing(a *adminRun, c *nodeClient) error {
	s, err := fetchStatus(c)
	if err != nil {
		return err
	}
	r := ringBalance(s)
	if a.opts.json {
		return writeJSON(a.io.stdout, r)
	}
	return printRing(a.io.stdout, r)
}

// ringBalance computes each ring member's share of primaries and replicas
// against the mean over the members (removed nodes are not in the ring).
func ringBalance(s clusterStatus) ringReport {
	r := ringReport{RingVersion: s.RingVersion, Partitions: s.Partitions, N: s.N, Members: []ringRow{}}
	var primaries, replicas int64
	for _, m := range s.Members {
		if m.Ring == "removed" {
			continue
		}
		r.Members = append(r.Members, ringRow{Name: m.Name, Ring: m.Ring, Primary: m.Primary, Replicas: m.Replicas})
		primaries, replicas = primaries+m.Primary, replicas+m.Replicas
	}
	slices.SortFunc(r.Members, func(a, b ringRow) int { return cmp.Compare(a.Name, b.Name) })
	r.Nodes = len(r.Members)
	if r.Nodes == 0 {
		return r
	}
	r.PartitionsPerNode = float64(s.Partitions) / float64(r.Nodes)
	meanP, meanR := float64(primaries)/float64(r.Nodes), float64(replicas)/float64(r.Nodes)
	r.PrimaryMinPct, r.ReplicasMinPct = math.Inf(1), math.Inf(1)
	for i := range r.Members {
		m := &r.Members[i]
		m.PrimaryPct, m.ReplicasPct = pctOf(m.Primary, meanP), pctOf(m.Replicas, meanR)
		r.PrimaryMinPct, r.PrimaryMaxPct = min(r.PrimaryMinPct, m.PrimaryPct), max(r.PrimaryMaxPct, m.PrimaryPct)
		r.ReplicasMinPct, r.ReplicasMaxPct = min(r.ReplicasMinPct, m.ReplicasPct), max(r.ReplicasMaxPct, m.ReplicasPct)
	}
	return r
}

// pctOf is n as a percentage of mean, to one decimal (0 when mean is 0).
func pctOf(n int64, mean float64) float64 {
	if mean == 0 {
		return 0
	}
	return math.Round(float64(n)/mean*1000) / 10
}

func printRing(w io.Writer, r ringReport) error {
	fmt.Fprintf(w, "ring %s  Q=%d  N=%d  S=%d\n\n", dash(shortVersion(r.RingVersion)), r.Partitions, r.N, r.Nodes)
	t := newTable(w, "NAME", "RING", "PRIMARY", "OF-MEAN", "REPLICAS", "OF-MEAN")
	for _, m := range r.Members {
		t.row(m.Name, m.Ring, count(m.Primary), fmt.Sprintf("%.1f%%", m.PrimaryPct),
			count(m.Replicas), fmt.Sprintf("%.1f%%", m.ReplicasPct))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if r.Nodes == 0 {
		_, err := fmt.Fprintln(w, "\nno members in the ring")
		return err
	}
	_, err := fmt.Fprintf(w, "\nbalance: primary %.1f%%..%.1f%% of mean, replicas %.1f%%..%.1f%% of mean (Q=%d, S=%d, Q/S=%.1f)\n",
		r.PrimaryMinPct, r.PrimaryMaxPct, r.ReplicasMinPct, r.ReplicasMaxPct, r.Partitions, r.Nodes, r.PartitionsPerNode)
	return err
}
