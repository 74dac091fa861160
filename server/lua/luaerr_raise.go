package lua

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Errors get Lua 5.1's texts as they are raised, not when a handler
// formats them: a script that catches one with pcall or xpcall, and a
// library whose loading fails, see what redis-server's Lua shows. Every
// protected call of a vm goes through protect, which runs the function
// under a Go frame (enter) that swaps gopher-lua's panic function for
// raised: it rewrites the error value while the raising frame is still
// the current one (errtext.go for the VM's runtime errors,
// luaerr_args.go for a builtin's bad arguments), then panics as
// gopher-lua's own would. The extra Go frame is where Lua's C caller
// (lua_pcall) would be: error(msg, 2) in a function pcall called, or in
// the script's main chunk, gets no position, as in Lua.

// protect is L.PCall(nargs, nret, errfunc) of the function below the
// nargs arguments on the stack, with errors raised in Lua 5.1's words.
func (v *vm) protect(nargs, nret int, errfunc *lua.LFunction) error {
	L := v.L
	L.Insert(v.enterFn, L.GetTop()-nargs)
	return L.PCall(nargs+1, nret, errfunc)
}

// enter calls its first argument with the others, with L.Panic set to
// raised, and returns what it returned.
func (v *vm) enter(L *lua.LState) int {
	old := L.Panic
	L.Panic = v.raised
	defer func() { L.Panic = old }()
	L.Call(L.GetTop()-1, lua.MultRet)
	return L.GetTop()
}

// raised is the panic function under enter: the error value on top of
// the stack, reworded, raised as a run-time error. It notes the
// innermost Lua function running, which a script's error reply names
// (Redis's __redis__err__handler). No error handler is passed to
// L.PCall for that: with one, gopher-lua leaves the failing functions'
// upvalues open, and closures they made would read reused registers.
func (v *vm) raised(L *lua.LState) {
	v.raisedAt = innermostLua(L)
	panic(&lua.ApiError{Type: lua.ApiErrorRun, Object: v.reword(L, L.Get(-1))})
}

// errorSite is the chunk ("@user_script") and line of a Lua function.
type errorSite struct{ source, line string }

func innermostLua(L *lua.LState) errorSite {
	for level := 0; level < 64; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.What == "G" {
			continue
		}
		src := "@" + dbg.Source
		if inner, ok := strings.CutPrefix(dbg.Source, `[string "`); ok { // loadstring's chunk: its source
			src = strings.TrimSuffix(strings.TrimSuffix(inner, `"]`), "...")
		}
		return errorSite{src, itoa(dbg.CurrentLine)}
	}
	return errorSite{}
}

// reword is the error value val raised in the current frame with Lua's
// text: a runtime error of the Lua code running, or a bad argument to
// the Go function running.
func (v *vm) reword(L *lua.LState, val lua.LValue) lua.LValue {
	s, ok := val.(lua.LString)
	if !ok {
		return val
	}
	dbg, ok := L.GetStack(0)
	if !ok {
		return val
	}
	fn, err := L.GetInfo("f", dbg, lua.LNil)
	if f, isFn := fn.(*lua.LFunction); err != nil || !isFn {
		return val
	} else if !f.IsG {
		return lua.LString(luaText(L, 0, string(s)))
	}
	return lua.LString(v.argText(L, string(s)))
}
