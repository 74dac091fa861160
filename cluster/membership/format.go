package membership

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/ringkv/ringkv/cluster"
)

// Data formats (replica/version's numbering). A node advertises the
// highest data format it reads as TagFormat; the server writes a format
// only once every ring member advertises it (Lagging), and from then on
// refuses members that do not (RequireFormat), so a node is never sent
// bytes it cannot decode.
const (
	// TagFormat is the highest data format the node reads, decimal.
	TagFormat = "fmt"
	// FormatUnadvertised is the format a member without TagFormat (or
	// with a value that is not a positive number) reads: releases from
	// before formats were advertised (replica/version.FormatLegacy).
	FormatUnadvertised = 2
)

// ErrFormat is refused merges' error: the member reads an older data
// format than the cluster writes.
var ErrFormat = errors.New("membership: node reads an older data format than the cluster writes")

// FormatOf returns the data format tags advertise: TagFormat's value, or
// FormatUnadvertised.
func FormatOf(tags map[string]string) int {
	f, err := strconv.Atoi(tags[TagFormat])
	if err != nil || f <= 0 {
		return FormatUnadvertised
	}
	return f
}

// CheckFormat reports an error wrapping ErrFormat unless tags advertise
// at least format want.
func CheckFormat(want int, name string, tags map[string]string) error {
	if got := FormatOf(tags); got < want {
		return fmt.Errorf("%w: node %q reads data format %d, the cluster writes %d: upgrade it "+
			"(downgrading a node after every node was upgraded is unsupported)", ErrFormat, name, got, want)
	}
	return nil
}

// Lagging returns, sorted, the members that do not advertise format f:
// gossip's members that have not left (failed ones included: they will
// return as they were) and, among names (the ring's members), those
// gossip does not know, whose format is unknown. Empty: every member
// reads f.
func (m *Membership) Lagging(f int, names []string) []string {
	var out []string
	known := map[string]bool{}
	for _, sm := range m.serf.Members() {
		known[sm.Name] = true
		if state(sm.Status) != cluster.Left && FormatOf(sm.Tags) < f {
			out = append(out, sm.Name)
		}
	}
	for _, n := range names {
		if !known[n] && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// RequireFormat makes this node refuse, from now on, cluster merges and
// alive messages that would bring in a member advertising a format below
// f: a node of an older release, or a member downgraded to one. Members
// that left are not checked. The requirement is never lowered; it
// reports whether this call raised it.
func (m *Membership) RequireFormat(f int) bool {
	for {
		cur := m.format.Load()
		if int64(f) <= cur {
			return false
		}
		if m.format.CompareAndSwap(cur, int64(f)) {
			m.log.Debug().Int("format", f).Msg("refusing members that read an older data format")
			return true
		}
	}
}

// RequiredFormat returns the format RequireFormat set, 0 if none.
func (m *Membership) RequiredFormat() int { return int(m.format.Load()) }
