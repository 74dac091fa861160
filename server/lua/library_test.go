package lua

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

func fcall(t *testing.T, e *Engine, name string, keys, args []string) string {
	t.Helper()
	f, ok := e.Function(name)
	if !ok {
		return "-ERR Function not found\r\n"
	}
	var k, a [][]byte
	for _, x := range keys {
		k = append(k, []byte(x))
	}
	for _, x := range args {
		a = append(a, []byte(x))
	}
	return string(resp.Append(nil, e.FCall(context.Background(), f, Call{Keys: k, Args: a, Caller: newFake(), Proto: 2}), 2))
}

func load(e *Engine, code string, replace bool) string {
	name, err := e.Load([]byte(code), replace)
	if err != nil {
		return err.Error()
	}
	return name
}

// Expected texts are redis-server 7.0.15's.
func TestLoadErrors(t *testing.T) {
	e := New(Config{})
	const f = "\nredis.register_function('f', function() end)"
	for _, tc := range []struct{ code, want string }{
		{"redis.register_function('f', function() return 1 end)", "ERR Missing library metadata"},
		{"#!lua name=ab", "ERR Invalid library metadata"},
		{"#!lua" + f, "ERR Library name was not given"},
		{"#!lua name=" + f, errBadName},
		{"#!lua name=a-b" + f, errBadName},
		{"#!lua name=ab foo=bar" + f, "ERR Invalid metadata value given: foo=bar"},
		{"#!luax name=ab" + f, "ERR Engine 'luax' not found"},
		{"#! name=test" + f, "ERR Engine '' not found"},
		{"#!bad" + f, "ERR Library name was not given"},
		{"#!bad name=x!y" + f, errBadName},
		{"#!lua name=\"unbalanced" + f, "ERR Invalid library metadata"},
		{"#!lua name=\"a\"b" + f, "ERR Invalid library metadata"},
		{"   " + f, "ERR Missing library metadata"},
		{"#!lua name=ab name=cd" + f, "ERR Invalid metadata value, name argument was given multiple times"},
		{"#!lua name=ab\nreturn 1", "ERR No functions registered"},
		{"#!lua name=ab\nredis.call('ping')", "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'"},
		{"#!lua name=ab\nx = 1", "ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table"},
		{"#!lua name=ab\nerror('bad')", "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'error'"},
		{"#!lua name=ab\nlocal x = string", "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'string'"},
		{"#!lua name=ab\nredis.register_function('f2')", "ERR Error registering functions: ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."},
		{"#!lua name=ab\nredis.register_function{function_name='f3', callback=function() end, flags={'bad'}}", "ERR Error registering functions: ERR unknown flag given"},
		{"#!lua name=ab\nredis.register_function{function_name='f3', callback=function() end, foo=1}", "ERR Error registering functions: ERR unknown argument given to redis.register_function"},
		{"#!lua name=ab\nredis.register_function('a', 1)", "ERR Error registering functions: ERR second argument to redis.register_function must be a function"},
		{"#!lua name=ab\nredis.register_function('a b', function() end)", "ERR Error registering functions: " + errBadName},
		{"#!lua name=ab\nredis.register_function('f3', function() end, 1)", "ERR Error registering functions: ERR wrong number of arguments to redis.register_function"},
		{"#!lua name=ab\nredis.register_function('f3', function() end)\nredis.register_function('f3', function() end)", "ERR Error registering functions: ERR Function already exists in the library"},
		{"#!lua name=ab2\nredis.register_function{callback=function() end}", "ERR Error registering functions: ERR redis.register_function must get a function name argument"},
		{"#!lua name=ab2\nredis.register_function{function_name='x'}", "ERR Error registering functions: ERR redis.register_function must get a callback argument"},
		{"#!lua name=ab2\nredis.register_function{function_name='x', callback=function() end, flags='no-writes'}", "ERR Error registering functions: ERR flags argument to redis.register_function must be a table representing function flags"},
		{"#!lua name=ab\nreturn 'x", "ERR Error compiling function: user_function:2: unfinished string near '<eof>'"},
		{"#!lua name=ab\nwhile true do end", "ERR Error registering functions: ERR FUNCTION LOAD timeout"},
	} {
		if got := load(e, tc.code, false); got != tc.want {
			t.Errorf("load %q\n got %q\nwant %q", tc.code, got, tc.want)
		}
	}
	if n, m := e.Counts(); n != 0 || m != 0 {
		t.Fatalf("failed loads left %d libraries, %d functions", n, m)
	}
}

func TestLoadAndCall(t *testing.T) {
	e := New(Config{})
	lib := "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] end)"
	if got := load(e, lib, false); got != "mylib" {
		t.Fatal(got)
	}
	if got := load(e, lib, false); got != "ERR Library 'mylib' already exists" {
		t.Fatal(got)
	}
	if got := load(e, "#!lua name=other\nredis.register_function('MYFUNC', function() end)", false); got != "ERR Function MYFUNC already exists" {
		t.Fatal(got)
	}
	lib2 := lib + "\nredis.register_function{function_name='ro', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}"
	if got := load(e, lib2, true); got != "mylib" {
		t.Fatal(got)
	}
	if got := fcall(t, e, "MyFunc", nil, []string{"hello"}); got != "$5\r\nhello\r\n" {
		t.Fatal(got)
	}
	f, _ := e.Function("ro")
	if f.Flags != NoWrites || f.Description == nil || *f.Description != "reads" {
		t.Fatalf("ro: flags %v description %v", f.Flags, f.Description)
	}
	for _, tc := range []struct{ code, fn, want string }{
		{"#!lua name=ab3\nredis.register_function('z', function(k, a) return {#k, #a, k[1], a[1]} end)", "z", "*4\r\n:1\r\n:1\r\n$2\r\nkk\r\n$2\r\naa\r\n"},
		{"#!lua name=ab4\nredis.register_function('w', function(k, a) return KEYS end)", "w", "-ERR user_function:2: Script attempted to access nonexistent global variable 'KEYS' script: w, on @user_function:2.\r\n"},
		{"#!lua name=ab5\nredis.register_function('v', function(k, a) y = 1 end)", "v", "-ERR user_function:2: Attempt to modify a readonly table script: v, on @user_function:2.\r\n"},
		{"#!lua name=ab6\nredis.register_function('e', function() error('boom') end)", "e", "-ERR user_function:2: boom script: e, on @user_function:2.\r\n"},
		{"#!lua name=ab7\nredis.register_function('e2', function()\n return redis.call('nosuch') end)", "e2", "-ERR Unknown Redis command called from script script: e2, on @user_function:3.\r\n"},
		{"#!lua name=ab8\nlocal z = 0\nredis.register_function('t', function(k, a) z = z + 1; return z end)", "t", ":1\r\n"},
		{"#!lua name=ab9\nredis.register_function('s', function(k, a) return string.upper(cjson.encode({a[1]})) end)", "s", "$6\r\n[\"AA\"]\r\n"},
		{"#!lua name=ab10\nredis.register_function(1, function() return 1 end)", "1", ":1\r\n"},
	} {
		if got := load(e, tc.code, false); strings.HasPrefix(got, "ERR") {
			t.Fatalf("load %q: %s", tc.code, got)
		}
		if got := fcall(t, e, tc.fn, []string{"kk"}, []string{"aa"}); got != tc.want {
			t.Errorf("fcall %s\n got %q\nwant %q", tc.fn, got, tc.want)
		}
	}
	if got := fcall(t, e, "t", nil, nil); got != ":2\r\n" {
		t.Errorf("upvalues do not persist across calls: %q", got)
	}
	if err := e.Delete("ab8"); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete("ab8"); err == nil || err.Error() != "ERR Library not found" {
		t.Fatal(err)
	}
	if _, ok := e.Function("t"); ok {
		t.Fatal("deleted library's function still callable")
	}
}

func TestDumpRestore(t *testing.T) {
	e := New(Config{})
	load(e, "#!lua name=a\nredis.register_function('fa', function() return 'a' end)", false)
	load(e, "#!lua name=b\nredis.register_function('fb', function() return 'b' end)", false)
	payload := e.Dump()
	e2 := New(Config{})
	if err := e2.Restore(payload, RestoreAppend); err != nil {
		t.Fatal(err)
	}
	if got := fcall(t, e2, "fb", nil, nil); got != "$1\r\nb\r\n" {
		t.Fatal(got)
	}
	if !bytes.Equal(e2.Dump(), payload) {
		t.Fatal("dump of a restored engine differs")
	}
	if err := e2.Restore(payload, RestoreAppend); err == nil || err.Error() != "ERR Library a already exists" {
		t.Fatalf("append over existing: %v", err)
	}
	if err := e2.Restore(payload, RestoreReplace); err != nil {
		t.Fatal(err)
	}
	load(e2, "#!lua name=c\nredis.register_function('fc', function() return 'c' end)", false)
	if err := e2.Restore(payload, RestoreFlush); err != nil {
		t.Fatal(err)
	}
	if n, _ := e2.Counts(); n != 2 {
		t.Fatalf("after FLUSH restore: %d libraries", n)
	}
	bad := append([]byte(nil), payload...)
	bad[3] ^= 1
	if err := e2.Restore(bad, RestoreFlush); err == nil || err.Error() != "ERR DUMP payload version or checksum are wrong" {
		t.Fatalf("corrupt payload: %v", err)
	}
	if n, _ := e2.Counts(); n != 2 {
		t.Fatal("a failed restore changed the libraries")
	}
}

// A payload made by redis-server 7.0.15's FUNCTION DUMP (LZF-compressed).
func TestRestoreRedisPayload(t *testing.T) {
	payload, err := os.ReadFile("testdata/redis7-function-dump.bin")
	if err != nil {
		t.Fatal(err)
	}
	e := New(Config{})
	if err := e.Restore(payload, RestoreAppend); err != nil {
		t.Fatal(err)
	}
	if got := fcall(t, e, "myfunc", nil, []string{"x"}); got != "$1\r\nx\r\n" {
		t.Fatal(got)
	}
	if f, ok := e.Function("ro"); !ok || f.Flags != NoWrites {
		t.Fatal("ro not restored with its flags")
	}
}

// The shebang line is split as Redis's sdssplitargs: the engine name is
// case-insensitive, name= too, and quotes and escapes are understood.
func TestLoadShebangForms(t *testing.T) {
	const f = "\nredis.register_function('%s', function() return 1 end)"
	for i, tc := range []struct{ line, want string }{
		{"#!LUA name=t1", "t1"},
		{"#!lua name=\"foo\"", "foo"},
		{"#!lua NAME=up", "up"},
		{"#!lua name='sq'", "sq"},
		{"#!lua name=\"\\x41b\"", "Ab"},
		{"#!\"lua\" name=q", "q"},
		{"#!Lua\tname=tab  ", "tab"},
	} {
		e := New(Config{})
		code := tc.line + strings.Replace(f, "%s", "f"+string(rune('a'+i)), 1)
		if got := load(e, code, false); got != tc.want {
			t.Errorf("load(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}
