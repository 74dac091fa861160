package lua

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// jsonMaxDepth is lua-cjson's default encode/decode nesting limit.
const jsonMaxDepth = 1000

// newCJSON is the cjson library (lua-cjson 2.1's encode and decode, with
// its defaults): decode is encoding/json underneath.
func newCJSON(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	null := L.NewUserData() // cjson.null, a unique value
	t.RawSetString("null", null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	t.RawSetString("encode", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() != 1 {
			L.RaiseError("bad argument #1 to 'encode' (expected 1 argument)")
		}
		var buf bytes.Buffer
		if msg := encodeJSON(&buf, L.Get(1), null, 0); msg != "" {
			L.RaiseError("%s", msg)
		}
		L.Push(lua.LString(buf.String()))
		return 1
	}))
	t.RawSetString("decode", L.NewFunction(func(L *lua.LState) int {
		s := L.CheckString(1)
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			L.RaiseError("Expected value but found invalid token at character 1")
		}
		if dec.More() {
			L.RaiseError("Expected the end but found invalid token at character %d", dec.InputOffset()+1)
		}
		L.Push(jsonToLua(L, v, null))
		return 1
	}))
	for _, name := range []string{"encode_keep_buffer", "encode_max_depth", "decode_max_depth",
		"encode_number_precision", "encode_invalid_numbers", "decode_invalid_numbers", "encode_sparse_array"} {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int { return L.GetTop() }))
	}
	return t
}

func encodeJSON(buf *bytes.Buffer, v lua.LValue, null lua.LValue, depth int) string {
	switch x := v.(type) {
	case *lua.LNilType:
		buf.WriteString("null")
	case lua.LBool:
		buf.WriteString(strconv.FormatBool(bool(x)))
	case lua.LNumber:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "Cannot serialise number: must not be NaN or Inf"
		}
		buf.WriteString(formatNumber(f))
	case lua.LString:
		encodeJSONString(buf, string(x))
	case *lua.LTable:
		if depth >= jsonMaxDepth {
			return "Cannot serialise, excessive nesting (" + strconv.Itoa(depth+1) + ")"
		}
		return encodeJSONTable(buf, x, null, depth+1)
	default:
		if v == null {
			buf.WriteString("null")
			return ""
		}
		return "Cannot serialise " + v.Type().String() + ": type not supported"
	}
	return ""
}

func encodeJSONTable(buf *bytes.Buffer, t *lua.LTable, null lua.LValue, depth int) string {
	n, isArray := arrayLength(t)
	if n < 0 {
		return "Cannot serialise table: excessively sparse array"
	}
	if isArray && n > 0 {
		buf.WriteByte('[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				buf.WriteByte(',')
			}
			if msg := encodeJSON(buf, t.RawGetInt(i), null, depth); msg != "" {
				return msg
			}
		}
		buf.WriteByte(']')
		return ""
	}
	buf.WriteByte('{')
	first, msg := true, ""
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
			encodeJSONString(buf, formatNumber(float64(key)))
		default:
			msg = "Cannot serialise table: table key must be a number or string"
			return
		}
		buf.WriteByte(':')
		msg = encodeJSON(buf, val, null, depth)
	})
	buf.WriteByte('}')
	return msg
}

// arrayLength is lua-cjson's test: a table whose keys are all positive
// integers is an array of its largest key's length; -1 when it is
// excessively sparse (more than twice as long as its items, and over 10).
func arrayLength(t *lua.LTable) (int, bool) {
	maxKey, items, array := 0, 0, true
	forEach(t, func(k, _ lua.LValue) {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) != math.Floor(float64(n)) || n < 1 {
			array = false
			return
		}
		items++
		maxKey = max(maxKey, int(n))
	})
	if !array {
		return 0, false
	}
	if maxKey > items*2 && maxKey > 10 {
		return -1, true
	}
	return maxKey, true
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

func jsonToLua(L *lua.LState, v any, null lua.LValue) lua.LValue {
	switch x := v.(type) {
	case nil:
		return null
	case bool:
		return lua.LBool(x)
	case json.Number:
		f, _ := strconv.ParseFloat(string(x), 64)
		return lua.LNumber(f)
	case string:
		return lua.LString(x)
	case []any:
		t := L.CreateTable(len(x), 0)
		for i, e := range x {
			t.RawSetInt(i+1, jsonToLua(L, e, null))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(x))
		for k, e := range x {
			t.RawSetString(k, jsonToLua(L, e, null))
		}
		return t
	}
	return lua.LNil
}
