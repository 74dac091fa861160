package command

// trackingMaxKeys is tracking-table-max-keys, the tracker's limit.
func (d *Dispatcher) trackingMaxKeys() int64 { return d.env.Settings.Int("tracking-table-max-keys") }

// trackingStats are INFO stats' tracking lines, as Redis 7.0 prints them:
// the keys the default-mode table holds (those of sessions that turned
// tracking off included, until invalidated or flushed), its (key,
// session) pairs, and the BCAST prefixes.
func (d *Dispatcher) trackingStats() []string {
	t := &d.pubsub.track
	t.mu.Lock()
	keys, items, prefixes := len(t.keys), t.items, len(t.prefixes)
	t.mu.Unlock()
	return []string{kv("tracking_total_keys", keys), kv("tracking_total_items", items),
		kv("tracking_total_prefixes", prefixes)}
}
