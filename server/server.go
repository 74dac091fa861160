package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/cluster/membership"
	"github.com/ringkv/ringkv/cluster/transport"
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
	route *router
	// pipelinedCmds counts the client commands run from a connection's
	// pipeline window (pipeline.go; INFO cluster pipelined_commands).
	pipelinedCmds atomic.Int64
	pipeWorkers   *workers // run them (pipeline.go)

	place          *placement
	health         health
	tr             *transport.TCP
	mem            *membership.Membership
	stopMembership func()
	bg             sync.WaitGroup // membership watchers

	ln        atomic.Pointer[net.Listener] // the client listener; nil before Run and after CONFIG SET port 0
	lnMu      sync.Mutex                   // serialises moving the listener (portswitch.go) and closing it
	acceptErr chan error                   // an accept loop's failure, for Run; cap 1
	ctx       context.Context              // client requests run under it; cancelled when shutdown gives up waiting
	cancel    context.CancelFunc
	stop      chan struct{} // closed by SHUTDOWN or Shutdown
	stopped   sync.Once
	closing   atomic.Bool
	leaving   atomic.Bool
	ringMu    sync.Mutex // rebuildRing
	// known is the ring this node last acted on, from its store: until it
	// has joined, members gossip does not know yet stay in the ring
	// (Dynamo §4.8: membership is persistent), so a restarted node does not
	// serve a ring of itself alone. joined: a --join (or a known peer)
	// answered.
	known      []string
	knownPeers map[string]string // name -> gossip address, saved as members are seen
	joined     atomic.Bool
	adoptMu    sync.Mutex
	adopted    []string              // ring members peers know of and gossip does not (cluster.go)
	fatal      atomic.Pointer[error] // why the node stopped itself (Run returns it) // RINGKV LEAVE: out of the ring, handing off (ringadmin.go)
	conns      sync.WaitGroup
	clients    registry
	metrics    *metrics // metrics.go; nil unless MetricsAddr is set
}

// New opens the node's storage, starts the peer listener and gossip, and
// prepares to serve clients; Run starts serving them.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger.With().Str("node", cfg.Node).Logger()
	s := &Server{cfg: cfg, log: log, stop: make(chan struct{}), acceptErr: make(chan error, 1)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.pipeWorkers = newWorkers(s.ctx, pipeWorkersMax)
	err := s.open()
	if err == nil {
		err = s.serveMetrics() // metrics.go: last, so a scrape reads only built parts
	}
	if err != nil {
		s.requestStop()
		_ = s.closeParts()
		return nil, err
	}
	return s, nil
}

// keyFilterOption is the engine's KeyFilterMemory for the server's
// setting, where 0 means no filter.
func keyFilterOption(n int64) int {
	if n == 0 {
		return -1
	}
	return int(n)
}

// open builds the node bottom-up: storage, ring, peer transport,
// coordinator, command layer, gossip.
func (s *Server) open() error {
	mode, err := engine.ParseSyncMode(s.cfg.AppendFsync)
	if err != nil {
		return err
	}
	if s.db, err = engine.Open(s.cfg.Dir, engine.Options{Sync: mode, Logger: s.log,
		HintMaxAge: s.cfg.HintMaxAge, HintMaxBytes: s.cfg.HintMaxBytes,
		CacheSize: int(s.cfg.CacheSize), WriteBuffer: int(s.cfg.WriteBuffer),
		KeyFilterMemory: keyFilterOption(s.cfg.KeyFilterMemory)}); err != nil {
		return err
	}
	resumeLeave, err := s.checkLeft() // ringadmin.go
	if err != nil {
		return err
	}
	if s.place, err = newPlacement(s.cfg.Partitions, s.cfg.N, s.loadKnownRing()); err != nil { // cluster.go
		return err
	}
	pm, err := s.cfg.peerMode() // security.go
	if err != nil {
		return err
	}
	var peers replica.Caller // nil: standalone, no peer port
	if pm == peerStandalone {
		s.log.Warn().Msg(s.cfg.standaloneWarning())
	} else {
		tcfg := transport.DefaultConfig()
		tcfg.Name, tcfg.ClusterKey, tcfg.Logger = s.cfg.Node, s.cfg.ClusterKey, s.cfg.Logger // it adds the node
		tcfg.Addr = net.JoinHostPort(s.cfg.Bind, strconv.Itoa(s.cfg.PeerPort))
		tcfg.Resolve = s.resolvePeer
		if s.tr, err = transport.Listen(tcfg); err != nil {
			return fmt.Errorf("peer listener on %s: %w (choose another --peer-port)", tcfg.Addr, err)
		}
		peers = s.tr
	}
	rcfg := replica.Config{Node: s.cfg.Node, N: s.cfg.N, R: s.cfg.R, W: s.cfg.W, PR: s.cfg.PR, PW: s.cfg.PW,
		Timeout: s.cfg.RequestTimeout, Up: s.health.Up, Logger: s.cfg.Logger, // it adds the node
		AAE:            replica.AAEConfig{Interval: s.cfg.AAEInterval},
		TombstoneGrace: s.cfg.TombstoneGrace, Handoff: s.handoffConfig()}
	if s.coord, err = replica.New(rcfg, s.db, s.place, peers); err != nil {
		return err
	}
	s.env = s.newEnv()
	s.wireFunctions(s.env) // broadcast.go
	s.disp = command.New(s.env)
	if err := s.disp.LoadACLFile(); err != nil { // aclfile.go
		return err
	}
	s.startFanout() // pubsub_client.go
	s.route = &router{self: s.cfg.Node, disp: s.disp, place: s.place, coord: s.coord, peers: peers, timeout: s.cfg.RequestTimeout, log: s.log}
	s.clients.init(s)
	if err := s.servePprof(); err != nil {
		return fmt.Errorf("pprof listener on %s: %w", s.cfg.PprofAddr, err)
	}
	if s.tr == nil {
		return nil
	}
	s.tr.SetHandler(transport.HandlerFunc(s.servePeer))
	s.coord.Start()
	s.startFunctionSync() // broadcast.go
	if err := s.startMembership(); err != nil {
		return err
	}
	if resumeLeave {
		s.leaving.Store(true)
		return s.announceLeave()
	}
	return nil
}

// servePeer answers other nodes: forwarded client commands, or the
// replica layer's methods.
func (s *Server) servePeer(ctx context.Context, from string, method uint8, body []byte) ([]byte, error) {
	switch method {
	case MethodExec:
		return s.route.serveExec(ctx, from, body)
	case MethodTx:
		return s.route.serveTx(ctx, from, body)
	case MethodBroadcast:
		return s.serveBroadcast(ctx, from, body)
	case MethodPubSub:
		return s.servePubSub(ctx, from, body)
	case MethodNodeStatus:
		return json.Marshal(s.localStatus())
	case MethodLeave:
		return s.serveLeave()
	case MethodRingMembers:
		return json.Marshal(s.place.Members())
	case MethodScriptKill:
		return s.serveScriptKill(ctx, body) // scriptkill.go
	}
	return s.coord.ServePeer(ctx, from, method, body)
}

// closeParts releases whatever open built, in reverse order.
func (s *Server) closeParts() error {
	s.cancel()
	s.stopKeyEvents() // pubsub_client.go
	if s.stopMembership != nil {
		s.stopMembership()
	}
	s.bg.Wait()
	if s.coord != nil {
		s.coord.Close()
	}
	if s.tr != nil {
		_ = s.tr.Close()
	}
	if s.db != nil {
		if err := s.db.Close(); err != nil {
			return fmt.Errorf("close storage in %s: %w", s.cfg.Dir, err)
		}
	}
	return nil
}

// Run listens for clients and serves them until Shutdown or SHUTDOWN.
func (s *Server) Run() error {
	addr := net.JoinHostPort(s.cfg.Bind, strconv.Itoa(s.cfg.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server using the port? pick one with --port)", addr, err)
	}
	stampListener(ln)
	s.lnMu.Lock()
	s.ln.Store(&ln)
	s.lnMu.Unlock()
	if _, port, err := splitHostPort(ln.Addr().String()); err == nil {
		s.env.Settings.SetBoundPort(port) // --port 0 picked one
	}
	s.env.Settings.OnPort(s.switchPort) // CONFIG SET port (portswitch.go)
	s.log.Info().Str("addr", ln.Addr().String()).Str("dir", s.cfg.Dir).
		Str("appendfsync", s.cfg.AppendFsync).Msg("ready to accept connections")
	s.serveListener(ln)
	select {
	case <-s.stop:
		if err := s.fatal.Load(); err != nil {
			return *err
		}
		return nil
	case err := <-s.acceptErr:
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
	s.endClient(c) // pubsub_client.go
	_ = c.conn.Close()
	s.clients.remove(c)
	s.conns.Done()
}

// requestStop makes Run return (SHUTDOWN command).
func (s *Server) requestStop() { s.stopped.Do(func() { close(s.stop) }) }

// Shutdown stops the node in order: stop accepting clients, let in-flight
// commands finish, stop gossip (without leaving: Dynamo §4.8, the others
// keep this node in the ring until an operator removes it), wait for
// background replication, close the peer transport, close the engine.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	s.requestStop()
	s.lnMu.Lock()
	if ln := s.ln.Load(); ln != nil {
		_ = (*ln).Close()
	}
	s.lnMu.Unlock()
	s.clients.interrupt()
	s.disp.StopPauses() // commands CLIENT PAUSE holds never run: they give up now
	done := make(chan struct{})
	go func() { s.conns.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.cancel() // peer calls in flight give up now
		s.clients.closeAll()
		<-done
	}
	s.clients.readable.close()
	if err := s.closeParts(); err != nil {
		return err
	}
	s.log.Info().Msg("shutdown complete")
	return nil
}
