package server

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/ringkv/ringkv/server/command"
)

// Client eviction, Redis 7's maxmemory-clients: the clients' memory (each
// one's CLIENT LIST tot-mem: query buffer, arguments, replies being
// written, pushed messages queued) is kept as a running total; when it
// reaches the limit the server closes the clients using the most memory,
// largest first, until the total is under it again. Clients with CLIENT
// NO-EVICT on are never closed (their memory still counts, as in Redis).
//
// A client's figure is refreshed when its memory changes on its own paths
// (bytes read, a command parsed or done, a reply written: connio.go) and
// by the registry's timer for what other goroutines queue (pub/sub
// pushes); the check after each refresh is a load and a compare unless the
// total is over the limit.

// memAccount is one client's share of the registry's clients' memory.
type memAccount struct {
	mu   sync.Mutex
	last int64 // bytes counted in registry.clientMem
	gone bool  // closed or evicted: no longer counted
}

// evictRetry is how long refreshes skip the eviction round after one that
// could not bring the total under the limit (only NO-EVICT clients left):
// the timer still runs it.
const evictRetry = 100 * time.Millisecond

// memUsage is the client's memory as CLIENT LIST reports it (tot-mem).
func (c *client) memUsage() int64 { return c.stats().TotMem }

// stats are the connection's CLIENT LIST figures, pushed messages still
// queued included in omem and tot-mem.
func (c *client) stats() command.ConnStats {
	st := c.io.stats()
	if c.out != nil {
		q := c.out.queuedBytes()
		st.OutMem += q
		st.TotMem += q
	}
	return st
}

// queuedBytes is what the outbox holds that its writer has not handed to
// the connection yet.
func (o *outbox) queuedBytes() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return int64(len(o.pending) + len(o.deferred))
}

// account refreshes c's share of the clients' memory, then evicts clients
// if the total reached maxmemory-clients. Without a limit it does nothing:
// the timer refreshes every share once one is set.
func (r *registry) account(c *client) {
	limit := r.s.env.Settings.ClientEvictionLimit()
	if limit == 0 {
		return
	}
	r.refresh(c)
	if r.clientMem.Load() < limit || time.Now().UnixNano() < r.evictAfter.Load() {
		return
	}
	r.evict(limit)
}

// refresh sets c's share of the clients' memory to its current figure.
func (r *registry) refresh(c *client) {
	mem := c.memUsage()
	a := &c.io.acct
	a.mu.Lock()
	if !a.gone {
		r.clientMem.Add(mem - a.last)
		a.last = mem
	}
	a.mu.Unlock()
}

// unaccount removes c's share for good (closed or evicted).
func (r *registry) unaccount(c *client) {
	a := &c.io.acct
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.gone {
		a.gone = true
		r.clientMem.Add(-a.last)
	}
}

// evict is one eviction round (Redis's evictClients): while the clients'
// memory is at or over limit, close the evictable client using the most.
// One warning per round names what was closed.
func (r *registry) evict(limit int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	before := r.clientMem.Load()
	if before < limit {
		return
	}
	var cands []*client
	for _, c := range r.conns {
		if !c.sess.Info().NoEvict && !c.io.acct.isGone() {
			cands = append(cands, c)
		}
	}
	slices.SortFunc(cands, func(a, b *client) int { return cmp.Compare(b.io.acct.peek(), a.io.acct.peek()) })
	var names []string
	for _, c := range cands {
		if r.clientMem.Load() < limit {
			break
		}
		names = append(names, c.sess.Info().Line(time.Now()))
		r.unaccount(c)
		delete(r.conns, c.sess.ID) // gone from CLIENT LIST now, as in Redis; drop finds it gone
		r.s.env.Stats.EvictedClients.Add(1)
		_ = c.conn.Close()
	}
	after := r.clientMem.Load()
	if after >= limit {
		r.evictAfter.Store(time.Now().Add(evictRetry).UnixNano())
	}
	if len(names) > 0 {
		r.s.log.Warn().Int("evicted", len(names)).Int64("clients_memory", before).
			Int64("clients_memory_after", after).Int64("limit", limit).Strs("clients", names).
			Bool("still_over", after >= limit).
			Msg("evicted clients: clients' memory reached maxmemory-clients")
	}
}

// isGone reports whether the account was closed.
func (a *memAccount) isGone() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gone
}

// peek is the account's last figure.
func (a *memAccount) peek() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

// evictCron refreshes every client's figure and runs an eviction round if
// the total reached the limit (the registry's timer, while
// maxmemory-clients is set).
func (r *registry) evictCron() {
	limit := r.s.env.Settings.ClientEvictionLimit()
	if limit == 0 {
		return
	}
	r.mu.Lock()
	all := make([]*client, 0, len(r.conns))
	for _, c := range r.conns {
		all = append(all, c)
	}
	r.mu.Unlock()
	for _, c := range all {
		r.refresh(c)
	}
	if r.clientMem.Load() >= limit {
		r.evict(limit)
	}
}
