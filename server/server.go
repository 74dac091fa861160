package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/server/command"
)

// Server is one ringkv node.
type Server struct {
	cfg   Config
	log   zerolog.Logger
	db    *engine.DB
	coord *replica.Coordinator
	env   *command.Env
	disp  *command.Dispatcher

	ln      atomic.Pointer[net.Listener]
	stop    chan struct{} // closed by SHUTDOWN or Shutdown
	stopped sync.Once
	closing atomic.Bool
	conns   sync.WaitGroup
	clients registry
}

// New opens the node's storage and prepares it to serve; Run starts it.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger.With().Str("node", cfg.Node).Logger()
	s := &Server{cfg: cfg, log: log, stop: make(chan struct{})}
	mode, err := engine.ParseSyncMode(cfg.AppendFsync)
	if err != nil {
		return nil, err
	}
	s.db, err = engine.Open(cfg.Dir, engine.Options{Sync: mode, Logger: log})
	if err != nil {
		return nil, err
	}
	rcfg := replica.Config{Node: cfg.Node, N: cfg.N, R: cfg.R, W: cfg.W, Timeout: cfg.RequestTimeout, Logger: log}
	s.coord, err = replica.New(rcfg, s.db, replica.NewLocal(cfg.Node), nil)
	if err != nil {
		_ = s.db.Close()
		return nil, err
	}
	s.env = s.newEnv()
	s.disp = command.New(s.env)
	s.clients.init(s)
	return s, nil
}

// Run listens for clients and serves them until Shutdown or SHUTDOWN.
func (s *Server) Run() error {
	addr := net.JoinHostPort(s.cfg.Bind, strconv.Itoa(s.cfg.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server using the port? pick one with --port)", addr, err)
	}
	s.ln.Store(&ln)
	s.log.Info().Str("addr", ln.Addr().String()).Str("dir", s.cfg.Dir).
		Str("appendfsync", s.cfg.AppendFsync).Msg("ready to accept connections")
	errc := make(chan error, 1)
	go func() { errc <- s.accept(ln) }()
	select {
	case <-s.stop:
		return nil
	case err := <-errc:
		return err
	}
}

// Addr returns the client listener's address once Run is listening.
func (s *Server) Addr() net.Addr {
	if ln := s.ln.Load(); ln != nil {
		return (*ln).Addr()
	}
	return nil
}

func splitHostPort(addr string) (string, int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	p, err := strconv.Atoi(port)
	return host, p, err
}

func (s *Server) accept(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			if s.closing.Load() || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("accept: %w", err)
		}
		if int64(s.clients.len()) >= s.env.Settings.MaxClients() {
			s.env.Stats.Rejected.Add(1)
			_, _ = conn.Write([]byte("-ERR max number of clients reached\r\n"))
			_ = conn.Close()
			continue
		}
		s.env.Stats.Connections.Add(1)
		c := s.clients.add(conn)
		s.conns.Add(1)
		go s.serve(c)
	}
}

// drop forgets a finished client.
func (s *Server) drop(c *client) {
	_ = c.conn.Close()
	s.clients.remove(c)
	s.conns.Done()
}

// requestStop makes Run return (SHUTDOWN command).
func (s *Server) requestStop() { s.stopped.Do(func() { close(s.stop) }) }

// Shutdown stops the node in order: stop accepting clients, let in-flight
// commands finish, then close the coordinator and the engine.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	s.requestStop()
	if ln := s.ln.Load(); ln != nil {
		_ = (*ln).Close()
	}
	s.clients.interrupt()
	done := make(chan struct{})
	go func() { s.conns.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.clients.closeAll()
		<-done
	}
	s.coord.Close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close storage in %s: %w", s.cfg.Dir, err)
	}
	s.log.Info().Msg("shutdown complete")
	return nil
}
