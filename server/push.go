package server

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// outbox is a client connection's output when other goroutines write to it
// too: pub/sub messages and MONITOR lines arrive while the connection's
// own goroutine is blocked reading the next command. It keeps one order on
// the wire: everything goes out in the order it was handed in, and
// messages pushed while the client's own command runs (hold) wait until
// that command's reply is written (release), as Redis appends them to the
// same output buffer after the reply.
//
// While nothing is queued the connection's replies are written directly,
// on its own goroutine, as before. The first push starts a writer
// goroutine that drains the queue; the outbox owns it and close stops it.
// Pushes never wait for the network: bytes queued beyond the client's
// output limit (client-output-buffer-limit, pubsub class for subscribers)
// close the connection, with a log line, instead.
type outbox struct {
	w     io.Writer // the connection's writes (connIO)
	conn  net.Conn  // closed when the client overruns its limit
	limit func() command.ObufLimit
	log   zerolog.Logger

	mu       sync.Mutex
	pending  []byte // queued for the writer, in order
	spare    []byte // the writer's last buffer, reused
	deferred []byte // pushed while held: queued at release
	inflight int    // bytes being written now
	held     bool   // the client's own command runs
	writing  bool   // a write to w is in progress (either goroutine)
	closed   bool
	draining bool          // the connection is done: the writer stops when empty
	started  bool          // the writer goroutine runs
	wake     chan struct{} // cap 1: the writer has work
	done     chan struct{} // closed when the writer returns
	watch    command.ObufWatch
}

var (
	_ command.Pusher     = (*outbox)(nil)
	_ resp.BuffersWriter = (*outbox)(nil)
)

func newOutbox(w io.Writer, conn net.Conn, limit func() command.ObufLimit, log zerolog.Logger) *outbox {
	return &outbox{w: w, conn: conn, limit: limit, log: log,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// hold marks the start of one of the client's commands: pushes wait until
// release so that they follow its reply.
func (o *outbox) hold() {
	o.mu.Lock()
	o.held = true
	o.mu.Unlock()
}

// release ends hold: the replies so far are written or queued, the pushes
// that waited follow them.
func (o *outbox) release() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.held = false
	if len(o.deferred) > 0 {
		o.pending = append(o.pending, o.deferred...)
		o.deferred = o.deferred[:0]
		o.kick()
	}
}

// Write is the connection's own write of its replies: directly when
// nothing is queued or being written, else queued behind what is.
func (o *outbox) Write(p []byte) (int, error) { return o.write(p, nil) }

// WriteBuffers is Write of bufs one after the other, as one write
// (resp.BuffersWriter: a large value's reply, written from its own bytes).
func (o *outbox) WriteBuffers(bufs ...[]byte) (int, error) { return o.write(nil, bufs) }

// write writes p, or bufs if p is nil.
func (o *outbox) write(p []byte, bufs [][]byte) (int, error) {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return 0, net.ErrClosed
	}
	if !o.writing && len(o.pending) == 0 {
		o.writing, o.inflight = true, len(p)
		for _, b := range bufs {
			o.inflight += len(b)
		}
		o.mu.Unlock()
		var n int
		var err error
		if bufs == nil {
			n, err = o.w.Write(p)
		} else {
			n, err = writeBuffers(o.w, bufs)
		}
		o.mu.Lock()
		o.writing, o.inflight = false, 0
		if len(o.pending) > 0 {
			o.kick()
		}
		o.mu.Unlock()
		return n, err
	}
	defer o.mu.Unlock()
	n := len(p)
	o.pending = append(o.pending, p...)
	for _, b := range bufs {
		o.pending = append(o.pending, b...)
		n += len(b)
	}
	if !o.checkLimit() {
		return 0, net.ErrClosed // logged by checkLimit
	}
	o.kick()
	return n, nil
}

// writeBuffers writes bufs to w as one write if w can, else one by one.
func writeBuffers(w io.Writer, bufs [][]byte) (int, error) {
	if bw, ok := w.(resp.BuffersWriter); ok {
		return bw.WriteBuffers(bufs...)
	}
	written := 0
	for _, b := range bufs {
		n, err := w.Write(b)
		written += n
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// Push queues a frame another goroutine has for the client.
func (o *outbox) Push(frame []byte) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return false
	}
	if o.held {
		o.deferred = append(o.deferred, frame...)
	} else {
		o.pending = append(o.pending, frame...)
		o.kick()
	}
	return o.checkLimit()
}

// checkLimit closes the connection when what is queued breaks the
// client's output limit. o.mu must be held.
func (o *outbox) checkLimit() bool {
	used := int64(o.inflight + len(o.pending) + len(o.deferred))
	if !o.watch.Over(o.limit(), used, time.Now()) {
		return true
	}
	o.log.Warn().Int64("queued", used).
		Msg("client closed for overcoming of output buffer limits (client-output-buffer-limit)")
	o.closed = true
	o.pending, o.deferred = nil, nil
	_ = o.conn.Close()
	return false
}

// kick wakes the writer, starting it on first use. o.mu must be held.
func (o *outbox) kick() {
	if o.closed {
		return
	}
	if !o.started {
		o.started = true
		go o.writer()
	}
	o.wakeWriter()
}

// wakeWriter signals the writer without blocking.
func (o *outbox) wakeWriter() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// writer drains pending until the outbox closes, or until nothing is
// left once it drains.
func (o *outbox) writer() {
	defer close(o.done)
	for {
		o.mu.Lock()
		for o.writing || len(o.pending) == 0 {
			if o.closed || (o.draining && !o.writing) {
				o.mu.Unlock()
				return
			}
			o.mu.Unlock()
			<-o.wake
			o.mu.Lock()
		}
		if o.closed {
			o.mu.Unlock()
			return
		}
		buf := o.pending
		o.pending, o.spare = o.spare[:0], nil
		o.writing, o.inflight = true, len(buf)
		o.mu.Unlock()
		_, err := o.w.Write(buf)
		o.mu.Lock()
		o.writing, o.inflight = false, 0
		if cap(buf) <= maxSpare {
			o.spare = buf[:0]
		}
		if len(o.pending) == 0 {
			o.watch.Reset()
		}
		o.mu.Unlock()
		if err != nil {
			o.failed(err)
			return
		}
	}
}

// maxSpare is the largest buffer the writer keeps for reuse.
const maxSpare = 1 << 20

// failed closes the connection after a write of queued frames failed.
func (o *outbox) failed(err error) {
	switch {
	case errors.Is(err, errObufLimit):
		o.log.Warn().Msg("client closed for overcoming of output buffer limits (client-output-buffer-limit)")
	case errors.Is(err, errWriteStall):
		o.log.Warn().Msg("client closed: it stopped reading the messages pushed to it")
	}
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	_ = o.conn.Close()
}

// closeGrace is how long a finished connection's queued frames (the reply
// to QUIT among them) get to go out before it is closed.
const closeGrace = time.Second

// close stops the outbox once the connection's own goroutine is done:
// what is queued gets up to grace to go out, then the connection is
// closed under the writer, which is waited for.
func (o *outbox) close(grace time.Duration) {
	o.mu.Lock()
	o.pending = append(o.pending, o.deferred...)
	o.deferred = nil
	o.draining = true
	if !o.started {
		o.closed = true
		o.mu.Unlock()
		return
	}
	o.wakeWriter()
	o.mu.Unlock()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-o.done:
	case <-t.C:
		o.mu.Lock()
		o.closed = true
		o.wakeWriter()
		o.mu.Unlock()
		_ = o.conn.Close()
		<-o.done
	}
}
