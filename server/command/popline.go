package command

import (
	"errors"
	"sync"
	"sync/atomic"
)

// popLines lets the pops of one key that meet run as one batch (LPOP,
// RPOP, ZPOPMIN, ZPOPMAX, SPOP). A pop holds its key's lock alone: it
// must know which element is first, so fifty clients popping one list
// ran one at a time, each with its own header read, group write and
// LevelDB batch, one core busy (a CPU profile of redis-benchmark's
// LPOP). Instead each pop joins its key's line; the first to join leads:
// it takes the line as it stands (itself first, at most popLineMax),
// serves it under the lock with one header read and one pop of the
// batch's total count per run of one end (one group write, or a few:
// coll.updateAll), hands each its elements in line order, and passes the
// lead to the first pop that joined meanwhile. So the replies are those
// of the pops run one after another in line order, as under the lock.
//
// Only plain pops join: not inside a transaction or script (which run
// alone), nor with keyspace events on (each pop's events go out in its
// own order), nor a pop of count 0.
type popLines struct {
	mu     sync.Mutex
	m      map[string]*popLine
	joined atomic.Int64 // pops served in another's batch
}

// popLine is one key's pops waiting for the lead's batch.
type popLine struct{ reqs []*popReq }

// popLineMax bounds a batch: this many pops at most (more wait for the
// next lead).
const popLineMax = 128

// popReq is one pop in a line.
type popReq struct {
	left  bool  // the end it pops
	count int64 // elements it takes, at most
	done  chan struct{}
	// Set by the lead before done is closed:
	lead  bool     // serve the next batch (the pop is not served yet)
	vals  [][]byte // its elements, in pop order (none: the key was empty)
	zents []zent   // its members and scores (sorted sets)
	got   bool     // it got an element
	err   error
	acks  int64 // the batch write's Session acks, for WAIT
}

func newPopReq(left bool, count int64) *popReq {
	return &popReq{left: left, count: count, done: make(chan struct{})}
}

// join puts r in key's line and reports whether r leads (no batch runs).
func (p *popLines) join(key []byte, r *popReq) (lead bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = make(map[string]*popLine)
	}
	l := p.m[string(key)]
	if l == nil {
		l = &popLine{}
		p.m[string(key)] = l
		lead = true
	}
	l.reqs = append(l.reqs, r)
	return lead
}

// take removes the first popLineMax pops of key's line (the lead first).
func (p *popLines) take(key []byte) []*popReq {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.m[string(key)]
	n := min(len(l.reqs), popLineMax)
	batch := l.reqs[:n:n]
	l.reqs = l.reqs[n:]
	return batch
}

// handOff passes the lead to the first pop waiting in key's line, or
// drops the line if none is.
func (p *popLines) handOff(key []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.m[string(key)]
	if len(l.reqs) == 0 {
		delete(p.m, string(key))
		return
	}
	next := l.reqs[0]
	next.lead = true
	close(next.done)
}

// await returns once r is served, or with r to lead when it must lead
// (it waits first if another leads).
func (p *popLines) await(key []byte, r *popReq) {
	if p.join(key, r) {
		r.lead = true
		return
	}
	<-r.done
}

// lead serves the batch that r, leading, takes from key's line with serve
// (which sets each pop's vals or err), releases the others and passes
// the lead on. A serve that panics releases them with errPopLead (the
// panic goes on to r's connection, which answers it as an error).
func (p *popLines) lead(key []byte, r *popReq, serve func(batch []*popReq)) {
	batch := p.take(key) // r first
	served := false
	defer func() {
		for _, o := range batch[1:] {
			if !served && o.err == nil && !o.got {
				o.err = errPopLead
			}
			close(o.done)
		}
		p.handOff(key)
	}()
	serve(batch)
	served = true
	p.joined.Add(int64(len(batch) - 1))
}

// errPopLead answers the pops of a batch whose lead failed unexpectedly
// (a bug): nothing of theirs was taken.
var errPopLead = errors.New("the pop serving this one's batch failed; nothing was popped, retry")

// eachRun calls pop for each run of batch's pops at one end, in line
// order, with the run and its total count; pop hands the elements out
// (handOut). At pop's error it stops: the pops that got no element by
// then get the error. It reports whether any pop got an element.
func eachRun(batch []*popReq, pop func(run []*popReq, left bool, total int64) error) (got bool) {
	for i := 0; i < len(batch); {
		j, total := i, int64(0)
		for ; j < len(batch) && batch[j].left == batch[i].left; j++ {
			total += batch[j].count
		}
		err := pop(batch[i:j], batch[i].left, total)
		for _, r := range batch[i:j] {
			got = got || r.got
		}
		if err != nil {
			for _, r := range batch[i:] {
				if !r.got {
					r.err = err
				}
			}
			return got
		}
		i = j
	}
	return got
}

// failAll answers every pop of batch with err: none was served.
func failAll(batch []*popReq, err error) {
	for _, r := range batch {
		r.err = err
	}
}

// handOut gives each pop of run, in order, up to its count of items (in
// pop order), with set; those past the last item get none.
func handOut[T any](run []*popReq, items []T, set func(r *popReq, mine []T)) {
	for _, r := range run {
		if len(items) == 0 {
			return
		}
		k := min(int64(len(items)), r.count)
		set(r, items[:k:k])
		r.got, items = true, items[k:]
	}
}

// batchServed ends a batch served with s: the lookups of the pops the
// lead's open did not count, and its write's acks for each (WAIT).
func (d *Dispatcher) batchServed(s *Session, batch []*popReq, existed bool) {
	if existed {
		d.env.Stats.KeyspaceHits.Add(int64(len(batch) - 1))
	} else {
		d.env.Stats.KeyspaceMisses.Add(int64(len(batch) - 1))
	}
	acks := s.intro.acks.Load()
	for _, r := range batch {
		r.acks = acks
	}
}

// inLine runs r, a pop of key, in key's line with serve, and returns
// once it is served (its fields set).
func (d *Dispatcher) inLine(s *Session, key []byte, r *popReq, serve func(s *Session, key []byte, batch []*popReq)) {
	if d.pops.await(key, r); r.lead {
		d.pops.lead(key, r, func(batch []*popReq) { serve(s, key, batch) })
	} else if r.err == nil && r.got {
		s.intro.acks.Store(r.acks)
	}
}

// lastGot is the last pop of batch that got an element (the one that
// emptied the key, if it did), for an error of the emptying.
func lastGot(batch []*popReq) *popReq {
	last := batch[0]
	for _, r := range batch {
		if r.got {
			last = r
		}
	}
	return last
}
