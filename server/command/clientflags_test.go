package command

import (
	"strings"
	"testing"
)

// CLIENT NO-EVICT on shows as the e flag of CLIENT INFO and CLIENT LIST,
// after the other letters, as Redis writes it (flags=e, flags=Pe).
func TestClientNoEvictFlag(t *testing.T) {
	f := newFixture(t)
	flags := func() string {
		line := f.do("CLIENT", "INFO").Text()
		for _, field := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(field, "flags="); ok {
				return v
			}
		}
		t.Fatalf("CLIENT INFO without flags: %q", line)
		return ""
	}
	expect(t, "default", flags(), "N")
	f.do("CLIENT", "NO-EVICT", "on")
	expect(t, "no-evict on", flags(), "e")
	if list := f.do("CLIENT", "LIST").Text(); !strings.Contains(list, " flags=e ") {
		t.Errorf("CLIENT LIST: %q", list)
	}
	info := f.s.Info()
	info.Sub = 1
	if line := info.Line(f.env.Clock()); !strings.Contains(line, " flags=Pe ") {
		t.Errorf("subscriber with no-evict: %q", line)
	}
	f.do("CLIENT", "NO-EVICT", "off")
	expect(t, "no-evict off", flags(), "N")
}
