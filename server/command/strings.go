package command

import (
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// GET key
func (d *Dispatcher) get(s *Session, args [][]byte) resp.Reply {
	v, ok, err := d.readString(s, args[1])
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return resp.Null()
	}
	return resp.Bulk(v)
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms|KEEPTTL]
func (d *Dispatcher) set(s *Session, args [][]byte) resp.Reply {
	o, ok := parseSetOpts(args[3:], false)
	if !ok {
		return errSyntax
	}
	return d.setGeneric(s, "set", args[1], args[2], o)
}

// setGeneric is SET with parsed options; cmd names the command in errors.
func (d *Dispatcher) setGeneric(s *Session, cmd string, key, val []byte, o setOpts) resp.Reply {
	var exp int64
	if o.hasExpiry() {
		var r resp.Reply
		if exp, r = o.expiry(d.env.KV.Now(), cmd); r.IsError() {
			return r
		}
	}
	var old []byte
	var had, wrote bool
	write := d.update
	if !o.nx && !o.xx && !o.get && !o.keepTTL {
		write = d.overwrite
	}
	_, err := write(s, key, func(cur version.Set, now int64) (*replica.Change, error) {
		v, live := crdt.Resolve(cur, now)
		if o.get && live && !crdt.IsString(v.Kind) {
			return nil, &replyError{errWrongType}
		}
		if had = live; live {
			old = clone(v.Bytes)
		}
		if (o.nx && live) || (o.xx && !live) {
			return nil, nil
		}
		e := exp
		if o.keepTTL && live {
			e = v.Expiry
		}
		wrote = true
		return d.assign(cur, now, val, e), nil
	})
	switch {
	case err != nil:
		return errorReply(err)
	case o.get && had:
		return resp.Bulk(old)
	case o.get, !wrote:
		return resp.Null()
	}
	return resp.OK()
}

// SETNX key value
func (d *Dispatcher) setnx(s *Session, args [][]byte) resp.Reply {
	r := d.setGeneric(s, "setnx", args[1], args[2], setOpts{nx: true})
	return boolInt(r)
}

// boolInt turns SET's OK/nil into 1/0 (SETNX, MSETNX's per-key step).
func boolInt(r resp.Reply) resp.Reply {
	switch r.Kind {
	case resp.KindSimple:
		return resp.Int(1)
	case resp.KindNull:
		return resp.Int(0)
	}
	return r
}

// SETEX key seconds value
func (d *Dispatcher) setex(s *Session, args [][]byte) resp.Reply {
	return d.setGeneric(s, "setex", args[1], args[3], setOpts{expUnit: "ex", expArg: args[2]})
}

// PSETEX key milliseconds value
func (d *Dispatcher) psetex(s *Session, args [][]byte) resp.Reply {
	return d.setGeneric(s, "psetex", args[1], args[3], setOpts{expUnit: "px", expArg: args[2]})
}

// GETSET key value
func (d *Dispatcher) getset(s *Session, args [][]byte) resp.Reply {
	return d.setGeneric(s, "getset", args[1], args[2], setOpts{get: true})
}

// GETDEL key
func (d *Dispatcher) getdel(s *Session, args [][]byte) resp.Reply {
	return d.updateString(s, args[1], func(cur version.Set, _ crdt.Value, _ int64) (*replica.Change, error) {
		return tombstone(cur), nil
	})
}

// updateString runs fn on key's live string value (nothing is written
// when the key has none; WRONGTYPE for another type) and replies with that
// value as it was before, or nil.
func (d *Dispatcher) updateString(s *Session, key []byte, fn func(cur version.Set, v crdt.Value, now int64) (*replica.Change, error)) resp.Reply {
	var old []byte
	var had bool
	_, err := d.update(s, key, func(cur version.Set, now int64) (*replica.Change, error) {
		v, live, err := stringOf(cur, now)
		if err != nil || !live {
			return nil, err
		}
		had, old = true, clone(v.Bytes)
		return fn(cur, v, now)
	})
	switch {
	case err != nil:
		return errorReply(err)
	case !had:
		return resp.Null()
	}
	return resp.Bulk(old)
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ms|PERSIST]
func (d *Dispatcher) getex(s *Session, args [][]byte) resp.Reply {
	o, ok := parseSetOpts(args[2:], true)
	if !ok {
		return errSyntax
	}
	if !o.hasExpiry() && !o.persist {
		return d.get(s, args)
	}
	var exp int64
	if o.hasExpiry() {
		var r resp.Reply
		if exp, r = o.expiry(d.env.KV.Now(), "getex"); r.IsError() {
			return d.orNull(s, args[1], r)
		}
	}
	return d.updateString(s, args[1], func(cur version.Set, v crdt.Value, now int64) (*replica.Change, error) {
		switch {
		case o.persist && v.Expiry == 0:
			return nil, nil
		case exp != 0 && exp <= now:
			return tombstone(cur), nil
		}
		return rewrite(cur, v, now, exp)
	})
}

// orNull is nil if key has no value, else r: Redis's GETEX looks the key
// up (and checks its type) before it checks the expire time.
func (d *Dispatcher) orNull(s *Session, key []byte, r resp.Reply) resp.Reply {
	_, ok, err := d.readString(s, key)
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return resp.Null()
	}
	return r
}

// MGET key [key ...]
func (d *Dispatcher) mget(s *Session, args [][]byte) resp.Reply {
	out := make([]resp.Reply, len(args)-1)
	for i, k := range args[1:] {
		v, ok, err := d.readValue(s, k)
		switch {
		case err != nil:
			return errorReply(err)
		case !ok || !crdt.IsString(v.Kind): // MGET answers nil for other types
			out[i] = resp.Null()
		default:
			out[i] = resp.Bulk(v.Bytes)
		}
	}
	return resp.Array(out...)
}

// STRLEN key
func (d *Dispatcher) strlen(s *Session, args [][]byte) resp.Reply {
	v, ok, err := d.readString(s, args[1])
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return resp.Int(0)
	}
	return resp.Int(int64(len(v)))
}
