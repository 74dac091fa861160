package lua

import (
	"regexp"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua names the function of a bad argument as its debug info has
// it, unquoted ("bad argument #1 to rep (string expected, got nil)");
// Lua 5.1's luaL_argerror names it from the caller's call instruction,
// quoted, and says "no value" for an argument not given:
// "bad argument #1 to 'rep' (string expected, got no value)". A method
// call does not count self, and a bad self reads "calling 'm' on bad
// self". The Go functions that only adjust arguments and call a stock
// one (wrappers, registered by wrapGo) are not callers.

var reArg = regexp.MustCompile(`^((?:[^\n]*?:\d+: )?)bad argument #(\d+) to (?:\S+|main chunk) \((.*)\)$`)

// argText is msg, raised by the Go function running, with Lua's text
// for a bad argument.
func (v *vm) argText(L *lua.LState, msg string) string {
	m := reArg.FindStringSubmatch(msg)
	if m == nil || v.isFn(L, 0, v.errorFn) {
		return msg
	}
	n, _ := strconv.Atoi(m[2])
	detail := m[3]
	if n > L.GetTop()-1 { // above the raising function's stack, less the message
		if d, ok := strings.CutSuffix(detail, ", got nil"); ok {
			detail = d + ", got no value"
		}
	}
	if strings.HasPrefix(detail, "thread expected") {
		detail = "coroutine expected" // lcorolib's getco
	}
	level := 1
	for level < 64 && v.isWrapper(L, level) {
		level++
	}
	f, ok := faultAt(L, level)
	if !ok { // called by a Go function (pcall): no name, no position
		return "bad argument #" + itoa(n) + " to '?' (" + detail + ")"
	}
	kind, name := "", ""
	switch opcode(f.inst()) {
	case lua.OP_CALL, lua.OP_TAILCALL, lua.OP_TFORLOOP: // getfuncname
		kind, name = f.objName(argA(f.inst()))
	}
	if kind == "" {
		name = "?"
	}
	if kind == "method" {
		if n--; n == 0 {
			return m[1] + "calling '" + name + "' on bad self (" + detail + ")"
		}
	}
	return m[1] + "bad argument #" + itoa(n) + " to '" + name + "' (" + detail + ")"
}

// wrapGo is a Go function that adjusts its arguments and calls a stock
// one: in a bad argument's text the stock function's caller is the
// wrapper's.
func (v *vm) wrapGo(fn lua.LGFunction) *lua.LFunction {
	f := v.L.NewFunction(fn)
	v.wrappers[f] = true
	return f
}

func (v *vm) isWrapper(L *lua.LState, level int) bool {
	f, ok := frameFn(L, level)
	return ok && v.wrappers[f]
}

func (v *vm) isFn(L *lua.LState, level int, fn *lua.LFunction) bool {
	f, ok := frameFn(L, level)
	return ok && f == fn
}

// frameFn is the function running at stack level.
func frameFn(L *lua.LState, level int) (*lua.LFunction, bool) {
	dbg, ok := L.GetStack(level)
	if !ok {
		return nil, false
	}
	v, err := L.GetInfo("f", dbg, lua.LNil)
	f, ok := v.(*lua.LFunction)
	return f, ok && err == nil
}

// where is luaL_where: "chunk:line: " of the function at Lua's stack
// level (enter's frames, which Lua does not have, not counted) if it
// runs Lua code, else "".
func (v *vm) where(L *lua.LState, level int) string {
	gl := 0
	for n := 0; n < level && gl < 256; {
		if gl++; !v.isFn(L, gl, v.enterFn) {
			n++
		}
	}
	dbg, ok := L.GetStack(gl)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.What == "G" || dbg.CurrentLine <= 0 {
		return ""
	}
	return dbg.Source + ":" + itoa(dbg.CurrentLine) + ": "
}
