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
// With no key the same exchange runs with an empty key: it carries the node
// names (the listener learns who is calling), and refuses a peer that has a
// key when this node has none, or the reverse. Either side refuses another
// protocol version with a reject naming both versions. No frame is read
// before the handshake succeeds.
//
// The key authenticates connections; it does not encrypt or sign the frames
// that follow. Run peer traffic on a private network.

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

// clientHandshake runs the dialer's side against node want and returns the
// listener's maximum frame size.
func clientHandshake(w io.Writer, br *bufio.Reader, cfg *Config, want string) (int, error) {
	h := hello{version: protocolVersion, role: roleClient, maxFrame: uint32(cfg.MaxFrameSize),
		nonce: newNonce(), name: cfg.Name}
	if err := writeMsg(w, h.encode()); err != nil {
		return 0, err
	}
	srv, err := readHello(br)
	switch {
	case err != nil:
		return 0, err
	case srv.role != roleServer:
		return 0, fmt.Errorf("%w: listener sent role %q", ErrProtocol, srv.role)
	case srv.name != want:
		return 0, fmt.Errorf("%w: node at this address is %q, not %q", ErrProtocol, srv.name, want)
	case !hmac.Equal(srv.proof, proof(cfg.ClusterKey, h.nonce, roleServer, srv.name)):
		_ = writeMsg(w, rejectMsg(reasonAuth, "cluster key mismatch"))
		return 0, fmt.Errorf("%w: %q does not hold this cluster key", ErrAuth, srv.name)
	}
	answer := append([]byte{msgProof}, proof(cfg.ClusterKey, srv.nonce, roleClient, cfg.Name)...)
	if err := writeMsg(w, answer); err != nil {
		return 0, err
	}
	msg, err := readMsg(br)
	switch {
	case err != nil:
		return 0, err
	case msg[0] == msgReject:
		return 0, rejectError(msg)
	case msg[0] != msgOK || len(msg) != 1:
		return 0, fmt.Errorf("%w: expected handshake ok", ErrProtocol)
	}
	return int(srv.maxFrame), nil
}

// serverHandshake runs the listener's side and returns the dialer's name and
// maximum frame size.
func serverHandshake(w io.Writer, br *bufio.Reader, cfg *Config) (string, int, error) {
	cli, err := readHello(br)
	if err != nil {
		reason := byte(reasonProtocol)
		if errors.Is(err, ErrVersion) {
			reason = reasonVersion
		}
		_ = writeMsg(w, rejectMsg(reason, err.Error()))
		return "", 0, err
	}
	if cli.role != roleClient {
		return "", 0, fmt.Errorf("%w: dialer sent role %q", ErrProtocol, cli.role)
	}
	h := hello{version: protocolVersion, role: roleServer, maxFrame: uint32(cfg.MaxFrameSize),
		nonce: newNonce(), name: cfg.Name, proof: proof(cfg.ClusterKey, cli.nonce, roleServer, cfg.Name)}
	if err := writeMsg(w, h.encode()); err != nil {
		return "", 0, err
	}
	msg, err := readMsg(br)
	switch {
	case err != nil:
		return "", 0, err
	case msg[0] == msgReject:
		return "", 0, rejectError(msg)
	case msg[0] != msgProof || len(msg) != 1+proofLen:
		return "", 0, fmt.Errorf("%w: expected handshake proof", ErrProtocol)
	case !hmac.Equal(msg[1:], proof(cfg.ClusterKey, h.nonce, roleClient, cli.name)):
		_ = writeMsg(w, rejectMsg(reasonAuth, "cluster key mismatch"))
		return "", 0, fmt.Errorf("%w: %q does not hold this cluster key", ErrAuth, cli.name)
	}
	return cli.name, int(cli.maxFrame), writeMsg(w, []byte{msgOK})
}

// readHello reads a hello, or turns a reject into an error.
func readHello(br *bufio.Reader) (hello, error) {
	msg, err := readMsg(br)
	if err != nil {
		return hello{}, err
	}
	if msg[0] == msgReject {
		return hello{}, rejectError(msg)
	}
	return decodeHello(msg)
}
