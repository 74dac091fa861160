package main

import (
	"math"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{7, 7, 1}, 7},
	} {
		in := append([]float64(nil), c.in...)
		if got := Median(c.in); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
		for i := range in {
			if in[i] != c.in[i] {
				t.Errorf("Median modified its input: %v", c.in)
			}
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
}

func TestSummarizeTakesEachMedianSeparately(t *testing.T) {
	s := Summarize([]Result{
		{RPS: 100, P50: 0.3, P99: 9},
		{RPS: 300, P50: 0.1, P99: 1},
		{RPS: 200, P50: 0.2, P99: 5},
	})
	want := Summary{RPS: 200, P50: 0.2, P99: 5, MinRPS: 100, MaxRPS: 300, Reps: 3}
	if s != want {
		t.Errorf("Summarize = %+v, want %+v", s, want)
	}
}

func TestCombine(t *testing.T) {
	c := Combine([]Result{{Test: "SET", RPS: 10, P50: 1, P99: 4}, {Test: "SET", RPS: 20, P50: 2, P99: 3}})
	if c.Test != "SET" || c.RPS != 30 || c.P50 != 2 || c.P99 != 4 {
		t.Errorf("Combine = %+v", c)
	}
}
