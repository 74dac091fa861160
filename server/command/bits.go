package command

import (
	"strings"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// Handlers of SETBIT, GETBIT, BITCOUNT, BITPOS and BITOP, over the pure
// bitmap logic of bitsmap.go.

var (
	errBitValue = resp.Err("ERR bit is not an integer or out of range")
	errBitArg   = resp.Err("ERR The bit argument must be 1 or 0.")
	errBitopNot = resp.Err("ERR BITOP NOT must be called with a single source key.")
)

// SETBIT key offset value: replies the bit's old value; the key keeps its
// expiry.
func (d *Dispatcher) setbit(s *Session, args [][]byte) resp.Reply {
	off, ok := parseBitOffset(args[2], false, 0, d.env.Settings.ProtoMaxBulkLen())
	if !ok {
		return errBitOffset
	}
	on, ok := resp.ParseInt(args[3])
	if !ok || on&^1 != 0 {
		return errBitValue
	}
	var old byte
	_, err := d.modify(s, args[1], modBits, func(v []byte, live bool) ([]byte, error) {
		old = bitAt(v, off)
		if live && off>>3 < uint64(len(v)) && old == byte(on) {
			return nil, nil
		}
		return withBit(v, off, byte(on)), nil
	})
	return orInt(err, int64(old))
}

// GETBIT key offset
func (d *Dispatcher) getbit(s *Session, args [][]byte) resp.Reply {
	off, ok := parseBitOffset(args[2], false, 0, d.env.Settings.ProtoMaxBulkLen())
	if !ok {
		return errBitOffset
	}
	v, ok, err := d.readString(s, args[1])
	if err != nil || !ok {
		return orInt(err, 0)
	}
	return resp.Int(int64(bitAt(v, off)))
}

// BITCOUNT key [start end [BYTE|BIT]]. As in Redis 7.0, a missing key
// counts 0 before its arguments are looked at.
func (d *Dispatcher) bitcount(s *Session, args [][]byte) resp.Reply {
	v, ok, err := d.readString(s, args[1])
	if err != nil || !ok {
		return orInt(err, 0)
	}
	n := int64(len(v))
	first, last, ok := int64(0), n*8-1, n > 0
	switch len(args) {
	case 2:
	case 4, 5:
		start, ok1 := resp.ParseInt(args[2])
		end, ok2 := resp.ParseInt(args[3])
		if !ok1 || !ok2 {
			return errNotInteger
		}
		if start < 0 && end < 0 && start > end {
			return resp.Int(0)
		}
		isBit, r := bitUnit(args[4:])
		if r.IsError() {
			return r
		}
		first, last, ok = bitSpan(n, start, end, isBit)
	default:
		return errSyntax
	}
	if !ok {
		return resp.Int(0)
	}
	return resp.Int(popcount(v, first, last))
}

// bitUnit reads an optional BYTE|BIT argument: whether the range counts
// bits.
func bitUnit(args [][]byte) (bool, resp.Reply) {
	if len(args) == 0 {
		return false, resp.Reply{}
	}
	switch strings.ToLower(string(args[0])) {
	case "bit":
		return true, resp.Reply{}
	case "byte":
		return false, resp.Reply{}
	}
	return false, errSyntax
}

// BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is all zeros:
// 0 for a clear bit, -1 for a set one. Without an end, a string of set
// bits has its first clear bit just past its end.
func (d *Dispatcher) bitpos(s *Session, args [][]byte) resp.Reply {
	bit, ok := resp.ParseInt(args[2])
	if !ok {
		return errNotInteger
	}
	if bit != 0 && bit != 1 {
		return errBitArg
	}
	v, ok, err := d.readString(s, args[1])
	if err != nil || !ok {
		return orInt(err, -bit)
	}
	n := int64(len(v))
	start, end, isBit := int64(0), n-1, false
	switch len(args) {
	case 3:
	case 4, 5, 6:
		var r resp.Reply
		if start, ok = resp.ParseInt(args[3]); !ok {
			return errNotInteger
		}
		if isBit, r = bitUnit(args[min(5, len(args)):]); r.IsError() {
			return r
		}
		if len(args) >= 5 {
			if end, ok = resp.ParseInt(args[4]); !ok {
				return errNotInteger
			}
		}
	default:
		return errSyntax
	}
	first, last, ok := bitSpan(n, start, end, isBit)
	if !ok {
		return resp.Int(-1)
	}
	pos := bitpos(v, byte(bit), first, last)
	if pos < 0 && bit == 0 && len(args) < 5 {
		pos = last + 1
	}
	return resp.Int(pos)
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]: reads the sources, then
// writes destkey (no expiry) or deletes it when the result is empty;
// replies the result's length. One read per source and one Update: not
// atomic across the keys.
func (d *Dispatcher) bitop(s *Session, args [][]byte) resp.Reply {
	ops := map[string]int{"and": opAnd, "or": opOr, "xor": opXor, "not": opNot}
	op, ok := ops[strings.ToLower(string(args[1]))]
	switch {
	case !ok:
		return errSyntax
	case op == opNot && len(args) != 4:
		return errBitopNot
	}
	srcs := make([][]byte, len(args)-3)
	for i, k := range args[3:] {
		v, _, err := d.readString(s, k)
		if err != nil {
			return errorReply(err)
		}
		srcs[i] = v
	}
	res := bitop(op, srcs)
	_, err := d.update(s, args[2], func(cur version.Set, now int64) (*replica.Change, error) {
		if len(res) > 0 {
			ch := d.assign(cur, now, res, 0)
			ch.Enc = version.StrEncRaw // strenc.go: BITOP builds a raw string
			return ch, nil
		}
		if _, live := cur.Winner(now); live {
			return tombstone(cur), nil
		}
		return nil, nil
	})
	return orInt(err, int64(len(res)))
}
