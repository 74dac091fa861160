package lua

import (
	lua "github.com/yuin/gopher-lua"
)

// checkFormat is the argument checking of Lua 5.1's str_format, which
// gopher-lua's string.format lacks (it formats a string given to %d as
// 0): each conversion takes one argument, numeric ones a number or a
// string that reads as one (converted here), %s and %q a string or a
// number. It raises Lua's errors.
func checkFormat(L *lua.LState) {
	f := L.CheckString(1)
	arg := 1
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		if i++; i < len(f) && f[i] == '%' {
			continue
		}
		i = scanSpec(L, f, i)
		arg++
		if arg > L.GetTop() {
			L.ArgError(arg, "no value")
		}
		if i >= len(f) {
			L.RaiseError("invalid option '%%' to 'format'")
		}
		switch c := f[i]; c {
		case 'c', 'd', 'i', 'o', 'u', 'x', 'X', 'e', 'E', 'f', 'g', 'G':
			coerce(L, arg)
			if _, ok := L.Get(arg).(lua.LNumber); !ok {
				L.TypeError(arg, lua.LTNumber)
			}
		case 'q', 's':
			if _, ok := luaString(L.Get(arg)); !ok {
				L.TypeError(arg, lua.LTString)
			}
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", c)
		}
	}
}

// scanSpec skips a conversion's flags, width and precision (scanformat)
// and returns the index of its conversion letter.
func scanSpec(L *lua.LState, f string, i int) int {
	start := i
	for i < len(f) && (f[i] == '-' || f[i] == '+' || f[i] == ' ' || f[i] == '#' || f[i] == '0') {
		i++
	}
	if i-start > 5 {
		L.RaiseError("invalid format (repeated flags)")
	}
	digits := func() {
		for n := 0; i < len(f) && f[i] >= '0' && f[i] <= '9'; n++ {
			if n == 2 {
				L.RaiseError("invalid format (width or precision too long)")
			}
			i++
		}
	}
	digits()
	if i < len(f) && f[i] == '.' {
		i++
		digits()
	}
	return i
}
