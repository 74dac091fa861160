package server

import (
	"net"
	"sync"
	"time"

	"github.com/ringkv/ringkv/server/command"
)

// registry is the set of connected clients; it implements command.Clients.
type registry struct {
	s      *Server
	mu     sync.Mutex
	nextID uint64
	conns  map[uint64]*client
}

var _ command.Clients = (*registry)(nil)

func (r *registry) init(s *Server) {
	r.s = s
	r.conns = map[uint64]*client{}
}

func (r *registry) add(conn net.Conn) *client {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextID++
	c := &client{conn: conn, sess: r.s.disp.NewSession(r.nextID, conn.RemoteAddr().String(), conn.LocalAddr().String())}
	r.conns[c.sess.ID] = c
	return c
}

func (r *registry) remove(c *client) {
	r.mu.Lock()
	delete(r.conns, c.sess.ID)
	r.mu.Unlock()
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
// commands already running finish and their replies are written.
func (r *registry) interrupt() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		_ = c.conn.SetReadDeadline(time.Now())
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
