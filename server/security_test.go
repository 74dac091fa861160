package server

import (
	"bytes"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
)

func TestPeerMode(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want peerMode
		err  []string // substrings of the error; nil: no error
	}{
		{"default single node", func(*Config) {}, peerLoopback, nil},
		{"loopback cluster without key", func(c *Config) { c.Join = []string{"127.0.0.1:7946"} }, peerLoopback, nil},
		{"ipv6 loopback", func(c *Config) { c.Bind, c.Join = "::1", []string{"[::1]:7946"} }, peerLoopback, nil},
		{"localhost", func(c *Config) { c.Bind, c.Join = "localhost", []string{"localhost:7946"} }, peerLoopback, nil},
		{"key on all interfaces", func(c *Config) { c.Bind, c.ClusterKey, c.Join = "0.0.0.0", "k", []string{"x:1"} }, peerSealed, nil},
		{"key with requirepass", func(c *Config) { c.RequirePass, c.ClusterKey, c.Join = "pw", "k", []string{"x:1"} }, peerSealed, nil},
		{"key alone", func(c *Config) { c.ClusterKey = "k" }, peerSealed, nil},
		{"all interfaces, standalone", func(c *Config) { c.Bind = "0.0.0.0" }, peerStandalone, nil},
		{"empty bind, standalone", func(c *Config) { c.Bind = "" }, peerStandalone, nil},
		{"private address, standalone", func(c *Config) { c.Bind = "10.1.2.3" }, peerStandalone, nil},
		{"requirepass, standalone", func(c *Config) { c.RequirePass = "pw" }, peerStandalone, nil},
		{"all interfaces with join", func(c *Config) { c.Bind, c.Join = "0.0.0.0", []string{"n1:7946"} }, 0,
			[]string{"--cluster-key", `--bind "0.0.0.0" listens beyond loopback`, "the same secret on every node", "or bind to 127.0.0.1"}},
		{"host name with join", func(c *Config) { c.Bind, c.Join = "n1", []string{"n1:7946"} }, 0,
			[]string{`--bind "n1" listens beyond loopback`, "or bind to 127.0.0.1"}},
		{"requirepass with join", func(c *Config) { c.RequirePass, c.Join = "pw", []string{"127.0.0.1:7946"} }, 0,
			[]string{"--requirepass is set", "set --cluster-key (the same secret on every node"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			got, err := c.peerMode()
			verr := c.Validate()
			if tc.err == nil {
				if err != nil || verr != nil || got != tc.want {
					t.Fatalf("peerMode = %v, %v; Validate = %v; want %v", got, err, verr, tc.want)
				}
				return
			}
			if !errors.Is(err, ErrClusterKeyRequired) || !errors.Is(verr, ErrClusterKeyRequired) {
				t.Fatalf("peerMode = %v, %v; Validate = %v; want ErrClusterKeyRequired", got, err, verr)
			}
			for _, s := range tc.err {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if c.Bind == "127.0.0.1" && strings.Contains(err.Error(), "bind to 127.0.0.1") {
				t.Errorf("error %q suggests the bind it already has", err)
			}
		})
	}
}

// freePort returns a loopback TCP port nobody listens on a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// logBuffer is a log sink safe for the node's goroutines and the test.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func testConfig(t *testing.T, log *logBuffer) Config {
	c := DefaultConfig()
	c.Dir, c.Node, c.Port, c.PeerPort, c.GossipPort = t.TempDir(), "s1", 0, freePort(t), 0
	c.FastGossip, c.Logger = true, zerolog.New(log)
	return c
}

// An exposed node without a key and without --join starts standalone: no
// peer listener, no gossip, one warning saying how to cluster.
func TestNewStandaloneWithoutPeerPort(t *testing.T) {
	var log logBuffer
	c := testConfig(t, &log)
	c.RequirePass = "pw"
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	if s.tr != nil || s.mem != nil {
		t.Fatal("a standalone node started its peer transport or gossip")
	}
	if nc, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(c.PeerPort)); err == nil {
		nc.Close()
		t.Fatal("something listens on the peer port")
	}
	if n := strings.Count(log.String(), "to cluster it, set --cluster-key"); n != 1 {
		t.Fatalf("want one warning saying how to cluster, got %d in:\n%s", n, log.String())
	}
}

// A loopback node without a password keeps its keyless peer port and
// gossip (the out-of-the-box and test setups).
func TestNewLoopbackKeepsPeerPort(t *testing.T) {
	var log logBuffer
	s, err := New(testConfig(t, &log))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	if s.tr == nil || s.mem == nil {
		t.Fatal("a loopback node did not start its peer transport and gossip")
	}
	if strings.Contains(log.String(), "--cluster-key") {
		t.Fatalf("unexpected warning:\n%s", log.String())
	}
}

// An exposed node asked to join without a key does not start.
func TestNewRefusesJoinWithoutKey(t *testing.T) {
	var log logBuffer
	c := testConfig(t, &log)
	c.RequirePass, c.Join = "pw", []string{"127.0.0.1:1"}
	if _, err := New(c); !errors.Is(err, ErrClusterKeyRequired) {
		t.Fatalf("New = %v, want ErrClusterKeyRequired", err)
	}
}
