package command

import (
	"math"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// restoreOpts are RESTORE's options after the payload.
type restoreOpts struct {
	replace, absTTL bool
}

// parseRestoreOpts reads REPLACE, ABSTTL, IDLETIME and FREQ as Redis 7.0
// does: in order, IDLETIME and FREQ exclusive, their values checked at
// once. ringkv keeps no LRU or LFU state, so their values go unused.
func parseRestoreOpts(args [][]byte) (restoreOpts, resp.Reply) {
	var o restoreOpts
	idle, freq := false, false
	for j := 0; j < len(args); j++ {
		more := len(args) - j - 1
		switch opt := strings.ToLower(string(args[j])); {
		case opt == "replace":
			o.replace = true
		case opt == "absttl":
			o.absTTL = true
		case opt == "idletime" && more >= 1 && !freq:
			v, ok := resp.ParseInt(args[j+1])
			switch {
			case !ok:
				return o, errNotInteger
			case v < 0:
				return o, resp.Err("ERR Invalid IDLETIME value, must be >= 0")
			}
			idle = true
			j++
		case opt == "freq" && more >= 1 && !idle:
			v, ok := resp.ParseInt(args[j+1])
			switch {
			case !ok:
				return o, errNotInteger
			case v < 0 || v > 255:
				return o, resp.Err("ERR Invalid FREQ value, must be >= 0 and <= 255")
			}
			freq = true
			j++
		default:
			return o, errSyntax
		}
	}
	return o, resp.Reply{}
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
func (d *Dispatcher) restore(s *Session, args [][]byte) resp.Reply {
	o, r := parseRestoreOpts(args[4:])
	if r.IsError() {
		return r
	}
	return d.exclusive(s, "multi", func() resp.Reply { return d.restoreAlone(s, args, o) })
}

// restoreAlone is RESTORE with the node's gate held: Redis's checks in
// Redis's order, then the value written through its type's commands.
func (d *Dispatcher) restoreAlone(s *Session, args [][]byte, o restoreOpts) resp.Reply {
	key := args[1]
	if !o.replace {
		w, err := d.read(s, key)
		switch {
		case err != nil:
			return errorReply(err)
		case w != nil:
			return resp.Err("BUSYKEY Target key name already exists.")
		}
	}
	ttl, ok := resp.ParseInt(args[2])
	switch {
	case !ok:
		return errNotInteger
	case ttl < 0:
		return resp.Err("ERR Invalid TTL value, must be >= 0")
	}
	v, err := decodeDump(args[3])
	if err != nil {
		return resp.Err(err.Error())
	}
	now := d.env.KV.Now()
	at := ttl
	if ttl > 0 && !o.absTTL {
		at = ttl + now
		if ttl > math.MaxInt64-now {
			at = math.MaxInt64
		}
	}
	if o.replace {
		if _, err := d.remove(s, key); err != nil {
			return errorReply(err)
		}
	}
	if at > 0 && at <= now {
		return resp.OK() // already expired: Redis stores nothing
	}
	for _, cmd := range restoreCommands(key, v) {
		if r := d.invoke(s, cmd...); r.IsError() {
			return r
		}
	}
	if at > 0 {
		if r := d.invoke(s, []byte("pexpireat"), key, strconv.AppendInt(nil, at, 10)); r.IsError() {
			return r
		}
	}
	return resp.OK()
}

// restoreBatch bounds the elements one written command carries.
const restoreBatch = 512

// restoreCommands are the commands that write v at key.
func restoreCommands(key []byte, v *rdbValue) [][][]byte {
	var name string
	var args [][]byte
	switch v.Kind {
	case version.KindHash:
		name, args = "hset", v.Elems
	case version.KindSet:
		name, args = "sadd", v.Elems
	case version.KindList:
		name, args = "rpush", v.Elems
	case version.KindZSet:
		name = "zadd"
		for i, m := range v.Elems {
			args = append(args, strconv.AppendFloat(nil, v.Scores[i], 'g', -1, 64), m)
		}
	default:
		return [][][]byte{{[]byte("set"), key, v.Str}}
	}
	per := restoreBatch
	if v.Kind == version.KindHash || v.Kind == version.KindZSet {
		per *= 2
	}
	var out [][][]byte
	for len(args) > 0 {
		n := min(per, len(args))
		out = append(out, append([][]byte{[]byte(name), key}, args[:n]...))
		args = args[n:]
	}
	return out
}
