package command

import (
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// Pure logic of BITFIELD: parsing its operations into bfOps, reading and
// writing integers of 1 to 64 bits at any bit offset (most significant bit
// first, as SETBIT numbers bits), and Redis's overflow rules.

// bfKind is a BITFIELD operation.
type bfKind uint8

const (
	bfGet bfKind = iota
	bfSet
	bfIncr
)

// overflow is a BITFIELD OVERFLOW behaviour.
type overflow uint8

const (
	ovWrap overflow = iota // WRAP (the default): modular arithmetic
	ovSat                  // SAT: clamp to the type's min or max
	ovFail                 // FAIL: write nothing, reply nil
)

// bfType is an integer type: i1..i64 or u1..u63.
type bfType struct {
	signed bool
	bits   uint
}

// bfOp is one parsed GET, SET or INCRBY.
type bfOp struct {
	kind bfKind
	typ  bfType
	off  uint64 // bit offset
	arg  int64  // SET's value or INCRBY's increment
	ov   overflow
}

// bfResult is one element of BITFIELD's reply: a value, or nil (failed)
// when OVERFLOW FAIL refused a write.
type bfResult struct {
	val    int64
	failed bool
}

var (
	errBitOffset  = resp.Err("ERR bit offset is not an integer or out of range")
	errBfType     = resp.Err("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
	errBfOverflow = resp.Err("ERR Invalid OVERFLOW type specified")
	errBfRO       = resp.Err("ERR BITFIELD_RO only supports the GET subcommand")
)

// parseBitfield parses BITFIELD's operations (args after the key) as Redis
// does, in order, stopping at the first error; maxBulk bounds offsets.
func parseBitfield(args [][]byte, maxBulk int64) ([]bfOp, resp.Reply) {
	var ops []bfOp
	ov := ovWrap
	for j := 0; j < len(args); j++ {
		rem := len(args) - j - 1
		op := bfOp{ov: ov}
		switch name := strings.ToLower(string(args[j])); {
		case name == "get" && rem >= 2:
			op.kind = bfGet
		case name == "set" && rem >= 3:
			op.kind = bfSet
		case name == "incrby" && rem >= 3:
			op.kind = bfIncr
		case name == "overflow" && rem >= 1:
			j++
			var ok bool
			if ov, ok = parseOverflow(args[j]); !ok {
				return nil, errBfOverflow
			}
			continue
		default:
			return nil, errSyntax
		}
		var ok bool
		if op.typ, ok = parseBfType(args[j+1]); !ok {
			return nil, errBfType
		}
		if op.off, ok = parseBitOffset(args[j+2], true, op.typ.bits, maxBulk); !ok {
			return nil, errBitOffset
		}
		if op.kind != bfGet {
			if op.arg, ok = resp.ParseInt(args[j+3]); !ok {
				return nil, errNotInteger
			}
			j++
		}
		j += 2
		ops = append(ops, op)
	}
	return ops, resp.Reply{}
}

func parseOverflow(b []byte) (overflow, bool) {
	switch strings.ToLower(string(b)) {
	case "wrap":
		return ovWrap, true
	case "sat":
		return ovSat, true
	case "fail":
		return ovFail, true
	}
	return 0, false
}

// parseBfType parses "i<bits>" (1..64) or "u<bits>" (1..63): u64 does not
// fit the protocol's signed integers.
func parseBfType(b []byte) (bfType, bool) {
	if len(b) < 2 || (b[0] != 'i' && b[0] != 'u') {
		return bfType{}, false
	}
	t := bfType{signed: b[0] == 'i'}
	n, ok := resp.ParseInt(b[1:])
	if !ok || n < 1 || n > 64 || (!t.signed && n > 63) {
		return bfType{}, false
	}
	t.bits = uint(n)
	return t, true
}

// parseBitOffset parses a bit offset. With hash, "#n" means n times bits
// (the n-th field of that width), multiplied with int64 wrap-around as
// Redis does. An offset whose byte is at or past maxBulk is refused.
func parseBitOffset(b []byte, hash bool, bits uint, maxBulk int64) (uint64, bool) {
	mul := int64(1)
	if hash && bits > 0 && len(b) > 0 && b[0] == '#' {
		b, mul = b[1:], int64(bits)
	}
	n, ok := resp.ParseInt(b)
	if !ok {
		return 0, false
	}
	n *= mul
	if n < 0 || n>>3 >= maxBulk {
		return 0, false
	}
	return uint64(n), true
}

// readOnly reports whether ops only read (BITFIELD_RO's condition).
func readOnly(ops []bfOp) bool {
	for _, op := range ops {
		if op.kind != bfGet {
			return false
		}
	}
	return true
}

// runBitfield applies ops in order to v (not modified) and returns the new
// value and the replies. Any SET or INCRBY first zero-pads the string to
// the farthest bit written, even one that OVERFLOW FAIL then refuses, as
// Redis does.
func runBitfield(v []byte, ops []bfOp) ([]byte, []bfResult) {
	var need uint64
	for _, op := range ops {
		if op.kind != bfGet {
			need = max(need, (op.off+uint64(op.typ.bits)-1)>>3+1)
		}
	}
	nv := v
	if need > 0 {
		nv = grown(v, need)
	}
	out := make([]bfResult, len(ops))
	for i, op := range ops {
		out[i] = op.apply(nv)
	}
	return nv, out
}

// apply runs op on v, which is long enough for any write.
func (op bfOp) apply(v []byte) bfResult {
	old := op.typ.decode(getBits(v, op.off, op.typ.bits))
	if op.kind == bfGet {
		return bfResult{val: old}
	}
	var nv, reply int64
	var over bool
	if op.kind == bfIncr {
		nv, over = op.typ.add(old, op.arg, op.ov)
		reply = nv
	} else { // SET: the value as if added to 0, replying the old one
		nv, over = op.typ.add(op.arg, 0, op.ov)
		reply = old
	}
	if over && op.ov == ovFail {
		return bfResult{failed: true}
	}
	putBits(v, op.off, op.typ.bits, uint64(nv))
	return bfResult{val: reply}
}

// getBits reads n bits at bit offset off as an unsigned integer; bits
// past the end of v are 0.
func getBits(v []byte, off uint64, n uint) uint64 {
	var x uint64
	for i := uint64(0); i < uint64(n); i++ {
		x = x<<1 | uint64(bitAt(v, off+i))
	}
	return x
}

// putBits writes the low n bits of x at bit offset off; v must hold them.
func putBits(v []byte, off uint64, n uint, x uint64) {
	for i := uint64(0); i < uint64(n); i++ {
		p := off + i
		mask := byte(1) << (7 - p&7)
		if x>>(uint64(n)-1-i)&1 != 0 {
			v[p>>3] |= mask
		} else {
			v[p>>3] &^= mask
		}
	}
}

// decode reads raw (the type's low bits) as the type's value.
func (t bfType) decode(raw uint64) int64 {
	if t.signed && t.bits < 64 && raw>>(t.bits-1)&1 != 0 {
		raw |= ^uint64(0) << t.bits
	}
	return int64(raw)
}

// add is value+incr in type t under ov, and whether it overflowed. For an
// unsigned type value is read as a uint64 (SET u8 -1 is 2^64-1: too big).
// On overflow WRAP gives the modular result, SAT the nearest limit, and
// FAIL's result is not used.
func (t bfType) add(value, incr int64, ov overflow) (int64, bool) {
	var dir int
	if t.signed {
		dir = signedOverflow(value, incr, t.bits)
	} else {
		dir = unsignedOverflow(uint64(value), incr, t.bits)
	}
	switch {
	case dir == 0:
		return value + incr, false
	case ov == ovSat && dir > 0:
		return t.maxVal(), true
	case ov == ovSat:
		return t.minVal(), true
	}
	return t.wrap(uint64(value) + uint64(incr)), true
}

// unsignedOverflow is +1 if value+incr is above the n-bit maximum (or
// value already is), -1 if below 0, else 0.
func unsignedOverflow(value uint64, incr int64, n uint) int {
	maxv := uint64(1)<<n - 1
	switch {
	case value > maxv || (incr > 0 && uint64(incr) > maxv-value):
		return 1
	case incr < 0 && uint64(-incr) > value: // -MinInt64 wraps to 2^63 as a uint64
		return -1
	}
	return 0
}

// signedOverflow is +1 if value+incr is above the n-bit signed maximum (or
// value already is), -1 if below the minimum, else 0. It keeps Redis's
// wrapping arithmetic word for word: for a SET of a value near -2^63 into
// a narrow type, max-value wraps negative and Redis calls the overflow
// positive (SAT then stores the maximum), and so must we.
func signedOverflow(value, incr int64, n uint) int {
	maxv := int64(uint64(1)<<(n-1) - 1)
	minv := -maxv - 1
	maxIncr := int64(uint64(maxv) - uint64(value))
	minIncr := minv - value // may wrap, as in Redis
	switch {
	case value > maxv || (n != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr):
		return 1
	case value < minv || (n != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr):
		return -1
	}
	return 0
}

func (t bfType) maxVal() int64 {
	if t.signed {
		return int64(uint64(1)<<(t.bits-1) - 1)
	}
	return int64(uint64(1)<<t.bits - 1)
}

func (t bfType) minVal() int64 {
	if t.signed {
		return -t.maxVal() - 1
	}
	return 0
}

// wrap keeps x's low bits as a value of type t.
func (t bfType) wrap(x uint64) int64 {
	if t.bits < 64 {
		x &= uint64(1)<<t.bits - 1
	}
	return t.decode(x)
}

// bfReply renders results as BITFIELD's reply.
func bfReply(out []bfResult) resp.Reply {
	elems := make([]resp.Reply, len(out))
	for i, r := range out {
		if r.failed {
			elems[i] = resp.Null()
		} else {
			elems[i] = resp.Int(r.val)
		}
	}
	return resp.Array(elems...)
}
