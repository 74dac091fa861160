package lua

import (
	"strings"
	"testing"
	"time"
)

// Hostile scripts fail with an error reply, in bounded time, and leave the
// engine usable: no client input may crash a node.
func TestHostileScripts(t *testing.T) {
	e := New(Config{})
	for _, body := range []string{
		"local function f() return f() + 1 end return f()",
		"return string.rep('x', 2^40)",
		"return unpack({}, 1, 1e8)",
		"local t = {} t[1] = t return t",
		"return cjson.decode(string.rep('[', 100000))",
		"return cmsgpack.unpack(string.rep('\\145', 100000))",
		"local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x",
		"return string.format('%d', 'x')",
		"return struct.pack('i99', 1)",
		"return struct.unpack('c100', 'ab')",
		"return bit.tohex(1, 1e9)",
		"return coroutine.wrap(function() error('in a coroutine') end)()",
		"return loadstring(string.rep('(', 100000))",
		"error(setmetatable({}, {__tostring = function() error('again') end}))",
		"return redis.call(string.rep('x', 100000))",
		"return tostring(redis)",
		"return {err={}}",
		"return {map={[{}]=1}}",
		"return getmetatable('').__index.upper('x')",
		"getmetatable('').__index.upper = nil",
		"getmetatable('').__index = nil",
		"getmetatable('').x = 1",
		"rawset(getmetatable(''), '__index', {})",
	} {
		start := time.Now()
		got := eval(t, e, body)
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%q took %v", body, d)
		}
		if got == "" {
			t.Errorf("%q: no reply", body)
		}
		t.Logf("%.60q -> %.120q", body, got)
	}
	if got := eval(t, e, "return ('still here'):upper()"); !strings.Contains(got, "STILL HERE") {
		t.Fatalf("engine broken after hostile scripts: %q", got)
	}
}

// A script that keeps allocating is stopped at the memory limit.
func TestMemoryLimit(t *testing.T) {
	e := New(Config{MemoryLimit: 64 << 20})
	got := eval(t, e, "local t = {} while true do t[#t+1] = string.rep('x', 1e5) .. #t end")
	if !strings.HasPrefix(got, "-ERR Script killed: it used more than 64 MB of memory script: ") {
		t.Fatalf("runaway script answered %.200q", got)
	}
	if got := eval(t, e, "return 1"); got != ":1\r\n" {
		t.Fatalf("after the memory kill: %q", got)
	}
}
