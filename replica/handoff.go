package replica

import (
	"context"
	"time"

	"github.com/ringkv/ringkv/replica/version"
)

// Start launches the coordinator's background loops (hinted handoff,
// anti-entropy, tombstone reaping); Close stops them.
func (c *Coordinator) Start() {
	if c.peers == nil {
		return
	}
	c.track(c.handoffLoop)
	if c.cfg.AAE.Interval > 0 {
		c.track(c.aaeLoop)
	}
	if c.cfg.TombstoneGrace > 0 {
		c.track(c.reapLoop)
	}
	if c.place.Ring() != nil {
		c.track(c.handoffRingLoop)
	}
}

// NodeUp tells the coordinator that membership saw node come (back) up:
// its hints are offered at once rather than at the next interval.
func (c *Coordinator) NodeUp(string) {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// handoffLoop delivers hints to their targets (Dynamo §4.6): every
// interval, or at once when a node comes up, each target that is up gets
// its hints, paced to the configured rate; a hint is deleted only after
// the target acknowledged the merge. Hints older than the store's maximum
// age are dropped and left to anti-entropy.
func (c *Coordinator) handoffLoop() {
	c.every(c.cfg.Hints.Interval, c.wake, func(context.Context) {
		c.dropExpiredHints()
		for _, target := range c.store.HintTargets() {
			if c.cfg.Up(target) {
				c.deliverHints(target)
			}
		}
	})
}

func (c *Coordinator) dropExpiredHints() {
	n, err := c.store.DropExpiredHints(c.cfg.Now())
	if err != nil {
		c.log.Warn().Err(err).Msg("dropping expired hints failed")
	}
	if n > 0 {
		c.log.Warn().Int("hints", n).
			Msg("dropped hints older than --hint-max-age; anti-entropy will repair their targets")
	}
}

// deliverHints sends target its hints until they are done, it fails, or
// the coordinator stops.
func (c *Coordinator) deliverHints(target string) {
	gap := time.Second / time.Duration(c.cfg.Hints.Rate)
	next := time.Now()
	var delivered, failed int
	err := c.store.EachHint(target, func(key []byte, s version.Set) bool {
		if d := time.Until(next); d > 0 {
			select {
			case <-c.stop:
				return false
			case <-time.After(d):
			}
		}
		next = next.Add(gap)
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
		err := c.mergeRemote(ctx, target, key, s)
		cancel()
		if err != nil {
			failed++
			c.log.Debug().Err(err).Str("target", target).Msg("hint delivery failed; will retry")
			return false
		}
		if _, err := c.store.DeleteHint(target, key, s); err != nil {
			c.log.Warn().Err(err).Str("target", target).Msg("cannot delete a delivered hint; it will be sent again")
		}
		delivered++
		c.stats.HintsDelivered.Add(1)
		return true
	})
	if err != nil {
		c.log.Warn().Err(err).Str("target", target).Msg("reading hints failed")
	}
	if delivered > 0 || failed > 0 {
		c.log.Info().Str("target", target).Int("delivered", delivered).Bool("interrupted", failed > 0).
			Msg("hinted handoff")
	}
}

// PassOnHints gives the hints this node holds for nodes that are down to
// another member that is up (not the target), which keeps them as its own
// hints, then deletes them here: a node leaving the cluster must not take
// the only copy of a write with it. It returns how many hints are left
// here (for a target that is up, hinted handoff delivers them; for one
// that is down, no member could take them).
func (c *Coordinator) PassOnHints(ctx context.Context) (left int) {
	for _, target := range c.store.HintTargets() {
		if c.cfg.Up(target) {
			n := 0
			_ = c.store.EachHint(target, func([]byte, version.Set) bool { n++; return true })
			left += n
			continue
		}
		var keeper string
		for _, m := range c.place.Members() {
			if m != c.cfg.Node && m != target && c.cfg.Up(m) {
				keeper = m
				break
			}
		}
		err := c.store.EachHint(target, func(key []byte, s version.Set) bool {
			if keeper == "" || ctx.Err() != nil {
				left++
				return true
			}
			if _, err := c.call(ctx, keeper, MethodHint, encodeHint(target, encodeKeySet(key, s))); err != nil {
				left++
				return true
			}
			if _, err := c.store.DeleteHint(target, key, s); err != nil {
				left++
			}
			return true
		})
		if err != nil {
			c.log.Warn().Err(err).Str("target", target).Msg("reading hints to pass on failed")
		}
	}
	return left
}
