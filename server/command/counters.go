package command

import (
	"errors"
	"math"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// modify runs a read-modify-write of key's string value (nil if none;
// WRONGTYPE for another type) that keeps its expiry, as Redis's APPEND,
// SETRANGE and INCRBYFLOAT do. fn returns the new value, or nil to write
// nothing; its error becomes the reply. The write absorbs a counter's
// increments the coordinator saw (crdt.Assign). m marks the written
// value's encoding (strenc.go).
func (d *Dispatcher) modify(s *Session, key []byte, m strMod, fn func(old []byte, live bool) ([]byte, error)) ([]byte, error) {
	var out []byte
	_, err := d.update(s, key, func(cur version.Set, now int64) (*replica.Change, error) {
		v, live, err := stringOf(cur, now)
		if err != nil {
			return nil, err
		}
		nv, err := fn(v.Bytes, live)
		if err != nil || nv == nil && !m.remark(v, live) {
			out = clone(v.Bytes)
			return nil, err
		}
		if nv == nil {
			nv = clone(v.Bytes)
		}
		out = nv
		ch := d.assign(cur, now, nv, v.Expiry)
		ch.Enc = m.encFor(live)
		return ch, nil
	})
	return out, err
}

// INCR key
func (d *Dispatcher) incr(s *Session, args [][]byte) resp.Reply { return d.incrBy(s, args[1], 1) }

// DECR key
func (d *Dispatcher) decr(s *Session, args [][]byte) resp.Reply { return d.incrBy(s, args[1], -1) }

// INCRBY key increment
func (d *Dispatcher) incrby(s *Session, args [][]byte) resp.Reply {
	n, ok := resp.ParseInt(args[2])
	if !ok {
		return errNotInteger
	}
	return d.incrBy(s, args[1], n)
}

// DECRBY key decrement
func (d *Dispatcher) decrby(s *Session, args [][]byte) resp.Reply {
	n, ok := resp.ParseInt(args[2])
	if !ok {
		return errNotInteger
	}
	if n == math.MinInt64 {
		return resp.Err("ERR decrement would overflow")
	}
	return d.incrBy(s, args[1], -n)
}

// incrBy adds by to key's counter: one counter sibling superseding what
// the coordinator holds, crediting by to its actor, so increments made
// concurrently elsewhere add up (crdt.Incr). It keeps the key's expiry.
func (d *Dispatcher) incrBy(s *Session, key []byte, by int64) resp.Reply {
	var res int64
	_, err := d.update(s, key, func(cur version.Set, now int64) (*replica.Change, error) {
		v, _, err := stringOf(cur, now)
		if err != nil {
			return nil, err
		}
		c, err := crdt.Incr(cur, now, d.env.KV.Actor(), by)
		switch {
		case errors.Is(err, crdt.ErrOverflow):
			return nil, &replyError{errOverflow}
		case err != nil:
			return nil, &replyError{errNotInteger}
		}
		res, _ = c.Int()
		return &replica.Change{Context: cur.Context(), Kind: version.KindCounter, Value: c.AppendBinary(nil), Expiry: v.Expiry}, nil
	})
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(res)
}

// INCRBYFLOAT key increment
func (d *Dispatcher) incrbyfloat(s *Session, args [][]byte) resp.Reply {
	by, ok := resp.ParseFloat(args[2])
	if !ok {
		return errNotFloat
	}
	nv, err := d.modify(s, args[1], modFloat, func(old []byte, live bool) ([]byte, error) {
		var v float64
		if live {
			var ok bool
			if v, ok = resp.ParseFloat(old); !ok {
				return nil, &replyError{errNotFloat}
			}
		}
		f := v + by
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, &replyError{errNaNOrInf}
		}
		return []byte(resp.FormatFloat(f)), nil
	})
	if err != nil {
		return errorReply(err)
	}
	return resp.Bulk(nv)
}

// APPEND key value
func (d *Dispatcher) append(s *Session, args [][]byte) resp.Reply {
	nv, err := d.modify(s, args[1], modAppend, func(old []byte, _ bool) ([]byte, error) {
		if !d.fits(int64(len(old)), int64(len(args[2]))) {
			return nil, &replyError{errStringTooBig}
		}
		return grow(old, int64(len(old)), args[2]), nil
	})
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(int64(len(nv)))
}

// fits reports whether a string of size bytes grown by add bytes stays
// within proto-max-bulk-len (both non-negative; the sum must not overflow),
// as Redis's checkStringLength.
func (d *Dispatcher) fits(size, add int64) bool {
	return size <= d.env.Settings.ProtoMaxBulkLen()-add
}

// GETRANGE key start end (also SUBSTR)
func (d *Dispatcher) getrange(s *Session, args [][]byte) resp.Reply {
	start, ok1 := resp.ParseInt(args[2])
	end, ok2 := resp.ParseInt(args[3])
	if !ok1 || !ok2 {
		return errNotInteger
	}
	v, _, err := d.readString(s, args[1])
	if err != nil {
		return errorReply(err)
	}
	return resp.Bulk(substr(v, start, end))
}

// substr applies GETRANGE's index rules (negative from the end, clamped).
func substr(v []byte, start, end int64) []byte {
	n := int64(len(v))
	if start < 0 && end < 0 && start > end {
		return []byte{}
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		return []byte{}
	}
	return v[start : end+1]
}

// SETRANGE key offset value
func (d *Dispatcher) setrange(s *Session, args [][]byte) resp.Reply {
	off, ok := resp.ParseInt(args[2])
	if !ok {
		return errNotInteger
	}
	if off < 0 {
		return resp.Err("ERR offset is out of range")
	}
	val := args[3]
	nv, err := d.modify(s, args[1], modRange, func(old []byte, _ bool) ([]byte, error) {
		switch {
		case len(val) == 0:
			return nil, nil
		case !d.fits(off, int64(len(val))): // after the type check, as Redis
			return nil, &replyError{errStringTooBig}
		}
		if off >= int64(len(old)) {
			return grow(old, off, val), nil
		}
		size := max(int64(len(old)), off+int64(len(val)))
		b := make([]byte, size)
		copy(b, old)
		copy(b[off:], val)
		return b, nil
	})
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(int64(len(nv)))
}

// grow returns old extended with zeros to off (off >= len(old)) and then
// add: APPEND's and SETRANGE's new value past the old one's end. It writes
// in place when old has the room: the engine hands a write its own copy
// of a large value with room to grow (version.DecodeOwnedSet), and bytes
// past old's length are seen by no one else, so a 512 MB value grows
// without a second copy of it. Otherwise it copies old.
func grow(old []byte, off int64, add []byte) []byte {
	size := off + int64(len(add))
	if size > int64(cap(old)) || old == nil {
		b := make([]byte, size)
		copy(b, old)
		copy(b[off:], add)
		return b
	}
	b := old[:size]
	clear(b[len(old):off]) // a retried write may have left bytes there
	copy(b[off:], add)
	return b
}
