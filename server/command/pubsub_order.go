package command

import (
	"bytes"
	"time"
)

// Redis serves every client from one event loop, so what a subscriber
// sent before another client's PUBLISH arrived runs first: an UNSUBSCRIBE
// written and not yet answered is no longer counted by the PUBLISH that
// follows it (the Tcl suite's "PUBLISH/SUBSCRIBE after UNSUBSCRIBE without
// arguments"). Here each connection runs on its own goroutine, so before a
// PUBLISH, SPUBLISH or PUBSUB count looks at this node's subscribers, the
// subscribers it concerns that have input received and not yet run get a
// short time to run it (CatchUp). Messages from other nodes are not
// ordered (nor are they in Redis Cluster).

// Bounds of a catch-up.
const (
	// catchUpWait is the most one command waits for all the subscribers
	// it concerns together.
	catchUpWait = 5 * time.Millisecond
	// catchUpChecks is the most subscriber connections one command looks
	// at (each look may cost a system call); subscribers past it are not
	// waited for.
	catchUpChecks = 256
)

// Inbox is a client connection's input as the catch-up and the blocked
// clients' line (blocking_queue.go) see it; the server gives each client
// session one (Session.SetInbox). Safe from any goroutine.
type Inbox interface {
	// Backlog reports whether the connection received input that has not
	// run yet and can run soon (it is not itself waiting for others, nor
	// stuck writing its replies, nor known not to move), and returns the
	// position just past it, for Await.
	Backlog() (mark int64, ok bool)
	// BlockingBefore is Backlog for a blocking command only (BLPOP ...)
	// that arrived before at (Unix ns; see Arrived) and is not in line
	// yet (Waiting); queued tells whether the kernel holds input for the
	// connection that it has not read (Clients.Inboxes), where the
	// command may be too.
	BlockingBefore(at int64, queued bool) (mark int64, ok bool)
	// Await waits until the input up to mark has run, or the connection
	// waits for others (Waiting), or until deadline, and reports whether
	// it ran or waits.
	Await(mark int64, deadline time.Time) bool
	// AwaitInLine is Await for what BlockingBefore saw: it also ends when
	// the command turns out not to block.
	AwaitInLine(mark int64, deadline time.Time) bool
	// Waiting marks the connection as waiting for others (a PUBLISH
	// catching up, a blocked client, a push waiting for the clients it
	// woke): while it waits nobody waits for it, so waits never form a
	// cycle. Calls nest: each Waiting(true) is ended by a Waiting(false).
	Waiting(on bool)
	// Arrived is when the kernel received the input the connection read
	// last (Unix ns), 0 if unknown: the arrival of the command it runs,
	// which orders blocked clients (blocking_queue.go). Called by the
	// connection's own command.
	Arrived() int64
}

// concern is which local subscriptions a command's reply depends on.
type concern struct {
	kind     subKind  // the namespace of names: subChannel or subShard
	names    [][]byte // named channels (PUBLISH, PUBSUB NUMSUB)
	patterns bool     // and the patterns matching names[0] (PUBLISH)
	every    bool     // every channel of kind matching match (nil: all)
	match    []byte
	numpat   bool // every pattern (PUBSUB NUMPAT)
}

// concernOf returns what args depends on; ok is false for a command that
// needs no catch-up.
func concernOf(args [][]byte) (c concern, ok bool) {
	is := func(b []byte, name string) bool { return bytes.EqualFold(b, []byte(name)) }
	switch {
	case len(args) == 3 && is(args[0], "publish"):
		return concern{kind: subChannel, names: args[1:2], patterns: true}, true
	case len(args) == 3 && is(args[0], "spublish"):
		return concern{kind: subShard, names: args[1:2]}, true
	case len(args) < 2 || !is(args[0], "pubsub"):
		return c, false
	}
	sub := args[1]
	switch {
	case is(sub, "numsub"), is(sub, "shardnumsub"):
		c = concern{kind: subChannel, names: args[2:]}
	case is(sub, "numpat") && len(args) == 2:
		c = concern{numpat: true}
	case (is(sub, "channels") || is(sub, "shardchannels")) && len(args) <= 3:
		c = concern{kind: subChannel, every: true}
		if len(args) == 3 {
			c.match = args[2]
		}
	default:
		return c, false
	}
	if lower(sub[0]) == 's' {
		c.kind = subShard
	}
	return c, true
}

// concerned calls fn once for each local session but self that c depends
// on and that has an inbox, until fn returns false. hub.mu is held
// meanwhile: fn must not wait.
func (h *hub) concerned(c concern, self *Session, fn func(*Session) bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var buf [4]map[*Session]struct{}
	sets := buf[:0]
	for _, n := range c.names {
		if set := h.names[c.kind][string(n)]; len(set) > 0 {
			sets = append(sets, set)
		}
	}
	if c.numpat || c.patterns {
		for p, set := range h.names[subPattern] {
			if c.numpat || globMatch([]byte(p), c.names[0], false) {
				sets = append(sets, set)
			}
		}
	}
	if c.every {
		for name, set := range h.names[c.kind] {
			if c.match == nil || globMatch(c.match, []byte(name), false) {
				sets = append(sets, set)
			}
		}
	}
	var seen map[*Session]struct{} // a session may hold several of the sets
	if len(sets) > 1 {
		seen = map[*Session]struct{}{}
	}
	for _, set := range sets {
		for s := range set {
			if s == self || s.ps.in == nil {
				continue
			}
			if seen != nil {
				if _, ok := seen[s]; ok {
					continue
				}
				seen[s] = struct{}{}
			}
			if !fn(s) {
				return
			}
		}
	}
}

// CatchUp runs before a client's command, outside every lock and the
// gate: for a PUBLISH, SPUBLISH or PUBSUB NUMSUB/NUMPAT/CHANNELS it lets the
// local subscribers the command depends on run the input they had received
// when it arrived, waiting at most catchUpWait in all. It does not wait for
// a blocked client (BLPOP ...), during CLIENT PAUSE, in a transaction
// (queued commands) or for a client that cannot authenticate; commands a
// transaction or script runs do not catch up (they hold the gate).
func (d *Dispatcher) CatchUp(s *Session, args [][]byte) {
	c, ok := concernOf(args)
	if !ok || s.InMulti() || d.authRequired(s) || d.intro.pause.on.Load() {
		return
	}
	if s.ps.in != nil {
		s.ps.in.Waiting(true) // before looking at the others' (see Inbox)
		defer s.ps.in.Waiting(false)
	}
	looked := 0
	d.awaitLate(Inbox.Await, func(late func(Inbox, int64)) {
		d.pubsub.hub.concerned(c, s, func(t *Session) bool {
			if mark, ok := t.ps.in.Backlog(); ok {
				late(t.ps.in, mark)
			}
			looked++
			return looked < catchUpChecks
		})
	})
}

// awaitLate waits, at most catchUpWait in all, for the connections
// collect reports late (with the mark of their input: Inbox.Backlog,
// BlockingBefore) to run that input, each with await. Neither reports a
// connection that waits for others, a blocked client included (it is
// Waiting while in line). The caller has marked its own connection
// Waiting.
func (d *Dispatcher) awaitLate(await func(Inbox, int64, time.Time) bool, collect func(late func(in Inbox, mark int64))) {
	type behind struct {
		in   Inbox
		mark int64
	}
	var late []behind
	collect(func(in Inbox, mark int64) { late = append(late, behind{in, mark}) })
	if len(late) == 0 {
		return
	}
	deadline := time.Now().Add(catchUpWait)
	for _, b := range late {
		await(b.in, b.mark, deadline)
	}
}
