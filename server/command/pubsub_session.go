package command

import (
	"sync"
	"sync/atomic"

	"github.com/ringkv/ringkv/resp"
)

// Pusher carries frames a client did not ask for (pub/sub messages,
// MONITOR lines) to its connection. The server gives each client session
// one (Session.SetPusher).
type Pusher interface {
	// Push queues frame after everything already written or queued on the
	// connection. It never waits for the network; it reports false when
	// the connection is gone or was just dropped for exceeding its output
	// limit.
	Push(frame []byte) bool
}

// subs is one session's pub/sub and MONITOR state. mu orders a session's
// subscription changes against the messages delivered to it: a message is
// queued only while the subscription that matched it still holds.
type subs struct {
	mu       sync.Mutex
	channels map[string]struct{} // SUBSCRIBE
	patterns map[string]struct{} // PSUBSCRIBE
	shard    map[string]struct{} // SSUBSCRIBE
	// counts for CLIENT LIST, readable without mu
	nChannels, nPatterns, nShard atomic.Int32
	monitor                      atomic.Bool // MONITOR
	// pushed are frames for this session that go out before its reply
	// whatever CLIENT REPLY says (Redis sends pub/sub messages and
	// confirmations even with replies off); force says the reply is made
	// of confirmations. Only the session's goroutine uses them.
	pushed []byte
	force  bool
	// in is the connection's input, for the catch-up of PUBLISH
	// (pubsub_order.go); nil: none (peers, tests). Set before use.
	in Inbox
}

// TakePushed returns, and forgets, the frames the command just run left for
// s itself (messages it published to itself), which the server writes
// before the command's reply, and whether the reply must be written even
// when CLIENT REPLY turns replies off ((un)subscribe confirmations), as
// Redis sends both whatever CLIENT REPLY says.
func (s *Session) TakePushed() (frames []byte, force bool) {
	frames, force = s.ps.pushed, s.ps.force
	s.ps.pushed, s.ps.force = nil, false
	return frames, force
}

// pushOwn hands messages for s itself to the connection, before the reply
// r. (Inside a transaction or script they are pushed after its reply
// instead, as Redis 7.2 does, 7.0 writing them into EXEC's array: see
// hub.deliver.)
func (s *Session) pushOwn(frames []byte, r resp.Reply) resp.Reply {
	s.ps.pushed = append(s.ps.pushed, frames...)
	return r
}

// confirmed is the reply of a (un)subscribe: its confirmations, sent even
// with CLIENT REPLY OFF.
func (s *Session) confirmed(frames []byte) resp.Reply {
	s.ps.force = true
	return resp.Raw(frames)
}

// SetPusher gives s the pusher of its connection; call it before s runs
// any command.
func (s *Session) SetPusher(p Pusher) { s.push = p }

// SetInbox gives s its connection's input figures (pubsub_order.go); call
// it before s runs any command.
func (s *Session) SetInbox(in Inbox) { s.ps.in = in }

// subscribed reports whether s is in subscribe mode (Redis's
// CLIENT_PUBSUB): it holds any channel, pattern or shard subscription.
func (s *Session) subscribed() bool {
	return s.ps.nChannels.Load()+s.ps.nPatterns.Load()+s.ps.nShard.Load() > 0
}

// kindSet returns the subscription set of kind and the counter that
// mirrors its size. s.ps.mu must be held.
func (s *Session) kindSet(k subKind) (*map[string]struct{}, *atomic.Int32) {
	switch k {
	case subPattern:
		return &s.ps.patterns, &s.ps.nPatterns
	case subShard:
		return &s.ps.shard, &s.ps.nShard
	}
	return &s.ps.channels, &s.ps.nChannels
}

// subKind is one of the three subscription namespaces.
type subKind uint8

const (
	subChannel subKind = iota // SUBSCRIBE / PUBLISH
	subPattern                // PSUBSCRIBE
	subShard                  // SSUBSCRIBE / SPUBLISH
)

// verbs are the confirmation and message names of each kind.
var verbs = [...]struct{ sub, unsub, message string }{
	subChannel: {"subscribe", "unsubscribe", "message"},
	subPattern: {"psubscribe", "punsubscribe", "pmessage"},
	subShard:   {"ssubscribe", "sunsubscribe", "smessage"},
}

// appendPush appends a push frame of bulk strings (nil: a null) and an
// optional trailing count: RESP2 arrays, RESP3 push types ('>').
func appendPush(dst []byte, proto int, elems []resp.Reply) []byte {
	start := len(dst)
	dst = resp.Append(dst, resp.Array(elems...), proto)
	if proto == 3 {
		dst[start] = '>'
	}
	return dst
}

// confirm appends one (un)subscribe confirmation: verb, name (nil: a
// null, as an UNSUBSCRIBE without subscriptions answers) and count.
func confirm(dst []byte, proto int, verb string, name []byte, count int) []byte {
	n := resp.Null()
	if name != nil {
		n = resp.Bulk(name)
	}
	return appendPush(dst, proto, []resp.Reply{resp.BulkString(verb), n, resp.Int(int64(count))})
}

// OutputClass is s's client-output-buffer-limit class: pubsub while it
// holds any subscription (Redis's CLIENT_PUBSUB) or monitors, else normal.
// Safe from any goroutine.
func (s *Session) OutputClass() ObufClass {
	if s.subscribed() || s.ps.monitor.Load() {
		return ObufPubSub
	}
	return ObufNormal
}

// pubsub reports whether c is in subscribe mode: CLIENT LIST / KILL's
// TYPE pubsub (a monitor is of TYPE normal, as in Redis).
func (c ClientInfo) pubsub() bool { return c.Sub+c.PSub+c.SSub > 0 }

// flags is CLIENT LIST's flags field as far as pub/sub and MONITOR go: O
// for a monitor, P in subscribe mode, N for neither (Redis's order).
func (c ClientInfo) flags() string {
	f := ""
	if c.Monitor {
		f += "O"
	}
	if c.pubsub() {
		f += "P"
	}
	if f == "" {
		return "N"
	}
	return f
}
