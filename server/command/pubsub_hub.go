package command

import (
	"sort"
	"sync"

	"github.com/ringkv/ringkv/resp"
)

// hub is this node's subscription registry: which local sessions hold
// which channel, pattern and shard channel. Other nodes' subscribers are
// reached through the Fanout (pubsub_cluster.go).
//
// Lock order: a session's subs.mu, then hub.mu; delivery takes hub.mu
// only to collect its targets and releases it before queueing frames.
type hub struct {
	mu    sync.RWMutex
	names [3]map[string]map[*Session]struct{} // by subKind
}

func newHub() *hub {
	h := &hub{}
	for i := range h.names {
		h.names[i] = map[string]map[*Session]struct{}{}
	}
	return h
}

func (h *hub) add(k subKind, name string, s *Session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.names[k][name]
	if set == nil {
		set = map[*Session]struct{}{}
		h.names[k][name] = set
	}
	set[s] = struct{}{}
}

func (h *hub) remove(k subKind, name string, s *Session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.names[k][name]
	delete(set, s)
	if len(set) == 0 {
		delete(h.names[k], name)
	}
}

// target is one delivery: a session and the pattern that matched (nil for
// a channel or shard subscription).
type target struct {
	s       *Session
	pattern []byte
}

// targets lists the deliveries of a message on channel: its channel
// subscribers and every matching pattern's, or its shard subscribers.
func (h *hub) targets(shard bool, channel []byte) []target {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []target
	k := subChannel
	if shard {
		k = subShard
	}
	for s := range h.names[k][string(channel)] {
		out = append(out, target{s: s})
	}
	if shard {
		return out
	}
	for p, set := range h.names[subPattern] {
		if globMatch([]byte(p), channel, false) {
			for s := range set {
				out = append(out, target{s: s, pattern: []byte(p)})
			}
		}
	}
	return out
}

// active lists the channels (or shard channels) with subscribers that
// match pattern (nil: all), sorted.
func (h *hub) active(k subKind, pattern []byte) []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []string
	for name := range h.names[k] {
		if pattern == nil || globMatch(pattern, []byte(name), false) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// size is how many names of kind k have subscribers on this node (INFO's
// pubsub_channels, pubsub_patterns, pubsubshard_channels).
func (h *hub) size(k subKind) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.names[k])
}

// count returns how many sessions hold name of kind k.
func (h *hub) count(k subKind, name string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.names[k][name])
}

// Message is one pub/sub message: PUBLISH (or SPUBLISH, Shard) of Payload
// on Channel. Keyspace notifications are messages too.
type Message struct {
	Shard            bool
	Channel, Payload []byte
}

// frames caches a message's encodings, built on first use per protocol.
type frames struct {
	m       Message
	pattern []byte
	enc     [4][]byte // by proto
}

func (f *frames) get(proto int) []byte {
	if proto != 3 {
		proto = 2
	}
	if f.enc[proto] == nil {
		k := subChannel
		elems := []resp.Reply{resp.Bulk(f.m.Channel), resp.Bulk(f.m.Payload)}
		switch {
		case f.m.Shard:
			k = subShard
		case f.pattern != nil:
			k = subPattern
			elems = append([]resp.Reply{resp.Bulk(f.pattern)}, elems...)
		}
		elems = append([]resp.Reply{resp.BulkString(verbs[k].message)}, elems...)
		f.enc[proto] = appendPush(nil, proto, elems)
	}
	return f.enc[proto]
}

// deliver queues m for every local subscriber and returns how many
// deliveries it made (a session matched by a channel and two patterns
// counts three times, as in Redis). A delivery to self, the session that
// published, is not pushed but appended to the returned frames, so that
// the publisher's reply can carry it first, as Redis writes it.
func (h *hub) deliver(m Message, self *Session) (n int, own []byte) {
	var plain *frames
	byPattern := map[string]*frames{}
	for _, t := range h.targets(m.Shard, m.Channel) {
		f := plain
		if t.pattern != nil {
			f = byPattern[string(t.pattern)]
			if f == nil {
				f = &frames{m: m, pattern: t.pattern}
				byPattern[string(t.pattern)] = f
			}
		} else if f == nil {
			plain = &frames{m: m}
			f = plain
		}
		if t.s == self && self.push != nil && !self.inExclusive {
			own = append(own, f.get(self.Proto)...)
			n++
			continue
		}
		if t.s.queue(t, m, f) {
			n++
		}
	}
	return n, own
}

// queue pushes one delivery to s if the subscription that matched still
// holds; it counts as delivered either way (Redis counts the receivers it
// found).
func (s *Session) queue(t target, m Message, f *frames) bool {
	k, name := subChannel, string(m.Channel)
	switch {
	case m.Shard:
		k = subShard
	case t.pattern != nil:
		k, name = subPattern, string(t.pattern)
	}
	s.ps.mu.Lock()
	defer s.ps.mu.Unlock()
	set, _ := s.kindSet(k)
	if _, ok := (*set)[name]; ok && s.push != nil {
		s.push.Push(f.get(s.proto()))
	}
	return true
}

// proto reads s.Proto from another goroutine.
func (s *Session) proto() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Proto
}
