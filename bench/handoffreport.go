package main

import (
	"fmt"
	"strings"
	"time"
)

// HandoffReport is everything the handoff mode found; Markdown renders it.
type HandoffReport struct {
	Facts      Facts
	Cfg        Config
	Invocation string
	Trials     []*HandoffTrial
}

// Markdown renders the report: setup, then one table each for the
// transfer, the foreground latency and the CPU, a row group per trial.
func (r *HandoffReport) Markdown() string {
	var b strings.Builder
	r.writeSetup(&b)
	r.writeTransfer(&b)
	r.writeLatency(&b)
	r.writeCPU(&b)
	for _, t := range r.Trials {
		if t.Err != "" {
			fmt.Fprintf(&b, "- **--transfer-rate %s failed**: %s\n", t.Rate, t.Err)
		}
	}
	for _, t := range r.Trials {
		if t.Stacks != "" {
			fmt.Fprintf(&b, "\n### Where the handoff loop's wall time went, --transfer-rate %s\n\n"+
				"Samples of each node's goroutine running HandoffOnce, every 250 ms from the join until settled "+
				"(phase: activity).\n\n```text\n%s```\n", t.Rate, t.Stacks)
		}
		for _, p := range t.Profiles {
			fmt.Fprintf(&b, "\n### CPU profile, --transfer-rate %s\n\n```text\n%s\n```\n", t.Rate, p)
		}
	}
	return b.String()
}

func (r *HandoffReport) writeSetup(b *strings.Builder) {
	f, h := r.Facts, r.Cfg.Handoff
	fmt.Fprintf(b, "# Partition handoff: a 4th node joins a loaded 3-node cluster\n\n`%s`\n\n| | |\n|---|---|\n", r.Invocation)
	for _, kv := range [][2]string{
		{"date", f.Date}, {"cores (nproc)", fmt.Sprint(f.Nproc)}, {"CPU", f.CPU},
		{"load average at start / end", f.LoadStart + " / " + f.LoadEnd}, {"go", f.Go}, {"ringkv commit", f.Ringkv},
	} {
		fmt.Fprintf(b, "| %s | %s |\n", kv[0], kv[1])
	}
	fmt.Fprintf(b, "\nNodes n1..n3 (`--n 3 --r 2 --w 2 --partitions %d --appendfsync everysec`, each in its own temp dir, loopback), "+
		"loaded with %d keys of %d pseudo-random bytes (%s of values) through %d pipelined connections (depth %d); then, "+
		"once the nodes are quiet, %v of foreground load (one client, %d ops/s, GET and SET of loaded keys in turn, through n1, n2, n3 in turn); "+
		"then n4 starts with `--join` n1 while the same foreground load runs, until every node's "+
		"`handoff_settled_ring_version` equals its `cluster_ring_version` with no transfer pending and no partition left to drop. "+
		"Times are from n4's start, read from INFO every 200 ms. MB = 10^6 bytes.\n\n",
		h.Partitions, h.keys(), h.Value, hoMB(int64(h.keys())*int64(h.Value)), h.Conns, h.Depth, h.Baseline, h.FgRate)
}

func (r *HandoffReport) writeTransfer(b *strings.Builder) {
	b.WriteString("## Transfer to n4 (times in s from n4's start)\n\n| --transfer-rate | load | bytes received | keys received | join → first byte | " +
		"first → last byte | join → n4 done | join → all settled | MB/s streaming | MB/s join → settled | n4 waited for compaction | n4 LevelDB wrote |\n" +
		"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range r.Trials {
		stream := t.LastByte - t.FirstByte
		amp := "–"
		if t.Bytes > 0 {
			amp = fmt.Sprintf("%.1f×", float64(t.LdbWrote)/float64(t.Bytes))
		}
		fmt.Fprintf(b, "| %s | %s in %s s (%s MB/s) | %s | %d | %s | %s | %s | %s | %s | %s | %s s | %s (%s) |\n", t.Rate, hoMB(t.Loaded), hoSecs(t.LoadTook),
			mbps(t.Loaded, t.LoadTook), hoMB(t.Bytes), t.Received, hoSecs(t.FirstByte), hoSecs(stream), hoSecs(t.Streamed),
			hoSecs(t.Settled), mbps(t.Bytes, stream), mbps(t.Bytes, t.Settled), hoSecs(time.Duration(t.WaitMs)*time.Millisecond),
			hoMB(t.LdbWrote), amp)
	}
	b.WriteString("\nBytes received are n4's `handoff_bytes_received` (transfer pages: keys and encoded version sets). " +
		"The first second or so after the join is the ring settling (`Handoff.Settle`, 2 s) before transfers start; " +
		"after n4 is done the old nodes hand off and drop the partitions they no longer hold. " +
		"n4 waited for compaction is its `handoff_wait_ms`: how long received pages were held back while its LevelDB had 6 or more level-0 tables. " +
		"n4 LevelDB wrote is its `leveldb_write_bytes` (journal, memtable flushes and compactions: at least twice what is stored), and its ratio to the bytes received.\n\n")
}

func (r *HandoffReport) writeLatency(b *strings.Builder) {
	b.WriteString("## Foreground latency (ms)\n\n| --transfer-rate | window | ops | errors | GET misses | p50 | p99 | max | GET p99 | SET p99 |\n" +
		"|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	get, set := false, true
	for _, t := range r.Trials {
		rows := []struct {
			name     string
			s        []fgSample
			from, to time.Duration
		}{
			{"before the join", t.Before, 0, 0},
			{"streaming (first → last byte)", t.During, t.FirstByte, max(t.LastByte, t.FirstByte+time.Millisecond)},
			{"join → all settled", t.During, 0, t.Settled},
		}
		for _, w := range rows {
			a := SummarizeFg(w.s, w.from, w.to, nil)
			g, s := SummarizeFg(w.s, w.from, w.to, &get), SummarizeFg(w.s, w.from, w.to, &set)
			fmt.Fprintf(b, "| %s | %s | %d | %d | %d | %s | %s | %s | %s | %s |\n", t.Rate, w.name, a.Ops, a.Errs, g.Misses,
				hoMs(a.P50), hoMs(a.P99), hoMs(a.Max), hoMs(g.P99), hoMs(s.P99))
		}
	}
	b.WriteString("\n")
}

func (r *HandoffReport) writeCPU(b *strings.Builder) {
	b.WriteString("## CPU per node (all threads, /proc/PID/task/*/schedstat)\n\n" +
		"| --transfer-rate | node | before the join | join → all settled | share of one core |\n|---|---|---:|---:|---:|\n")
	for _, t := range r.Trials {
		for _, c := range t.CPU {
			base := "—"
			if c.Baseline > 0 {
				base = fmt.Sprintf("%s s (%.0f%%)", hoSecs(c.Baseline), cpuPct(c.Baseline, t.Baseline))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s s | %.0f%% |\n", t.Rate, c.Name, base, hoSecs(c.Join), cpuPct(c.Join, t.Settled))
		}
	}
	b.WriteString("\n")
}

// hoMB formats bytes as MB (10^6).
func hoMB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// mbps is n bytes over d in MB/s, "—" for no time.
func mbps(n int64, d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f", float64(n)/1e6/d.Seconds())
}

// hoSecs formats d in seconds, "—" for zero (never seen).
func hoSecs(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f", d.Seconds())
}

// hoMs formats d in milliseconds.
func hoMs(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// cpuPct is cpu as a percentage of one core over wall.
func cpuPct(cpu, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return 100 * cpu.Seconds() / wall.Seconds()
}
