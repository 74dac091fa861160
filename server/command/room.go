package command

import "sync"

// room is a lock whose holders come in kinds (lockMode): any number of
// one shared kind hold it together, never two kinds at once, and an
// exclusive holder holds it alone. Arrivals go in in order: one that
// cannot enter waits, and so does everyone after it, so no kind starves
// another (a sync.RWMutex is the case of one shared kind). Waiting costs
// an allocation; entering an idle room or one held by one's own kind
// with no queue does not.
type room struct {
	mu    sync.Mutex
	kind  lockMode // the holders' kind, while in > 0
	in    int      // holders
	queue []roomWaiter
}

type roomWaiter struct {
	kind  lockMode
	admit chan struct{}
}

// shares reports whether holders of kind may be joined by another of it.
func shares(kind lockMode) bool { return kind != lockExclusive }

// enter waits until the room admits a holder of kind.
func (r *room) enter(kind lockMode) {
	r.mu.Lock()
	if len(r.queue) == 0 && (r.in == 0 || r.kind == kind && shares(kind)) {
		r.kind = kind
		r.in++
		r.mu.Unlock()
		return
	}
	w := roomWaiter{kind: kind, admit: make(chan struct{})}
	r.queue = append(r.queue, w)
	r.mu.Unlock()
	<-w.admit
}

// leave ends one holder's turn; the last one out admits the waiters at
// the head of the queue: the first, and those of its kind right behind
// it if it shares.
func (r *room) leave() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.in--; r.in > 0 {
		return
	}
	for len(r.queue) > 0 {
		w := r.queue[0]
		if r.in > 0 && (w.kind != r.kind || !shares(w.kind)) {
			break
		}
		r.queue[0] = roomWaiter{}
		r.queue = r.queue[1:]
		r.kind = w.kind
		r.in++
		close(w.admit)
		if !shares(w.kind) {
			break
		}
	}
	if len(r.queue) == 0 {
		r.queue = nil // let the backing array go
	}
}
