package transport

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
)

// The handshake authenticates both ends of a connection with the cluster key
// (Config.ClusterKey), by mutual HMAC-SHA256 challenge-response:
//
//	dialer   -> listener  hello{version, 'C', name_c, nonce_c}
//	listener -> dialer    hello{version, 'S', name_s, nonce_s,
//	                            HMAC(key, nonce_c || 'S' || name_s)}
//	dialer   -> listener  proof{HMAC(key, nonce_s || 'C' || name_c)}
//	listener -> dialer    ok  (or reject{reason, text}, then close)
//
// The role byte keeps one side's answer from being reflected as the other's.
// No frame is read before the handshake succeeds. Either side refuses
// another protocol version with a reject naming both versions.
//
// With a key, both sides then derive per-direction session keys from the key,
// both nonces and both hellos, and every frame is sealed with AES-256-GCM
// (seal.go): peer traffic is encrypted, and a frame that was altered,
// replayed or reordered closes the connection. A passive observer of a
// handshake can try to guess the key offline, so use a long random one.
//
// Without a key the same exchange runs with an empty key and frames are
// plain: it carries the node names (the listener learns who is calling, but
// that name is not proven), and refuses a peer that has a key when this node
// has none, or the reverse. Config.Validate allows that only on a loopback
// listener; requests over such a connection are not Authenticated.

// session is what a successful handshake yields.
type session struct {
	peer       string  // the peer's name
	maxFrame   int     // the largest payload the peer accepts
	send, recv *sealer // nil without a cluster key
}

// proof computes HMAC-SHA256(key, nonce || role || name).
func proof(key string, nonce [nonceLen]byte, role byte, name string) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(nonce[:])
	m.Write([]byte{role})
	m.Write([]byte(name))
	return m.Sum(nil)
}

func newNonce() (n [nonceLen]byte) {
	_, _ = rand.Read(n[:]) // crypto/rand.Read never fails
	return n
}

// clientHandshake runs the dialer's side against node want.
func clientHandshake(w io.Writer, br *bufio.Reader, cfg *Config, want string) (session, error) {
	h := hello{version: protocolVersion, role: roleClient, maxFrame: uint32(cfg.MaxFrameSize),
		nonce: newNonce(), name: cfg.Name}
	mine := h.encode()
	if err := writeMsg(w, mine); err != nil {
		return session{}, err
	}
	srv, theirs, err := readHello(br)
	switch {
	case err != nil:
		return session{}, err
	case srv.role != roleServer:
		return session{}, fmt.Errorf("%w: listener sent role %q", ErrProtocol, srv.role)
	case srv.name != want:
		return session{}, fmt.Errorf("%w: node at this address is %q, not %q", ErrProtocol, srv.name, want)
	case !hmac.Equal(srv.proof, proof(cfg.ClusterKey, h.nonce, roleServer, srv.name)):
		_ = writeMsg(w, rejectMsg(reasonAuth, "cluster key mismatch"))
		return session{}, fmt.Errorf("%w: %q does not hold this cluster key", ErrAuth, srv.name)
	}
	answer := append([]byte{msgProof}, proof(cfg.ClusterKey, srv.nonce, roleClient, cfg.Name)...)
	if err := writeMsg(w, answer); err != nil {
		return session{}, err
	}
	msg, err := readMsg(br)
	switch {
	case err != nil:
		return session{}, err
	case msg[0] == msgReject:
		return session{}, rejectError(msg)
	case msg[0] != msgOK || len(msg) != 1:
		return session{}, fmt.Errorf("%w: expected handshake ok", ErrProtocol)
	}
	return newSession(cfg, srv, h.nonce, srv.nonce, mine, theirs, true)
}

// serverHandshake runs the listener's side.
func serverHandshake(w io.Writer, br *bufio.Reader, cfg *Config) (session, error) {
	cli, theirs, err := readHello(br)
	if err != nil {
		reason := byte(reasonProtocol)
		if errors.Is(err, ErrVersion) {
			reason = reasonVersion
		}
		_ = writeMsg(w, rejectMsg(reason, err.Error()))
		return session{}, err
	}
	if cli.role != roleClient {
		return session{}, fmt.Errorf("%w: dialer sent role %q", ErrProtocol, cli.role)
	}
	h := hello{version: protocolVersion, role: roleServer, maxFrame: uint32(cfg.MaxFrameSize),
		nonce: newNonce(), name: cfg.Name, proof: proof(cfg.ClusterKey, cli.nonce, roleServer, cfg.Name)}
	mine := h.encode()
	if err := writeMsg(w, mine); err != nil {
		return session{}, err
	}
	msg, err := readMsg(br)
	switch {
	case err != nil:
		return session{}, err
	case msg[0] == msgReject:
		return session{}, rejectError(msg)
	case msg[0] != msgProof || len(msg) != 1+proofLen:
		return session{}, fmt.Errorf("%w: expected handshake proof", ErrProtocol)
	case !hmac.Equal(msg[1:], proof(cfg.ClusterKey, h.nonce, roleClient, cli.name)):
		_ = writeMsg(w, rejectMsg(reasonAuth, "cluster key mismatch"))
		return session{}, fmt.Errorf("%w: %q does not hold this cluster key", ErrAuth, cli.name)
	}
	s, err := newSession(cfg, cli, cli.nonce, h.nonce, theirs, mine, false)
	if err != nil {
		return session{}, err
	}
	return s, writeMsg(w, []byte{msgOK})
}

// newSession builds the session with peer, deriving its sealers when there
// is a cluster key. nonceC/helloC are the dialer's, nonceS/helloS the
// listener's.
func newSession(cfg *Config, peer hello, nonceC, nonceS [nonceLen]byte, helloC, helloS []byte, dialer bool) (session, error) {
	s := session{peer: peer.name, maxFrame: int(peer.maxFrame)}
	if cfg.ClusterKey == "" {
		return s, nil
	}
	var err error
	s.send, s.recv, err = sessionSealers(cfg.ClusterKey, nonceC, nonceS, helloC, helloS, dialer)
	return s, err
}

// readHello reads a hello, or turns a reject into an error. It also returns
// the message as received, for the session's transcript.
func readHello(br *bufio.Reader) (hello, []byte, error) {
	msg, err := readMsg(br)
	if err != nil {
		return hello{}, nil, err
	}
	if msg[0] == msgReject {
		return hello{}, nil, rejectError(msg)
	}
	h, err := decodeHello(msg)
	return h, msg, err
}
