package lua

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// jsonDecoder is lua-cjson 2.1's decoder (json_next_token and the parse
// contexts): its tokens, its error texts ("Expected <what> but found
// <token> at character <n>"), nesting limit and, with
// decode_invalid_numbers (the default), hex, inf and nan numbers read by
// strtod. The text ends at a NUL, as a C string does.
type jsonDecoder struct {
	cfg   *cjsonConfig
	L     *lua.LState
	s     string
	pos   int
	depth int
}

type jsonToken struct {
	kind  string // lua-cjson's token name (T_STRING...), or its error text
	err   bool
	index int
	val   lua.LValue
}

func (c *cjsonConfig) decode(L *lua.LState, s string) (lua.LValue, string) {
	if len(s) >= 2 && (s[0] == 0 || s[1] == 0) {
		return nil, "JSON parser does not support UTF-16 or UTF-32"
	}
	d := &jsonDecoder{cfg: c, L: L, s: s}
	v, msg := d.value(d.next())
	if msg != "" {
		return nil, msg
	}
	if t := d.next(); t.kind != "T_END" {
		return nil, parseError("the end", t)
	}
	return v, ""
}

func parseError(what string, t jsonToken) string {
	return "Expected " + what + " but found " + t.kind + " at character " + strconv.Itoa(t.index+1)
}

func (d *jsonDecoder) at(i int) byte {
	if i < len(d.s) {
		return d.s[i]
	}
	return 0
}

func (d *jsonDecoder) fail(what string) jsonToken {
	return jsonToken{kind: what, err: true, index: d.pos}
}

// jsonSingle are the one-character tokens.
var jsonSingle = [256]string{'{': "T_OBJ_BEGIN", '}': "T_OBJ_END", '[': "T_ARR_BEGIN", ']': "T_ARR_END",
	':': "T_COLON", ',': "T_COMMA"}

func (d *jsonDecoder) next() jsonToken {
	for c := d.at(d.pos); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = d.at(d.pos) {
		d.pos++
	}
	c, start := d.at(d.pos), d.pos
	rest := d.s[d.pos:]
	switch {
	case c == 0:
		return jsonToken{kind: "T_END", index: start}
	case jsonSingle[c] != "":
		d.pos++
		return jsonToken{kind: jsonSingle[c], index: start}
	case c == '"':
		return d.str()
	case c == '-' || (c >= '0' && c <= '9'):
		if !d.cfg.decodeInvalid && d.invalidNumber() {
			return d.fail("invalid number")
		}
		return d.number()
	case strings.HasPrefix(rest, "true"):
		d.pos += 4
		return jsonToken{kind: "T_BOOLEAN", index: start, val: lua.LTrue}
	case strings.HasPrefix(rest, "false"):
		d.pos += 5
		return jsonToken{kind: "T_BOOLEAN", index: start, val: lua.LFalse}
	case strings.HasPrefix(rest, "null"):
		d.pos += 4
		return jsonToken{kind: "T_NULL", index: start, val: d.cfg.null}
	case strings.IndexByte("+iINnft", c) >= 0 && d.cfg.decodeInvalid && d.invalidNumber():
		return d.number()
	}
	return d.fail("invalid token")
}

// invalidNumber is json_is_invalid_number: a leading +, hex, a leading
// zero, inf or nan.
func (d *jsonDecoder) invalidNumber() bool {
	p := d.pos
	if d.at(p) == '+' {
		return true
	}
	if d.at(p) == '-' {
		p++
	}
	if c := d.at(p); c == '0' {
		c2 := d.at(p + 1)
		return c2|0x20 == 'x' || (c2 >= '0' && c2 <= '9')
	} else if c <= '9' {
		return false
	}
	r := strings.ToLower(d.s[p:min(p+3, len(d.s))])
	return r == "inf" || r == "nan"
}

func (d *jsonDecoder) number() jsonToken {
	start := d.pos
	f, n := strtod(d.s[d.pos:])
	if n == 0 {
		return d.fail("invalid number")
	}
	d.pos += n
	return jsonToken{kind: "T_NUMBER", index: start, val: lua.LNumber(f)}
}

func (d *jsonDecoder) str() jsonToken {
	start := d.pos
	d.pos++
	var b strings.Builder
	for {
		c := d.at(d.pos)
		switch {
		case c == '"':
			d.pos++
			return jsonToken{kind: "T_STRING", index: start, val: lua.LString(b.String())}
		case c == 0:
			return d.fail("unexpected end of string")
		case c != '\\':
			b.WriteByte(c)
			d.pos++
			continue
		}
		switch e := d.at(d.pos + 1); e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n := d.unicodeEscape()
			if n == 0 {
				return d.fail("invalid unicode escape code")
			}
			b.WriteString(string(utf8.AppendRune(nil, r)))
			d.pos += n
			continue
		default:
			return d.fail("invalid escape code")
		}
		d.pos += 2
	}
}

// unicodeEscape reads \uXXXX (a surrogate pair as two) at pos: the code
// point and the bytes read, 0 when invalid.
func (d *jsonDecoder) unicodeEscape() (rune, int) {
	hex4 := func(p int) int {
		if p+4 > len(d.s) {
			return -1
		}
		n, err := strconv.ParseUint(d.s[p:p+4], 16, 32)
		if err != nil || strings.ContainsAny(d.s[p:p+4], "+-") {
			return -1
		}
		return int(n)
	}
	cp := hex4(d.pos + 2)
	switch {
	case cp < 0:
		return 0, 0
	case cp&0xfc00 == 0xdc00: // a lone low surrogate
		return 0, 0
	case cp&0xfc00 == 0xd800:
		if d.at(d.pos+6) != '\\' || d.at(d.pos+7) != 'u' {
			return 0, 0
		}
		lo := hex4(d.pos + 8)
		if lo < 0 || lo&0xfc00 != 0xdc00 {
			return 0, 0
		}
		return rune((cp&0x3ff)<<10|(lo&0x3ff)) + 0x10000, 12
	}
	return rune(cp), 6
}

// value is json_process_value for token t.
func (d *jsonDecoder) value(t jsonToken) (lua.LValue, string) {
	switch t.kind {
	case "T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL":
		if !t.err {
			return t.val, ""
		}
	case "T_OBJ_BEGIN", "T_ARR_BEGIN":
		if d.depth++; d.depth > d.cfg.decodeMaxDepth {
			return nil, "Found too many nested data structures (" + strconv.Itoa(d.depth) +
				") at character " + strconv.Itoa(d.pos)
		}
		defer func() { d.depth-- }()
		if t.kind == "T_OBJ_BEGIN" {
			return d.object()
		}
		return d.array()
	}
	return nil, parseError("value", t)
}

func (d *jsonDecoder) object() (lua.LValue, string) {
	tbl := d.L.NewTable()
	t := d.next()
	if t.kind == "T_OBJ_END" {
		return tbl, ""
	}
	for {
		if t.kind != "T_STRING" || t.err {
			return nil, parseError("object key string", t)
		}
		key := t.val
		if t = d.next(); t.kind != "T_COLON" {
			return nil, parseError("colon", t)
		}
		v, msg := d.value(d.next())
		if msg != "" {
			return nil, msg
		}
		tbl.RawSet(key, v)
		t = d.next()
		if t.kind == "T_OBJ_END" {
			return tbl, ""
		}
		if t.kind != "T_COMMA" {
			return nil, parseError("comma or object end", t)
		}
		t = d.next()
	}
}

func (d *jsonDecoder) array() (lua.LValue, string) {
	tbl := d.L.NewTable()
	t := d.next()
	if t.kind == "T_ARR_END" {
		return tbl, ""
	}
	for i := 1; ; i++ {
		v, msg := d.value(t)
		if msg != "" {
			return nil, msg
		}
		tbl.RawSetInt(i, v)
		t = d.next()
		if t.kind == "T_ARR_END" {
			return tbl, ""
		}
		if t.kind != "T_COMMA" {
			return nil, parseError("comma or array end", t)
		}
		t = d.next()
	}
}

// strtod is C's strtod on the start of s: the value and the bytes read
// (0: no number). It reads a sign, then inf/infinity, nan, hex (0x, with
// an optional fraction and p exponent) or decimal (fraction, e exponent).
func strtod(s string) (float64, int) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	sign := func(f float64) float64 {
		if neg {
			return -f
		}
		return f
	}
	low := strings.ToLower(s[i:min(i+8, len(s))]) // enough for "infinity"
	switch {
	case strings.HasPrefix(low, "infinity"):
		return sign(math.Inf(1)), i + 8
	case strings.HasPrefix(low, "inf"):
		return sign(math.Inf(1)), i + 3
	case strings.HasPrefix(low, "nan"):
		n := i + 3
		if n < len(s) && s[n] == '(' { // nan(chars)
			j := n + 1
			for j < len(s) && (s[j] == '_' || isAlnum(s[j])) {
				j++
			}
			if j < len(s) && s[j] == ')' {
				n = j + 1
			}
		}
		return sign(math.NaN()), n
	}
	isDigit := func(c byte, hex bool) bool {
		return (c >= '0' && c <= '9') || (hex && c|0x20 >= 'a' && c|0x20 <= 'f')
	}
	hex := len(s) > i+2 && s[i] == '0' && s[i+1]|0x20 == 'x' && (isDigit(s[i+2], true) ||
		(s[i+2] == '.' && len(s) > i+3 && isDigit(s[i+3], true)))
	start := i
	if hex {
		i += 2
	}
	digits := 0
	for ; i < len(s) && isDigit(s[i], hex); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && isDigit(s[i], hex); i++ {
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	exp := byte('e')
	if hex {
		exp = 'p'
	}
	if i < len(s) && s[i]|0x20 == exp {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			i = j
		}
	}
	num := s[start:i]
	if hex && !strings.ContainsAny(num, "pP") {
		num += "p0"
	}
	f, _ := strconv.ParseFloat(num, 64) // out of range: ±Inf or 0, as strtod
	return sign(f), i
}

func isAlnum(c byte) bool {
	return (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z')
}
