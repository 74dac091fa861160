package command

import (
	"context"
	"strings"
	"testing"
	"time"
)

// INFO clients counts the clients waiting in a blocking command, as
// Redis's blocked_clients: its test suite's wait_for_blocked_client polls
// it before pushing to a key a BLPOP or BZPOPMIN waits on.
func TestInfoBlockedClients(t *testing.T) {
	f := newFixture(t)
	blocked := func() string {
		for _, line := range strings.Split(f.do("INFO", "clients").Text(), "\r\n") {
			if v, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
				return v
			}
		}
		t.Fatal("INFO clients has no blocked_clients")
		return ""
	}
	if got := blocked(); got != "0" {
		t.Fatalf("blocked_clients = %s before any block, want 0", got)
	}
	done := make(chan struct{}, 2)
	for i, cmd := range [][][]byte{
		{[]byte("BLPOP"), []byte("q"), []byte("0")},
		{[]byte("BZPOPMIN"), []byte("z"), []byte("z"), []byte("0")},
	} {
		s := f.d.NewSession(uint64(20+i), "127.0.0.1:5001", "127.0.0.1:6379")
		go func() { f.d.Do(context.Background(), s, cmd); done <- struct{}{} }()
	}
	waitBlocked(t, f, 2)
	if got := blocked(); got != "2" {
		t.Fatalf("blocked_clients = %s with BLPOP and BZPOPMIN waiting, want 2", got)
	}
	f.do("RPUSH", "q", "a")
	f.do("ZADD", "z", "1", "m")
	for range 2 {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("blocked command not woken")
		}
	}
	if got := blocked(); got != "0" {
		t.Fatalf("blocked_clients = %s after both were served, want 0", got)
	}
}
