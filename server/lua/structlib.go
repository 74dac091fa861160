package lua

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// newStructLib is Roberto Ierusalimschy's struct library as Redis embeds
// it: pack, unpack and size over a format of < > = (byte order), b B h H
// l L T i[n] I[n] (integers), f d (floats), s (zero-terminated), c[n]
// (fixed or, in unpack, length-prefixed by the previous value) and x
// (padding). Alignment ('!') is accepted and ignored.
func newStructLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}

// structItem is one format letter with its size.
type structItem struct {
	code byte
	size int
	n    int // count given after the letter, -1 if none
}

func parseStruct(L *lua.LState, format string) ([]structItem, []binary.ByteOrder) {
	var items []structItem
	var orders []binary.ByteOrder
	order := binary.ByteOrder(binary.LittleEndian)
	for i := 0; i < len(format); i++ {
		c := format[i]
		n := -1
		j := i + 1
		for j < len(format) && format[j] >= '0' && format[j] <= '9' {
			if n < 0 {
				n = 0
			}
			n = n*10 + int(format[j]-'0')
			if n > 1<<20 {
				L.RaiseError("integral size out of limits")
			}
			j++
		}
		i = j - 1
		size := 0
		switch c {
		case ' ', '!':
			continue
		case '<', '=':
			order = binary.LittleEndian
			continue
		case '>':
			order = binary.BigEndian
			continue
		case 'x', 'b', 'B':
			size = 1
		case 'h', 'H':
			size = 2
		case 'l', 'L', 'T', 'd':
			size = 8
		case 'f':
			size = 4
		case 'i', 'I':
			size = 4
			if n >= 0 {
				size = n
			}
			if size < 1 || size > 8 {
				L.RaiseError("integral size %d is larger than limit of 8", size)
			}
		case 's':
		case 'c':
			size = 1
			if n >= 0 {
				size = n
			}
		default:
			L.RaiseError("invalid format option '%c'", c)
		}
		items = append(items, structItem{code: c, size: size, n: n})
		orders = append(orders, order)
	}
	return items, orders
}

func putInt(b []byte, v uint64, order binary.ByteOrder) {
	for i := range b {
		if order == binary.BigEndian {
			b[len(b)-1-i] = byte(v >> (8 * i))
		} else {
			b[i] = byte(v >> (8 * i))
		}
	}
}

func getInt(b []byte, order binary.ByteOrder, signed bool) float64 {
	var v uint64
	for i := range b {
		if order == binary.BigEndian {
			v |= uint64(b[len(b)-1-i]) << (8 * i)
		} else {
			v |= uint64(b[i]) << (8 * i)
		}
	}
	if signed && len(b) < 8 && v&(1<<(8*len(b)-1)) != 0 {
		v |= ^uint64(0) << (8 * len(b))
	}
	if signed {
		return float64(int64(v))
	}
	return float64(v)
}

func structPack(L *lua.LState) int {
	items, orders := parseStruct(L, L.CheckString(1))
	L.Push(lua.LNil) // b_pack's mark: an argument not given reads as nil
	var out []byte
	arg := 2
	for k, it := range items {
		switch it.code {
		case 'x':
			out = append(out, 0)
			continue
		case 'f', 'd':
			f := float64(L.CheckNumber(arg))
			b := make([]byte, it.size)
			if it.size == 4 {
				orders[k].PutUint32(b, math.Float32bits(float32(f)))
			} else {
				orders[k].PutUint64(b, math.Float64bits(f))
			}
			out = append(out, b...)
		case 's':
			out = append(append(out, L.CheckString(arg)...), 0)
		case 'c':
			s := L.CheckString(arg)
			size := it.size
			if it.n == 0 {
				size = len(s)
			}
			if len(s) < size {
				L.ArgError(arg, "string too short")
			}
			out = append(out, s[:size]...)
		default:
			b := make([]byte, it.size)
			putInt(b, uint64(int64(float64(L.CheckNumber(arg)))), orders[k])
			out = append(out, b...)
		}
		arg++
	}
	L.Push(lua.LString(out))
	return 1
}

func structUnpack(L *lua.LState) int {
	items, orders := parseStruct(L, L.CheckString(1))
	data := L.CheckString(2)
	pos := L.OptInt(3, 1) - 1
	if pos < 0 || pos > len(data) {
		L.ArgError(3, "offset out of range")
	}
	count := 0
	var last float64
	need := func(n int) {
		if pos+n > len(data) || n < 0 {
			L.ArgError(2, "data string too short")
		}
	}
	for k, it := range items {
		switch it.code {
		case 'x':
			need(1)
			pos++
			continue
		case 'f', 'd':
			need(it.size)
			var f float64
			if it.size == 4 {
				f = float64(math.Float32frombits(orders[k].Uint32([]byte(data[pos : pos+4]))))
			} else {
				f = math.Float64frombits(orders[k].Uint64([]byte(data[pos : pos+8])))
			}
			L.Push(lua.LNumber(f))
			pos += it.size
		case 's':
			end := strings.IndexByte(data[pos:], 0)
			if end < 0 {
				L.RaiseError("unfinished string in data")
			}
			L.Push(lua.LString(data[pos : pos+end]))
			pos += end + 1
		case 'c':
			size := it.size
			if it.n == 0 {
				size = int(last)
				L.Pop(1)
				count--
			}
			need(size)
			L.Push(lua.LString(data[pos : pos+size]))
			pos += size
		default:
			need(it.size)
			signed := it.code == 'b' || it.code == 'h' || it.code == 'l' || it.code == 'i'
			last = getInt([]byte(data[pos:pos+it.size]), orders[k], signed)
			L.Push(lua.LNumber(last))
			pos += it.size
		}
		count++
	}
	L.Push(lua.LNumber(pos + 1))
	return count + 1
}

func structSize(L *lua.LState) int {
	items, _ := parseStruct(L, L.CheckString(1))
	total := 0
	for _, it := range items {
		if it.code == 's' || (it.code == 'c' && it.n == 0) {
			L.ArgError(1, "options 'c0' - 's' have undefined sizes")
		}
		total += it.size
	}
	L.Push(lua.LNumber(total))
	return 1
}
