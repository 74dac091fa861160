package command

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// Blocking list commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP): they
// pop at once when a list has elements; else the client waits until a
// push on this node reaches one of its keys, or its timeout, or CLIENT
// UNBLOCK. In a cluster every write of a key runs at the key's
// coordinator (server/route.go), a blocking command included, so the
// pushes that can serve a waiter run on the node it waits on. Waiters are
// served first come, first served per key (blocking_queue.go): a push,
// LINSERT or LMOVE/RPOPLPUSH destination executed here gives the first in
// line a turn, and each passes it on when it leaves. Inside MULTI (and
// EXEC) they do not block: they answer what a timeout would; scripts may
// not call them (NoScript, as Redis 7.0), except BLMPOP, which answers at
// once there.
//
// They take the node's gate (atomic.go) only while trying, not while
// waiting, so a blocked client never holds back a transaction or script.

// blockingCommands are the blocking list commands.
func (d *Dispatcher) blockingCommands() []*Command {
	const f, g = Write | NoScript | Atomic | Blocking, "list"
	// BLMPOP lacks noscript in Redis 7.0: a script may call it, and it
	// answers at once.
	blmpop := spec("blmpop", -5, Write|Atomic|Blocking, 0, 0, 0, g, d.blmpop)
	blmpop.Keys = lmpopKeys(2)
	return []*Command{
		spec("blpop", -3, f, 1, -2, 1, g, d.blpop),
		spec("brpop", -3, f, 1, -2, 1, g, d.brpop),
		spec("blmove", 6, f|DenyOOM, 1, 2, 1, g, d.blmove),
		spec("brpoplpush", 4, f|DenyOOM, 1, 2, 1, g, d.brpoplpush),
		blmpop,
	}
}

// waiters is the per-node registry of blocked clients (blocking_queue.go).
type waiters struct {
	mu   sync.Mutex
	keys map[string][]*waiter // each key's waiters, in blocking order
	all  map[*waiter]struct{}
}

// blockRegs holds each dispatcher's waiters (a Dispatcher has no field
// for them; one per node).
var blockRegs sync.Map // *Dispatcher -> *waiters

func (d *Dispatcher) waiters(create bool) *waiters {
	if w, ok := blockRegs.Load(d); ok {
		return w.(*waiters)
	}
	if !create {
		return nil
	}
	w, _ := blockRegs.LoadOrStore(d, &waiters{keys: map[string][]*waiter{}, all: map[*waiter]struct{}{}})
	return w.(*waiters)
}

// wakeWaiters signals the clients first in line on key that a push
// reached it; each passes the turn on when it leaves (waiter.remove).
// The turns are s's to wait for (settleWakes) before it answers, as
// Redis serves the clients a command unblocked before its reply.
func (d *Dispatcher) wakeWaiters(s *Session, key []byte) {
	if w := d.waiters(false); w != nil {
		s.woken = append(s.woken, w.wake(string(key))...)
	}
}

// wakeSettle bounds how long a command waits for the blocked clients it
// woke to be served.
const wakeSettle = time.Second

// settleWakes waits until the blocked clients s's pushes woke have taken
// their turns (served, or found nothing left; a client served by a push
// of its own waits for the clients that push woke first), for at most
// wakeSettle. So a command's reply comes after the pops it caused, as in
// Redis: an RPUSH followed by an LRANGE sees the elements BRPOPLPUSH
// moved. Inside a transaction or script it waits for nothing: the
// clients cannot run until the section ends, and EXEC's own run waits.
func (d *Dispatcher) settleWakes(s *Session) {
	if len(s.woken) == 0 || s.inExclusive {
		return
	}
	woken := s.woken
	s.woken = nil
	if s.ps.in != nil {
		s.ps.in.Waiting(true) // the clients it woke do not wait for it (catchUpEarlier)
		defer s.ps.in.Waiting(false)
	}
	deadline := time.NewTimer(wakeSettle)
	defer deadline.Stop()
	for _, ack := range woken {
		select {
		case <-ack:
		case <-deadline.C:
			return
		case <-s.Context().Done():
			return
		}
	}
}

// catchUpEarlier runs when s's blocking command, in line, is about to
// try (first, and when a push woke it): the other clients of this node
// that read a blocking command that arrived before s's and is not in line
// yet get a short time to go in line (awaitLate, pubsub_order.go), ahead
// of s (blocking_queue.go), and take what s would have. So, as in Redis,
// whose one event loop runs commands in the order they arrived: Redis's
// "BRPOPLPUSH with multiple blocked clients" sends two of them on two
// connections and at once a push on a third, whose goroutines may run in
// any order.
func (d *Dispatcher) catchUpEarlier(s *Session) {
	if s.ps.in == nil || d.intro.pause.on.Load() {
		return
	}
	at := arrival(s)
	d.awaitLate(Inbox.AwaitInLine, func(late func(Inbox, int64)) {
		d.env.Clients.Inboxes(func(id uint64, in Inbox, queued bool) {
			if id == s.ID {
				return
			}
			if mark, ok := in.BlockingBefore(at, queued); ok {
				late(in, mark)
			}
		})
	})
}

// blockedClients is how many waiters are registered, and commands held by
// CLIENT PAUSE (Redis counts both in INFO blocked_clients) (INFO, tests).
func (d *Dispatcher) blockedClients() int {
	held := int(d.intro.pause.waiting.Load())
	w := d.waiters(false)
	if w == nil {
		return held
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	n := held
	for wt := range w.all {
		if wt.blocked {
			n++
		}
	}
	return n
}

// parseTimeout is Redis's getTimeoutFromObjectOrReply in seconds: a long
// double, times 1000, cast to an integer (an out-of-range cast is
// negative on the platforms Redis runs on), 0 for ever.
func parseTimeout(b []byte, now int64) (time.Duration, resp.Reply, bool) {
	f, ok := resp.ParseFloat(b)
	if !ok {
		// A long double reaches ~1e4932: a float64 overflow is still a
		// number to Redis, whose cast makes it negative.
		v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
		var ne *strconv.NumError
		switch {
		case len(b) > 0 && b[0] != ' ' && errors.As(err, &ne) && ne.Err == strconv.ErrRange && math.IsInf(v, 0):
			return 0, resp.Err("ERR timeout is negative"), false
		case len(b) > 0 && b[0] != ' ' && errors.As(err, &ne) && ne.Err == strconv.ErrRange:
			f = 0 // underflow: a long double holds it, and it casts to 0 ms
		default:
			return 0, resp.Err("ERR timeout is not a float or out of range"), false
		}
	}
	ms := f * 1000
	if math.IsNaN(ms) || ms < 0 || ms >= math.MaxInt64 {
		return 0, resp.Err("ERR timeout is negative"), false
	}
	t := int64(ms)
	if t > 0 && t > math.MaxInt64-now {
		return 0, resp.Err("ERR timeout is out of range"), false
	}
	return time.Duration(t) * time.Millisecond, resp.Reply{}, true
}

// blockPoll is how often a blocked command looks again in a cluster.
const blockPoll = 100 * time.Millisecond

// errClientGone answers a blocked command whose client closed its
// connection (nobody reads it; it is not a pop for nobody).
var errClientGone = resp.Err("ERR client closed the connection while blocked")

// tryOutcome is what one try of a blocked command did.
type tryOutcome int

const (
	tryNothing   tryOutcome = iota // nothing to pop: wait
	tryAnswered                    // it answers r
	tryOtherType                   // WRONGTYPE from a key it pops: answered on the first try only
)

// outcome is the outcome of a try that answered r if done.
func outcome(r resp.Reply, done bool) tryOutcome {
	switch {
	case !done:
		return tryNothing
	case isWrongType(r):
		return tryOtherType
	}
	return tryAnswered
}

// block runs try (on the keys it may pop from: see blocking_queue.go)
// until it answers, or the timeout (0: none) passes, then answers
// timedOut; CLIENT UNBLOCK answers timedOut or errUnblocked. class is the
// type of key it pops. In a transaction it tries once and answers inMulti.
func (d *Dispatcher) block(s *Session, class string, keys [][]byte, timeout time.Duration, try func(keys [][]byte) (resp.Reply, tryOutcome), timedOut, inMulti resp.Reply) resp.Reply {
	if s.inExclusive || s.tx != nil {
		if r, o := try(keys); o != tryNothing {
			return r
		}
		return inMulti
	}
	// In line first, then the first try, on the keys where it is first
	// (no other waiter's element to take): a push in between gives it a
	// turn. A WRONGTYPE key answers this try only.
	w := d.waiters(true)
	wt := w.add(s.ID, class, keys, arrival(s))
	defer w.remove(wt)
	if s.ps.in != nil {
		s.ps.in.Waiting(true) // in line: the others' catch-ups do not wait for it
		defer s.ps.in.Waiting(false)
	}
	d.catchUpEarlier(s)
	release, kind, ok := d.gate.shared()
	if !ok {
		return errBusy(kind)
	}
	turns := w.takeTurns(wt)
	r, o := try(w.heads(wt))
	release()
	if o != tryNothing {
		return d.served(s, w, wt, turns, r)
	}
	closeAll(turns)
	w.blocked(wt)
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	var gone <-chan struct{} // the client closed its connection
	if s.Gone != nil {
		g, stop := s.Gone()
		defer stop()
		gone = g
	}
	var poll <-chan time.Time
	if len(d.env.Topology.Members()) > 1 || class == classStream {
		// A push coordinated on another node wakes no waiter here: look
		// again now and then (still only where first in line). A stream
		// reader looks on a single node too: XREADGROUP answers once its
		// key or group is gone (DEL, SET, FLUSHALL wake nobody).
		tk := time.NewTicker(blockPoll)
		defer tk.Stop()
		poll = tk.C
	}
	unblocked := func(withErr bool) resp.Reply {
		if withErr {
			return errUnblocked
		}
		return timedOut
	}
	for {
		select {
		case <-wt.ch:
			d.catchUpEarlier(s)
		case <-poll:
		case <-deadline:
			return timedOut
		case e := <-wt.unblock:
			return unblocked(e)
		case <-gone:
			return errClientGone
		case <-s.Context().Done():
			return errorReply(s.Context().Err())
		}
		heads := w.heads(wt)
		if len(heads) == 0 {
			continue
		}
		release, kind, ok := d.gate.shared()
		if !ok {
			return errBusy(kind)
		}
		select {
		case e := <-wt.unblock: // CLIENT UNBLOCK came first
			release()
			return unblocked(e)
		default:
		}
		turns := w.takeTurns(wt)
		// Its keys where it is first now: one that arrived earlier may
		// have gone in line ahead of it meanwhile (blocking_queue.go add).
		r, o := try(w.heads(wt))
		release()
		// A woken waiter whose key then held another type (a push, DEL
		// and SET in between) stays blocked, as Redis serves only a key
		// of the type it waits for.
		if o == tryAnswered {
			return d.served(s, w, wt, turns, r)
		}
		closeAll(turns)
	}
}

// served ends a blocking command that popped: out of line first (a push
// of its own must not wake it), then it waits for the clients its own
// push woke, and then tells the pushers whose turns it took (turns) that
// it is done.
func (d *Dispatcher) served(s *Session, w *waiters, wt *waiter, turns []chan struct{}, r resp.Reply) resp.Reply {
	w.remove(wt)
	d.settleWakes(s)
	closeAll(turns)
	return r
}

// BLPOP key [key ...] timeout
func (d *Dispatcher) blpop(s *Session, args [][]byte) resp.Reply { return d.bpop(s, args, true) }

// BRPOP key [key ...] timeout
func (d *Dispatcher) brpop(s *Session, args [][]byte) resp.Reply { return d.bpop(s, args, false) }

func (d *Dispatcher) bpop(s *Session, args [][]byte, left bool) resp.Reply {
	return d.blockFirst(s, classList, args, func(k []byte) (resp.Reply, bool) {
		if r, ok := d.popAtCoordinator(s, k, "LMPOP", "1", k, side(left, "LEFT", "RIGHT"), "COUNT", "1"); ok {
			// [key, [element]] -> [key, element]
			if r.Kind == resp.KindArray && len(r.Elems) == 2 && len(r.Elems[1].Elems) == 1 {
				return resp.Array(r.Elems[0], r.Elems[1].Elems[0]), true
			}
			return r, r.IsError()
		}
		return d.lmpopKey(s, k, left, 1, false)
	})
}

// popAtCoordinator runs args, a non-blocking pop of key (words: string
// or []byte), at key's coordinator when a blocking command waits here on
// another node's key (Env.AtCoordinator): every pop of a key runs where
// its pushes and other pops do, so two clients blocked on different
// nodes never get one element. ok is false when the pop runs here.
func (d *Dispatcher) popAtCoordinator(s *Session, key []byte, words ...any) (resp.Reply, bool) {
	if d.env.AtCoordinator == nil || s.Forwarded || s.inExclusive || s.tx != nil {
		return resp.Reply{}, false
	}
	args := make([][]byte, len(words))
	for i, w := range words {
		switch w := w.(type) {
		case string:
			args[i] = []byte(w)
		case []byte:
			args[i] = w
		}
	}
	return d.env.AtCoordinator(s.Context(), s, key, args)
}

// side is a if first, else b.
func side(first bool, a, b string) string {
	if first {
		return a
	}
	return b
}

// blockFirst runs "CMD key [key ...] timeout" (BLPOP, BRPOP, BZPOPMIN,
// BZPOPMAX): it answers what pop answers for the first key, in order,
// that has something to pop, blocking on d.block until one has; null
// when the timeout passes.
func (d *Dispatcher) blockFirst(s *Session, class string, args [][]byte, pop func(key []byte) (resp.Reply, bool)) resp.Reply {
	timeout, errr, ok := parseTimeout(args[len(args)-1], d.env.KV.Now())
	if !ok {
		return errr
	}
	keys := args[1 : len(args)-1]
	return d.block(s, class, keys, timeout, func(keys [][]byte) (resp.Reply, tryOutcome) {
		for _, k := range keys {
			if r, ok := pop(k); ok {
				return r, outcome(r, true)
			}
		}
		return resp.Reply{}, tryNothing
	}, resp.NullArray(), resp.NullArray())
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
func (d *Dispatcher) blmove(s *Session, args [][]byte) resp.Reply {
	from, ok1 := listWhere(args[3])
	to, ok2 := listWhere(args[4])
	if !ok1 || !ok2 {
		return errSyntax
	}
	return d.bmove(s, args[1], args[2], from, to, args[5])
}

// BRPOPLPUSH source destination timeout
func (d *Dispatcher) brpoplpush(s *Session, args [][]byte) resp.Reply {
	return d.bmove(s, args[1], args[2], false, true, args[3])
}

func (d *Dispatcher) bmove(s *Session, src, dst []byte, from, to bool, t []byte) resp.Reply {
	timeout, errr, ok := parseTimeout(t, d.env.KV.Now())
	if !ok {
		return errr
	}
	return d.block(s, classList, [][]byte{src}, timeout, func(keys [][]byte) (resp.Reply, tryOutcome) {
		if len(keys) == 0 {
			return resp.Reply{}, tryNothing
		}
		r, ok := d.popAtCoordinator(s, src, "LMOVE", src, dst, side(from, "LEFT", "RIGHT"), side(to, "LEFT", "RIGHT"))
		if !ok {
			r = d.listMove(s, src, dst, from, to)
		}
		o := outcome(r, r.Kind != resp.KindNull)
		if o == tryOtherType && d.holdsList(s, src) {
			// The destination holds another type: Redis answers the
			// WRONGTYPE and serves the next waiter.
			o = tryAnswered
		}
		return r, o
	}, resp.NullArray(), resp.Null())
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
func (d *Dispatcher) blmpop(s *Session, args [][]byte) resp.Reply {
	keys, left, count, errr := lmpopParse(args, 2)
	if errr.Kind == resp.KindError {
		return errr
	}
	timeout, errr, ok := parseTimeout(args[1], d.env.KV.Now())
	if !ok {
		return errr
	}
	return d.block(s, classList, keys, timeout, func(keys [][]byte) (resp.Reply, tryOutcome) {
		if len(keys) > 0 {
			words := []any{"LMPOP", strconv.Itoa(len(keys))}
			for _, k := range keys {
				words = append(words, k)
			}
			words = append(words, side(left, "LEFT", "RIGHT"), "COUNT", strconv.FormatInt(max(count, 1), 10))
			if r, ok := d.popAtCoordinator(s, keys[0], words...); ok {
				return r, outcome(r, r.Kind != resp.KindNullArray && r.Kind != resp.KindNull)
			}
		}
		r, ok := d.lmpopRun(s, keys, left, count)
		return r, outcome(r, ok)
	}, resp.NullArray(), resp.NullArray())
}

// holdsList reports whether key holds a list.
func (d *Dispatcher) holdsList(s *Session, key []byte) bool {
	c, err := d.openLst(s, key, lockShared)
	if err != nil {
		return false
	}
	defer c.close()
	return c.exists()
}

// isWrongType reports whether r is the WRONGTYPE error.
func isWrongType(r resp.Reply) bool {
	return r.Kind == resp.KindError && strings.HasPrefix(r.Str, "WRONGTYPE")
}
