package transport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// sealerPair returns the dialer's and the listener's sealers of one
// session under key.
func sealerPair(tb testing.TB, key string) (dialer, listener session) {
	tb.Helper()
	nc, ns := newNonce(), newNonce()
	hc, hs := []byte("hello-c"), []byte("hello-s")
	var err error
	if dialer.send, dialer.recv, err = sessionSealers(key, nc, ns, hc, hs, true); err != nil {
		tb.Fatal(err)
	}
	if listener.send, listener.recv, err = sessionSealers(key, nc, ns, hc, hs, false); err != nil {
		tb.Fatal(err)
	}
	return dialer, listener
}

func TestSealRoundTripBothDirections(t *testing.T) {
	d, l := sealerPair(t, "s3cret")
	for i, body := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("secret payload "), 1000)} {
		h := frameHeader{id: uint64(i + 1), kind: kindRequest, method: 7, timeout: 9, size: len(body)}
		for _, dir := range []struct{ from, to *sealer }{{d.send, l.recv}, {l.send, d.recv}} {
			var wire bytes.Buffer
			if err := dir.from.writeFrame(&wire, h, body); err != nil {
				t.Fatal(err)
			}
			if len(body) > 4 && bytes.Contains(wire.Bytes(), body[:len(body)/2]) {
				t.Fatal("payload visible on the wire")
			}
			got, gotBody, err := dir.to.readFrame(bufio.NewReader(&wire), 1<<20)
			if err != nil || got != h || !bytes.Equal(gotBody, body) {
				t.Fatalf("frame %d: got %+v %q %v", i, got, gotBody, err)
			}
		}
	}
}

// Each direction has its own key, and a session's keys depend on the
// cluster key and on both hellos (a man in the middle who edits a hello
// leaves the two ends with different keys).
func TestSealKeysDiffer(t *testing.T) {
	d, l := sealerPair(t, "s3cret")
	var wire bytes.Buffer
	h := frameHeader{id: 1, kind: kindRequest, method: 1, size: 2}
	if err := d.send.writeFrame(&wire, h, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	sent := bytes.Clone(wire.Bytes())
	other, _ := sealerPair(t, "s3cret") // other nonces
	nc, ns := newNonce(), newNonce()
	_, editedRecv, _ := sessionSealers("s3cret", nc, ns, []byte("hello-c"), []byte("hello-s!"), false)
	_, wrongKeyRecv, _ := sessionSealers("other", nc, ns, []byte("hello-c"), []byte("hello-s"), false)
	for name, s := range map[string]*sealer{
		"same direction": d.recv, "other session": other.recv, "edited hello": editedRecv, "wrong key": wrongKeyRecv,
	} {
		if _, _, err := s.readFrame(bufio.NewReader(bytes.NewReader(sent)), 1<<20); !isSealErr(err) {
			t.Errorf("%s: opened a frame it should not: %v", name, err)
		}
	}
	if _, _, err := l.recv.readFrame(bufio.NewReader(bytes.NewReader(sent)), 1<<20); err != nil {
		t.Fatalf("the right receiver: %v", err)
	}
}

func isSealErr(err error) bool { return errors.Is(err, errSealed) }

// A sealed frame larger than the receiver's maximum is refused from its
// length field, before anything is allocated or opened.
func TestSealedOversizedRefused(t *testing.T) {
	d, l := sealerPair(t, "k")
	var wire bytes.Buffer
	body := make([]byte, 100)
	if err := d.send.writeFrame(&wire, frameHeader{id: 1, kind: kindRequest, size: len(body)}, body); err != nil {
		t.Fatal(err)
	}
	_, _, err := l.recv.readFrame(bufio.NewReader(&wire), 99)
	wantErr(t, err, ErrFrameTooLarge)
}

// keyedPeer is a raw connection that passed the handshake with a keyed
// listener: the test speaks sealed frames itself.
type keyedPeer struct {
	nc   net.Conn
	br   *bufio.Reader
	sess session
}

func dialKeyed(t *testing.T, tr *TCP, key string) *keyedPeer {
	t.Helper()
	nc, br := rawDial(t, tr)
	cfg := TestConfig("raw")
	cfg.ClusterKey = key
	sess, err := clientHandshake(nc, br, &cfg, tr.cfg.Name)
	if err != nil {
		t.Fatal(err)
	}
	if sess.send == nil {
		t.Fatal("keyed session without sealers")
	}
	return &keyedPeer{nc: nc, br: br, sess: sess}
}

// sealed returns request id's frame sealed as the next one sent.
func (p *keyedPeer) sealed(t *testing.T, id uint64, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	h := frameHeader{id: id, kind: kindRequest, method: 1, size: len(body)}
	if err := p.sess.send.writeFrame(&b, h, []byte(body)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (p *keyedPeer) write(t *testing.T, b []byte) {
	t.Helper()
	if _, err := p.nc.Write(b); err != nil {
		t.Fatal(err)
	}
}

// roundTrip sends a good request and checks the echoed reply.
func (p *keyedPeer) roundTrip(t *testing.T, id uint64) {
	t.Helper()
	p.write(t, p.sealed(t, id, "ping"))
	h, body, err := p.sess.recv.readFrame(p.br, 1<<20)
	if err != nil || h.id != id || h.kind != kindReply || string(body) != "\x01ping" {
		t.Fatalf("reply: %+v %q %v", h, body, err)
	}
}

// closed checks that the listener closed the connection.
func (p *keyedPeer) closed(t *testing.T) {
	t.Helper()
	if rest, err := io.ReadAll(p.br); err != nil || len(rest) != 0 {
		t.Fatalf("connection not closed: %q %v", rest, err)
	}
}

func TestSealedTamperedFrameClosesConn(t *testing.T) {
	for _, at := range []struct {
		name string
		edit func(f []byte)
	}{
		{"length", func(f []byte) { f[3]-- }}, // one byte shorter: the rest follows
		{"header", func(f []byte) { f[sealLenField+6] ^= 0x40 }},
		{"payload", func(f []byte) { f[len(f)-sealOverhead-1] ^= 0x40 }},
		{"tag", func(f []byte) { f[len(f)-1] ^= 0x40 }},
	} {
		t.Run(at.name, func(t *testing.T) {
			bk := newBook()
			var served atomic.Int64
			b := listen(t, "b", bk, counting(&served), withKey("s3cret"))
			p := dialKeyed(t, b, "s3cret")
			p.roundTrip(t, 1)
			f := p.sealed(t, 2, "tampered")
			at.edit(f)
			p.write(t, f)
			p.closed(t)
			if served.Load() != 1 {
				t.Fatalf("served %d requests, want only the untampered one", served.Load())
			}
		})
	}
}

func TestSealedReplayClosesConn(t *testing.T) {
	bk := newBook()
	var served atomic.Int64
	b := listen(t, "b", bk, counting(&served), withKey("s3cret"))
	p := dialKeyed(t, b, "s3cret")
	f := p.sealed(t, 1, "ping")
	p.write(t, f)
	if _, _, err := p.sess.recv.readFrame(p.br, 1<<20); err != nil {
		t.Fatal(err)
	}
	p.write(t, f) // the same bytes again
	p.closed(t)
	if served.Load() != 1 {
		t.Fatalf("served %d, want 1", served.Load())
	}
}

func TestSealedReorderClosesConn(t *testing.T) {
	bk := newBook()
	var served atomic.Int64
	b := listen(t, "b", bk, counting(&served), withKey("s3cret"))
	p := dialKeyed(t, b, "s3cret")
	first, second := p.sealed(t, 1, "one"), p.sealed(t, 2, "two")
	p.write(t, append(second, first...))
	p.closed(t)
	if served.Load() != 0 {
		t.Fatalf("served %d out-of-order requests", served.Load())
	}
}

// A plain frame sent to a keyed listener after a good handshake does not
// open: the listener closes the connection.
func TestSealedListenerRefusesPlainFrame(t *testing.T) {
	bk := newBook()
	var served atomic.Int64
	b := listen(t, "b", bk, counting(&served), withKey("s3cret"))
	p := dialKeyed(t, b, "s3cret")
	p.write(t, append(appendHeader(nil, frameHeader{id: 1, kind: kindRequest, method: 1, size: 2}), "hi"...))
	p.closed(t)
	if served.Load() != 0 {
		t.Fatal("a plain frame was served on a sealed connection")
	}
}

// A handcrafted handshake that answers the challenge with a wrong proof is
// rejected, and the connection closed before any frame is read.
func TestAuthWrongProofRejected(t *testing.T) {
	for _, name := range []string{"zeros", "other key", "empty key"} {
		t.Run(name, func(t *testing.T) {
			bk := newBook()
			var served atomic.Int64
			b := listen(t, "b", bk, counting(&served), withKey("s3cret"))
			nc, br := rawDial(t, b)
			h := hello{version: protocolVersion, role: roleClient, maxFrame: 1 << 20, nonce: newNonce(), name: "intruder"}
			if err := writeMsg(nc, h.encode()); err != nil {
				t.Fatal(err)
			}
			srv, _, err := readHello(br)
			if err != nil {
				t.Fatal(err)
			}
			answer := make([]byte, proofLen)
			switch name {
			case "other key":
				answer = proof("guess", srv.nonce, roleClient, "intruder")
			case "empty key":
				answer = proof("", srv.nonce, roleClient, "intruder")
			}
			if err := writeMsg(nc, append([]byte{msgProof}, answer...)); err != nil {
				t.Fatal(err)
			}
			msg, err := readMsg(br)
			if err != nil || msg[0] != msgReject {
				t.Fatalf("want a reject, got %q %v", msg, err)
			}
			wantErr(t, rejectError(msg), ErrAuth)
			frame := append(appendHeader(nil, frameHeader{id: 1, kind: kindRequest, method: 1, size: 2}), "hi"...)
			_, _ = nc.Write(frame)
			// Closed: EOF, or a reset when the server closed with our
			// frame unread.
			if _, err := io.ReadAll(br); err != nil && !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("connection not closed: %v", err)
			}
			if served.Load() != 0 {
				t.Fatal("a handler ran for a peer that failed the proof")
			}
		})
	}
}

// Handlers learn whether the caller proved the cluster key.
func TestAuthenticatedInHandler(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want bool
	}{{"", false}, {"s3cret", true}} {
		t.Run(fmt.Sprintf("key=%q", tc.key), func(t *testing.T) {
			bk := newBook()
			report := HandlerFunc(func(ctx context.Context, _ string, _ uint8, _ []byte) ([]byte, error) {
				return []byte(fmt.Sprint(Authenticated(ctx))), nil
			})
			listen(t, "b", bk, report, withKey(tc.key))
			a := listen(t, "a", bk, report, withKey(tc.key))
			if got := string(mustCall(t, a, "b", 1, nil)); got != fmt.Sprint(tc.want) {
				t.Fatalf("remote Authenticated = %s, want %v", got, tc.want)
			}
			if got := string(mustCall(t, a, "a", 1, nil)); got != "true" {
				t.Fatalf("a call to itself: Authenticated = %s", got)
			}
		})
	}
	if Authenticated(context.Background()) {
		t.Fatal("a bare context is Authenticated")
	}
}

// Many concurrent calls of mixed sizes (some over the writer's scratch
// size) over sealed connections in both directions.
func TestSealedConcurrentCalls(t *testing.T) {
	bk := newBook()
	b := listen(t, "b", bk, echo, withKey("s3cret"))
	a := listen(t, "a", bk, echo, withKey("s3cret"))
	sizes := []int{0, 1, 100, 64 << 10, sealScratch + 1}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := a, "b"
			if i%2 == 1 {
				from, to = b, "a"
			}
			body := bytes.Repeat([]byte{byte(i)}, sizes[i%len(sizes)])
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			got, err := from.Call(ctx, to, uint8(i), body)
			if err == nil && (got[0] != uint8(i) || !bytes.Equal(got[1:], body)) {
				err = fmt.Errorf("call %d: wrong echo", i)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7000": true, "127.1.2.3": true, "[::1]:1": true, "::1": true, "[::1]": true,
		"localhost:1": true, "LOCALHOST": true,
		"0.0.0.0:7000": false, ":7000": false, "": false, "[::]:1": false, "10.0.0.1:1": false,
		"example.com:1": false, "n1": false,
	} {
		if got := LoopbackAddr(addr); got != want {
			t.Errorf("LoopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}

// Without a cluster key the transport listens only on loopback.
func TestValidateKeylessNeedsLoopback(t *testing.T) {
	cfg := TestConfig("a")
	if err := cfg.Validate(); err != nil {
		t.Fatalf("keyless loopback: %v", err)
	}
	cfg.Addr = "0.0.0.0:0"
	if err := cfg.Validate(); err == nil {
		t.Fatal("keyless 0.0.0.0 accepted")
	}
	if _, err := Listen(cfg); err == nil {
		t.Fatal("Listen keyless on 0.0.0.0 succeeded")
	}
	cfg.ClusterKey = "s3cret"
	if err := cfg.Validate(); err != nil {
		t.Fatalf("keyed 0.0.0.0: %v", err)
	}
}
