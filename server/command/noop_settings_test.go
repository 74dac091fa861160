package command

import (
	"slices"
	"strings"
	"testing"
)

// Redis's "CONFIG SET with multiple args" and "CONFIG GET hidden configs"
// (unit/introspection): save and repl-backlog-size were refused, and
// key-load-delay unknown.
func TestNoopSettings(t *testing.T) {
	f := newFixture(t)
	if r := f.do("CONFIG", "SET", "maxmemory", "10000001", "repl-backlog-size", "10000002", "save", "3000 5"); r.String() != "OK" {
		t.Fatalf("CONFIG SET = %v", r)
	}
	for name, want := range map[string]string{"save": "3000 5", "repl-backlog-size": "10000002", "key-load-delay": "0"} {
		if got := flat(f.do("CONFIG", "GET", name)); got != name+" "+want {
			t.Errorf("CONFIG GET %s = %q, want %q", name, got, want)
		}
	}
	if got := flat(f.do("CONFIG", "GET", "*")); slices.Contains(strings.Fields(got), "key-load-delay") {
		t.Error("CONFIG GET * shows the hidden key-load-delay")
	}
	if r := f.do("CONFIG", "SET", "save", "1"); r.String() != "(error) ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters" {
		t.Errorf("CONFIG SET save 1 = %v", r)
	}
	f.do("CONFIG", "SET", "save", "")
}
