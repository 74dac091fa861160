package transport

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// MemTransport is one node's Transport on a MemNetwork.
type MemTransport struct {
	net     *MemNetwork
	name    string
	handler atomic.Pointer[Handler]
	ctx     context.Context // cancelled by Close
	cancel  context.CancelFunc
	wg      sync.WaitGroup // running handlers

	mu     sync.Mutex
	closed bool
}

// Node attaches a node named name, served by h (which may be nil and set
// later with SetHandler). After the node is closed the name may be attached
// again (a restart); attaching an open name panics.
func (n *MemNetwork) Node(name string, h Handler) *MemTransport {
	m := &MemTransport{net: n, name: name}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	if h != nil {
		m.SetHandler(h)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.nodes[name] != nil {
		panic(fmt.Sprintf("transport: node %q is already on the network", name))
	}
	n.nodes[name] = m
	return m
}

// SetHandler sets (or replaces) the Handler serving this node's requests.
func (m *MemTransport) SetHandler(h Handler) { m.handler.Store(&h) }

// Call implements Transport; see MemNetwork for the faults it may meet.
func (m *MemTransport) Call(ctx context.Context, to string, method uint8, body []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err)
	}
	if m.isClosed() {
		return nil, ErrClosed
	}
	dst, err := m.send(ctx, m.name, to)
	if err != nil {
		return nil, err
	}
	res := make(chan result, 1)
	req := copyBytes(body)
	if !dst.spawn(func() { res <- dst.serve(ctx, m.name, method, req) }) {
		return nil, fmt.Errorf("%w: %s is closed", ErrUnreachable, to)
	}
	var r result
	select {
	case r = <-res:
	case <-ctx.Done():
	}
	if err := expired(ctx); err != nil { // the caller's deadline wins ties
		return nil, ctxError(err)
	}
	if _, err := m.send(ctx, to, m.name); err != nil {
		return nil, err
	}
	return r.body, r.err
}

// send carries one message from -> to through the network's faults,
// returning the receiving node once the message has arrived.
func (m *MemTransport) send(ctx context.Context, from, to string) (*MemTransport, error) {
	dst, delay, err := m.net.route(from, to)
	if errors.Is(err, errDropped) {
		<-ctx.Done()
		return nil, ctxError(ctx.Err())
	}
	if err != nil {
		return nil, err
	}
	if delay > 0 && !sleepCtx(ctx, delay) {
		return nil, ctxError(ctx.Err())
	}
	return dst, nil
}

// serve runs the handler with the caller's deadline (not its values or
// cancellation) and returns a copy of the reply.
func (m *MemTransport) serve(callerCtx context.Context, from string, method uint8, body []byte) result {
	ctx := m.ctx
	if d, ok := callerCtx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d)
		defer cancel()
	}
	h := m.handler.Load()
	if h == nil {
		return result{err: &RemoteError{Node: m.name, Msg: "transport: no handler"}}
	}
	resp, err := (*h).ServePeer(ctx, from, method, body)
	if err != nil {
		return result{err: &RemoteError{Node: m.name, Msg: err.Error()}}
	}
	return result{body: copyBytes(resp)}
}

// expired is ctx.Err(), or DeadlineExceeded once the deadline has passed
// even if ctx's timer has not fired yet (under synctest, timers of one
// instant fire in any order).
func expired(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

func (m *MemTransport) spawn(f func()) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		f()
	}()
	return true
}

func (m *MemTransport) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// Close detaches the node from the network, cancels its running handlers'
// ctx and waits for them. It is idempotent.
func (m *MemTransport) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	m.net.mu.Lock()
	if m.net.nodes[m.name] == m {
		delete(m.net.nodes, m.name)
	}
	m.net.mu.Unlock()
	m.cancel()
	m.wg.Wait()
	return nil
}

// Name returns the node's name.
func (m *MemTransport) Name() string { return m.name }
