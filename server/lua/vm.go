package lua

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/ringkv/ringkv/resp"
)

// vm is one Lua state with the sandbox built: Redis keeps one for EVAL
// and one for functions. It runs one script at a time (Engine locks).
type vm struct {
	L           *lua.LState
	e           *Engine
	proxies     map[*lua.LTable]*lua.LTable // read-only proxy -> table behind it
	mtViews     map[*lua.LTable]*lua.LTable // metatable behind a proxy -> its read-only view
	refuseWrite *lua.LFunction
	globals     *lua.LTable             // the run-time globals (strict, behind defaultEnv)
	defaultEnv  *lua.LTable             // read-only view of globals, what scripts run in
	cur         *run                    // the script running, nil between scripts
	loadGlobals *lua.LTable             // what a library's top-level code sees (functions VM)
	loading     *loading                // the library being loaded, nil otherwise
	stringMT    *lua.LTable             // read-only view of the strings' metatable
	rng         *rand.Rand              // math.random's generator
	enterFn     *lua.LFunction          // runs protected calls (luaerr_raise.go)
	errorFn     *lua.LFunction          // the error builtin
	wrappers    map[*lua.LFunction]bool // Go functions that call a stock one (wrapGo)
	raisedAt    errorSite               // where the last error was raised
}

// run is what one invocation's redis.* calls need.
type run struct {
	ctx    context.Context
	caller Caller
	env    *lua.LTable // environment for code loaded by loadstring
	resp3  bool        // redis.setresp(3) was called
	proto  int         // the client's protocol
	name   string      // sha or function name, for error texts
}

// registry bounds: a script may build large tables and return many values,
// but not exhaust the process.
const (
	callStackSize   = 200 // Lua 5.1's LUAI_MAXCCALLS
	registrySize    = 256 * 20
	registryMaxSize = 1 << 20
	registryGrow    = 1 << 14
	maxDepth        = 1000 // nesting of tables converted to replies
	// maxResults is Lua 5.1's LUAI_MAXCSTACK: unpack and string.byte
	// refuse to return more values.
	maxResults = 8000
)

func newVM(e *Engine) *vm {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: callStackSize,
		RegistrySize: registrySize, RegistryMaxSize: registryMaxSize, RegistryGrowStep: registryGrow,
		MinimizeStackMemory: true})
	v := &vm{L: L, e: e, proxies: map[*lua.LTable]*lua.LTable{},
		mtViews: map[*lua.LTable]*lua.LTable{}, wrappers: map[*lua.LFunction]bool{}}
	v.enterFn = L.NewFunction(v.enter)
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	g.RawSetString("bit", newBitLib(L))
	g.RawSetString("cjson", v.newCJSON(L.NewUserData()))
	g.RawSetString("struct", newStructLib(L))
	g.RawSetString("cmsgpack", v.newMsgpack())
	v.patchLibraries()
	v.refuseWrite = L.NewFunction(func(L *lua.LState) int {
		L.RaiseError(msgReadonly)
		return 0
	})
	return v
}

// patchLibraries adjusts the stock libraries to Redis's: table functions
// see through read-only proxies and refuse to write them, string.rep is
// bounded, gcinfo exists.
func (v *vm) patchLibraries() {
	L := v.L
	tbl := L.G.Global.RawGetString("table").(*lua.LTable)
	for _, name := range []string{"insert", "remove", "sort", "concat", "getn", "maxn"} {
		fn := tbl.RawGetString(name).(*lua.LFunction)
		write := name == "insert" || name == "remove" || name == "sort"
		tbl.RawSetString(name, v.wrapGo(func(L *lua.LState) int {
			if t, ok := L.Get(1).(*lua.LTable); ok {
				if real, proxy := v.target(t); proxy {
					if write {
						L.RaiseError(msgReadonly)
					}
					L.Replace(1, real)
				}
			}
			return v.callThrough(L, fn)
		}))
	}
	tbl.RawSetString("foreach", L.NewFunction(func(L *lua.LState) int {
		t, fn := v.unwrap(L.CheckTable(1)), L.CheckFunction(2)
		var out lua.LValue = lua.LNil
		forEach(t, func(k, val lua.LValue) {
			if out != lua.LNil {
				return
			}
			L.Push(fn)
			L.Push(k)
			L.Push(val)
			L.Call(2, 1)
			out = L.Get(-1)
			L.Pop(1)
		})
		if out == lua.LNil {
			return 0
		}
		L.Push(out)
		return 1
	}))
	str := L.G.Global.RawGetString("string").(*lua.LTable)
	v.coerceArgs(str, map[string][]int{"sub": {2, 3}, "rep": {2}, "byte": {2, 3}, "char": nil, "find": {3}})
	v.coerceArgs(tbl, map[string][]int{"concat": {3, 4}, "insert": {2}, "remove": {2}})
	v.coerceArgs(L.G.Global, map[string][]int{"select": {1}})
	rep := str.RawGetString("rep").(*lua.LFunction)
	str.RawSetString("rep", v.wrapGo(func(L *lua.LState) int {
		coerce(L, 2)
		if int64(len(L.CheckString(1)))*int64(L.CheckInt(2)) > maxStringLen {
			L.RaiseError("resulting string too large")
		}
		return v.callThrough(L, rep)
	}))
	byteFn := str.RawGetString("byte").(*lua.LFunction)
	str.RawSetString("byte", v.wrapGo(func(L *lua.LState) int {
		coerce(L, 2, 3)
		n := len(L.CheckString(1))
		i, j := L.OptInt(2, 1), L.OptInt(3, L.OptInt(2, 1))
		if i < 0 {
			i += n + 1
		}
		if j < 0 {
			j += n + 1
		}
		i, j = max(i, 1), min(j, n) // str_byte's clamping, then its stack check
		if j-i >= maxResults {
			L.RaiseError("string slice too long")
		}
		return v.callThrough(L, byteFn)
	}))
	str.RawSetString("dump", L.NewFunction(v.stringDump)) // strdump.go
	format := str.RawGetString("format").(*lua.LFunction)
	str.RawSetString("format", v.wrapGo(func(L *lua.LState) int {
		checkFormat(L) // luaerr_format.go
		return v.callThrough(L, format)
	}))
	unpack := L.G.Global.RawGetString("unpack").(*lua.LFunction)
	L.G.Global.RawSetString("unpack", v.wrapGo(func(L *lua.LState) int {
		coerce(L, 2, 3)
		t := v.unwrap(L.CheckTable(1))
		i, j := L.OptInt(2, 1), L.OptInt(3, t.Len())
		if j-i >= maxResults {
			L.RaiseError("too many results to unpack")
		}
		L.Replace(1, t)
		return v.callThrough(L, unpack)
	}))
	v.patchRandom(L.G.Global.RawGetString("math").(*lua.LTable))
	v.patchStdlib() // luatcl_stdlib.go
	L.G.Global.RawSetString("gcinfo", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(0))
		return 1
	}))
}

// maxStringLen bounds strings a script builds in one call (Redis's
// proto-max-bulk-len default).
const maxStringLen = 512 << 20

// compile parses src as chunk name and returns its prototype. Errors are
// formatted as Lua's: "name:line: message".
func compile(src, name string) (*lua.FunctionProto, error) {
	if msg := checkSyntax(src, name); msg != "" { // Lua 5.1's texts: luaerr_syntax.go
		return nil, errorf(msg)
	}
	chunk, err := parse.Parse(strings.NewReader(src), name)
	if err != nil {
		return nil, compileError(err, src, name)
	}
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		return nil, compileError(err, src, name)
	}
	return proto, nil
}

// compileError formats a parse error as "name:line: message near 'token'".
func compileError(err error, src, name string) error {
	if pe, ok := err.(*parse.Error); ok {
		msg, line := pe.Message, pe.Pos.Line
		if pe.Token != "" && line != parse.EOF {
			msg += " near '" + pe.Token + "'"
		} else {
			msg += " near '<eof>'"
		}
		if line == parse.EOF {
			line = strings.Count(src, "\n") + 1
		}
		return errorf(name + ":" + itoa(line) + ": " + msg)
	}
	if ce, ok := err.(*lua.CompileError); ok {
		return errorf(name + ":" + itoa(ce.Line) + ": " + ce.Message)
	}
	return errorf(name + ": " + err.Error())
}

// call runs fn (already pushed with nargs arguments) for r and converts
// its result, or formats its error as Redis does:
// "<err> script: <name>, on <source>:<line>."
func (v *vm) call(r *run, nargs int) resp.Reply {
	L := v.L
	ctx, cancel := context.WithCancelCause(r.ctx)
	defer cancel(nil)
	stopWatch := watchMemory(v.e.cfg.MemoryLimit, cancel)
	r.ctx = ctx
	v.cur = r
	L.SetContext(ctx)
	defer func() {
		stopWatch()
		L.RemoveContext()
		v.cur = nil
		L.SetTop(0)
	}()
	v.raisedAt = errorSite{}
	err := v.protect(nargs, 1, nil)
	if err != nil {
		return v.failure(r, err)
	}
	return fromLua(L.Get(-1), r.resp3, r.proto)
}

// failure is the error reply of a script that raised err.
func (v *vm) failure(r *run, err error) resp.Reply {
	msg, source, line := "ERR "+err.Error(), v.raisedAt.source, v.raisedAt.line
	if ae, ok := err.(*lua.ApiError); ok {
		msg = errorText(ae.Object)
	}
	switch {
	case context.Cause(r.ctx) == errMemory:
		msg = "ERR Script killed: it used more than " + itoa(int(v.e.cfg.MemoryLimit>>20)) + " MB of memory"
	case r.ctx.Err() != nil:
		msg = "ERR Script killed by user with SCRIPT KILL..."
	}
	if source != "" {
		msg += " script: " + r.name + ", on " + source + ":" + line + "."
	}
	return resp.Err(msg)
}

// killed reports whether the running script was told to stop.
func (v *vm) killed() bool { return v.cur != nil && v.cur.ctx.Err() != nil }

// patchRandom gives math.random and math.randomseed a generator of this
// VM's own (the stock ones use math/rand's global source, which Go no
// longer lets a program seed): random by default, repeatable after
// math.randomseed(n), as Redis's.
func (v *vm) patchRandom(m *lua.LTable) {
	v.rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	m.RawSetString("random", v.L.NewFunction(func(L *lua.LState) int {
		r := v.rng.Float64()
		coerce(L, 1, 2)
		switch L.GetTop() {
		case 0:
			L.Push(lua.LNumber(r))
		case 1:
			u := L.CheckInt(1)
			if u < 1 {
				L.ArgError(1, "interval is empty")
			}
			L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
		case 2:
			l, u := L.CheckInt(1), L.CheckInt(2)
			if l > u {
				L.ArgError(2, "interval is empty")
			}
			L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
		default:
			L.RaiseError("wrong number of arguments")
		}
		return 1
	}))
	m.RawSetString("randomseed", v.L.NewFunction(func(L *lua.LState) int {
		coerce(L, 1)
		seed := uint64(L.CheckInt64(1))
		v.rng = rand.New(rand.NewPCG(seed, seed))
		return 0
	}))
}

// coerce converts the numeric strings among the arguments at positions
// (all arguments if none are given) to numbers, as Lua's luaL_checkint
// accepts them and gopher-lua's CheckInt does not.
func coerce(L *lua.LState, positions ...int) {
	if len(positions) == 0 {
		for i := 1; i <= L.GetTop(); i++ {
			positions = append(positions, i)
		}
	}
	for _, i := range positions {
		if i > L.GetTop() {
			continue
		}
		if s, ok := L.Get(i).(lua.LString); ok {
			if n, ok := parseLuaNumber(string(s)); ok {
				L.Replace(i, n)
			}
		}
	}
}

// coerceArgs wraps the functions of t named in fns so that their
// numeric arguments (at the positions given; nil for all) accept numeric
// strings.
func (v *vm) coerceArgs(t *lua.LTable, fns map[string][]int) {
	for name, positions := range fns {
		fn := t.RawGetString(name).(*lua.LFunction)
		t.RawSetString(name, v.wrapGo(func(L *lua.LState) int {
			coerce(L, positions...)
			return v.callThrough(L, fn)
		}))
	}
}
