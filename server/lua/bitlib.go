package lua

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// newBitLib is LuaBitOp 1.0 (the bit library Redis embeds): operations
// on 32-bit integers, results as signed 32-bit numbers.
func newBitLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	fold := func(op func(a, b uint32) uint32) lua.LGFunction {
		return func(L *lua.LState) int {
			acc := bitArg(L, 1)
			for i := 2; i <= L.GetTop(); i++ {
				acc = op(acc, bitArg(L, i))
			}
			L.Push(bitResult(acc))
			return 1
		}
	}
	shift := func(op func(x uint32, n uint) uint32) lua.LGFunction {
		return func(L *lua.LState) int {
			x, n := bitArg(L, 1), uint(bitArg(L, 2)&31)
			L.Push(bitResult(op(x, n)))
			return 1
		}
	}
	fns := map[string]lua.LGFunction{
		"tobit":  func(L *lua.LState) int { L.Push(bitResult(bitArg(L, 1))); return 1 },
		"bnot":   func(L *lua.LState) int { L.Push(bitResult(^bitArg(L, 1))); return 1 },
		"band":   fold(func(a, b uint32) uint32 { return a & b }),
		"bor":    fold(func(a, b uint32) uint32 { return a | b }),
		"bxor":   fold(func(a, b uint32) uint32 { return a ^ b }),
		"lshift": shift(func(x uint32, n uint) uint32 { return x << n }),
		"rshift": shift(func(x uint32, n uint) uint32 { return x >> n }),
		"arshift": shift(func(x uint32, n uint) uint32 {
			return uint32(int32(x) >> n)
		}),
		"rol": shift(func(x uint32, n uint) uint32 { return x<<n | x>>((32-n)&31) }),
		"ror": shift(func(x uint32, n uint) uint32 { return x>>n | x<<((32-n)&31) }),
		"bswap": func(L *lua.LState) int {
			x := bitArg(L, 1)
			L.Push(bitResult(x>>24 | (x>>8)&0xff00 | (x&0xff00)<<8 | x<<24))
			return 1
		},
		"tohex": bitToHex,
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}

// bitArg reads argument i as LuaBitOp does: rounded to an integer and
// taken modulo 2^32.
func bitArg(L *lua.LState, i int) uint32 {
	f := float64(L.CheckNumber(i))
	f = math.RoundToEven(f)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return uint32(int64(math.Mod(f, 1<<32)))
}

func bitResult(x uint32) lua.LNumber { return lua.LNumber(int32(x)) }

func bitToHex(L *lua.LState) int {
	x := bitArg(L, 1)
	n := 8
	if L.GetTop() >= 2 {
		n = int(int32(bitArg(L, 2)))
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n, digits = -n, strings.ToUpper(digits)
	}
	n = min(n, 8)
	buf := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		buf[i] = digits[x&15]
		x >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
