package command

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/resp"
)

// FuzzCommands runs short command sequences built from the input through
// the real Dispatcher over a real coordinator on engine.OpenMem: a name
// from the command table as it is at run time (or a literal one), then
// arguments biased toward the values that break parsers (int64 limits,
// negatives, empty, huge, option keywords). No input may panic, and every
// reply must be well-formed RESP in the session's protocol.
//
// Input layout (see fuzzReader): one byte whose low bit picks RESP3, then
// up to fuzzMaxCmds commands, each a name selector, an argument count and
// the arguments' selectors.
func FuzzCommands(f *testing.F) {
	kv := fuzzKV(f)
	for _, seed := range fuzzSeeds {
		f.Add(fuzzEncode(seed...))
	}
	names := fuzzNames(New(&Env{KV: kv}))
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := kv.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		params := DefaultParams()
		params.ProtoMaxBulkLen = fuzzMaxBulk
		d := New(&Env{KV: kv, Settings: NewSettings(params)})
		if c, ok := any(d).(interface{ Close() }); ok {
			defer c.Close()
		}
		s := d.NewSession(1, "127.0.0.1:5000", "127.0.0.1:6379")
		in := &fuzzReader{b: data, names: names}
		if in.byte()&1 == 1 {
			s.Proto = 3
		}
		for range fuzzMaxCmds {
			args := in.command()
			if args == nil {
				return
			}
			if fuzzDenied(args) {
				continue
			}
			limit := 10 * time.Second
			if c := d.Lookup(args[0]); c != nil && c.Flags&Blocking != 0 {
				limit = 200 * time.Millisecond // BLPOP k 0 waits for ever, as it should
			}
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			start := time.Now()
			r := d.Do(ctx, s, args)
			cancel()
			if el := time.Since(start); el > limit+time.Second {
				t.Errorf("%q took %v", args, el)
			}
			checkWellFormed(t, args, written(s, r), s.Proto)
			if s.Close {
				return
			}
		}
	})
}

// fuzzMaxBulk is proto-max-bulk-len in the fuzzer: the same checks as the
// default 512 MiB, without allocating half a gigabyte per SETRANGE.
const fuzzMaxBulk = 1 << 20

// fuzzMaxCmds bounds the commands of one input.
const fuzzMaxCmds = 8

// fuzzKV is one coordinator (N=1) on engine.OpenMem, shared by the inputs
// a fuzz worker runs (each starts with a flush). Its memtable is small: a
// flush allocates a fresh one, and zeroing the default 16 MiB took 5 ms of
// every input (a fuzzer that ran at about 100 inputs/s).
func fuzzKV(f *testing.F) *replica.Coordinator {
	db, err := engine.OpenMem(engine.Options{SweepInterval: -1, WriteBuffer: 256 << 10})
	if err != nil {
		f.Fatal(err)
	}
	coord, err := replica.New(replica.Config{Node: "f", N: 1, R: 1, W: 1, Timeout: time.Second,
		AAE: replica.AAEConfig{Interval: -1}}, db, replica.NewLocal("f"), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { coord.Close(); _ = db.Close() })
	return coord
}

// fuzzNames lists every command and subcommand in d's table as the words
// that call it ("get"; "client", "list").
func fuzzNames(d *Dispatcher) [][]string {
	var out [][]string
	for _, c := range d.sorted {
		out = append(out, []string{c.Name})
		for _, sc := range c.Subs {
			out = append(out, strings.SplitN(sc.Name, "|", 2))
		}
	}
	return out
}

// fuzzDeny are commands that block, sleep or stop the node, by full name;
// CONFIG SET of proto-max-bulk-len would let one input allocate 512 MiB.
var fuzzDeny = map[string]bool{
	"shutdown": true, "debug": true, "client|pause": true, "wait": true, "waitaof": true,
	"monitor": true, "config|set|proto-max-bulk-len": true,
	"migrate": true, // it connects where its arguments say: tests talk only to their own servers
}

func fuzzDenied(args [][]byte) bool {
	name := strings.ToLower(string(args[0]))
	if fuzzDeny[name] {
		return true
	}
	if len(args) < 2 {
		return false
	}
	name += "|" + strings.ToLower(string(args[1]))
	for _, a := range args[2:] {
		if fuzzDeny[name+"|"+strings.ToLower(string(a))] {
			return true
		}
	}
	return fuzzDeny[name]
}

// written is what the connection loop (server/conn.go) writes after a
// command: the frames the session pushed to itself, then the reply unless
// CLIENT REPLY drops it. (Through interfaces, so that this test builds
// whichever of those methods the Session has.)
func written(s *Session, r resp.Reply) []byte {
	b := []byte{} // not nil: a dropped reply is written as nothing
	if p, ok := any(s).(interface{ TakePushed() []byte }); ok {
		b = append(b, p.TakePushed()...)
	}
	if w, ok := any(s).(interface{ ReplyWanted() bool }); ok && !w.ReplyWanted() {
		return b
	}
	if b = resp.Append(b, r, s.Proto); len(b) == 0 {
		return nil // nothing at all: checkWellFormed fails it
	}
	return b
}

// checkWellFormed parses what a command wrote back: one or more whole
// replies (SUBSCRIBE confirms each channel in its own); a RESP2 reply holds
// no RESP3 type. Only a reply CLIENT REPLY dropped may be empty.
func checkWellFormed(t *testing.T, args [][]byte, b []byte, proto int) {
	t.Helper()
	if b == nil {
		t.Fatalf("%q: answered nothing", args)
	}
	for rest := b; len(rest) > 0; {
		got, n, err := parseOne(rest, proto)
		if err != nil {
			t.Fatalf("%q: reply %q is not RESP (at byte %d): %v", args, b, len(b)-len(rest), err)
		}
		if proto == 2 && hasRESP3(got) {
			t.Fatalf("%q: RESP2 reply %q holds RESP3 types", args, b)
		}
		rest = rest[n:]
	}
}

// parseOne parses the reply at the start of b; in RESP3 a push (>, which
// resp.ParseReply does not know) parses as the array it is shaped like.
func parseOne(b []byte, proto int) (resp.Reply, int, error) {
	if proto == 3 && len(b) > 0 && b[0] == '>' {
		b = append([]byte{'*'}, b[1:]...)
	}
	return resp.ParseReply(b)
}

// hasRESP3 reports whether r (as parsed) holds a RESP3-only type.
func hasRESP3(r resp.Reply) bool {
	switch r.Kind {
	case resp.KindMap, resp.KindSet, resp.KindDouble, resp.KindBool, resp.KindVerbatim:
		return true
	}
	for _, e := range r.Elems {
		if hasRESP3(e) {
			return true
		}
	}
	return false
}

// fuzzInteresting are the argument values the selector bytes below 0xC0
// pick: numbers at the edges, keys that collide, options of every family.
var fuzzInteresting = []string{
	"0", "1", "-1", "2", "10", "100", "9223372036854775807", "-9223372036854775808",
	"9223372036854775808", "-9223372036854775809", "18446744073709551615",
	"18446744073709551616", "4294967295", "4294967296", "2147483647", "2147483648",
	"-2147483648", "-2147483649", "1048575", "1048576", "536870911", "536870912",
	"4294967296000", "9223372036854775", "9223372036854776", "-0", "+1", "01", " 1",
	"1.5", "-1.5", "1e308", "1e309", "-1e309", "inf", "-inf", "+inf", "nan", "0x10",
	"1e-400", "", "k", "k", "k", "k2", "{k}a", "{k}b", "*", "k*", "[", "[a-", "\\", "?",
	"EX", "PX", "EXAT", "PXAT", "NX", "XX", "GT", "LT", "GET", "KEEPTTL", "PERSIST",
	"COUNT", "MATCH", "TYPE", "string", "hash", "REPLACE", "DB", "CONTEXT", "R", "W",
	"PR", "PW", "ID", "ADDR", "LADDR", "SKIPME", "MAXAGE", "USER", "yes", "no", "ON",
	"OFF", "SKIP", "LIMIT", "WITHSCORES", "BYTE", "BIT", "LEN", "IDX", "MINMATCHLEN",
	"WITHMATCHLEN", "OVERFLOW", "WRAP", "SAT", "FAIL", "INCRBY", "SET", "GET", "u8",
	"i64", "u63", "i1", "u1", "#1", "#-1", "AND", "OR", "XOR", "NOT", "ASYNC", "SYNC",
	"AUTH", "SETNAME", "default", "3", "2", "4", "return 1", "return redis.call('get', KEYS[1])",
	"return redis.call('set', KEYS[1], ARGV[1])", "#!lua name=lib\nredis.register_function('f', function(k, a) return 1 end)",
	"0000000000000000000000000000000000000000", "maxclients", "timeout", "requirepass",
	"notify-keyspace-events", "KEA", "__keyspace@0__:k", "ch", "h*", "LOAD", "FLUSH",
	"EXISTS", "KILL", "LIST", "INFO", "NOEVICT", "TIMEOUT", "ENCODING", "FREQ", "IDLETIME",
	"REFCOUNT", "USAGE", "SAMPLES", "RESET", "LATEST", "HISTORY", "DOCTOR", "ALL", "everything",
	"\x00", "\r\n", "\xff\xfe",
}

// fuzzReader turns fuzz input into commands; past its end every read is 0.
type fuzzReader struct {
	b     []byte
	names [][]string
}

func (in *fuzzReader) byte() byte {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return c
}

func (in *fuzzReader) bytes(n int) []byte {
	n = min(n, len(in.b))
	out := in.b[:n:n]
	in.b = in.b[n:]
	return out
}

// command reads one command, nil at the end of the input. A name selector
// 0xFF is followed by a length and a literal name; any other selector and
// the next byte index the command table.
func (in *fuzzReader) command() [][]byte {
	if len(in.b) == 0 {
		return nil
	}
	var args [][]byte
	if sel := in.byte(); sel == 0xFF {
		args = append(args, in.bytes(int(in.byte())))
	} else {
		for _, w := range in.names[(int(sel)<<8|int(in.byte()))%len(in.names)] {
			args = append(args, []byte(w))
		}
	}
	for n := int(in.byte() % 10); n > 0; n-- {
		args = append(args, in.arg())
	}
	return args
}

// arg reads one argument: below 0xC0 an interesting value, below 0xF0 a
// length and raw bytes, below 0xFF a decimal int64 from 8 bytes, and 0xFF
// a run of 2^k bytes (k < 21).
func (in *fuzzReader) arg() []byte {
	switch sel := in.byte(); {
	case sel < 0xC0:
		return []byte(fuzzInteresting[int(sel)%len(fuzzInteresting)])
	case sel < 0xF0:
		return in.bytes(int(in.byte()))
	case sel < 0xFF:
		var v uint64
		for _, c := range in.bytes(8) {
			v = v<<8 | uint64(c)
		}
		return strconv.AppendInt(nil, int64(v), 10)
	default:
		return []byte(strings.Repeat("a", 1<<(in.byte()%21)))
	}
}

// fuzzEncode is the input that runs cmds literally (0xFF names, raw
// arguments), in RESP2; words are at most 255 bytes.
func fuzzEncode(cmds ...[]string) []byte {
	b := []byte{0}
	for _, c := range cmds {
		b = append(b, 0xFF, byte(len(c[0])))
		b = append(b, c[0]...)
		b = append(b, byte(len(c)-1))
		for _, a := range c[1:] {
			b = append(b, 0xC0, byte(len(a)))
			b = append(b, a...)
		}
	}
	return b
}

// fuzzSeeds are the starting corpus: the inputs that once crashed a node
// and the edges of every numeric argument.
var fuzzSeeds = [][][]string{
	{{"SETRANGE", "k", "9223372036854775807", "A"}},
	{{"SET", "k", "hello"}, {"SETRANGE", "k", "9223372036854775806", "AB"}, {"GETRANGE", "k", "-9223372036854775808", "9223372036854775807"}},
	{{"APPEND", "k", "x"}, {"SETRANGE", "k", "1048575", "x"}, {"APPEND", "k", "y"}},
	{{"SCAN", "0", "COUNT", "9223372036854775807", "MATCH", "[a-", "TYPE", "string"}},
	{{"SCAN", "-1"}, {"SCAN", "18446744073709551615", "COUNT", "1"}},
	{{"SET", "k", "1"}, {"EXPIRE", "k", "9223372036854775807"}, {"PEXPIREAT", "k", "9223372036854775807"}, {"EXPIRETIME", "k"}, {"TTL", "k"}},
	{{"SET", "k", "v", "PXAT", "9223372036854775807"}, {"GETEX", "k", "EX", "9223372036854775"}},
	{{"SET", "n", "9223372036854775807"}, {"INCRBY", "n", "1"}, {"DECRBY", "n", "-9223372036854775808"}},
	{{"INCRBYFLOAT", "f", "1e308"}, {"INCRBYFLOAT", "f", "1e308"}, {"INCRBYFLOAT", "f", "inf"}},
	{{"COPY", "k", "k2", "DB", "9223372036854775807"}, {"RENAME", "k", "k"}},
	{{"VSET", "k", "v", "W", "9223372036854775807"}, {"VGET", "k", "R", "-1"}},
	{{"HELLO", "3"}, {"CLIENT", "LIST"}, {"CONFIG", "GET", "*"}, {"INFO", "everything"}},
	{{"CLIENT", "KILL", "ID", "18446744073709551615"}, {"CLIENT", "KILL", "MAXAGE", "-9223372036854775808"}},
	{{"CONFIG", "SET", "maxclients", "9223372036854775807"}, {"CONFIG", "SET", "timeout", "-1"}},
	{{"MULTI"}, {"SET", "k", "v"}, {"INCR", "k"}, {"EXEC"}},
	{{"EVAL", "return redis.call('setrange', KEYS[1], ARGV[1], 'x')", "1", "k", "9223372036854775807"}},
	{{"EVAL", "return 1", "-1"}, {"EVAL", "return 1", "9223372036854775807"}},
	{{"SETBIT", "k", "9223372036854775807", "1"}, {"BITCOUNT", "k", "-9223372036854775808", "9223372036854775807", "BIT"}},
	{{"BITFIELD", "k", "SET", "i64", "#9223372036854775807", "1"}, {"BITPOS", "k", "1", "9223372036854775807"}},
	{{"LCS", "k", "k2", "IDX", "MINMATCHLEN", "-9223372036854775808"}},
	{{"SUBSCRIBE", "ch"}, {"PUBLISH", "ch", "m"}, {"PUBSUB", "NUMSUB", "ch"}},
	{{"OBJECT", "FREQ", "k"}, {"MEMORY", "USAGE", "k", "SAMPLES", "-1"}, {"SLOWLOG", "GET", "-9223372036854775808"}},
	{{"XADD", "x", "18446744073709551615-18446744073709551614", "f", "v"}, {"XADD", "x", "*", "f", "v"}, {"XRANGE", "x", "(18446744073709551615", "+", "COUNT", "-9223372036854775808"}},
	{{"XADD", "x", "MAXLEN", "~", "9223372036854775807", "LIMIT", "9223372036854775807", "1-1", "f", "v"}, {"XTRIM", "x", "MINID", "~", "18446744073709551615-18446744073709551615"}, {"XSETID", "x", "0-0", "ENTRIESADDED", "9223372036854775807"}},
	{{"XGROUP", "CREATE", "x", "g", "$", "MKSTREAM", "ENTRIESREAD", "9223372036854775807"}, {"XREADGROUP", "GROUP", "g", "c", "COUNT", "9223372036854775807", "STREAMS", "x", ">"}, {"XINFO", "STREAM", "x", "FULL", "COUNT", "-1"}},
	{{"XADD", "x", "1-1", "f", "v"}, {"XGROUP", "CREATE", "x", "g", "0"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"}, {"XAUTOCLAIM", "x", "g", "c2", "-9223372036854775808", "0", "COUNT", "9223372036854775807"}, {"XCLAIM", "x", "g", "c3", "0", "1-1", "IDLE", "-9223372036854775808", "RETRYCOUNT", "-1"}, {"XPENDING", "x", "g", "IDLE", "9223372036854775807", "-", "+", "9223372036854775807", "c"}},
	{{"XREAD", "BLOCK", "9223372036854775807", "STREAMS", "x", "$"}, {"XREAD", "COUNT", "-1", "STREAMS", "x", "x", "0", "18446744073709551615-18446744073709551615"}},
}
