package command

import (
	"math"
	"strings"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// EXPIRE key seconds [NX|XX|GT|LT]
func (d *Dispatcher) expire(s *Session, args [][]byte) resp.Reply {
	return d.expireGeneric(s, args, true, true)
}

// PEXPIRE key milliseconds [NX|XX|GT|LT]
func (d *Dispatcher) pexpire(s *Session, args [][]byte) resp.Reply {
	return d.expireGeneric(s, args, false, true)
}

// EXPIREAT key unix-time-seconds [NX|XX|GT|LT]
func (d *Dispatcher) expireat(s *Session, args [][]byte) resp.Reply {
	return d.expireGeneric(s, args, true, false)
}

// PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]
func (d *Dispatcher) pexpireat(s *Session, args [][]byte) resp.Reply {
	return d.expireGeneric(s, args, false, false)
}

// expireFlags are EXPIRE's NX, XX, GT and LT options.
type expireFlags struct{ nx, xx, gt, lt bool }

func parseExpireFlags(args [][]byte) (expireFlags, resp.Reply) {
	var f expireFlags
	for _, a := range args {
		switch strings.ToLower(string(a)) {
		case "nx":
			f.nx = true
		case "xx":
			f.xx = true
		case "gt":
			f.gt = true
		case "lt":
			f.lt = true
		default:
			return f, resp.Err("ERR Unsupported option " + string(a))
		}
	}
	switch {
	case f.nx && (f.xx || f.gt || f.lt):
		return f, resp.Err("ERR NX and XX, GT or LT options at the same time are not compatible")
	case f.gt && f.lt:
		return f, resp.Err("ERR GT and LT options at the same time are not compatible")
	}
	return f, resp.Reply{}
}

// allow reports whether the flags let a key with expiry cur (0: none) get
// the expiry when, as Redis 7's expireGenericCommand decides.
func (f expireFlags) allow(cur, when int64) bool {
	switch {
	case f.nx && cur != 0, f.xx && cur == 0:
		return false
	case f.gt && (cur == 0 || when <= cur):
		return false
	case f.lt && cur != 0 && when >= cur:
		return false
	}
	return true
}

// expireGeneric sets key's expiry: sec says the argument is in seconds, rel
// that it is relative to now. A time in the past deletes the key.
func (d *Dispatcher) expireGeneric(s *Session, args [][]byte, sec, rel bool) resp.Reply {
	f, r := parseExpireFlags(args[3:])
	if r.IsError() {
		return r
	}
	when, ok := resp.ParseInt(args[2])
	if !ok {
		return errNotInteger
	}
	cmd := strings.ToLower(string(args[0]))
	if sec {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			return errInvalidExpire(cmd)
		}
		when *= 1000
	}
	if rel {
		now := d.env.KV.Now()
		if when > math.MaxInt64-now {
			return errInvalidExpire(cmd)
		}
		when += now
	}
	var done bool
	_, err := d.update(s, args[1], func(cur version.Set, now int64) (*replica.Change, error) {
		v, live := crdt.Resolve(cur, now)
		if done = live && f.allow(v.Expiry, when); !done {
			return nil, nil
		}
		if when <= now {
			return tombstone(cur), nil
		}
		return rewrite(cur, v, now, when)
	})
	return orInt(err, b2i(done))
}

// PERSIST key
func (d *Dispatcher) persist(s *Session, args [][]byte) resp.Reply {
	var done bool
	_, err := d.update(s, args[1], func(cur version.Set, now int64) (*replica.Change, error) {
		v, live := crdt.Resolve(cur, now)
		if done = live && v.Expiry != 0; !done {
			return nil, nil
		}
		return rewrite(cur, v, now, 0)
	})
	return orInt(err, b2i(done))
}

// ttlGeneric answers TTL-like commands: -2 for a missing key, -1 without
// expiry, else conv(expiry, now).
func (d *Dispatcher) ttlGeneric(s *Session, key []byte, conv func(exp, now int64) int64) resp.Reply {
	w, err := d.read(s, key)
	switch {
	case err != nil:
		return errorReply(err)
	case w == nil:
		return resp.Int(-2)
	case w.Expiry == 0:
		return resp.Int(-1)
	}
	return resp.Int(conv(w.Expiry, d.env.KV.Now()))
}

// TTL key: seconds left, rounded as Redis does.
func (d *Dispatcher) ttl(s *Session, args [][]byte) resp.Reply {
	return d.ttlGeneric(s, args[1], func(exp, now int64) int64 { return roundSec(max(exp-now, 0)) })
}

// PTTL key
func (d *Dispatcher) pttl(s *Session, args [][]byte) resp.Reply {
	return d.ttlGeneric(s, args[1], func(exp, now int64) int64 { return max(exp-now, 0) })
}

// EXPIRETIME key: rounded to the nearest second as TTL is (Redis computes
// (ms+500)/1000 unsigned, so the largest expiry does not overflow).
func (d *Dispatcher) expiretime(s *Session, args [][]byte) resp.Reply {
	return d.ttlGeneric(s, args[1], func(exp, _ int64) int64 { return roundSec(exp) })
}

// roundSec is ms >= 0 in seconds, rounded half up.
func roundSec(ms int64) int64 { return int64((uint64(ms) + 500) / 1000) }

// PEXPIRETIME key
func (d *Dispatcher) pexpiretime(s *Session, args [][]byte) resp.Reply {
	return d.ttlGeneric(s, args[1], func(exp, _ int64) int64 { return exp })
}
