package lua

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Error is a script failure; its text is the whole Redis error reply,
// code included ("ERR Error compiling script ...").
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(msg string) error { return &Error{Msg: msg} }

// errTable is the Lua value of a Redis error: a table {err = "CODE msg"}.
func errTable(L *lua.LState, msg string) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("err", lua.LString(msg))
	return t
}

// normalizeError turns an error text as Redis builds it ("-CODE msg" or a
// bare "msg") into the "CODE msg" an err table holds: a bare message, or a
// "-word" without a space, gets the ERR code. Trailing CR/LF is dropped.
func normalizeError(s string) string {
	code, msg := "ERR", s
	if strings.HasPrefix(s, "-") {
		if i := strings.IndexByte(s, ' '); i >= 0 {
			code, msg = s[1:i], s[i+1:]
		} else {
			msg = s[1:]
		}
	}
	return code + " " + strings.Trim(msg, "\r\n")
}

// raise raises a Redis error table {err = "ERR msg"} with no position
// prefix, as luaPushError + lua_error do.
func raise(L *lua.LState, msg string) int {
	L.Error(errTable(L, normalizeError(msg)), 0)
	return 0
}

// errorText is what the top-level error handler makes of an error value:
// a table's err field, else "ERR " and the value as a string.
func errorText(v lua.LValue) string {
	switch e := v.(type) {
	case *lua.LTable:
		switch m := e.RawGetString("err").(type) {
		case lua.LString:
			return string(m)
		case lua.LNumber:
			return formatNumber(float64(m))
		}
		return "ERR unknown error"
	case lua.LString:
		return "ERR " + string(e)
	case lua.LNumber:
		return "ERR " + formatNumber(float64(e))
	case *lua.LNilType:
		return "ERR nil"
	}
	return "ERR " + v.String()
}
