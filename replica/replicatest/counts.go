package replicatest

import (
	"fmt"

	"github.com/ringkv/ringkv/replica"
)

// Counts sums what the cluster's machinery did over a run, across
// restarts: how much of the repair paths the run exercised.
type Counts struct {
	Acked, Failed    int // client writes acknowledged, not
	HintsStored      int64
	HintsDelivered   int64
	ReadRepairs      int64
	AAEKeysRepaired  int64
	TombstonesReaped int64
}

func (c Counts) String() string {
	return fmt.Sprintf("writes acked %d failed %d; hints stored %d delivered %d; read repairs %d; aae repaired %d; reaped %d",
		c.Acked, c.Failed, c.HintsStored, c.HintsDelivered, c.ReadRepairs, c.AAEKeysRepaired, c.TombstonesReaped)
}

// add adds a coordinator's counters.
func (c *Counts) add(st *replica.Stats) {
	c.HintsStored += st.HintsStored.Load()
	c.HintsDelivered += st.HintsDelivered.Load()
	c.ReadRepairs += st.ReadRepairs.Load()
	c.AAEKeysRepaired += st.AAEKeysRepaired.Load()
	c.TombstonesReaped += st.TombstonesReaped.Load()
}

// Counts returns the run's counts so far.
func (s *Sim) Counts() Counts {
	c := s.stopped
	for _, n := range s.nodes {
		if n.running() {
			c.add(n.c.Stats())
		}
	}
	for _, w := range s.hist.Writes {
		if w.Acked {
			c.Acked++
		} else {
			c.Failed++
		}
	}
	return c
}
