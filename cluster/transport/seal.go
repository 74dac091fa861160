package transport

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// With a cluster key, every frame after the handshake is sealed (AES-256-GCM)
// under a key of its direction, derived when the handshake succeeds:
//
//	salt       = nonce_c || nonce_s
//	transcript = SHA-256(dialer's hello || listener's hello), as sent
//	key_c2s    = HKDF-SHA256(cluster key, salt, "ringkv peer v2 c2s" || transcript)
//	key_s2c    = HKDF-SHA256(cluster key, salt, "ringkv peer v2 s2c" || transcript)
//
// On the wire a sealed frame is
//
//	length  uint32  bytes after this field: len(plain frame) + 16
//	sealed          GCM seal of the plain frame (frame.go: its own length
//	                field, header and payload), additional data = length,
//	                nonce = 4 zero bytes || uint64 count of frames sent
//	                before it in this direction
//
// so a frame that was altered, dropped, replayed or reordered fails to open;
// the reader then closes the connection. Fresh nonces on both sides make
// every connection's keys new. Without a cluster key frames are plain.
const (
	sealOverhead = 16 // GCM tag
	sealLenField = 4
	sealScratch  = 2 << 20 // a writer keeps a buffer up to this size
)

// errSealed: a sealed frame failed to open (tampered, replayed, reordered,
// or sealed under another key); the reader closes the connection.
var errSealed = fmt.Errorf("%w: sealed frame did not open (tampered, replayed or out of order)", ErrAuth)

// sealer seals or opens the frames of one direction of one connection. It
// is used by one goroutine (the conn's writer or reader).
type sealer struct {
	aead     cipher.AEAD
	seq      uint64   // frames sealed or opened so far
	nonceBuf [12]byte // the current frame's nonce
	lenField [sealLenField]byte
	scratch  []byte // writer: reused for frames up to sealScratch
}

// sessionSealers derives the per-direction sealers from the cluster key and
// the handshake: send and recv are from the point of view of dialer
// (dialer true) or listener.
func sessionSealers(key string, nonceC, nonceS [nonceLen]byte, helloC, helloS []byte, dialer bool) (send, recv *sealer, err error) {
	t := sha256.New()
	t.Write(helloC)
	t.Write(helloS)
	transcript := string(t.Sum(nil))
	salt := append(nonceC[:len(nonceC):len(nonceC)], nonceS[:]...)
	c2s, err := newSealer(key, salt, "ringkv peer v2 c2s"+transcript)
	if err != nil {
		return nil, nil, err
	}
	s2c, err := newSealer(key, salt, "ringkv peer v2 s2c"+transcript)
	if err != nil {
		return nil, nil, err
	}
	if dialer {
		return c2s, s2c, nil
	}
	return s2c, c2s, nil
}

func newSealer(key string, salt []byte, info string) (*sealer, error) {
	k, err := hkdf.Key(sha256.New, []byte(key), salt, info, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// nonce returns the next frame's nonce (valid until the next call), or an
// error once the counter is spent (never in practice: 2^64 frames).
func (s *sealer) nonce() ([]byte, error) {
	if s.seq == math.MaxUint64 {
		return nil, errors.New("transport: frame counter exhausted")
	}
	binary.BigEndian.PutUint64(s.nonceBuf[4:], s.seq)
	s.seq++
	return s.nonceBuf[:], nil
}

// writeFrame seals the frame (h, body) and writes it to w.
func (s *sealer) writeFrame(w io.Writer, h frameHeader, body []byte) error {
	plain := frameHeaderLen + len(body)
	need := sealLenField + plain + sealOverhead
	buf := s.scratch
	if cap(buf) < need {
		buf = make([]byte, 0, need)
		if need <= sealScratch {
			s.scratch = buf
		}
	}
	buf = binary.BigEndian.AppendUint32(buf[:0], uint32(plain+sealOverhead))
	buf = append(appendHeader(buf, h), body...)
	nonce, err := s.nonce()
	if err != nil {
		return err
	}
	sealed := s.aead.Seal(buf[sealLenField:sealLenField], nonce, buf[sealLenField:], buf[:sealLenField])
	_, err = w.Write(buf[:sealLenField+len(sealed)])
	return err
}

// readFrame reads and opens one sealed frame, refusing one whose payload
// would exceed max before anything is allocated.
func (s *sealer) readFrame(br *bufio.Reader, max int) (frameHeader, []byte, error) {
	b, err := br.Peek(sealLenField)
	if err != nil {
		return frameHeader{}, nil, err
	}
	copy(s.lenField[:], b)
	n := int64(binary.BigEndian.Uint32(b))
	switch {
	case n < frameHeaderLen+sealOverhead:
		return frameHeader{}, nil, fmt.Errorf("%w: sealed frame length %d", ErrProtocol, n)
	case n-frameHeaderLen-sealOverhead > int64(max):
		return frameHeader{}, nil, fmt.Errorf("%w: %d bytes (max %d)", ErrFrameTooLarge, n-frameHeaderLen-sealOverhead, max)
	}
	_, _ = br.Discard(sealLenField)
	sealed, err := readBody(br, int(n))
	if err != nil {
		return frameHeader{}, nil, err
	}
	nonce, err := s.nonce()
	if err != nil {
		return frameHeader{}, nil, err
	}
	plain, err := s.aead.Open(sealed[:0], nonce, sealed, s.lenField[:])
	if err != nil {
		return frameHeader{}, nil, errSealed
	}
	h, err := parseHeader(plain, max)
	switch {
	case err != nil:
		return frameHeader{}, nil, err
	case h.size != len(plain)-frameHeaderLen:
		return frameHeader{}, nil, fmt.Errorf("%w: sealed frame length mismatch", ErrProtocol)
	case h.size == 0:
		return h, nil, nil
	}
	return h, plain[frameHeaderLen:], nil
}
