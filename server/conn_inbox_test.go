package server

import (
	"bytes"
	"errors"
	"net"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// inboxPair returns a connIO over the server end of a loopback TCP
// connection, and the client end.
func inboxPair(t *testing.T) (*connIO, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	stampListener(ln)
	cli, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close(); srv.Close() })
	c := newConnIO(&Server{log: zerolog.Nop()}, srv)
	if c.in.raw == nil {
		t.Fatal("a TCP connection has no RawConn")
	}
	return c, cli
}

// backlogOf waits up to a second for the kernel to hold want bytes
// nobody read, then returns Backlog's answer.
func backlogOf(t *testing.T, c *connIO, want int) (int64, bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		mark, ok := c.Backlog()
		if mark-c.rx.Load() >= int64(want) || time.Now().After(deadline) {
			return mark, ok
		}
		time.Sleep(time.Millisecond)
	}
}

// Backlog sees input in the kernel and input read but not run, and
// nothing once it ran; Await returns when the goroutine asks for more
// input past the mark, and a wait that timed out is not repeated until
// that input runs.
func TestConnInboxBacklog(t *testing.T) {
	c, cli := inboxPair(t)
	if mark, ok := c.Backlog(); ok {
		t.Fatalf("a new idle connection has a backlog up to %d", mark)
	}
	if _, err := cli.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	if mark, ok := backlogOf(t, c, 6); !ok || mark != 6 {
		t.Fatalf("6 bytes in the kernel: Backlog = %d, %v", mark, ok)
	}
	buf := make([]byte, 64)
	if n, err := c.readSocket(buf); n != 6 || err != nil {
		t.Fatalf("read %d, %v", n, err)
	}
	if mark, ok := c.Backlog(); !ok || mark != 6 {
		t.Fatalf("6 bytes read, not run: Backlog = %d, %v", mark, ok)
	}
	c.parsed = 6
	c.commandDone()
	if mark, ok := c.Backlog(); ok {
		t.Fatalf("everything ran: Backlog up to %d", mark)
	}

	if _, err := cli.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	mark, ok := backlogOf(t, c, 6)
	if !ok || mark != 12 {
		t.Fatalf("6 more bytes: Backlog = %d, %v", mark, ok)
	}
	go func() { // the connection's goroutine: reads, runs, asks for more
		if n, err := c.readSocket(buf); n == 6 && err == nil {
			c.parsed = 12
			c.commandDone()
		}
	}()
	if !c.Await(mark, time.Now().Add(5*time.Second)) {
		t.Fatal("Await did not see the command run")
	}

	if _, err := cli.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	mark, _ = backlogOf(t, c, 6)
	if c.Await(mark, time.Now().Add(time.Millisecond)) {
		t.Fatal("Await returned true for input nobody read")
	}
	if m, ok := c.Backlog(); ok {
		t.Fatalf("a connection a wait gave up on is waited for again (up to %d) before it ran that input", m)
	}
	if n, err := c.readSocket(buf); n != 6 || err != nil {
		t.Fatalf("read %d, %v", n, err)
	}
	c.askedInput() // ran it, wants more
	if _, err := cli.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	if m, ok := backlogOf(t, c, 6); !ok || m != 24 {
		t.Fatalf("after it ran: Backlog = %d, %v", m, ok)
	}
}

// A connection whose goroutine waits to write replies its client does not
// read is not waited for; a closed one has nothing to run.
func TestConnInboxSlowReaderAndClose(t *testing.T) {
	c, cli := inboxPair(t)
	if _, err := cli.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, ok := backlogOf(t, c, 6); !ok {
		t.Fatal("no backlog")
	}
	c.in.flushing.Store(true) // as Server.flush
	_ = c.Conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	done := make(chan error, 1)
	go func() {
		chunk := make([]byte, 1<<20)
		for {
			if _, err := c.writeSocket(chunk); err != nil {
				done <- err
				return
			}
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !c.in.full.Load() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if m, ok := c.Backlog(); ok {
		t.Errorf("the goroutine waits to write to a client that does not read: Backlog up to %d", m)
	}
	_ = c.Conn.SetWriteDeadline(time.Now())
	if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("write ended with %v, want the deadline", err)
	}
	c.in.flushing.Store(false)
	if _, ok := c.Backlog(); !ok {
		t.Error("after the write: no backlog")
	}
	c.inputClosed()
	if m, ok := c.Backlog(); ok {
		t.Errorf("closed: Backlog up to %d", m)
	}
}

// peekedName, which reads a client's raw input, never panics, and what it
// returns is a part of its input: a bulk string followed by its line end,
// or an inline command's first word.
func FuzzPeekedName(f *testing.F) {
	for _, s := range []string{"*4\r\n$10\r\nbrpoplpush\r\n$5\r\nblist\r\n", "BLPOP q 0\r\n", "*1\r\n$-1\r\n",
		"*1\r\n$99\r\nbl", "*\r\n$\r\n", "PING", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		name := peekedName(p)
		switch {
		case name == nil:
		case p[0] == '*' && !bytes.Contains(p, append(slices.Clone(name), '\r', '\n')),
			p[0] != '*' && (!bytes.HasPrefix(p, name) || bytes.ContainsAny(name, " \r\n")):
			t.Fatalf("peekedName(%q) = %q", p, name)
		}
	})
}
