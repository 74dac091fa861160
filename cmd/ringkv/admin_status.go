package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
)

var statusCommand = adminCommand{
	help: "Show the cluster as the node sees it: every known member's gossip state, ring role,\n" +
		"partitions, data, pending hints and transfers, and whether the members agree on the ring.",
	run: runStatus,
}

func runStatus(a *adminRun, c *nodeClient) error {
	s, err := fetchStatus(c)
	if err != nil {
		return err
	}
	conv := converge(s)
	if a.opts.json {
		return writeJSON(a.io.stdout, struct {
			clusterStatus
			Converged bool `json:"converged"`
		}{s, conv.converged})
	}
	return printStatus(a.io.stdout, s, conv)
}

// convergence is whether the alive members agree on the ring.
type convergence struct {
	majority  string // the ring version most alive members report
	agree     int    // alive members reporting it
	alive     int    // alive ring members
	converged bool   // every alive member reports the majority version
}

// converge finds the majority ring version among the alive members (a tie
// goes to the asked node's own version, then to the smaller version).
func converge(s clusterStatus) convergence {
	votes := map[string]int{}
	var c convergence
	for _, m := range s.Members {
		if m.State != "alive" || m.Ring == "removed" {
			continue
		}
		c.alive++
		if m.RingVersion != "" {
			votes[m.RingVersion]++
		}
	}
	own := func(v string) int {
		if v == s.RingVersion {
			return 0
		}
		return 1
	}
	versions := slices.SortedFunc(maps.Keys(votes), func(a, b string) int {
		return cmp.Or(cmp.Compare(votes[b], votes[a]), cmp.Compare(own(a), own(b)), cmp.Compare(a, b))
	})
	if len(versions) > 0 {
		c.majority, c.agree = versions[0], votes[versions[0]]
	}
	c.converged = c.alive > 0 && c.agree == c.alive
	return c
}

func printStatus(w io.Writer, s clusterStatus, c convergence) error {
	conv := "yes"
	if !c.converged {
		conv = fmt.Sprintf("no (%d of %d alive members on ring %s)", c.agree, c.alive, dash(shortVersion(c.majority)))
	}
	fmt.Fprintf(w, "node %s  ring %s  Q=%d  N=%d  converged: %s\n\n",
		s.Node, dash(shortVersion(s.RingVersion)), s.Partitions, s.N, conv)
	members := slices.SortedFunc(slices.Values(s.Members), func(a, b member) int { return cmp.Compare(a.Name, b.Name) })
	t := newTable(w, "NAME", "STATE", "RING", "CLIENT", "PRIMARY", "REPLICAS", "KEYS", "DATA", "HINTS", "TRANSFERS", "RING-VERSION")
	marked := false
	for _, m := range members {
		v := shortVersion(m.RingVersion)
		switch {
		case m.Ring == "removed" || m.State == "left":
			v = "-" // no longer a member: its last version means nothing
		case v == "":
			v = "?"
		case m.RingVersion != c.majority:
			v, marked = v+" *", true
		}
		t.row(m.Name, m.State, m.Ring, dash(m.Client), count(m.Primary), count(m.Replicas), count(m.Keys),
			humanBytes(m.Bytes), count(m.Hints), count(m.Transfers), v)
	}
	if err := t.flush(); err != nil {
		return err
	}
	if marked {
		_, err := fmt.Fprintf(w, "\n* ring version differs from the majority's (%s): that node has not caught up yet\n", shortVersion(c.majority))
		return err
	}
	return nil
}
