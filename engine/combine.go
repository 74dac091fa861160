package engine

import (
	"bytes"
	"fmt"
	"slices"
	"sync"

	"github.com/ringkv/ringkv/replica/version"
)

// Writes to one stripe are combined. A key, or a collection (its records
// share a placement hash and so a stripe), that many clients write takes
// all their writes there. Each such write used to wait for the stripe
// lock and then make its own LevelDB write, with its own journal
// write(2), one after another. Now a write that finds its stripe idle
// writes alone, as before (lead, handOff); one that finds a write in
// progress queues. When that write ends, the first queued write leads a
// round: it takes the lock, runs its own change and those queued behind
// it (up to combineMaxOps, in the order they came), and stores them all
// in one LevelDB batch. Each change sees the sets the changes before it
// left, exactly as if it had run alone after them. When the batch is
// written the leader wakes them and hands the stripe on.
//
// Only writes without hints combine (a hinted write stores its new sets
// for its targets, and that stays one write per change), and only those
// whose keys lie in one stripe (UpdateHinted's one key; a collection's
// group).

// combineMaxOps bounds one round: a round holds the stripe lock while it
// reads its keys, so a long queue is cut into rounds of this many.
const combineMaxOps = 64

// pendingWrite is one UpdateGroupHinted call waiting in, or leading, a
// round of its stripe.
type pendingWrite struct {
	keys   [][]byte
	keyOf  func(i int) []byte
	hashes []uint64
	fn     func(i int, cur version.Set) (next version.Set, changed bool, err error)

	stored []version.Set // each key's stored set, once done
	err    error

	done chan struct{} // closed when stored and err are final, or lead is set
	lead bool          // the write leads the next round instead
}

// writeQueue is one stripe's writes waiting for the round in progress.
type writeQueue struct {
	mu   sync.Mutex
	busy bool // a round is in progress (its leader will wake the queue)
	q    []*pendingWrite
}

// oneStripe returns the stripe every hash falls in, or -1.
func oneStripe(hashes []uint64) int {
	if len(hashes) == 0 {
		return -1
	}
	s := hashes[0] % stripes
	for _, h := range hashes[1:] {
		if h%stripes != s {
			return -1
		}
	}
	return int(s)
}

// lead makes the caller the stripe's writer if none is in progress: it
// then writes alone, as if there were no queue, and calls handOff when
// done. Writes that queue meanwhile are stored together in the next
// round, led by the first of them; so a write that finds its stripe idle
// costs two uncontended lock operations more, and one that finds it busy
// waits in the queue instead of on the stripe lock.
func (q *writeQueue) lead() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.busy {
		return false
	}
	q.busy = true
	return true
}

// handOff ends the caller's turn: the first write that queued meanwhile
// leads the next round, or the stripe goes idle.
func (q *writeQueue) handOff() {
	q.mu.Lock()
	var next *pendingWrite
	if len(q.q) > 0 {
		next, q.q = q.q[0], q.q[1:]
	} else {
		q.busy = false
	}
	q.mu.Unlock()
	if next != nil {
		next.lead = true
		close(next.done)
	}
}

// queued runs w in a round of q: it waits behind the write in progress,
// and is run by that round's leader or leads the next round itself. It
// returns w's stored sets.
func (db *DB) queued(q *writeQueue, w *pendingWrite) ([]version.Set, error) {
	q.mu.Lock()
	if q.busy {
		w.done = make(chan struct{})
		q.q = append(q.q, w)
		q.mu.Unlock()
		<-w.done
		if !w.lead {
			return w.stored, w.err
		}
		// Handed the next round: busy stays set.
	} else { // the write in progress ended meanwhile
		q.busy = true
		q.mu.Unlock()
	}
	round := []*pendingWrite{w}
	defer db.endRound(q, &round) // a panic too must wake the round and the queue
	db.runRound(q, &round)
	return w.stored, w.err
}

// endRound wakes a round's writes (all but its leader, round[0]) and
// hands the stripe on.
func (db *DB) endRound(q *writeQueue, roundp *[]*pendingWrite) {
	round := *roundp
	if r := recover(); r != nil {
		err := fmt.Errorf("engine: a write panicked: %v", r)
		for _, o := range round[1:] {
			if o.err == nil {
				o.stored, o.err = nil, err
			}
		}
		defer panic(r) // the leader's caller recovers it as its own
	}
	db.combinedW.Add(int64(len(round) - 1))
	for _, o := range round[1:] {
		close(o.done)
	}
	q.handOff()
}

// take removes up to n waiting writes from q.
func (q *writeQueue) take(n int) []*pendingWrite {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(n, len(q.q))
	out := q.q[:n:n]
	q.q = q.q[n:]
	if len(q.q) == 0 {
		q.q = nil // let the backing array go
	}
	return out
}

// runRound runs the round's leader (*roundp holds it alone) and the
// writes queued behind it under the stripe lock, appending those to
// *roundp, and stores what they changed in one batch.
func (db *DB) runRound(q *writeQueue, roundp *[]*pendingWrite) {
	lead := (*roundp)[0]
	err := db.keysLocked(lead.hashes[:1], func() error {
		var ov overlay
		for i := 0; i < len(*roundp); i++ {
			db.runPending(&ov, (*roundp)[i])
			if n := len(*roundp); i == n-1 && n < combineMaxOps {
				*roundp = append(*roundp, q.take(combineMaxOps-n)...)
			}
		}
		recs, nexts := ov.changes()
		if len(recs) == 0 {
			return nil
		}
		b := getBatch()
		defer putBatch(b)
		return db.storeRecsBatch(b, recs, nexts)
	})
	if err != nil {
		for _, w := range *roundp {
			if w.err == nil {
				w.stored, w.err = nil, err
			}
		}
	}
}

// overlay is a round's records: each as read from LevelDB (cur, what the
// batch's index and counter changes are computed against) and the set
// the round's changes so far left.
type overlay struct {
	recs    []*keyRec
	nexts   []version.Set
	changed []bool
	at      map[string]int // data key -> index, once there are many
}

// overlayIndexAt is how many records the overlay finds by scanning before
// it keeps a map.
const overlayIndexAt = 16

func (ov *overlay) find(dk []byte) (int, bool) {
	if ov.at != nil {
		j, ok := ov.at[string(dk)]
		return j, ok
	}
	for j, r := range ov.recs {
		if bytes.Equal(r.dk, dk) {
			return j, true
		}
	}
	return 0, false
}

func (ov *overlay) add(r *keyRec) int {
	j := len(ov.recs)
	ov.recs, ov.nexts, ov.changed = append(ov.recs, r), append(ov.nexts, r.cur), append(ov.changed, false)
	switch {
	case ov.at != nil:
		ov.at[string(r.dk)] = j
	case len(ov.recs) > overlayIndexAt:
		ov.at = make(map[string]int, 2*len(ov.recs))
		for i, x := range ov.recs {
			ov.at[string(x.dk)] = i
		}
	}
	return j
}

// changes returns the records the round changed and their new sets.
func (ov *overlay) changes() ([]*keyRec, []version.Set) {
	var recs []*keyRec
	var nexts []version.Set
	for j, r := range ov.recs {
		if ov.changed[j] {
			recs, nexts = append(recs, r), append(nexts, ov.nexts[j])
		}
	}
	return recs, nexts
}

// runPending runs w's fn over its keys as UpdateGroupHinted does, reading
// each key from the overlay (the round's earlier changes) or LevelDB. Its
// changes join the overlay only if all of w succeeds; an error is w's
// alone, and so is a panic of its fn (the round's other writes, whoever
// leads it, are not its caller's).
func (db *DB) runPending(ov *overlay, w *pendingWrite) {
	type change struct {
		j    int
		next version.Set
	}
	var mine []change
	w.stored = make([]version.Set, len(w.keys))
	fail := func(err error) { w.stored, w.err = nil, err }
	defer func() {
		if r := recover(); r != nil {
			fail(fmt.Errorf("engine: a combined write panicked: %v", r))
			db.log.Error().Interface("panic", r).Bytes("key", w.keys[0]).Msg("a write's change function panicked; it was refused")
		}
	}()
	for i, k := range w.keys {
		if k == nil {
			if w.keyOf != nil {
				k = w.keyOf(i)
			}
			if k == nil || !slices.Contains(w.hashes, Hash(k)) {
				fail(fmt.Errorf("engine: group key %d named %q, outside the group's placement", i, k))
				return
			}
			w.keys[i] = k
		}
		h := Hash(k)
		dk := dataKey(h, k)
		j, ok := ov.find(dk)
		if !ok {
			r, err := db.loadRec(h, dk, k, true)
			if err != nil {
				fail(err)
				return
			}
			j = ov.add(r)
		}
		cur := ov.nexts[j]
		next, changed, err := w.fn(i, cur)
		if err != nil {
			fail(err)
			return
		}
		w.stored[i] = cur
		if changed {
			mine = append(mine, change{j, next})
			w.stored[i] = next
		}
	}
	for _, c := range mine {
		ov.nexts[c.j], ov.changed[c.j] = c.next, true
	}
}
