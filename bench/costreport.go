package main

import (
	"fmt"
	"math"
	"strings"
)

// writeCosts renders the summary of CPU per request, with issue 10's
// targets, and the cluster's peer traffic per request.
func (r *Report) writeCosts(b *strings.Builder) {
	if len(r.Tables) == 0 || len(r.Tables[0].Rows) == 0 {
		return
	}
	b.WriteString("## CPU µs/req\n\n" +
		"Server CPU time per request: the time on CPU of every thread of every process of the server " +
		"(/proc/PID/task/*/schedstat, user and system; the cluster's three processes together) over the test, " +
		"divided by its requests; median over repetitions. A single server's `-t set,get` run is streamed " +
		"(`stdbuf -oL`) so that SET and GET each get the CPU time up to their own CSV line; background work " +
		"(compactions) counts in whichever test it falls. Issue 10's targets at -P 1 in brackets: ✓ met, ✗ missed.\n\n")
	b.WriteString("| server |")
	for _, t := range r.Tables {
		fmt.Fprintf(b, " %s -P %d |", t.Test, t.Pipeline)
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(r.Tables)) + "\n")
	for i, row := range r.Tables[0].Rows {
		fmt.Fprintf(b, "| %s |", row.Label)
		for _, t := range r.Tables {
			fmt.Fprintf(b, " %s |", cpuCell(t.Rows[i]))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	r.writePeer(b)
}

// cpuCell is a row's CPU figure and, if it has one, its target.
func cpuCell(row Row) string {
	s := fmt.Sprintf("%.1f", row.Cost.CPU)
	if row.Target <= 0 || math.IsNaN(row.Cost.CPU) {
		return s
	}
	mark := "✓"
	if row.Cost.CPU > row.Target {
		mark = "✗"
	}
	return fmt.Sprintf("%s (≤ %g %s)", s, row.Target, mark)
}

// writePeer renders the peer traffic of every multi-node row.
func (r *Report) writePeer(b *strings.Builder) {
	if !r.hasCluster() {
		return
	}
	b.WriteString("## Peer traffic per request\n\n" +
		"INFO's peer_bytes_sent, peer_frames_sent and peer_writes (socket write calls carrying peer frames) and " +
		"read_repairs, read on every node before and after each test, the differences summed over the nodes and divided " +
		"by the test's requests; median over repetitions. Frames per write is how many frames one write carried " +
		"(coalescing).\n\n")
	b.WriteString("| server | test | -P | bytes/req | frames/req | writes/req | frames/write | read repairs per 1000 req |\n" +
		"|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range r.Tables {
		for _, row := range t.Rows {
			if row.Nodes < 2 {
				continue
			}
			p := row.Cost.Peer
			fmt.Fprintf(b, "| %s | %s | %d | %.0f | %.2f | %.2f | %s | %.2f |\n", row.Label, t.Test, t.Pipeline,
				p.Bytes, p.Frames, p.Writes, orDash(p.FramesPerWrite), p.RepairsPerK)
		}
	}
	b.WriteString("\n")
}

// orDash formats x with two decimals, or "–" for NaN.
func orDash(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}
