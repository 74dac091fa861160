package main

import (
	"fmt"
	"slices"
	"strings"
)

// TypesReport is the data-type mode's part of the Report.
type TypesReport struct {
	Tests  []string    // -t names run, in redis-benchmark's order
	Added  []string    // producers ParseTests added
	Order  []string    // CSV test names, in the order of the first run
	Tables []TypeTable // one per test and pipeline depth

	cpu map[string][]float64 // µs per request per run, by resultKey
}

// TypeTable is one test at one pipeline depth, one row per server.
type TypeTable struct {
	Test     string // redis-benchmark's CSV name, e.g. "LRANGE_100 (first 100 elements)"
	Pipeline int
	Requests int
	Rows     []TypeRow
}

// TypeRow is one server's figures in a TypeTable.
type TypeRow struct {
	Label string
	S     Summary
	CPU   float64 // server CPU µs per request, median over repetitions
}

// checkOrder records the first run's test names and insists that every
// later run printed the same ones in the same order.
func (tr *TypesReport) checkOrder(res []Result) error {
	var names []string
	for _, x := range res {
		names = append(names, x.Test)
	}
	if tr.Order == nil {
		tr.Order = names
		return nil
	}
	if !slices.Equal(names, tr.Order) {
		return fmt.Errorf("bench: redis-benchmark printed tests %q, the first run %q", names, tr.Order)
	}
	return nil
}

// tabulate turns the raw results into tables.
func (tr *TypesReport) tabulate(r *runner) {
	for _, p := range Pipelines {
		for _, test := range tr.Order {
			tb := TypeTable{Test: test, Pipeline: p, Requests: r.cfg.requests(p)}
			for _, t := range r.rep.Servers {
				k := resultKey(t.Label, test, p)
				tb.Rows = append(tb.Rows, TypeRow{Label: t.Label, S: Summarize(r.results[k]), CPU: Median(tr.cpu[k])})
			}
			tr.Tables = append(tr.Tables, tb)
		}
	}
}

// writeTypes renders the data-type mode: servers and workload, a summary
// of every test side by side, then one table per test as for SET and GET.
func (r *Report) writeTypes(b *strings.Builder) {
	c, tr := r.Cfg, r.Types
	b.WriteString("## Servers and workload\n\n")
	var labels []string
	for _, t := range r.Servers {
		fmt.Fprintf(b, "- **%s**: `%s`\n", t.Label, t.Config)
		labels = append(labels, t.Label)
	}
	fmt.Fprintf(b, "\nEach server: `stdbuf -oL redis-benchmark -h 127.0.0.1 -p PORT -t %s -c %d -r %d -d %d -n N -P {1,16} --csv`, "+
		"N = %d at -P 1 and %d at -P 16; %d repetitions with the servers interleaved; each figure is the median over "+
		"repetitions (taken separately). Every run starts from FLUSHALL and an idle server, and runs the tests in "+
		"redis-benchmark's own order, the same on every server: LPOP and RPOP pop what LPUSH and RPUSH pushed, SPOP and "+
		"ZPOPMIN what SADD and ZADD added, and the LRANGE tests read the list redis-benchmark's own \"LPUSH (needed to "+
		"benchmark LRANGE)\" fills (N elements). ", strings.Join(tr.Tests, ","), c.Clients, c.Keyspace, c.DataSize,
		c.Requests, c.RequestsP16, c.Reps)
	if len(tr.Added) > 0 {
		fmt.Fprintf(b, "Added so that the pops have data: %s. ", strings.Join(tr.Added, ", "))
	}
	b.WriteString("**CPU µs/req** is the server process's CPU time (summed over its threads, /proc/PID/task/*/schedstat) " +
		"between redis-benchmark's CSV line for the previous test and this test's own (stdbuf -oL makes each line arrive " +
		"as its test ends), divided by N; it includes any background work (compactions) that falls in that window.\n\n")

	fmt.Fprintf(b, "## Summary: each cell is %s\n\n", strings.Join(labels, " / "))
	b.WriteString("| test | -P | requests/s | vs redis-server | p50 ms | p99 ms | CPU µs/req |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range tr.Tables {
		var rps, vs, p50, p99, cpu []string
		for i, row := range t.Rows {
			rps = append(rps, fmt.Sprintf("%.0f", row.S.RPS))
			p50 = append(p50, fmt.Sprintf("%.3f", row.S.P50))
			p99 = append(p99, fmt.Sprintf("%.3f", row.S.P99))
			cpu = append(cpu, fmt.Sprintf("%.1f", row.CPU))
			if i > 0 {
				vs = append(vs, ratio(row.S.RPS, t.Rows[0].S.RPS))
			}
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s | %s |\n", shortTest(t.Test), t.Pipeline, strings.Join(rps, " / "),
			strings.Join(vs, " / "), strings.Join(p50, " / "), strings.Join(p99, " / "), strings.Join(cpu, " / "))
	}
	b.WriteString("\n")
	for _, t := range tr.Tables {
		writeTypeTable(b, t)
	}
}

// writeTypeTable renders one test like writeTable, plus CPU µs/req.
func writeTypeTable(b *strings.Builder, t TypeTable) {
	fmt.Fprintf(b, "## %s, -P %d (n = %d)\n\n", t.Test, t.Pipeline, t.Requests)
	b.WriteString("| server | requests/s | p50 ms | p99 ms | vs redis-server | requests/s range | CPU µs/req |\n|---|---:|---:|---:|---:|---:|---:|\n")
	var base float64
	for i, row := range t.Rows {
		s := row.S
		if i == 0 {
			base = s.RPS
		}
		fmt.Fprintf(b, "| %s | %.0f | %.3f | %.3f | %s | %.0f–%.0f | %.1f |\n", row.Label, s.RPS, s.P50, s.P99,
			ratio(s.RPS, base), s.MinRPS, s.MaxRPS, row.CPU)
	}
	b.WriteString("\n")
}
