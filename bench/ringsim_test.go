package main

import (
	"slices"
	"strings"
	"testing"
)

func TestRingsimArgs(t *testing.T) {
	if _, ok := ringsimArgs([]string{"-cluster", "-reps", "1"}); ok {
		t.Fatal("ring mode without -ringsim")
	}
	args, ok := ringsimArgs([]string{"-seeds", "2", "--ringsim", "-n", "2"})
	if !ok || !slices.Equal(args, []string{"-seeds", "2", "-n", "2"}) {
		t.Fatalf("ringsimArgs = %q, %v", args, ok)
	}
}

func TestParseRingsim(t *testing.T) {
	c, err := parseRingsim(nil)
	if err != nil || !slices.Equal(c.Nodes, []int{16, 64, 256}) || len(c.Q) != 4 || c.N != 3 || c.Seeds != 1 {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	c, err = parseRingsim([]string{"-nodes", "16,64", "-per-node", "32,64"})
	if err != nil || c.Q != nil {
		t.Fatalf("-per-node: %+v, %v", c, err)
	}
	if got := c.combos(); !slices.Equal(got, []ringCombo{{16, 512}, {16, 1024}, {64, 2048}, {64, 4096}}) {
		t.Fatalf("combos %v", got)
	}
	for _, bad := range [][]string{{"-nodes", "16,x"}, {"-q", "0"}, {"-n", "9"}, {"-seeds", "0"}, {"extra"}} {
		if _, err := parseRingsim(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A small run prints the step table (a start and four steps per (S, Q) with
// room for N), the movement summary and the build costs.
func TestRunRingsim(t *testing.T) {
	args := []string{"-nodes", "4,8", "-q", "16,64", "-seeds", "2"}
	c, err := parseRingsim(args)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := runRingsim(c, args, &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// (4,16), (4,64), (8,64): 8·3 > 16 leaves (8,16) out.
	for _, want := range []string{"`go run ./bench -ringsim -nodes 4,8", "| 4 | 16 | start |", "| 5 | 16 | join node-004 |",
		"| 8 | 64 | remove node-004 |", "| 8 | 64 | 8 | ", "copies worst", "| violations |", "| S | Q | time |"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "| 8 | 16 |") || strings.Count(out, "| start |") != 3 {
		t.Errorf("want exactly the runs (4,16), (4,64), (8,64):\n%s", out)
	}
}
