package server

import (
	"bytes"
	"io"
	"math"
	"net"
	"os"
	"strconv"
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
// that have input pending to run it. It also keeps when the input arrived
// (Arrived), which orders blocked clients as Redis's one loop does.
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
	waiting  atomic.Int32  // > 0: this connection's own command waits for others (nested waits count)
	flushing atomic.Bool   // the goroutine is writing its replies
	full     atomic.Bool   // a write waits for room in the socket: the client does not read
	arrived  atomic.Int64  // when the kernel received the input read last (Unix ns; see Arrived)
	mayBlock atomic.Bool   // the input read and not yet run may hold a blocking command (BlockingBefore)
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
			var stamp int64
			n, stamp, serr = readStamped(fd, p) // conn_inbox_linux.go
			if n > 0 {
				// It may hold a blocking command until that is parsed
				// (connio.go commandRead); set first, so that rx past a
				// mark means mayBlock tells (AwaitInLine).
				c.in.mayBlock.Store(true)
				c.rx.Add(int64(n))
				if stamp == 0 { // not stamped: the read's time is the best known
					stamp = time.Now().UnixNano()
				}
				c.in.arrived.Store(stamp)
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
// the connection can be waited for (waitable). The kernel's figure costs
// one ioctl.
func (c *connIO) Backlog() (mark int64, ok bool) {
	if !c.waitable() {
		return 0, false
	}
	done := max(c.consumed.Load(), c.in.readAt.Load())
	mark = c.rx.Load()
	if c.in.raw != nil { // input read and not run may be followed by more in the kernel
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

// waitable reports whether others may wait for the connection: not while
// its own command waits for others, nor while it waits to write its
// replies because the client does not read them, nor when a wait for it
// timed out and it has not run that input since.
func (c *connIO) waitable() bool {
	if c.in.waiting.Load() > 0 || (c.in.flushing.Load() && c.in.full.Load()) {
		return false
	}
	st := c.in.stuck.Load()
	return st == 0 || c.ran(st)
}

// BlockingBefore reports whether the connection received a command that
// arrived before the time at (Unix ns) and that is, or may be, a blocking
// command not yet in line: read, and not yet parsed (maybe) or running
// until it waits (Waiting); or, when queued says the kernel holds input
// for it, first in that input, which it peeks at (one system call; its
// arrival is not known, so it counts). A blocking command pipelined
// behind another is not seen.
func (c *connIO) BlockingBefore(at int64, queued bool) (mark int64, ok bool) {
	if !c.waitable() {
		return 0, false
	}
	done := max(c.consumed.Load(), c.in.readAt.Load())
	if mark = c.rx.Load(); mark > done {
		return mark, c.blockingRead(at)
	}
	if !queued || c.in.raw == nil {
		// A read may have taken the input from the kernel and not yet
		// counted it: rmu is held across both.
		c.in.rmu.Lock()
		mark = c.rx.Load()
		c.in.rmu.Unlock()
		return mark, mark > done && c.blockingRead(at)
	}
	var buf [32]byte
	n := 0
	_ = c.in.raw.Control(func(fd uintptr) {
		c.in.rmu.Lock() // the input is in rx or in the kernel, not between
		if mark = c.rx.Load(); mark <= done {
			n = socketPeek(fd, buf[:])
		}
		c.in.rmu.Unlock()
	})
	if mark > done { // read meanwhile
		return mark, c.blockingRead(at)
	}
	return mark + int64(n), n > 0 && c.s.disp.Blocks(peekedName(buf[:n]))
}

// blockingRead reports whether the input read and not run may hold a
// blocking command that arrived before at.
func (c *connIO) blockingRead(at int64) bool {
	return c.in.mayBlock.Load() && c.in.arrived.Load() <= at
}

// peekedName is the name of the command p starts with (RESP or inline),
// nil if p does not hold all of it and the line end after it.
func peekedName(p []byte) []byte {
	if len(p) == 0 || p[0] != '*' {
		if i := bytes.IndexAny(p, " \r\n"); i > 0 {
			return p[:i]
		}
		return nil
	}
	_, rest, ok := bytes.Cut(p, []byte("\r\n$"))
	if !ok {
		return nil
	}
	size, rest, ok := bytes.Cut(rest, []byte("\r\n"))
	n, err := strconv.Atoi(string(size))
	if !ok || err != nil || n < 0 || n+2 > len(rest) || !bytes.HasPrefix(rest[n:], []byte("\r\n")) {
		return nil
	}
	return rest[:n]
}

// AwaitInLine waits until the command BlockingBefore saw is in line
// (Waiting), or was read and turns out not to block, or has run, or until
// deadline.
func (c *connIO) AwaitInLine(mark int64, deadline time.Time) bool {
	return c.await(mark, deadline, func() bool { return c.rx.Load() >= mark && !c.in.mayBlock.Load() })
}

// mayBlock records whether the command read and not yet parsed or done
// is, or may be, a blocking one; a wait for it ends when it is not.
func (c *connIO) mayBlock(on bool) {
	if c.in.mayBlock.Swap(on) && !on {
		c.advance()
	}
}

// Await waits until the input up to mark has run, or the connection's
// own command waits for others, or until deadline; it reports whether it
// ran or waits. A connection that did neither is not waited for again
// until it has run that input.
func (c *connIO) Await(mark int64, deadline time.Time) bool {
	return c.await(mark, deadline, func() bool { return false })
}

// await waits until the input up to mark has run, or the connection
// waits for others, or over() holds, or until deadline.
func (c *connIO) await(mark int64, deadline time.Time, over func() bool) bool {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		changed := c.progressed()
		if c.ran(mark) || c.in.waiting.Load() > 0 || over() {
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
			if c.ran(mark) || c.in.waiting.Load() > 0 || over() {
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
const catchUpGaveUp = "a PUBLISH or a blocking command stopped waiting for another " +
	"client's earlier input to run (busy machine, or that client's command is slow); it went on without it"

// Waiting marks the connection's own command as waiting for others (a
// connection that waits is not waited for, so waits never form a cycle);
// a wait for it ends. Calls nest: each Waiting(true) is ended by one
// Waiting(false).
func (c *connIO) Waiting(on bool) {
	if !on {
		c.in.waiting.Add(-1)
		return
	}
	c.in.waiting.Add(1)
	c.advance()
}

// Arrived returns when the kernel received the input read last (Unix ns),
// or when it was read if the kernel did not say (a read through
// Conn.Read, or before stampArrivals took effect); 0 before any read.
func (c *connIO) Arrived() int64 { return c.in.arrived.Load() }

// stampListener asks the kernel to stamp the arrival of the input of the
// connections ln accepts (they inherit it) from the start: enabling the
// stamps is deferred in the kernel, and input arriving before it takes
// effect carries none (Arrived then falls back to the read's time).
func stampListener(ln net.Listener) {
	if raw := rawConn(ln); raw != nil {
		_ = raw.Control(stampArrivals)
	}
}
