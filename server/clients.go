package server

import (
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringkv/ringkv/server/command"
)

// registry is the set of connected clients; it implements command.Clients.
type registry struct {
	s      *Server
	mu     sync.Mutex
	nextID uint64
	conns  map[uint64]*client
	// cutoff is when writes to clients are cut off (Unix ns), set by a
	// shutdown; 0 until then.
	cutoff atomic.Int64
	// clientMem is the clients' memory, the sum of their accounts;
	// evictAfter (Unix ns) holds refreshes from running an eviction round
	// that could not help (clientevict.go).
	clientMem  atomic.Int64
	evictAfter atomic.Int64
	// readable watches the clients' sockets for input the kernel holds
	// (conn_inbox_linux.go).
	readable *readyWatch
}

var _ command.Clients = (*registry)(nil)

// init prepares the registry and starts its idle-client loop (stopped by
// the server's stop channel, waited for with its background goroutines).
func (r *registry) init(s *Server) {
	r.s = s
	r.conns = map[uint64]*client{}
	r.readable = newReadyWatch(s.log)
	s.bg.Add(1)
	go r.closeIdleLoop()
}

func (r *registry) add(conn net.Conn) *client {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextID++
	c := &client{conn: conn, io: newConnIO(r.s, conn),
		sess: r.s.disp.NewSession(r.nextID, conn.RemoteAddr().String(), conn.LocalAddr().String())}
	c.sess.Conn = c.stats // clientevict.go
	c.sess.Gone = func() (<-chan struct{}, func()) { return watchGone(conn) }
	r.s.attachOutbox(c) // pubsub_client.go
	c.io.onMem = func() { r.account(c) }
	r.readable.add(c.io.fd)
	r.conns[c.sess.ID] = c
	return c
}

func (r *registry) remove(c *client) {
	r.mu.Lock()
	delete(r.conns, c.sess.ID)
	r.mu.Unlock()
	r.unaccount(c)
}

func (r *registry) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.conns)
}

// List returns every connection's CLIENT LIST facts.
func (r *registry) List() []command.ClientInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]command.ClientInfo, 0, len(r.conns))
	for _, c := range r.conns {
		out = append(out, c.sess.Info())
	}
	return out
}

// Inboxes calls fn with each connection's ID, input figures, and
// whether the kernel holds input for it (readable: one system call for
// all).
func (r *registry) Inboxes(fn func(id uint64, in command.Inbox, queued bool)) {
	var buf [64]int32
	ready := r.readable.ready(buf[:0])
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, c := range r.conns {
		fn(id, c.io, slices.Contains(ready, int32(c.io.fd)))
	}
}

// Kill closes the matching connections; a client killing itself is closed
// by the server after its reply.
func (r *registry) Kill(f command.KillFilter) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	n := 0
	for id, c := range r.conns {
		if id == f.Skip || !f.Match(c.sess.Info(), now) {
			continue
		}
		_ = c.conn.Close()
		n++
	}
	return n
}

// interrupt wakes every connection blocked reading so it notices shutdown;
// commands already running finish and their replies are written, within
// shutdownWriteGrace: a client that does not read them is not waited for.
func (r *registry) interrupt() {
	now := time.Now()
	cut := now.Add(shutdownWriteGrace)
	r.cutoff.Store(cut.UnixNano())
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		_ = c.conn.SetReadDeadline(now)
		_ = c.conn.SetWriteDeadline(cut)
	}
}

// closeIdle closes the clients idle for longer than timeout, as Redis's
// clientsCronHandleTimeout: only time without a byte read or written
// counts (a client still uploading a large value is not idle), a running
// command does not, and subscribers are exempt. It returns how many it
// closed.
func (r *registry) closeIdle(now time.Time, timeout time.Duration) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.conns {
		if c.io.class() == command.ObufPubSub || c.io.idle(now) <= timeout {
			continue
		}
		r.s.log.Debug().Str("client", c.sess.Addr).Msg("closing idle client (timeout)")
		_ = c.conn.Close()
		n++
	}
	return n
}

// idleEvery is how often the idle clients are looked for, and the clients'
// memory refreshed for maxmemory-clients.
const idleEvery = 100 * time.Millisecond

// closeIdleLoop runs closeIdle while timeout is set, and the client
// eviction timer while maxmemory-clients is, until the server stops.
func (r *registry) closeIdleLoop() {
	defer r.s.bg.Done()
	t := time.NewTicker(idleEvery)
	defer t.Stop()
	for {
		select {
		case <-r.s.stop:
			return
		case now := <-t.C:
			if d := r.s.env.Settings.Timeout(); d > 0 {
				r.closeIdle(now, time.Duration(d)*time.Second)
			}
			r.evictCron() // clientevict.go
		}
	}
}

// closeAll drops every connection at once (shutdown deadline passed).
func (r *registry) closeAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		_ = c.conn.Close()
	}
}
