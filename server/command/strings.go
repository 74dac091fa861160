package command

import (
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// GET key
func (d *Dispatcher) get(s *Session, args [][]byte) resp.Reply {
	w, err := d.read(s, args[1])
	switch {
	case err != nil:
		return errorReply(err)
	case w == nil:
		return resp.Null()
	}
	return resp.Bulk(w.Value)
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
		w, live := cur.Winner(now)
		if had = live; live {
			old = clone(w.Value)
		}
		if (o.nx && live) || (o.xx && !live) {
			return nil, nil
		}
		e := exp
		if o.keepTTL && live {
			e = w.Expiry
		}
		wrote = true
		return put(cur, val, e), nil
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
	return d.updateWinner(s, args[1], func(cur version.Set, _ *version.Sibling, _ int64) *replica.Change {
		return tombstone(cur)
	})
}

// updateWinner runs fn on key's live value (nothing is written when the
// key has none) and replies with that value as it was before, or nil.
func (d *Dispatcher) updateWinner(s *Session, key []byte, fn func(cur version.Set, w *version.Sibling, now int64) *replica.Change) resp.Reply {
	var old []byte
	var had bool
	_, err := d.update(s, key, func(cur version.Set, now int64) (*replica.Change, error) {
		w, live := cur.Winner(now)
		if !live {
			return nil, nil
		}
		had, old = true, clone(w.Value)
		return fn(cur, w, now), nil
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
	return d.updateWinner(s, args[1], func(cur version.Set, w *version.Sibling, now int64) *replica.Change {
		switch {
		case o.persist && w.Expiry == 0:
			return nil
		case exp != 0 && exp <= now:
			return tombstone(cur)
		}
		return put(cur, w.Value, exp)
	})
}

// orNull is nil if key has no value, else r: Redis's GETEX looks the key
// up before it checks the expire time.
func (d *Dispatcher) orNull(s *Session, key []byte, r resp.Reply) resp.Reply {
	w, err := d.read(s, key)
	switch {
	case err != nil:
		return errorReply(err)
	case w == nil:
		return resp.Null()
	}
	return r
}

// MGET key [key ...]
func (d *Dispatcher) mget(s *Session, args [][]byte) resp.Reply {
	out := make([]resp.Reply, len(args)-1)
	for i, k := range args[1:] {
		w, err := d.read(s, k)
		switch {
		case err != nil:
			return errorReply(err)
		case w == nil:
			out[i] = resp.Null()
		default:
			out[i] = resp.Bulk(w.Value)
		}
	}
	return resp.Array(out...)
}

// MSET key value [key value ...]
func (d *Dispatcher) mset(s *Session, args [][]byte) resp.Reply {
	if len(args)%2 == 0 {
		return errWrongArgs("mset")
	}
	for i := 1; i < len(args); i += 2 {
		if r := d.setGeneric(s, "mset", args[i], args[i+1], setOpts{}); r.IsError() {
			return r
		}
	}
	return resp.OK()
}

// MSETNX key value [key value ...]: 0 if any key exists. The check and the
// writes are not atomic across keys.
func (d *Dispatcher) msetnx(s *Session, args [][]byte) resp.Reply {
	if len(args)%2 == 0 {
		return errWrongArgs("msetnx")
	}
	for i := 1; i < len(args); i += 2 {
		w, err := d.read(s, args[i])
		if err != nil {
			return errorReply(err)
		}
		if w != nil {
			return resp.Int(0)
		}
	}
	return boolInt(d.mset(s, args))
}

// STRLEN key
func (d *Dispatcher) strlen(s *Session, args [][]byte) resp.Reply {
	w, err := d.read(s, args[1])
	switch {
	case err != nil:
		return errorReply(err)
	case w == nil:
		return resp.Int(0)
	}
	return resp.Int(int64(len(w.Value)))
}
