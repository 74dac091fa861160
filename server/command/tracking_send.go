package command

import (
	"bytes"
	"context"
	"strconv"

	"github.com/ringkv/ringkv/resp"
)

// trackingChannel is where a RESP2 client that tracking redirects to gets
// its invalidations, as pub/sub messages.
const trackingChannel = "__redis__:invalidate"

// trackAfter is afterRun's tracking step for one command of s: the keys
// of a read-only command are remembered for s, and a successful write
// invalidates its keys here and on the other nodes. Its cost while nobody
// tracks anywhere is tracker.active.
func (d *Dispatcher) trackAfter(s *Session, cmd *Command, args [][]byte, r resp.Reply) {
	s.noteForwardedRead(cmd, args) // tracking_forward.go
	t := &d.pubsub.track
	if !t.active() {
		return
	}
	for _, dl := range t.limit() {
		d.sendTracking(dl)
	}
	if st := t.state(s.ID); st != nil {
		if cmd.Flags&ReadOnly != 0 && cmd.Group != "pubsub" && !roScript[cmd.Name] {
			keys := cmd.KeysOf(args)
			if s.scriptCall != nil {
				// A read inside a script tracks the keys the script
				// declared, not the ones it read (Redis 7.0's call(),
				// which remembers the caller's command).
				keys = s.scriptCall.declared
			}
			for _, dl := range t.remember(st, keys) {
				d.sendTracking(dl)
			}
		}
		if !isClientCmd(args) && s.tx == nil && !s.inExclusive { // EXEC clears it after its commands
			t.mu.Lock()
			st.caching = false // CLIENT CACHING holds for the next command only
			t.mu.Unlock()
		}
	}
	if cmd.Flags&Write == 0 || r.Kind == resp.KindError || s.quiet > 0 {
		return
	}
	if !t.holds() && !d.remoteTracking() {
		return // another node's lease ran out, and the table is empty
	}
	if cmd.Name == "flushall" || cmd.Name == "flushdb" {
		d.invalidate(s.Context(), nil, s, true)
		return
	}
	if keys := modifiedKeys(d, cmd, args, r); len(keys) > 0 {
		d.invalidate(s.Context(), keys, s, false)
	}
}

// roScript are the read-only script commands, whose keys are tracked only
// if the script reads (Redis's call() skips them: the commands they run
// track the script's declared keys).
var roScript = map[string]bool{"eval_ro": true, "evalsha_ro": true, "fcall_ro": true}

// isClientCmd reports whether args is a CLIENT subcommand (after which
// CLIENT CACHING still holds, as in Redis's resetClient).
func isClientCmd(args [][]byte) bool {
	return len(args[0]) == 6 && lower(args[0][0]) == 'c' && lower(args[0][1]) == 'l' && lower(args[0][5]) == 't'
}

// modifiedKeys are the keys a successful write changed: those of its
// keyspace notifications where ringkv knows them (SETNX that did not
// set changes nothing), else every key argument. A key it gives an
// expiry is watched (notify_expire.go), for its expiry to invalidate it.
func modifiedKeys(d *Dispatcher, cmd *Command, args [][]byte, r resp.Reply) [][]byte {
	ev := keyEventsOf[cmd.Name]
	if ev == nil || (len(args) > 2 && (cmd.Name == "del" || cmd.Name == "unlink")) {
		if r.Kind == resp.KindInt && r.Int == 0 && (cmd.Name == "del" || cmd.Name == "unlink") {
			return nil
		}
		return cmd.KeysOf(args)
	}
	var keys [][]byte
	seen := map[string]bool{}
	for _, e := range ev(d, args, r) {
		if e.at > 0 {
			d.watchExpiry(e.key, e.at, d.env.KV.Now()-1000)
		}
		if !seen[string(e.key)] {
			seen[string(e.key)] = true
			keys = append(keys, e.key)
		}
	}
	return keys
}

// invalidate sends the invalidations of keys (flush: of everything)
// modified by session by (nil: an expiry) to this node's tracking
// sessions and, while another node tracks, to the other nodes, tagged
// with the client of another node by ran a command for, if any.
//
// Inside a transaction or a script, the BCAST messages wait for its end
// (sendHeldBroadcasts): Redis collects them per prefix until the event
// loop's next pass, so a MULTI that writes a:1, a:2 and b:1 sends two
// messages, one per prefix, not three.
func (d *Dispatcher) invalidate(ctx context.Context, keys [][]byte, by *Session, flush bool) {
	var id uint64
	if by != nil {
		id = by.ID
	}
	if by != nil && by.inExclusive && !flush {
		d.invalidateDefault(keys, id)
		for _, k := range keys {
			by.heldBcast = append(by.heldBcast, bytes.Clone(k))
		}
	} else {
		d.Invalidate(keys, id, flush)
	}
	if fan, ok := d.pubsub.fan.(TrackingFanout); ok && d.remoteTracking() {
		fan.Invalidate(ctx, keys, flush, by.origin())
	}
}

// Invalidate sends the invalidations of keys (flush: of everything) to
// this node's tracking sessions only; by is the CLIENT ID of the session
// that modified them (0: none of this node's, an expiry), which does not
// get them if it tracks with NOLOOP.
func (d *Dispatcher) Invalidate(keys [][]byte, by uint64, flush bool) {
	t := &d.pubsub.track
	if !t.holds() {
		return
	}
	var ds []delivery
	if flush {
		ds = t.flushes()
	} else {
		ds = t.invalidations(keys, by)
	}
	for _, dl := range ds {
		d.sendTracking(dl)
	}
}

// invalidateDefault sends the default-mode invalidations of keys only.
func (d *Dispatcher) invalidateDefault(keys [][]byte, by uint64) {
	t := &d.pubsub.track
	if !t.holds() {
		return
	}
	t.mu.Lock()
	ds := t.invalidationsLocked(keys, by)
	t.mu.Unlock()
	for _, dl := range ds {
		d.sendTracking(dl)
	}
}

// sendHeldBroadcasts sends the BCAST messages of the keys s's transaction
// or script modified: one per prefix, its keys sorted.
func (d *Dispatcher) sendHeldBroadcasts(s *Session) {
	if len(s.heldBcast) == 0 {
		return
	}
	keys := s.heldBcast
	s.heldBcast = nil
	t := &d.pubsub.track
	t.mu.Lock()
	ds := t.broadcasts(keys, s.ID)
	t.mu.Unlock()
	for _, dl := range ds {
		d.sendTracking(dl)
	}
}

// sendTracking writes one invalidate message (Redis's sendTrackingMessage):
// a RESP3 push to the session or its REDIRECT target, a pub/sub message on
// __redis__:invalidate to a RESP2 target in subscribe mode, nothing to a
// RESP2 session without one. A target that went away marks the session
// broken and, in RESP3, tells it so.
func (d *Dispatcher) sendTracking(dl delivery) {
	st := dl.st
	to, redirected := st.s, false
	if st.redirect != 0 {
		to = d.findSession(st.redirect)
		if to == nil {
			d.pubsub.track.markBroken(st)
			if st.s.proto() == 3 {
				pushTo(st.s, appendPush(nil, 3, []resp.Reply{resp.BulkString("tracking-redir-broken"),
					resp.Int(int64(st.redirect))}))
			}
			return
		}
		redirected = true
	}
	switch proto := to.proto(); {
	case proto == 3:
		pushTo(to, appendPush(nil, 3, []resp.Reply{resp.BulkString("invalidate"), dl.payload}))
	case redirected && to.subscribed():
		pushTo(to, appendPush(nil, 2, []resp.Reply{resp.BulkString("message"),
			resp.BulkString(trackingChannel), dl.payload}))
	}
}

// pushTo queues frame for s, if it has a connection.
func pushTo(s *Session, frame []byte) {
	if s.push != nil {
		s.push.Push(frame)
	}
}

// findSession returns the connected session id, or nil.
func (d *Dispatcher) findSession(id uint64) *Session {
	if f, ok := d.env.Clients.(sessionFinder); ok {
		return f.Session(id)
	}
	return nil
}

func (t *tracker) markBroken(st *trackState) {
	t.mu.Lock()
	st.broken = true
	t.mu.Unlock()
}

// untrack ends s's tracking (its connection closed, RESET).
func (d *Dispatcher) untrack(s *Session) { d.pubsub.track.disable(s.ID) }

// redirString is CLIENT LIST's redir field of a tracking session.
func (st *trackState) redirString() string { return strconv.FormatUint(st.redirect, 10) }
