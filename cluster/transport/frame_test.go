package transport

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestFrameRoundTrip(t *testing.T) {
	h := frameHeader{id: 1<<63 + 5, kind: kindError, method: 200, timeout: 1234, size: 5}
	b := append(appendHeader(nil, h), "hello"...)
	got, body, err := readFrame(bufio.NewReader(bytes.NewReader(b)), 5)
	if err != nil || got != h || string(body) != "hello" {
		t.Fatalf("got %+v %q %v", got, body, err)
	}
	if _, _, err := readFrame(bufio.NewReader(bytes.NewReader(b)), 4); err == nil {
		t.Fatal("frame over max accepted")
	}
	if _, _, err := readFrame(bufio.NewReader(bytes.NewReader(b[:len(b)-1])), 5); err == nil {
		t.Fatal("truncated frame accepted")
	}
}

func TestReadBodyGrows(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789abcdef"), (3*smallBodyLen+7)/16)
	got, err := readBody(bytes.NewReader(want), len(want))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("readBody: %v", err)
	}
	if _, err := readBody(strings.NewReader("short"), 3*smallBodyLen); err == nil {
		t.Fatal("short body accepted")
	}
}

func TestTimeoutMs(t *testing.T) {
	if got := timeoutMs(time.Time{}, false); got != 0 {
		t.Fatalf("no deadline: %d", got)
	}
	if got := timeoutMs(time.Now().Add(-time.Second), true); got != 1 {
		t.Fatalf("past deadline: %d", got)
	}
	if got := timeoutMs(time.Now().Add(1500*time.Microsecond), true); got != 2 {
		t.Fatalf("1.5ms: %d", got)
	}
}

func TestHelloRoundTrip(t *testing.T) {
	h := hello{version: protocolVersion, role: roleServer, maxFrame: 99, name: "node-1",
		proof: bytes.Repeat([]byte{7}, proofLen), nonce: newNonce()}
	got, err := decodeHello(h.encode())
	if err != nil || got.name != h.name || got.nonce != h.nonce || !bytes.Equal(got.proof, h.proof) ||
		got.maxFrame != 99 || got.role != roleServer {
		t.Fatalf("got %+v, %v", got, err)
	}
}

// fixedSealers is a deterministic session (fixed nonces and hellos) for
// the fuzzer: the dialer's send sealer and the listener's recv sealer.
func fixedSealers(tb testing.TB) (send, recv *sealer) {
	var nc, ns [nonceLen]byte
	ns[0] = 1
	send, _, err := sessionSealers("fuzz", nc, ns, []byte("c"), []byte("s"), true)
	if err != nil {
		tb.Fatal(err)
	}
	_, recv, err = sessionSealers("fuzz", nc, ns, []byte("c"), []byte("s"), false)
	if err != nil {
		tb.Fatal(err)
	}
	return send, recv
}

// FuzzFrameDecode feeds arbitrary bytes to the frame, sealed-frame and
// handshake decoders: they must never panic, and what they accept must
// re-encode to the input.
func FuzzFrameDecode(f *testing.F) {
	f.Add(append(appendHeader(nil, frameHeader{id: 9, kind: kindRequest, method: 3, timeout: 10, size: 2}), "hi"...))
	h := hello{version: protocolVersion, role: roleClient, maxFrame: 1 << 20, name: "a"}
	f.Add(h.encode())
	h.proof, h.role = make([]byte, proofLen), roleServer
	f.Add(h.encode())
	f.Add(rejectMsg(reasonAuth, "no"))
	f.Add([]byte("*1\r\n$4\r\nPING\r\n"))
	var sealed bytes.Buffer
	send, _ := fixedSealers(f)
	if err := send.writeFrame(&sealed, frameHeader{id: 9, kind: kindRequest, method: 3, size: 2}, []byte("hi")); err != nil {
		f.Fatal(err)
	}
	f.Add(sealed.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		send, recv := fixedSealers(t)
		if fh, body, err := recv.readFrame(bufio.NewReader(bytes.NewReader(data)), 1<<16); err == nil {
			var enc bytes.Buffer
			if err := send.writeFrame(&enc, fh, body); err != nil || !bytes.Equal(enc.Bytes(), data[:enc.Len()]) {
				t.Fatalf("sealed frame re-encodes as %x (%v)", enc.Bytes(), err)
			}
		}
		if fh, body, err := readFrame(bufio.NewReader(bytes.NewReader(data)), 1<<16); err == nil {
			enc := append(appendHeader(nil, fh), body...)
			if !bytes.Equal(enc, data[:len(enc)]) {
				t.Fatalf("frame re-encodes as %x", enc)
			}
		}
		if h, err := decodeHello(data); err == nil {
			if !bytes.Equal(h.encode(), data) {
				t.Fatalf("hello re-encodes as %x", h.encode())
			}
		}
		if len(data) > 0 && data[0] == msgReject && rejectError(data) == nil {
			t.Fatal("reject without error")
		}
		msg, err := readMsg(bufio.NewReader(bytes.NewReader(data)))
		if err == nil && (len(msg) == 0 || len(msg) > maxHandshakeLen) {
			t.Fatalf("handshake message of %d bytes accepted", len(msg))
		}
	})
}
