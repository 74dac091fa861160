package resp

import (
	"io"
	"strconv"
	"unsafe"

	"github.com/tidwall/redcon"
)

// maxKeptWriteBuf is the largest buffer a Writer keeps after Flush; bigger
// ones (left by a huge reply) are released.
const maxKeptWriteBuf = 1 << 20

// directBulk is the size from which a bulk string is written to the
// io.Writer straight from the reply's own bytes instead of being copied
// into the buffer: a GET of a 128 MB value held it twice (the value read
// and its copy in the reply), and under load the collector's lag made the
// peak three times the value. At this size the extra write costs nothing
// next to the copy.
const directBulk = 1 << 20

// Writer encodes replies for one connection into a reusable buffer. It is
// not safe for concurrent use. Nothing reaches the io.Writer until Flush,
// except a bulk string of directBulk bytes or more: Write writes what is
// buffered and then the string's own bytes (the reply's buffer must stay
// unchanged until Write returns, which every reply's does).
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

// Write appends r's encoding to the buffer; a large bulk string in r is
// written through (directBulk). A failed write is returned by Flush.
func (w *Writer) Write(r Reply) {
	switch r.Kind {
	case KindBulk:
		if n := max(len(r.Bytes), len(r.Str)); n >= directBulk {
			w.writeBulk(r, n)
			return
		}
	case KindArray, KindSet, KindMap:
		w.buf = appendAggregateHeader(w.buf, r, w.proto)
		for _, e := range r.Elems {
			w.Write(e)
		}
		return
	}
	w.buf = Append(w.buf, r, w.proto)
}

// writeBulk writes a bulk string of n bytes: its header with what is
// buffered, then its bytes from the reply, and buffers the CRLF after them.
func (w *Writer) writeBulk(r Reply, n int) {
	if w.err != nil {
		return
	}
	w.buf = appendHeader(w.buf, '$', n)
	b := r.Bytes
	if b == nil {
		b = unsafe.Slice(unsafe.StringData(r.Str), len(r.Str)) // only read
	}
	if bw, ok := w.w.(BuffersWriter); ok {
		_, w.err = bw.WriteBuffers(w.buf, b, crlf)
		w.buf = w.buf[:0]
		return
	}
	if w.Flush() == nil {
		_, w.err = w.w.Write(b)
		w.buf = append(w.buf, '\r', '\n')
	}
}

var crlf = []byte("\r\n")

// BuffersWriter is an io.Writer that also writes several buffers as one
// write: a Writer writes a large bulk string's header, bytes and CRLF so,
// and the limits on what a client may have pending see them together.
type BuffersWriter interface {
	io.Writer
	WriteBuffers(bufs ...[]byte) (int, error)
}

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
	dst = appendAggregateHeader(dst, r, proto)
	for _, e := range r.Elems {
		dst = Append(dst, e, proto)
	}
	return dst
}

// appendAggregateHeader appends the header of an array, set or map: its
// kind and its number of elements (of pairs, for a RESP3 map).
func appendAggregateHeader(dst []byte, r Reply, proto int) []byte {
	switch {
	case proto == 3 && r.Kind == KindMap:
		return appendHeader(dst, '%', len(r.Elems)/2)
	case proto == 3 && r.Kind == KindSet:
		return appendHeader(dst, '~', len(r.Elems))
	}
	return redcon.AppendArray(dst, len(r.Elems))
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
