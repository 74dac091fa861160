package membership

import (
	"fmt"
	"strconv"

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
// sees Join fail; the other side logs the refusal.
type qGuard struct{ q int }

var _ serf.MergeDelegate = qGuard{}

func (g qGuard) NotifyMerge(members []*serf.Member) error {
	for _, m := range members {
		if err := CheckQ(g.q, m.Name, m.Tags); err != nil {
			return err
		}
	}
	return nil
}
