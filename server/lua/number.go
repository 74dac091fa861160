package lua

import (
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// formatNumber formats a Lua number as Lua 5.1's tostring does (%.14g),
// with C's spellings of infinities and NaN.
func formatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}

// formatArg formats a number passed to redis.call as Redis does (%.17g),
// so no precision is lost.
func formatArg(f float64) string {
	switch {
	case math.IsNaN(f), math.IsInf(f, 0):
		return formatNumber(f)
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// toInteger converts a Lua number to a Redis integer reply as C's
// (long long) cast does on x86-64: truncation toward zero, and the
// minimum integer for NaN and values out of range.
func toInteger(f float64) int64 {
	if math.IsNaN(f) || f >= 9223372036854775807 || f < -9223372036854775808 {
		return math.MinInt64
	}
	return int64(f)
}

// forEach visits t's pairs in a stable order (the array part, then keys
// in insertion order), unlike LTable.ForEach, whose order is Go's random
// map order: replies, JSON and MessagePack come out the same every time.
func forEach(t *lua.LTable, fn func(k, v lua.LValue)) {
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		fn(k, v)
	}
}
