package lua

import (
	"strings"
	"testing"
)

// Scripts Lua 5.1 does not compile get its texts: each expected message
// was taken from redis-server 7.0.15's EVAL, FUNCTION LOAD (user_function,
// one line down for the shebang) and loadstring.
func TestSyntaxErrorTexts(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct{ body, want string }{
		{"return 'x", "user_script:1: unfinished string near '<eof>'"},
		{"local x = ", "user_script:1: unexpected symbol near '<eof>'"},
		{"x = = 1", "user_script:1: unexpected symbol near '='"},
		{"redis.register_function('f', function() return 1 end", "user_script:1: ')' expected near '<eof>'"},
		{"for i=1 do end", "user_script:1: ',' expected near 'do'"},
		{"local t = {1,2\nreturn", "user_script:2: '}' expected (to close '{' at line 1) near 'return'"},
		{"\n\nfoo bar", "user_script:3: '=' expected near 'bar'"},
		{"local x = 'a\nb'", "user_script:1: unfinished string near ''a'"},
		{"return 1 +", "user_script:1: unexpected symbol near '<eof>'"},
		{"if x then", "user_script:1: 'end' expected near '<eof>'"},
		{"function f() return 1 end end", "user_script:1: '<eof>' expected near 'end'"},
		{"local 1 = 2", "user_script:1: '<name>' expected near '1'"},
		{"x = }", "user_script:1: unexpected symbol near '}'"},
		{"break", "user_script:1: no loop to break near '<eof>'"},
		{"goto x", "user_script:1: '=' expected near 'x'"},
		{"return 0x", "user_script:1: malformed number near '0x'"},
		{"return 1e", "user_script:1: malformed number near '1e'"},
		{"return [[abc", "user_script:1: unfinished long string near '<eof>'"},
		{"--[[ unterminated", "user_script:1: unfinished long comment near '<eof>'"},
		{"return '\\400'", "user_script:1: escape sequence too large near '''"},
		{"local a <const> = 1", "user_script:1: unexpected symbol near '<'"},
		{"return 1 // 2", "user_script:1: unexpected symbol near '/'"},
		{"local function f() return ... end", "user_script:1: cannot use '...' outside a vararg function near '...'"},
		{"return a.b:c", "user_script:1: function arguments expected near '<eof>'"},
		{"return #", "user_script:1: unexpected symbol near '<eof>'"},
		{"return 1 == = 2", "user_script:1: unexpected symbol near '='"},
		{"while true do", "user_script:1: 'end' expected near '<eof>'"},
		{"repeat until", "user_script:1: unexpected symbol near '<eof>'"},
		{"local t = {[1] = }", "user_script:1: unexpected symbol near '}'"},
		{"return ''  ..", "user_script:1: unexpected symbol near '<eof>'"},
		{"f() = 1", "user_script:1: unexpected symbol near '='"},
	} {
		want := "-ERR Error compiling script (new function): " + tc.want + "\r\n"
		if got := eval(t, e, tc.body); got != want {
			t.Errorf("eval %q\n got %q\nwant %q", tc.body, got, want)
		}
		lib := load(e, "#!lua name=lib1\n"+tc.body, false)
		want = "ERR Error compiling function: " + strings.Replace(strings.Replace(tc.want, "user_script:", "user_function:", 1), ":1: ", ":2: ", 1)
		if strings.Count(tc.body, "\n") == 0 && lib != want {
			t.Errorf("load %q\n got %q\nwant %q", tc.body, lib, want)
		}
	}
	for _, tc := range []struct{ body, want string }{
		{`local f, e = loadstring('x = = 1') return e`, `[string "x = = 1"]:1: unexpected symbol near '='`},
		{`local f, e = loadstring('local t = {1,2\nreturn') return e`, `[string "local t = {1,2..."]:2: '}' expected (to close '{' at line 1) near 'return'`},
		{`local f, e = loadstring('\n\nfoo bar') return e`, `[string "..."]:3: '=' expected near 'bar'`},
		{`local f, e = loadstring("redis.register_function('f', function() return 1 end") return e`,
			`[string "redis.register_function('f', function() return 1 end"]:1: ')' expected near '<eof>'`},
		{`local f, e = loadstring('return 1 +', 'abc') return e`, `[string "abc"]:1: unexpected symbol near '<eof>'`},
		{`return loadstring('return 1 + 2')()`, "3"},
	} {
		want := bulk(tc.want)
		if tc.want == "3" {
			want = ":3\r\n"
		}
		if got := eval(t, e, tc.body); got != want {
			t.Errorf("eval %q\n got %q\nwant %q", tc.body, got, want)
		}
	}
}

// Lua 5.1's grammar, nothing more: what it accepts compiles.
func TestSyntaxAccepted(t *testing.T) {
	for _, src := range []string{
		"return 1", "local a, b = 1, 2; return a .. b", "for i = 1, 3, 1 do end for k, v in pairs({}) do break end",
		"local function f(...) return ... end return f(1)", "local t = {1, 2; x = 1, ['y'] = 2,} return #t",
		"return 0x1F + 1e3 + .5 + 3. + 1E-2", "return [[a\n]] .. [==[b]]==] .. 'c\\n\\065' .. \"d\"",
		"--[[ long\ncomment ]] -- short\nreturn -2 ^ -3 .. 'x' == 'y' and not nil or #'z'",
		"local o = {} function o.a() end function o:b() return self end o:b() o.a {} o.a 'x'",
		"repeat local x = 1 until x == 1 while false do end if a then elseif b then else end do end",
		"local x = (1)(2)", "a, b.c, d[1] = 1, 2, 3",
	} {
		if msg := checkSyntax(src, "user_script"); msg != "" {
			t.Errorf("checkSyntax(%q) = %q", src, msg)
		}
	}
}
