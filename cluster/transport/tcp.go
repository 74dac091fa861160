package transport

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// TCP is the network Transport: it listens on Config.Addr for peers and dials
// peers named in Call, keeping Config.PoolSize connections per peer.
type TCP struct {
	cfg     Config
	log     zerolog.Logger
	ln      net.Listener
	handler atomic.Pointer[Handler]
	ctx     context.Context // cancelled by Close
	cancel  context.CancelFunc
	wg      sync.WaitGroup // every goroutine the transport owns
	bytes   counters       // peer bytes moved (counters.go)

	mu struct {
		sync.Mutex
		closed bool
		peers  map[string]*peer
	}
}

// Listen validates cfg, starts listening on cfg.Addr and returns the
// transport, ready to serve and to call.
func Listen(cfg Config) (*TCP, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	t := &TCP{cfg: cfg, ln: ln}
	t.log = cfg.Logger.With().Str("component", "transport").Str("node", cfg.Name).Logger()
	t.ctx, t.cancel = context.WithCancel(context.Background())
	t.mu.peers = make(map[string]*peer)
	if cfg.Handler != nil {
		t.SetHandler(cfg.Handler)
	}
	t.wg.Add(1)
	go t.acceptLoop()
	t.log.Info().Str("addr", t.Addr()).Msg("peer transport listening")
	return t, nil
}

// Addr returns the address the transport listens on (useful with ":0").
func (t *TCP) Addr() string { return t.ln.Addr().String() }

// SetHandler sets (or replaces) the Handler serving peer requests.
func (t *TCP) SetHandler(h Handler) { t.handler.Store(&h) }

// Call implements Transport. A call to this node's own name is served by the
// local Handler in the caller's goroutine (body and reply copied, the
// request Authenticated), so it returns at ctx's deadline only if the
// handler honours ctx.
func (t *TCP) Call(ctx context.Context, to string, method uint8, body []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err)
	}
	if to == t.cfg.Name {
		return t.callSelf(ctx, method, body)
	}
	c, err := t.conn(ctx, to)
	if err != nil {
		return nil, err
	}
	return c.call(ctx, method, body)
}

func (t *TCP) callSelf(ctx context.Context, method uint8, body []byte) ([]byte, error) {
	if t.isClosed() {
		return nil, ErrClosed
	}
	resp, err := t.handle(withAuthenticated(ctx), t.cfg.Name, method, copyBytes(body))
	if ctx.Err() != nil {
		return nil, ctxError(ctx.Err())
	}
	if err != nil {
		return nil, &RemoteError{Node: t.cfg.Name, Msg: err.Error()}
	}
	return copyBytes(resp), nil
}

// handle runs the Handler, turning a panic into an error.
func (t *TCP) handle(ctx context.Context, from string, method uint8, body []byte) (resp []byte, err error) {
	h := t.handler.Load()
	if h == nil {
		return nil, errors.New("transport: no handler")
	}
	defer func() {
		if r := recover(); r != nil {
			t.log.Error().Str("peer", from).Uint8("method", method).Interface("panic", r).Msg("peer handler panicked")
			err = errors.New("transport: handler panicked")
		}
	}()
	return (*h).ServePeer(ctx, from, method, body)
}

// Close stops the listener, closes every connection (calls in flight fail
// with ErrClosed), and waits for the transport's goroutines, including
// running handlers (which see their ctx cancelled). It is idempotent.
func (t *TCP) Close() error {
	t.mu.Lock()
	if t.mu.closed {
		t.mu.Unlock()
		return nil
	}
	t.mu.closed = true
	t.mu.Unlock()
	_ = t.ln.Close()
	t.cancel()
	t.wg.Wait()
	t.log.Info().Msg("peer transport closed")
	return nil
}

func (t *TCP) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mu.closed
}

// spawn runs f in a goroutine owned by t, unless t is closed.
func (t *TCP) spawn(f func()) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mu.closed {
		return false
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f()
	}()
	return true
}

func (t *TCP) acceptLoop() {
	defer t.wg.Done()
	for {
		nc, err := t.ln.Accept()
		if err != nil {
			if t.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			t.log.Warn().Err(err).Msg("accept failed")
			if !sleepCtx(t.ctx, 50*time.Millisecond) {
				return
			}
			continue
		}
		t.wg.Add(1)
		go t.serveConn(nc)
	}
}

// sleepCtx waits d, or until ctx is done (then it returns false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}
