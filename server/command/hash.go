package command

import (
	"errors"
	"math"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// Hashes: a field is an element record; its value resolves as a string
// key's does (crdt.Resolve): a last-writer-wins register (concurrent
// HSETs of one field: the highest (Time, Node) wins, as GET picks among
// siblings), or a counter once HINCRBY touched it (concurrent HINCRBYs
// add up; an HSET or HINCRBYFLOAT of a counter field sets its base and
// absorbs the increments its writer saw, as SET does on a counter key).
// HDEL removes the field versions it saw.

// hashCommands are the hash commands.
func (d *Dispatcher) hashCommands() []*Command {
	const rw, rwf, ro, rof = Write | DenyOOM, Write | DenyOOM | Fast, ReadOnly, ReadOnly | Fast
	const g = "hash"
	return []*Command{
		spec("hset", -4, rwf, 1, 1, 1, g, d.hset),
		spec("hmset", -4, rwf, 1, 1, 1, g, d.hmset),
		spec("hsetnx", 4, rwf, 1, 1, 1, g, d.hsetnx),
		spec("hget", 3, rof, 1, 1, 1, g, d.hget),
		spec("hmget", -3, rof, 1, 1, 1, g, d.hmget),
		spec("hexists", 3, rof, 1, 1, 1, g, d.hexists),
		spec("hstrlen", 3, rof, 1, 1, 1, g, d.hstrlen),
		spec("hdel", -3, Write|Fast, 1, 1, 1, g, d.hdel),
		spec("hlen", 2, rof, 1, 1, 1, g, d.hlen),
		spec("hgetall", 2, ro, 1, 1, 1, g, d.hgetall),
		spec("hkeys", 2, ro, 1, 1, 1, g, d.hkeys),
		spec("hvals", 2, ro, 1, 1, 1, g, d.hvals),
		spec("hincrby", 4, rwf, 1, 1, 1, g, d.hincrby),
		spec("hincrbyfloat", 4, rwf, 1, 1, 1, g, d.hincrbyfloat),
		spec("hrandfield", -2, ro, 1, 1, 1, g, d.hrandfield),
		spec("hscan", -3, ro, 1, 1, 1, g, d.hscan),
	}
}

// fieldSet is a field's live siblings as a record, for crdt's rules.
func fieldSet(live []*version.Sibling) version.Set {
	set := make(version.Set, len(live))
	for i, sb := range live {
		set[i] = *sb
	}
	return set
}

// fieldValue is a hash field's value from its live siblings, as GET
// resolves a string key (crdt.Resolve): the newest plain value, or the
// counter they resolve to. ok is false if absent.
func fieldValue(live []*version.Sibling) (v []byte, ok bool) {
	if len(live) == 0 {
		return nil, false
	}
	// The siblings are live already (element records carry no expiry).
	r, ok := crdt.Resolve(fieldSet(live), math.MinInt64)
	return r.Bytes, ok
}

// fieldWriter is the clock reading and actor of a command's field
// writes, read before its updates (c.writer()): the store may hold a lock
// while it runs an update's function.
type fieldWriter struct {
	now   int64
	actor string
	c     *coll
}

// writer returns the clock reading and actor for c's field writes.
func (c *coll) writer() fieldWriter {
	return fieldWriter{now: c.d.raw.Now(), actor: c.d.raw.Actor(), c: c}
}

// assign is the write of the plain value v over a field's live siblings
// (HSET, HSETNX, HINCRBYFLOAT): v as is, or, on a counter field and v an
// integer, a counter whose base is v and which absorbs the increments
// seen (crdt.Assign), so that one made concurrently elsewhere still adds
// up and none the writer saw counts twice.
func (w fieldWriter) assign(live []*version.Sibling, v []byte) ElemChange {
	k, b := crdt.Assign(w.c.record(live), w.now, w.actor, v)
	return ElemChange{Op: ElemWrite, Kind: k, Body: b}
}

// HSET key field value [field value ...]
func (d *Dispatcher) hset(s *Session, args [][]byte) resp.Reply {
	if len(args)%2 != 0 {
		return errWrongArgs("hset")
	}
	n, err := d.hsetPairs(s, args[1], args[2:])
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(n)
}

// HMSET key field value [field value ...]
func (d *Dispatcher) hmset(s *Session, args [][]byte) resp.Reply {
	if len(args)%2 != 0 {
		return errWrongArgs("hmset")
	}
	if _, err := d.hsetPairs(s, args[1], args[2:]); err != nil {
		return errorReply(err)
	}
	return resp.OK()
}

// hsetPairs sets field/value pairs and returns how many fields were new.
func (d *Dispatcher) hsetPairs(s *Session, key []byte, pairs [][]byte) (int64, error) {
	c, err := d.writeColl(s, key, version.KindHash, len(pairs) == 2)
	if err != nil {
		return 0, err
	}
	defer c.close()
	var added int64
	w := c.writer()
	for i := 0; i+1 < len(pairs); i += 2 {
		val := pairs[i+1]
		_, err := c.update(pairs[i], func(live []*version.Sibling) (ElemChange, error) {
			if len(live) == 0 {
				added++
			}
			return w.assign(live, val), nil
		})
		if err != nil {
			return added, err
		}
	}
	return added, nil
}

// HSETNX key field value
func (d *Dispatcher) hsetnx(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindHash, lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	// A field that exists costs one read, no write.
	if live, err := c.live(args[2]); err != nil || len(live) > 0 {
		if err != nil {
			return errorReply(err)
		}
		return resp.Int(0)
	}
	if err := c.touchLater(); err != nil {
		return errorReply(err)
	}
	w := c.writer()
	ch, err := c.update(args[2], func(live []*version.Sibling) (ElemChange, error) {
		if len(live) > 0 {
			return ElemChange{}, nil
		}
		return w.assign(live, args[3]), nil
	})
	switch {
	case err != nil:
		return errorReply(err)
	case ch.Op != ElemWrite:
		return resp.Int(0)
	}
	return resp.Int(1)
}

// field returns one field's value; ok is false if the key or the field
// is absent.
func (d *Dispatcher) field(s *Session, key, field []byte) (v []byte, ok bool, err error) {
	c, err := d.openColl(s, key, version.KindHash, lockNone)
	if err != nil {
		return nil, false, err
	}
	defer c.close()
	live, err := c.live(field)
	if err != nil {
		return nil, false, err
	}
	v, ok = fieldValue(live)
	return clone(v), ok, nil
}

// HGET key field
func (d *Dispatcher) hget(s *Session, args [][]byte) resp.Reply {
	v, ok, err := d.field(s, args[1], args[2])
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return resp.Null()
	}
	return resp.Bulk(v)
}

// HMGET key field [field ...]
func (d *Dispatcher) hmget(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindHash, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	out := make([]resp.Reply, 0, len(args)-2)
	for _, f := range args[2:] {
		live, err := c.live(f)
		if err != nil {
			return errorReply(err)
		}
		if v, ok := fieldValue(live); ok {
			out = append(out, resp.Bulk(clone(v)))
		} else {
			out = append(out, resp.Null())
		}
	}
	return resp.Array(out...)
}

// HEXISTS key field
func (d *Dispatcher) hexists(s *Session, args [][]byte) resp.Reply {
	_, ok, err := d.field(s, args[1], args[2])
	switch {
	case err != nil:
		return errorReply(err)
	case ok:
		return resp.Int(1)
	}
	return resp.Int(0)
}

// HSTRLEN key field
func (d *Dispatcher) hstrlen(s *Session, args [][]byte) resp.Reply {
	v, _, err := d.field(s, args[1], args[2])
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(int64(len(v)))
}

// HDEL key field [field ...]
func (d *Dispatcher) hdel(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindHash, lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.Int(0)
	}
	var removed int64
	for _, f := range args[2:] {
		_, err := c.update(f, func(live []*version.Sibling) (ElemChange, error) {
			if len(live) == 0 {
				return ElemChange{}, nil
			}
			removed++
			return ElemChange{Op: ElemRemove}, nil
		})
		if err != nil {
			return errorReply(err)
		}
	}
	if removed > 0 {
		if err := c.dropIfEmpty(); err != nil {
			return errorReply(err)
		}
	}
	return resp.Int(removed)
}

// HLEN key
func (d *Dispatcher) hlen(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindHash, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	n, err := c.count()
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(n)
}

// hashEach visits key's fields with their values in field order, until
// fn returns false.
func (d *Dispatcher) hashEach(s *Session, key, after []byte, fn func(field, value []byte) bool) error {
	c, err := d.openColl(s, key, version.KindHash, lockNone)
	if err != nil {
		return err
	}
	defer c.close()
	return c.each(after, func(field []byte, live []*version.Sibling) bool {
		v, ok := fieldValue(live)
		if !ok {
			return true
		}
		return fn(field, v)
	})
}

// hashAll returns key's fields and values as replies, field order: the
// fields, the values or both (field, value, field, value...).
func (d *Dispatcher) hashAll(s *Session, key []byte, fields, values bool) ([]resp.Reply, error) {
	out := []resp.Reply{}
	err := d.hashEach(s, key, nil, func(f, v []byte) bool {
		if fields {
			out = append(out, resp.Bulk(clone(f)))
		}
		if values {
			out = append(out, resp.Bulk(clone(v)))
		}
		return true
	})
	return out, err
}

// HGETALL key: a map in RESP3.
func (d *Dispatcher) hgetall(s *Session, args [][]byte) resp.Reply {
	out, err := d.hashAll(s, args[1], true, true)
	if err != nil {
		return errorReply(err)
	}
	return resp.Map(out...)
}

// HKEYS key
func (d *Dispatcher) hkeys(s *Session, args [][]byte) resp.Reply {
	out, err := d.hashAll(s, args[1], true, false)
	if err != nil {
		return errorReply(err)
	}
	return resp.Array(out...)
}

// HVALS key
func (d *Dispatcher) hvals(s *Session, args [][]byte) resp.Reply {
	out, err := d.hashAll(s, args[1], false, true)
	if err != nil {
		return errorReply(err)
	}
	return resp.Array(out...)
}

// Errors of HINCRBY and HINCRBYFLOAT on a field's value, Redis's texts.
var (
	errHashNotInteger = resp.Err("ERR hash value is not an integer")
	errHashNotFloat   = resp.Err("ERR hash value is not a float")
	errHashIncrNaN    = resp.Err("ERR value is NaN or Infinity")
)

// HINCRBY key field increment: one counter sibling superseding the
// field's versions seen, crediting increment to this node's actor, so
// that concurrent HINCRBYs add up (crdt.Incr).
func (d *Dispatcher) hincrby(s *Session, args [][]byte) resp.Reply {
	by, ok := resp.ParseInt(args[3])
	if !ok {
		return errNotInteger
	}
	c, err := d.writeColl(s, args[1], version.KindHash, true)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	var res int64
	w := c.writer()
	_, err = c.update(args[2], func(live []*version.Sibling) (ElemChange, error) {
		n, err := crdt.Incr(w.c.record(live), w.now, w.actor, by)
		switch {
		case errors.Is(err, crdt.ErrOverflow):
			return ElemChange{}, &replyError{errOverflow}
		case err != nil:
			return ElemChange{}, &replyError{errHashNotInteger}
		}
		res, _ = n.Int()
		return ElemChange{Op: ElemWrite, Kind: version.KindCounter, Body: n.AppendBinary(nil)}, nil
	})
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(res)
}

// HINCRBYFLOAT key field increment: a base-setting write of the sum, as
// Redis writes it (HSET of the formatted value): it absorbs the
// increments its writer saw (fieldWriter.assign).
func (d *Dispatcher) hincrbyfloat(s *Session, args [][]byte) resp.Reply {
	by, ok := resp.ParseFloat(args[3])
	switch {
	case !ok:
		return errNotFloat
	case math.IsInf(by, 0):
		return errHashIncrNaN
	}
	c, err := d.writeColl(s, args[1], version.KindHash, true)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	var res []byte
	w := c.writer()
	_, err = c.update(args[2], func(live []*version.Sibling) (ElemChange, error) {
		var f float64
		if old, ok := fieldValue(live); ok {
			if f, ok = resp.ParseFloat(old); !ok {
				return ElemChange{}, &replyError{errHashNotFloat}
			}
		}
		f += by
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return ElemChange{}, &replyError{errNaNOrInf}
		}
		res = []byte(resp.FormatFloat(f))
		return w.assign(live, res), nil
	})
	if err != nil {
		return errorReply(err)
	}
	return resp.Bulk(res)
}
