package resp

import (
	"io"
	"strconv"

	"github.com/tidwall/redcon"
)

// maxKeptWriteBuf is the largest buffer a Writer keeps after Flush; bigger
// ones (left by a huge reply) are released.
const maxKeptWriteBuf = 1 << 20

// Writer encodes replies for one connection into a reusable buffer. It is
// not safe for concurrent use. Nothing reaches the io.Writer until Flush.
type Writer struct {
	w     io.Writer
	buf   []byte
	proto int
	err   error
}

// NewWriter returns a Writer speaking RESP2 (the protocol every connection
// starts with; HELLO 3 switches with SetProto).
func NewWriter(w io.Writer) *Writer { return &Writer{w: w, proto: 2} }

// SetProto selects the protocol version: 3 for RESP3, anything else RESP2.
func (w *Writer) SetProto(v int) {
	if v == 3 {
		w.proto = 3
	} else {
		w.proto = 2
	}
}

// Proto returns the protocol version, 2 or 3.
func (w *Writer) Proto() int { return w.proto }

// Write appends r's encoding to the buffer.
func (w *Writer) Write(r Reply) { w.buf = Append(w.buf, r, w.proto) }

// Buffered returns the number of encoded bytes not yet flushed.
func (w *Writer) Buffered() int { return len(w.buf) }

// Flush writes the buffer to the underlying io.Writer. After a write error
// every later Flush returns that error.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	_, w.err = w.w.Write(w.buf)
	if cap(w.buf) > maxKeptWriteBuf {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
	return w.err
}

// Append appends the encoding of r for protocol version proto (3 means
// RESP3, anything else RESP2) to dst and returns the extended slice. RESP3
// kinds fall back in RESP2 as Redis does: Map becomes a flat array of keys
// and values, Set an array, Double a bulk string, Bool the integer 1 or 0,
// Verbatim a bulk string without its "fmt:" prefix, and both nulls $-1 / *-1.
func Append(dst []byte, r Reply, proto int) []byte {
	switch r.Kind {
	case KindSimple:
		return redcon.AppendString(dst, r.Str)
	case KindError:
		return redcon.AppendError(dst, r.Str)
	case KindInt:
		return redcon.AppendInt(dst, r.Int)
	case KindBulk:
		if r.Bytes != nil {
			return redcon.AppendBulk(dst, r.Bytes)
		}
		return redcon.AppendBulkString(dst, r.Str)
	case KindNull:
		if proto == 3 {
			return append(dst, "_\r\n"...)
		}
		return redcon.AppendNull(dst)
	case KindNullArray:
		if proto == 3 {
			return append(dst, "_\r\n"...)
		}
		return append(dst, "*-1\r\n"...)
	case KindArray, KindSet, KindMap:
		return appendAggregate(dst, r, proto)
	case KindDouble:
		return appendDoubleReply(dst, r.Float, proto)
	case KindBool:
		return appendBool(dst, r.Int != 0, proto)
	case KindVerbatim:
		if proto == 3 {
			dst = appendHeader(dst, '=', len(r.Str))
			return append(append(dst, r.Str...), '\r', '\n')
		}
		return redcon.AppendBulkString(dst, verbatimText(r.Str))
	case KindRaw:
		return append(dst, r.Bytes...)
	}
	return redcon.AppendError(dst, "ERR internal error: unknown reply kind "+r.Kind.String())
}

func appendAggregate(dst []byte, r Reply, proto int) []byte {
	switch {
	case proto == 3 && r.Kind == KindMap:
		dst = appendHeader(dst, '%', len(r.Elems)/2)
	case proto == 3 && r.Kind == KindSet:
		dst = appendHeader(dst, '~', len(r.Elems))
	default:
		dst = redcon.AppendArray(dst, len(r.Elems))
	}
	for _, e := range r.Elems {
		dst = Append(dst, e, proto)
	}
	return dst
}

func appendHeader(dst []byte, c byte, n int) []byte {
	dst = append(dst, c)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

func appendDoubleReply(dst []byte, f float64, proto int) []byte {
	if proto != 3 {
		var tmp [32]byte
		return redcon.AppendBulk(dst, appendDouble(tmp[:0], f))
	}
	dst = append(dst, ',')
	dst = appendDouble(dst, f)
	return append(dst, '\r', '\n')
}

func appendBool(dst []byte, b bool, proto int) []byte {
	switch {
	case proto == 3 && b:
		return append(dst, "#t\r\n"...)
	case proto == 3:
		return append(dst, "#f\r\n"...)
	case b:
		return redcon.AppendInt(dst, 1)
	}
	return redcon.AppendInt(dst, 0)
}
