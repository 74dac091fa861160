package integration

import (
	"os"
	"strings"
)

// Scripting probes: EVAL and its conversions, errors and sandbox, SCRIPT,
// FUNCTION and FCALL, against redis-server 7.0.15 in RESP2 and RESP3.
// order: Redis lists a library's functions in the order of a hash table
// seeded at random per process; ringkv lists the last registered first.
const order = "the order of a library's functions is random in Redis"

func init() {
	const lib = "#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] end)"
	const lib2 = lib + "\nredis.register_function{function_name='ro', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}"
	addFidelity("scripting",
		p("FUNCTION", "FLUSH"), p("SCRIPT", "FLUSH"),
		// conversions Lua -> reply
		p("EVAL", "return 1", "0"), p("EVAL", "return {1,2,3,'ciao',{1,2}}", "0"),
		p("EVAL", "return {1,2,nil,4}", "0"), p("EVAL", "return nil", "0"),
		p("EVAL", "return false", "0"), p("EVAL", "return true", "0"),
		p("EVAL", "return 3.99", "0"), p("EVAL", "return -3.99", "0"),
		p("EVAL", "return {ok='fine'}", "0"), p("EVAL", "return {err='My Error'}", "0"),
		p("EVAL", "return {1,'a',{ok='x'},{err='y'}}", "0"),
		p("EVAL", "return redis.error_reply('My Error')", "0"), p("EVAL", "return redis.error_reply('x')", "0"),
		p("EVAL", "return redis.status_reply('FINE')", "0"), p("EVAL", "return redis.status_reply(1)", "0"),
		p("EVAL", "return {double=3.5}", "0"), p("EVAL", "return {map={a=1}}", "0"),
		p("EVAL", "return {set={a=true}}", "0"), p("EVAL", "return {big_number='123'}", "0"),
		p("EVAL", "redis.setresp(3); return {double=3.5}", "0"),
		p("EVAL", "redis.setresp(3); return true", "0"), p("EVAL", "redis.setresp(3); return false", "0"),
		p("EVAL", "redis.setresp(3); return nil", "0"),
		p("EVAL", "return {1e20}", "0"), p("EVAL", "return 0/0", "0"),
		p("EVAL", "return {ok='a\\r\\nb'}", "0"), p("EVAL", "return {err=1}", "0"),
		// reply -> Lua
		p("SET", "k", "v"), p("EVAL", "return redis.call('get', KEYS[1])", "1", "k"),
		p("EVAL", "return redis.call('get','nokey')", "0"), p("EVAL", "return type(redis.call('get','nokey'))", "0"),
		p("EVAL", "redis.setresp(3); return redis.call('get','nokey') == nil", "0"),
		p("EVAL", "return redis.call('incrbyfloat','f','1.5')", "0"),
		p("EVAL", "redis.setresp(3); return redis.call('incrbyfloat','f','1.5')", "0"),
		p("EVAL", "return redis.call('ping')", "0"), p("EVAL", "return redis.call('set','n',3.5)", "0"),
		p("GET", "n"), p("EVAL", "return redis.call('set','n',1e20)", "0"), p("GET", "n"),
		p("EVAL", "return redis.call('exists','k','nokey')", "0"),
		p("EVAL", "return redis.call('mget','k','nokey')", "0"),
		p("EVAL", "return KEYS[1]..ARGV[1]", "1", "kk", "aa"), p("EVAL", "return #KEYS + #ARGV", "0"),
		// errors
		p("EVAL", "return redis.call('incr','k')", "0"), p("EVAL", "return redis.pcall('incr','k')", "0"),
		p("EVAL", "local t = redis.pcall('incr','k'); return {t.err, type(t.ignore_error_stats_update)}", "0"),
		p("EVAL", "local ok, e = pcall(redis.call, 'incr','k'); return {tostring(ok), e}", "0"),
		p("EVAL", "return redis.call('nosuch')", "0"), p("EVAL", "return redis.pcall('nosuch')", "0"),
		p("EVAL", "return redis.call('get')", "0"), p("EVAL", "return redis.call('set','a')", "0"),
		p("EVAL", "return redis.call()", "0"), p("EVAL", "return redis.call({})", "0"),
		p("EVAL", "return redis.call('set','k',{})", "0"),
		p("EVAL", "return redis.call('multi')", "0"), p("EVAL", "return redis.call('eval','return 1','0')", "0"),
		p("EVAL", "return redis.call('hello','3')", "0"),
		p("EVAL", "return x", "0"), p("EVAL", "x = 5", "0"), p("EVAL", "error('boom')", "0"),
		p("EVAL", "error({err='TBL boom'})", "0"), p("EVAL", "error()", "0"), p("EVAL", "error(12)", "0"),
		p("EVAL", "error('x', 0)", "0"), p("EVAL", "error(redis.error_reply('MY err'))", "0"),
		p("EVAL", "redis.call = nil", "0"), p("EVAL", "string.foo = 1", "0"),
		p("EVAL", "setmetatable(_G, nil)", "0"), p("EVAL", "return os.time()", "0"),
		p("EVAL", "return type(print)", "0"), p("EVAL", "return type(dofile)", "0"),
		p("EVAL", "return type(loadstring)", "0"),
		p("EVAL", "return redis.sha1hex('')", "0"), p("EVAL", "return redis.sha1hex()", "0"),
		p("EVAL", "return redis.setresp(4)", "0"), p("EVAL", "return redis.log(1)", "0"),
		p("EVAL", "return redis.log('a','b')", "0"), p("EVAL", "return redis.log(9,'b')", "0"),
		p("EVAL", "return redis.log(redis.LOG_WARNING, 'from a script')", "0"),
		p("EVAL", "return {redis.LOG_DEBUG,redis.LOG_VERBOSE,redis.LOG_NOTICE,redis.LOG_WARNING}", "0"),
		p("EVAL", "return redis.REDIS_VERSION", "0"), p("EVAL", "return redis.set_repl(redis.REPL_ALL)", "0"),
		p("EVAL", "return redis.replicate_commands()", "0"), p("EVAL", "return redis.breakpoint()", "0"),
		p("EVAL", "return 'x", "0"),
		p("EVAL", "local t = nil; return t.x", "0"),
		// libraries
		p("EVAL", "return cjson.encode({1,2,'x'})", "0"), p("EVAL", "return cjson.decode('[1,2,{\"a\":3}]')[3].a", "0"),
		p("EVAL", "return bit.tohex(255)", "0"), p("EVAL", "return bit.band(7,3)", "0"),
		p("EVAL", "return struct.pack('>I2', 258)", "0"), p("EVAL", "return cmsgpack.pack({1,2})", "0"),
		p("EVAL", "return tostring(1/3)", "0"), p("EVAL", "return string.format('%5.2f', 1.5)", "0"),
		// numkeys and shebangs
		p("EVAL", "return 1", "2", "a"), p("EVAL", "return 1", "-1"), p("EVAL", "return 1", "abc"),
		p("EVAL"), p("EVAL", "return 1"),
		p("EVAL", "#!lua flags=no-writes\nreturn redis.call('set','x','y')", "0"),
		p("EVAL", "#!lua\nreturn redis.call('set','x','y')", "0"),
		p("EVAL", "#!lua name=x\nreturn 1", "0"), p("EVAL", "#!lua flags=bad\nreturn 1", "0"),
		p("EVAL", "#!luax\nreturn 1", "0"), p("EVAL_RO", "#!lua\nreturn 1", "0"),
		p("EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"),
		p("EVAL_RO", "return redis.call('set','x','y')", "0"), p("EVAL_RO", "return redis.call('get','x')", "0"),
		p("EVAL_RO", "return redis.pcall('set','x','y')", "0"),
		// the script cache
		p("SCRIPT", "LOAD", "return 1"), p("SCRIPT", "LOAD", "return 'x"),
		p("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "ffff"),
		p("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"),
		p("EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"),
		p("EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"),
		p("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"), p("EVALSHA", "abc", "0"),
		p("SCRIPT", "FLUSH", "bad"), p("SCRIPT", "FLUSH", "ASYNC"),
		p("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"),
		p("SCRIPT", "KILL"), p("SCRIPT", "foo"), p("SCRIPT"), p("SCRIPT", "HELP"),
		// functions
		p("FUNCTION", "LOAD", lib), p("FUNCTION", "LOAD", lib), p("FUNCTION", "LOAD", "REPLACE", lib2),
		p("FCALL", "myfunc", "0", "hello"), p("FCALL", "MYFUNC", "0", "hello"), p("FCALL", "ro", "1", "k"),
		p("FCALL_RO", "myfunc", "0", "hello"), p("FCALL_RO", "ro", "1", "k"),
		p("FCALL", "nosuch", "0"), p("FCALL", "myfunc", "-1"), p("FCALL", "myfunc", "2", "a"),
		p("FCALL", "myfunc", "x"), p("FCALL"),
		knownDiff(order, "FUNCTION", "LIST"), knownDiff(order, "FUNCTION", "LIST", "WITHCODE"),
		knownDiff(order, "FUNCTION", "LIST", "LIBRARYNAME", "my*"),
		p("FUNCTION", "LIST", "LIBRARYNAME", "zz*"), p("FUNCTION", "LIST", "LIBRARYNAME"), p("FUNCTION", "LIST", "foo"),
		p("FUNCTION", "STATS"), p("FUNCTION", "KILL"),
		p("FUNCTION", "LOAD", "redis.register_function('f', function() return 1 end)"),
		p("FUNCTION", "LOAD", "#!lua\nredis.register_function('f', function() end)"),
		p("FUNCTION", "LOAD", "#!lua name=a-b\nredis.register_function('f', function() end)"),
		p("FUNCTION", "LOAD", "#!lua name=ab foo=bar\nredis.register_function('f', function() end)"),
		p("FUNCTION", "LOAD", "#!luax name=ab\nredis.register_function('f', function() end)"),
		p("FUNCTION", "LOAD", "#!lua name=ab\nreturn 1"),
		p("FUNCTION", "LOAD", "#!lua name=ab\nredis.call('ping')"),
		p("FUNCTION", "LOAD", "#!lua name=ab\nx = 1"),
		p("FUNCTION", "LOAD", "#!lua name=ab\nredis.register_function('myfunc', function() end)"),
		p("FUNCTION", "LOAD", "#!lua name=ab\nredis.register_function('f2')"),
		p("FUNCTION", "LOAD", "#!lua name=ab\nredis.register_function{function_name='f3', callback=function() end, flags={'bad'}}"),
		p("FUNCTION", "LOAD", "#!lua name=ab\nredis.register_function('f3', function() end, 1)"),
		p("FUNCTION", "LOAD", "#!lua name=ab\nredis.register_function('e', function() error('boom') end)"),
		p("FCALL", "e", "0"),
		p("FUNCTION", "LOAD", "BADARG", lib), p("FUNCTION", "LOAD"),
		p("FUNCTION", "DELETE", "nosuch"), p("FUNCTION", "DELETE", "ab"), p("FUNCTION", "DELETE", "ab"),
		p("FUNCTION", "RESTORE", "abc"), p("FUNCTION", "RESTORE", "abc", "bad"),
		p("FUNCTION", "FLUSH", "bad"), p("FUNCTION", "FLUSH", "ASYNC"), p("FUNCTION", "LIST"),
		p("FUNCTION", "HELP"), p("FUNCTION"),
		p("FUNCTION", "FLUSH", "SYNC", "extra"), p("SCRIPT", "FLUSH", "SYNC", "extra"), p("FUNCTION", "STATS", "extra"),
		p("COMMAND", "GETKEYS", "FCALL", "test", "1", "x", "foo"), p("COMMAND", "GETKEYS", "EVAL", "return 1", "2", "a", "b", "c"),
		p("COMMAND", "GETKEYS", "EVAL", "return 1", "0"), p("COMMAND", "GETKEYS", "EVALSHA_RO", "abc", "1", "k"),
		// inside MULTI
		p("MULTI"), p("EVAL", "return redis.call('incr', KEYS[1])", "1", "m"), p("FCALL", "nosuch", "0"), p("EXEC"),
		p("MULTI"), p("EVAL", "return redis.call('incr', KEYS[1])", "1", "m"), p("EVAL", "return redis.call('incr', KEYS[1])", "1", "m"), p("EXEC"),
	)
	// Errors a script catches with pcall, and a library's errors while it
	// loads: Lua 5.1's texts, positions and error levels.
	pc := func(body string) probe {
		return p("EVAL", "local ok, e = pcall(function() "+body+" end) return {tostring(ok), type(e), e}", "0")
	}
	const l = "#!lua name=lib1\n"
	addFidelity("scripting errors",
		pc("local t = nil; return t.x"), pc("local a; return a + 1"), pc("return nil + 1"),
		pc("local x = nil; x()"), pc("local t = {} t.x()"), pc("local t = {} t:m()"), pc("return redis.callx('ping')"),
		pc("return 'a' .. {}"), pc("local a = 1 .. nil"), pc("return #nil"), pc("return -{}"), pc("return {} < {}"),
		pc("return 1 < 'x'"), pc("local t = {} t.x.y = 1"), pc("for i=1,'x' do end"), pc("for k in nil do end"),
		pc("error('boom')"), pc("error('boom', 0)"), pc("error('boom', 1)"), pc("error('boom', 2)"), pc("error('x', 3)"),
		pc("error(12)"), pc("error(12, 0)"), pc("error()"), pc("error({err='X'})"),
		p("EVAL", "error('boom', 2)", "0"), p("EVAL", "local function f() error('x', 2) end\n\nf()", "0"),
		pc("redis.call('nosuch')"), pc("return redis.call()"), pc("return redis.call({})"),
		pc("return string.rep()"), pc("return string.sub()"), pc("return ('x'):rep()"), pc("return ('x'):bad()"),
		pc("return tostring()"), pc("return setmetatable(1, {})"), pc("return math.floor('a')"),
		pc("return string.format('%d', 'x')"), pc("return table.insert(nil, 1)"), pc("return ipairs()"),
		pc("return select(-5, 1)"), pc("return unpack(nil)"), pc("return pairs(nil)"), pc("for k in pairs(nil) do end"),
		pc("return coroutine.resume(nil)"), pc("return bit.band('x')"), pc("return struct.pack('>I2')"),
		pc("return assert(false)"), pc("return assert(nil, 12)"), pc("return loadstring('x=')()"),
		pc("return string.byte('abc', 1, 10000)"), pc("return string.format('%y', 1)"),
		p("EVAL", "return string.rep()", "0"), p("EVAL", "return table.insert(nil, 1)", "0"),
		p("EVAL", "local ok, e = pcall(string.rep) return e", "0"),
		p("EVAL", "local ok, e = xpcall(function() local t = nil; return t.x end, function(m) return 'H:' .. m end) return {tostring(ok), e}", "0"),
		p("EVAL", "local f\npcall(function() local x = 5; f = function() return x end; error('e') end)\nlocal a,b,c,d = 1,2,3,4\nreturn f()", "0"),
		p("FUNCTION", "LOAD", l+"local t = nil; local y = t.x"), p("FUNCTION", "LOAD", l+"local a; local b = a + 1"),
		p("FUNCTION", "LOAD", l+"local t = {} t.x()"), p("FUNCTION", "LOAD", l+"local s = 'a' .. {}"),
		p("FUNCTION", "LOAD", l+"local function g() local t = nil; return t.x end\ng()"),
		p("FUNCTION", "LOAD", l+"local x = string.rep()"), p("FUNCTION", "LOAD", l+"error('boom', 2)"),
		p("FUNCTION", "LOAD", l+"redis.call('ping')"), p("FUNCTION", "LOAD", l+"nosuch()"),
		p("FUNCTION", "LOAD", l+"redis.register_function('f', 1)"),
		p("FUNCTION", "LOAD", l+"redis.register_function('f', function() end) redis.register_function('f', function() end)"),
		p("FUNCTION", "LOAD", l+"redis.register_function{function_name='f', callback=function() end, flags={'no-writes', 'x'}}"),
		p("FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function('e1', function() local t = nil; return t.x end)\n"+
			"redis.register_function('e2', function() local ok, e = pcall(function() return 1 + nil end) return e end)\n"+
			"redis.register_function('e3', function() error('x', 2) end)"),
		p("FCALL", "e1", "0"), p("FCALL", "e2", "0"), p("FCALL", "e3", "0"), p("FUNCTION", "FLUSH"),
	)
	// Syntax errors: Lua 5.1's texts, lines and tokens, in EVAL, FUNCTION
	// LOAD (a line down, for the shebang) and loadstring.
	var syntax []probe
	for _, body := range []string{"return 'x", "local x = ", "x = = 1", "redis.register_function('f', function() return 1 end",
		"for i=1 do end", "local t = {1,2\nreturn", "\n\nfoo bar", "local x = 'a\nb'", "if x then", "function f() return 1 end end",
		"local 1 = 2", "break", "goto x", "return 0x", "return 1e", "return [[abc", "--[[ unterminated", "return '\\400'",
		"local a <const> = 1", "return 1 // 2", "local function f() return ... end", "return a.b:c", "repeat until",
		"local t = {[1] = }", "f() = 1", "x, f() = 1", "(a) = 1", "local x = f\n(1)", "for a b do end", "function f(a,) end",
		"return 1 ~ 2", "x = 1 @ 2", "return 'a\\\nb' +"} {
		syntax = append(syntax, p("EVAL", body, "0"), p("FUNCTION", "LOAD", l+body),
			p("EVAL", "local f, e = loadstring(ARGV[1]) return e", "0", body))
	}
	addFidelity("scripting syntax errors", append(syntax,
		p("EVAL", "local f, e = loadstring(ARGV[1], 'chunk') return e", "0", "x ="),
		p("EVAL", "local f, e = loadstring(ARGV[1]) return e", "0", strings.Repeat("x", 70)+" +"),
		p("EVAL", "loadstring('y = 1')()", "0"), p("EVAL", "return loadstring('return 1 + 2')()", "0"))...)
	// Cases of Redis 7.0's own scripting and functions suites.
	const f1 = "\nredis.register_function('f1', function() return 1 end)"
	addFidelity("scripting suite",
		p("FUNCTION", "FLUSH"), p("FUNCTION", "LOAD", lib),
		p("FUNCTION", "LIST", "WITHCODE", "WITHCODE"), p("FUNCTION", "LIST", "withcode", "libraryname", "foo", "LIBRARYNAME", "foo"),
		p("FUNCTION", "LIST", "LIBRARYNAME", "foo", "WITHCODE"),
		p("FUNCTION", "FLUSH"),
		p("FUNCTION", "LOAD", "#!LUA name=t1"+f1), p("FCALL", "f1", "0"),
		p("FUNCTION", "LOAD", "REPLACE", "#!lua name=\"t1\""+f1), p("FUNCTION", "LOAD", "REPLACE", "#!Lua\tNAME='t1'  "+f1),
		p("FUNCTION", "LOAD", "REPLACE", "#!\"lua\" name=\"\\x74\\x31\""+f1),
		p("FUNCTION", "LOAD", "REPLACE", "#! name=test"+f1), p("FUNCTION", "LOAD", "REPLACE", "#!bad"+f1),
		p("FUNCTION", "LOAD", "REPLACE", "#!bad name=x!y"+f1), p("FUNCTION", "LOAD", "REPLACE", "#!lua name=\"t1"+f1),
		p("FUNCTION", "LOAD", "REPLACE", "#!lua name=\"t1\"x"+f1), p("FUNCTION", "LOAD", "REPLACE", "#!lua name='t1"+f1),
		p("FUNCTION", "LOAD", "REPLACE", "#!lua name=t1\r"+f1),
		p("FUNCTION", "FLUSH"),
		p("EVAL", "return redis.call('cluster','reset','hard')", "0"), p("EVAL", "return redis.call('cluster','info')", "0"),
		p("EVAL", "return redis.call('cluster','foo')", "0"), p("EVAL", "return redis.call('cluster','reset','a','b','c')", "0"),
		p("EVAL", "return redis.pcall('cluster','reset')", "0"),
		p("CLUSTER", "foo"), p("CLUSTER", "RESET", "hard"), p("CLUSTER", "INFO", "x"), p("CLUSTER"),
		loose(cmdInfo, "COMMAND", "INFO", "cluster"),
		p("EVAL", "return {type(getmetatable(_G)), type(getmetatable(string)), type(getmetatable(redis))}", "0"),
		p("EVAL", "local g = getmetatable(_G); g.__index = {}", "0"),
		p("EVAL", "local g = getmetatable(_G); setmetatable(g, {})", "0"),
		p("EVAL", "local g = getmetatable(_G); return {type(g.__index), getmetatable(g) == nil}", "0"),
	)
	// FUNCTION RESTORE of a payload made by redis-server 7.0.15's FUNCTION
	// DUMP (LZF-compressed), on both servers.
	payload, err := os.ReadFile("../server/lua/testdata/redis7-function-dump.bin")
	if err != nil {
		panic(err)
	}
	pl := string(payload)
	addFidelity("function restore",
		p("FUNCTION", "FLUSH"), p("FUNCTION", "RESTORE", pl), p("FUNCTION", "RESTORE", pl),
		p("FUNCTION", "RESTORE", pl, "APPEND"), p("FUNCTION", "RESTORE", pl, "REPLACE"),
		p("FUNCTION", "RESTORE", pl, "FLUSH"), p("FCALL", "myfunc", "0", "z"), knownDiff(order, "FUNCTION", "LIST"),
		p("FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('myfunc', function() end)"),
		p("FUNCTION", "DELETE", "mylib"),
		p("FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('myfunc', function() end)"),
		p("FUNCTION", "RESTORE", pl), p("FUNCTION", "RESTORE", pl, "REPLACE"),
		p("FUNCTION", "RESTORE", pl, "x", "y"), p("FUNCTION", "RESTORE", pl[:len(pl)-1]),
		p("FCALL", "myfunc", "0", "z"), p("FUNCTION", "FLUSH"),
		knownDiff("ringkv writes its payload uncompressed (Redis LZF-compresses); either restores on both", "FUNCTION", "DUMP"),
	)
}

// luatclMsgpack is the script of Redis's "EVAL - cmsgpack pack/unpack smoke
// test" (unit/scripting.tcl), returning a few decoded values.
const luatclMsgpack = `
local str_lt_65535 = string.rep("x", 65530)
local str_long = string.rep("x", 100000)
local array_big, map_big = {}, {}
for i=1, 100000 do array_big[i] = i; map_big[tostring(i)] = i end
local some_map = {s1=string.rep("x", 30), s2=string.rep("x", 250), s3=str_lt_65535, s4=str_long, d1=0.1,
    i1=1, i2=250, i3=65530, i4=100000, i5=2^40, i6=-1, i7=-120, i8=-32000, i9=-100000,
    i10=-3147483648, a1={1, 2, 3, 4, 5}, a3=array_big, m1={a=1, b=2}, m2=map_big, b1=false, b2=true}
local encoded = cmsgpack.pack(some_map)
local offset, one = cmsgpack.unpack_one(encoded, 0)
assert(offset == -1)
local multi = cmsgpack.pack("a", string.rep("x", 250), str_lt_65535, str_long)
local offs = {}
local off, obj = 0
for i = 1, 4 do off, obj = cmsgpack.unpack_limit(multi, 1, off); offs[i] = off end
assert(obj == str_long)
return {offs, one.i10, one.i5, one.d1, #one.a3, one.m2['77'], one.s3 == str_lt_65535}`

// luatclJSON is the script of Redis's "EVAL - JSON smoke test".
const luatclJSON = `
local some_map = {
    s1="Some string",
    n1=100,
    a1={"Some","String","Array"},
    nil1=nil,
    b1=true,
    b2=false}
local encoded = cjson.encode(some_map)
local decoded = cjson.decode(encoded)
assert(table.concat(some_map) == table.concat(decoded))

cjson.encode_keep_buffer(false)
encoded = cjson.encode(some_map)
decoded = cjson.decode(encoded)
assert(table.concat(some_map) == table.concat(decoded))

-- Table with numeric keys
local table1 = {one="one", [1]="one"}
encoded = cjson.encode(table1)
decoded = cjson.decode(encoded)
assert(decoded["one"] == table1["one"])
assert(decoded["1"] == table1[1])

-- Array
local array1 = {[1]="one", [2]="two"}
encoded = cjson.encode(array1)
decoded = cjson.decode(encoded)
assert(table.concat(array1) == table.concat(decoded))

-- Invalid keys
local invalid_map = {}
invalid_map[false] = "false"
local ok, encoded = pcall(cjson.encode, invalid_map)
assert(ok == false)

-- Max depth
cjson.encode_max_depth(1)
ok, encoded = pcall(cjson.encode, some_map)
assert(ok == false)

cjson.decode_max_depth(1)
ok, decoded = pcall(cjson.decode, '{"obj": {"array": [1,2,3,4]}}')
assert(ok == false)

-- Invalid numbers
ok, encoded = pcall(cjson.encode, {num1=0/0})
assert(ok == false)
cjson.encode_invalid_numbers(true)
ok, encoded = pcall(cjson.encode, {num1=0/0})
assert(ok == true)

-- Restore defaults
cjson.decode_max_depth(1000)
cjson.encode_max_depth(1000)
cjson.encode_invalid_numbers(false)`

// Lua features Redis 7.0.15's unit/scripting Tcl suite checks.
func init() {
	addFidelity("luatcl cmsgpack",
		p("EVAL", luatclMsgpack, "0"),
		p("EVAL", "local s=cmsgpack.pack(1,'ab',{1,2}) return {cmsgpack.unpack_one(s)}", "0"),
		p("EVAL", "local s=cmsgpack.pack(1,'ab',{1,2}) return {cmsgpack.unpack_one(s, 1)}", "0"),
		p("EVAL", "local s=cmsgpack.pack(1,'ab',{1,2}) return {cmsgpack.unpack_limit(s,2,1)}", "0"),
		p("EVAL", "local s=cmsgpack.pack(1,'ab',{1,2}) return {cmsgpack.unpack_limit(s,5,10)}", "0"),
		p("EVAL", "local s=cmsgpack.pack(1,'ab',{1,2}) return {cmsgpack.unpack_limit(s,-1)}", "0"),
		p("EVAL", "return {cmsgpack.unpack_limit(cmsgpack.pack(1,2),0,1)}", "0"),
		p("EVAL", "return {pcall(cmsgpack.unpack, '\\193')}", "0"),
		p("EVAL", "return {pcall(cmsgpack.unpack, '\\146\\1')}", "0"),
		p("EVAL", "return {pcall(cmsgpack.unpack, '\\146\\1\\193')}", "0"),
		p("EVAL", "return {pcall(cmsgpack.unpack, '\\129\\193\\1')}", "0"),
		p("EVAL", "return {cmsgpack.unpack('\\199\\1\\1x')}", "0"),
		p("EVAL", "return cmsgpack.unpack('\\146\\1')", "0"),
		p("EVAL", "return {pcall(cmsgpack.unpack_one, '\\1\\193', 1)}", "0"),
		p("EVAL", "return {pcall(cmsgpack.unpack_limit, '\\1\\2', -1)}", "0"),
		p("EVAL", "return cmsgpack.pack()", "0"),
		p("EVAL", "return {pcall(cmsgpack.pack)}", "0"),
	)
	addFidelity("luatcl cjson",
		p("EVAL", "return cjson.encode_max_depth()", "0"),
		p("EVAL", "return {cjson.encode_sparse_array()}", "0"),
		p("EVAL", "return {cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers(), cjson.encode_keep_buffer(), cjson.encode_number_precision(), cjson.decode_max_depth()}", "0"),
		p("EVAL", "local r = cjson.encode_invalid_numbers('null') cjson.encode_invalid_numbers(false) return r", "0"),
		p("EVAL", "return cjson.encode_invalid_numbers('x')", "0"),
		p("EVAL", "return cjson.encode_invalid_numbers({})", "0"),
		p("EVAL", "return cjson.encode_max_depth(0)", "0"),
		p("EVAL", "return cjson.encode_max_depth(1,2)", "0"),
		p("EVAL", "return cjson.encode_max_depth('a')", "0"),
		p("EVAL", "local r = cjson.encode_max_depth('7') cjson.encode_max_depth(1000) return r", "0"),
		p("EVAL", "return cjson.encode_number_precision(15)", "0"),
		p("EVAL", "return cjson.encode_sparse_array(1,2,3,4)", "0"),
		p("EVAL", "return cjson.encode({[false]=1})", "0"),
		p("EVAL", "return {pcall(cjson.encode, {[false]=1})}", "0"),
		p("EVAL", "return {pcall(cjson.encode, {0/0})}", "0"),
		p("EVAL", "cjson.encode_max_depth(1) local ok, e = pcall(cjson.encode, {a={}}) cjson.encode_max_depth(1000) return e", "0"),
		p("EVAL", "cjson.encode_max_depth(2) local ok, e = pcall(cjson.encode, {{1}, {{}}}) cjson.encode_max_depth(1000) return e", "0"),
		p("EVAL", "cjson.decode_max_depth(1) local ok, e = pcall(cjson.decode, '{\"obj\": {\"array\": [1,2,3,4]}}') cjson.decode_max_depth(1000) return e", "0"),
		p("EVAL", "cjson.decode_max_depth(2) local ok, e = pcall(cjson.decode, ' [ [  [1]]]') cjson.decode_max_depth(1000) return e", "0"),
		p("EVAL", "cjson.encode_invalid_numbers(true) local r = cjson.encode({0/0, 1/0, -1/0}) cjson.encode_invalid_numbers(false) return r", "0"),
		p("EVAL", "cjson.encode_invalid_numbers('null') local r = cjson.encode({0/0, 1/0, -1/0, [1/0]=1}) cjson.encode_invalid_numbers(false) return r", "0"),
		p("EVAL", "local c = cjson.new() c.encode_max_depth(1) return {pcall(c.encode, {{}}), cjson.encode_max_depth()}", "0"),
		p("EVAL", "return cjson.new().null == cjson.null", "0"),
		p("EVAL", "cjson.encode_sparse_array(true) local r = cjson.encode({[1]=1, [100]=2}) cjson.encode_sparse_array(false) return r", "0"),
		p("EVAL", "local r = {cjson.encode_sparse_array(false, 0, 0)} r[4] = cjson.encode({[1]=1, [100]=2}) cjson.encode_sparse_array(false, 2, 10) return r", "0"),
		p("EVAL", "local r = {cjson.encode_sparse_array('on', 3)} cjson.encode_sparse_array('off', 2) return r", "0"),
		p("EVAL", "local r = {cjson.encode_keep_buffer('off')} r[2] = cjson.encode({1}) cjson.encode_keep_buffer(true) return r", "0"),
		p("EVAL", "cjson.encode_number_precision(3) local r = cjson.encode({1/3, 12345, [5]=1e20}) cjson.encode_number_precision(14) return r", "0"),
		p("EVAL", "return cjson.decode('{\"a\":[1,{\"b\":null}]}').a[2].b == cjson.null", "0"),
		p("EVAL", "return cjson.decode('1', 2)", "0"),
		p("EVAL", "return cjson.encode({[2]=1,[3]=2})", "0"),
		p("EVAL", "return {pcall(cjson.decode, '[0x10, nan, inf, -inf, 1e400]')}", "0"),
		p("EVAL", "return cjson.encode(cjson.decode('[0x10, -0X1f, 1e2, 0.5e-1, 007, +5, -Infinity, 1e400]'))", "0"),
		p("EVAL", "return {pcall(cjson.decode, '[1] ]')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '[1 2]')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '{\"a\" 1}')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '{1:2}')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '{\"a\":1 \"b\"}')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '   ')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, 'tru')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, 'x')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '\"abc')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '\"a\\\\qb\"')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '\"\\\\u12\"')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '\"\\\\ud800\"')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '\"\\\\udc00\"')}", "0"),
		p("EVAL", "return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\\\\n\\\\/\"')", "0"),
		p("EVAL", "return {pcall(cjson.decode, '-')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '-x')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '[,]')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '[1,]')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '{\"a\":1,}')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '\\0a')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, 'a\\0')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '1\\0junk')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, 'truex')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, 'nul')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, 'Nan')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, 'infinity')}", "0"),
		p("EVAL", "cjson.decode_invalid_numbers(false) local r = {pcall(cjson.decode, '[0x10]')} r[3] = select(2, pcall(cjson.decode, 'nan')) r[4] = select(2, pcall(cjson.decode, '+1')) r[5] = select(2, pcall(cjson.decode, '[01]')) cjson.decode_invalid_numbers(true) return r", "0"),
		p("EVAL", "return {pcall(cjson.decode, '[1.]')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '.5')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '1e')}", "0"),
		p("EVAL", "return cjson.encode(cjson.decode('{\"a\":{\"b\":[1,2,{\"c\":null}]},\"d\":\"x\"}').a)", "0"),
		p("EVAL", "return {pcall(cjson.decode, '[1,\\t2,\\f3]')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '\"tab\\there\"')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '0x1p4')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '[nan(abc)]')}", "0"),
		p("EVAL", "return {pcall(cjson.decode, '1.5e+')}", "0"),
		p("EVAL", luatclJSON, "0"), p("EVAL", "return cjson.encode_keep_buffer(true)", "0"),
	)
	addFidelity("luatcl acl_check_cmd",
		p("EVAL", "return redis.acl_check_cmd('set','xx',1)", "0"), p("EVAL", "return redis.acl_check_cmd()", "0"),
		p("EVAL", "return redis.acl_check_cmd('invalid-cmd','arg')", "0"),
		p("EVAL", "return {pcall(redis.acl_check_cmd, 'nosuch')}", "0"), p("EVAL", "return {pcall(redis.acl_check_cmd)}", "0"),
		p("EVAL", "return redis.acl_check_cmd('config')", "0"), p("EVAL", "return redis.acl_check_cmd('config','nosuch')", "0"),
		p("EVAL", "return redis.acl_check_cmd({})", "0"), p("EVAL", "return redis.acl_check_cmd('get','a','b','c')", "0"),
		p("ACL", "SETUSER", "bob", "on", ">123", "+@scripting", "+set", "+publish", "~x*", "&ch*"), p("AUTH", "bob", "123"),
		p("EVAL", "return redis.acl_check_cmd('set','xx',1)", "1", "xx"),
		p("EVAL", "return redis.acl_check_cmd('hset','xx','f',1)", "1", "xx"),
		p("EVAL", "return redis.acl_check_cmd('set','yy',1)", "0"),
		p("EVAL", "return redis.acl_check_cmd('SET','xy',1)", "0"),
		p("EVAL", "return redis.acl_check_cmd('publish','chan','m')", "0"),
		p("EVAL", "return redis.acl_check_cmd('publish','other','m')", "0"),
		p("EVAL", "return redis.acl_check_cmd('invalid-cmd','arg')", "0"),
		p("FCALL", "nosuch", "0"), p("AUTH", "default", "x"), p("ACL", "DELUSER", "bob"),
	)
	addFidelity("luatcl stdlib",
		p("EVAL", "return {pcall(math.max)}", "0"),
		p("EVAL", "return {pcall(math.min)}", "0"),
		p("EVAL", "return math.max()", "0"),
		p("EVAL", "return {pcall(tonumber, '10', 99)}", "0"),
		p("EVAL", "return tonumber('10', 99)", "0"),
		p("EVAL", "return {pcall(tonumber, '10', 1)}", "0"),
		p("EVAL", "return {pcall(rawset, {}, nil, 1)}", "0"),
		p("EVAL", "return rawset({}, nil, 1)", "0"),
		p("EVAL", "return {pcall(rawset, {}, 0/0, 1)}", "0"),
		p("EVAL", "return {pcall(next, {}, 'nokey')}", "0"),
		p("EVAL", "return next({a=1}, 'b')", "0"),
		p("EVAL", "return {pcall(table.insert, {}, 1, 2, 3)}", "0"),
		p("EVAL", "return table.insert({}, 1, 2, 3)", "0"),
		p("EVAL", "return {pcall(table.insert, {})}", "0"),
		p("EVAL", "return {pcall(string.char, 256)}", "0"),
		p("EVAL", "return string.char(256)", "0"),
		p("EVAL", "return {pcall(string.char, -1)}", "0"),
		p("EVAL", "return {pcall(select, 'x')}", "0"),
		p("EVAL", "return select('x')", "0"),
		p("EVAL", "return {pcall(select, 0)}", "0"),
		p("EVAL", "return {pcall(select, -5, 1)}", "0"),
		p("EVAL", "return {pcall(table.concat, {1, {}, 3})}", "0"),
		p("EVAL", "return table.concat({1, {}, 3})", "0"),
		p("EVAL", "return {pcall(table.concat, {1, 2}, {})}", "0"),
		p("EVAL", "return {pcall(table.concat, {'a', true})}", "0"),
		p("EVAL", "return {pcall(rawset, {}, 1)}", "0"),
		p("EVAL", "return {pcall(tonumber)}", "0"),
		p("EVAL", "return tonumber('z', 36)", "0"),
		p("EVAL", "return {pcall(tonumber, 'ff', 16.5)}", "0"),
		p("EVAL", "return {pcall(math.floor)}", "0"),
		p("EVAL", "return {pcall(table.insert, {}, 'x', 1)}", "0"),
		p("EVAL", "local t = {a=1, b=2, c=3, 10, 20} local n = 0 for k, v in pairs(t) do t[k] = nil n = n + 1 end return {n, next(t)}", "0"),
		p("EVAL", "local t = {1,2,3} t[2] = nil return {next(t, 2)}", "0"),
		p("EVAL", "local t = {a=1} t.a = nil return {pcall(next, t, 'a')}", "0"),
		p("EVAL", "return {pcall(next, {1,2}, 3)}", "0"),
		p("EVAL", "return {pcall(next, {1,2}, 1.5)}", "0"),
		p("EVAL", "return {next({1,2}, 2)}", "0"),
		p("EVAL", "return {tonumber('ff', 16), tonumber('10', 2), tonumber('z', 36), tonumber(' 12 '), tonumber('1e1', 10), tonumber('8', 8)}", "0"),
		p("EVAL", "return {pcall(tonumber, 10, 16)}", "0"),
		p("EVAL", "return {pcall(tonumber, {}, 16)}", "0"),
		p("EVAL", "return string.char(72, 105, '33')", "0"),
		p("EVAL", "return {pcall(string.char, 'x')}", "0"),
		p("EVAL", "return {select('#', 1, 2, 3), select('2', 'a', 'b')}", "0"),
		p("EVAL", "return table.concat({1, 2, 3, 4}, '-', 2, 3)", "0"),
		p("EVAL", "return {pcall(table.concat, {1, 2}, '-', 1, 5)}", "0"),
		p("EVAL", "return {pcall(table.concat, {}, {})}", "0"),
		p("EVAL", "return {pcall(table.concat, 5)}", "0"),
		p("EVAL", "local t = {} table.insert(t, 'a') table.insert(t, 1, 'b') return t", "0"),
		p("EVAL", "return {pcall(table.insert, 5, 1)}", "0"),
		p("EVAL", "return {pcall(table.insert, {}, 1, 2, 3, 4)}", "0"),
		p("EVAL", "return {math.max(1, 5, 3), math.min(4, 2, 8)}", "0"),
		p("EVAL", "return {pcall(math.max, 1, 'x')}", "0"),
		p("EVAL", "return {pcall(math.max, 'x')}", "0"),
		p("EVAL", "return {pcall(rawset, {}, 1)}", "0"),
		p("EVAL", "return {pcall(rawset, 5, 1, 2)}", "0"),
		p("EVAL", "local t = rawset({}, 'a', 1) return t.a", "0"),
		p("EVAL", "return {math.max('5', 3), math.min(2, '1')}", "0"),
		p("EVAL", "return {tonumber('10', '16'), tonumber('z', 10), tonumber(nil)}", "0"),
		p("EVAL", "return {pcall(tonumber)}", "0"),
		p("EVAL", "return {pcall(tonumber, 'ff', 'x')}", "0"),
		p("EVAL", "return {tonumber('0x10'), tonumber('0x10', 10), tonumber('0x10', 16)}", "0"),
		p("EVAL", "return {tonumber('1e1'), tonumber('1e1', 10), tonumber(' 0x1A ', 16), tonumber('-1', 16), tonumber('0x', 16), tonumber('1 2', 16)}", "0"),
		p("EVAL", "return {tonumber('1E2'), tonumber(' 7 ', 8), tonumber('zz', 36), tonumber('+5', 7), tonumber('99999999999999999999999', 16), tonumber(''), tonumber('', 16)}", "0"),
		p("EVAL", "return {tonumber(5), tonumber(true), tonumber({})}", "0"),
	)
	addFidelity("luatcl string.dump",
		p("EVAL", "return loadstring(string.dump(function() return 1 end))()", "0"),
		p("EVAL", "local f, e = loadstring(string.dump(function() return 1 end)) return {type(f), e}", "0"),
		p("EVAL", "return {pcall(load, string.dump(function() return 1 end))}", "0"),
		p("EVAL", "return string.dump(function() return 1 end):sub(1,12)", "0"),
		p("EVAL", "return string.dump()", "0"), p("EVAL", "return string.dump(1)", "0"),
		p("EVAL", "return string.dump(string.len)", "0"), p("EVAL", "return {pcall(string.dump, string.len)}", "0"),
		p("EVAL", "local f, e = loadstring('a\\0b c') return {type(f), e}", "0"),
		p("FUNCTION", "LOAD", "#!lua name=dumplib\nredis.register_function('f', function() return loadstring(string.dump(function() return 1 end))() end)"),
		p("FCALL", "f", "0"), p("FUNCTION", "FLUSH"),
	)
}
