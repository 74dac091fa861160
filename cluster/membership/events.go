package membership

import (
	"sync"

	"github.com/hashicorp/serf/serf"
)

// drain is the event goroutine: it always reads Serf's event channel, so
// Serf never blocks on us, logs member changes and notifies subscribers.
func (m *Membership) drain() {
	defer close(m.done)
	for {
		select {
		case <-m.stop:
			return
		case e := <-m.events:
			me, ok := e.(serf.MemberEvent)
			if !ok {
				continue // user events and queries: unused
			}
			for _, sm := range me.Members {
				ev := m.log.Info()
				if me.Type == serf.EventMemberUpdate {
					ev = m.log.Debug() // tags: handoff progress, ring versions
				}
				if err := CheckQ(m.cfg.Q, sm.Name, sm.Tags); err != nil && me.Type == serf.EventMemberJoin {
					ev = m.log.Error().Err(err) // refused from the ring
				}
				ev.Str("event", me.Type.String()).Str("member", sm.Name).Str("addr", sm.Addr.String()).Msg("membership changed")
			}
			m.subs.notify()
		}
	}
}

// Subscribe returns a channel that receives a value after membership
// changes, and a function to cancel the subscription. Notifications are
// coalesced (the channel holds at most one) and never block the sender: on
// receipt, read Members or RingMembers for the current state. The channel
// is closed by cancel or Shutdown.
func (m *Membership) Subscribe() (<-chan struct{}, func()) {
	return m.subs.add()
}

// subscribers is the set of notification channels.
type subscribers struct {
	mu     sync.Mutex
	chans  map[chan struct{}]struct{}
	closed bool
}

func (s *subscribers) add() (<-chan struct{}, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{}, 1)
	if s.closed {
		close(ch)
		return ch, func() {}
	}
	if s.chans == nil {
		s.chans = map[chan struct{}]struct{}{}
	}
	s.chans[ch] = struct{}{}
	return ch, func() { s.remove(ch) }
}

func (s *subscribers) remove(ch chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.chans[ch]; ok {
		delete(s.chans, ch)
		close(ch)
	}
}

func (s *subscribers) notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.chans {
		select {
		case ch <- struct{}{}:
		default: // a notification is already pending
		}
	}
}

func (s *subscribers) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.chans {
		close(ch)
	}
	s.chans, s.closed = nil, true
}
