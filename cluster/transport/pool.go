package transport

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// peer is the pool of outbound connections to one node: PoolSize slots used
// round-robin, each dialled lazily by one goroutine while callers wait.
type peer struct {
	name  string
	next  atomic.Uint32
	slots []atomic.Pointer[conn]

	mu      sync.Mutex
	dialing []chan struct{} // per slot: closed when its dial ends
	failErr error           // last dial failure, fails calls fast until
	failAt  time.Time       // failAt + DialBackoff
}

func (t *TCP) peer(name string) (*peer, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mu.closed {
		return nil, ErrClosed
	}
	p := t.mu.peers[name]
	if p == nil {
		n := t.cfg.PoolSize
		p = &peer{name: name, slots: make([]atomic.Pointer[conn], n), dialing: make([]chan struct{}, n)}
		t.mu.peers[name] = p
	}
	return p, nil
}

// conn returns a live connection to node to, dialling if needed.
func (t *TCP) conn(ctx context.Context, to string) (*conn, error) {
	p, err := t.peer(to)
	if err != nil {
		return nil, err
	}
	i := int(p.next.Add(1) % uint32(len(p.slots)))
	for {
		if c := p.slots[i].Load(); c != nil && c.alive() {
			return c, nil
		}
		wait, err := t.startDial(p, i)
		if err != nil {
			return nil, err
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctxError(ctx.Err())
		}
	}
}

// startDial returns a channel closed when slot i's dial ends, starting the
// dial unless one is running or the peer failed within DialBackoff.
func (t *TCP) startDial(p *peer, i int) (<-chan struct{}, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.slots[i].Load(); c != nil && c.alive() {
		return closedChan, nil
	}
	if w := p.dialing[i]; w != nil {
		return w, nil
	}
	if p.failErr != nil && time.Since(p.failAt) < t.cfg.DialBackoff {
		return nil, p.failErr
	}
	w := make(chan struct{})
	if !t.spawn(func() { t.dialSlot(p, i, w) }) {
		return nil, ErrClosed
	}
	p.dialing[i] = w
	return w, nil
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (t *TCP) dialSlot(p *peer, i int, w chan struct{}) {
	c, err := t.dial(p.name)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dialing[i] = nil
	if err != nil {
		p.failErr, p.failAt = err, time.Now()
	} else {
		p.slots[i].Store(c)
		p.failErr = nil
	}
	close(w)
}

// dial connects to node, runs the handshake and starts the connection.
func (t *TCP) dial(node string) (*conn, error) {
	addr, ok := "", false
	if t.cfg.Resolve != nil {
		addr, ok = t.cfg.Resolve(node)
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s: no known address", ErrUnreachable, node)
	}
	ctx, cancel := context.WithTimeout(t.ctx, t.cfg.DialTimeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		br := bufio.NewReaderSize(nc, readBufSize)
		var sess session
		if sess, err = t.handshake(ctx, nc, br, node); err == nil {
			t.log.Debug().Str("peer", node).Str("addr", addr).Bool("sealed", sess.send != nil).Msg("connected to peer")
			return t.startConn(nc, br, sess, true), nil
		}
	}
	if t.ctx.Err() != nil {
		return nil, ErrClosed
	}
	t.log.Debug().Err(err).Str("peer", node).Str("addr", addr).Msg("dial failed")
	return nil, fmt.Errorf("%w: %s at %s: %w", ErrUnreachable, node, addr, err)
}

// handshake runs the dialer's handshake on nc, aborted when ctx ends.
func (t *TCP) handshake(ctx context.Context, nc net.Conn, br *bufio.Reader, node string) (session, error) {
	stop := context.AfterFunc(ctx, func() { _ = nc.Close() })
	sess, err := clientHandshake(nc, br, &t.cfg, node)
	if !stop() {
		err = errors.Join(ctx.Err(), err)
	}
	if err != nil {
		_ = nc.Close()
	}
	return sess, err
}

// Retry forgets the last dial failure to node, so the next call dials at
// once instead of failing fast for the rest of DialBackoff. Membership
// calls it when a node is seen alive again.
func (t *TCP) Retry(node string) {
	t.mu.Lock()
	p := t.mu.peers[node]
	t.mu.Unlock()
	if p == nil {
		return
	}
	p.mu.Lock()
	p.failErr = nil
	p.mu.Unlock()
}
