package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// wireCase is bytes sent on a fresh connection and exactly what Redis
// answers (checked against redis-server 7.0.15), and whether it then
// closes the connection.
type wireCase struct {
	name   string
	send   string
	want   string
	closed bool
}

var wireCases = []wireCase{
	{"bad bulk length", "*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n", true},
	{"bad multibulk length", "*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n", true},
	{"huge multibulk length", "*2147483648\r\n", "-ERR Protocol error: invalid multibulk length\r\n", true},
	{"negative bulk length", "*2\r\n$3\r\nGET\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n", true},
	{"not a bulk in a multibulk", "*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'\r\n", true},
	{"error after a good command", "*1\r\n$4\r\nPING\r\n*1\r\n$-1\r\n", "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n", true},
	// A line not starting with '*' is an inline command, even "$5".
	{"dollar line is inline", "$5\r\n", "-ERR unknown command '$5', with args beginning with: \r\n", false},
	{"unbalanced quotes", "SET a \"b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n", true},
	{"too big inline", strings.Repeat("a", 70*1024), "-ERR Protocol error: too big inline request\r\n", true},
	{"empty and null multibulks", "*-1\r\n*0\r\nPING\r\n", "+PONG\r\n", false},
	{"empty lines", "\r\n\r\nPING\r\n", "+PONG\r\n", false},
	{"inline", "PING\r\nSET a \"b c\"\r\nGET a\r\nECHO 'x y'\r\nPING\n", "+PONG\r\n+OK\r\n$3\r\nb c\r\n$3\r\nx y\r\n+PONG\r\n", false},
	{"inline escapes", "SET q \"a\\x41\\n\"\r\nGET q\r\n", "+OK\r\n$3\r\naA\n\r\n", false},
	{"pipelined", "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nx\r\n*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n",
		"+PONG\r\n$1\r\nx\r\n$-1\r\n", false},
	{"wrong arity", "*1\r\n$3\r\nGET\r\n", "-ERR wrong number of arguments for 'get' command\r\n", false},
	{"wrong arity inline", "SET k\r\n", "-ERR wrong number of arguments for 'set' command\r\n", false},
	{"wrong arity subcommand", "CONFIG GET\r\n", "-ERR wrong number of arguments for 'config|get' command\r\n", false},
	{"not an integer", "SET n abc\r\nINCR n\r\nINCRBY n 1\r\nINCRBY x y\r\n", "+OK\r\n" +
		strings.Repeat("-ERR value is not an integer or out of range\r\n", 3), false},
	{"bad SET options", "SET k v NX XX\r\nSET k v EX 0\r\nSET k v EX x\r\nSET k v PX\r\nSET k v BAD\r\n",
		"-ERR syntax error\r\n-ERR invalid expire time in 'set' command\r\n" +
			"-ERR value is not an integer or out of range\r\n-ERR syntax error\r\n-ERR syntax error\r\n", false},
	{"unknown command", "PSYNC k v\r\n", "-" + unknownPSYNC + "\r\n", false},
	{"unknown command, long args", "FOO " + strings.Repeat("y", 100) + " " + strings.Repeat("z", 100) + "\r\n",
		"-ERR unknown command 'FOO', with args beginning with: '" + strings.Repeat("y", 100) + "' '" +
			strings.Repeat("z", 25) + "' \r\n", false},
}

// TestBadInput sends raw bytes over TCP: malformed RESP gets Redis's
// protocol error and a closed connection; inline commands work; errors
// have Redis's exact texts. The server survives all of it.
func TestBadInput(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := DialRESP(t, n.Addr())
			c.SendRaw(tc.send)
			got, closed := readExpecting(c, len(tc.want), tc.closed)
			if got != tc.want {
				t.Errorf("sent %.80q:\n got %q\nwant %q", tc.send, got, tc.want)
			}
			if closed != tc.closed {
				t.Errorf("sent %.80q: connection closed = %v, want %v", tc.send, closed, tc.closed)
			}
		})
	}
	t.Cleanup(func() { // after the parallel subtests
		if err := n.ping(); err != nil {
			t.Errorf("server after bad input: %v", err)
		}
	})
}

// readExpecting reads until the server closes, or (when no close is
// expected) until want bytes came and a short quiet period passed.
func readExpecting(c *RESPConn, want int, closeExpected bool) (string, bool) {
	if closeExpected {
		return c.ReadUntilClose(5 * time.Second)
	}
	var b strings.Builder
	deadline := time.Now().Add(5 * time.Second)
	for b.Len() < want && time.Now().Before(deadline) {
		got, closed := c.ReadUntilClose(100 * time.Millisecond)
		b.WriteString(got)
		if closed {
			return b.String(), true
		}
	}
	got, closed := c.ReadUntilClose(200 * time.Millisecond) // nothing more, still open
	return b.String() + got, closed
}

// TestProtoMaxBulkLen: a bulk longer than --proto-max-bulk-len is refused
// before its body arrives and the connection is closed; the server stays up.
func TestProtoMaxBulkLen(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{Args: []string{"--proto-max-bulk-len", "1mb"}})
	c := DialRESP(t, n.Addr())
	c.SendRaw("*2\r\n$3\r\nGET\r\n$2000000\r\n")
	got, closed := c.ReadUntilClose(5 * time.Second)
	if want := "-ERR Protocol error: invalid bulk length\r\n"; got != want || !closed {
		t.Errorf("bulk of 2000000 over a 1mb limit: got %q (closed %v), want %q and close", got, closed, want)
	}
	// A bulk at the limit is fine; SETRANGE beyond it is refused.
	ok := DialRESP(t, n.Addr())
	val := strings.Repeat("v", 1<<20)
	if r := ok.Do("SET", "big", val); r.Raw != "+OK\r\n" {
		t.Errorf("SET of exactly 1mb: %v", r)
	}
	if r := ok.Do("STRLEN", "big"); r.Raw != fmt.Sprintf(":%d\r\n", 1<<20) {
		t.Errorf("STRLEN big: %v", r)
	}
	if r := ok.Do("SETRANGE", "big", fmt.Sprint(1<<20), "x"); r.Raw != "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n" {
		t.Errorf("SETRANGE past the limit: %v", r)
	}
	if err := n.ping(); err != nil {
		t.Fatalf("server after an oversized bulk: %v", err)
	}
}

// TestMaxClients: with --maxclients 2, a third connection is refused with
// Redis's error and closed; once one leaves, a new one is accepted.
func TestMaxClients(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{Args: []string{"--maxclients", "2"}})
	// The readiness probe's connection may take a moment to be forgotten.
	var first, second *RESPConn
	Eventually(t, 5*time.Second, "two clients accepted", func() error {
		if first != nil {
			first.Close()
		}
		if second != nil {
			second.Close()
		}
		first, second = DialRESP(t, n.Addr()), DialRESP(t, n.Addr())
		for _, c := range []*RESPConn{first, second} {
			c.Send("PING")
			if r, err := c.Read(); err != nil || r.Raw != "+PONG\r\n" {
				return fmt.Errorf("PING: %v %v", r, err)
			}
		}
		return nil
	})
	third := DialRESP(t, n.Addr())
	third.Send("PING")
	got, closed := third.ReadUntilClose(5 * time.Second)
	if want := "-ERR max number of clients reached\r\n"; got != want || !closed {
		t.Errorf("third client: got %q (closed %v), want %q and close", got, closed, want)
	}
	first.Close()
	Eventually(t, 5*time.Second, "a client accepted after one left", func() error {
		c := DialRESP(t, n.Addr())
		defer c.Close()
		c.Send("PING")
		r, err := c.Read()
		if err != nil || r.Raw != "+PONG\r\n" {
			return fmt.Errorf("PING: %v %v", r, err)
		}
		return nil
	})
	if r := second.Do("PING"); r.Raw != "+PONG\r\n" {
		t.Errorf("the second client after all that: %v", r)
	}
}

// TestIdleTimeout: with --timeout 1 an idle client is disconnected.
func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{Args: []string{"--timeout", "1"}})
	idle := DialRESP(t, n.Addr())
	if r := idle.Do("PING"); r.Raw != "+PONG\r\n" {
		t.Fatalf("PING: %v", r)
	}
	got, closed := idle.ReadUntilClose(15 * time.Second)
	if !closed || got != "" {
		t.Errorf("idle client with --timeout 1: closed=%v, got %q; want closed without a reply", closed, got)
	}
	if r := DialRESP(t, n.Addr()).Do("CONFIG", "GET", "timeout"); !strings.Contains(r.Raw, "$1\r\n1\r\n") {
		t.Errorf("CONFIG GET timeout: %v", r)
	}
}
