package lua

import (
	"math"
	"reflect"

	lua "github.com/yuin/gopher-lua"
)

// patchStdlib gives stock gopher-lua functions Lua 5.1's argument checks
// and error texts where they differ (Redis's scripts see these under
// pcall): math.max and math.min need a number, tonumber's base is 2 to
// 36, string.char's codes 0 to 255, select's index a number, table.insert
// 2 or 3 arguments, table.concat names 'concat' quoted and raises with
// luaL_error's position (none under pcall), next refuses a key the table
// never had.
func (v *vm) patchStdlib() {
	L := v.L
	g := L.G.Global
	wrap := func(t *lua.LTable, name string, check func(L *lua.LState)) {
		stock := t.RawGetString(name).(*lua.LFunction)
		t.RawSetString(name, v.wrapGo(func(L *lua.LState) int {
			check(L)
			return v.callThrough(L, stock)
		}))
	}
	m := g.RawGetString("math").(*lua.LTable)
	for _, name := range []string{"max", "min"} {
		wrap(m, name, func(L *lua.LState) {
			coerce(L)
			L.CheckNumber(1)
		})
	}
	tonumber := g.RawGetString("tonumber").(*lua.LFunction)
	g.RawSetString("tonumber", v.wrapGo(func(L *lua.LState) int {
		L.CheckAny(1)
		base := 10
		if L.Get(2) != lua.LNil {
			coerce(L, 2)
			base = L.CheckInt(2)
		}
		if base == 10 { // lua_str2number (strtod), or the stock function for non-strings
			if s, ok := L.Get(1).(lua.LString); ok {
				n, ok := parseLuaNumber(string(s))
				L.Push(lua.LNil)
				if ok {
					L.Push(n)
				}
				return 1
			}
			L.SetTop(1)
			return v.callThrough(L, tonumber)
		}
		s := L.CheckString(1) // a number converts to its string
		if base < 2 || base > 36 {
			L.ArgError(2, "base out of range")
		}
		if n, ok := strtoul(s, base); ok {
			L.Push(lua.LNumber(n))
		} else {
			L.Push(lua.LNil)
		}
		return 1
	}))
	str := g.RawGetString("string").(*lua.LTable)
	wrap(str, "char", func(L *lua.LState) {
		coerce(L)
		for i := 1; i <= L.GetTop(); i++ {
			if c := L.CheckInt(i); c < 0 || c > 255 {
				L.ArgError(i, "invalid value")
			}
		}
	})
	wrap(g, "select", func(L *lua.LState) {
		if s, ok := L.Get(1).(lua.LString); ok && (len(s) == 0 || s[0] != '#') {
			if _, ok := parseLuaNumber(string(s)); !ok {
				L.TypeError(1, lua.LTNumber)
			}
		}
	})
	tbl := g.RawGetString("table").(*lua.LTable)
	wrap(tbl, "insert", func(L *lua.LState) {
		L.CheckTable(1)
		if n := L.GetTop(); n != 2 && n != 3 {
			L.Error(lua.LString(v.where(L, 1)+"wrong number of arguments to 'insert'"), 0)
		}
	})
	wrap(tbl, "concat", func(L *lua.LState) {
		t, ok := L.Get(1).(*lua.LTable)
		if sep := L.Get(2); !ok || (sep != lua.LNil && sep.Type() != lua.LTString && sep.Type() != lua.LTNumber) {
			return // the stock function raises the bad argument
		}
		t = v.unwrap(t)
		i, last := L.OptInt(3, 1), L.OptInt(4, t.Len())
		for k := i; k <= last && k-i < 1<<24; k++ {
			if e := t.RawGetInt(k); e.Type() != lua.LTString && e.Type() != lua.LTNumber {
				L.Error(lua.LString(v.where(L, 1)+"invalid value ("+e.Type().String()+") at index "+
					itoa(k)+" in table for 'concat'"), 0)
			}
		}
	})
	wrap(g, "next", func(L *lua.LState) {
		t := L.CheckTable(1)
		if key := L.Get(2); !nextKeyValid(v.unwrap(t), key) {
			L.Error(lua.LString("invalid key to 'next'"), 0)
		}
	})
}

// nextKeyValid is Lua's findindex: nil, a key of the array part, or a key
// the table holds or held (a field cleared while traversing stays valid).
// gopher-lua keeps the keys it ever held in its unexported k2i index.
func nextKeyValid(t *lua.LTable, key lua.LValue) bool {
	if key == lua.LNil || t.RawGet(key) != lua.LNil {
		return true
	}
	tv := reflect.ValueOf(t).Elem()
	if n, ok := key.(lua.LNumber); ok && float64(n) == math.Floor(float64(n)) && n >= 1 &&
		float64(n) <= float64(tv.FieldByName("array").Len()) {
		return true
	}
	k2i := tv.FieldByName("k2i")
	return k2i.IsValid() && !k2i.IsNil() && k2i.MapIndex(reflect.ValueOf(&key).Elem()).IsValid()
}

// strtoul is luaB_tonumber's conversion in a base other than 10: C's
// strtoul (leading spaces, a sign, 0x in base 16, saturating at
// ULONG_MAX, a minus wrapping), then only spaces may follow.
func strtoul(s string, base int) (float64, bool) {
	isSpace := func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }
	digit := func(c byte) int {
		switch {
		case c >= '0' && c <= '9':
			return int(c - '0')
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			return int(c|0x20-'a') + 10
		}
		return 99
	}
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if base == 16 && i+2 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' && digit(s[i+2]) < 16 {
		i += 2
	}
	start, n, over := i, uint64(0), false
	for ; i < len(s) && digit(s[i]) < base; i++ {
		d := uint64(digit(s[i]))
		if n > (math.MaxUint64-d)/uint64(base) {
			over = true
		}
		n = n*uint64(base) + d
	}
	if i == start {
		return 0, false
	}
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return 0, false
	}
	switch {
	case over:
		n = math.MaxUint64
	case neg:
		n = -n
	}
	return float64(n), true
}
