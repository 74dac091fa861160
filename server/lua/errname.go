package lua

import (
	"reflect"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// fault is a Lua frame stopped on the instruction that raised an error.
type fault struct {
	L   *lua.LState
	dbg *lua.Debug
	fn  *lua.LFunction
	pc  int // the faulting instruction
}

// faultAt is the frame at stack level, if it runs Lua code. gopher-lua
// keeps a frame's program counter unexported; reflection reads it (it is
// one past the instruction being run) and a missing field (another
// gopher-lua) just leaves errors worded as gopher-lua words them.
func faultAt(L *lua.LState, level int) (*fault, bool) {
	dbg, ok := L.GetStack(level)
	if !ok {
		return nil, false
	}
	v, err := L.GetInfo("f", dbg, lua.LNil)
	fn, _ := v.(*lua.LFunction)
	if err != nil || fn == nil || fn.IsG || fn.Proto == nil {
		return nil, false
	}
	fr := reflect.ValueOf(dbg).Elem().FieldByName("frame")
	if !fr.IsValid() || fr.Kind() != reflect.Pointer || fr.IsNil() {
		return nil, false
	}
	pcv := fr.Elem().FieldByName("Pc")
	if !pcv.IsValid() || pcv.Kind() != reflect.Int {
		return nil, false
	}
	pc := int(pcv.Int()) - 1
	if pc < 0 || pc >= len(fn.Proto.Code) {
		return nil, false
	}
	return &fault{L: L, dbg: dbg, fn: fn, pc: pc}, true
}

func (f *fault) inst() uint32 { return f.fn.Proto.Code[f.pc] }

// reg is the value in register r of the faulting frame.
func (f *fault) reg(r int) lua.LValue {
	if _, v := f.L.GetLocal(f.dbg, r+1); v != nil {
		return v
	}
	return lua.LNil
}

// rk is RK(x): a constant when its high bit is set, else a register.
func (f *fault) rk(x int) lua.LValue {
	if x&rkBit != 0 {
		if k := x &^ rkBit; k < len(f.fn.Proto.Constants) {
			return f.fn.Proto.Constants[k]
		}
		return lua.LNil
	}
	return f.reg(x)
}

// objName is Lua 5.1's getobjname: what register reg holds at the fault,
// as "local", "global", "field", "upvalue" or "method" and a name; kind is
// "" when it is a temporary Lua would not name.
func (f *fault) objName(reg int) (kind, name string) {
	return objName(f.fn.Proto, f.pc, reg, 0)
}

func objName(p *lua.FunctionProto, pc, reg, depth int) (kind, name string) {
	if name, ok := localName(p, reg+1, pc); ok && (!strings.HasPrefix(name, "(for ") || forOp(p.Code[pc])) {
		return "local", name
	}
	j := symexec(p, pc, reg)
	if j < 0 || depth > 8 {
		return "", ""
	}
	i := p.Code[j]
	switch opcode(i) {
	case lua.OP_GETGLOBAL:
		if s, ok := p.Constants[argBx(i)].(lua.LString); ok {
			return "global", string(s)
		}
	case lua.OP_MOVE, lua.OP_MOVEN:
		if b := argB(i); b < argA(i) {
			return objName(p, pc, b, depth+1)
		}
	case lua.OP_GETTABLE, lua.OP_GETTABLEKS:
		return "field", kname(p, argC(i))
	case lua.OP_GETUPVAL:
		if b := argB(i); b < len(p.DbgUpvalues) {
			return "upvalue", p.DbgUpvalues[b]
		}
		return "upvalue", "?"
	case lua.OP_SELF:
		return "method", kname(p, argC(i))
	}
	return "", ""
}

// forOp reports whether i is a for loop's own instruction. gopher-lua
// opens a loop's hidden locals ("(for generator)", ...) before its
// expressions run; Lua 5.1 after, so a call in them names the callee.
func forOp(i uint32) bool {
	op := opcode(i)
	return op == lua.OP_FORPREP || op == lua.OP_FORLOOP || op == lua.OP_TFORLOOP
}

// localName is luaF_getlocalname: the n-th local active at pc.
func localName(p *lua.FunctionProto, n, pc int) (string, bool) {
	for _, l := range p.DbgLocals {
		if l.StartPc > pc {
			break
		}
		if pc < l.EndPc {
			if n--; n == 0 {
				return l.Name, true
			}
		}
	}
	return "", false
}

// kname is a constant string key's text, else "?".
func kname(p *lua.FunctionProto, c int) string {
	if c&rkBit != 0 {
		if s, ok := p.Constants[c&^rkBit].(lua.LString); ok {
			return string(s)
		}
	}
	return "?"
}

// symexec is Lua 5.1's symbexec cut to what getobjname asks: the last
// instruction before lastpc that set reg, following forward jumps that do
// not pass lastpc; -1 if none.
func symexec(p *lua.FunctionProto, lastpc, reg int) int {
	last := -1
	for pc := 0; pc < lastpc && pc < len(p.Code); pc++ {
		i := p.Code[pc]
		a := argA(i)
		switch op := opcode(i); op {
		case lua.OP_LOADNIL:
			if a <= reg && reg <= argB(i) {
				last = pc
			}
		case lua.OP_CALL, lua.OP_TAILCALL:
			if reg >= a {
				last = pc
			}
		case lua.OP_TFORLOOP:
			if reg >= a+2 {
				last = pc
			}
		case lua.OP_SELF:
			if reg == a || reg == a+1 {
				last = pc
			}
		case lua.OP_JMP, lua.OP_FORLOOP, lua.OP_FORPREP:
			if op != lua.OP_JMP && reg == a {
				last = pc
			}
			if dest := pc + 1 + argSbx(i); pc < dest && dest <= lastpc {
				pc = dest - 1
			}
		default:
			if setsA(op) && a == reg {
				last = pc
			}
		}
	}
	return last
}

// setsA reports whether op writes R(A) (Lua 5.1's testAMode).
func setsA(op int) bool {
	switch op {
	case lua.OP_SETGLOBAL, lua.OP_SETUPVAL, lua.OP_SETTABLE, lua.OP_SETTABLEKS, lua.OP_JMP,
		lua.OP_EQ, lua.OP_LT, lua.OP_LE, lua.OP_TEST, lua.OP_RETURN, lua.OP_SETLIST, lua.OP_CLOSE, lua.OP_NOP:
		return false
	}
	return true
}

// gopher-lua's instruction layout (its opcode.go): op 6 bits, A 8, B 9,
// C 9; Bx 18; RK operands flag a constant with B's top bit.
const rkBit = 1 << 8

func opcode(i uint32) int { return int(i >> 26) }
func argA(i uint32) int   { return int(i>>18) & 0xff }
func argB(i uint32) int   { return int(i & 0x1ff) }
func argC(i uint32) int   { return int(i>>9) & 0x1ff }
func argBx(i uint32) int  { return int(i & 0x3ffff) }
func argSbx(i uint32) int { return argBx(i) - 0x3ffff>>1 }
