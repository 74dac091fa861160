package resp

import (
	"math"
	"testing"
)

// Expectations follow Redis's string2ll (util.c).
func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"1234567890", 1234567890, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551615", 0, false}, {"18446744073709551616", 0, false},
		{"99999999999999999999", 0, false}, {"123456789012345678901", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"00", 0, false}, {"01", 0, false},
		{"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"1a", 0, false}, {"0x10", 0, false},
		{"1.0", 0, false}, {"--1", 0, false}, {"1\x00", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseInt([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseInt(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// Expectations follow strtod plus Redis's checks in getDoubleFromObject.
func TestParseFloat(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0", 0, true}, {"1.5", 1.5, true}, {"-1.5", -1.5, true}, {"+1.5", 1.5, true},
		{".5", 0.5, true}, {"5.", 5, true}, {"1e3", 1000, true}, {"1E+3", 1000, true},
		{"2.5e-3", 0.0025, true}, {"007", 7, true}, {"5.0e3", 5000, true},
		{"inf", inf, true}, {"+inf", inf, true}, {"-inf", -inf, true},
		{"Infinity", inf, true}, {"-INF", -inf, true}, {"infin", 0, false},
		{"0x10", 16, true}, {"0x1p3", 8, true}, {"-0X1.8P1", -3, true}, {"0x.8", 0.5, true},
		{"4e-320", 4e-320, true}, // subnormal: accepted (only underflow to zero is an error)
		{"0e500", 0, true},
		{"nan", 0, false}, {"NaN", 0, false}, {"-nan", 0, false},
		{"1e400", 0, false}, {"-1e400", 0, false}, {"1e-400", 0, false},
		{"", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"1x", 0, false}, {"abc", 0, false},
		{".", 0, false}, {"-", 0, false}, {"e5", 0, false}, {"1e", 0, false}, {"1e+", 0, false},
		{"1.2.3", 0, false}, {"1_000", 0, false}, {"0x", 0, false}, {"0x1p", 0, false},
		{"0x_1p0", 0, false}, {"--1", 0, false}, {"+-1", 0, false}, {"1e5.5", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseFloat([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseFloat(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// INCRBYFLOAT outputs; the first ones are from the Redis INCRBYFLOAT docs.
func TestFormatFloat(t *testing.T) {
	a, b := 10.5, 0.1
	tests := []struct {
		f    float64
		want string
	}{
		{10.5, "10.5"}, {a + b, "10.6"}, {a + b - 5, "5.6"}, {5.0e3 + 2.0e2, "5200"},
		{5.0e3, "5000"}, {3.0000000000000001, "3"}, {3.5, "3.5"}, {-1.25, "-1.25"},
		{0, "0"}, {math.Copysign(0, -1), "0"}, {1e20, "100000000000000000000"},
		{1.5e-10, "0.00000000015"}, {1e-17, "0.00000000000000001"}, {1e-18, "0"},
		{-1e-20, "0"}, {0.1, "0.1"},
		{math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {math.NaN(), "nan"},
	}
	for _, tt := range tests {
		if got := FormatFloat(tt.f); got != tt.want {
			t.Errorf("FormatFloat(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}
