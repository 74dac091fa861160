package replica

// learnFlush adopts a FLUSHALL this node missed (it was unreachable), as
// soon as a peer's reply shows one newer than ours: the local store is
// flushed with the same time in the background, and reads filter by it
// meanwhile. This is how a flush reaches a replica that was down.
func (c *Coordinator) learnFlush(t int64) {
	for {
		seen := c.flushSeen.Load()
		if t <= seen || t <= c.store.FlushedAt() {
			return
		}
		if c.flushSeen.CompareAndSwap(seen, t) {
			break
		}
	}
	c.log.Info().Int64("flushed_at", t).Msg("adopting a FLUSHALL this node missed")
	c.track(func() {
		if err := c.store.Flush(t); err != nil {
			c.log.Error().Err(err).Msg("adopting a missed FLUSHALL failed; run FLUSHALL again")
		}
	})
}

// flushedAt is the latest flush this node knows of, adopted or not yet.
func (c *Coordinator) flushedAt() int64 { return max(c.store.FlushedAt(), c.flushSeen.Load()) }
