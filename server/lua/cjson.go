package lua

import (
	"bytes"
	"math"
	"slices"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// cjsonConfig is one cjson table's settings (lua-cjson 2.1's
// json_config_t, with its defaults in newCJSON). They persist across
// scripts, as Redis's do, until the scripting engine is reset.
type cjsonConfig struct {
	sparseConvert  bool // encode an excessively sparse array as an object
	sparseRatio    int
	sparseSafe     int
	encodeMaxDepth int
	decodeMaxDepth int
	encodeInvalid  int // 0 off (refuse NaN and Inf), 1 on (nan, inf), 2 null
	decodeInvalid  bool
	keepBuffer     bool
	precision      int
	null           lua.LValue // cjson.null, shared by every cjson.new()
}

// newCJSON is the cjson library (lua-cjson 2.1's encode, decode and
// configuration functions, with its defaults and error texts; decode is
// in luatcl_jsondecode.go).
func (v *vm) newCJSON(null lua.LValue) *lua.LTable {
	L := v.L
	cfg := &cjsonConfig{sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
		decodeInvalid: true, keepBuffer: true, precision: 14, null: null}
	t := L.NewTable()
	t.RawSetString("null", null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	// luaL_error: the position of encode's or decode's caller if it
	// runs Lua (none under pcall).
	fail := func(L *lua.LState, msg string) {
		L.Error(lua.LString(v.where(L, 1)+msg), 0)
	}
	fns := map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				L.ArgError(1, "expected 1 argument")
			}
			var buf bytes.Buffer
			if msg := cfg.encode(&buf, L.Get(1), 0); msg != "" {
				fail(L, msg)
			}
			L.Push(lua.LString(buf.String()))
			return 1
		},
		"decode": func(L *lua.LState) int {
			if L.GetTop() != 1 {
				L.ArgError(1, "expected 1 argument")
			}
			val, msg := cfg.decode(L, L.CheckString(1))
			if msg != "" {
				fail(L, msg)
			}
			L.Push(val)
			return 1
		},
		"new": func(L *lua.LState) int {
			L.Push(v.newCJSON(null))
			return 1
		},
		"encode_sparse_array": func(L *lua.LState) int {
			cjsonArgs(L, 3)
			cjsonBool(L, 1, &cfg.sparseConvert)
			cjsonInt(L, 2, &cfg.sparseRatio, 0, math.MaxInt32)
			cjsonInt(L, 3, &cfg.sparseSafe, 0, math.MaxInt32)
			return 3
		},
		"encode_max_depth": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			cjsonInt(L, 1, &cfg.encodeMaxDepth, 1, math.MaxInt32)
			return 1
		},
		"decode_max_depth": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			cjsonInt(L, 1, &cfg.decodeMaxDepth, 1, math.MaxInt32)
			return 1
		},
		"encode_number_precision": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			cjsonInt(L, 1, &cfg.precision, 1, 14)
			return 1
		},
		"encode_keep_buffer": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			cjsonBool(L, 1, &cfg.keepBuffer)
			return 1
		},
		"encode_invalid_numbers": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			cjsonEnum(L, 1, &cfg.encodeInvalid, []string{"off", "on", "null"})
			return 1
		},
		"decode_invalid_numbers": func(L *lua.LState) int {
			cjsonArgs(L, 1)
			cjsonBool(L, 1, &cfg.decodeInvalid)
			return 1
		},
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}

// cjsonArgs is json_arg_init: at most n arguments, the missing ones nil.
func cjsonArgs(L *lua.LState, n int) {
	if L.GetTop() > n {
		L.ArgError(n+1, "found too many arguments")
	}
	L.SetTop(n)
}

// cjsonInt is json_integer_option: a non-nil argument i sets *setting
// (an integer from min to max, the range checked as argument 1, as
// lua-cjson does); the setting is pushed.
func cjsonInt(L *lua.LState, i int, setting *int, lo, hi int) {
	if a := L.Get(i); a != lua.LNil {
		f, ok := toNumber(a)
		if !ok {
			L.TypeError(i, lua.LTNumber)
		}
		if f < float64(lo) || f > float64(hi) || int(f) < lo || int(f) > hi {
			L.ArgError(1, "expected integer between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
		}
		*setting = int(f)
	}
	L.Push(lua.LNumber(*setting))
}

// cjsonBool is json_enum_option for on/off settings: a boolean or "off"
// or "on"; the setting is pushed as a boolean.
func cjsonBool(L *lua.LState, i int, setting *bool) {
	n := 0
	if *setting {
		n = 1
	}
	cjsonEnum(L, i, &n, []string{"off", "on"})
	*setting = n == 1
}

// cjsonEnum is json_enum_option with bool_true 1: a boolean sets 0 or 1,
// a string one of options; the setting is pushed, a boolean when it is 0
// or 1, else its option's name.
func cjsonEnum(L *lua.LState, i int, setting *int, options []string) {
	switch a := L.Get(i).(type) {
	case *lua.LNilType:
	case lua.LBool:
		*setting = 0
		if a {
			*setting = 1
		}
	default:
		s, ok := luaString(a)
		if !ok {
			L.TypeError(i, lua.LTString)
		}
		n := slices.Index(options, s)
		if n < 0 {
			L.ArgError(i, "invalid option '"+s+"'")
		}
		*setting = n
	}
	if *setting <= 1 {
		L.Push(lua.LBool(*setting == 1))
	} else {
		L.Push(lua.LString(options[*setting]))
	}
}

// toNumber is lua_tonumber: a number, or a string Lua reads as one.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		n, ok := parseLuaNumber(string(x))
		return float64(n), ok
	}
	return 0, false
}

// encode is json_append_data: v appended to buf at nesting depth (of
// its container), or the error text.
func (c *cjsonConfig) encode(buf *bytes.Buffer, v lua.LValue, depth int) string {
	switch x := v.(type) {
	case *lua.LNilType:
		buf.WriteString("null")
	case lua.LBool:
		buf.WriteString(strconv.FormatBool(bool(x)))
	case lua.LNumber:
		return c.encodeNumber(buf, float64(x))
	case lua.LString:
		encodeJSONString(buf, string(x))
	case *lua.LTable:
		if depth+1 > c.encodeMaxDepth {
			return "Cannot serialise, excessive nesting (" + strconv.Itoa(depth+1) + ")"
		}
		return c.encodeTable(buf, x, depth+1)
	default:
		if v == c.null {
			buf.WriteString("null")
			return ""
		}
		return "Cannot serialise " + v.Type().String() + ": type not supported"
	}
	return ""
}

// encodeNumber is json_append_number: NaN and Inf refused, written
// (nan, inf) or null as encode_invalid_numbers says; others %.14g (the
// precision set).
func (c *cjsonConfig) encodeNumber(buf *bytes.Buffer, f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		switch c.encodeInvalid {
		case 0:
			return "Cannot serialise number: must not be NaN or Inf"
		case 1:
			if math.IsNaN(f) {
				buf.WriteString("nan")
				return ""
			}
		default:
			buf.WriteString("null")
			return ""
		}
	}
	if c.precision == 14 || math.IsInf(f, 0) {
		buf.WriteString(formatNumber(f))
	} else {
		buf.WriteString(strconv.FormatFloat(f, 'g', c.precision, 64))
	}
	return ""
}

func (c *cjsonConfig) encodeTable(buf *bytes.Buffer, t *lua.LTable, depth int) string {
	n, msg := c.arrayLength(t)
	if msg != "" {
		return msg
	}
	if n > 0 {
		buf.WriteByte('[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				buf.WriteByte(',')
			}
			if msg := c.encode(buf, t.RawGetInt(i), depth); msg != "" {
				return msg
			}
		}
		buf.WriteByte(']')
		return ""
	}
	buf.WriteByte('{')
	first := true
	forEach(t, func(k, val lua.LValue) {
		if msg != "" {
			return
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		switch key := k.(type) {
		case lua.LString:
			encodeJSONString(buf, string(key))
		case lua.LNumber:
			buf.WriteByte('"')
			if msg = c.encodeNumber(buf, float64(key)); msg != "" {
				return
			}
			buf.WriteByte('"')
		default:
			msg = "Cannot serialise " + k.Type().String() + ": table key must be a number or string"
			return
		}
		buf.WriteByte(':')
		msg = c.encode(buf, val, depth)
	})
	buf.WriteByte('}')
	return msg
}

// arrayLength is lua_array_length: a table whose keys are all positive
// integers is an array of its largest key's length, unless it is
// excessively sparse (its largest key over ratio times its items and
// over the safe length): an error, or an object when encode_sparse_array
// converts. 0 (an object) for any other table.
func (c *cjsonConfig) arrayLength(t *lua.LTable) (int, string) {
	maxKey, items, array := 0, 0, true
	forEach(t, func(k, _ lua.LValue) {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) != math.Floor(float64(n)) || n < 1 {
			array = false
			return
		}
		items++
		if float64(n) > float64(maxKey) {
			maxKey = cInt(float64(n))
		}
	})
	if !array || maxKey <= 0 {
		return 0, ""
	}
	if c.sparseRatio > 0 && maxKey > items*c.sparseRatio && maxKey > c.sparseSafe {
		if !c.sparseConvert {
			return 0, "Cannot serialise table: excessively sparse array"
		}
		return 0, ""
	}
	return maxKey, ""
}

func encodeJSONString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '/':
			buf.WriteString(`\/`)
		case '\b':
			buf.WriteString(`\b`)
		case '\f':
			buf.WriteString(`\f`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[c>>4])
				buf.WriteByte(hex[c&15])
			} else {
				buf.WriteByte(c)
			}
		}
	}
	buf.WriteByte('"')
}

// cInt is C's (int) of a double on x86-64: INT_MIN when out of range
// (lua-cjson stores a key as large as math.huge in an int, so such a table
// is an object).
func cInt(f float64) int {
	if f >= 1<<31 || f < -(1<<31) || math.IsNaN(f) {
		return math.MinInt32
	}
	return int(f)
}
