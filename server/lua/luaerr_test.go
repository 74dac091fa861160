package lua

import (
	"strconv"
	"testing"
)

func bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

// The error a script catches with pcall carries the text redis-server
// 7.0.15 gives it (each expected value was taken from redis-server).
func TestPcallErrorTexts(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct{ body, want string }{
		{"local t = nil; return t.x", "user_script:1: attempt to index local 't' (a nil value)"},
		{"local a; return a + 1", "user_script:1: attempt to perform arithmetic on local 'a' (a nil value)"},
		{"return nil + 1", "user_script:1: attempt to perform arithmetic on a nil value"},
		{"local x = nil; x()", "user_script:1: attempt to call local 'x' (a nil value)"},
		{"return redis.callx('ping')", "user_script:1: attempt to call field 'callx' (a nil value)"},
		{"local t = {} t:m()", "user_script:1: attempt to call method 'm' (a nil value)"},
		{"return 'a' .. {}", "user_script:1: attempt to concatenate a table value"},
		{"return #nil", "user_script:1: attempt to get length of a nil value"},
		{"return -{}", "user_script:1: attempt to perform arithmetic on a table value"},
		{"return {} < {}", "user_script:1: attempt to compare two table values"},
		{"local t = {} t.x.y = 1", "user_script:1: attempt to index field 'x' (a nil value)"},
		{"for i=1,'x' do end", "user_script:1: 'for' limit must be a number"},
		{"for k in nil do end", "user_script:1: attempt to call a nil value"},
		{"error('boom')", "user_script:1: boom"},
		{"error('boom', 0)", "boom"},
		{"error('boom', 2)", "boom"}, // level 2 is pcall, a C function: no position
		{"error('x', 3)", "user_script:1: x"},
		{"error(12)", "user_script:1: 12"},
		{"return string.rep()", "user_script:1: bad argument #1 to 'rep' (string expected, got no value)"},
		{"return string.sub()", "user_script:1: bad argument #1 to 'sub' (string expected, got no value)"},
		{"return ('x'):rep()", "user_script:1: bad argument #1 to 'rep' (number expected, got no value)"},
		{"return tostring()", "user_script:1: bad argument #1 to 'tostring' (value expected)"},
		{"return setmetatable(1, {})", "user_script:1: bad argument #1 to 'setmetatable' (table expected, got number)"},
		{"return table.insert(nil, 1)", "user_script:1: bad argument #1 to 'insert' (table expected, got nil)"},
		{"return select(-5, 1)", "user_script:1: bad argument #1 to 'select' (index out of range)"},
		{"return ipairs()", "user_script:1: bad argument #1 to 'ipairs' (table expected, got no value)"},
		{"for k in pairs(nil) do end", "user_script:1: bad argument #1 to 'pairs' (table expected, got nil)"},
		{"return coroutine.resume(nil)", "user_script:1: bad argument #1 to 'resume' (coroutine expected)"},
		{"return string.format('%d', 'x')", "user_script:1: bad argument #2 to 'format' (number expected, got string)"},
		{"return struct.pack('>I2')", "user_script:1: bad argument #2 to 'pack' (number expected, got nil)"},
		{"return assert(nil, 12)", "user_script:1: 12"},
		{"return loadstring('x=')()", "user_script:1: attempt to call a nil value"},
	} {
		body := "local ok, e = pcall(function() " + tc.body + " end) return e"
		if got := eval(t, e, body); got != bulk(tc.want) {
			t.Errorf("pcall of %q\n got %q\nwant %q", tc.body, got, bulk(tc.want))
		}
	}
	for _, tc := range []struct{ body, want string }{
		// A Go caller (pcall) gives the function no name and no position.
		{"local ok, e = pcall(string.rep) return e", "bad argument #1 to '?' (string expected, got no value)"},
		{"local ok, e = pcall(function() error(12, 0) end) return type(e)", "number"},
		{"local function g() error('deep', 2) end\nlocal ok, e = pcall(function()\n\ng() end) return e", "user_script:4: deep"},
		{"local ok, e = xpcall(function() local t = nil; return t.x end, function(m) return 'H:' .. m end) return e",
			"H:user_script:1: attempt to index local 't' (a nil value)"},
		{"return string.char(string.byte('abc', 1, 10000))", "abc"},
		// The failing function's closures keep their upvalues.
		{"local f\npcall(function() local x = '5'; f = function() return x end; error('e') end)\nlocal a,b,c,d = 1,2,3,4\nreturn f()", "5"},
	} {
		if got := eval(t, e, tc.body); got != bulk(tc.want) {
			t.Errorf("eval %q\n got %q\nwant %q", tc.body, got, bulk(tc.want))
		}
	}
}

// A library whose code fails while loading gets redis-server's text.
func TestLoadRuntimeErrorTexts(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct{ body, want string }{
		{"local t = nil; local y = t.x", "ERR Error registering functions: ERR user_function:2: attempt to index local 't' (a nil value)"},
		{"local a; local b = a + 1", "ERR Error registering functions: ERR user_function:2: attempt to perform arithmetic on local 'a' (a nil value)"},
		{"local t = {} t.x()", "ERR Error registering functions: ERR user_function:2: attempt to call field 'x' (a nil value)"},
		{"local s = 'a' .. {}", "ERR Error registering functions: ERR user_function:2: attempt to concatenate a table value"},
		{"local function g() local t = nil; return t.x end\ng()", "ERR Error registering functions: ERR user_function:2: attempt to index local 't' (a nil value)"},
	} {
		if got := load(e, "#!lua name=lib1\n"+tc.body, false); got != tc.want {
			t.Errorf("load %q\n got %q\nwant %q", tc.body, got, tc.want)
		}
	}
	if got := load(e, "#!lua name=lib2\nredis.register_function('e3', function() error('x', 2) end)", false); got != "lib2" {
		t.Fatalf("load: %q", got)
	}
	if got, want := fcall(t, e, "e3", nil, nil), "-ERR x script: e3, on @user_function:2.\r\n"; got != want {
		t.Errorf("fcall e3 = %q, want %q", got, want)
	}
}
