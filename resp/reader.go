package resp

import (
	"bytes"
	"io"
	"math"
)

const (
	minReadBuf     = 16 << 10 // first buffer and smallest growth step (Redis's PROTO_IOBUF_LEN)
	maxKeptReadBuf = 64 << 10 // a bigger buffer is dropped once it has been drained
)

// Reader reads client commands, multibulk (RESP) or inline, with Redis 7's
// parsing rules, limits and error texts (networking.c processMultibulkBuffer
// and processInlineBuffer). It is not safe for concurrent use.
//
// Where ringkv is stricter than Redis: the byte after a header's '\r' and the
// two bytes after a bulk must be "\n" and "\r\n" (Redis skips them unread);
// otherwise the header or bulk is reported as an "invalid multibulk length" or
// "invalid bulk length". Header and inline line limits apply to where the
// line ends, not to how much happened to be buffered, so they do not depend
// on how the client's bytes were split into packets.
type Reader struct {
	rd   io.Reader
	lim  Limits
	buf  []byte
	r, w int   // buf[r:w] is unread; buf[r] starts the current command
	err  error // sticky: *ProtocolError or read error
	rerr error // read error that arrived with data, returned on the next fill

	// Parse state of the current command. Offsets are relative to r, so they
	// survive moving the unread bytes to the front of the buffer.
	pos  int   // first unparsed byte
	scan int   // bytes after pos already searched for the line end
	left int   // bulk arguments still to read; -1 before the "*" header
	bulk int   // length of the bulk being read; -1 before its "$" header
	offs []int // start and end of each argument read so far
	args [][]byte
}

// NewReader returns a Reader of commands from rd. Zero fields of lim take
// their defaults.
func NewReader(rd io.Reader, lim Limits) *Reader {
	return &Reader{rd: rd, lim: lim.withDefaults(), left: -1, bulk: -1}
}

// SetLimits replaces the limits from the next command header on (zero
// fields take their defaults). The server calls it between commands, so
// each command is read under the limits of the session's state when it
// starts (Unauthenticated until AUTH succeeds, proto-max-bulk-len as
// CONFIG SET left it), as Redis parses one command at a time.
func (r *Reader) SetLimits(lim Limits) { r.lim = lim.withDefaults() }

// Buffered returns the number of bytes read from the connection but not yet
// returned as commands. The server flushes its replies when it is 0, so a
// pipeline gets its replies in one write.
func (r *Reader) Buffered() int { return r.w - r.r }

// Size returns the size of the read buffer in bytes (CLIENT LIST's qbuf
// plus qbuf-free).
func (r *Reader) Size() int { return len(r.buf) }

// ReadCommand returns the next command's arguments, skipping empty ones
// ("*0", "*-1", blank inline lines) as Redis does. The arguments alias the
// Reader's buffer (no copying): they, and the outer slice, are valid only
// until the next call. Their capacity is clipped, so appending to one does
// not overwrite another.
//
// It returns io.EOF at the end of input between commands and
// io.ErrUnexpectedEOF inside one. A *ProtocolError or read error is final:
// every later call returns it again.
func (r *Reader) ReadCommand() ([][]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		if r.r == r.w {
			r.drained()
		}
		done, err := r.step()
		if err != nil {
			r.err = err
			return nil, err
		}
		if done {
			if args := r.finish(); len(args) > 0 {
				return args, nil
			}
			continue
		}
		if err := r.fill(); err != nil {
			if err == io.EOF && r.r != r.w {
				err = io.ErrUnexpectedEOF
			}
			r.err = err
			return nil, err
		}
	}
}

// step parses as much of the current command as is buffered; done reports
// that it is complete.
func (r *Reader) step() (done bool, err error) {
	if r.r == r.w {
		return false, nil
	}
	if r.buf[r.r] != '*' {
		return r.stepInline()
	}
	if r.left < 0 {
		if ok, err := r.readCount(); !ok || err != nil {
			return false, err
		}
	}
	for r.left > 0 {
		if r.bulk < 0 {
			if ok, err := r.readBulkLen(); !ok || err != nil {
				return false, err
			}
		}
		end := r.pos + r.bulk
		if r.w-r.r < end+2 {
			return false, nil
		}
		if b := r.buf[r.r:]; b[end] != '\r' || b[end+1] != '\n' {
			return false, protoErr("invalid bulk length")
		}
		r.offs = append(r.offs, r.pos, end)
		r.pos, r.bulk, r.left = end+2, -1, r.left-1
	}
	return true, nil
}

// readCount parses the "*<n>\r\n" header. A count <= 0 is an empty command.
func (r *Reader) readCount() (ok bool, err error) {
	i, ok, err := r.header("too big mbulk count string")
	if !ok || err != nil {
		return false, err
	}
	b := r.buf[r.r:]
	n, ok := ParseInt(b[r.pos+1 : i])
	switch {
	case !ok || n > math.MaxInt32 || b[i+1] != '\n':
		return false, protoErr("invalid multibulk length")
	case r.lim.Unauthenticated && n > UnauthMaxArgs:
		return false, protoErr("unauthenticated multibulk length")
	case n > int64(r.lim.MaxMultiBulk):
		return false, protoErr("invalid multibulk length")
	}
	r.pos, r.scan, r.left = i+2, 0, int(max(n, 0))
	return true, nil
}

// readBulkLen parses a "$<len>\r\n" header.
func (r *Reader) readBulkLen() (ok bool, err error) {
	i, ok, err := r.header("too big bulk count string")
	if !ok || err != nil {
		return false, err
	}
	b := r.buf[r.r:]
	if b[r.pos] != '$' {
		return false, protoErr("expected '$', got '" + string(b[r.pos:r.pos+1]) + "'")
	}
	n, ok := ParseInt(b[r.pos+1 : i])
	if !ok || n < 0 || n > r.lim.MaxBulkLen || b[i+1] != '\n' {
		return false, protoErr("invalid bulk length")
	}
	if r.lim.Unauthenticated && n > UnauthMaxBulkLen {
		return false, protoErr("unauthenticated bulk length")
	}
	r.pos, r.scan, r.bulk = i+2, 0, int(n)
	return true, nil
}

// header finds the '\r' ending the header line at pos, and makes sure the
// byte after it is buffered too (as Redis does before looking at the line).
func (r *Reader) header(tooBig string) (cr int, ok bool, err error) {
	cr, ok, err = r.lineEnd('\r', tooBig)
	if ok && cr+1 >= r.w-r.r {
		return 0, false, nil
	}
	return cr, ok, err
}

// stepInline reads an inline command: one line ending in "\n" or "\r\n".
func (r *Reader) stepInline() (done bool, err error) {
	nl, ok, err := r.lineEnd('\n', "too big inline request")
	if !ok || err != nil {
		return false, err
	}
	b := r.buf[r.r:]
	end := nl
	if end > 0 && b[end-1] == '\r' {
		end--
	}
	if r.offs, ok = splitInline(b[:end], r.offs[:0]); !ok {
		return false, protoErr("unbalanced quotes in request")
	}
	r.pos = nl + 1
	return true, nil
}

// lineEnd returns the offset of the first c at or after pos. It remembers
// how far it searched, so a line arriving in pieces is scanned once, and
// fails with tooBig once the line is longer than MaxInline.
func (r *Reader) lineEnd(c byte, tooBig string) (i int, ok bool, err error) {
	b := r.buf[r.r:r.w]
	from := r.pos + r.scan
	i = bytes.IndexByte(b[from:], c)
	if i < 0 {
		r.scan = len(b) - r.pos
	} else {
		r.scan = from + i - r.pos
	}
	if r.scan > r.lim.MaxInline {
		return 0, false, protoErr(tooBig)
	}
	return from + i, i >= 0, nil
}

// finish turns the parsed offsets into argument slices and consumes the
// command's bytes.
func (r *Reader) finish() [][]byte {
	base := r.buf[r.r:]
	r.args = r.args[:0]
	for i := 0; i < len(r.offs); i += 2 {
		s, e := r.offs[i], r.offs[i+1]
		r.args = append(r.args, base[s:e:e])
	}
	r.r += r.pos
	r.pos, r.scan, r.left, r.bulk = 0, 0, -1, -1
	r.offs = r.offs[:0]
	return r.args
}
