package command

import (
	"fmt"
	"testing"
)

// TestScanCursors: a long member's cursor is per key and a forgotten one
// restarts; a short member's cursor holds it, on any key and any node;
// every cursor fits a double exactly (below 2^53); a cursor ringkv did
// not make restarts.
func TestScanCursors(t *testing.T) {
	sc := newScanCursors()
	id := sc.cursor([]byte("big"), []byte("0000000005"))
	if after := sc.resume([]byte("big"), id); string(after) != "0000000005" {
		t.Errorf("cursor %d resumes after %q", id, after)
	}
	if after := sc.resume([]byte("other"), id); after != nil {
		t.Errorf("cursor %d of big resumes other after %q", id, after)
	}
	if after := newScanCursors().resume([]byte("big"), id); after != nil {
		t.Errorf("cursor %d resumes after %q on another node", id, after)
	}
	for range scanMaxCursors {
		if c := sc.cursor([]byte("k"), []byte("a long field name")); c == 0 || c >= 1<<53 {
			t.Fatalf("cursor %d", c)
		}
	}
	if after := sc.resume([]byte("big"), id); after != nil {
		t.Errorf("evicted cursor %d resumes after %q", id, after)
	}
	if sc.order.Len() > scanMaxCursors || len(sc.byID) != sc.order.Len() {
		t.Errorf("cursor table holds %d (%d by id)", sc.order.Len(), len(sc.byID))
	}
	// Direct cursors: every length up to 6, and none that is not one made.
	for _, field := range []string{"", "x", "\x00", "abcdef", "\xff\xff\xff\xff\xff\xff", "\xff\xff\xff"} {
		c := sc.cursor([]byte("k"), []byte(field))
		if after := newScanCursors().resume([]byte("zz"), c); c&scanDirect == 0 || c >= 1<<53 || after == nil || string(after) != field {
			t.Errorf("field %q: cursor %d resumes after %q", field, c, after)
		}
	}
	for _, c := range []uint64{1<<52 | 1<<48 | 1<<8, 1<<52 | 7<<48, 1<<52 | 8<<48, 1 << 53, 1<<63 | 1<<56 | 'a'<<48, ^uint64(0)} {
		if after := sc.resume([]byte("k"), c); after != nil {
			t.Errorf("cursor %x resumes after %q", c, after)
		}
	}
}

// TestScanCursorBytes: the table holds at most scanMaxBytes of keys and
// members (the newest entry always stays, so its scan goes on).
func TestScanCursorBytes(t *testing.T) {
	sc := newScanCursors()
	big := make([]byte, scanMaxBytes/4)
	var ids []uint64
	for range 6 {
		ids = append(ids, sc.cursor([]byte("k"), big))
	}
	if sc.bytes > scanMaxBytes || sc.order.Len() != 3 {
		t.Errorf("table holds %d entries, %d bytes", sc.order.Len(), sc.bytes)
	}
	if sc.resume([]byte("k"), ids[0]) != nil || sc.resume([]byte("k"), ids[5]) == nil {
		t.Error("the oldest cursor stayed or the newest went")
	}
	huge := make([]byte, scanMaxBytes+1)
	if c := sc.cursor([]byte("k"), huge); sc.resume([]byte("k"), c) == nil || sc.order.Len() != 1 {
		t.Errorf("a member past the bound: %d entries", sc.order.Len())
	}
}

// TestScanCursorsAcrossNodes: HSCAN, SSCAN and ZSCAN cursors are below
// 2^53, and one that holds its member resumes through another node's
// dispatcher.
func TestScanCursorsAcrossNodes(t *testing.T) {
	f := newFixture(t)
	for i := range 300 {
		m := fmt.Sprintf("m%03d", i)
		f.do("HSET", "h", m, "v")
		f.do("SADD", "s", m)
		f.do("ZADD", "z", "1", m)
	}
	for _, cmd := range []string{"HSCAN h", "SSCAN s", "ZSCAN z"} {
		var name, key string
		fmt.Sscan(cmd, &name, &key)
		r := f.do(name, key, "0", "COUNT", "10")
		var c uint64
		if _, err := fmt.Sscan(r.Elems[0].Text(), &c); err != nil || c == 0 || c >= 1<<53 {
			t.Fatalf("%s 0: cursor %q", cmd, r.Elems[0].Text())
		}
		if after := newFixture(t).d.scans.resume([]byte(key), c); string(after) != "m009" {
			t.Errorf("%s: cursor %d resumes after %q on another node", cmd, c, after)
		}
	}
}
