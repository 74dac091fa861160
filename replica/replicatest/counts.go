package replicatest

import "fmt"

// Counts sums what the cluster's machinery did over a run, across
// restarts: how much of the repair paths the run exercised.
type Counts struct {
	Acked, Failed    int // client writes acknowledged, not
	HintsStored      int64
	HintsDelivered   int64
	HintsDropped     int64 // expired (Config.HintMaxAge), left to anti-entropy
	ReadRepairs      int64
	AAEKeysRepaired  int64
	TombstonesReaped int64
}

func (c Counts) String() string {
	return fmt.Sprintf("writes acked %d failed %d; hints stored %d delivered %d dropped %d; read repairs %d; aae repaired %d; reaped %d",
		c.Acked, c.Failed, c.HintsStored, c.HintsDelivered, c.HintsDropped, c.ReadRepairs, c.AAEKeysRepaired, c.TombstonesReaped)
}

// add adds a running node's counters.
func (c *Counts) add(n *node) {
	st := n.c.Stats()
	c.HintsDropped += n.db.HintStats().Dropped
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
			c.add(n)
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
