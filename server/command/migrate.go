package command

import (
	"bufio"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
// [AUTH password | AUTH2 username password] [KEYS key [key ...]]
//
// Redis's migrateCommand: each existing key's DUMP payload and remaining
// TTL go to the target (a Redis server, or a ringkv node) as RESTORE
// commands over one connection, after AUTH and SELECT; the keys the
// target took are then deleted here, unless COPY. Connections are not
// cached between calls (INFO migrate_cached_sockets is always 0).

func migrateCommand(d *Dispatcher) *Command {
	c := spec("migrate", -6, Write, 3, 3, 1, "generic", d.migrate)
	c.Keys = migrateKeys
	return c
}

// migrateKeys are MIGRATE's keys: the key argument, or those after KEYS.
func migrateKeys(args [][]byte) [][]byte {
	for i := 6; i < len(args); i++ {
		switch strings.ToLower(string(args[i])) {
		case "auth":
			i++
		case "auth2":
			i += 2
		case "keys":
			return args[i+1:]
		}
	}
	return args[3:4]
}

var (
	errMigrateConnect = resp.Err("IOERR error or timeout connecting to the client")
	errMigrateWrite   = resp.Err("IOERR error or timeout writing to target instance")
	errMigrateRead    = resp.Err("IOERR error or timeout reading to target instance")
)

func (d *Dispatcher) migrate(s *Session, args [][]byte) resp.Reply {
	var copyKeys, replace bool
	var auth [][]byte // AUTH's or AUTH2's arguments
	keys := args[3:4]
	for j := 6; j < len(args); j++ {
		more := len(args) - j - 1
		switch strings.ToLower(string(args[j])) {
		case "copy":
			copyKeys = true
		case "replace":
			replace = true
		case "auth":
			if more < 1 {
				return errSyntax
			}
			auth = args[j+1 : j+2]
			j++
		case "auth2":
			if more < 2 {
				return errSyntax
			}
			auth = args[j+1 : j+3]
			j += 2
		case "keys":
			if len(args[3]) != 0 {
				return resp.Err("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string")
			}
			keys = args[j+1:]
			j = len(args)
		default:
			return errSyntax
		}
	}
	timeout, ok1 := resp.ParseInt(args[5])
	db, ok2 := resp.ParseInt(args[4])
	if !ok1 || !ok2 {
		return errNotInteger
	}
	if timeout <= 0 {
		timeout = 1000
	}
	// The keys that exist, with their payloads and TTLs.
	type item struct {
		key, payload []byte
		ttl          int64
	}
	var items []item
	for _, k := range keys {
		v, err := d.dumpValue(s, k)
		if err != nil {
			return errorReply(err)
		}
		if v == nil {
			continue
		}
		ttl := int64(0)
		if r := d.invoke(s, []byte("pttl"), k); r.Kind == resp.KindInt && r.Int > 0 {
			ttl = r.Int
		}
		items = append(items, item{k, d.encLimits().encodeDump(v), ttl})
	}
	if len(items) == 0 {
		return resp.Simple("NOKEY")
	}

	wait := time.Duration(timeout) * time.Millisecond
	addr := net.JoinHostPort(string(args[1]), string(args[2]))
	conn, err := net.DialTimeout("tcp", addr, wait)
	if err != nil {
		return errMigrateConnect
	}
	defer conn.Close()
	var out []byte
	var sent []string // what each reply answers: "auth", "select" or a key
	if auth != nil {
		out = appendCommand(out, append([][]byte{[]byte("AUTH")}, auth...)...)
		sent = append(sent, "auth")
	}
	out = appendCommand(out, []byte("SELECT"), []byte(strconv.FormatInt(db, 10)))
	sent = append(sent, "select")
	for _, it := range items {
		cmd := [][]byte{[]byte("RESTORE"), it.key, []byte(strconv.FormatInt(it.ttl, 10)), it.payload}
		if replace {
			cmd = append(cmd, []byte("REPLACE"))
		}
		out = appendCommand(out, cmd...)
		sent = append(sent, string(it.key))
	}
	_ = conn.SetWriteDeadline(time.Now().Add(wait))
	if _, err := conn.Write(out); err != nil {
		return errMigrateWrite
	}
	in := &replyReader{r: bufio.NewReader(conn), conn: conn, wait: wait}
	var failed resp.Reply
	for i, what := range sent {
		r, err := in.next()
		if err != nil {
			return errMigrateRead
		}
		if r.Kind == resp.KindError {
			// Redis stops at an AUTH or SELECT error; a key's error is
			// kept and the other keys go on (only those taken are deleted).
			failed = resp.Err("ERR Target instance replied with error: " + r.Str)
			if what == "auth" || what == "select" {
				return failed
			}
			continue
		}
		if i < len(sent)-len(items) || copyKeys {
			continue
		}
		key := []byte(what)
		if _, err := d.dropKey(s, key); err != nil {
			return errorReply(err)
		}
		s.fire(notifyGeneric, "del", key)
	}
	if failed.Kind != 0 {
		return failed
	}
	return resp.OK()
}

// appendCommand appends args as a RESP array of bulk strings.
func appendCommand(b []byte, args ...[]byte) []byte {
	elems := make([]resp.Reply, len(args))
	for i, a := range args {
		elems[i] = resp.Bulk(a)
	}
	return resp.Append(b, resp.Array(elems...), 2)
}

// replyReader reads a target's replies, each within wait.
type replyReader struct {
	r    *bufio.Reader
	conn net.Conn
	wait time.Duration
	buf  []byte
}

// maxMigrateReply bounds one reply from a target (RESTORE's are short).
const maxMigrateReply = 1 << 20

func (rr *replyReader) next() (resp.Reply, error) {
	_ = rr.conn.SetReadDeadline(time.Now().Add(rr.wait))
	for {
		if len(rr.buf) > 0 {
			r, n, err := resp.ParseReply(rr.buf)
			if err == nil {
				rr.buf = rr.buf[n:] // r's Str is a copy; its bulk bytes are not read
				return r, nil
			}
			if !errors.Is(err, resp.ErrIncomplete) {
				return resp.Reply{}, err
			}
		}
		if len(rr.buf) > maxMigrateReply {
			return resp.Reply{}, errors.New("command: reply too long")
		}
		line, err := rr.r.ReadSlice('\n')
		rr.buf = append(rr.buf, line...)
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return resp.Reply{}, err
		}
	}
}
