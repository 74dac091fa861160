package membership

import (
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/hashicorp/serf/serf"
)

// CheckQ reports an error wrapping ErrQMismatch unless tags advertise the
// partition count want. Every node must share Q: partitions of different
// sizes cannot be replicated to each other.
func CheckQ(want int, name string, tags map[string]string) error {
	got, err := strconv.Atoi(tags[TagQ])
	if err != nil || got != want {
		return fmt.Errorf("%w: node %q has q=%q, want %d", ErrQMismatch, name, tags[TagQ], want)
	}
	return nil
}

// qGuard refuses cluster merges (a join, or push/pull anti-entropy between
// two clusters) that would bring in a node with another Q: the joining side
// sees Join fail; the other side logs the refusal. Once format holds a
// data format (RequireFormat), it refuses members that have not left and
// advertise an older one too (format.go); a node of an older release does
// not check formats, so it may believe it joined while this side ignores
// it, and logs why.
type qGuard struct {
	q      int
	format *atomic.Int64 // nil: formats unchecked
}

var _ serf.MergeDelegate = qGuard{}

func (g qGuard) NotifyMerge(members []*serf.Member) error {
	for _, m := range members {
		if err := CheckQ(g.q, m.Name, m.Tags); err != nil {
			return err
		}
		if g.format == nil || m.Status == serf.StatusLeft {
			continue
		}
		if f := g.format.Load(); f > 0 {
			if err := CheckFormat(int(f), m.Name, m.Tags); err != nil {
				return err
			}
		}
	}
	return nil
}
