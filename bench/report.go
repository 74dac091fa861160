package main

import (
	"fmt"
	"strings"
)

// Report is everything a run found; Markdown renders it.
type Report struct {
	Facts   Facts
	Cfg     Config
	Servers []*target // in row order; the first is redis-server
	Tables  []Table
	Memory  []MemRow
	Notes   []string
	Profile string       // `go tool pprof -top` output, if any
	Types   *TypesReport // the data-type mode's tables (typesreport.go); nil otherwise
}

// Table is one test at one pipeline depth, one row per server.
type Table struct {
	Test     string // "SET" or "GET"
	Pipeline int
	Requests int
	// ClusterRequests is the cluster's -n (over its nodes), shown when it
	// differs from Requests (-cluster-n, -cluster-n16).
	ClusterRequests int
	Rows            []Row
}

// Row is one server's figures in a Table.
type Row struct {
	Label  string
	Nodes  int // processes of the server: 3 for the cluster
	S      Summary
	Cost   Cost    // medians over repetitions (MedianCost)
	Target float64 // issue 10's CPU budget in µs/req; 0 for none
}

// MemRow is one server's memory after loading Keys keys.
type MemRow struct {
	Label               string
	EmptyKiB, LoadedKiB int64  // VmRSS, summed over a cluster's nodes
	DBSize              string // what DBSIZE answered after the load
	DiskBytes           int64  // data dir size; -1 when the server keeps none
	Settled             bool   // RSS and CPU went quiet before the reading
	Failed              string // why the load or the reading failed; "" if it did not
}

// note adds a line to the report's notes once.
func (r *Report) note(format string, a ...any) {
	s := fmt.Sprintf(format, a...)
	for _, n := range r.Notes {
		if n == s {
			return
		}
	}
	r.Notes = append(r.Notes, s)
}

// Markdown renders the report.
func (r *Report) Markdown() string {
	var b strings.Builder
	r.writeFacts(&b)
	if r.Types != nil {
		r.writeTypes(&b)
	} else {
		r.writeServers(&b)
		r.writeCosts(&b) // costreport.go
	}
	for _, t := range r.Tables {
		writeTable(&b, t)
	}
	r.writeMemory(&b)
	if len(r.Notes) > 0 {
		b.WriteString("## Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		b.WriteString("\n")
	}
	if r.Profile != "" {
		fmt.Fprintf(&b, "## ringkv CPU profile\n\n```text\n%s\n```\n", strings.TrimSpace(r.Profile))
	}
	return b.String()
}

func (r *Report) writeFacts(b *strings.Builder) {
	f := r.Facts
	fmt.Fprintf(b, "# ringkv vs redis-server on loopback\n\n| | |\n|---|---|\n")
	for _, kv := range [][2]string{
		{"date", f.Date}, {"cores (nproc)", fmt.Sprint(f.Nproc)}, {"CPU", f.CPU}, {"kernel", f.Kernel},
		{"load average at start / end", f.LoadStart + " / " + f.LoadEnd},
		{"go", f.Go}, {"redis-server", f.Redis}, {"redis-benchmark", f.RedisBenchmark}, {"ringkv commit", f.Ringkv},
	} {
		fmt.Fprintf(b, "| %s | %s |\n", kv[0], kv[1])
	}
	b.WriteString("\n")
}

func (r *Report) writeServers(b *strings.Builder) {
	c := r.Cfg
	b.WriteString("## Servers and workload\n\n")
	for _, t := range r.Servers {
		fmt.Fprintf(b, "- **%s**: `%s`\n", t.Label, t.Config)
	}
	fmt.Fprintf(b, "\nEach server: `redis-benchmark -h 127.0.0.1 -p PORT -t set,get -c %d -r %d -d %d -n N -P {1,16} --csv`, "+
		"N = %d at -P 1 and %d at -P 16; %d repetitions with the servers interleaved; each figure is the median over "+
		"repetitions (taken separately). ", c.Clients, c.Keyspace, c.DataSize, c.Requests, c.RequestsP16, c.Reps)
	if c.Preload {
		fmt.Fprintf(b, "All %d keys of the key space (`key:000000000000`..) are loaded beforehand "+
			"with %d-byte values, so every GET hits.", c.Keyspace, c.DataSize)
	} else {
		b.WriteString("Each server starts the throughput runs empty (FLUSHALL); the keys the SET runs write " +
			"stay for the later runs, so GETs hit only the keys written so far, as redis-benchmark's own " +
			"`-t set,get` measures (use -preload to make every GET hit).")
	}
	if r.hasCluster() {
		fmt.Fprintf(b, " The cluster gets one redis-benchmark per node at the same time (-c %d each, N/3 requests each, "+
			"`-t set` and then `-t get` so the phases line up): requests/s is their sum, p50 and p99 the worst node's.", c.NodeClients)
		if c.clusterRequests(1) != c.Requests || c.clusterRequests(16) != c.RequestsP16 {
			fmt.Fprintf(b, " For the cluster N = %d at -P 1 and %d at -P 16.", c.clusterRequests(1), c.clusterRequests(16))
		}
	}
	b.WriteString("\n\n")
}

// writeTable renders one test; the ratio is requests/s over redis-server's.
func writeTable(b *strings.Builder, t Table) {
	fmt.Fprintf(b, "## %s, -P %d (n = %d%s)\n\n", t.Test, t.Pipeline, t.Requests, clusterN(t))
	b.WriteString("| server | requests/s | p50 ms | p99 ms | CPU µs/req | vs redis-server | requests/s range |\n|---|---:|---:|---:|---:|---:|---:|\n")
	var base float64
	for i, row := range t.Rows {
		s := row.S
		if i == 0 {
			base = s.RPS
		}
		fmt.Fprintf(b, "| %s | %.0f | %.3f | %.3f | %.1f | %s | %.0f–%.0f |\n", row.Label, s.RPS, s.P50, s.P99, row.Cost.CPU,
			ratio(s.RPS, base), s.MinRPS, s.MaxRPS)
	}
	b.WriteString("\n")
}

// clusterN is ", cluster N" when the cluster's -n differs and it ran.
func clusterN(t Table) string {
	for _, row := range t.Rows {
		if row.Nodes > 1 && t.ClusterRequests != t.Requests {
			return fmt.Sprintf(", cluster %d", t.ClusterRequests)
		}
	}
	return ""
}

func (r *Report) writeMemory(b *strings.Builder) {
	if len(r.Memory) == 0 {
		return
	}
	fmt.Fprintf(b, "## Memory: %d keys `key:0000000`.. with %d-byte values, loaded with redis-cli --pipe\n\n", r.Cfg.MemKeys, r.Cfg.DataSize)
	b.WriteString("| server | RSS empty MiB | RSS loaded MiB | vs redis-server | DBSIZE | data on disk MiB |\n|---|---:|---:|---:|---:|---:|\n")
	base := float64(r.Memory[0].LoadedKiB)
	for _, m := range r.Memory {
		disk := "–"
		if m.DiskBytes >= 0 {
			disk = fmt.Sprintf("%.1f", float64(m.DiskBytes)/(1<<20))
		}
		loaded := fmt.Sprintf("%.1f", float64(m.LoadedKiB)/1024)
		vs := ratio(float64(m.LoadedKiB), base)
		switch {
		case m.Failed != "":
			loaded, vs = "load failed (see notes)", "–"
		case !m.Settled:
			loaded += " (not settled)"
		}
		fmt.Fprintf(b, "| %s | %.1f | %s | %s | %s | %s |\n", m.Label, float64(m.EmptyKiB)/1024, loaded, vs, m.DBSize, disk)
	}
	b.WriteString("\nRSS is VmRSS from /proc/PID/status (summed over a cluster's nodes), read once RSS and CPU had been " +
		"still for 2 s. ringkv keeps its data in LevelDB on disk, so its RSS is caches and buffers, not the data set.\n\n")
}

// ratio formats x/base as "0.42×", or "–" without a base.
func ratio(x, base float64) string {
	if base <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", x/base)
}

// hasCluster reports whether a multi-node target was benchmarked.
func (r *Report) hasCluster() bool {
	for _, t := range r.Servers {
		if len(t.Nodes) > 1 {
			return true
		}
	}
	return false
}
