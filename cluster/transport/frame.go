package transport

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"time"
)

// A frame, after the handshake, is:
//
//	length  uint32  bytes after this field: 14 + len(payload)
//	id      uint64  request id, echoed in the reply
//	kind    uint8   kindRequest, kindReply or kindError
//	method  uint8   the request's method code (echoed in replies)
//	timeout uint32  request: ms left before the caller's deadline, 0 = none
//	payload         body; for kindError the handler's error text
//
// All integers are big-endian.
const (
	frameHeaderLen = 18
	frameFixedLen  = frameHeaderLen - 4 // counted by length
	maxFrameLimit  = math.MaxUint32 - frameFixedLen
	smallBodyLen   = 1 << 20 // bodies up to this are allocated at once
)

// Frame kinds.
const (
	kindRequest uint8 = 1
	kindReply   uint8 = 2
	kindError   uint8 = 3
)

type frameHeader struct {
	id      uint64
	kind    uint8
	method  uint8
	timeout uint32 // ms
	size    int    // payload bytes
}

// appendHeader appends h's encoding to dst.
func appendHeader(dst []byte, h frameHeader) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(frameFixedLen+h.size))
	dst = binary.BigEndian.AppendUint64(dst, h.id)
	dst = append(dst, h.kind, h.method)
	return binary.BigEndian.AppendUint32(dst, h.timeout)
}

// parseHeader decodes a frame header from b (at least frameHeaderLen bytes),
// refusing payloads over max before anything is allocated.
func parseHeader(b []byte, max int) (frameHeader, error) {
	if len(b) < frameHeaderLen {
		return frameHeader{}, fmt.Errorf("%w: short frame header", ErrProtocol)
	}
	n := binary.BigEndian.Uint32(b)
	if n < frameFixedLen {
		return frameHeader{}, fmt.Errorf("%w: frame length %d", ErrProtocol, n)
	}
	h := frameHeader{
		id:      binary.BigEndian.Uint64(b[4:]),
		kind:    b[12],
		method:  b[13],
		timeout: binary.BigEndian.Uint32(b[14:]),
		size:    int(n - frameFixedLen),
	}
	if h.kind < kindRequest || h.kind > kindError {
		return frameHeader{}, fmt.Errorf("%w: frame kind %d", ErrProtocol, h.kind)
	}
	if h.size > max {
		return frameHeader{}, fmt.Errorf("%w: %d bytes (max %d)", ErrFrameTooLarge, h.size, max)
	}
	return h, nil
}

// readFrame reads one frame from br (whose buffer holds at least a header).
func readFrame(br *bufio.Reader, max int) (frameHeader, []byte, error) {
	b, err := br.Peek(frameHeaderLen)
	if err != nil {
		return frameHeader{}, nil, err
	}
	h, err := parseHeader(b, max)
	if err != nil {
		return frameHeader{}, nil, err
	}
	_, _ = br.Discard(frameHeaderLen)
	body, err := readBody(br, h.size)
	return h, body, err
}

// readBody reads n bytes. Large bodies grow (doubling) as bytes arrive, so a
// peer announcing a huge frame and sending little costs little memory.
func readBody(r io.Reader, n int) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	buf := make([]byte, min(n, smallBodyLen))
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, unexpectedEOF(err)
	}
	for len(buf) < n {
		filled := len(buf)
		next := make([]byte, filled+min(n-filled, filled))
		copy(next, buf)
		buf = next
		if _, err := io.ReadFull(r, buf[filled:]); err != nil {
			return nil, unexpectedEOF(err)
		}
	}
	return buf, nil
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// timeoutMs returns the ms left before deadline (rounded up, at least 1),
// or 0 when there is no deadline.
func timeoutMs(deadline time.Time, ok bool) uint32 {
	if !ok {
		return 0
	}
	d := time.Until(deadline)
	if d <= 0 {
		return 1
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	return uint32(min(ms, math.MaxUint32))
}
