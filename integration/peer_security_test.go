package integration

// Bug 3 of issue 6: the peer port must never run commands for someone who
// does not hold the cluster key. These tests speak the peer protocol by
// hand, from its description in cluster/transport (auth.go, hello.go,
// frame.go, seal.go), against real ringkv processes.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ringkv/ringkv/server"
)

// Peer protocol constants (cluster/transport).
const (
	peerVersion   = 2
	msgHello      = 1
	msgProof      = 2
	msgOK         = 3
	msgReject     = 4
	reasonAuth    = 1
	kindRequest   = 1
	kindReply     = 2
	kindError     = 3
	peerHeaderLen = 18
)

// peerClient is a hand-rolled peer: one connection to a node's peer port.
type peerClient struct {
	nc     net.Conn
	br     *bufio.Reader
	name   string
	nonce  [32]byte
	helloC []byte
	helloS []byte
	srv    serverHello
	send   cipher.AEAD // nil: plain frames
	recv   cipher.AEAD
	seqS   uint64
	seqR   uint64
}

type serverHello struct {
	nonce [32]byte
	proof []byte
	name  string
}

func dialPeer(t *testing.T, port int) (*peerClient, error) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 2*time.Second)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	p := &peerClient{nc: nc, br: bufio.NewReader(nc), name: "intruder"}
	_, _ = rand.Read(p.nonce[:])
	return p, nil
}

func (p *peerClient) writeMsg(body []byte) error {
	_, err := p.nc.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(body))), body...))
	return err
}

func (p *peerClient) readMsg() ([]byte, error) {
	var n [2]byte
	if _, err := io.ReadFull(p.br, n[:]); err != nil {
		return nil, err
	}
	b := make([]byte, binary.BigEndian.Uint16(n[:]))
	if _, err := io.ReadFull(p.br, b); err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, errors.New("empty handshake message")
	}
	return b, nil
}

// hello sends the dialer's hello and reads the listener's; a reject is
// returned as an error.
func (p *peerClient) hello() error {
	b := append([]byte{msgHello}, "RKVP"...)
	b = append(b, peerVersion, 'C')
	b = binary.BigEndian.AppendUint32(b, 1<<20)
	b = append(b, p.nonce[:]...)
	b = append(b, 0, byte(len(p.name)))
	p.helloC = append(b, p.name...)
	if err := p.writeMsg(p.helloC); err != nil {
		return err
	}
	msg, err := p.readMsg()
	if err != nil {
		return err
	}
	if msg[0] == msgReject {
		return rejectErr(msg)
	}
	if len(msg) < 44 || msg[0] != msgHello || string(msg[1:5]) != "RKVP" || msg[6] != 'S' {
		return fmt.Errorf("not a listener hello: %q", msg)
	}
	p.helloS = msg
	copy(p.srv.nonce[:], msg[11:43])
	rest := msg[43:]
	if n := int(rest[0]); len(rest) >= 2+n {
		p.srv.proof, rest = rest[1:1+n], rest[1+n:]
		p.srv.name = string(rest[1:])
	}
	return nil
}

// rejectErr is a reject message received instead of a hello.
type rejectErr []byte

func (r rejectErr) Error() string { return fmt.Sprintf("rejected: %q", []byte(r)) }

// authReject reports whether msg (or err, a rejectErr) is a reject for
// failed authentication, not for a version or protocol problem.
func authReject(msg []byte, err error) bool {
	var r rejectErr
	if errors.As(err, &r) {
		msg = r
	}
	return len(msg) >= 2 && msg[0] == msgReject && msg[1] == reasonAuth
}

func mac(key string, nonce [32]byte, role byte, name string) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(nonce[:])
	m.Write([]byte{role})
	m.Write([]byte(name))
	return m.Sum(nil)
}

// prove answers the listener's challenge under key and returns its answer
// (ok, or a reject). On ok with a key it derives the session keys.
func (p *peerClient) prove(key string) ([]byte, error) {
	if err := p.writeMsg(append([]byte{msgProof}, mac(key, p.srv.nonce, 'C', p.name)...)); err != nil {
		return nil, err
	}
	msg, err := p.readMsg()
	if err != nil || msg[0] != msgOK || key == "" {
		return msg, err
	}
	tr := sha256.New()
	tr.Write(p.helloC)
	tr.Write(p.helloS)
	transcript := string(tr.Sum(nil))
	salt := append(append([]byte{}, p.nonce[:]...), p.srv.nonce[:]...)
	if p.send, err = gcm(key, salt, "ringkv peer v2 c2s"+transcript); err == nil {
		p.recv, err = gcm(key, salt, "ringkv peer v2 s2c"+transcript)
	}
	return msg, err
}

func gcm(key string, salt []byte, info string) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, []byte(key), salt, info, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func gcmNonce(seq uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 4), seq) }

// exec sends a MethodExec request for args (RESP2) and returns the
// reply's kind and payload.
func (p *peerClient) exec(args ...string) (byte, []byte, error) {
	var body bytes.Buffer
	fmt.Fprintf(&body, "\x02*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&body, "$%d\r\n%s\r\n", len(a), a)
	}
	frame := binary.BigEndian.AppendUint32(nil, uint32(peerHeaderLen-4+body.Len()))
	frame = binary.BigEndian.AppendUint64(frame, 1)
	frame = append(frame, kindRequest, server.MethodExec)
	frame = binary.BigEndian.AppendUint32(frame, 5000) // timeout, ms
	frame = append(frame, body.Bytes()...)
	if p.send != nil {
		lenField := binary.BigEndian.AppendUint32(nil, uint32(len(frame)+16))
		frame = append(slices.Clone(lenField), p.send.Seal(nil, gcmNonce(p.seqS), frame, lenField)...)
		p.seqS++
	}
	if _, err := p.nc.Write(frame); err != nil {
		return 0, nil, err
	}
	return p.readReply()
}

func (p *peerClient) readReply() (byte, []byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(p.br, n[:]); err != nil {
		return 0, nil, err
	}
	rest := make([]byte, binary.BigEndian.Uint32(n[:]))
	if _, err := io.ReadFull(p.br, rest); err != nil {
		return 0, nil, err
	}
	frame := append(n[:], rest...)
	if p.recv != nil {
		plain, err := p.recv.Open(nil, gcmNonce(p.seqR), rest, n[:])
		if err != nil {
			return 0, nil, fmt.Errorf("reply does not open: %w", err)
		}
		p.seqR++
		frame = plain
	}
	if len(frame) < peerHeaderLen {
		return 0, nil, fmt.Errorf("short reply frame %q", frame)
	}
	return frame[12], frame[peerHeaderLen:], nil
}

// A node with --requirepass and no cluster key runs no peer port: a
// handcrafted hello finds nothing listening (while the same hello gets an
// answer from a loopback node without a password, the allowed keyless
// setup), and its log says how to enable clustering.
func TestPeerSecurityRequirepassWithoutKey(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{Password: "s3cret"})
	p, err := dialPeer(t, n.Opts.PeerPort)
	switch {
	case err != nil:
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial the peer port: %v, want connection refused", err)
		}
	default: // something listens: it must refuse a keyless dialer
		var msg []byte
		if err = p.hello(); err == nil {
			msg, err = p.prove("")
		}
		if !authReject(msg, err) {
			t.Fatalf("handcrafted keyless handshake: %q %v, want connection refused or an authentication reject", msg, err)
		}
	}
	if !strings.Contains(n.Log(), "to cluster it, set --cluster-key") {
		t.Errorf("no warning saying how to enable clustering:\n%s", n.LogTail(20))
	}
	if got := n.Client(t, 2).Get(context.Background(), "k").Err(); !errors.Is(got, redis.Nil) {
		t.Errorf("the standalone node does not serve clients: %v", got)
	}

	open := StartNode(t, NodeOptions{})
	p, err = dialPeer(t, open.Opts.PeerPort)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.hello(); err != nil {
		t.Fatalf("control: the keyless loopback node's peer port: %v", err)
	}
}

// A node asked to cluster beyond loopback, or with a password, without a
// key does not start, and says what to do.
func TestPeerSecurityJoinWithoutKeyExits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts NodeOptions
		says []string
	}{
		{"bind 0.0.0.0", NodeOptions{Args: []string{"--bind", "0.0.0.0", "--join", "127.0.0.1:1"}},
			[]string{"--cluster-key", "listens beyond loopback", "the same secret on every node", "bind to 127.0.0.1"}},
		{"requirepass", NodeOptions{Password: "pw", Args: []string{"--join", "127.0.0.1:1"}},
			[]string{"--cluster-key", "--requirepass is set", "the same secret on every node"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.NoWait = true
			n := StartNode(t, tc.opts)
			if code := n.WaitExit(t, readyTimeout); code == 0 {
				t.Fatalf("exit code 0, want a failure\n%s", n.LogTail(20))
			}
			for _, s := range tc.says {
				if !strings.Contains(n.Log(), s) {
					t.Errorf("the error does not say %q:\n%s", s, n.LogTail(20))
				}
			}
		})
	}
}

// A keyed node proves the key in its hello, and rejects a dialer that
// answers its challenge with the wrong key: no frame is read after that.
func TestPeerSecurityWrongKeyRejected(t *testing.T) {
	t.Parallel()
	key := randomKey(t)
	n := StartNode(t, NodeOptions{Password: "s3cret", Args: []string{"--cluster-key", key}})
	for _, wrong := range []string{"", key + "x", "change-me"} {
		p, err := dialPeer(t, n.Opts.PeerPort)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.hello(); err != nil {
			t.Fatal(err)
		}
		if !hmac.Equal(p.srv.proof, mac(key, p.nonce, 'S', p.srv.name)) {
			t.Fatal("the node's hello does not prove the cluster key")
		}
		msg, err := p.prove(wrong)
		if err != nil || !authReject(msg, nil) {
			t.Fatalf("proof under key %q: %q %v, want an authentication reject", wrong, msg, err)
		}
		if kind, body, err := p.exec("SET", "intruded", "1"); err == nil {
			t.Fatalf("a frame was answered after the reject: kind %d %q", kind, body)
		}
	}
	if v, err := n.Client(t, 2).Exists(context.Background(), "intruded").Result(); err != nil || v != 0 {
		t.Fatalf("EXISTS intruded = %d, %v", v, err)
	}
}

// Even a peer holding the key (and so authenticated, over sealed frames)
// cannot run administration through MethodExec: CONFIG GET requirepass is
// refused and the password never crosses the peer port. A key command on
// the same connection runs (the channel works).
func TestPeerSecurityExecRefusesAdmin(t *testing.T) {
	t.Parallel()
	key := randomKey(t)
	n := StartNode(t, NodeOptions{Password: "s3cret", Args: []string{"--cluster-key", key}})
	p, err := dialPeer(t, n.Opts.PeerPort)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.hello(); err != nil {
		t.Fatal(err)
	}
	if msg, err := p.prove(key); err != nil || msg[0] != msgOK {
		t.Fatalf("handshake with the right key: %q %v", msg, err)
	}
	for _, args := range [][]string{{"CONFIG", "GET", "requirepass"}, {"CONFIG", "SET", "requirepass", ""},
		{"FLUSHALL"}, {"SHUTDOWN", "NOSAVE"}, {"AUTH", "s3cret"}} {
		kind, body, err := p.exec(args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if kind != kindError || bytes.Contains(body, []byte("s3cret")) {
			t.Fatalf("%v: kind %d %q, want a refusal", args, kind, body)
		}
		t.Logf("%v: refused: %s", args, body)
	}
	kind, body, err := p.exec("SET", "via-peer", "1")
	if err != nil || kind != kindReply || string(body) != "+OK\r\n" {
		t.Fatalf("SET over the keyed peer connection: kind %d %q %v", kind, body, err)
	}
	if v, err := n.Client(t, 2).Get(context.Background(), "via-peer").Result(); err != nil || v != "1" {
		t.Fatalf("GET via-peer = %q, %v", v, err)
	}
	if !n.Running() {
		t.Fatal("the node stopped")
	}
}

// Keyless loopback peers (the allowed mode) get no more: administration
// is refused there too.
func TestPeerSecurityKeylessLoopbackExecRefusesAdmin(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	p, err := dialPeer(t, n.Opts.PeerPort)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.hello(); err != nil {
		t.Fatal(err)
	}
	if msg, err := p.prove(""); err != nil || msg[0] != msgOK {
		t.Fatalf("keyless handshake: %q %v", msg, err)
	}
	kind, body, err := p.exec("CONFIG", "GET", "requirepass")
	if err != nil || kind != kindError {
		t.Fatalf("CONFIG GET over a keyless peer connection: kind %d %q %v, want a refusal", kind, body, err)
	}
}
