package integration

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPortSwitchRollback is Redis's "CONFIG SET rollback on apply error"
// against ringkv and redis-server side by side: a port already in use
// fails the CONFIG SET with Redis's error, and every parameter of it keeps
// its value; both servers answer the same bytes.
func TestPortSwitchRollback(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	used := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	for _, addr := range []string{n.Addr(), StartRedisServer(t)} {
		c := DialRESP(t, addr)
		before := c.Do("CONFIG", "GET", "maxmemory", "port", "client-query-buffer-limit")
		r := c.Do("CONFIG", "SET", "maxmemory", "10000001", "port", used, "client-query-buffer-limit", "10m")
		want := "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n"
		if r.Raw != want {
			t.Errorf("%s: CONFIG SET port %s (in use): %q, want %q", addr, used, r.Raw, want)
		}
		if after := c.Do("CONFIG", "GET", "maxmemory", "port", "client-query-buffer-limit"); after.Raw != before.Raw {
			t.Errorf("%s: not rolled back: %q, was %q", addr, after.Raw, before.Raw)
		}
		if r := DialRESP(t, addr).Do("PING"); r.Raw != "+PONG\r\n" {
			t.Errorf("%s: a new client on the old port after the failed switch: %v", addr, r)
		}
	}
}

// TestPortSwitch: CONFIG SET port moves a cluster node's client listener:
// new clients connect on the new port and no longer on the old one, the
// clients already connected stay, INFO and CONFIG GET say the new port,
// and the other node sees the new client address through gossip while
// both keep serving each other's keys.
func TestPortSwitch(t *testing.T) {
	t.Parallel()
	cl := StartCluster(t, 2, ClusterOptions{})
	a, b := cl.Nodes[0], cl.Nodes[1]
	old := a.Addr()
	c := DialRESP(t, old)
	port := FreePort(t)
	if r := c.Do("CONFIG", "SET", "port", strconv.Itoa(port)); r.Raw != "+OK\r\n" {
		t.Fatalf("CONFIG SET port %d: %v", port, r)
	}
	a.Opts.Port = port // the harness dials the new address from now on
	if r := c.Do("CONFIG", "GET", "port"); !strings.HasSuffix(r.Raw, fmt.Sprintf("$%d\r\n%d\r\n", len(strconv.Itoa(port)), port)) {
		t.Errorf("CONFIG GET port on the connection that moved it: %q", r.Raw)
	}
	if got := infoStat(t, c, "server", "tcp_port"); got != strconv.Itoa(port) {
		t.Errorf("INFO tcp_port = %s, want %d", got, port)
	}
	nc := DialRESP(t, a.Addr())
	if r := nc.Do("SET", "moved", "1"); r.Raw != "+OK\r\n" {
		t.Errorf("SET on the new port: %v", r)
	}
	if conn, err := net.DialTimeout("tcp", old, time.Second); err == nil {
		conn.Close()
		t.Errorf("the old port %s still accepts clients", old)
	}
	want := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	Eventually(t, 5*time.Second, "the other node sees the new client address", func() error {
		ci, err := cl.Info(b)
		if err != nil {
			return err
		}
		for _, m := range ci.Members {
			if m.Name == a.Opts.Name && m.Client == want {
				return nil
			}
		}
		return fmt.Errorf("INFO cluster on %s: %v", b.Opts.Name, ci.Members)
	})
	if r := DialRESP(t, b.Addr()).Do("GET", "moved"); r.Raw != "$1\r\n1\r\n" {
		t.Errorf("GET on the other node: %v", r)
	}
	if r := c.Do("GET", "moved"); r.Raw != "$1\r\n1\r\n" {
		t.Errorf("GET on the connection made before the switch: %v", r)
	}
}
