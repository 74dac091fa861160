package main

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
)

// Result is one line of redis-benchmark --csv output. Latencies are in ms.
type Result struct {
	Test                              string // "SET", "GET", ...
	RPS, Avg, Min, P50, P95, P99, Max float64
}

// csvColumns maps redis-benchmark 7.0's CSV header names to Result fields.
var csvColumns = map[string]func(*Result) *float64{
	"rps":            func(r *Result) *float64 { return &r.RPS },
	"avg_latency_ms": func(r *Result) *float64 { return &r.Avg },
	"min_latency_ms": func(r *Result) *float64 { return &r.Min },
	"p50_latency_ms": func(r *Result) *float64 { return &r.P50 },
	"p95_latency_ms": func(r *Result) *float64 { return &r.P95 },
	"p99_latency_ms": func(r *Result) *float64 { return &r.P99 },
	"max_latency_ms": func(r *Result) *float64 { return &r.Max },
}

// ParseCSV reads redis-benchmark --csv output: a header line starting with
// "test" and one quoted line per test. Columns are found by header name.
// Lines that are not CSV records (warnings, errors) are returned as notes.
func ParseCSV(out string) (results []Result, notes []string, err error) {
	var header []string
	for _, line := range strings.Split(strings.ReplaceAll(out, "\r", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		rec, rerr := csv.NewReader(strings.NewReader(line)).Read()
		switch {
		case rerr != nil || !strings.HasPrefix(line, `"`):
			notes = append(notes, line)
		case rec[0] == "test":
			header = rec
		case header == nil:
			return nil, notes, fmt.Errorf("bench: CSV record before header: %q", line)
		default:
			r, err := parseRecord(header, rec)
			if err != nil {
				return nil, notes, err
			}
			results = append(results, r)
		}
	}
	if header == nil {
		return nil, notes, fmt.Errorf("bench: no CSV header in redis-benchmark output")
	}
	return results, notes, nil
}

// parseRecord turns one CSV record into a Result using the header's names.
func parseRecord(header, rec []string) (Result, error) {
	if len(rec) != len(header) {
		return Result{}, fmt.Errorf("bench: CSV record has %d fields, header %d: %q", len(rec), len(header), rec)
	}
	r := Result{Test: rec[0]}
	for i, name := range header[1:] {
		field, ok := csvColumns[name]
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(rec[i+1], 64)
		if err != nil {
			return Result{}, fmt.Errorf("bench: %s of %s: %w", name, r.Test, err)
		}
		*field(&r) = v
	}
	return r, nil
}
