package resp

import (
	"math"
	"strconv"
	"strings"
)

// ParseInt parses b as Redis's string2ll does: an optional '-', then digits
// with no leading zero (only "0" itself may start with 0), nothing else (no
// '+', no spaces), and the value must fit in an int64.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' || v > (math.MaxUint64-9)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true // -(1<<63) wraps to MinInt64 as intended
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// ParseFloat parses b as Redis does for float arguments (strtod plus
// Redis's checks): an optional sign, then a decimal number with optional
// exponent, a hexadecimal float (0x1.8p3), or inf/infinity (any case).
// It rejects NaN, empty input, leading or trailing spaces and garbage,
// values that overflow to ±Inf, and non-zero values that underflow to 0.
func ParseFloat(b []byte) (float64, bool) {
	s := string(b)
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 {
		return 0, false
	}
	if b := strings.ToLower(body); b == "inf" || b == "infinity" {
		if s[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	hex, nonzero, ok := floatSyntax(body)
	if !ok {
		return 0, false
	}
	if hex && !strings.ContainsAny(body, "pP") {
		s += "p0" // strtod allows a hex float without exponent; Go does not
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || (f == 0 && nonzero) {
		return 0, false
	}
	return f, true
}

// floatSyntax checks s (sign removed) against strtod's decimal and hex
// forms, reporting whether it is hex and whether any mantissa digit is
// non-zero.
func floatSyntax(s string) (hex, nonzero, ok bool) {
	digit := isDigit
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		hex, digit, s = true, isHexDigit, s[2:]
	}
	i, n := 0, 0
	for ; i < len(s) && (digit(s[i]) || s[i] == '.'); i++ {
		if s[i] == '.' {
			if strings.IndexByte(s[:i], '.') >= 0 {
				return hex, nonzero, false
			}
			continue
		}
		n++
		nonzero = nonzero || s[i] != '0'
	}
	if n == 0 {
		return hex, nonzero, false
	}
	if i == len(s) {
		return hex, nonzero, true
	}
	if e := s[i]; (hex && e != 'p' && e != 'P') || (!hex && e != 'e' && e != 'E') {
		return hex, nonzero, false
	}
	exp := strings.TrimPrefix(strings.TrimPrefix(s[i+1:], "+"), "-")
	if len(s[i+1:])-len(exp) > 1 || exp == "" {
		return hex, nonzero, false
	}
	for j := 0; j < len(exp); j++ {
		if !isDigit(exp[j]) {
			return hex, nonzero, false
		}
	}
	return hex, nonzero, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// FormatFloat formats f as INCRBYFLOAT replies: Redis prints the long double
// with "%.17Lf" and trims trailing zeros (and a trailing '.'), so there is
// never an exponent: 10.5, 5000, 1e20 → "100000000000000000000". ringkv
// computes in float64, so it uses the shortest decimal that round-trips,
// rounded to at most 17 fractional digits (1e-20 → "0", as in Redis). Infinities
// are "inf"/"-inf", NaN "nan", and negative zero "0".
func FormatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if dot := strings.IndexByte(s, '.'); dot >= 0 && len(s)-dot-1 > 17 {
		s = strings.TrimRight(strconv.FormatFloat(f, 'f', 17, 64), "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// appendDouble formats f as Redis's double replies (ZSCORE, RESP3 ','):
// "%.17g" layout with the shortest round-tripping digits (Redis 7.2's
// fpconv_dtoa), so 3.5 → "3.5", 0.1 → "0.1", 1e20 → "1e+20", and
// infinities "inf"/"-inf", NaN "nan".
func appendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	i := len(e) - 1
	for e[i] != 'e' {
		i--
	}
	exp, _ := strconv.Atoi(string(e[i+1:]))
	if exp < -4 || exp >= 17 {
		return append(dst, e...)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}
