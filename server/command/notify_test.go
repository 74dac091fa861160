package command

import (
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// TestKeyEventsFlags checks parse and format against what Redis 7.0.15
// answers to CONFIG SET / GET notify-keyspace-events.
func TestKeyEventsFlags(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "KEA": "AKE", "Ex": "xE", "A": "A", "KA": "AK", "Kglshzxetdnm$": "AKm",
		"KEAKEA": "AKE", "KEm": "KEm", "KEAmn": "AKEm", "KEAt": "AKE", "g$E": "g$E", "Kn": "nK",
	} {
		f, err := parseKeyEvents(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := formatKeyEvents(f); got != want {
			t.Errorf("%q: formatted %q, want %q", in, got, want)
		}
	}
	f := newFixture(t)
	f.script(`
		> CONFIG SET notify-keyspace-events Z
		(error) ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.
		> CONFIG SET notify-keyspace-events KEA
		OK
		> CONFIG GET notify-keyspace-events
		1# "notify-keyspace-events" => "AKE"
	`)
}

// expectKeyEvents runs each command through f and checks what sub, a
// client subscribed to the pattern __keyevent*, receives: want is the
// events as "event key" pairs, ';'-separated ("" for none), in order.
func expectKeyEvents(t *testing.T, f *fixture, sub *client, cases []struct{ cmd, want string }) {
	t.Helper()
	for _, tc := range cases {
		f.line(tc.cmd)
		var want []string
		if tc.want != "" {
			for _, ev := range strings.Split(tc.want, ";") {
				name, key, _ := strings.Cut(ev, " ")
				ch := "__keyevent@0__:" + name
				want = append(want, "*4\r\n$8\r\npmessage\r\n$11\r\n__keyevent*\r\n$"+itoa(int64(len(ch)))+"\r\n"+ch+
					"\r\n$"+itoa(int64(len(key)))+"\r\n"+key+"\r\n")
			}
		}
		expect(t, tc.cmd, sub.box.take(), strings.Join(want, ""))
	}
}

// TestKeyEvents runs commands with KEA on and checks the notifications a
// pattern subscriber receives, as Redis 7.0.15 sends them.
func TestKeyEvents(t *testing.T) {
	f := newFixture(t)
	sub := f.client(1)
	sub.do("PSUBSCRIBE", "__key*__:*")
	w := f.client(2)
	w.do("CONFIG", "SET", "notify-keyspace-events", "KEA")
	for _, tc := range []struct {
		cmd  string
		want string // "channel payload" pairs, ';'-separated
	}{
		{"SET k v", "__keyspace@0__:k set;__keyevent@0__:set k"},
		{"SET k v EX 100", "__keyspace@0__:k set;__keyevent@0__:set k;__keyspace@0__:k expire;__keyevent@0__:expire k"},
		{"SET k v NX", ""},
		{"SET k2 v GET", "__keyspace@0__:k2 set;__keyevent@0__:set k2"},
		{"SET k2 v XX GET", "__keyspace@0__:k2 set;__keyevent@0__:set k2"},
		{"SET k3 v XX GET", ""},
		{"SETNX k3 v", "__keyspace@0__:k3 set;__keyevent@0__:set k3"},
		{"SETNX k3 v", ""},
		{"SETEX k4 10 v", "__keyspace@0__:k4 set;__keyevent@0__:set k4;__keyspace@0__:k4 expire;__keyevent@0__:expire k4"},
		{"MSET a 1 b 2", "__keyspace@0__:a set;__keyevent@0__:set a;__keyspace@0__:b set;__keyevent@0__:set b"},
		{"DEL a b zz", "__keyspace@0__:a del;__keyevent@0__:del a;__keyspace@0__:b del;__keyevent@0__:del b"},
		{"DEL zz", ""},
		{"EXPIRE k3 100", "__keyspace@0__:k3 expire;__keyevent@0__:expire k3"},
		{"EXPIRE k3 100 NX", ""},
		{"PERSIST k3", "__keyspace@0__:k3 persist;__keyevent@0__:persist k3"},
		{"PERSIST k3", ""},
		{"EXPIRE k3 0", "__keyspace@0__:k3 del;__keyevent@0__:del k3"},
		{"INCR n", "__keyspace@0__:n incrby;__keyevent@0__:incrby n"},
		{"DECRBY n 2", "__keyspace@0__:n incrby;__keyevent@0__:incrby n"},
		{"INCRBYFLOAT n 1.5", "__keyspace@0__:n incrbyfloat;__keyevent@0__:incrbyfloat n"},
		{"APPEND n x", "__keyspace@0__:n append;__keyevent@0__:append n"},
		{"SETRANGE n 0 y", "__keyspace@0__:n setrange;__keyevent@0__:setrange n"},
		{`SETRANGE n 0 ""`, ""},
		{"RENAME n n2", "__keyspace@0__:n rename_from;__keyevent@0__:rename_from n;__keyspace@0__:n2 rename_to;__keyevent@0__:rename_to n2"},
		{"COPY n2 n4", "__keyspace@0__:n4 copy_to;__keyevent@0__:copy_to n4"},
		{"GETDEL n4", "__keyspace@0__:n4 del;__keyevent@0__:del n4"},
		{"GETDEL n4", ""},
		{"GETEX n2 EX 100", "__keyspace@0__:n2 expire;__keyevent@0__:expire n2"},
		{"GETEX n2", ""},
		{"PEXPIRE n2 -1", "__keyspace@0__:n2 del;__keyevent@0__:del n2"},
		{"SETBIT b 7 1", "__keyspace@0__:b setbit;__keyevent@0__:setbit b"},
		{"INCR k", ""}, // an error: no event
	} {
		f.line(tc.cmd) // through the fixture's session, then read sub's inbox
		got := sub.box.take()
		var want []string
		if tc.want != "" {
			for _, ev := range strings.Split(tc.want, ";") {
				ch, payload, _ := strings.Cut(ev, " ")
				want = append(want, "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$"+itoa(int64(len(ch)))+"\r\n"+ch+
					"\r\n$"+itoa(int64(len(payload)))+"\r\n"+payload+"\r\n")
			}
		}
		expect(t, tc.cmd, got, strings.Join(want, ""))
	}
	w.do("CONFIG", "SET", "notify-keyspace-events", "Kg") // keyspace only, generic only
	f.line("SET x 1")
	f.line("DEL x")
	expect(t, "Kg", sub.box.take(), "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$16\r\n__keyspace@0__:x\r\n$3\r\ndel\r\n")
}

// TestKeyEventToSelfComesFirst: a RESP3 client subscribed to its own
// key's events gets them before its reply, as Redis writes them.
func TestKeyEventToSelfComesFirst(t *testing.T) {
	f := newFixture(t)
	c := f.client(1)
	c.s.Proto = 3
	c.do("CONFIG", "SET", "notify-keyspace-events", "KEA")
	c.do("SUBSCRIBE", "__keyevent@0__:set")
	expect(t, "SET", c.do("SET", "k", "v"), ">3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:set\r\n$1\r\nk\r\n+OK\r\n")
}

// TestExpiredEvent: with x on, the node that gave a key its expiry fires
// "expired" once it passes, and not for a key deleted or persisted first.
func TestExpiredEvent(t *testing.T) {
	f := newFixture(t)
	sub := f.client(1)
	sub.do("PSUBSCRIBE", "*")
	w := f.client(2)
	w.do("CONFIG", "SET", "notify-keyspace-events", "Ex")
	w.do("PSETEX", "foo", "100", "1")
	w.do("SET", "gone", "1", "PX", "100")
	w.do("DEL", "gone")
	w.do("SET", "kept", "1", "PX", "100")
	w.do("PERSIST", "kept")
	w.do("SET", "later", "1", "PX", "100")
	w.do("PEXPIRE", "later", "100000")
	f.kv.advance(200)
	want := "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$22\r\n__keyevent@0__:expired\r\n$3\r\nfoo\r\n"
	deadline := time.Now().Add(5 * time.Second)
	var got string
	for got == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // real timers: the watch fires ~100ms after the write
		got = sub.box.take()
	}
	expect(t, "expired", got, want)
	time.Sleep(300 * time.Millisecond) // the other watches fire too, and must stay silent
	expect(t, "nothing for deleted, persisted or extended keys", sub.box.take(), "")
	f.d.StopKeyEvents()
}

// TestNewKeyEvent follows Redis's "new key test": n fires once per
// created key, before its set.
func TestNewKeyEvent(t *testing.T) {
	f := newFixture(t)
	sub := f.client(1)
	sub.do("PSUBSCRIBE", "*")
	w := f.client(2)
	w.do("CONFIG", "SET", "notify-keyspace-events", "En")
	w.do("SET", "foo", "bar")
	w.do("SET", "foo", "baz")
	w.do("SET", "bar", "bar")
	w.do("MSET", "bar", "1", "n1", "2")
	w.do("INCR", "n2")
	w.do("INCR", "n2")
	ev := func(k string) string {
		return "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$18\r\n__keyevent@0__:new\r\n$" + itoa(int64(len(k))) + "\r\n" + k + "\r\n"
	}
	expect(t, "new", sub.box.take(), ev("foo")+ev("bar")+ev("n1")+ev("n2"))
	w.do("CONFIG", "SET", "notify-keyspace-events", "KEA") // A leaves n out
	w.do("SET", "fresh", "1")
	if strings.Contains(sub.box.take(), ":new") {
		t.Error("A fired new")
	}
}

// RESTORE fires restore, and SORT ... STORE fires sortstore on its
// destination when it stored something (as Redis 7.0.15).
func TestKeyEventsRestoreAndSortStore(t *testing.T) {
	f := newFixture(t)
	sub := f.client(1)
	sub.do("PSUBSCRIBE", "__keyevent@0__:*")
	w := f.client(2)
	w.do("CONFIG", "SET", "notify-keyspace-events", "KEA")
	w.do("RPUSH", "sl", "3", "1", "2")
	sub.box.take()
	ev := func(name, key string) string {
		ch := "__keyevent@0__:" + name
		return "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n$" + itoa(int64(len(ch))) + "\r\n" + ch +
			"\r\n$" + itoa(int64(len(key))) + "\r\n" + key + "\r\n"
	}
	w.do("SORT", "sl", "STORE", "sd")
	expect(t, "SORT sl STORE sd", sub.box.take(), ev("sortstore", "sd"))
	w.do("SORT", "nosuch", "STORE", "sd2")
	expect(t, "SORT nosuch STORE sd2", sub.box.take(), "")
	payload := f.do("DUMP", "sd")
	if payload.Kind != resp.KindBulk {
		t.Fatalf("DUMP sd = %v", payload)
	}
	f.do("RESTORE", "r", "0", string(payload.Bytes))
	expect(t, "RESTORE r", sub.box.take(), ev("restore", "r"))
}
