package lua

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/ringkv/ringkv/resp"
)

// Library is one FUNCTION LOAD unit: its code and the functions it
// registered.
type Library struct {
	Name      string
	Code      []byte
	Functions []*Function // in registration order
}

// Function is one function a library registered.
type Function struct {
	Name        string
	Description *string // nil when none was given
	Flags       Flags
	Library     *Library
	fn          *lua.LFunction
}

// loadTimeout bounds a library's top-level code (Redis: 500 ms).
const loadTimeout = 500 * time.Millisecond

// loading collects a library's registrations while its code runs.
type loading struct {
	funcs []*Function
}

// Function returns the function called name (case-insensitive).
func (e *Engine) Function(name string) (*Function, bool) {
	e.libMu.RLock()
	defer e.libMu.RUnlock()
	f, ok := e.funcs[strings.ToLower(name)]
	return f, ok
}

// Libraries returns every library, sorted by name.
func (e *Engine) Libraries() []*Library {
	e.libMu.RLock()
	defer e.libMu.RUnlock()
	out := make([]*Library, 0, len(e.libs))
	for _, l := range e.libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Counts returns the number of libraries and functions.
func (e *Engine) Counts() (libs, funcs int) {
	e.libMu.RLock()
	defer e.libMu.RUnlock()
	return len(e.libs), len(e.funcs)
}

// Load is FUNCTION LOAD: it reads the code's "#!lua name=<lib>" line,
// runs the code to collect its redis.register_function calls, and adds
// the library (replacing one of the same name only with replace). Errors
// carry Redis's texts.
func (e *Engine) Load(code []byte, replace bool) (string, error) {
	lib, err := e.build(code)
	if err != nil {
		return "", err
	}
	e.libMu.Lock()
	defer e.libMu.Unlock()
	if err := e.install(lib, replace); err != nil {
		return "", err
	}
	return lib.Name, nil
}

// build parses and runs a library's code without installing it.
func (e *Engine) build(code []byte) (*Library, error) {
	name, src, err := parseLibraryShebang(string(code))
	if err != nil {
		return nil, err
	}
	proto, err := compile(src, "user_function")
	if err != nil {
		return nil, errorf("ERR Error compiling function: " + err.Error())
	}
	lib := &Library{Name: name, Code: bytes.Clone(code)} // code may be the caller's buffer
	e.fnMu.Lock()
	defer e.fnMu.Unlock()
	funcs, err := e.fn.runLibrary(proto)
	if err != nil {
		return nil, err
	}
	if len(funcs) == 0 {
		return nil, errorf("ERR No functions registered")
	}
	for _, f := range funcs {
		f.Library = lib
	}
	lib.Functions = funcs
	return lib, nil
}

// install adds lib to the registry (libMu held).
func (e *Engine) install(lib *Library, replace bool) error {
	old := e.libs[lib.Name]
	if old != nil && !replace {
		return errorf("ERR Library '" + lib.Name + "' already exists")
	}
	for _, f := range lib.Functions {
		if other, ok := e.funcs[strings.ToLower(f.Name)]; ok && other.Library != old {
			return errorf("ERR Function " + f.Name + " already exists")
		}
	}
	if old != nil {
		e.remove(old)
	}
	e.libs[lib.Name] = lib
	for _, f := range lib.Functions {
		e.funcs[strings.ToLower(f.Name)] = f
	}
	return nil
}

func (e *Engine) remove(lib *Library) {
	delete(e.libs, lib.Name)
	for _, f := range lib.Functions {
		delete(e.funcs, strings.ToLower(f.Name))
	}
}

// Delete is FUNCTION DELETE.
func (e *Engine) Delete(name string) error {
	e.libMu.Lock()
	defer e.libMu.Unlock()
	lib, ok := e.libs[name]
	if !ok {
		return errorf("ERR Library not found")
	}
	e.remove(lib)
	return nil
}

// Flush is FUNCTION FLUSH: every library is removed.
func (e *Engine) Flush() {
	e.libMu.Lock()
	defer e.libMu.Unlock()
	e.libs, e.funcs = map[string]*Library{}, map[string]*Function{}
}

// parseLibraryShebang reads "#!lua name=<lib>" and returns the name and
// the code with that line blanked. As Redis's functionExtractLibMetaData,
// the line is split by sdssplitargs (quotes allowed), "name=" is
// case-insensitive, the name is checked before the engine, and the
// engine name is case-insensitive.
func parseLibraryShebang(code string) (name, src string, err error) {
	if !strings.HasPrefix(code, "#!") {
		return "", "", errorf("ERR Missing library metadata")
	}
	line, rest, found := strings.Cut(code, "\n")
	if !found {
		return "", "", errorf("ERR Invalid library metadata")
	}
	parts, ok := resp.SplitArgs(line)
	if !ok || len(parts) == 0 {
		return "", "", errorf("ERR Invalid library metadata")
	}
	engine := strings.TrimPrefix(parts[0], "#!")
	named := false
	for _, p := range parts[1:] {
		if len(p) < 5 || !strings.EqualFold(p[:5], "name=") {
			return "", "", errorf("ERR Invalid metadata value given: " + p)
		}
		if named {
			return "", "", errorf("ERR Invalid metadata value, name argument was given multiple times")
		}
		name, named = p[5:], true
	}
	if !named {
		return "", "", errorf("ERR Library name was not given")
	}
	if !validName(name) {
		return "", "", errorf(errBadName)
	}
	if !strings.EqualFold(engine, "lua") {
		return "", "", errorf("ERR Engine '" + engine + "' not found")
	}
	return name, "\n" + rest, nil
}

const errBadName = "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// loadTimeGlobals is what a library's top-level code sees: only redis,
// with register_function, log, the log levels and the version.
func (v *vm) loadTimeGlobals() *lua.LTable {
	L := v.L
	api := L.NewTable()
	api.RawSetString("register_function", L.NewFunction(v.registerFunction))
	api.RawSetString("log", L.NewFunction(v.logFn))
	v.constants(api)
	g := L.NewTable()
	g.RawSetString("redis", v.readonly(v.strict(api)))
	return v.strict(g)
}

// runLibrary runs a library's top-level code in a fresh environment that
// shows the load-time globals, then, for its functions' later runs, the
// run-time ones. The environment is not a registered proxy (no script can
// reach it as a value), so loads leave nothing behind in v.proxies.
func (v *vm) runLibrary(proto *lua.FunctionProto) ([]*Function, error) {
	L := v.L
	env := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", v.loadGlobals)
	mt.RawSetString("__newindex", v.refuseWrite)
	mt.RawSetString("__metatable", lua.LFalse)
	L.SetMetatable(env, mt)
	fn := L.NewFunctionFromProto(proto)
	fn.Env = env
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	v.loading = &loading{}
	L.SetContext(ctx)
	defer func() {
		L.RemoveContext()
		v.loading = nil
		L.SetTop(0)
	}()
	L.Push(fn)
	if err := v.protect(0, 0, nil); err != nil {
		msg := "ERR " + err.Error()
		if ae, ok := err.(*lua.ApiError); ok {
			msg = errorText(ae.Object)
		}
		if ctx.Err() != nil {
			msg = "ERR FUNCTION LOAD timeout"
		}
		return nil, errorf("ERR Error registering functions: " + msg)
	}
	mt.RawSetString("__index", v.globals)
	return v.loading.funcs, nil
}

// registerFunction is redis.register_function(name, callback) or
// redis.register_function{function_name=, callback=, description=, flags=}.
func (v *vm) registerFunction(L *lua.LState) int {
	if v.loading == nil {
		return raise(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	f := &Function{}
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			return raise(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		if msg := namedRegistration(t, f); msg != "" {
			return raise(L, msg)
		}
	case 2:
		name, ok := luaString(L.Get(1))
		if !ok {
			return raise(L, "first argument to redis.register_function must be a string")
		}
		cb, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			return raise(L, "second argument to redis.register_function must be a function")
		}
		f.Name, f.fn = name, cb
	default:
		return raise(L, "wrong number of arguments to redis.register_function")
	}
	if !validName(f.Name) {
		return raise(L, strings.TrimPrefix(errBadName, "ERR "))
	}
	for _, other := range v.loading.funcs {
		if strings.EqualFold(other.Name, f.Name) {
			return raise(L, "Function already exists in the library")
		}
	}
	v.loading.funcs = append(v.loading.funcs, f)
	return 0
}

// namedRegistration fills f from register_function's table form; it
// returns an error text or "".
func namedRegistration(t *lua.LTable, f *Function) string {
	var msg string
	forEach(t, func(k, val lua.LValue) {
		if msg != "" {
			return
		}
		key, _ := k.(lua.LString)
		switch key {
		case "function_name":
			name, ok := luaString(val)
			if !ok {
				msg = "function_name argument given to redis.register_function must be a string"
			}
			f.Name = name
		case "callback":
			cb, ok := val.(*lua.LFunction)
			if !ok {
				msg = "callback argument given to redis.register_function must be a function"
			}
			f.fn = cb
		case "description":
			d, ok := luaString(val)
			if !ok {
				msg = "description argument given to redis.register_function must be a string"
			}
			f.Description = &d
		case "flags":
			flags, m := parseFlagTable(val)
			f.Flags, msg = flags, m
		default:
			msg = "unknown argument given to redis.register_function"
		}
	})
	switch {
	case msg != "":
		return msg
	case f.Name == "":
		return "redis.register_function must get a function name argument"
	case f.fn == nil:
		return "redis.register_function must get a callback argument"
	}
	return ""
}

func parseFlagTable(val lua.LValue) (Flags, string) {
	t, ok := val.(*lua.LTable)
	if !ok {
		return 0, "flags argument to redis.register_function must be a table representing function flags"
	}
	var flags Flags
	for i := 1; ; i++ {
		item := t.RawGetInt(i)
		if item == lua.LNil {
			return flags, ""
		}
		name, _ := item.(lua.LString)
		f, ok := parseFlag(string(name))
		if !ok {
			return 0, "unknown flag given"
		}
		flags |= f
	}
}

// luaString is lua_isstring + lua_tostring: strings and numbers.
func luaString(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return formatNumber(float64(x)), true
	}
	return "", false
}
