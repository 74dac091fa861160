package lua

import (
	"context"
	"strings"
	"testing"

	"github.com/ringkv/ringkv/resp"
)

// Cases from Redis 7.0.15's unit/scripting Tcl suite, with the replies
// redis-server 7.0.15 gives (recorded by evaluating each body there).

// msgpackSmoke is the script of "EVAL - cmsgpack pack/unpack smoke test".
const msgpackSmoke = `
local str_lt_32 = string.rep("x", 30)
local str_lt_255 = string.rep("x", 250)
local str_lt_65535 = string.rep("x", 65530)
local str_long = string.rep("x", 100000)
local array_lt_15 = {1, 2, 3, 4, 5}
local array_lt_65535 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}
local array_big = {}
for i=1, 100000 do array_big[i] = i end
local map_lt_15 = {a=1, b=2}
local map_big = {}
for i=1, 100000 do map_big[tostring(i)] = i end
local some_map = {s1=str_lt_32, s2=str_lt_255, s3=str_lt_65535, s4=str_long, d1=0.1,
    i1=1, i2=250, i3=65530, i4=100000, i5=2^40, i6=-1, i7=-120, i8=-32000, i9=-100000,
    i10=-3147483648, a1=array_lt_15, a2=array_lt_65535, a3=array_big, m1=map_lt_15,
    m2=map_big, b1=false, b2=true, n=nil}
local encoded = cmsgpack.pack(some_map)
local decoded = cmsgpack.unpack(encoded)
assert(table.concat(some_map) == table.concat(decoded))
local offset, decoded_one = cmsgpack.unpack_one(encoded, 0)
assert(table.concat(some_map) == table.concat(decoded_one))
assert(offset == -1)
local encoded_multiple = cmsgpack.pack(str_lt_32, str_lt_255, str_lt_65535, str_long)
local offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, 0)
assert(obj == str_lt_32)
offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
assert(obj == str_lt_255)
offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
assert(obj == str_lt_65535)
offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
assert(obj == str_long)
assert(offset == -1)
return decoded.i10 .. ' ' .. #decoded.a3 .. ' ' .. decoded.m2['99999'] .. ' ' .. decoded.i5`

// TestMsgpackUnpackOffsets checks cmsgpack.unpack_one and unpack_limit:
// the offset of the next value first, -1 once the input is used up.
func TestMsgpackUnpackOffsets(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct{ body, want string }{
		{"local s=cmsgpack.pack(1,'ab',{1,2}) return {cmsgpack.unpack_one(s)}", "*2\r\n:1\r\n:1\r\n"},
		{"local s=cmsgpack.pack(1,'ab',{1,2}) return {cmsgpack.unpack_one(s, 1)}", "*2\r\n:4\r\n$2\r\nab\r\n"},
		{"local s=cmsgpack.pack(1,'ab',{1,2}) return {cmsgpack.unpack_limit(s,2,1)}", "*3\r\n:-1\r\n$2\r\nab\r\n*2\r\n:1\r\n:2\r\n"},
		{"local s=cmsgpack.pack(1,'ab',{1,2}) return {cmsgpack.unpack_limit(s,5,10)}", "-ERR user_script:1: Start offset 10 greater than input length 7. script: d04e334480d469aab93da938db8153b634054fa0, on @user_script:1.\r\n"},
		{"local s=cmsgpack.pack(1,'ab',{1,2}) return {cmsgpack.unpack_limit(s,-1)}", "-ERR user_script:1: Invalid request to unpack with offset of 0 and limit of 7. script: d654492e11c5b517fe8c65ec821400621a25bb41, on @user_script:1.\r\n"},
		{"return {cmsgpack.unpack_limit(cmsgpack.pack(1,2),0,0)}", "*2\r\n:1\r\n:2\r\n"},
		{"return {cmsgpack.unpack_limit(cmsgpack.pack(1,2),0,1)}", "*1\r\n:1\r\n"},
		{"return {pcall(cmsgpack.unpack, '\\193')}", "*2\r\n$-1\r\n$25\r\nBad data format in input.\r\n"},
		{"return {pcall(cmsgpack.unpack, '\\146\\1')}", "*2\r\n$-1\r\n$23\r\nMissing bytes in input.\r\n"},
		{"return {pcall(cmsgpack.unpack, '\\146\\1\\193')}", "*2\r\n$-1\r\n$25\r\nBad data format in input.\r\n"},
		{"return {pcall(cmsgpack.unpack, '\\129\\193\\1')}", "*2\r\n$-1\r\n$25\r\nBad data format in input.\r\n"},
		{"return {cmsgpack.unpack('\\199\\1\\1x')}", "-ERR user_script:1: Bad data format in input. script: b54fc2755a60d1648e86a6499f1a368d30f31505, on @user_script:1.\r\n"},
		{"return cmsgpack.unpack('\\146\\1')", "-ERR user_script:1: Missing bytes in input. script: a554dbe54e9b5e6d26753c722e2cef5aded0e5e2, on @user_script:1.\r\n"},
		{"return {pcall(cmsgpack.unpack_one, '\\1\\193', 1)}", "*2\r\n$-1\r\n$25\r\nBad data format in input.\r\n"},
		{"return {pcall(cmsgpack.unpack_limit, '\\1\\2', -1)}", "*2\r\n$-1\r\n$58\r\nInvalid request to unpack with offset of 0 and limit of 2.\r\n"},
		{"return cmsgpack.pack()", "-ERR user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.) script: 6bc235afa55de88253e203cc5fe5844792e25209, on @user_script:1.\r\n"},
		{"return {pcall(cmsgpack.pack)}", "*2\r\n$-1\r\n$54\r\nbad argument #0 to '?' (MessagePack pack needs input.)\r\n"},
		{msgpackSmoke, "$38\r\n-3147483648 100000 99999 1099511627776\r\n"},
	} {
		if got := eval(t, e, tc.body); got != tc.want {
			t.Errorf("eval %.60q = %.300q, want %q", tc.body, got, tc.want)
		}
	}
}

// TestStringDump checks string.dump and that no script can load what it
// returns (Redis 7.0 compiles every chunk as text): Redis's "Binary code
// loading failed".
func TestStringDump(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct{ body, want string }{
		{"return loadstring(string.dump(function() return 1 end))()", "-ERR user_script:1: attempt to call a nil value script: 5dcb142d767eb350dbcc8f0ae66433b0e227f5a2, on @user_script:1.\r\n"},
		{"local f, e = loadstring(string.dump(function() return 1 end)) return {type(f), e}", "*2\r\n$3\r\nnil\r\n$53\r\n[string \"\x1bLuaQ\"]:1: unexpected symbol near 'char(27)'\r\n"},
		{"return {pcall(load, string.dump(function() return 1 end))}", "*2\r\n$-1\r\n$54\r\nbad argument #1 to '?' (function expected, got string)\r\n"},
		{"return string.dump(function() return 1 end):sub(1,12)", "$12\r\n\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00\r\n"},
		{"return string.dump()", "-ERR user_script:1: bad argument #1 to 'dump' (function expected, got no value) script: f6f89321fe3fc90b362a46b2128faf1ba76b551d, on @user_script:1.\r\n"},
		{"return string.dump(1)", "-ERR user_script:1: bad argument #1 to 'dump' (function expected, got number) script: 4c97869af2501812f52da8ae0d93a7a171f824d7, on @user_script:1.\r\n"},
		{"return string.dump(string.len)", "-ERR user_script:1: unable to dump given function script: 61caefb6348789ae134e499efb132676087d04bd, on @user_script:1.\r\n"},
		{"return {pcall(string.dump, string.len)}", "*2\r\n$-1\r\n$29\r\nunable to dump given function\r\n"},
		{"local f, e = loadstring('a\\0b c') return {type(f), e}", "*2\r\n$3\r\nnil\r\n$28\r\n[string \"a\"]:1: '=' expected\r\n"},
	} {
		if got := eval(t, e, tc.body); got != tc.want {
			t.Errorf("eval %.60q = %.300q, want %q", tc.body, got, tc.want)
		}
	}
}

// aclCaller is a Caller whose user may run SET on keys starting with x.
type aclCaller struct{ *fakeCaller }

func (aclCaller) ACLCheckCmd(args [][]byte) (allowed, known bool) {
	switch strings.ToLower(string(args[0])) {
	case "set":
		return len(args) > 1 && strings.HasPrefix(string(args[1]), "x"), true
	case "hset", "get":
		return false, true
	}
	return false, false
}

// TestACLCheckCmd checks redis.acl_check_cmd (Redis's "Script ACL check"):
// the Caller's answer as a boolean, an unknown command and bad arguments
// raised with Redis's texts.
func TestACLCheckCmd(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct{ body, want string }{
		{"return redis.acl_check_cmd('set','xx',1)", ":1\r\n"},
		{"return redis.acl_check_cmd('hset','xx','f',1)", "$-1\r\n"},
		{"return redis.acl_check_cmd('set','yy',1)", "$-1\r\n"},
		{"return redis.acl_check_cmd('invalid-cmd','arg')", "-ERR Invalid command passed to redis.acl_check_cmd() script: a12d971d2c3928485c1688dce89f9c4972f603f6, on @user_script:1.\r\n"},
		{"return {pcall(redis.acl_check_cmd, 'nosuch')}", "*2\r\n$-1\r\n$51\r\nERR Invalid command passed to redis.acl_check_cmd()\r\n"},
		{"return redis.acl_check_cmd()", "-ERR Please specify at least one argument for this redis lib call script: 1124f33ad66e7866b4e0c1499a4c20fb5eb9c180, on @user_script:1.\r\n"},
		{"return redis.acl_check_cmd({})", "-ERR Lua redis lib command arguments must be strings or integers script: 8b3d233cc233d15538b743edd3bc4603509e4325, on @user_script:1.\r\n"},
	} {
		s, err := Compile([]byte(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		r := e.Eval(context.Background(), s, Call{Caller: aclCaller{newFake()}, Proto: 2})
		if got := string(resp.Append(nil, r, 2)); got != tc.want {
			t.Errorf("eval %.60q = %.300q, want %q", tc.body, got, tc.want)
		}
	}
}

// TestCJSONConfig checks lua-cjson 2.1's configuration functions (depth
// limits, NaN and Inf, sparse arrays, precision, cjson.new) and Redis's
// "EVAL - JSON smoke test" script (the last but one case).
func TestCJSONConfig(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct{ body, want string }{
		{"return cjson.encode_max_depth()", ":1000\r\n"},
		{"return {cjson.encode_sparse_array()}", "*3\r\n$-1\r\n:2\r\n:10\r\n"},
		{"return {cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers(), cjson.encode_keep_buffer(), cjson.encode_number_precision(), cjson.decode_max_depth()}", "*5\r\n$-1\r\n:1\r\n:1\r\n:14\r\n:1000\r\n"},
		{"local r = cjson.encode_invalid_numbers('null') cjson.encode_invalid_numbers(false) return r", "$4\r\nnull\r\n"},
		{"return cjson.encode_invalid_numbers('x')", "-ERR user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option 'x') script: d0919eb606ab1137a838c04117daa31f83784e6f, on @user_script:1.\r\n"},
		{"return cjson.encode_invalid_numbers({})", "-ERR user_script:1: bad argument #1 to 'encode_invalid_numbers' (string expected, got table) script: 0e36dc2a3a9c54f621a0ce6a0fef7557a16972bc, on @user_script:1.\r\n"},
		{"return cjson.encode_max_depth(0)", "-ERR user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647) script: f40da52b0819d675b8802812b1c4504462426d31, on @user_script:1.\r\n"},
		{"return cjson.encode_max_depth(1,2)", "-ERR user_script:1: bad argument #2 to 'encode_max_depth' (found too many arguments) script: 5c43c48e7e76822fc2893cb1a56ce410492db058, on @user_script:1.\r\n"},
		{"return cjson.encode_max_depth('a')", "-ERR user_script:1: bad argument #1 to 'encode_max_depth' (number expected, got string) script: ea50211652384d93f02937c2f02ea0414c8690bb, on @user_script:1.\r\n"},
		{"local r = cjson.encode_max_depth('7') cjson.encode_max_depth(1000) return r", ":7\r\n"},
		{"return cjson.encode_number_precision(15)", "-ERR user_script:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14) script: bbd9450de606b026b51b67e7b961ff09397ea6dd, on @user_script:1.\r\n"},
		{"return cjson.encode_sparse_array(1,2,3,4)", "-ERR user_script:1: bad argument #4 to 'encode_sparse_array' (found too many arguments) script: 1c2f56e5d022b071c2ad24dfe4ba558c7a4205f2, on @user_script:1.\r\n"},
		{"return cjson.encode({[false]=1})", "-ERR user_script:1: Cannot serialise boolean: table key must be a number or string script: 3888fd4da9de5edc2de47ad6e74002c425e82a7c, on @user_script:1.\r\n"},
		{"return {pcall(cjson.encode, {[false]=1})}", "*2\r\n$-1\r\n$62\r\nCannot serialise boolean: table key must be a number or string\r\n"},
		{"return {pcall(cjson.encode, {0/0})}", "*2\r\n$-1\r\n$47\r\nCannot serialise number: must not be NaN or Inf\r\n"},
		{"cjson.encode_max_depth(1) local ok, e = pcall(cjson.encode, {a={}}) cjson.encode_max_depth(1000) return e", "$39\r\nCannot serialise, excessive nesting (2)\r\n"},
		{"cjson.encode_max_depth(2) local ok, e = pcall(cjson.encode, {{1}, {{}}}) cjson.encode_max_depth(1000) return e", "$39\r\nCannot serialise, excessive nesting (3)\r\n"},
		{"cjson.decode_max_depth(1) local ok, e = pcall(cjson.decode, '{\"obj\": {\"array\": [1,2,3,4]}}') cjson.decode_max_depth(1000) return e", "$56\r\nFound too many nested data structures (2) at character 9\r\n"},
		{"cjson.decode_max_depth(2) local ok, e = pcall(cjson.decode, ' [ [  [1]]]') cjson.decode_max_depth(1000) return e", "$56\r\nFound too many nested data structures (3) at character 7\r\n"},
		{"cjson.encode_invalid_numbers(true) local r = cjson.encode({0/0, 1/0, -1/0}) cjson.encode_invalid_numbers(false) return r", "$14\r\n[nan,inf,-inf]\r\n"},
		{"cjson.encode_invalid_numbers('null') local r = cjson.encode({0/0, 1/0, -1/0, [1/0]=1}) cjson.encode_invalid_numbers(false) return r", "$37\r\n{\"1\":null,\"2\":null,\"3\":null,\"null\":1}\r\n"},
		{"local c = cjson.new() c.encode_max_depth(1) return {pcall(c.encode, {{}}), cjson.encode_max_depth()}", "*2\r\n$-1\r\n:1000\r\n"},
		{"return cjson.new().null == cjson.null", ":1\r\n"},
		{"cjson.encode_sparse_array(true) local r = cjson.encode({[1]=1, [100]=2}) cjson.encode_sparse_array(false) return r", "$15\r\n{\"1\":1,\"100\":2}\r\n"},
		{"local r = {cjson.encode_sparse_array(false, 0, 0)} r[4] = cjson.encode({[1]=1, [100]=2}) cjson.encode_sparse_array(false, 2, 10) return r", "*4\r\n$-1\r\n:0\r\n:0\r\n$495\r\n[1,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,null,2]\r\n"},
		{"local r = {cjson.encode_sparse_array('on', 3)} cjson.encode_sparse_array('off', 2) return r", "*3\r\n:1\r\n:3\r\n:10\r\n"},
		{"local r = {cjson.encode_keep_buffer('off')} r[2] = cjson.encode({1}) cjson.encode_keep_buffer(true) return r", "*2\r\n$-1\r\n$3\r\n[1]\r\n"},
		{"cjson.encode_number_precision(3) local r = cjson.encode({1/3, 12345, [5]=1e20}) cjson.encode_number_precision(14) return r", "$32\r\n[0.333,1.23e+04,null,null,1e+20]\r\n"},
		{"return cjson.decode('{\"a\":[1,{\"b\":null}]}').a[2].b == cjson.null", ":1\r\n"},
		{"return cjson.decode('1', 2)", "-ERR user_script:1: bad argument #1 to 'decode' (expected 1 argument) script: 4dee7eb34084cb8ce8cae2b2931531f03a96ba30, on @user_script:1.\r\n"},
		{"return cjson.encode({[2]=1,[3]=2})", "$10\r\n[null,1,2]\r\n"},
		{"            local some_map = {\n                s1=\"Some string\",\n                n1=100,\n                a1={\"Some\",\"String\",\"Array\"},\n                nil1=nil,\n                b1=true,\n                b2=false}\n            local encoded = cjson.encode(some_map)\n            local decoded = cjson.decode(encoded)\n            assert(table.concat(some_map) == table.concat(decoded))\n\n            cjson.encode_keep_buffer(false)\n            encoded = cjson.encode(some_map)\n            decoded = cjson.decode(encoded)\n            assert(table.concat(some_map) == table.concat(decoded))\n\n            -- Table with numeric keys\n            local table1 = {one=\"one\", [1]=\"one\"}\n            encoded = cjson.encode(table1)\n            decoded = cjson.decode(encoded)\n            assert(decoded[\"one\"] == table1[\"one\"])\n            assert(decoded[\"1\"] == table1[1])\n\n            -- Array\n            local array1 = {[1]=\"one\", [2]=\"two\"}\n            encoded = cjson.encode(array1)\n            decoded = cjson.decode(encoded)\n            assert(table.concat(array1) == table.concat(decoded))\n\n            -- Invalid keys\n            local invalid_map = {}\n            invalid_map[false] = \"false\"\n            local ok, encoded = pcall(cjson.encode, invalid_map)\n            assert(ok == false)\n\n            -- Max depth\n            cjson.encode_max_depth(1)\n            ok, encoded = pcall(cjson.encode, some_map)\n            assert(ok == false)\n\n            cjson.decode_max_depth(1)\n            ok, decoded = pcall(cjson.decode, '{\"obj\": {\"array\": [1,2,3,4]}}')\n            assert(ok == false)\n\n            -- Invalid numbers\n            ok, encoded = pcall(cjson.encode, {num1=0/0})\n            assert(ok == false)\n            cjson.encode_invalid_numbers(true)\n            ok, encoded = pcall(cjson.encode, {num1=0/0})\n            assert(ok == true)\n\n            -- Restore defaults\n            cjson.decode_max_depth(1000)\n            cjson.encode_max_depth(1000)\n            cjson.encode_invalid_numbers(false)", "$-1\r\n"},
		{"return cjson.encode_keep_buffer()", "$-1\r\n"},
	} {
		if got := eval(t, e, tc.body); got != tc.want {
			t.Errorf("eval %.60q = %.300q, want %q", tc.body, got, tc.want)
		}
	}
}

// TestStdlibLua51 checks library functions whose argument checks and
// error texts gopher-lua has differently from Lua 5.1 (math.max,
// tonumber's base, rawset's index, next's key, table.insert's arity,
// string.char's range, select, table.concat), called and under pcall.
func TestStdlibLua51(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct{ body, want string }{
		{"return {pcall(math.max)}", "*2\r\n$-1\r\n$54\r\nbad argument #1 to '?' (number expected, got no value)\r\n"},
		{"return {pcall(math.min)}", "*2\r\n$-1\r\n$54\r\nbad argument #1 to '?' (number expected, got no value)\r\n"},
		{"return math.max()", "-ERR user_script:1: bad argument #1 to 'max' (number expected, got no value) script: ea184ab21d1cc115e2cbb27490136c9d0e484013, on @user_script:1.\r\n"},
		{"return {pcall(tonumber, '10', 99)}", "*2\r\n$-1\r\n$42\r\nbad argument #2 to '?' (base out of range)\r\n"},
		{"return tonumber('10', 99)", "-ERR user_script:1: bad argument #2 to 'tonumber' (base out of range) script: c21237bd39e069a33c1baecec97d622d97440579, on @user_script:1.\r\n"},
		{"return {pcall(tonumber, '10', 1)}", "*2\r\n$-1\r\n$42\r\nbad argument #2 to '?' (base out of range)\r\n"},
		{"return {pcall(rawset, {}, nil, 1)}", "*2\r\n$-1\r\n$18\r\ntable index is nil\r\n"},
		{"return rawset({}, nil, 1)", "-ERR table index is nil script: 5896009464192fbab25680c7f3a63b35ca0d9242, on @user_script:1.\r\n"},
		{"return {pcall(rawset, {}, 0/0, 1)}", "*2\r\n$-1\r\n$18\r\ntable index is NaN\r\n"},
		{"return {pcall(next, {}, 'nokey')}", "*2\r\n$-1\r\n$21\r\ninvalid key to 'next'\r\n"},
		{"return next({a=1}, 'b')", "-ERR invalid key to 'next' script: 11de6233cccc5515a554c6f1f3de3eda6251d517, on @user_script:1.\r\n"},
		{"return {pcall(table.insert, {}, 1, 2, 3)}", "*2\r\n$-1\r\n$37\r\nwrong number of arguments to 'insert'\r\n"},
		{"return table.insert({}, 1, 2, 3)", "-ERR user_script:1: wrong number of arguments to 'insert' script: 23d104d901364527d93721191e9f4f0f956e3669, on @user_script:1.\r\n"},
		{"return {pcall(table.insert, {})}", "*2\r\n$-1\r\n$37\r\nwrong number of arguments to 'insert'\r\n"},
		{"return {pcall(string.char, 256)}", "*2\r\n$-1\r\n$38\r\nbad argument #1 to '?' (invalid value)\r\n"},
		{"return string.char(256)", "-ERR user_script:1: bad argument #1 to 'char' (invalid value) script: 3d9288df94e38fc1669acdaeb8b94be37e5c7bf8, on @user_script:1.\r\n"},
		{"return {pcall(string.char, -1)}", "*2\r\n$-1\r\n$38\r\nbad argument #1 to '?' (invalid value)\r\n"},
		{"return {pcall(select, 'x')}", "*2\r\n$-1\r\n$52\r\nbad argument #1 to '?' (number expected, got string)\r\n"},
		{"return select('x')", "-ERR user_script:1: bad argument #1 to 'select' (number expected, got string) script: 2af4846903bd955d5eb3fdcb3daa10de9ac54339, on @user_script:1.\r\n"},
		{"return {pcall(select, 0)}", "*2\r\n$-1\r\n$43\r\nbad argument #1 to '?' (index out of range)\r\n"},
		{"return {pcall(select, -5, 1)}", "*2\r\n$-1\r\n$43\r\nbad argument #1 to '?' (index out of range)\r\n"},
		{"return {pcall(table.concat, {1, {}, 3})}", "*2\r\n$-1\r\n$54\r\ninvalid value (table) at index 2 in table for 'concat'\r\n"},
		{"return table.concat({1, {}, 3})", "-ERR user_script:1: invalid value (table) at index 2 in table for 'concat' script: 1256855af13e156c2831028e4a486ab1d403bde8, on @user_script:1.\r\n"},
		{"return {pcall(table.concat, {1, 2}, {})}", "*2\r\n$-1\r\n$51\r\nbad argument #2 to '?' (string expected, got table)\r\n"},
		{"return {pcall(table.concat, {'a', true})}", "*2\r\n$-1\r\n$56\r\ninvalid value (boolean) at index 2 in table for 'concat'\r\n"},
		{"return {pcall(rawset, {}, 1)}", "*2\r\n$-1\r\n$39\r\nbad argument #3 to '?' (value expected)\r\n"},
		{"return {pcall(tonumber)}", "*2\r\n$-1\r\n$39\r\nbad argument #1 to '?' (value expected)\r\n"},
		{"return tonumber('z', 36)", ":35\r\n"},
		{"return {pcall(tonumber, 'ff', 16.5)}", "*2\r\n:1\r\n:255\r\n"},
		{"return {pcall(math.floor)}", "*2\r\n$-1\r\n$54\r\nbad argument #1 to '?' (number expected, got no value)\r\n"},
		{"return {pcall(table.insert, {}, 'x', 1)}", "*2\r\n$-1\r\n$52\r\nbad argument #2 to '?' (number expected, got string)\r\n"},
		{"local t = {a=1, b=2, c=3, 10, 20} local n = 0 for k, v in pairs(t) do t[k] = nil n = n + 1 end return {n, next(t)}", "*1\r\n:5\r\n"},
		{"local t = {1,2,3} t[2] = nil return {next(t, 2)}", "*2\r\n:3\r\n:3\r\n"},
		{"local t = {a=1} t.a = nil return {pcall(next, t, 'a')}", "*1\r\n:1\r\n"},
		{"return {pcall(next, {1,2}, 3)}", "*2\r\n$-1\r\n$21\r\ninvalid key to 'next'\r\n"},
		{"return {pcall(next, {1,2}, 1.5)}", "*2\r\n$-1\r\n$21\r\ninvalid key to 'next'\r\n"},
		{"return {next({1,2}, 2)}", "*0\r\n"},
		{"return {tonumber('ff', 16), tonumber('10', 2), tonumber('z', 36), tonumber(' 12 '), tonumber('1e1', 10), tonumber('8', 8)}", "*5\r\n:255\r\n:2\r\n:35\r\n:12\r\n:10\r\n"},
		{"return {pcall(tonumber, 10, 16)}", "*2\r\n:1\r\n:16\r\n"},
		{"return {pcall(tonumber, {}, 16)}", "*2\r\n$-1\r\n$51\r\nbad argument #1 to '?' (string expected, got table)\r\n"},
		{"return string.char(72, 105, '33')", "$3\r\nHi!\r\n"},
		{"return {pcall(string.char, 'x')}", "*2\r\n$-1\r\n$52\r\nbad argument #1 to '?' (number expected, got string)\r\n"},
		{"return {select('#', 1, 2, 3), select('2', 'a', 'b')}", "*2\r\n:3\r\n$1\r\nb\r\n"},
		{"return table.concat({1, 2, 3, 4}, '-', 2, 3)", "$3\r\n2-3\r\n"},
		{"return {pcall(table.concat, {1, 2}, '-', 1, 5)}", "*2\r\n$-1\r\n$52\r\ninvalid value (nil) at index 3 in table for 'concat'\r\n"},
		{"return {pcall(table.concat, {}, {})}", "*2\r\n$-1\r\n$51\r\nbad argument #2 to '?' (string expected, got table)\r\n"},
		{"return {pcall(table.concat, 5)}", "*2\r\n$-1\r\n$51\r\nbad argument #1 to '?' (table expected, got number)\r\n"},
		{"local t = {} table.insert(t, 'a') table.insert(t, 1, 'b') return t", "*2\r\n$1\r\nb\r\n$1\r\na\r\n"},
		{"return {pcall(table.insert, 5, 1)}", "*2\r\n$-1\r\n$51\r\nbad argument #1 to '?' (table expected, got number)\r\n"},
		{"return {pcall(table.insert, {}, 1, 2, 3, 4)}", "*2\r\n$-1\r\n$37\r\nwrong number of arguments to 'insert'\r\n"},
		{"return {math.max(1, 5, 3), math.min(4, 2, 8)}", "*2\r\n:5\r\n:2\r\n"},
		{"return {pcall(math.max, 1, 'x')}", "*2\r\n$-1\r\n$52\r\nbad argument #2 to '?' (number expected, got string)\r\n"},
		{"return {pcall(math.max, 'x')}", "*2\r\n$-1\r\n$52\r\nbad argument #1 to '?' (number expected, got string)\r\n"},
		{"return {pcall(rawset, {}, 1)}", "*2\r\n$-1\r\n$39\r\nbad argument #3 to '?' (value expected)\r\n"},
		{"return {pcall(rawset, 5, 1, 2)}", "*2\r\n$-1\r\n$51\r\nbad argument #1 to '?' (table expected, got number)\r\n"},
		{"local t = rawset({}, 'a', 1) return t.a", ":1\r\n"},
		{"return {math.max('5', 3), math.min(2, '1')}", "*2\r\n:5\r\n:1\r\n"},
		{"return {tonumber('10', '16'), tonumber('z', 10), tonumber(nil)}", "*1\r\n:16\r\n"},
		{"return {pcall(tonumber)}", "*2\r\n$-1\r\n$39\r\nbad argument #1 to '?' (value expected)\r\n"},
		{"return {pcall(tonumber, 'ff', 'x')}", "*2\r\n$-1\r\n$52\r\nbad argument #2 to '?' (number expected, got string)\r\n"},
		{"return {tonumber('0x10'), tonumber('0x10', 10), tonumber('0x10', 16)}", "*3\r\n:16\r\n:16\r\n:16\r\n"},
		{"return {tonumber('1e1'), tonumber('1e1', 10), tonumber(' 0x1A ', 16), tonumber('-1', 16), tonumber('0x', 16), tonumber('1 2', 16)}", "*4\r\n:10\r\n:10\r\n:26\r\n:-9223372036854775808\r\n"},
		{"return {tonumber('1E2'), tonumber(' 7 ', 8), tonumber('zz', 36), tonumber('+5', 7), tonumber('99999999999999999999999', 16), tonumber(''), tonumber('', 16)}", "*5\r\n:100\r\n:7\r\n:1295\r\n:5\r\n:-9223372036854775808\r\n"},
		{"return {tonumber(5), tonumber(true), tonumber({})}", "*1\r\n:5\r\n"},
	} {
		if got := eval(t, e, tc.body); got != tc.want {
			t.Errorf("eval %.60q = %.300q, want %q", tc.body, got, tc.want)
		}
	}
}

// TestCJSONDecode checks cjson.decode as lua-cjson 2.1's: hex, inf and
// nan numbers (decode_invalid_numbers), strtod's forms, string escapes
// and surrogate pairs, and its error texts with the token and position.
func TestCJSONDecode(t *testing.T) {
	e := New(Config{})
	for _, tc := range []struct{ body, want string }{
		{"return {pcall(cjson.decode, '[0x10, nan, inf, -inf, 1e400]')}", "*2\r\n:1\r\n*5\r\n:16\r\n:-9223372036854775808\r\n:-9223372036854775808\r\n:-9223372036854775808\r\n:-9223372036854775808\r\n"},
		{"return cjson.encode(cjson.decode('[0x10, -0X1f, 1e2, 0.5e-1, 007, +5, -Infinity, 1e400]'))", "-ERR user_script:1: Cannot serialise number: must not be NaN or Inf script: 281fe57f9fe79ed0ae4e86b2d9287a12fe9182e0, on @user_script:1.\r\n"},
		{"return {pcall(cjson.decode, '[1] ]')}", "*2\r\n$-1\r\n$51\r\nExpected the end but found T_ARR_END at character 5\r\n"},
		{"return {pcall(cjson.decode, '[1 2]')}", "*2\r\n$-1\r\n$61\r\nExpected comma or array end but found T_NUMBER at character 4\r\n"},
		{"return {pcall(cjson.decode, '{\"a\" 1}')}", "*2\r\n$-1\r\n$48\r\nExpected colon but found T_NUMBER at character 6\r\n"},
		{"return {pcall(cjson.decode, '{1:2}')}", "*2\r\n$-1\r\n$60\r\nExpected object key string but found T_NUMBER at character 2\r\n"},
		{"return {pcall(cjson.decode, '{\"a\":1 \"b\"}')}", "*2\r\n$-1\r\n$62\r\nExpected comma or object end but found T_STRING at character 8\r\n"},
		{"return {pcall(cjson.decode, '')}", "*2\r\n$-1\r\n$45\r\nExpected value but found T_END at character 1\r\n"},
		{"return {pcall(cjson.decode, '   ')}", "*2\r\n$-1\r\n$45\r\nExpected value but found T_END at character 4\r\n"},
		{"return {pcall(cjson.decode, 'tru')}", "*2\r\n$-1\r\n$53\r\nExpected value but found invalid token at character 1\r\n"},
		{"return {pcall(cjson.decode, 'x')}", "*2\r\n$-1\r\n$53\r\nExpected value but found invalid token at character 1\r\n"},
		{"return {pcall(cjson.decode, '\"abc')}", "*2\r\n$-1\r\n$64\r\nExpected value but found unexpected end of string at character 5\r\n"},
		{"return {pcall(cjson.decode, '\"a\\\\qb\"')}", "*2\r\n$-1\r\n$59\r\nExpected value but found invalid escape code at character 3\r\n"},
		{"return {pcall(cjson.decode, '\"\\\\u12\"')}", "*2\r\n$-1\r\n$67\r\nExpected value but found invalid unicode escape code at character 2\r\n"},
		{"return {pcall(cjson.decode, '\"\\\\ud800\"')}", "*2\r\n$-1\r\n$67\r\nExpected value but found invalid unicode escape code at character 2\r\n"},
		{"return {pcall(cjson.decode, '\"\\\\udc00\"')}", "*2\r\n$-1\r\n$67\r\nExpected value but found invalid unicode escape code at character 2\r\n"},
		{"return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\\\\n\\\\/\"')", "$8\r\n\xc3\xa9\xf0\x9f\x98\x80\n/\r\n"},
		{"return {pcall(cjson.decode, '-')}", "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n"},
		{"return {pcall(cjson.decode, '-x')}", "*2\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 1\r\n"},
		{"return {pcall(cjson.decode, '[,]')}", "*2\r\n$-1\r\n$47\r\nExpected value but found T_COMMA at character 2\r\n"},
		{"return {pcall(cjson.decode, '[1,]')}", "*2\r\n$-1\r\n$49\r\nExpected value but found T_ARR_END at character 4\r\n"},
		{"return {pcall(cjson.decode, '{\"a\":1,}')}", "*2\r\n$-1\r\n$61\r\nExpected object key string but found T_OBJ_END at character 8\r\n"},
		{"return {pcall(cjson.decode, '\\0a')}", "*2\r\n$-1\r\n$45\r\nJSON parser does not support UTF-16 or UTF-32\r\n"},
		{"return {pcall(cjson.decode, 'a\\0')}", "*2\r\n$-1\r\n$45\r\nJSON parser does not support UTF-16 or UTF-32\r\n"},
		{"return {pcall(cjson.decode, '1\\0junk')}", "*2\r\n$-1\r\n$45\r\nJSON parser does not support UTF-16 or UTF-32\r\n"},
		{"return {pcall(cjson.decode, 'truex')}", "*2\r\n$-1\r\n$55\r\nExpected the end but found invalid token at character 5\r\n"},
		{"return {pcall(cjson.decode, 'nul')}", "*2\r\n$-1\r\n$53\r\nExpected value but found invalid token at character 1\r\n"},
		{"return {pcall(cjson.decode, 'Nan')}", "*2\r\n:1\r\n:-9223372036854775808\r\n"},
		{"return {pcall(cjson.decode, 'infinity')}", "*2\r\n:1\r\n:-9223372036854775808\r\n"},
		{"cjson.decode_invalid_numbers(false) local r = {pcall(cjson.decode, '[0x10]')} r[3] = select(2, pcall(cjson.decode, 'nan')) r[4] = select(2, pcall(cjson.decode, '+1')) r[5] = select(2, pcall(cjson.decode, '[01]')) cjson.decode_invalid_numbers(true) return r", "*5\r\n$-1\r\n$54\r\nExpected value but found invalid number at character 2\r\n$53\r\nExpected value but found invalid token at character 1\r\n$53\r\nExpected value but found invalid token at character 1\r\n$54\r\nExpected value but found invalid number at character 2\r\n"},
		{"return {pcall(cjson.decode, '[1.]')}", "*2\r\n:1\r\n*1\r\n:1\r\n"},
		{"return {pcall(cjson.decode, '.5')}", "*2\r\n$-1\r\n$53\r\nExpected value but found invalid token at character 1\r\n"},
		{"return {pcall(cjson.decode, '1e')}", "*2\r\n$-1\r\n$55\r\nExpected the end but found invalid token at character 2\r\n"},
		{"return cjson.encode(cjson.decode('{\"a\":{\"b\":[1,2,{\"c\":null}]},\"d\":\"x\"}').a)", "$22\r\n{\"b\":[1,2,{\"c\":null}]}\r\n"},
		{"return {pcall(cjson.decode, '[1,\\t2,\\f3]')}", "*2\r\n$-1\r\n$53\r\nExpected value but found invalid token at character 7\r\n"},
		{"return {pcall(cjson.decode, '\"tab\\there\"')}", "*2\r\n:1\r\n$8\r\ntab\x09here\r\n"},
		{"return {pcall(cjson.decode, '0x1p4')}", "*2\r\n:1\r\n:16\r\n"},
		{"return {pcall(cjson.decode, '[nan(abc)]')}", "*2\r\n:1\r\n*1\r\n:-9223372036854775808\r\n"},
		{"return {pcall(cjson.decode, '1.5e+')}", "*2\r\n$-1\r\n$55\r\nExpected the end but found invalid token at character 4\r\n"},
	} {
		if got := eval(t, e, tc.body); got != tc.want {
			t.Errorf("eval %.60q = %.300q, want %q", tc.body, got, tc.want)
		}
	}
}
