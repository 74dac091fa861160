package lua

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// globalNames are the globals a script sees (Redis 7.0's allow list less
// what 7.0.15 removes: getfenv, setfenv, print, dofile, loadfile,
// newproxy). Libraries are added by name separately.
var globalNames = []string{"assert", "collectgarbage", "error", "getmetatable",
	"ipairs", "load", "loadstring", "next", "pairs", "pcall", "rawequal", "rawget",
	"rawset", "select", "setmetatable", "tonumber", "tostring", "type", "unpack",
	"xpcall", "_VERSION"}

// libraryNames are the library tables a script sees, each read-only.
var libraryNames = []string{"string", "table", "math", "coroutine", "bit", "cjson",
	"struct", "cmsgpack"}

const (
	msgReadonly = "Attempt to modify a readonly table"
	msgNoGlobal = "Script attempted to access nonexistent global variable '%s'"
)

// readonly returns a proxy of t that reads through to t and refuses every
// write with "Attempt to modify a readonly table". The wrapped builtins
// (next, pairs, rawget, rawset, setmetatable, table.*) see through it.
func (v *vm) readonly(t *lua.LTable) *lua.LTable {
	p := v.L.NewTable()
	mt := v.L.NewTable()
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", v.refuseWrite)
	mt.RawSetString("__metatable", lua.LFalse)
	v.L.SetMetatable(p, mt)
	v.proxies[p] = t
	return p
}

// strict makes reading a missing key of t an error naming the key, as
// Redis's globals table does.
func (v *vm) strict(t *lua.LTable) *lua.LTable {
	mt := v.L.NewTable()
	mt.RawSetString("__index", v.L.NewFunction(func(L *lua.LState) int {
		L.RaiseError(msgNoGlobal, L.ToString(2))
		return 0
	}))
	v.L.SetMetatable(t, mt)
	return t
}

// target returns the table behind a read-only proxy, or t itself.
func (v *vm) target(t *lua.LTable) (*lua.LTable, bool) {
	if real, ok := v.proxies[t]; ok {
		return real, true
	}
	return t, false
}

// sandboxGlobals builds the globals table of one flavour of script: the
// allowed builtins (wrapped where they could reach around the sandbox),
// read-only libraries and redis, the API table given.
func (v *vm) sandboxGlobals(redis *lua.LTable) *lua.LTable {
	L := v.L
	g := L.NewTable()
	for _, name := range globalNames {
		g.RawSetString(name, L.G.Global.RawGetString(name))
	}
	for _, name := range libraryNames {
		if t, ok := L.G.Global.RawGetString(name).(*lua.LTable); ok {
			g.RawSetString(name, v.readonly(t))
		}
	}
	g.RawSetString("redis", v.readonly(redis))
	if smt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		// Strings' methods come through the read-only string library, and
		// getmetatable("") returns a read-only view.
		smt.RawSetString("__index", g.RawGetString("string"))
		v.stringMT = v.readonly(smt)
	}
	for name, fn := range v.wrappedBuiltins() {
		g.RawSetString(name, fn)
	}
	return v.strict(g)
}

// env returns the environment scripts run in: a read-only view of g,
// which g's _G also names.
func (v *vm) env(g *lua.LTable) *lua.LTable {
	e := v.readonly(g)
	g.RawSetString("_G", e)
	return e
}

// wrappedBuiltins replaces the builtins that would otherwise see a
// read-only proxy as an empty table, write through it, or load code
// outside the sandbox.
func (v *vm) wrappedBuiltins() map[string]*lua.LFunction {
	L0 := v.L
	next := L0.G.Global.RawGetString("next").(*lua.LFunction)
	rawget := L0.G.Global.RawGetString("rawget").(*lua.LFunction)
	loadstring := L0.G.Global.RawGetString("loadstring").(*lua.LFunction)
	load := L0.G.Global.RawGetString("load").(*lua.LFunction)
	unwrapFirst := func(fn *lua.LFunction) lua.LGFunction {
		return func(L *lua.LState) int {
			if t, ok := L.Get(1).(*lua.LTable); ok {
				L.Replace(1, v.unwrap(t))
			}
			return v.callThrough(L, fn)
		}
	}
	sandboxed := func(fn *lua.LFunction) lua.LGFunction {
		return func(L *lua.LState) int {
			n := v.callThrough(L, fn)
			if f, ok := L.Get(-n).(*lua.LFunction); ok && n > 0 {
				f.Env = v.curEnv(L)
			}
			return n
		}
	}
	nextFn := v.wrapGo(unwrapFirst(next))
	v.errorFn = L0.NewFunction(v.errorBuiltin)
	fns := map[string]lua.LGFunction{
		"pairs": func(L *lua.LState) int {
			t := L.CheckTable(1)
			L.Push(nextFn)
			L.Push(v.unwrap(t))
			L.Push(lua.LNil)
			return 3
		},
		"ipairs": func(L *lua.LState) int {
			t := v.unwrap(L.CheckTable(1))
			L.Push(L.NewFunction(func(L *lua.LState) int {
				i := L.CheckInt(2) + 1
				val := t.RawGetInt(i)
				if val == lua.LNil {
					return 0
				}
				L.Push(lua.LNumber(i))
				L.Push(val)
				return 2
			}))
			L.Push(t)
			L.Push(lua.LNumber(0))
			return 3
		},
		"rawset": func(L *lua.LState) int {
			t := L.CheckTable(1)
			if _, ok := v.proxies[t]; ok {
				L.Error(lua.LString(msgReadonly), 0)
			}
			key := L.CheckAny(2)
			L.CheckAny(3)
			if key == lua.LNil { // luaH_set's errors, raised without a position
				L.Error(lua.LString("table index is nil"), 0)
			}
			if n, ok := key.(lua.LNumber); ok && math.IsNaN(float64(n)) {
				L.Error(lua.LString("table index is NaN"), 0)
			}
			t.RawSet(key, L.Get(3))
			L.Push(t)
			return 1
		},
		"setmetatable": func(L *lua.LState) int {
			t := L.CheckTable(1)
			if _, ok := v.proxies[t]; ok {
				L.Error(lua.LString(msgReadonly), 0)
			}
			mt := L.Get(2)
			if _, ok := mt.(*lua.LTable); !ok && mt != lua.LNil {
				L.ArgError(2, "nil or table expected")
			}
			if L.GetMetaField(t, "__metatable") != lua.LNil {
				L.RaiseError("cannot change a protected metatable")
			}
			L.SetMetatable(t, mt)
			L.Push(t)
			return 1
		},
		"tostring": func(L *lua.LState) int {
			if n, ok := L.CheckAny(1).(lua.LNumber); ok {
				L.Push(lua.LString(formatNumber(float64(n))))
				return 1
			}
			L.Push(lua.LString(L.ToStringMeta(L.Get(1)).String()))
			return 1
		},
		"getmetatable": func(L *lua.LState) int {
			obj := L.CheckAny(1)
			if t, ok := obj.(*lua.LTable); ok {
				if real, ok := v.proxies[t]; ok {
					L.Push(v.metatableView(real))
					return 1
				}
			}
			mt, ok := L.GetMetatable(obj).(*lua.LTable)
			switch {
			case !ok:
				L.Push(lua.LNil)
			case mt.RawGetString("__metatable") != lua.LNil:
				L.Push(mt.RawGetString("__metatable"))
			case obj.Type() == lua.LTString && v.stringMT != nil:
				L.Push(v.stringMT)
			default:
				L.Push(mt)
			}
			return 1
		},
		"pcall":  v.pcall,
		"xpcall": v.xpcall,
		"assert": assertBuiltin,
	}
	out := map[string]*lua.LFunction{"next": nextFn, "error": v.errorFn,
		"rawget": v.wrapGo(unwrapFirst(rawget)), "loadstring": v.wrapGo(sandboxed(v.loadstring(loadstring))),
		"load": v.wrapGo(sandboxed(load))}
	for name, fn := range fns {
		out[name] = L0.NewFunction(fn)
	}
	return out
}

// metatableView is what getmetatable answers for a read-only proxy of
// real: as Redis 7.0, where the protected table itself is read-only, the
// metatable of real (for _G, the nonexistent-global check) as a read-only
// view (one per metatable), its __metatable field if set, or nil.
func (v *vm) metatableView(real *lua.LTable) lua.LValue {
	mt, ok := real.Metatable.(*lua.LTable)
	if !ok {
		return lua.LNil
	}
	if field := mt.RawGetString("__metatable"); field != lua.LNil {
		return field
	}
	view, ok := v.mtViews[mt]
	if !ok {
		view = v.readonly(mt)
		v.mtViews[mt] = view
	}
	return view
}

// unwrap returns the table behind a proxy, or t.
func (v *vm) unwrap(t *lua.LTable) *lua.LTable {
	real, _ := v.target(t)
	return real
}

// callThrough calls fn with the current arguments and returns the number
// of results it left on the stack.
func (v *vm) callThrough(L *lua.LState, fn *lua.LFunction) int {
	top := L.GetTop()
	L.Push(fn)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, lua.MultRet)
	return L.GetTop() - top
}

// curEnv is the environment of the running script's flavour.
func (v *vm) curEnv(L *lua.LState) *lua.LTable {
	if v.cur != nil && v.cur.env != nil {
		return v.cur.env
	}
	return v.defaultEnv
}

// pcall is Redis's: an error table with an err field is caught as that
// string, and a killed script cannot catch its own kill.
func (v *vm) pcall(L *lua.LState) int {
	L.CheckAny(1)
	nargs := L.GetTop() - 1
	return v.protected(L, v.protect(nargs, lua.MultRet, nil), true)
}

// protected ends pcall and xpcall: true and the results, or false and the
// error value (pcall gives an error table's err field, as Redis's does). A
// killed script is not caught.
func (v *vm) protected(L *lua.LState, err error, errField bool) int {
	if err == nil {
		L.Insert(lua.LTrue, 1)
		return L.GetTop()
	}
	if v.killed() {
		L.Error(lua.LString("killed"), 0)
	}
	L.Push(lua.LFalse)
	obj := lua.LValue(lua.LString(err.Error()))
	if ae, ok := err.(*lua.ApiError); ok {
		obj = ae.Object
	}
	if t, ok := obj.(*lua.LTable); ok && errField {
		if s, ok := t.RawGetString("err").(lua.LString); ok {
			obj = s
		}
	}
	L.Push(obj)
	return 2
}

// xpcall is Lua's, its handler given the error worded as raised.
func (v *vm) xpcall(L *lua.LState) int {
	L.CheckAny(2)
	L.SetTop(2)
	handler, _ := L.Get(2).(*lua.LFunction)
	L.Pop(1)
	if handler == nil { // Lua calls a non-function handler, which fails
		handler = L.NewFunction(func(L *lua.LState) int {
			L.Push(lua.LString("attempt to call a " + L.Get(2).Type().String() + " value"))
			return 1
		})
	}
	return v.protected(L, v.protect(0, lua.MultRet, handler), false)
}

// errorBuiltin is luaB_error: a string (or number) message gets the
// position of the function at the level asked (1: error's caller) if
// that function runs Lua code; the value is raised as it is otherwise.
func (v *vm) errorBuiltin(L *lua.LState) int {
	obj := L.Get(1)
	level := L.OptInt(2, 1)
	if s, ok := luaString(obj); ok && level > 0 {
		obj = lua.LString(v.where(L, level) + s)
	}
	L.Error(obj, 0)
	return 0
}

// assertBuiltin is luaB_assert: its message may be a number.
func assertBuiltin(L *lua.LState) int {
	L.CheckAny(1)
	if lua.LVAsBool(L.Get(1)) {
		return L.GetTop()
	}
	msg := "assertion failed!"
	if arg := L.Get(2); arg != lua.LNil {
		s, ok := luaString(arg)
		if !ok {
			L.TypeError(2, lua.LTString)
		}
		msg = s
	}
	L.RaiseError("%s", msg)
	return 0
}

// loadstring is Lua 5.1's: a chunk Lua would not compile returns nil and
// Lua's message, and the chunk is named as Lua names it
// ('[string "..."]') for the errors it raises when it runs.
func (v *vm) loadstring(stock *lua.LFunction) *lua.LFunction {
	return v.wrapGo(func(L *lua.LState) int {
		src := L.CheckString(1)
		name := chunkID(L.OptString(2, src))
		if msg := checkSyntax(src, name); msg != "" {
			L.Push(lua.LNil)
			L.Push(lua.LString(msg))
			return 2
		}
		L.SetTop(1)
		L.Push(lua.LString(name))
		return v.callThrough(L, stock)
	})
}
