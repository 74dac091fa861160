package command

import (
	"context"
	"os"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/resp"
)

// Env is what every session of one node shares. KV is required; New fills
// the other nil fields with working defaults (a single node with
// DefaultParams, no other clients, no shutdown hook, the system clock).
type Env struct {
	KV       KV
	Settings *Settings // runtime-configurable parameters (CONFIG GET/SET)
	Stats    *Stats    // counters shown by INFO
	Clients  Clients   // the server's connections (CLIENT LIST/KILL, INFO clients)
	// Info returns the server-owned facts INFO and HELLO report.
	Info func() InfoData
	// Topology answers RINGKV LOCATE/MEMBERS; default: this node alone.
	Topology Topology
	// AtCoordinator runs args, a command on key, at key's coordinator
	// when that is another node, and returns its reply; ok is false when
	// this node coordinates key (or alone): the caller runs it here.
	// (A blocked XREADGROUP waits on its client's node and reads its
	// group where every other read of the group runs.) Default: nil.
	AtCoordinator func(ctx context.Context, s *Session, key []byte, args [][]byte) (r resp.Reply, ok bool)
	// Shutdown is called by SHUTDOWN; it must not block the caller until the
	// server stops (the caller's connection is drained as part of it).
	Shutdown func()
	// Clock is the wall clock for TIME, client ages and INFO uptime; key
	// expiry uses KV.Now.
	Clock func() time.Time
	// Logger receives what scripts log with redis.log and the function
	// libraries' replication warnings; zero value: Nop.
	Logger zerolog.Logger
	// Functions keeps the FUNCTION libraries across restarts; nil: kept
	// in memory only (functionsync.go).
	Functions FunctionStore
	// Broadcast sends a function-replication message to every other
	// member and hands each answer to Dispatcher.FunctionSync; nil: no
	// other members.
	Broadcast func(ctx context.Context, msg []byte) error
	// KillRemote asks every other member to kill its running script (a
	// function when function) and returns their answers ("OK" or an
	// error's text; Dispatcher.KillScript); nil: no other members.
	KillRemote func(ctx context.Context, function bool) []string
	// ActiveExpire turns this node's active expiry (the engine's sweep)
	// on or off, for DEBUG SET-ACTIVE-EXPIRE; nil: does nothing.
	ActiveExpire func(on bool)
}

// Clients is the server's set of client connections.
type Clients interface {
	// List returns a snapshot of every connection (Session.Info).
	List() []ClientInfo
	// Kill closes the connections matching f, except f.Skip, and returns
	// how many it closed.
	Kill(f KillFilter) int
	// Inboxes calls fn with each connection's client ID and Inbox, and
	// whether the kernel holds input for it not read yet (one look for
	// all: see Inbox.BlockingBefore); fn must not wait (a lock may be
	// held).
	Inboxes(fn func(id uint64, in Inbox, queued bool))
}

// KillFilter selects connections for CLIENT KILL; zero fields match all.
type KillFilter struct {
	ID        uint64        // CLIENT ID
	Addr      string        // client "ip:port"
	LocalAddr string        // server "ip:port"
	MaxAge    time.Duration // older than this
	Skip      uint64        // never this client (the caller: SKIPME yes)
	Type      string        // "normal" or "pubsub" (subscribed); "": any
	User      string        // authenticated as this ACL user (acl*.go)
}

// Match reports whether c matches f (ignoring Skip) at now.
func (f KillFilter) Match(c ClientInfo, now time.Time) bool {
	return (f.ID == 0 || c.ID == f.ID) && (f.Addr == "" || c.Addr == f.Addr) &&
		(f.LocalAddr == "" || c.LocalAddr == f.LocalAddr) &&
		(f.MaxAge == 0 || now.Sub(c.CreatedAt) >= f.MaxAge) &&
		(f.Type == "" || (f.Type == "pubsub") == c.pubsub()) && (f.User == "" || c.user() == f.User)
}

// InfoData is what only the server knows, for INFO and HELLO.
type InfoData struct {
	RunID      string    // 40 hex characters, new at every start
	PID        int       // process id
	TCPPort    int       // client port actually bound
	StartTime  time.Time // process start, for uptime
	ConfigFile string    // "" without --config
	Node       string    // this node's name in the cluster
	Members    int       // ring members; N, R, W are capped at this
	// Cluster lines for INFO's cluster section (members, ring), as
	// name/value pairs in order.
	Cluster [][2]string
	// Extra lines for INFO's ringkv section (engine and replica stats),
	// as name/value pairs in order.
	Extra [][2]string
	// Handoff and AAE are INFO's hinted-handoff and anti-entropy
	// sections, as name/value pairs in order.
	Handoff, AAE [][2]string
}

// Stats are the node's counters. The handlers update the keyspace and
// command counters; the server updates the connection and network ones.
type Stats struct {
	Commands       atomic.Int64 // total_commands_processed
	Connections    atomic.Int64 // total_connections_received (server)
	Rejected       atomic.Int64 // rejected_connections: over maxclients (server)
	NetInput       atomic.Int64 // total_net_input_bytes (server)
	NetOutput      atomic.Int64 // total_net_output_bytes (server)
	KeyspaceHits   atomic.Int64 // keyspace_hits
	KeyspaceMisses atomic.Int64 // keyspace_misses
	ExpiredKeys    atomic.Int64 // expired_keys (engine sweeper, via the server)
	ErrorReplies   atomic.Int64 // total_error_replies (CountError)
	EvictedClients atomic.Int64 // evicted_clients: closed by maxmemory-clients (server)

	errors errorStats // INFO errorstats (errorstats.go)
}

// Reset zeroes every counter (CONFIG RESETSTAT).
func (s *Stats) Reset() {
	for _, c := range []*atomic.Int64{&s.Commands, &s.Connections, &s.Rejected,
		&s.NetInput, &s.NetOutput, &s.KeyspaceHits, &s.KeyspaceMisses,
		&s.ExpiredKeys, &s.ErrorReplies, &s.EvictedClients} {
		c.Store(0)
	}
	s.errors.reset()
}

// withDefaults returns a copy of e with nil fields filled in.
func (e Env) withDefaults() *Env {
	if e.KV == nil {
		panic("command: Env.KV is nil")
	}
	if e.Settings == nil {
		e.Settings = NewSettings(DefaultParams())
	}
	if e.Stats == nil {
		e.Stats = new(Stats)
	}
	if e.Clock == nil {
		e.Clock = time.Now
	}
	if e.Clients == nil {
		e.Clients = noClients{}
	}
	if e.Shutdown == nil {
		e.Shutdown = func() {}
	}
	if e.ActiveExpire == nil {
		e.ActiveExpire = func(bool) {}
	}
	if e.Info == nil {
		start := e.Clock()
		e.Info = func() InfoData {
			return InfoData{RunID: "0000000000000000000000000000000000000000",
				PID: os.Getpid(), StartTime: start, Members: 1}
		}
	}
	return &e
}

// noClients is the Clients of a dispatcher without a server (tests, tools).
type noClients struct{}

func (noClients) List() []ClientInfo  { return nil }
func (noClients) Kill(KillFilter) int { return 0 }

func (noClients) Inboxes(func(uint64, Inbox, bool)) {}
