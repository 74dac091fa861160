package command

import (
	"context"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ringkv/ringkv/resp"
)

// tracker is a node's server-assisted client-side caching state (CLIENT
// TRACKING): which local sessions track, the keys each default-mode
// session read, and the prefixes of BCAST sessions. Keys modified here,
// or on another node (whose invalidations arrive through the Fanout),
// are sent to the sessions that may cache them as invalidate messages.
//
// A node with no tracking session, no peer announcing one and an empty
// table pays three atomic loads per command (active).
//
// As in Redis 7.0.15, the table outlives the sessions that fed it: a
// session that turns tracking off or disconnects leaves its keys (and
// INFO's tracking_total_keys / tracking_total_items count them) until
// they are modified, expire or are flushed, which drops them even while
// nobody tracks (the write path consults keyed, not on); reads feed it
// only for sessions that track.
type tracker struct {
	on     atomic.Int32 // local sessions with tracking on
	remote atomic.Int64 // Unix ms until which another node has tracking sessions
	keyed  atomic.Int64 // len(keys): writes drop keys from the table while it holds any

	mu       sync.Mutex
	clients  map[uint64]*trackState         // by session ID
	keys     map[string]map[uint64]struct{} // default mode: key -> sessions that read it
	prefixes map[string]map[uint64]struct{} // BCAST: prefix -> sessions
	items    int                            // (key, session) pairs in keys (INFO tracking_total_items)
	maxKeys  func() int64                   // tracking-table-max-keys, 0 no limit (set by New)
}

// trackState is one tracking session's options (Redis's CLIENT_TRACKING_*
// flags).
type trackState struct {
	s                            *Session
	redirect                     uint64 // 0: none
	bcast, optin, optout, noloop bool
	caching                      bool // CLIENT CACHING yes|no given for the next command
	broken                       bool // the redirect target went away
	prefixes                     []string
}

// TrackingFanout is what a Fanout also implements when it carries
// client-side caching to the other nodes (checked with a type assertion,
// so that pub/sub fanouts without it keep working).
type TrackingFanout interface {
	// Invalidate has every other node invalidate keys (flush: all keys)
	// for its tracking sessions; origin, when not zero, is the client of
	// another node the write ran for (NOLOOP holds for it on its node).
	Invalidate(ctx context.Context, keys [][]byte, flush bool, origin Origin)
	// AnnounceTracking tells every other node that this one has tracking
	// sessions, for trackingLease.
	AnnounceTracking(ctx context.Context)
}

// trackingLease is how long (ms) a node forwards invalidations after
// another node's announcement; tracking nodes announce every second.
const trackingLease = 5000

// sessionFinder is what Env.Clients also implements when it can find a
// session by ID (a REDIRECT target).
type sessionFinder interface {
	Session(id uint64) *Session
}

// active reports whether any session here or on another node tracks, or
// the table still holds keys that writes must drop.
func (t *tracker) active() bool { return t.on.Load() > 0 || t.remote.Load() > 0 || t.keyed.Load() > 0 }

// holds reports whether this node has tracking sessions or keys in its
// table: whether invalidations concern it.
func (t *tracker) holds() bool { return t.on.Load() > 0 || t.keyed.Load() > 0 }

// state returns id's tracking state, nil when it does not track.
func (t *tracker) state(id uint64) *trackState {
	if t.on.Load() == 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.clients[id]
}

// Tracking reports whether a session of this node has tracking on (the
// server announces it to the other nodes while it does).
func (d *Dispatcher) Tracking() bool { return d.pubsub.track.on.Load() > 0 }

// RemoteTracking records another node's announcement that it has
// tracking sessions: for trackingLease, writes here invalidate there.
func (d *Dispatcher) RemoteTracking() {
	d.pubsub.track.remote.Store(d.env.KV.Now() + trackingLease)
}

// remoteTracking reports whether another node's lease holds; it clears an
// expired one so that active turns cheap again.
func (d *Dispatcher) remoteTracking() bool {
	until := d.pubsub.track.remote.Load()
	if until == 0 {
		return false
	}
	if d.env.KV.Now() < until {
		return true
	}
	d.pubsub.track.remote.CompareAndSwap(until, 0)
	return false
}

// enable turns tracking on for s with st's options (Redis's
// enableTracking): a BCAST session adds st's prefixes to those it had.
func (t *tracker) enable(s *Session, st *trackState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.clients == nil {
		t.clients, t.prefixes = map[uint64]*trackState{}, map[string]map[uint64]struct{}{}
	}
	old := t.clients[s.ID]
	if old == nil {
		t.on.Add(1)
	} else {
		st.caching = old.caching
		st.prefixes = old.prefixes
	}
	t.clients[s.ID] = st
}

// addPrefixes registers a BCAST session's new prefixes ("" when it gave
// none and has none).
func (t *tracker) addPrefixes(st *trackState, ps []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(ps) == 0 && len(st.prefixes) == 0 {
		ps = []string{""}
	}
	for _, p := range ps {
		ids := t.prefixes[p]
		if ids == nil {
			ids = map[uint64]struct{}{}
			t.prefixes[p] = ids
		}
		if _, ok := ids[st.s.ID]; !ok {
			ids[st.s.ID] = struct{}{}
			st.prefixes = append(st.prefixes, p)
		}
	}
	sort.Strings(st.prefixes)
}

// disable turns tracking off for session id (Redis's disableTracking);
// the keys it read are forgotten lazily, as the table meets them.
func (t *tracker) disable(id uint64) {
	if t.on.Load() == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.clients[id]
	if st == nil {
		return
	}
	for _, p := range st.prefixes {
		delete(t.prefixes[p], id)
		if len(t.prefixes[p]) == 0 {
			delete(t.prefixes, p)
		}
	}
	delete(t.clients, id)
	t.on.Add(-1)
}

// remember records the keys a read-only command of st's session read
// (Redis's trackingRememberKeys), unless OPTIN/OPTOUT with CLIENT CACHING
// says not to. It returns the invalidations of keys it dropped to stay
// within tracking-table-max-keys: past it, keys are dropped from the
// table and invalidated as if modified, as Redis's trackingLimitUsedSlots.
func (t *tracker) remember(st *trackState, keys [][]byte) []delivery {
	t.mu.Lock()
	defer t.mu.Unlock()
	if st.bcast || (st.optin && !st.caching) || (st.optout && st.caching) {
		return nil
	}
	if t.keys == nil {
		t.keys = map[string]map[uint64]struct{}{}
	}
	for _, k := range keys {
		ids := t.keys[string(k)]
		if ids == nil {
			ids = map[uint64]struct{}{}
			t.keys[string(k)] = ids
		}
		if _, ok := ids[st.s.ID]; !ok {
			ids[st.s.ID] = struct{}{}
			t.items++
		}
	}
	t.keyed.Store(int64(len(t.keys)))
	return t.limitLocked()
}

// limit drops keys past tracking-table-max-keys and returns their
// invalidations (Redis's trackingLimitUsedSlots, which runs before every
// command: a lowered limit takes effect without waiting for a new key).
func (t *tracker) limit() []delivery {
	if max := t.maxKeys(); max == 0 || t.keyed.Load() <= max {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.limitLocked()
}

// limitLocked is limit with t.mu held.
func (t *tracker) limitLocked() []delivery {
	limit := int(t.maxKeys())
	if limit == 0 || len(t.keys) <= limit {
		return nil
	}
	var evict [][]byte
	for k := range t.keys { // map order: a random walk, as Redis's
		if len(t.keys)-len(evict) <= limit {
			break
		}
		evict = append(evict, []byte(k))
	}
	if len(evict) == 0 {
		return nil
	}
	return t.invalidationsLocked(evict, 0)
}

// loops reports whether st tracks with NOLOOP and is session by (a CLIENT
// ID: the session itself, a part of its split command, or a command run
// for it on another node), which does not get the invalidations of its
// own writes.
func (st *trackState) loops(by uint64) bool { return st.noloop && by != 0 && st.s.ID == by }

// delivery is one invalidate message to send: to st, its payload (an
// array of keys, or a null for everything).
type delivery struct {
	st      *trackState
	payload resp.Reply
}

// invalidations are the messages keys modified by session by (a CLIENT
// ID; 0: another node's client, an expiry) cause (Redis's trackingInvalidateKey, one message per
// key, and its BCAST broadcast, one per prefix).
func (t *tracker) invalidations(keys [][]byte, by uint64) []delivery {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append(t.invalidationsLocked(keys, by), t.broadcasts(keys, by)...)
}

// invalidationsLocked are the default-mode messages of keys; t.mu is held.
func (t *tracker) invalidationsLocked(keys [][]byte, by uint64) []delivery {
	var out []delivery
	for _, k := range keys {
		ids, ok := t.keys[string(k)]
		if !ok {
			continue
		}
		delete(t.keys, string(k))
		t.keyed.Add(-1)
		t.items -= len(ids)
		for _, id := range sortedIDs(ids) {
			st := t.clients[id]
			if st == nil || st.bcast || st.loops(by) {
				continue
			}
			out = append(out, delivery{st, resp.Array(resp.Bulk(k))})
		}
	}
	if len(t.keys) == 0 {
		t.keys = nil // an emptied map keeps its buckets: give them back
	}
	return out
}

// broadcasts are the BCAST messages of keys: per prefix, the sorted keys
// it covers, to each session of the prefix.
func (t *tracker) broadcasts(keys [][]byte, by uint64) []delivery {
	var out []delivery
	for _, p := range sortedNames(prefixSet(t.prefixes)) {
		var match []string
		for _, k := range keys {
			if strings.HasPrefix(string(k), p) {
				match = append(match, string(k))
			}
		}
		if len(match) == 0 {
			continue
		}
		sort.Strings(match)
		match = dedupSorted(match)
		arr := make([]resp.Reply, len(match))
		for i, k := range match {
			arr[i] = resp.BulkString(k)
		}
		for _, id := range sortedIDs(t.prefixes[p]) {
			if st := t.clients[id]; st != nil && !st.loops(by) {
				out = append(out, delivery{st, resp.Array(arr...)})
			}
		}
	}
	return out
}

// flushes are FLUSHALL / FLUSHDB's messages: a null to every tracking
// session (NOLOOP or not); the key table is emptied.
func (t *tracker) flushes() []delivery {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.keys = nil // a flush gives the table's memory back
	t.keyed.Store(0)
	t.items = 0
	var out []delivery
	for _, id := range sortedIDs(t.clients) {
		out = append(out, delivery{t.clients[id], resp.Null()})
	}
	return out
}

func prefixSet[V any](m map[string]V) map[string]struct{} {
	out := make(map[string]struct{}, len(m))
	for k := range m {
		out[k] = struct{}{}
	}
	return out
}

func sortedIDs[V any](m map[uint64]V) []uint64 {
	out := make([]uint64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func dedupSorted(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
