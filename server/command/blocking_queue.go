package command

import (
	"time"

	"github.com/ringkv/ringkv/resp"
)

// The waiters' queues. Redis serves the clients blocked on a key first
// come, first served: a push of N elements serves the N longest waiting.
// Here each key has its waiters in blocking order, and a waiter pops only
// from the keys on which it is first in line among the waiters of its
// class (a list waiter does not wait behind a sorted-set one: a key
// serves one type). A push wakes the first in line; a waiter that leaves
// the head of a line (served, timed out, unblocked, gone) wakes the next
// one, which tries in its turn. So a push of 2 elements with 3 waiters
// serves the first, then the second; the third finds the key empty and
// stays first in line. A new blocking command does not pop from a key
// with waiters of its class either: what is there is theirs.

// Waiter classes: the type of key a waiter pops from.
const (
	classList = "list"
	classZset = "zset"
	// classStream waiters (XREAD, XREADGROUP) are not in line: an XADD
	// wakes them all, and each reads every key it waits on.
	classStream = "stream"
)

// waiter is one blocked client.
type waiter struct {
	id    uint64 // the client's ID (CLIENT UNBLOCK)
	at    int64  // when its command arrived (Unix ns; see arrival): its place in line
	class string
	keys  []string      // its keys, without repeats, in the command's order
	ch    chan struct{} // a turn to try
	// unblock receives CLIENT UNBLOCK's reply choice (true: ERROR);
	// unblocked (under waiters.mu) is whether one was sent.
	unblock   chan bool
	unblocked bool
	blocked   bool // its first try found nothing (under waiters.mu)
	// turns are closed once wt has tried after the pushes that made
	// them (wake), or has left (under waiters.mu).
	turns []chan struct{}
}

// add registers a blocked client of class on keys whose command arrived
// at at: in line on each key after the waiters whose commands arrived
// before it. Usually that is last; a command that arrived earlier but
// whose goroutine ran later goes ahead, and takes the turns the waiter it
// passes was given (its first try answers them).
func (w *waiters) add(id uint64, class string, keys [][]byte, at int64) *waiter {
	wt := &waiter{id: id, at: at, class: class, ch: make(chan struct{}, 1), unblock: make(chan bool, 1)}
	seen := map[string]bool{}
	for _, k := range keys {
		if !seen[string(k)] {
			seen[string(k)] = true
			wt.keys = append(wt.keys, string(k))
		}
	}
	w.mu.Lock()
	for _, k := range wt.keys {
		q := w.keys[k]
		i := len(q)
		for i > 0 && q[i-1].at > at {
			i--
		}
		if head := w.first(q, class); head != nil && head.at > at && class != classStream {
			wt.turns, head.turns = append(wt.turns, head.turns...), nil
		}
		w.keys[k] = append(q[:i:i], append([]*waiter{wt}, q[i:]...)...)
	}
	w.all[wt] = struct{}{}
	w.mu.Unlock()
	return wt
}

// arrival is when s's command arrived: the kernel's receive time of its
// connection's input where known (Inbox.Arrived), else now. Redis serves
// blocked clients in the order their commands arrived in its one event
// loop; here each connection has its own goroutine, and of two commands
// sent one after the other on two connections the second may reach the
// queue first.
func arrival(s *Session) int64 {
	if s.ps.in != nil {
		if t := s.ps.in.Arrived(); t != 0 {
			return t
		}
	}
	return time.Now().UnixNano()
}

// remove unregisters wt; where it was first in line, the next of its
// class gets a turn (a push may have woken wt for an element it left),
// and the turns wt had not taken pass to it. Removing twice is harmless.
func (w *waiters) remove(wt *waiter) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.all[wt]; !ok {
		return
	}
	turns := wt.turns
	wt.turns = nil
	defer func() { closeAll(turns) }()
	for _, k := range wt.keys {
		q := w.keys[k]
		head := w.first(q, wt.class) == wt
		for i, x := range q {
			if x == wt {
				q = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		if len(q) == 0 {
			delete(w.keys, k)
			continue
		}
		w.keys[k] = q
		if next := w.first(q, wt.class); head && next != nil {
			signal(next)
			next.turns, turns = append(next.turns, turns...), nil
		}
	}
	delete(w.all, wt)
}

// first is the first waiter of class in q, or nil.
func (w *waiters) first(q []*waiter, class string) *waiter {
	for _, x := range q {
		if x.class == class {
			return x
		}
	}
	return nil
}

// wake gives the first waiter of each class on key a turn, and returns
// a channel per turn, closed once that waiter has tried (or left and
// passed the turn on, and the next has tried).
func (w *waiters) wake(key string) []chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.keys[key]
	var out []chan struct{}
	wake := []*waiter{w.first(q, classList), w.first(q, classZset)}
	for _, x := range q {
		if x.class == classStream {
			wake = append(wake, x) // stream readers take nothing from each other: all try
		}
	}
	for _, wt := range wake {
		if wt != nil {
			signal(wt)
			ack := make(chan struct{})
			wt.turns = append(wt.turns, ack)
			out = append(out, ack)
		}
	}
	return out
}

// takeTurns takes wt's turns: the try wt is about to make answers them.
func (w *waiters) takeTurns(wt *waiter) []chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := wt.turns
	wt.turns = nil
	return t
}

func closeAll(chs []chan struct{}) {
	for _, ch := range chs {
		close(ch)
	}
}

func signal(wt *waiter) {
	if wt == nil {
		return
	}
	select {
	case wt.ch <- struct{}{}:
	default:
	}
}

// heads are wt's keys on which it is first in line, in its order.
func (w *waiters) heads(wt *waiter) [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out [][]byte
	for _, k := range wt.keys {
		if wt.class == classStream || w.first(w.keys[k], wt.class) == wt {
			out = append(out, []byte(k))
		}
	}
	return out
}

// blocked records that wt's first try found nothing: from now on it is
// a blocked client (INFO, CLIENT LIST, CLIENT UNBLOCK).
func (w *waiters) blocked(wt *waiter) {
	w.mu.Lock()
	wt.blocked = true
	w.mu.Unlock()
}

// errUnblocked answers a command unblocked by CLIENT UNBLOCK id ERROR.
var errUnblocked = resp.Err("UNBLOCKED client unblocked via CLIENT UNBLOCK")

// unblockClient is CLIENT UNBLOCK on this node: it reports whether the
// client id was blocked, and has its command answer (with the error if
// withErr, else as at its timeout).
func (d *Dispatcher) unblockClient(id uint64, withErr bool) bool {
	w := d.waiters(false)
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for wt := range w.all {
		if wt.id == id && wt.blocked && !wt.unblocked {
			wt.unblocked = true
			wt.unblock <- withErr
			return true
		}
	}
	return false
}

// isBlocked reports whether client id is blocked here (CLIENT LIST's b).
func (d *Dispatcher) isBlocked(id uint64) bool {
	w := d.waiters(false)
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for wt := range w.all {
		if wt.id == id && wt.blocked && !wt.unblocked {
			return true
		}
	}
	return false
}
