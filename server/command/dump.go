package command

import (
	"bytes"
	"strconv"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// DUMP and RESTORE move one key in Redis's serialization format (the RDB
// codec is rdb.go), so redis-cli, RIOT or redis-dump-go carry keys between
// ringkv and Redis both ways. DUMP reads a collection through the type's
// own whole-collection command (one quorum walk); RESTORE writes through
// the type's commands, all inside one exclusive section of the node's gate
// (atomic.go), so no other command of the node sees it half done.

// dumpCommands are DUMP and RESTORE.
func (d *Dispatcher) dumpCommands() []*Command {
	return []*Command{
		spec("dump", 2, ReadOnly, 1, 1, 1, "generic", d.dump),
		spec("restore", -4, Write|DenyOOM|Atomic, 1, 1, 1, "generic", d.restore),
		migrateCommand(d), // migrate.go
	}
}

// errDumpStream answers DUMP of a stream: Redis's stream serialization
// (listpacks in a radix tree) is not written yet (README, "Streams").
var errDumpStream = &replyError{resp.Err("ERR DUMP of a stream is not supported by ringkv yet")}

// DUMP key
func (d *Dispatcher) dump(s *Session, args [][]byte) resp.Reply {
	v, err := d.dumpValue(s, args[1])
	switch {
	case err != nil:
		return errorReply(err)
	case v == nil:
		return resp.Null()
	}
	return resp.Bulk(d.encLimits().encodeDump(v)) // the configured thresholds (encoding.go)
}

// readAllArgs is the command that reads a whole collection of kind k, in
// the shape dumpValue parses.
func readAllArgs(k version.Kind, key []byte) [][]byte {
	switch k {
	case version.KindHash:
		return [][]byte{[]byte("hgetall"), key}
	case version.KindSet:
		return [][]byte{[]byte("smembers"), key}
	case version.KindZSet:
		return [][]byte{[]byte("zrange"), key, []byte("0"), []byte("-1"), []byte("withscores")}
	}
	return [][]byte{[]byte("lrange"), key, []byte("0"), []byte("-1")}
}

// dumpValue reads key's whole value; nil if the key holds none.
func (d *Dispatcher) dumpValue(s *Session, key []byte) (*rdbValue, error) {
	val, ok, err := d.readValue(s, key)
	switch {
	case err != nil || !ok:
		return nil, err
	case crdt.IsString(val.Kind):
		return &rdbValue{Kind: version.KindString, Str: clone(val.Bytes)}, nil
	case val.Kind == version.KindStream:
		return nil, errDumpStream
	}
	r := d.invoke(s, readAllArgs(val.Kind, key)...)
	if r.IsError() {
		return nil, &replyError{r}
	}
	elems := flatReply(r, nil)
	if len(elems) == 0 {
		return nil, nil // emptied since the header read
	}
	v := &rdbValue{Kind: val.Kind}
	for i, e := range elems {
		switch {
		case val.Kind != version.KindZSet:
			v.Elems = append(v.Elems, replyBytes(e))
		case i%2 == 0:
			v.Elems = append(v.Elems, replyBytes(e))
		default:
			f, err := replyFloat(e)
			if err != nil {
				return nil, err
			}
			v.Scores = append(v.Scores, f)
		}
	}
	if val.Kind == version.KindZSet && len(v.Elems) != len(v.Scores) {
		return nil, &replyError{resp.Err("ERR ringkv: malformed ZRANGE reply")}
	}
	return v, nil
}

// invoke runs a command's handler for s directly: neither the gate,
// statistics nor keyspace events apply. It serves the commands made of
// other commands (DUMP, RESTORE, SORT), which count and notify once, as
// themselves.
func (d *Dispatcher) invoke(s *Session, args ...[]byte) resp.Reply {
	cmd := lookup(d.cmds, args[0])
	if cmd == nil || cmd.Handler == nil {
		return resp.ErrUnknownCommand(string(args[0]), args[1:])
	}
	s.quiet++ // the handlers that notify by themselves stay silent
	defer func() { s.quiet-- }()
	return cmd.Handler(s, args)
}

// flatReply appends the leaves of r (nested arrays, maps and sets
// flattened) to out.
func flatReply(r resp.Reply, out []resp.Reply) []resp.Reply {
	switch r.Kind {
	case resp.KindArray, resp.KindMap, resp.KindSet:
		for _, e := range r.Elems {
			out = flatReply(e, out)
		}
		return out
	case resp.KindNull, resp.KindNullArray:
		return out
	}
	return append(out, r)
}

// replyBytes is a leaf reply's text.
func replyBytes(r resp.Reply) []byte {
	switch {
	case r.Kind == resp.KindBulk && r.Bytes != nil:
		return clone(r.Bytes)
	case r.Kind == resp.KindInt:
		return strconv.AppendInt(nil, r.Int, 10)
	case r.Kind == resp.KindDouble:
		return strconv.AppendFloat(nil, r.Float, 'g', 17, 64)
	case r.Kind == resp.KindRaw:
		return rawScalar(r.Bytes)
	}
	return []byte(r.Str)
}

// rawScalar is the text of a scalar reply already encoded (",1.5\r\n",
// "$3\r\nabc\r\n", ":7\r\n").
func rawScalar(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\r\n"))
	if len(b) > 0 && b[0] == '$' {
		if i := bytes.Index(b, []byte("\r\n")); i >= 0 {
			return clone(b[i+2:])
		}
	}
	if len(b) > 0 {
		return clone(b[1:])
	}
	return nil
}

// replyFloat is a score reply's value (a RESP3 double or its text).
func replyFloat(r resp.Reply) (float64, error) {
	if r.Kind == resp.KindDouble {
		return r.Float, nil
	}
	f, ok := resp.ParseFloat(replyBytes(r))
	if !ok {
		return 0, &replyError{resp.Err("ERR ringkv: malformed score in a ZRANGE reply")}
	}
	return f, nil
}
