package command

import "slices"

// killRevokedSubscribers closes the connections of user's subscribers
// whose subscriptions its new rules no longer allow, as Redis's
// ACLKillPubsubClientsIfNeeded: nothing if the new user has every
// channel in one of its selectors, or if its selectors' channel patterns
// include all the old ones'.
func (d *Dispatcher) killRevokedSubscribers(old, now *aclUser) {
	if old == nil {
		return
	}
	var upcoming []string
	for _, s := range now.all() {
		if s.allChans {
			return
		}
		upcoming = append(upcoming, s.chans...)
	}
	superset := true
	for _, s := range old.all() {
		for _, c := range s.chans {
			superset = superset && slices.Contains(upcoming, c)
		}
	}
	if superset {
		return
	}
	for _, id := range d.violating(now) {
		d.env.Clients.Kill(KillFilter{ID: id})
	}
}

// violating returns the ids of u's sessions holding a subscription u may
// no longer hold.
func (d *Dispatcher) violating(u *aclUser) []uint64 {
	h := d.pubsub.hub
	h.mu.RLock()
	defer h.mu.RUnlock()
	seen := map[*Session]bool{}
	var ids []uint64
	for k := range h.names {
		for name, sessions := range h.names[k] {
			for s := range sessions {
				if seen[s] || s.Info().User != u.name || u.anyChannelOK([]byte(name), subKind(k) == subPattern) {
					continue
				}
				seen[s] = true
				ids = append(ids, s.ID)
			}
		}
	}
	return ids
}
