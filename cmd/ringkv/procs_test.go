package main

import "testing"

// A node runs with twice the default Ps, unless GOMAXPROCS says otherwise.
func TestProcsDoubleTheDefault(t *testing.T) {
	for _, tt := range []struct {
		env       string
		def, want int
	}{
		{"", 2, 4},
		{"", 1, 2},
		{"", 16, 32},
		{"2", 2, 2},
		{"3", 3, 3},
	} {
		if got := procs(tt.env, tt.def); got != tt.want {
			t.Errorf("GOMAXPROCS=%q, default %d: %d Ps, want %d", tt.env, tt.def, got, tt.want)
		}
	}
}
