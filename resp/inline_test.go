package resp

import (
	"reflect"
	"testing"
)

// Cases from Redis's sdssplitargs behaviour (src/sds.c).
func TestSplitInline(t *testing.T) {
	tests := []struct {
		line string
		want []string // nil: unbalanced quotes
	}{
		{"", []string{}},
		{"   \t ", []string{}},
		{"set a b", []string{"set", "a", "b"}},
		{"  set\ta  \t b  ", []string{"set", "a", "b"}},
		{"\v\fset", []string{"set"}},      // isspace skips \v \f before a token...
		{"a\vb", []string{"a\vb"}},        // ...but they do not end one
		{"a\rb", []string{"a", "b"}},      // CR inside the line separates
		{`""`, []string{""}},              // empty argument
		{`''`, []string{""}},              // empty argument
		{`"a b" c`, []string{"a b", "c"}}, // spaces inside quotes
		{`"\n\r\t\b\a\\\"\q"`, []string{"\n\r\t\b\a\\\"q"}},
		{`"\x41\x4a\x6b\xzz\x4"`, []string{"AJkxzzx4"}},
		{`"\x00"`, []string{"\x00"}},
		{`'it\'s' 'a\nb' 'c\d'`, []string{"it's", `a\nb`, `c\d`}},
		{`'\\'`, nil},                       // backslash, then an escaped quote: never closed
		{`a"b c"d`, nil},                    // closing quote followed by 'd'
		{`a"b c" d`, []string{"ab c", "d"}}, // a quote may open mid-token
		{`"a"	b`, []string{"a", "b"}},       // tab after closing quote
		{"\"a\"\vb", []string{"a", "b"}},    // \v counts as space after a quote
		{`"abc`, nil},
		{`'abc`, nil},
		{`"abc\"`, nil},
		{`"abc\`, nil},
		{`"a"b`, nil},
		{`'a'b`, nil},
		{"a\x00b c", []string{"a"}}, // a NUL ends the line, as in C
		{"\"a\x00\"", nil},
	}
	for _, tt := range tests {
		line := []byte(tt.line)
		offs, ok := splitInline(line, nil)
		if tt.want == nil {
			if ok {
				t.Errorf("%q: got %q, want unbalanced quotes", tt.line, args(line, offs))
			}
			if _, ok := naiveSplitArgs([]byte(tt.line)); ok {
				t.Errorf("%q: oracle accepts it", tt.line)
			}
			continue
		}
		if got := args(line, offs); !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %q, %v; want %q", tt.line, got, ok, tt.want)
		}
		naive, ok := naiveSplitArgs([]byte(tt.line))
		if !ok || !reflect.DeepEqual(strs(naive), tt.want) {
			t.Errorf("%q: oracle got %q, %v; want %q", tt.line, naive, ok, tt.want)
		}
	}
}

func args(line []byte, offs []int) []string {
	out := []string{}
	for i := 0; i < len(offs); i += 2 {
		out = append(out, string(line[offs[i]:offs[i+1]]))
	}
	return out
}

func strs(b [][]byte) []string {
	out := []string{}
	for _, x := range b {
		out = append(out, string(x))
	}
	return out
}
