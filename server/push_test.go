package server

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/server/command"
)

// pipeOutbox is an outbox over one end of an in-memory connection; the
// test reads the other end.
func pipeOutbox(t *testing.T, limit command.ObufLimit) (*outbox, net.Conn) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	o := newOutbox(a, a, func() command.ObufLimit { return limit }, zerolog.New(zerolog.NewTestWriter(t)))
	return o, b
}

// readN reads exactly n bytes from c within 5s.
func readN(t *testing.T, c net.Conn, n int) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, n)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("read %d bytes: %v (got %q)", n, err, buf)
	}
	return string(buf)
}

// TestOutboxPushFollowsReply: a message pushed while the client's own
// command runs goes out after that command's reply.
func TestOutboxPushFollowsReply(t *testing.T) {
	o, peer := pipeOutbox(t, command.ObufLimit{})
	o.hold()
	if !o.Push([]byte("<msg>")) {
		t.Fatal("Push refused")
	}
	go func() {
		_, _ = o.Write([]byte("<reply>"))
		o.release()
	}()
	if got := readN(t, peer, len("<reply><msg>")); got != "<reply><msg>" {
		t.Errorf("order on the wire: %q", got)
	}
	o.close(time.Second)
}

// TestOutboxPushWhileIdle: a push to a client blocked reading is written
// by the outbox's writer, and later replies queue behind it.
func TestOutboxPushWhileIdle(t *testing.T) {
	o, peer := pipeOutbox(t, command.ObufLimit{})
	o.Push([]byte("one,"))
	o.Push([]byte("two,"))
	go func() { _, _ = o.Write([]byte("reply")) }()
	if got := readN(t, peer, len("one,two,reply")); got != "one,two,reply" {
		t.Errorf("got %q", got)
	}
	o.close(time.Second)
}

// TestOutboxLimit: a client that reads nothing is closed once its queue
// passes the hard limit, and pushing never waits for it.
func TestOutboxLimit(t *testing.T) {
	o, peer := pipeOutbox(t, command.ObufLimit{Hard: 64 << 10})
	frame := []byte(strings.Repeat("x", 1024))
	start := time.Now()
	ok := true
	for i := 0; i < 200 && ok; i++ {
		ok = o.Push(frame)
	}
	if ok {
		t.Fatal("200 KiB queued past a 64 KiB hard limit")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("pushing took %v", took)
	}
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(peer); err != nil {
		t.Errorf("the connection was not closed: %v", err)
	}
	if o.Push(frame) {
		t.Error("Push after the close succeeded")
	}
	o.close(time.Second)
}

// TestOutboxCloseDrains: what is queued when the connection ends still
// goes out (QUIT's reply after pending messages).
func TestOutboxCloseDrains(t *testing.T) {
	o, peer := pipeOutbox(t, command.ObufLimit{})
	o.Push([]byte("msg,"))
	o.hold()
	o.Push([]byte("late"))
	done := make(chan string)
	go func() { done <- readN(t, peer, len("msg,+OK\r\nlate")) }()
	_, _ = o.Write([]byte("+OK\r\n"))
	o.close(5 * time.Second)
	if got := <-done; got != "msg,+OK\r\nlate" {
		t.Errorf("got %q", got)
	}
}

// TestOutboxCloseBounded: a client that does not read does not hold its
// connection's end beyond the grace.
func TestOutboxCloseBounded(t *testing.T) {
	o, _ := pipeOutbox(t, command.ObufLimit{})
	o.Push([]byte("never read"))
	start := time.Now()
	o.close(100 * time.Millisecond)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("close took %v", took)
	}
}
