package server

import (
	"errors"
	"net"
	"strconv"

	"github.com/ringkv/ringkv/cluster/membership"
)

// CONFIG SET port, as Redis 7: the node listens on the new port, then
// stops listening on the old one; clients already connected stay. If it
// cannot listen there, the old listener is kept and CONFIG SET fails (and
// rolls back). Port 0 stops accepting clients, as in Redis. Only the
// client port moves: the peer and gossip ports, which other nodes use to
// forward commands and replicate, stay where they are; the client address
// this node advertises in gossip (CLUSTER SHARDS, RINGKV STATUS) follows.

var errSwitchClosing = errors.New("server: shutting down")

// switchPort moves the client listener to port (Settings.OnPort).
func (s *Server) switchPort(port int) error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.closing.Load() {
		return errSwitchClosing
	}
	var next *net.Listener
	if port != 0 {
		addr := net.JoinHostPort(s.cfg.Bind, strconv.Itoa(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			s.log.Warn().Err(err).Str("addr", addr).
				Msg("could not listen on the new client port (CONFIG SET port); the old one is kept")
			return err
		}
		stampListener(ln)
		next = &ln
	}
	if old := s.ln.Swap(next); old != nil {
		_ = (*old).Close() // its accept loop ends; its clients stay
	}
	if next != nil {
		s.serveListener(*next)
	}
	s.log.Info().Int("port", port).Msg("client port changed (CONFIG SET port)")
	s.advertiseClientPort(port)
	return nil
}

// advertiseClientPort updates the client address peers see in gossip ("":
// none, port 0).
func (s *Server) advertiseClientPort(port int) {
	if s.mem == nil {
		return
	}
	addr := ""
	if port != 0 {
		addr = net.JoinHostPort(s.advertiseHost(), strconv.Itoa(port))
	}
	if err := s.mem.SetTags(map[string]string{membership.TagClient: addr}); err != nil {
		s.log.Warn().Err(err).Msg("cannot advertise the new client port")
	}
}

// serveListener accepts clients on ln until it closes; an accept error
// other than closing makes Run return it.
func (s *Server) serveListener(ln net.Listener) {
	go func() {
		if err := s.accept(ln); err != nil {
			select {
			case s.acceptErr <- err:
			default:
			}
		}
	}()
}
