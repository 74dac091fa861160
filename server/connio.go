package server

import (
	"errors"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// Write bounds for a client that does not read its replies.
const (
	// writeStall is how long a reply write may make no progress before
	// the client is closed (the timeout setting shortens it).
	writeStall = 60 * time.Second
	// shutdownWriteGrace is how long a shutdown lets replies already being
	// written finish.
	shutdownWriteGrace = time.Second
)

// Why a client was closed by its writes, or its reads.
var (
	errObufLimit  = errors.New("server: client output buffer limit reached")
	errWriteStall = errors.New("server: client stopped reading replies")
	errQueryLimit = errors.New("server: client query buffer limit reached")
)

// connIO is a client's socket with the bookkeeping the connection loop,
// the timeout cron and CLIENT LIST need: bytes in and out, the time of the
// last byte either way (Redis's lastinteraction), the query and reply
// buffer figures, and deadlines on every write. Read is called only by
// the connection's goroutine; Write by whoever holds the connection's
// write side; the figures may be read from any goroutine.
type connIO struct {
	net.Conn
	s  *Server
	fd int // the socket's descriptor, -1 if unknown

	last     atomic.Int64 // Unix ns of the last byte read or written
	rx       atomic.Int64 // bytes read
	consumed atomic.Int64 // bytes of rx parsed into commands that have run
	parsed   int64        // bytes of rx parsed into commands (connection goroutine only)
	qcap     atomic.Int64 // query buffer size
	argvMem  atomic.Int64 // bytes of the current command's arguments
	outBuf   atomic.Int64 // encoded reply bytes not yet written
	busy     atomic.Bool  // running a command: not idle whatever last says
	writing  atomic.Bool  // in Write: its deadlines apply, not the idle timeout

	class func() command.ObufClass // the client's output limit class
	watch command.ObufWatch        // used by Write only

	acct  memAccount // the client's share of the clients' memory (clientevict.go)
	onMem func()     // called when the figures change: the registry accounts them; nil: nothing

	in inbox // what arrived and has not run, for PUBLISH's order (conn_inbox.go)
}

func newConnIO(s *Server, conn net.Conn) *connIO {
	c := &connIO{Conn: conn, s: s, fd: socketFD(conn)}
	c.in.raw = rawConn(conn) // its arrival stamps come from the listener (stampListener)
	c.last.Store(time.Now().UnixNano())
	c.class = func() command.ObufClass { return command.ObufNormal }
	return c
}

// socketFD returns conn's file descriptor (for CLIENT LIST), -1 if it has
// none.
func socketFD(conn net.Conn) int {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	if raw.Control(func(f uintptr) { fd = int(f) }) != nil {
		return -1
	}
	return fd
}

// Read reads from the socket and counts what arrived as activity; a
// query buffer grown past client-query-buffer-limit closes the client, as
// Redis (logged, with the buffer's first bytes). The connection's
// goroutine calls it only once it ran every complete command it read.
func (c *connIO) Read(p []byte) (int, error) {
	c.askedInput()
	n, err := c.readSocket(p) // conn_inbox.go
	if n > 0 {
		c.s.env.Stats.NetInput.Add(int64(n))
		c.last.Store(time.Now().UnixNano())
		if q := c.rx.Load() - c.consumed.Load(); q > c.s.env.Settings.QueryBufLimit() {
			c.s.log.Warn().Str("client", c.RemoteAddr().String()).Int64("qbuf", q).
				Str("qbuf_initial_bytes", strconv.Quote(string(p[:min(n, 64)]))).
				Msg("closing client that reached max query buffer length (client-query-buffer-limit)")
			return n, errQueryLimit
		}
		c.memChanged()
	}
	return n, err
}

// memChanged tells the registry the client's memory figures changed.
func (c *connIO) memChanged() {
	if c.onMem != nil {
		c.onMem()
	}
}

// Write writes p with deadlines: the client's output limit class decides
// (client-output-buffer-limit) whether p may be written at all and how
// long it may stay above the soft limit; a write that moves no byte for
// writeStall (or timeout, if shorter) fails; a shutdown cuts writes off
// after shutdownWriteGrace.
func (c *connIO) Write(p []byte) (int, error) {
	c.writing.Store(true)
	defer c.wrote()
	return c.writePart(p, 0)
}

// WriteBuffers writes bufs one after the other as Write writes one buffer
// of their total: the output limits see every byte not yet written (a
// large value's reply header is not sent when the value is over the hard
// limit).
func (c *connIO) WriteBuffers(bufs ...[]byte) (int, error) {
	c.writing.Store(true)
	defer c.wrote()
	after := 0
	for _, b := range bufs {
		after += len(b)
	}
	written := 0
	for _, b := range bufs {
		after -= len(b)
		n, err := c.writePart(b, int64(after))
		written += n
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// wrote ends a write: nothing is pending.
func (c *connIO) wrote() {
	c.outBuf.Store(0)
	c.writing.Store(false)
	c.memChanged()
}

// writePart writes p, with after more bytes of the same write to follow.
func (c *connIO) writePart(p []byte, after int64) (int, error) {
	written := 0
	for written < len(p) {
		left := int64(len(p)-written) + after
		c.outBuf.Store(left)
		c.memChanged()
		now := time.Now()
		lim := c.s.env.Settings.ObufLimit(c.class())
		if c.watch.Over(lim, left, now) {
			return written, errObufLimit
		}
		if err := c.SetWriteDeadline(c.writeDeadline(lim, left, now)); err != nil {
			return written, err
		}
		n, err := c.writeSocket(p[written:]) // conn_inbox.go
		written += n
		if n > 0 {
			c.s.env.Stats.NetOutput.Add(int64(n))
			c.last.Store(time.Now().UnixNano())
		}
		if err != nil && (n == 0 || !errors.Is(err, os.ErrDeadlineExceeded)) {
			return written, c.writeErr(err, lim, int64(len(p)-written)+after)
		}
		// A deadline passed after some progress: go on with a new one,
		// unless a limit or a shutdown says otherwise.
		if err != nil && c.s.clients.cutoff.Load() != 0 {
			return written, errShuttingDown
		}
	}
	if after == 0 {
		c.watch.Reset() // nothing pending: below every limit again
	}
	return written, nil
}

// writeDeadline is the earliest of: the stall bound, the soft limit's
// deadline, and the shutdown cut-off.
func (c *connIO) writeDeadline(lim command.ObufLimit, left int64, now time.Time) time.Time {
	stall := writeStall
	if t := time.Duration(c.s.env.Settings.Timeout()) * time.Second; t > 0 && t < stall {
		stall = t
	}
	d := now.Add(stall)
	if soft := c.watch.SoftDeadline(lim, left, now); !soft.IsZero() && soft.Before(d) {
		d = soft
	}
	if cut := c.s.clients.cutoff.Load(); cut != 0 && cut < d.UnixNano() {
		d = time.Unix(0, cut)
	}
	return d
}

// writeErr names why a write timed out.
func (c *connIO) writeErr(err error, lim command.ObufLimit, left int64) error {
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	if c.s.clients.cutoff.Load() != 0 {
		return errShuttingDown
	}
	if c.watch.Over(lim, left, time.Now()) {
		return errObufLimit
	}
	return errWriteStall
}

var errShuttingDown = errors.New("server: shutting down")

// commandRead records a command just parsed (the query buffer figures
// and its arguments' size); it runs from now until commandDone, and its
// bytes count in qbuf until then, as in Redis.
func (c *connIO) commandRead(rd *resp.Reader, args [][]byte) {
	c.parsed = c.rx.Load() - int64(rd.Buffered())
	c.qcap.Store(int64(rd.Size()))
	n := 0
	for _, a := range args {
		n += len(a)
	}
	c.argvMem.Store(int64(n))
	c.mayBlock(c.s.disp.Blocks(args[0])) // conn_inbox.go BlockingBefore
	c.busy.Store(true)
	c.memChanged()
}

// commandDone records the end of a command: its arguments are released.
func (c *connIO) commandDone() {
	c.consumed.Store(c.parsed)
	c.mayBlock(false)
	c.argvMem.Store(0)
	c.busy.Store(false)
	c.memChanged()
	c.advance() // conn_inbox.go
}

// idle reports how long ago the last byte moved, zero while a command
// runs or a write is under way.
func (c *connIO) idle(now time.Time) time.Duration {
	if c.busy.Load() || c.writing.Load() {
		return 0
	}
	return now.Sub(time.Unix(0, c.last.Load()))
}

// stats returns the connection's CLIENT LIST figures.
func (c *connIO) stats() command.ConnStats {
	qbuf := max(c.rx.Load()-c.consumed.Load(), 0)
	qcap := max(c.qcap.Load(), qbuf)
	out := c.outBuf.Load()
	st := command.ConnStats{FD: c.fd, QueryBuf: qbuf, QueryBufFree: qcap - qbuf,
		ArgvMem: c.argvMem.Load(), OutBuf: out, OutMem: out}
	st.TotMem = qcap + st.ArgvMem + out
	return st
}
