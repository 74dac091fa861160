package lua

import (
	"regexp"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua words its runtime type errors otherwise than Lua 5.1, whose
// texts Redis returns: "attempt to call a non-function object" is Lua's
// "attempt to call field 'x' (a nil value)", "cannot perform add operation
// between nil and number" is "attempt to perform arithmetic on local 'a'
// (a nil value)". luaText rewrites them as they are raised
// (luaerr_raise.go), while the failing frame is the current one: the faulting instruction says which
// operand failed, its register's value gives the type, and Lua's own
// getobjname over the bytecode (errname.go) names it.

// gopher-lua's texts that differ from Lua 5.1's, after the "chunk:line: "
// position (rePos).
var (
	reCall   = regexp.MustCompile(`^attempt to call a non-function object$`)
	reIndex  = regexp.MustCompile(`^attempt to index a non-table object\((\w+)\) with key '.*'$`)
	reArith  = regexp.MustCompile(`^cannot perform (?:add|sub|mul|div|mod|pow|unm) operation between \w+ and \w+$`)
	reConcat = regexp.MustCompile(`^cannot perform concat operation between \w+ and \w+$`)
	reLen    = regexp.MustCompile(`^__len undefined$`)
	reUnm    = regexp.MustCompile(`^__unm undefined$`)
	reCmp    = regexp.MustCompile(`^attempt to compare (\w+) with (\w+)$`)
	reFor    = regexp.MustCompile(`^for statement (init|limit|step) must be a number$`)
	rePos    = regexp.MustCompile(`^([^\n]*?:\d+: )(.*)$`)
)

// luaText is the Lua 5.1 text of the runtime error msg raised at stack
// level, or msg unchanged when it is not one gopher-lua words otherwise
// or the faulting instruction does not fit it.
func luaText(L *lua.LState, level int, msg string) string {
	m := rePos.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	f, ok := faultAt(L, level)
	if !ok {
		return msg
	}
	if text, ok := f.explain(m[2]); ok {
		return m[1] + text
	}
	return msg
}

// explain maps one gopher-lua text to Lua's, given the faulting frame.
func (f *fault) explain(msg string) (string, bool) {
	op := opcode(f.inst())
	switch {
	case reCall.MatchString(msg) && (op == lua.OP_CALL || op == lua.OP_TAILCALL):
		return f.typeError(argA(f.inst()), "call"), true
	case reCall.MatchString(msg) && op == lua.OP_TFORLOOP: // the generator is called from a copy
		return "attempt to call a " + f.reg(argA(f.inst())).Type().String() + " value", true
	case reIndex.MatchString(msg):
		switch op {
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF:
			return f.typeError(argB(f.inst()), "index"), true
		case lua.OP_SETTABLE, lua.OP_SETTABLEKS:
			return f.typeError(argA(f.inst()), "index"), true
		}
	case reArith.MatchString(msg) && op >= lua.OP_ADD && op <= lua.OP_POW:
		return f.arithError(), true
	case reUnm.MatchString(msg) && op == lua.OP_UNM:
		return f.typeError(argB(f.inst()), "perform arithmetic on"), true
	case reLen.MatchString(msg) && op == lua.OP_LEN:
		return f.typeError(argB(f.inst()), "get length of"), true
	case reConcat.MatchString(msg) && op == lua.OP_CONCAT:
		return f.concatError(), true
	case reFor.MatchString(msg) && (op == lua.OP_FORPREP || op == lua.OP_FORLOOP):
		what := reFor.FindStringSubmatch(msg)[1]
		if what == "init" {
			what = "initial value"
		}
		return "'for' " + what + " must be a number", true
	case op == lua.OP_LT || op == lua.OP_LE: // luaG_ordererror
		if m := reCmp.FindStringSubmatch(msg); m != nil && m[1] == m[2] {
			return "attempt to compare two " + m[1] + " values", true
		}
	}
	return "", false
}

// typeError is Lua's luaG_typeerror for the value in register reg.
func (f *fault) typeError(reg int, op string) string {
	t := f.reg(reg).Type().String()
	if kind, name := f.objName(reg); kind != "" {
		return "attempt to " + op + " " + kind + " '" + name + "' (a " + t + " value)"
	}
	return "attempt to " + op + " a " + t + " value"
}

// arithError is luaG_aritherror: the first operand that is not a number
// (a numeric string converts); a constant one is not named.
func (f *fault) arithError() string {
	inst := f.inst()
	rk := argB(inst)
	if isNumber(f.rk(rk)) {
		rk = argC(inst)
	}
	if rk&rkBit != 0 {
		return "attempt to perform arithmetic on a " + f.rk(rk).Type().String() + " value"
	}
	return f.typeError(rk, "perform arithmetic on")
}

// concatError is luaG_concaterror at the pair luaV_concat stopped on: it
// joins R(B)..R(C) from the right, the joined part being a string.
func (f *fault) concatError() string {
	b, c := argB(f.inst()), argC(f.inst())
	for k := c - 1; k >= b; k-- {
		p1, p2 := f.reg(k), f.reg(k+1)
		if k+1 < c {
			p2 = lua.LString("")
		}
		if isStringy(p1) && isStringy(p2) {
			continue
		}
		if isStringy(p1) {
			return f.typeError(k+1, "concatenate")
		}
		return f.typeError(k, "concatenate")
	}
	return f.typeError(c, "concatenate")
}

func isStringy(v lua.LValue) bool {
	t := v.Type()
	return t == lua.LTString || t == lua.LTNumber
}

// isNumber is Lua's tonumber test: a number or a string that reads as one.
func isNumber(v lua.LValue) bool {
	switch v := v.(type) {
	case lua.LNumber:
		return true
	case lua.LString:
		_, ok := parseLuaNumber(string(v))
		return ok
	}
	return false
}
