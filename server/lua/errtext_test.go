package lua

import (
	"strings"
	"testing"
)

// Runtime type errors read as Lua 5.1's, naming the operand as its
// getobjname does. Each expected reply was taken from redis-server 7.0.15.
func TestRuntimeErrorTexts(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct{ body, want string }{
		{"return redis.callx('ping')", "attempt to call field 'callx' (a nil value)"},
		{"local t = {} t.x()", "attempt to call field 'x' (a nil value)"},
		{"local t = {} t:m()", "attempt to call method 'm' (a nil value)"},
		{"local x = 5; x()", "attempt to call local 'x' (a number value)"},
		{"local n; n()", "attempt to call local 'n' (a nil value)"},
		{"local f = redis.callx f()", "attempt to call local 'f' (a nil value)"},
		{"local a = {} return a[1]()", "attempt to call field '?' (a nil value)"},
		{"local t = nil; return t.x", "attempt to index local 't' (a nil value)"},
		{"local t={} return t.a.b", "attempt to index field 'a' (a nil value)"},
		{"local t = {} t.x.y = 1", "attempt to index field 'x' (a nil value)"},
		{"local t = {} return t.x.y.z", "attempt to index field 'x' (a nil value)"},
		{"local t = {} return t[1].x", "attempt to index field '?' (a nil value)"},
		{"local up = nil; local function f() return up.x end return f()", "attempt to index upvalue 'up' (a nil value)"},
		{"return nil + 1", "attempt to perform arithmetic on a nil value"},
		{"local a; return a + 1", "attempt to perform arithmetic on local 'a' (a nil value)"},
		{"local a = {} return a.b + 1", "attempt to perform arithmetic on field 'b' (a nil value)"},
		{"local t = {} t.x = t.y + 1", "attempt to perform arithmetic on field 'y' (a nil value)"},
		{"return {} + 1", "attempt to perform arithmetic on a table value"},
		{"return 'a' + 1", "attempt to perform arithmetic on a string value"},
		{"return redis.call('get', 'k') + 1", "attempt to perform arithmetic on a boolean value"},
		{"return -{}", "attempt to perform arithmetic on a table value"},
		{"return #nil", "attempt to get length of a nil value"},
		{"return ('a')..nil", "attempt to concatenate a nil value"},
		{"local s = 'x' return s..{}", "attempt to concatenate a table value"},
		{"return 1 .. {}", "attempt to concatenate a table value"},
		{"local t={} return t < 1", "attempt to compare table with number"},
		{"return 1 < 'x'", "attempt to compare number with string"},
		{"return {} < {}", "attempt to compare two table values"},
		// Not a runtime type error: the sandbox's own text, unchanged.
		{"return nosuch()", "Script attempted to access nonexistent global variable 'nosuch'"},
		// A script's own error text that looks like gopher-lua's stays as
		// the script wrote it: the faulting instruction is a call of error.
		{"error('attempt to call a non-function object')", "attempt to call a non-function object"},
	} {
		want := "-ERR user_script:1: " + tc.want + " script: " + SHA1([]byte(tc.body)) + ", on @user_script:1.\r\n"
		if got := eval(t, e, tc.body); got != want {
			t.Errorf("eval %q\n got %q\nwant %q", tc.body, got, want)
		}
	}
}

// The operand is named from the instruction that loaded it, on any line
// and inside nested functions.
func TestRuntimeErrorTextsNested(t *testing.T) {
	e := New(Config{})
	body := "local function f(t)\n  local u = t.inner\n  return u.x\nend\nreturn f({})"
	got := eval(t, e, body)
	if !strings.HasPrefix(got, "-ERR user_script:3: attempt to index local 'u' (a nil value) script: ") {
		t.Fatalf("eval %q = %q", body, got)
	}
}
