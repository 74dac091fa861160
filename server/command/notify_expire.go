package command

import (
	"context"
	"sync"
	"time"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/resp"
)

// expiryWatch fires "expired" notifications (class x). While
// notify-keyspace-events has x, the node that ran a write giving a key an
// expiry (its coordinator) sets a timer for that time; when it fires, a
// quorum read tells whether the key did expire (no live value, and an
// expired version from this write or a later one: a DEL or an overwrite in
// between leaves none) or got a later expiry (the timer is set again).
// Every replica sweeps its copy, but only this timer notifies, so a key
// expires once cluster-wide. The timers live in memory: a coordinator that
// restarts or dies before the time forgets them.
type expiryWatch struct {
	mu      sync.Mutex
	timers  map[string]*time.Timer // by key
	stopped bool
}

// maxExpiryWatches bounds the keys watched at once; past it new expiries
// are not watched (and do not notify).
const maxExpiryWatches = 1 << 20

// expiryCheckTimeout bounds the read a fired timer makes.
const expiryCheckTimeout = 5 * time.Second

// expiryAt is the Unix ms an expiry option sets (ex, px, exat, pxat),
// 0 if it does not parse.
func expiryAt(unit string, arg []byte, now int64) int64 {
	n, ok := resp.ParseInt(arg)
	if !ok {
		return 0
	}
	switch unit {
	case "ex":
		return now + n*1000
	case "px":
		return now + n
	case "exat":
		return n * 1000
	case "pxat":
		return n
	}
	return 0
}

// watchExpiry sets (or moves) key's timer to at, Unix ms; since is when
// the write that set it ran.
func (d *Dispatcher) watchExpiry(key []byte, at, since int64) {
	w := &d.pubsub.expiries
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	if w.timers == nil {
		w.timers = map[string]*time.Timer{}
	}
	k := string(key)
	if t, ok := w.timers[k]; ok {
		t.Stop()
	} else if len(w.timers) >= maxExpiryWatches {
		return
	}
	wait := time.Duration(at-d.env.KV.Now())*time.Millisecond + time.Millisecond
	w.timers[k] = time.AfterFunc(max(wait, 0), func() { d.expiryDue(k, since) })
}

// expiryDue checks a watched key at its expiry time.
func (d *Dispatcher) expiryDue(key string, since int64) {
	w := &d.pubsub.expiries
	w.mu.Lock()
	delete(w.timers, key)
	stopped := w.stopped
	w.mu.Unlock()
	if stopped || (d.env.Settings.keyEvents.Load()&notifyExpired == 0 && !d.pubsub.track.active()) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), expiryCheckTimeout)
	defer cancel()
	set, err := d.env.KV.Get(ctx, []byte(key), replica.ReadOptions{})
	if err != nil {
		return
	}
	now := d.env.KV.Now()
	if live, ok := set.Winner(now); ok {
		if live.Expiry > 0 {
			d.watchExpiry([]byte(key), live.Expiry, since)
		}
		return
	}
	for _, sib := range set {
		if sib.Expiry > 0 && sib.Expiry <= now && sib.Time >= since {
			d.emitCtx(ctx, nil, resp.Reply{}, one(notifyExpired, "expired", []byte(key)))
			d.invalidate(ctx, [][]byte{[]byte(key)}, nil, false) // tracking_send.go
			return
		}
	}
}

// StopKeyEvents stops the expiry timers (the server's shutdown).
func (d *Dispatcher) StopKeyEvents() {
	w := &d.pubsub.expiries
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	for k, t := range w.timers {
		t.Stop()
		delete(w.timers, k)
	}
}
