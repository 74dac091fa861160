package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// infoStat returns field's value in INFO section's reply.
func infoStat(t *testing.T, c *RESPConn, section, field string) string {
	t.Helper()
	for _, l := range strings.Split(c.Do("INFO", section).Str, "\r\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO %s has no %s", section, field)
	return ""
}

// clientListed reports whether CLIENT LIST shows a client called name.
func clientListed(c *RESPConn, name string) bool {
	return strings.Contains(c.Do("CLIENT", "LIST").Str, " name="+name+" ")
}

// TestClientEviction is Redis 7's maxmemory-clients on a real node: with a
// 1mb limit, a client that fills its query buffer past it (a partial bulk)
// or whose reply is over it is closed and counted in evicted_clients; a
// client with CLIENT NO-EVICT on holding as much is not; the largest go
// first, only until the total is under the limit; with the limit off
// nobody is.
func TestClientEviction(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	admin := DialRESP(t, n.Addr())
	admin.Do("CLIENT", "NO-EVICT", "on")
	chunk := strings.Repeat("v", 1200_000) // over 1mb, under the 1.5MB bulk announced
	partial := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1500000\r\n"

	// No limit: a large query buffer is fine.
	free := DialRESP(t, n.Addr())
	free.Do("CLIENT", "SETNAME", "free")
	free.SendRaw(partial + chunk)
	time.Sleep(300 * time.Millisecond) // the timer's period is 100ms
	if !clientListed(admin, "free") {
		t.Fatalf("a client was closed while maxmemory-clients is 0")
	}
	free.Close()
	Eventually(t, 5*time.Second, "the closed client gone", func() error {
		if clientListed(admin, "free") {
			return fmt.Errorf("still listed")
		}
		return nil
	})

	if r := admin.Do("CONFIG", "SET", "maxmemory-clients", "1mb"); r.Raw != "+OK\r\n" {
		t.Fatalf("CONFIG SET maxmemory-clients 1mb: %v", r)
	}
	// NO-EVICT on: kept, and its command completes.
	keep := DialRESP(t, n.Addr())
	keep.Do("CLIENT", "SETNAME", "keep")
	keep.Do("CLIENT", "NO-EVICT", "on")
	keep.SendRaw(partial + chunk)
	time.Sleep(300 * time.Millisecond)
	if !clientListed(admin, "keep") {
		t.Fatalf("a NO-EVICT client was evicted")
	}
	keep.SendRaw(strings.Repeat("v", 300_000) + "\r\n")
	if r, err := keep.Read(); err != nil || r.Raw != "+OK\r\n" {
		t.Fatalf("the NO-EVICT client's SET: %v %v", r, err)
	}
	// Its next command drops the large buffer: the clients' memory is
	// under the limit again (NO-EVICT clients count, as in Redis).
	keep.Do("PING")
	if got := infoStat(t, admin, "stats", "evicted_clients"); got != "0" {
		t.Errorf("evicted_clients = %s before any eviction", got)
	}

	// A partial bulk over the limit: evicted while it is still arriving.
	big := DialRESP(t, n.Addr())
	big.Do("CLIENT", "SETNAME", "bigquery")
	big.SendRaw(partial + chunk)
	if _, closed := big.ReadUntilClose(3 * time.Second); !closed {
		t.Errorf("a client with a 1.2MB query buffer over a 1mb maxmemory-clients was not closed")
	}
	if clientListed(admin, "bigquery") {
		t.Errorf("the evicted client is still listed")
	}

	// Largest first, and only until under the limit: of a 700kB and a
	// 500kB query buffer, the first goes.
	large, small := DialRESP(t, n.Addr()), DialRESP(t, n.Addr())
	large.Do("CLIENT", "SETNAME", "large")
	small.Do("CLIENT", "SETNAME", "small")
	large.SendRaw(partial + strings.Repeat("v", 700_000))
	time.Sleep(200 * time.Millisecond)
	small.SendRaw(partial + strings.Repeat("v", 500_000))
	if _, closed := large.ReadUntilClose(3 * time.Second); !closed {
		t.Errorf("the larger of two clients over the limit together was not closed")
	}
	if !clientListed(admin, "small") {
		t.Errorf("the smaller client was closed too")
	}
	small.Close()

	// A reply over the limit (the 1.5MB value): evicted.
	reader := DialRESP(t, n.Addr())
	reader.Send("GET", "k")
	if got, closed := reader.ReadUntilClose(3 * time.Second); !closed || len(got) >= 1500_000 {
		t.Errorf("a client getting a 1.5MB reply over a 1mb maxmemory-clients: closed %v after %d bytes", closed, len(got))
	}
	if got := infoStat(t, admin, "stats", "evicted_clients"); got != "3" {
		t.Errorf("evicted_clients = %s, want 3", got)
	}
	if !strings.Contains(n.Log(), "evicted clients") {
		t.Errorf("no eviction in the log:\n%s", n.LogTail(20))
	}
	// The NO-EVICT client still works, and so does a small client.
	if r := keep.Do("STRLEN", "k"); r.Raw != ":1500000\r\n" {
		t.Errorf("STRLEN k: %v", r)
	}
	if r := DialRESP(t, n.Addr()).Do("PING"); r.Raw != "+PONG\r\n" {
		t.Errorf("a small client after the evictions: %v", r)
	}
}

// TestClientQueryBufferLimit: a query buffer grown past
// client-query-buffer-limit closes the client, as Redis; under it (and
// under the default 1gb) it is fine.
func TestClientQueryBufferLimit(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	admin := DialRESP(t, n.Addr())
	c := DialRESP(t, n.Addr())
	if r := c.Do("SET", "k", strings.Repeat("v", 1500_000)); r.Raw != "+OK\r\n" {
		t.Fatalf("SET of 1.5MB under the default limit: %v", r)
	}
	if r := admin.Do("CONFIG", "SET", "client-query-buffer-limit", "1mb"); r.Raw != "+OK\r\n" {
		t.Fatalf("CONFIG SET client-query-buffer-limit 1mb: %v", r)
	}
	c.SendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1500000\r\n" + strings.Repeat("v", 1200_000))
	if _, closed := c.ReadUntilClose(3 * time.Second); !closed {
		t.Errorf("a 1.2MB query buffer over client-query-buffer-limit 1mb: not closed")
	}
	if !strings.Contains(n.Log(), "max query buffer length") {
		t.Errorf("no log line:\n%s", n.LogTail(20))
	}
	if r := admin.Do("SET", "small", strings.Repeat("v", 500_000)); r.Raw != "+OK\r\n" {
		t.Errorf("a 500kB SET under the limit: %v", r)
	}
}
