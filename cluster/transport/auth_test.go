package transport

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// counting returns an echo handler counting its invocations in n.
func counting(n *atomic.Int64) Handler {
	return HandlerFunc(func(ctx context.Context, from string, m uint8, body []byte) ([]byte, error) {
		n.Add(1)
		return echo(ctx, from, m, body)
	})
}

func withKey(k string) func(*Config) { return func(c *Config) { c.ClusterKey = k } }

func TestAuthSameKey(t *testing.T) {
	bk := newBook()
	listen(t, "b", bk, echo, withKey("s3cret"))
	a := listen(t, "a", bk, echo, withKey("s3cret"))
	mustCall(t, a, "b", 1, []byte("x"))
}

func TestAuthRefused(t *testing.T) {
	for _, tc := range []struct{ name, keyA, keyB string }{
		{"wrong key", "s3cret", "other"},
		{"caller without key", "", "s3cret"},
		{"callee without key", "s3cret", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bk := newBook()
			var servedA, servedB atomic.Int64
			b := listen(t, "b", bk, counting(&servedB), withKey(tc.keyB))
			a := listen(t, "a", bk, counting(&servedA), withKey(tc.keyA))
			_, err := a.Call(ctxTimeout(t, 5*time.Second), "b", 1, nil)
			wantErr(t, err, ErrUnreachable, ErrAuth)
			_, err = b.Call(ctxTimeout(t, 5*time.Second), "a", 1, nil)
			wantErr(t, err, ErrUnreachable, ErrAuth)
			if servedA.Load()+servedB.Load() != 0 {
				t.Fatal("a handler ran for an unauthenticated peer")
			}
		})
	}
}

// The dialer checks that the node at the resolved address is the one it
// asked for.
func TestAuthWrongNode(t *testing.T) {
	bk := newBook()
	b := listen(t, "b", bk, echo)
	a := listen(t, "a", bk, echo)
	bk.set("c", b.Addr())
	_, err := a.Call(ctxTimeout(t, 5*time.Second), "c", 1, nil)
	wantErr(t, err, ErrUnreachable, ErrProtocol)
}

// rawDial opens a bare connection to tr.
func rawDial(t *testing.T, tr *TCP) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", tr.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	return nc, bufio.NewReader(nc)
}

func TestAuthVersionMismatch(t *testing.T) {
	bk := newBook()
	var served atomic.Int64
	b := listen(t, "b", bk, counting(&served))
	nc, br := rawDial(t, b)
	h := hello{version: protocolVersion + 1, role: roleClient, maxFrame: 1 << 20, name: "future"}
	if err := writeMsg(nc, h.encode()); err != nil {
		t.Fatal(err)
	}
	_, _, err := readHello(br)
	wantErr(t, err, ErrVersion)
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("connection not closed after version reject: %v", err)
	}
}

// A request frame sent before (instead of) the handshake is never served.
func TestAuthFrameBeforeHandshake(t *testing.T) {
	bk := newBook()
	var served atomic.Int64
	b := listen(t, "b", bk, counting(&served))
	nc, br := rawDial(t, b)
	frame := appendHeader(nil, frameHeader{id: 1, kind: kindRequest, method: 1, size: 3})
	if _, err := nc.Write(append(frame, "abc"...)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(br); err != nil {
		t.Fatalf("connection not closed cleanly: %v", err)
	}
	if served.Load() != 0 {
		t.Fatal("handler ran before authentication")
	}
}

// After a good handshake, a frame announcing more than MaxFrameSize closes
// the connection without allocating it.
func TestTCPOversizedFrameRefused(t *testing.T) {
	bk := newBook()
	var served atomic.Int64
	b := listen(t, "b", bk, counting(&served), func(c *Config) { c.MaxFrameSize = 1 << 20 })
	nc, br := rawDial(t, b)
	cfg := TestConfig("raw")
	if _, err := clientHandshake(nc, br, &cfg, "b"); err != nil {
		t.Fatal(err)
	}
	hdr := appendHeader(nil, frameHeader{id: 1, kind: kindRequest})
	binary.BigEndian.PutUint32(hdr, 0xFFFFFFF0)
	if _, err := nc.Write(hdr); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(br); err != nil {
		t.Fatalf("connection not closed: %v", err)
	}
	if served.Load() != 0 {
		t.Fatal("oversized frame was served")
	}
}
