package transport

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// Handshake messages precede frames on every connection (see auth.go). Each
// is a uint16 big-endian length then a body whose first byte is its type:
//
//	hello:  1, magic "RKVP", version u8, role u8 ('C' dialer, 'S' listener),
//	        maxFrame u32, nonce [32], proofLen u8, proof, nameLen u8, name
//	proof:  2, HMAC [32]
//	ok:     3
//	reject: 4, reason u8, text
//
// The version follows the magic so that any future layout can still be
// refused with a clear error.
const (
	protocolVersion = 2 // 2: frames sealed when there is a cluster key
	maxHandshakeLen = 1024
	nonceLen        = 32
	proofLen        = 32

	msgHello  = 1
	msgProof  = 2
	msgOK     = 3
	msgReject = 4

	roleClient = 'C'
	roleServer = 'S'

	reasonAuth     = 1
	reasonVersion  = 2
	reasonProtocol = 3
)

var helloMagic = []byte("RKVP")

type hello struct {
	version  uint8
	role     byte
	maxFrame uint32
	nonce    [nonceLen]byte
	proof    []byte // listener's hello only
	name     string
}

func (h *hello) encode() []byte {
	b := make([]byte, 0, 64+len(h.proof)+len(h.name))
	b = append(append(b, msgHello), helloMagic...)
	b = append(b, h.version, h.role)
	b = binary.BigEndian.AppendUint32(b, h.maxFrame)
	b = append(b, h.nonce[:]...)
	b = append(append(b, byte(len(h.proof))), h.proof...)
	return append(append(b, byte(len(h.name))), h.name...)
}

// decodeHello decodes a hello message body. A hello of another protocol
// version returns that version and an error wrapping ErrVersion.
func decodeHello(b []byte) (hello, error) {
	var h hello
	if len(b) < 7 || b[0] != msgHello || string(b[1:5]) != string(helloMagic) {
		return h, fmt.Errorf("%w: not a ringkv peer hello", ErrProtocol)
	}
	if h.version = b[5]; h.version != protocolVersion {
		return h, fmt.Errorf("%w: peer speaks version %d, this node %d", ErrVersion, h.version, protocolVersion)
	}
	h.role, b = b[6], b[7:]
	if h.role != roleClient && h.role != roleServer {
		return h, fmt.Errorf("%w: hello role %d", ErrProtocol, h.role)
	}
	if len(b) < 4+nonceLen+1 {
		return h, fmt.Errorf("%w: short hello", ErrProtocol)
	}
	h.maxFrame, b = binary.BigEndian.Uint32(b), b[4:]
	copy(h.nonce[:], b)
	proof, b, ok := cutField(b[nonceLen:])
	name, rest, ok2 := cutField(b)
	switch {
	case !ok || !ok2 || len(rest) != 0:
		return h, fmt.Errorf("%w: malformed hello", ErrProtocol)
	case len(proof) != 0 && len(proof) != proofLen:
		return h, fmt.Errorf("%w: hello proof of %d bytes", ErrProtocol, len(proof))
	case len(name) == 0 || h.maxFrame == 0:
		return h, fmt.Errorf("%w: hello without name or frame size", ErrProtocol)
	}
	h.proof, h.name = proof, string(name)
	return h, nil
}

// cutField splits a one-byte-length-prefixed field off b.
func cutField(b []byte) (field, rest []byte, ok bool) {
	if len(b) < 1 || len(b) < 1+int(b[0]) {
		return nil, nil, false
	}
	return b[1 : 1+b[0]], b[1+b[0]:], true
}

func writeMsg(w io.Writer, body []byte) error {
	buf := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(body)), uint16(len(body)))
	_, err := w.Write(append(buf, body...))
	return err
}

// readMsg reads one handshake message body (never empty, at most
// maxHandshakeLen bytes).
func readMsg(br *bufio.Reader) ([]byte, error) {
	var n [2]byte
	if _, err := io.ReadFull(br, n[:]); err != nil {
		return nil, err
	}
	size := int(binary.BigEndian.Uint16(n[:]))
	if size == 0 || size > maxHandshakeLen {
		return nil, fmt.Errorf("%w: handshake message of %d bytes", ErrProtocol, size)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(br, b); err != nil {
		return nil, unexpectedEOF(err)
	}
	return b, nil
}

func rejectMsg(reason byte, text string) []byte {
	return append([]byte{msgReject, reason}, text...)
}

// rejectError turns a received reject message into an error.
func rejectError(b []byte) error {
	if len(b) < 2 {
		return fmt.Errorf("%w: empty reject", ErrProtocol)
	}
	kind := ErrProtocol
	switch b[1] {
	case reasonAuth:
		kind = ErrAuth
	case reasonVersion:
		kind = ErrVersion
	}
	return fmt.Errorf("%w: refused by peer: %q", kind, b[2:])
}
