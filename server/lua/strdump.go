package lua

import (
	"encoding/binary"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// lua51Header is the header of a Lua 5.1 binary chunk as string.dump
// writes it on a 64-bit little-endian build (LuaQ, format 0, little
// endian, int 4, size_t 8, Instruction 4, lua_Number 8, not integral).
const lua51Header = "\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00"

// stringDump is string.dump. gopher-lua has no Lua 5.1 bytecode, so the
// chunk is Lua 5.1's header and the function's prototype header (source
// name, lines, upvalues, parameters, registers) without its code. No
// script can load it, as none can load Redis's: Redis 7.0 compiles every
// chunk as text, so loadstring and load of a dump give nil and
// "unexpected symbol near 'char(27)'", and so do ringkv's.
func (v *vm) stringDump(L *lua.LState) int {
	fn := L.CheckFunction(1)
	if fn.IsG || fn.Proto == nil { // luaL_error: the caller's position if it runs Lua
		L.Error(lua.LString(v.where(L, 1)+"unable to dump given function"), 0)
	}
	p := fn.Proto
	var b strings.Builder
	b.WriteString(lua51Header)
	src := p.SourceName
	if !strings.HasPrefix(src, "[") && !strings.HasPrefix(src, "=") && !strings.HasPrefix(src, "@") {
		src = "@" + src
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(src)+1))
	b.Write(n[:])
	b.WriteString(src)
	b.WriteByte(0)
	for _, line := range []int{p.LineDefined, p.LastLineDefined} {
		binary.LittleEndian.PutUint32(n[:4], uint32(line))
		b.Write(n[:4])
	}
	b.Write([]byte{p.NumUpvalues, p.NumParameters, p.IsVarArg, p.NumUsedRegisters})
	L.Push(lua.LString(b.String()))
	return 1
}
