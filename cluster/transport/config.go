package transport

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Config configures a TCP transport. Start from DefaultConfig (or
// TestConfig) and set Name, Addr, Resolve and Handler.
type Config struct {
	// Name is this node's name, unique in the cluster; sent to peers in
	// the hello and given to their handlers as from. Required.
	Name string
	// Addr is the listen address, host:port (--peer-port). ":0" picks a
	// free port; see TCP.Addr. Required.
	Addr string
	// Resolve maps a node name to its peer address (membership supplies
	// it). It is called on every dial, so address changes are picked up
	// when a connection is re-established. nil: no peer is reachable.
	Resolve func(node string) (addr string, ok bool)
	// Handler serves requests from peers; it may also be set later with
	// TCP.SetHandler. nil: requests fail with a RemoteError.
	Handler Handler
	// ClusterKey is the shared secret that authenticates peers and
	// encrypts their frames (--cluster-key). Default "": peers are not
	// authenticated (they must not have a key either) and frames are
	// plain, which Validate allows only when Addr is a loopback address.
	ClusterKey string
	// PoolSize is the number of connections kept per peer. Default 2.
	PoolSize int
	// MaxFrameSize bounds one message's payload, in bytes; checked before
	// allocating. Peers exchange it in the hello and never send more than
	// the other accepts. Default 600 MiB (values may be 512 MiB).
	MaxFrameSize int
	// MaxInflight bounds the requests served concurrently per inbound
	// connection; further requests wait (back-pressure). Default 1024.
	MaxInflight int
	// DialTimeout bounds connecting to a peer, handshake included.
	// Default 2s.
	DialTimeout time.Duration
	// HandshakeTimeout bounds an inbound connection's handshake.
	// Default 5s.
	HandshakeTimeout time.Duration
	// DialBackoff: after a failed dial, calls to that peer fail fast with
	// the same error for this long. Default 250ms.
	DialBackoff time.Duration
	// WriteTimeout bounds writing one batch of frames; a connection whose
	// peer stops reading for longer is closed. Default 30s.
	WriteTimeout time.Duration
	// Logger receives structured logs (component=transport, node=Name).
	// Zero value: no logging.
	Logger zerolog.Logger
}

// DefaultConfig returns production defaults; Name and Addr are left empty.
func DefaultConfig() Config {
	return Config{
		PoolSize:         2,
		MaxFrameSize:     600 << 20,
		MaxInflight:      1024,
		DialTimeout:      2 * time.Second,
		HandshakeTimeout: 5 * time.Second,
		DialBackoff:      250 * time.Millisecond,
		WriteTimeout:     30 * time.Second,
		Logger:           zerolog.Nop(),
	}
}

// TestConfig returns defaults with fast timers for tests, listening on a
// free loopback port.
func TestConfig(name string) Config {
	c := DefaultConfig()
	c.Name, c.Addr = name, "127.0.0.1:0"
	c.DialTimeout = time.Second
	c.HandshakeTimeout = time.Second
	c.DialBackoff = 20 * time.Millisecond
	c.WriteTimeout = 5 * time.Second
	return c
}

// maxNameLen bounds node names (one length byte in the hello).
const maxNameLen = 255

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	switch {
	case c.Name == "" || len(c.Name) > maxNameLen:
		return fmt.Errorf("transport: Name must be 1..%d bytes", maxNameLen)
	case c.Addr == "":
		return errors.New("transport: Addr is required")
	case c.PoolSize < 1:
		return errors.New("transport: PoolSize must be >= 1")
	case c.MaxFrameSize < 1 || int64(c.MaxFrameSize) > maxFrameLimit:
		return fmt.Errorf("transport: MaxFrameSize must be 1..%d", int64(maxFrameLimit))
	case c.MaxInflight < 1:
		return errors.New("transport: MaxInflight must be >= 1")
	case c.DialTimeout <= 0 || c.HandshakeTimeout <= 0 || c.WriteTimeout <= 0:
		return errors.New("transport: DialTimeout, HandshakeTimeout and WriteTimeout must be > 0")
	case c.DialBackoff < 0:
		return errors.New("transport: DialBackoff must be >= 0")
	case c.ClusterKey == "" && !LoopbackAddr(c.Addr):
		return fmt.Errorf("transport: listening on %s beyond loopback needs a ClusterKey", c.Addr)
	}
	return nil
}

// LoopbackAddr reports whether addr (host or host:port) names only this
// machine: "localhost" or a loopback IP (127.0.0.0/8, ::1). An empty or
// unspecified host (all interfaces) and other names are not loopback.
func LoopbackAddr(addr string) bool {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
