package command

import (
	"bytes"
	"strings"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// errIntRange is Redis's getIntFromObjectOrReply error for an integer
// outside C int's range (COPY ... DB n).
var errIntRange = resp.Err("ERR value is out of range, value must between -2147483648 and 2147483647")

// DEL key [key ...] (also UNLINK): tombstones every key; counts live ones.
func (d *Dispatcher) del(s *Session, args [][]byte) resp.Reply {
	var n int64
	for _, k := range args[1:] {
		ok, err := d.remove(s, k)
		if err != nil {
			return errorReply(err)
		}
		if ok {
			n++
		}
	}
	return resp.Int(n)
}

// remove deletes key if it is live, reporting whether it was.
func (d *Dispatcher) remove(s *Session, key []byte) (bool, error) {
	var had bool
	_, err := d.update(s, key, func(cur version.Set, now int64) (*replica.Change, error) {
		if _, had = cur.Winner(now); !had {
			return nil, nil
		}
		return tombstone(cur), nil
	})
	return had, err
}

// EXISTS key [key ...]: counts live keys, repeats included.
func (d *Dispatcher) exists(s *Session, args [][]byte) resp.Reply {
	var n int64
	for _, k := range args[1:] {
		w, err := d.read(s, k)
		if err != nil {
			return errorReply(err)
		}
		if w != nil {
			n++
		}
	}
	return resp.Int(n)
}

// TYPE key: string (a counter too), hash, set, zset, list, or none.
func (d *Dispatcher) typ(s *Session, args [][]byte) resp.Reply {
	v, ok, err := d.readValue(s, args[1])
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return resp.Simple("none")
	}
	return resp.Simple(typeName(v.Kind))
}

// typeName is TYPE's name for a key whose winner has kind k.
func typeName(k version.Kind) string {
	switch k {
	case version.KindHash:
		return "hash"
	case version.KindSet:
		return "set"
	case version.KindZSet:
		return "zset"
	case version.KindList:
		return "list"
	case version.KindStream:
		return "stream"
	}
	return "string"
}

// RENAME key newkey
func (d *Dispatcher) rename(s *Session, args [][]byte) resp.Reply {
	return d.move(s, args[1], args[2], false)
}

// RENAMENX key newkey
func (d *Dispatcher) renamenx(s *Session, args [][]byte) resp.Reply {
	return d.move(s, args[1], args[2], true)
}

// move is RENAME (nx: RENAMENX): copy src's value and expiry to dst, then
// delete src. In a cluster both keys are in one partition (the router
// answers CROSSSLOT otherwise) and the command runs at its coordinator.
func (d *Dispatcher) move(s *Session, src, dst []byte, nx bool) resp.Reply {
	v, ok, err := d.readValue(s, src)
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return errNoSuchKey
	case bytes.Equal(src, dst) && nx:
		return resp.Int(0)
	case bytes.Equal(src, dst):
		return resp.OK()
	}
	wrote, err := d.copyTo(s, src, dst, v, !nx)
	if err == nil && wrote {
		_, err = d.remove(s, src)
	}
	switch {
	case err != nil:
		return errorReply(err)
	case nx:
		return resp.Int(b2i(wrote))
	}
	return resp.OK()
}

// copyTo writes v's value, kind and expiry to dst, unless dst is live and
// not replace; it reports whether it wrote. A string (a counter's total
// included) is a base-setting write on dst, as SET (crdt.Assign): dst's
// own increments it did not see still add up, src's history stays behind.
func (d *Dispatcher) copyTo(s *Session, src, dst []byte, v crdt.Value, replace bool) (bool, error) {
	if crdt.IsCollection(v.Kind) {
		return d.copyCollection(s, src, dst, v.Kind, replace) // collcopy.go
	}
	var wrote bool
	_, err := d.update(s, dst, func(cur version.Set, now int64) (*replica.Change, error) {
		if _, live := cur.Winner(now); live && !replace {
			return nil, nil
		}
		wrote = true
		if crdt.IsString(v.Kind) {
			ch := d.assign(cur, now, v.Bytes, v.Expiry)
			ch.Enc = strEnc(v) // strenc.go: the copy keeps the source's encoding
			return ch, nil
		}
		return &replica.Change{Context: cur.Context(), Kind: v.Kind, Value: v.Winner.Value, Expiry: v.Expiry}, nil
	})
	return wrote, err
}

// COPY source destination [DB destination-db] [REPLACE]
func (d *Dispatcher) copy(s *Session, args [][]byte) resp.Reply {
	replace := false
	for j := 3; j < len(args); j++ {
		switch opt := strings.ToLower(string(args[j])); {
		case opt == "replace":
			replace = true
		case opt == "db" && j+1 < len(args):
			db, ok := resp.ParseInt(args[j+1])
			switch {
			case !ok:
				return errNotInteger
			case db != int64(int32(db)):
				return errIntRange
			}
			if db != 0 {
				return errDBIndex
			}
			j++
		default:
			return errSyntax
		}
	}
	if bytes.Equal(args[1], args[2]) {
		return resp.Err("ERR source and destination objects are the same")
	}
	v, ok, err := d.readValue(s, args[1])
	if err != nil || !ok {
		return orInt(err, 0)
	}
	wrote, err := d.copyTo(s, args[1], args[2], v, replace)
	return orInt(err, b2i(wrote))
}

// orInt is errorReply(err) if err is set, else the integer n.
func orInt(err error, n int64) resp.Reply {
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(n)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
