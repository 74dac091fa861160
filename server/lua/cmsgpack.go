package lua

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// maxMsgpackDepth bounds nesting in pack and unpack (lua-cmsgpack: 16
// for pack, beyond which tables become nil).
const maxMsgpackDepth = 16

// newMsgpack is lua-cmsgpack's pack(...) and unpack(s): tables whose keys
// are 1..n are arrays, other tables maps; integral numbers are integers,
// others float32 when exact, else float64.
func (v *vm) newMsgpack() *lua.LTable {
	L := v.L
	t := L.NewTable()
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("pack", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() == 0 {
			L.ArgError(0, "MessagePack pack needs input.")
		}
		var out []byte
		for i := 1; i <= L.GetTop(); i++ {
			out = packValue(out, L.Get(i), 0)
		}
		L.Push(lua.LString(out))
		return 1
	}))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int {
		return v.unpackFull(L, L.CheckString(1), 0, 0)
	}))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		s, off := L.CheckString(1), L.OptInt(2, 0)
		L.SetTop(0)
		return v.unpackFull(L, s, 1, off)
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		s, limit, off := L.CheckString(1), L.CheckInt(2), L.OptInt(3, 0)
		L.SetTop(0)
		return v.unpackFull(L, s, limit, off)
	}))
	return t
}

// unpackFull is lua-cmsgpack's mp_unpack_full: it decodes up to limit
// values of s from offset (every value when both are 0); when it was
// given a limit or an offset it returns first the offset of the next
// value, or -1 once s is used up.
func (v *vm) unpackFull(L *lua.LState, s string, limit, offset int) int {
	fail := func(msg string) { // luaL_error: no position under pcall
		L.Error(lua.LString(v.where(L, 1)+msg), 0)
	}
	if offset < 0 || limit < 0 {
		fail("Invalid request to unpack with offset of " + itoa(offset) + " and limit of " + itoa(len(s)) + ".")
	}
	if offset > len(s) {
		fail("Start offset " + itoa(offset) + " greater than input length " + itoa(len(s)) + ".")
	}
	all := limit == 0 && offset == 0
	if all {
		limit = math.MaxInt
	}
	data := []byte(s[offset:])
	var vals []lua.LValue
	for len(data) > 0 && len(vals) < limit {
		val, rest, ok := unpackValue(L, data, 0)
		switch {
		case !ok && val == msgpackBadFormat:
			fail("Bad data format in input.")
		case !ok:
			fail("Missing bytes in input.")
		}
		vals = append(vals, val)
		data = rest
	}
	if !all {
		next := len(s) - len(data)
		if len(data) == 0 {
			next = -1
		}
		L.Push(lua.LNumber(next))
	}
	for _, val := range vals {
		L.Push(val)
	}
	if all {
		return len(vals)
	}
	return len(vals) + 1
}

func packValue(out []byte, v lua.LValue, depth int) []byte {
	switch x := v.(type) {
	case lua.LBool:
		if x {
			return append(out, 0xc3)
		}
		return append(out, 0xc2)
	case lua.LNumber:
		return packNumber(out, float64(x))
	case lua.LString:
		return packString(out, string(x))
	case *lua.LTable:
		if depth >= maxMsgpackDepth {
			return append(out, 0xc0)
		}
		return packTable(out, x, depth+1)
	}
	return append(out, 0xc0)
}

func packNumber(out []byte, f float64) []byte {
	if f == math.Trunc(f) && !math.IsInf(f, 0) && f >= -9.2e18 && f <= 1.8e19 {
		if f >= 0 {
			u := uint64(f)
			switch {
			case u < 128:
				return append(out, byte(u))
			case u <= math.MaxUint8:
				return append(out, 0xcc, byte(u))
			case u <= math.MaxUint16:
				return binary.BigEndian.AppendUint16(append(out, 0xcd), uint16(u))
			case u <= math.MaxUint32:
				return binary.BigEndian.AppendUint32(append(out, 0xce), uint32(u))
			}
			return binary.BigEndian.AppendUint64(append(out, 0xcf), u)
		}
		n := int64(f)
		switch {
		case n >= -32:
			return append(out, byte(int8(n)))
		case n >= math.MinInt8:
			return append(out, 0xd0, byte(int8(n)))
		case n >= math.MinInt16:
			return binary.BigEndian.AppendUint16(append(out, 0xd1), uint16(int16(n)))
		case n >= math.MinInt32:
			return binary.BigEndian.AppendUint32(append(out, 0xd2), uint32(int32(n)))
		}
		return binary.BigEndian.AppendUint64(append(out, 0xd3), uint64(n))
	}
	if float64(float32(f)) == f {
		return binary.BigEndian.AppendUint32(append(out, 0xca), math.Float32bits(float32(f)))
	}
	return binary.BigEndian.AppendUint64(append(out, 0xcb), math.Float64bits(f))
}

func packString(out []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		out = append(out, 0xa0|byte(n))
	case n <= math.MaxUint8:
		out = append(out, 0xd9, byte(n))
	case n <= math.MaxUint16:
		out = binary.BigEndian.AppendUint16(append(out, 0xda), uint16(n))
	default:
		out = binary.BigEndian.AppendUint32(append(out, 0xdb), uint32(n))
	}
	return append(out, s...)
}

func packHeader(out []byte, n int, fix, b16, b32 byte) []byte {
	switch {
	case n < 16:
		return append(out, fix|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(out, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(out, b32), uint32(n))
}

func packTable(out []byte, t *lua.LTable, depth int) []byte {
	count, maxKey, array := 0, 0, true
	forEach(t, func(k, _ lua.LValue) {
		count++
		n, ok := k.(lua.LNumber)
		if !ok || n < 1 || float64(n) != math.Trunc(float64(n)) {
			array = false
			return
		}
		maxKey = max(maxKey, int(n))
	})
	if array && maxKey == count {
		out = packHeader(out, count, 0x90, 0xdc, 0xdd)
		for i := 1; i <= count; i++ {
			out = packValue(out, t.RawGetInt(i), depth)
		}
		return out
	}
	out = packHeader(out, count, 0x80, 0xde, 0xdf)
	forEach(t, func(k, v lua.LValue) {
		out = packValue(out, k, depth)
		out = packValue(out, v, depth)
	})
	return out
}

// unpackValue decodes one value from the start of b.
func unpackValue(L *lua.LState, b []byte, depth int) (lua.LValue, []byte, bool) {
	if len(b) == 0 || depth > 1000 {
		return nil, nil, false
	}
	c, b := b[0], b[1:]
	take := func(n int) ([]byte, bool) {
		if len(b) < n {
			return nil, false
		}
		v := b[:n]
		b = b[n:]
		return v, true
	}
	uint := func(n int) (uint64, bool) {
		v, ok := take(n)
		var u uint64
		for _, x := range v {
			u = u<<8 | uint64(x)
		}
		return u, ok
	}
	switch {
	case c < 0x80:
		return lua.LNumber(c), b, true
	case c >= 0xe0:
		return lua.LNumber(int8(c)), b, true
	case c&0xe0 == 0xa0:
		s, ok := take(int(c & 0x1f))
		return lua.LString(s), b, ok
	case c&0xf0 == 0x90:
		return unpackArray(L, b, int(c&0x0f), depth)
	case c&0xf0 == 0x80:
		return unpackMap(L, b, int(c&0x0f), depth)
	}
	switch c {
	case 0xc0:
		return lua.LNil, b, true
	case 0xc2, 0xc3:
		return lua.LBool(c == 0xc3), b, true
	case 0xcc, 0xcd, 0xce, 0xcf:
		u, ok := uint(1 << (c - 0xcc))
		return lua.LNumber(float64(u)), b, ok
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		u, ok := uint(size)
		shift := 64 - 8*size
		return lua.LNumber(float64(int64(u<<shift) >> shift)), b, ok
	case 0xca:
		u, ok := uint(4)
		return lua.LNumber(math.Float32frombits(uint32(u))), b, ok
	case 0xcb:
		u, ok := uint(8)
		return lua.LNumber(math.Float64frombits(u)), b, ok
	case 0xd9, 0xda, 0xdb, 0xc4, 0xc5, 0xc6:
		sizes := map[byte]int{0xd9: 1, 0xda: 2, 0xdb: 4, 0xc4: 1, 0xc5: 2, 0xc6: 4}
		n, ok := uint(sizes[c])
		if !ok || n > uint64(len(b)) {
			return nil, nil, false
		}
		s, _ := take(int(n))
		return lua.LString(s), b, true
	case 0xdc, 0xdd:
		n, ok := uint(2 << (c - 0xdc))
		if !ok {
			return nil, nil, false
		}
		return unpackArray(L, b, int(n), depth)
	case 0xde, 0xdf:
		n, ok := uint(2 << (c - 0xde))
		if !ok {
			return nil, nil, false
		}
		return unpackMap(L, b, int(n), depth)
	}
	return msgpackBadFormat, nil, false // reserved and ext types
}

// msgpackBadFormat is what unpackValue answers for a byte lua-cmsgpack
// does not decode ("Bad data format in input."); a nil value with false
// is input cut short.
var msgpackBadFormat = &lua.LUserData{}

func unpackArray(L *lua.LState, b []byte, n, depth int) (lua.LValue, []byte, bool) {
	if n > len(b) {
		return nil, nil, false
	}
	t := L.CreateTable(n, 0)
	for i := 1; i <= n; i++ {
		v, rest, ok := unpackValue(L, b, depth+1)
		if !ok {
			return v, nil, false
		}
		t.RawSetInt(i, v)
		b = rest
	}
	return t, b, true
}

func unpackMap(L *lua.LState, b []byte, n, depth int) (lua.LValue, []byte, bool) {
	if 2*n > len(b) {
		return nil, nil, false
	}
	t := L.CreateTable(0, n)
	for i := 0; i < n; i++ {
		k, rest, ok := unpackValue(L, b, depth+1)
		if !ok {
			return k, nil, false
		}
		v, rest2, ok := unpackValue(L, rest, depth+1)
		if !ok {
			return v, nil, false
		}
		if k != lua.LNil {
			t.RawSet(k, v)
		}
		b = rest2
	}
	return t, b, true
}
