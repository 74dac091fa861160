package membership

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/cluster"
)

// testLogger logs through t, and drops lines written after the test ended
// (memberlist may log from a background goroutine while shutting down).
func testLogger(t *testing.T) zerolog.Logger {
	g := &guardWriter{w: zerolog.NewTestWriter(t)}
	t.Cleanup(func() { g.mu.Lock(); g.done = true; g.mu.Unlock() })
	return zerolog.New(g).Level(zerolog.InfoLevel).With().Timestamp().Logger()
}

type guardWriter struct {
	mu   sync.Mutex
	done bool
	w    zerolog.TestWriter
}

func (g *guardWriter) Write(b []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.done {
		return len(b), nil
	}
	return g.w.Write(b)
}

// start runs a fast-timer node on a free loopback port; Shutdown is
// registered as cleanup.
func start(t *testing.T, name string, mod func(*Config)) *Membership {
	t.Helper()
	cfg := DefaultConfig()
	cfg.NodeName, cfg.BindAddr, cfg.BindPort, cfg.Fast = name, "127.0.0.1", 0, true
	cfg.ClientAddr, cfg.PeerAddr = "127.0.0.1:6379", "127.0.0.1:16379"
	cfg.Logger = testLogger(t)
	if mod != nil {
		mod(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%s): %v", name, err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return m
}

// eventually polls cond every 20ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// states summarises m's view, e.g. "a:alive b:failed".
func states(m *Membership) string {
	s := ""
	for _, n := range m.Members() {
		s += fmt.Sprintf("%s:%s ", n.Name, n.State)
	}
	return s
}

func stateOf(m *Membership, name string) (cluster.State, bool) {
	for _, n := range m.Members() {
		if n.Name == name {
			return n.State, true
		}
	}
	return 0, false
}
