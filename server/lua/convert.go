package lua

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/ringkv/ringkv/resp"
)

// toLua converts a command's reply to a Lua value by Redis 7.0's rules.
// With RESP2 (the default) a reply is first seen as RESP2 would encode it:
// maps are flat arrays, sets arrays, doubles bulk strings, booleans the
// integers 1 and 0, and both nulls false. With redis.setresp(3) maps,
// sets, doubles, verbatim strings and booleans keep their types, and null
// is nil.
func toLua(L *lua.LState, r resp.Reply, resp3 bool) lua.LValue {
	switch r.Kind {
	case resp.KindSimple:
		t := L.NewTable()
		t.RawSetString("ok", lua.LString(r.Str))
		return t
	case resp.KindError:
		t := errTable(L, normalizeError("-"+r.Str))
		t.RawSetString("ignore_error_stats_update", lua.LTrue)
		return t
	case resp.KindInt:
		return lua.LNumber(r.Int)
	case resp.KindBulk:
		return lua.LString(r.Text())
	case resp.KindNull, resp.KindNullArray:
		if resp3 {
			return lua.LNil
		}
		return lua.LFalse
	case resp.KindArray:
		return array(L, r.Elems, resp3)
	case resp.KindMap:
		if !resp3 {
			return array(L, r.Elems, false)
		}
		m := L.NewTable()
		for i := 0; i+1 < len(r.Elems); i += 2 {
			m.RawSet(toLua(L, r.Elems[i], true), toLua(L, r.Elems[i+1], true))
		}
		return wrap(L, "map", m)
	case resp.KindSet:
		if !resp3 {
			return array(L, r.Elems, false)
		}
		m := L.NewTable()
		for _, e := range r.Elems {
			m.RawSet(toLua(L, e, true), lua.LTrue)
		}
		return wrap(L, "set", m)
	case resp.KindDouble:
		if !resp3 {
			return lua.LString(resp2Text(r))
		}
		return wrap(L, "double", lua.LNumber(r.Float))
	case resp.KindBool:
		if !resp3 {
			return lua.LNumber(r.Int)
		}
		return lua.LBool(r.Int != 0)
	case resp.KindVerbatim:
		if !resp3 {
			return lua.LString(r.Text())
		}
		v := L.NewTable()
		v.RawSetString("string", lua.LString(r.Text()))
		v.RawSetString("format", lua.LString(r.Str[:min(3, len(r.Str))]))
		return wrap(L, "verbatim_string", v)
	case resp.KindRaw:
		if parsed, _, err := resp.ParseReply(r.Bytes); err == nil {
			return toLua(L, parsed, resp3)
		}
	}
	return lua.LFalse
}

func array(L *lua.LState, elems []resp.Reply, resp3 bool) *lua.LTable {
	t := L.CreateTable(len(elems), 0)
	for i, e := range elems {
		t.RawSetInt(i+1, toLua(L, e, resp3))
	}
	return t
}

// wrap returns the one-field table {field = v}.
func wrap(L *lua.LState, field string, v lua.LValue) *lua.LTable {
	t := L.CreateTable(0, 1)
	t.RawSetString(field, v)
	return t
}

// resp2Text is the bulk string RESP2 encodes r as (a double's text).
func resp2Text(r resp.Reply) string {
	b := resp.Append(nil, r, 2)
	if parsed, _, err := resp.ParseReply(b); err == nil {
		return parsed.Text()
	}
	return strconv.FormatFloat(r.Float, 'g', 17, 64)
}

// fromLua converts a script's result to its reply by Redis 7.0's rules:
// strings are bulk strings, numbers integers (truncated), true the
// integer 1 and false null (with redis.setresp(3): booleans), tables with
// an err or ok string field errors and statuses, tables with a double,
// big_number, verbatim_string, map or set field those RESP3 types, and
// other tables arrays up to their first nil. proto is the client's
// protocol (a big number is encoded for it).
func fromLua(v lua.LValue, resp3 bool, proto int) resp.Reply {
	return convert(v, resp3, proto, 0)
}

func convert(v lua.LValue, resp3 bool, proto, depth int) resp.Reply {
	if depth > maxDepth {
		return resp.Err("ERR reached lua stack limit")
	}
	switch x := v.(type) {
	case lua.LString:
		return resp.BulkString(string(x))
	case lua.LNumber:
		return resp.Int(toInteger(float64(x)))
	case lua.LBool:
		switch {
		case resp3:
			return resp.Bool(bool(x))
		case x == lua.LTrue:
			return resp.Int(1)
		}
		return resp.Null()
	case *lua.LTable:
		return convertTable(x, resp3, proto, depth)
	}
	return resp.Null()
}

func convertTable(t *lua.LTable, resp3 bool, proto, depth int) resp.Reply {
	if s, ok := t.RawGetString("err").(lua.LString); ok {
		return resp.Err(string(s))
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		return resp.Simple(string(s))
	}
	if n, ok := t.RawGetString("double").(lua.LNumber); ok {
		return resp.Double(float64(n))
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		return bigNumber(string(s), proto)
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		f, okf := vt.RawGetString("format").(lua.LString)
		s, oks := vt.RawGetString("string").(lua.LString)
		if okf && oks {
			return resp.Verbatim(string(f), string(s))
		}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		var kv []resp.Reply
		forEach(m, func(k, val lua.LValue) {
			kv = append(kv, convert(k, resp3, proto, depth+1), convert(val, resp3, proto, depth+1))
		})
		return resp.Map(kv...)
	}
	if m, ok := t.RawGetString("set").(*lua.LTable); ok {
		var elems []resp.Reply
		forEach(m, func(k, _ lua.LValue) {
			elems = append(elems, convert(k, resp3, proto, depth+1))
		})
		return resp.Set(elems...)
	}
	var elems []resp.Reply
	for i := 1; ; i++ {
		e := t.RawGetInt(i)
		if e == lua.LNil {
			break
		}
		elems = append(elems, convert(e, resp3, proto, depth+1))
	}
	return resp.Array(elems...)
}

// bigNumber is a RESP3 big number reply, a bulk string in RESP2. CR and
// LF become spaces, as Redis writes them.
func bigNumber(s string, proto int) resp.Reply {
	b := []byte(s)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	if proto != 3 {
		return resp.Bulk(b)
	}
	return resp.Raw(append(append([]byte{'('}, b...), '\r', '\n'))
}
