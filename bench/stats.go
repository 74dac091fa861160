package main

import (
	"math"
	"sort"
)

// Median returns the middle value (mean of the two middle ones for an even
// count), or NaN for none. It does not modify xs.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Summary is the report's figure for one server and test over repetitions.
type Summary struct {
	RPS, P50, P99  float64 // medians over repetitions, each taken separately
	MinRPS, MaxRPS float64 // spread of requests/s over repetitions
	Reps           int
}

// Summarize takes the median of each metric separately over repetitions.
func Summarize(runs []Result) Summary {
	var rps, p50, p99 []float64
	for _, r := range runs {
		rps, p50, p99 = append(rps, r.RPS), append(p50, r.P50), append(p99, r.P99)
	}
	s := Summary{RPS: Median(rps), P50: Median(p50), P99: Median(p99), Reps: len(runs)}
	if len(rps) > 0 {
		sort.Float64s(rps)
		s.MinRPS, s.MaxRPS = rps[0], rps[len(rps)-1]
	}
	return s
}

// Combine merges simultaneous runs against the nodes of one cluster into one
// result: requests/s add up; latencies are the worst node's.
func Combine(parts []Result) Result {
	var c Result
	for i, r := range parts {
		if i == 0 {
			c.Test = r.Test
		}
		c.RPS += r.RPS
		c.P50, c.P95, c.P99, c.Max = max(c.P50, r.P50), max(c.P95, r.P95), max(c.P99, r.P99), max(c.Max, r.Max)
	}
	return c
}
