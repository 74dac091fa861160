package server

import (
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ringkv/ringkv/server/command"
)

// inbox is what a connection has received and not yet run, for the
// ordering PUBLISH keeps (command.Inbox, command/pubsub_order.go): Redis
// reads every client from one event loop, so input a subscriber sent
// before another client's PUBLISH arrived runs first; here each connection
// has its own goroutine, and a PUBLISH waits, briefly, for the subscribers
// that have input pending to run it.
//
// Positions are byte offsets in the connection's input (connIO.rx). The
// input up to a position has run when a command ending at or past it has
// finished (consumed) or when the goroutine has asked for more input after
// reading past it (readAt: it asks only once it has run every complete
// command it holds).
type inbox struct {
	raw syscall.RawConn // the socket; nil: no kernel figures (not a socket)
	// rmu is held across a read of the socket and the count of what it
	// read, so that Backlog sees the bytes either in the kernel or in rx,
	// never in neither.
	rmu sync.Mutex

	readAt   atomic.Int64 // rx when the goroutine last asked for input; MaxInt64 once closed
	watched  atomic.Bool  // a waiter wants advance to signal
	mu       sync.Mutex
	changed  chan struct{} // closed by advance when watched; nil: none
	stuck    atomic.Int64  // the mark a wait for this connection timed out on, until it runs; 0: none
	waiting  atomic.Bool   // this connection's own command waits for others
	flushing atomic.Bool   // the goroutine is writing its replies
	full     atomic.Bool   // a write waits for room in the socket: the client does not read
}

var _ command.Inbox = (*connIO)(nil)

// rawConn returns conn's syscall.RawConn, nil if it has none.
func rawConn(conn any) syscall.RawConn {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

// readSocket reads from the connection and adds what it read to rx; a
// socket is read through its RawConn, with rmu held across each read and
// its count.
func (c *connIO) readSocket(p []byte) (int, error) {
	if c.in.raw == nil || len(p) == 0 {
		n, err := c.Conn.Read(p)
		c.rx.Add(int64(n))
		return n, err
	}
	var n int
	var serr error
	err := c.in.raw.Read(func(fd uintptr) bool {
		for {
			c.in.rmu.Lock()
			n, serr = syscall.Read(int(fd), p)
			if n > 0 {
				c.rx.Add(int64(n))
			}
			c.in.rmu.Unlock()
			if serr != syscall.EINTR {
				return serr != syscall.EAGAIN // else wait until readable
			}
		}
	})
	switch {
	case err != nil:
		return 0, err // closed, or the read deadline (shutdown)
	case serr != nil:
		return 0, os.NewSyscallError("read", serr)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// writeSocket writes p to the connection; a socket is written through its
// RawConn, and full is set while a write waits for room in it.
func (c *connIO) writeSocket(p []byte) (int, error) {
	if c.in.raw == nil || len(p) == 0 {
		return c.Conn.Write(p)
	}
	written := 0
	var serr error
	err := c.in.raw.Write(func(fd uintptr) bool {
		for written < len(p) {
			n, err := syscall.Write(int(fd), p[written:])
			if n > 0 {
				written += n
				c.in.full.Store(false)
			}
			switch err {
			case nil, syscall.EINTR:
			case syscall.EAGAIN:
				c.in.full.Store(true)
				return false // wait until writable
			default:
				serr = err
				return true
			}
		}
		return true
	})
	c.in.full.Store(false)
	if err == nil && serr != nil {
		err = os.NewSyscallError("write", serr)
	}
	return written, err
}

// askedInput records that the goroutine ran every complete command it
// holds and waits for more input.
func (c *connIO) askedInput() {
	c.in.readAt.Store(c.rx.Load())
	c.advance()
}

// advance tells waiters that the connection made progress.
func (c *connIO) advance() {
	if c.in.watched.Load() {
		c.in.mu.Lock()
		if c.in.changed != nil {
			close(c.in.changed)
			c.in.changed = nil
		}
		c.in.watched.Store(false)
		c.in.mu.Unlock()
	}
}

// progressed returns a channel closed at the next advance.
func (c *connIO) progressed() <-chan struct{} {
	c.in.mu.Lock()
	defer c.in.mu.Unlock()
	if c.in.changed == nil {
		c.in.changed = make(chan struct{})
	}
	c.in.watched.Store(true)
	return c.in.changed
}

// inputClosed records that the connection will run nothing more: nobody
// waits for it.
func (c *connIO) inputClosed() {
	c.in.readAt.Store(math.MaxInt64)
	c.advance()
}

// ran reports whether the input up to mark has run.
func (c *connIO) ran(mark int64) bool {
	return c.consumed.Load() >= mark || c.in.readAt.Load() >= mark
}

// Backlog returns the position just past the input received so far, in
// the process's buffers or the kernel's, when some of it has not run and
// the connection can be waited for: not while its own command waits for
// others, nor while it waits to write its replies because the client does
// not read them, nor when a wait for it timed out and it has not run that
// input since. The kernel's figure costs one ioctl.
func (c *connIO) Backlog() (mark int64, ok bool) {
	if c.in.waiting.Load() || (c.in.flushing.Load() && c.in.full.Load()) {
		return 0, false
	}
	if st := c.in.stuck.Load(); st != 0 && !c.ran(st) {
		return 0, false
	}
	done := max(c.consumed.Load(), c.in.readAt.Load())
	mark = c.rx.Load()
	if mark <= done && c.in.raw != nil {
		queued := 0
		_ = c.in.raw.Control(func(fd uintptr) {
			c.in.rmu.Lock()
			mark = c.rx.Load()
			queued = socketQueued(fd)
			c.in.rmu.Unlock()
		})
		mark += int64(queued)
	}
	return mark, mark > done
}

// Await waits until the input up to mark has run, or until deadline; it
// reports whether it ran. A connection that did not is not waited for
// again until it has run that input.
func (c *connIO) Await(mark int64, deadline time.Time) bool {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		changed := c.progressed()
		if c.ran(mark) {
			return true
		}
		if timer == nil {
			wait := time.Until(deadline)
			if wait <= 0 {
				return c.gaveUp(mark)
			}
			timer = time.NewTimer(wait)
		}
		select {
		case <-changed:
		case <-timer.C:
			if c.ran(mark) {
				return true
			}
			return c.gaveUp(mark)
		}
	}
}

// gaveUp ends a wait that timed out: the connection is not waited for
// again until it has run the input up to mark.
func (c *connIO) gaveUp(mark int64) bool {
	c.in.stuck.Store(mark)
	c.s.log.Debug().Str("client", c.RemoteAddr().String()).Int64("unrun_bytes", mark-c.consumed.Load()).
		Msg(catchUpGaveUp)
	return false
}

// catchUpGaveUp is the message of gaveUp.
const catchUpGaveUp = "a PUBLISH stopped waiting for a subscriber's earlier input to run " +
	"(busy machine, or the subscriber's command is slow); it counted the subscriber as it was"

// Waiting marks the connection's own command as waiting for others (a
// connection that waits is not waited for, so waits never form a cycle).
func (c *connIO) Waiting(on bool) { c.in.waiting.Store(on) }
