package command

import (
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// Hashes: a field is an element record; its value is a last-writer-wins
// register (concurrent HSETs of one field: the highest (Time, Node) wins,
// as GET picks among siblings), or a counter once HINCRBY touched it
// (concurrent HINCRBYs add up). HDEL removes the field versions it saw.

// hashCommands are the hash commands.
func (d *Dispatcher) hashCommands() []*Command {
	const rw, rwf, ro, rof = Write | DenyOOM, Write | DenyOOM | Fast, ReadOnly, ReadOnly | Fast
	const g = "hash"
	return []*Command{
		spec("hset", -4, rwf, 1, 1, 1, g, d.hset),
		spec("hmset", -4, rwf, 1, 1, 1, g, d.hmset),
		spec("hget", 3, rof, 1, 1, 1, g, d.hget),
		spec("hdel", -3, Write|Fast, 1, 1, 1, g, d.hdel),
		spec("hlen", 2, rof, 1, 1, 1, g, d.hlen),
		spec("hgetall", 2, ro, 1, 1, 1, g, d.hgetall),
	}
}

// fieldValue is a hash field's value from its live siblings: the newest
// plain value, or the counter they resolve to. ok is false if absent.
func fieldValue(live []*version.Sibling) (v []byte, ok bool, err error) {
	if len(live) == 0 {
		return nil, false, nil
	}
	for _, sb := range live {
		if sb.Kind == version.KindCounter {
			c, err := crdt.ResolveCounter(live, false)
			if err != nil {
				return nil, false, err
			}
			return c.Bytes(), true, nil
		}
	}
	return crdt.Newest(live).Value, true, nil
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
	c, err := d.openColl(s, key, version.KindHash, true)
	if err != nil {
		return 0, err
	}
	defer c.close()
	if err := c.touch(); err != nil {
		return 0, err
	}
	var added int64
	for i := 0; i+1 < len(pairs); i += 2 {
		val := pairs[i+1]
		_, err := c.update(pairs[i], func(live []*version.Sibling) (ElemChange, error) {
			if len(live) == 0 {
				added++
			}
			return ElemChange{Op: ElemWrite, Body: val}, nil
		})
		if err != nil {
			return added, err
		}
	}
	return added, nil
}

// HGET key field
func (d *Dispatcher) hget(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindHash, false)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	live, err := c.live(args[2])
	if err != nil {
		return errorReply(err)
	}
	v, ok, err := fieldValue(live)
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return resp.Null()
	}
	return resp.Bulk(clone(v))
}

// HDEL key field [field ...]
func (d *Dispatcher) hdel(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindHash, true)
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
	c, err := d.openColl(s, args[1], version.KindHash, false)
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

// HGETALL key
func (d *Dispatcher) hgetall(s *Session, args [][]byte) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindHash, false)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	var out []resp.Reply
	var ferr error
	err = c.each(nil, func(field []byte, live []*version.Sibling) bool {
		v, ok, err := fieldValue(live)
		if err != nil {
			ferr = err
			return false
		}
		if ok {
			out = append(out, resp.Bulk(clone(field)), resp.Bulk(clone(v)))
		}
		return true
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		return errorReply(err)
	}
	return resp.Map(out...)
}
