package command

import (
	"context"
	"strings"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/resp"
)

// Keyspace notification classes: notify-keyspace-events's flag letters,
// Redis's bit values.
const (
	notifyKeyspace = 1 << 0  // K: __keyspace@0__:<key> <event>
	notifyKeyevent = 1 << 1  // E: __keyevent@0__:<event> <key>
	notifyGeneric  = 1 << 2  // g: DEL, EXPIRE, RENAME, ...
	notifyString   = 1 << 3  // $: string commands
	notifyList     = 1 << 4  // l
	notifySet      = 1 << 5  // s
	notifyHash     = 1 << 6  // h
	notifyZSet     = 1 << 7  // z
	notifyExpired  = 1 << 8  // x: a key expired
	notifyEvicted  = 1 << 9  // e: a key was evicted
	notifyStream   = 1 << 10 // t
	notifyKeyMiss  = 1 << 11 // m: a read missed (not in A)
	notifyModule   = 1 << 13 // d
	notifyNew      = 1 << 14 // n: a key was created (not in A)
	notifyAll      = notifyGeneric | notifyString | notifyList | notifySet | notifyHash |
		notifyZSet | notifyExpired | notifyEvicted | notifyStream | notifyModule
)

// errKeyEventsClass is Redis's CONFIG SET notify-keyspace-events error.
const errKeyEventsClass configText = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."

// configText is a CONFIG SET error in Redis's words.
type configText string

func (e configText) Error() string { return string(e) }

// parseKeyEvents parses a notify-keyspace-events value as Redis's
// keyspaceEventsStringToFlags.
func parseKeyEvents(v string) (int64, error) {
	var f int64
	for _, c := range []byte(v) {
		switch c {
		case 'A':
			f |= notifyAll
		case 'g':
			f |= notifyGeneric
		case '$':
			f |= notifyString
		case 'l':
			f |= notifyList
		case 's':
			f |= notifySet
		case 'h':
			f |= notifyHash
		case 'z':
			f |= notifyZSet
		case 'x':
			f |= notifyExpired
		case 'e':
			f |= notifyEvicted
		case 'K':
			f |= notifyKeyspace
		case 'E':
			f |= notifyKeyevent
		case 't':
			f |= notifyStream
		case 'm':
			f |= notifyKeyMiss
		case 'd':
			f |= notifyModule
		case 'n':
			f |= notifyNew
		default:
			return 0, errKeyEventsClass
		}
	}
	return f, nil
}

// formatKeyEvents is Redis's keyspaceEventsFlagsToString (A hides n).
func formatKeyEvents(f int64) string {
	var b []byte
	if f&notifyAll == notifyAll {
		b = append(b, 'A')
	} else {
		for _, x := range []struct {
			bit int64
			c   byte
		}{{notifyGeneric, 'g'}, {notifyString, '$'}, {notifyList, 'l'}, {notifySet, 's'},
			{notifyHash, 'h'}, {notifyZSet, 'z'}, {notifyExpired, 'x'}, {notifyEvicted, 'e'},
			{notifyStream, 't'}, {notifyModule, 'd'}, {notifyNew, 'n'}} {
			if f&x.bit != 0 {
				b = append(b, x.c)
			}
		}
	}
	for _, x := range []struct {
		bit int64
		c   byte
	}{{notifyKeyspace, 'K'}, {notifyKeyevent, 'E'}, {notifyKeyMiss, 'm'}} {
		if f&x.bit != 0 {
			b = append(b, x.c)
		}
	}
	return string(b)
}

func getKeyEvents(s *Settings) string { return formatKeyEvents(s.keyEvents.Load()) }

func setKeyEvents(s *Settings, v string) error {
	f, err := parseKeyEvents(v)
	if err != nil {
		return err
	}
	s.keyEvents.Store(f)
	return nil
}

// keyEvent is one keyspace notification: event name on key, of a class.
// An expire event carries the expiry it set (Unix ms) in at, for the
// expired event to come (notify_expire.go).
type keyEvent struct {
	class int64
	name  string
	key   []byte
	at    int64
}

// beforeRun runs before a command's handler: with new-key notifications
// (n) on, it notes which keys of a notifying write do not exist yet (one
// quorum read each), for afterRun to fire "new" for those it creates.
func (d *Dispatcher) beforeRun(s *Session, cmd *Command, args [][]byte) map[string]bool {
	on := d.env.Settings.keyEvents.Load()
	if on&notifyNew == 0 || on&(notifyKeyspace|notifyKeyevent) == 0 || keyEventsOf[cmd.Name] == nil {
		return nil
	}
	absent := map[string]bool{}
	for _, k := range commandKeys(cmd, args) {
		set, err := d.env.KV.Get(s.Context(), k, replica.ReadOptions{})
		if _, live := set.Winner(d.env.KV.Now()); err == nil && !live {
			absent[string(k)] = true
		}
	}
	return absent
}

// commandKeys are args's keys by cmd's key positions.
func commandKeys(cmd *Command, args [][]byte) [][]byte {
	last := cmd.LastKey
	if last < 0 {
		last += len(args)
	}
	var keys [][]byte
	for i := cmd.FirstKey; i > 0 && i <= last && i < len(args); i += max(cmd.Step, 1) {
		keys = append(keys, args[i])
	}
	return keys
}

// creates are the events that write a value into their key: on a key
// that did not exist, they fire "new" first (Redis's dbAdd).
var creates = map[string]bool{"set": true, "incrby": true, "incrbyfloat": true, "append": true,
	"setrange": true, "setbit": true, "copy_to": true, "rename_to": true}

// withNew puts a "new" event before the first creating event of each key
// that was absent.
func withNew(events []keyEvent, absent map[string]bool) []keyEvent {
	if len(absent) == 0 {
		return events
	}
	out := make([]keyEvent, 0, len(events)+1)
	for _, e := range events {
		if creates[e.name] && absent[string(e.key)] {
			delete(absent, string(e.key))
			out = append(out, keyEvent{class: notifyNew, name: "new", key: e.key})
		}
		out = append(out, e)
	}
	return out
}

// afterRun is what runs after every command's handler: its keyspace
// notifications, and MONITOR's view of commands run inside a transaction
// or script. It returns the reply, with any notification this session
// receives itself put first (as Redis writes them). absent is beforeRun's.
func (d *Dispatcher) afterRun(s *Session, cmd *Command, args [][]byte, r resp.Reply, absent map[string]bool) resp.Reply {
	d.feedNested(s, cmd, args)
	d.trackAfter(s, cmd, args, r) // tracking_send.go
	fired := s.fired
	s.fired = nil
	on := d.env.Settings.keyEvents.Load()
	if on&(notifyKeyspace|notifyKeyevent) == 0 || r.Kind == resp.KindError {
		return r
	}
	ev := keyEventsOf[cmd.Name]
	if ev == nil && len(fired) == 0 {
		return r
	}
	if ev != nil {
		fired = append(fired, ev(d, args, r)...)
	}
	events := withNew(fired, absent)
	if on&notifyExpired != 0 {
		now := d.env.KV.Now()
		for _, e := range events {
			if e.at > 0 {
				d.watchExpiry(e.key, e.at, now-1000)
			}
		}
	}
	return d.emit(s, r, events)
}

// emit publishes events, those of enabled classes, cluster-wide, and puts
// the frames s receives itself before r.
func (d *Dispatcher) emit(s *Session, r resp.Reply, events []keyEvent) resp.Reply {
	return d.emitCtx(s.Context(), s, r, events)
}

// emitCtx is emit under ctx; s may be nil (an expiry timer).
func (d *Dispatcher) emitCtx(ctx context.Context, s *Session, r resp.Reply, events []keyEvent) resp.Reply {
	if s != nil && s.quiet > 0 {
		return r // a command run inside another (invoke) notifies as that one
	}
	on := d.env.Settings.keyEvents.Load()
	var msgs []Message
	for _, e := range events {
		if on&e.class == 0 {
			continue
		}
		if on&notifyKeyspace != 0 {
			ch := append([]byte("__keyspace@0__:"), e.key...)
			msgs = append(msgs, Message{Channel: ch, Payload: []byte(e.name)})
		}
		if on&notifyKeyevent != 0 {
			msgs = append(msgs, Message{Channel: []byte("__keyevent@0__:" + e.name), Payload: e.key})
		}
	}
	if len(msgs) == 0 {
		return r
	}
	_, own := d.publishAll(ctx, s, msgs)
	if s == nil {
		return r
	}
	return s.pushOwn(own, r)
}

// fire queues a notification for afterRun, for a handler whose events
// its reply does not tell (streams: a consumer XREADGROUP created).
func (s *Session) fire(class int64, name string, key []byte) {
	if s.quiet == 0 {
		s.fired = append(s.fired, keyEvent{class: class, name: name, key: clone(key)})
	}
}

// keyEventsOf maps a command to the notifications a successful reply r of
// it fires (Redis's notifyKeyspaceEvent calls in each command).
var keyEventsOf = map[string]func(d *Dispatcher, args [][]byte, r resp.Reply) []keyEvent{
	"set":         setEvents,
	"setnx":       ifInt(notifyString, "set"),
	"setex":       setExEvents,
	"psetex":      setExEvents,
	"getset":      always(notifyString, "set"),
	"mset":        pairEvents,
	"msetnx":      pairEventsIf,
	"del":         oneKey(ifInt(notifyGeneric, "del")), // several keys: delEach
	"unlink":      oneKey(ifInt(notifyGeneric, "del")),
	"getdel":      ifValue(notifyGeneric, "del"),
	"expire":      expireEvents(false, true),
	"pexpire":     expireEvents(false, false),
	"expireat":    expireEvents(true, true),
	"pexpireat":   expireEvents(true, false),
	"persist":     ifInt(notifyGeneric, "persist"),
	"getex":       getexEvents,
	"incr":        always(notifyString, "incrby"),
	"decr":        always(notifyString, "incrby"),
	"incrby":      always(notifyString, "incrby"),
	"decrby":      always(notifyString, "incrby"),
	"incrbyfloat": always(notifyString, "incrbyfloat"),
	"append":      always(notifyString, "append"),
	"setrange":    setrangeEvents,
	"setbit":      always(notifyString, "setbit"),
	"rename":      renameEvents,
	"renamenx":    renameEvents,
	"copy":        copyEvents,
	"restore":     always(notifyGeneric, "restore"),
	"sort":        sortStoreEvents,
}

// SORT ... STORE dst: sortstore on dst when it stored a result (sort.c).
func sortStoreEvents(_ *Dispatcher, args [][]byte, r resp.Reply) []keyEvent {
	if r.Kind != resp.KindInt || r.Int == 0 {
		return nil
	}
	for i := 2; i+1 < len(args); i++ {
		if strings.EqualFold(string(args[i]), "store") {
			return one(notifyList, "sortstore", args[i+1])
		}
	}
	return nil
}

func one(class int64, name string, key []byte) []keyEvent {
	return []keyEvent{{class: class, name: name, key: key}}
}

// always: the event on the key whenever the command succeeds.
func always(class int64, name string) func(*Dispatcher, [][]byte, resp.Reply) []keyEvent {
	return func(_ *Dispatcher, args [][]byte, _ resp.Reply) []keyEvent { return one(class, name, args[1]) }
}

// ifInt: the event when the reply is a non-zero integer.
func ifInt(class int64, name string) func(*Dispatcher, [][]byte, resp.Reply) []keyEvent {
	return func(_ *Dispatcher, args [][]byte, r resp.Reply) []keyEvent {
		if r.Kind != resp.KindInt || r.Int == 0 {
			return nil
		}
		return one(class, name, args[1])
	}
}

// oneKey applies ev to a command of one key only.
func oneKey(ev func(*Dispatcher, [][]byte, resp.Reply) []keyEvent) func(*Dispatcher, [][]byte, resp.Reply) []keyEvent {
	return func(d *Dispatcher, args [][]byte, r resp.Reply) []keyEvent {
		if len(args) != 2 {
			return nil
		}
		return ev(d, args, r)
	}
}

// ifValue: the event when the reply is a value (GETDEL found the key).
func ifValue(class int64, name string) func(*Dispatcher, [][]byte, resp.Reply) []keyEvent {
	return func(_ *Dispatcher, args [][]byte, r resp.Reply) []keyEvent {
		if r.Kind != resp.KindBulk {
			return nil
		}
		return one(class, name, args[1])
	}
}

// SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT t|KEEPTTL]: set, and expire
// with an expiry, when the value was written.
func setEvents(d *Dispatcher, args [][]byte, r resp.Reply) []keyEvent {
	o, ok := parseSetOpts(args[3:], false)
	if !ok {
		return nil
	}
	wrote := r.Kind == resp.KindSimple
	if o.get { // the reply is the old value: whether it wrote follows NX/XX
		null := r.Kind == resp.KindNull
		wrote = (!o.nx && !o.xx) || (o.nx && null) || (o.xx && !null)
	}
	if !wrote {
		return nil
	}
	ev := one(notifyString, "set", args[1])
	if o.hasExpiry() {
		ev = append(ev, keyEvent{class: notifyGeneric, name: "expire", key: args[1],
			at: expiryAt(o.expUnit, o.expArg, d.env.KV.Now())})
	}
	return ev
}

// SETEX / PSETEX key t value
func setExEvents(d *Dispatcher, args [][]byte, _ resp.Reply) []keyEvent {
	unit := "ex"
	if lower(args[0][0]) == 'p' {
		unit = "px"
	}
	return append(one(notifyString, "set", args[1]), keyEvent{class: notifyGeneric, name: "expire", key: args[1],
		at: expiryAt(unit, args[2], d.env.KV.Now())})
}

// MSET key value ...
func pairEvents(_ *Dispatcher, args [][]byte, _ resp.Reply) []keyEvent {
	var ev []keyEvent
	for i := 1; i+1 < len(args); i += 2 {
		ev = append(ev, keyEvent{class: notifyString, name: "set", key: args[i]})
	}
	return ev
}

// MSETNX key value ...: all or none.
func pairEventsIf(d *Dispatcher, args [][]byte, r resp.Reply) []keyEvent {
	if r.Kind != resp.KindInt || r.Int == 0 {
		return nil
	}
	return pairEvents(d, args, r)
}

// expireEvents: EXPIRE and friends fire expire, or del when the time is
// already past (the key was deleted).
func expireEvents(abs, sec bool) func(*Dispatcher, [][]byte, resp.Reply) []keyEvent {
	return func(d *Dispatcher, args [][]byte, r resp.Reply) []keyEvent {
		if r.Kind != resp.KindInt || r.Int == 0 {
			return nil
		}
		t, _ := resp.ParseInt(args[2])
		if sec {
			t *= 1000
		}
		if !abs {
			t += d.env.KV.Now()
		}
		if t <= d.env.KV.Now() {
			return one(notifyGeneric, "del", args[1])
		}
		return []keyEvent{{class: notifyGeneric, name: "expire", key: args[1], at: t}}
	}
}

// GETEX key [EX|PX|EXAT|PXAT t|PERSIST]: expire or persist when the key
// exists. (Redis fires persist only if the key had a TTL; ringkv cannot
// tell from the reply and fires it whenever the key exists.)
func getexEvents(d *Dispatcher, args [][]byte, r resp.Reply) []keyEvent {
	o, ok := parseSetOpts(args[2:], true)
	switch {
	case !ok || r.Kind != resp.KindBulk:
		return nil
	case o.persist:
		return one(notifyGeneric, "persist", args[1])
	case o.hasExpiry():
		return []keyEvent{{class: notifyGeneric, name: "expire", key: args[1],
			at: expiryAt(o.expUnit, o.expArg, d.env.KV.Now())}}
	}
	return nil
}

// SETRANGE key offset value: only a non-empty value writes.
func setrangeEvents(_ *Dispatcher, args [][]byte, _ resp.Reply) []keyEvent {
	if len(args[3]) == 0 {
		return nil
	}
	return one(notifyString, "setrange", args[1])
}

// RENAME / RENAMENX src dst
func renameEvents(_ *Dispatcher, args [][]byte, r resp.Reply) []keyEvent {
	if r.Kind == resp.KindInt && r.Int == 0 {
		return nil
	}
	return []keyEvent{{class: notifyGeneric, name: "rename_from", key: args[1]},
		{class: notifyGeneric, name: "rename_to", key: args[2]}}
}

// COPY src dst ...
func copyEvents(_ *Dispatcher, args [][]byte, r resp.Reply) []keyEvent {
	if r.Kind != resp.KindInt || r.Int == 0 {
		return nil
	}
	return one(notifyGeneric, "copy_to", args[2])
}

// delEach is DEL / UNLINK: with generic notifications on, several keys
// are deleted one by one (as DEL does anyway) so that each deleted key
// fires its del.
func (d *Dispatcher) delEach(s *Session, args [][]byte) resp.Reply {
	on := d.env.Settings.keyEvents.Load()
	if len(args) <= 2 || on&notifyGeneric == 0 || on&(notifyKeyspace|notifyKeyevent) == 0 {
		return d.del(s, args)
	}
	var n int64
	var events []keyEvent
	for _, k := range args[1:] {
		r := d.del(s, [][]byte{args[0], k})
		if r.Kind != resp.KindInt {
			return r
		}
		if r.Int > 0 {
			n += r.Int
			events = append(events, keyEvent{class: notifyGeneric, name: "del", key: k})
		}
	}
	return d.emit(s, resp.Int(n), events)
}
