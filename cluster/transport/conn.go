package transport

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"time"
)

const (
	readBufSize  = 64 << 10
	writeBufSize = 64 << 10
	outQueueLen  = 1024
)

// conn is one established, authenticated connection. An outbound (client)
// conn carries our requests and their replies; an inbound (server) conn
// carries the peer's requests and our replies. Either way one goroutine
// writes (writeLoop) and one reads; a failure of either fails the conn.
type conn struct {
	t       *TCP
	nc      net.Conn
	br      *bufio.Reader
	peer    string  // the peer's name (authenticated with a cluster key)
	peerMax int     // the largest payload the peer accepts
	send    *sealer // seals frames written; nil without a cluster key
	recv    *sealer // opens frames read; nil without a cluster key
	out     chan outFrame
	ctx     context.Context // cancelled when the conn fails
	cancel  context.CancelFunc
	once    sync.Once

	mu struct { // client side: calls awaiting a reply
		sync.Mutex
		err     error // set once failed; no more calls register
		nextID  uint64
		pending map[uint64]*call
	}
	sem chan struct{} // server side: bounds concurrent handlers
}

// outFrame is a frame queued for writeLoop; call is set for requests.
type outFrame struct {
	h    frameHeader
	body []byte
	call *call
}

// startConn wraps a net.Conn that passed the handshake and starts its
// goroutines.
func (t *TCP) startConn(nc net.Conn, br *bufio.Reader, s session, client bool) *conn {
	c := &conn{t: t, nc: nc, br: br, peer: s.peer, peerMax: s.maxFrame, send: s.send, recv: s.recv,
		out: make(chan outFrame, outQueueLen)}
	parent := t.ctx
	if s.recv != nil {
		parent = withAuthenticated(parent)
	}
	c.ctx, c.cancel = context.WithCancel(parent)
	context.AfterFunc(c.ctx, func() { _ = nc.Close() })
	c.mu.pending = make(map[uint64]*call)
	t.wg.Add(2)
	go c.writeLoop()
	if client {
		go c.readReplies()
	} else {
		c.sem = make(chan struct{}, t.cfg.MaxInflight)
		go c.readRequests()
	}
	return c
}

func (c *conn) alive() bool {
	select {
	case <-c.ctx.Done():
		return false
	default:
		return true
	}
}

// fail closes the conn once and fails every pending call: with ErrClosed if
// the transport is closing, else with ErrUnreachable wrapping cause.
func (c *conn) fail(cause error) {
	c.once.Do(func() {
		c.cancel()
		err := ErrClosed
		if c.t.ctx.Err() == nil {
			err = fmt.Errorf("%w: %s: connection lost: %v", ErrUnreachable, c.peer, cause)
			c.t.log.Debug().Err(cause).Str("peer", c.peer).Str("remote", c.nc.RemoteAddr().String()).
				Msg("peer connection closed")
		}
		c.mu.Lock()
		c.mu.err = err
		pending := c.mu.pending
		c.mu.pending = nil
		c.mu.Unlock()
		for _, cl := range pending {
			cl.res <- result{err: err}
		}
	})
}

// writeLoop writes queued frames through one bufio.Writer, flushing when
// the queue is empty, so concurrent calls share syscalls.
func (c *conn) writeLoop() {
	defer c.t.wg.Done()
	bw := bufio.NewWriterSize(c.nc, writeBufSize)
	hdr := make([]byte, 0, frameHeaderLen)
	for {
		var f outFrame
		select {
		case f = <-c.out:
		case <-c.ctx.Done():
			return
		}
		_ = c.nc.SetWriteDeadline(time.Now().Add(c.t.cfg.WriteTimeout))
		err := c.writeFrame(bw, f, hdr)
		for yielded := false; err == nil; {
			select {
			case f = <-c.out:
				err = c.writeFrame(bw, f, hdr)
				continue
			default:
			}
			if yielded {
				break
			}
			// Let the goroutines that are about to queue a frame (the
			// other handlers of a burst) run first: one more frame in
			// this write saves a syscall on both sides.
			runtime.Gosched()
			yielded = true
		}
		if err == nil && bw.Buffered() > 0 {
			c.t.bytes.writes.Add(1)
			err = bw.Flush()
		}
		if err != nil {
			c.fail(err)
			return
		}
	}
}

// writeFrame buffers f, skipping a request its caller abandoned. A request's
// body is only read under call.mu, so an abandoning caller waits for it.
func (c *conn) writeFrame(bw *bufio.Writer, f outFrame, hdr []byte) error {
	if cl := f.call; cl != nil {
		cl.mu.Lock()
		defer cl.mu.Unlock()
		if cl.abandoned {
			return nil
		}
	}
	c.t.bytes.sent.Add(wireLen(len(f.body), c.send != nil))
	c.t.bytes.framesSent.Add(1)
	if c.send != nil {
		return c.send.writeFrame(bw, f.h, f.body)
	}
	if _, err := bw.Write(appendHeader(hdr[:0], f.h)); err != nil {
		return err
	}
	_, err := bw.Write(f.body)
	return err
}

// readFrame reads the next frame, opening it if the conn is sealed.
func (c *conn) readFrame() (h frameHeader, body []byte, err error) {
	if c.recv != nil {
		h, body, err = c.recv.readFrame(c.br, c.t.cfg.MaxFrameSize)
	} else {
		h, body, err = readFrame(c.br, c.t.cfg.MaxFrameSize)
	}
	if err == nil {
		c.t.bytes.received.Add(wireLen(h.size, c.recv != nil))
		c.t.bytes.framesReceived.Add(1)
	}
	return h, body, err
}
