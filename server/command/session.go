package command

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Session is one client connection's state. The server's connection loop
// owns it: it creates it with Dispatcher.NewSession, passes it to every
// Dispatcher.Do, reads Proto after each reply (to encode the next one) and
// closes the connection after writing a reply when Close is set.
//
// Only the owning goroutine writes the fields, under mu for those that
// CLIENT LIST shows; other goroutines read a session only through Info.
type Session struct {
	ID        uint64    // CLIENT ID; unique per server, assigned by the server
	Addr      string    // client address, "ip:port"
	LocalAddr string    // server side of the connection, "ip:port"
	CreatedAt time.Time // connection time
	// Forwarded marks the session of a command another node forwarded
	// here to run: it runs here, never forwarded on (Env.AtCoordinator).
	Forwarded bool

	mu         sync.Mutex
	Proto      int    // 2 or 3 (HELLO); the reply encoding
	Authed     bool   // AUTH succeeded, or no password was required
	DB         int    // always 0
	Name       string // CLIENT SETNAME
	LibName    string // CLIENT SETINFO LIB-NAME
	LibVer     string // CLIENT SETINFO LIB-VER
	LastCmd    string // last command's full name ("client|list")
	LastActive time.Time

	// Close asks the server to close the connection after writing the
	// current reply (QUIT, CLIENT KILL of itself, SHUTDOWN).
	Close bool

	// Conn returns the server's figures of the connection for CLIENT
	// LIST (connstats.go); nil: none. Set before the session runs.
	Conn func() ConnStats

	// Gone starts watching the connection for a close while a command
	// blocks, and returns the channel closed when it happens and the
	// function that ends the watch; nil: not watched (peers, tests).
	Gone func() (gone <-chan struct{}, stop func())

	reply replyMode // CLIENT REPLY (clientreply.go)

	ctx context.Context // the current request's context

	tx          *txState        // MULTI's queue; nil outside a transaction (multi.go)
	watched     []watch         // WATCHed keys (multi.go)
	inExclusive bool            // running inside d.exclusive (atomic.go)
	heldBcast   [][]byte        // keys whose BCAST invalidations wait for the section's end (tracking_send.go)
	scriptCall  *scriptCaller   // the script whose redis.call runs now; nil: none (scriptcall.go)
	woken       []chan struct{} // turns its pushes gave blocked clients, not yet taken (blocking.go)
	fired       []keyEvent      // notifications its handler fired itself (notify.go: fire)
	countedErr  bool            // the reply is an error already counted (errorstats.go)
	quiet       int             // inside invoke: no keyspace events (dump.go)

	fwd *forwarded // running for a client of another node (tracking_forward.go)

	push Pusher // out-of-band frames: pub/sub, MONITOR (pubsub_session.go)
	ps   subs   // subscriptions and MONITOR (pubsub_session.go)

	intro sessionIntro // WAIT's last write, CLIENT NO-EVICT (introspect.go)

	acl sessionACL // the ACL user (aclcheck.go)
}

// NewSession returns the state of a new connection: RESP2, authenticated
// unless a password is set (as Redis authenticates new clients of a
// passwordless default user, even if a password is set later).
func (d *Dispatcher) NewSession(id uint64, addr, localAddr string) *Session {
	now := d.env.Clock()
	return &Session{ID: id, Addr: addr, LocalAddr: localAddr, CreatedAt: now,
		LastActive: now, Proto: 2, Authed: d.newAuthed()}
}

// Context returns the current request's context (Background outside Do).
func (s *Session) Context() context.Context {
	if s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

// set runs fn with mu held: every write to a field Info reads goes here.
func (s *Session) set(fn func()) {
	s.mu.Lock()
	fn()
	s.mu.Unlock()
}

// ClientInfo is a snapshot of one connection for CLIENT LIST / CLIENT INFO.
type ClientInfo struct {
	ID         uint64
	Addr       string
	LocalAddr  string
	Name       string
	LibName    string
	LibVer     string
	LastCmd    string
	Proto      int
	DB         int
	CreatedAt  time.Time
	LastActive time.Time
	Conn       ConnStats
	User       string // the ACL user

	Sub, PSub int  // channel and pattern subscriptions
	SSub      int  // shard channel subscriptions
	Monitor   bool // in MONITOR mode
	NoEvict   bool // CLIENT NO-EVICT on
}

// Info returns a snapshot of s; it is safe to call from any goroutine.
func (s *Session) Info() ClientInfo {
	conn := noConn
	if s.Conn != nil {
		conn = s.Conn()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return ClientInfo{Sub: int(s.ps.nChannels.Load()), PSub: int(s.ps.nPatterns.Load()),
		SSub: int(s.ps.nShard.Load()), Monitor: s.ps.monitor.Load(), NoEvict: s.intro.noEvict.Load(), ID: s.ID, Addr: s.Addr, LocalAddr: s.LocalAddr, Name: s.Name,
		LibName: s.LibName, LibVer: s.LibVer, LastCmd: s.LastCmd, Proto: s.Proto,
		DB: s.DB, CreatedAt: s.CreatedAt, LastActive: s.LastActive, Conn: conn, User: s.User()}
}

// Line formats c as one CLIENT LIST line (without the newline), with
// Redis 7.2's fields; those ringkv does not track are zero.
func (c ClientInfo) Line(now time.Time) string {
	var b strings.Builder
	field := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k + "=" + v)
	}
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	cmd := c.LastCmd
	if cmd == "" {
		cmd = "NULL"
	}
	field("id", strconv.FormatUint(c.ID, 10))
	field("addr", c.Addr)
	field("laddr", c.LocalAddr)
	field("fd", strconv.Itoa(c.Conn.FD))
	field("name", c.Name)
	field("age", itoa(int64(now.Sub(c.CreatedAt)/time.Second)))
	field("idle", itoa(int64(now.Sub(c.LastActive)/time.Second)))
	for _, kv := range [...][2]string{{"flags", c.allFlags()}, {"db", itoa(int64(c.DB))},
		{"sub", strconv.Itoa(c.Sub)}, {"psub", strconv.Itoa(c.PSub)}, {"ssub", strconv.Itoa(c.SSub)}, {"multi", "-1"}, {"qbuf", itoa(c.Conn.QueryBuf)},
		{"qbuf-free", itoa(c.Conn.QueryBufFree)}, {"argv-mem", itoa(c.Conn.ArgvMem)}, {"multi-mem", "0"}, {"rbs", "0"},
		{"rbp", "0"}, {"obl", itoa(c.Conn.OutBuf)}, {"oll", itoa(c.Conn.OutList)}, {"omem", itoa(c.Conn.OutMem)}, {"tot-mem", itoa(c.Conn.TotMem)},
		{"events", "r"}, {"cmd", cmd}, {"user", c.user()}, {"redir", "-1"},
		{"resp", itoa(int64(c.Proto))}, {"lib-name", c.LibName}, {"lib-ver", c.LibVer}} {
		field(kv[0], kv[1])
	}
	return b.String()
}

// allFlags is flags with the letters Redis writes after them: e for a
// client with CLIENT NO-EVICT on ("N" alone means none).
func (c ClientInfo) allFlags() string {
	f := c.flags()
	switch {
	case !c.NoEvict:
		return f
	case f == "N":
		return "e"
	}
	return f + "e"
}

// user is the ACL user for CLIENT LIST ("default" if unset).
func (c ClientInfo) user() string {
	if c.User == "" {
		return "default"
	}
	return c.User
}
