package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

func xfer(node string, partition int, source, state string, keys, bytes, rate, eta int, started, updated time.Duration) resp.Reply {
	ms := func(ago time.Duration) int {
		if ago < 0 {
			return 0
		}
		return int(testNow.Add(-ago).UnixMilli())
	}
	return rmap("node", node, "partition", partition, "source", source, "state", state, "keys", keys,
		"bytes", bytes, "rate", rate, "eta_ms", eta, "started_ms", ms(started), "updated_ms", ms(updated))
}

// Four transfers in every state, as a node would list them (unordered).
func fourTransfers() resp.Reply {
	return resp.Array(
		xfer("n4", 3, "n2", "done", 1000, 6<<20, 0, 0, 3*time.Minute, 2*time.Minute),
		xfer("n4", 13, "", "queued", 0, 0, 0, -1, -1, -1),
		xfer("n4", 7, "n2", "syncing", 800, 2<<20, 0, -1, 10*time.Second, time.Second),
		xfer("n4", 12, "n1", "active", 512, 3<<20, 1<<20, 3000, 5*time.Second, time.Second),
	)
}

const fourTransfersTable = `STATE    NODE  PARTITION  SOURCE  KEYS  DATA     RATE       ETA  PROGRESS           UPDATED
active   n4    12         n1      512   3.0 MiB  1.0 MiB/s  3s   [#####-----]  50%  1s ago
syncing  n4    7          n2      800   2.0 MiB  -          ?                       1s ago
queued   n4    13         -       0     0 B      -          ?    [----------]   0%  -
done     n4    3          n2      1000  6.0 MiB  -          -    [##########] 100%  2m0s ago

3 pending (1 queued, 1 active, 1 syncing), 1 done; received 2312 keys, 11.0 MiB; rate 1.0 MiB/s; longest ETA 3s
`

func TestTransfersTable(t *testing.T) {
	for _, resp3 := range []bool{true, false} {
		f := newFakeNode(t, resp3, "")
		f.on("RINGKV TRANSFERS", fourTransfers())
		r := f.run("transfers")
		if r.code != exitOK || r.out != fourTransfersTable {
			t.Fatalf("resp3=%v exit %d\n%s\nwant\n%s\nstderr %s", resp3, r.code, r.out, fourTransfersTable, r.errOut)
		}
	}
}

func TestTransfersEmptyAndJSON(t *testing.T) {
	f := newFakeNode(t, true, "")
	f.on("RINGKV TRANSFERS", resp.Array(), fourTransfers())
	if r := f.run("transfers"); r.code != exitOK || r.out != "no transfers pending or recently done\n" {
		t.Fatalf("exit %d: %q", r.code, r.out)
	}
	r := f.run("transfers", "--json")
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.out), &got); err != nil || r.code != exitOK || len(got) != 4 {
		t.Fatalf("exit %d %v: %s", r.code, err, r.out)
	}
	active := got[3]
	for k, v := range map[string]any{"node": "n4", "partition": 12.0, "source": "n1", "state": "active", "keys": 512.0,
		"bytes": float64(3 << 20), "rate": float64(1 << 20), "eta_ms": 3000.0,
		"started_ms": float64(testNow.Add(-5 * time.Second).UnixMilli()), "updated_ms": float64(testNow.Add(-time.Second).UnixMilli())} {
		if active[k] != v {
			t.Errorf("%s = %v, want %v", k, active[k], v)
		}
	}
	if len(active) != 10 {
		t.Errorf("fields %v", active)
	}
}

// watchSequence is three refreshes: the last with nothing pending, when
// every node reports its handoff settled.
func watchSequence(f *fakeNode) {
	f.on("RINGKV STATUS", threeNodes())
	f.on("RINGKV TRANSFERS", fourTransfers(),
		resp.Array(xfer("n4", 13, "n1", "active", 10, 1<<20, 1<<20, 1000, 2*time.Second, 0)),
		resp.Array(xfer("n4", 13, "n1", "done", 20, 2<<20, 0, 0, 3*time.Second, 0)))
}

// Not on a terminal, --watch prints a totals line per refresh, then the
// final table, and stops when nothing is pending.
func TestTransfersWatchPlain(t *testing.T) {
	f := newFakeNode(t, false, "")
	watchSequence(f)
	r := f.run("transfers", "--watch", "--interval", "1ms")
	want := "15:04:05  3 pending (1 queued, 1 active, 1 syncing), 1 done; received 2312 keys, 11.0 MiB; rate 1.0 MiB/s; longest ETA 3s\n" +
		"15:04:05  1 pending (0 queued, 1 active, 0 syncing), 0 done; received 10 keys, 1.0 MiB; rate 1.0 MiB/s; longest ETA 1s\n" +
		"15:04:05  0 pending (0 queued, 0 active, 0 syncing), 1 done; received 20 keys, 2.0 MiB; rate -; longest ETA ?\n" +
		"no transfer pending\n\n" +
		"STATE  NODE  PARTITION  SOURCE  KEYS  DATA     RATE  ETA  PROGRESS           UPDATED\n" +
		"done   n4    13         n1      20    2.0 MiB  -     -    [##########] 100%  0s ago\n\n" +
		"0 pending (0 queued, 0 active, 0 syncing), 1 done; received 20 keys, 2.0 MiB; rate -; longest ETA ?\n"
	if r.code != exitOK || r.out != want {
		t.Fatalf("exit %d\n%s\nwant\n%s\nstderr %s", r.code, r.out, want, r.errOut)
	}
	if n := strings.Count(strings.Join(f.commands(), "\n"), "RINGKV TRANSFERS"); n != 3 {
		t.Fatalf("%d requests: %q", n, f.commands())
	}
}

// On a terminal, --watch redraws the whole screen on every refresh.
func TestTransfersWatchLive(t *testing.T) {
	f := newFakeNode(t, true, "")
	watchSequence(f)
	r := runCLI(nil, true, "transfers", "--port", f.port, "--watch", "--interval", "1ms")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	frames := strings.Split(r.out, clearScreen)
	if len(frames) != 4 || frames[0] != "" {
		t.Fatalf("%d frames:\n%q", len(frames)-1, r.out)
	}
	if !strings.HasPrefix(frames[1], "transfers seen by "+f.addr+", every 1ms  15:04:05\n\n"+fourTransfersTable) ||
		!strings.HasSuffix(frames[1], "Ctrl-C stops watching (the transfers go on)\n") ||
		!strings.HasSuffix(frames[3], "\nno transfer pending\n") {
		t.Fatalf("frames:\n%s", strings.Join(frames, "\n=====\n"))
	}
}

// --watch --json prints one JSON array per refresh.
func TestTransfersWatchJSON(t *testing.T) {
	f := newFakeNode(t, true, "")
	watchSequence(f)
	r := runCLI(nil, true, "transfers", "--port", f.port, "--watch", "--json", "--interval", "1ms")
	lines := strings.Split(strings.TrimSuffix(r.out, "\n"), "\n")
	if r.code != exitOK || len(lines) != 3 {
		t.Fatalf("exit %d: %q", r.code, r.out)
	}
	for i, want := range []int{4, 1, 1} {
		var ts []transfer
		if err := json.Unmarshal([]byte(lines[i]), &ts); err != nil || len(ts) != want {
			t.Fatalf("line %d: %v %s", i, err, lines[i])
		}
	}
}

// --watch does not stop at an empty list while a node still reports
// handoff left (a ring it has not planned for yet): it asks STATUS and
// goes on until every node alive reports none.
func TestTransfersWatchWaitsForPlan(t *testing.T) {
	f := newFakeNode(t, false, "")
	f.on("RINGKV TRANSFERS", resp.Array())
	unsettled := statusMember("n4", "alive", "member", "127.0.0.1:6382", 0, 0, 0, 0, 0, 1, ringA)
	f.on("RINGKV STATUS", threeNodes(unsettled), threeNodes())
	r := f.run("transfers", "--watch", "--interval", "1ms")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.errOut)
	}
	if n := strings.Count(strings.Join(f.commands(), "\n"), "RINGKV STATUS"); n != 2 {
		t.Fatalf("watch asked STATUS %d times, want 2 (once unsettled, once settled): %q", n, f.commands())
	}
	if lines := strings.Count(r.out, "pending ("); lines != 2 {
		t.Fatalf("%d refresh lines, want 2:\n%s", lines, r.out)
	}
}

// Without --all a table lists the ten most recent done transfers and
// counts the rest; the totals line counts them all.
func TestTransfersTableCapsDone(t *testing.T) {
	f := newFakeNode(t, false, "")
	var many []resp.Reply
	for p := range 25 {
		many = append(many, xfer("n4", p, "n1", "done", 1, 100, 0, 0, time.Duration(p)*time.Second, 0))
	}
	f.on("RINGKV TRANSFERS", resp.Array(many...))
	r := f.run("transfers")
	if r.code != exitOK || strings.Count(r.out, "\ndone ") != 10 || !strings.Contains(r.out, "... and 15 more done (--all lists them)") ||
		!strings.Contains(r.out, "25 done") {
		t.Fatalf("exit %d:\n%s", r.code, r.out)
	}
	if r := f.run("transfers", "--all"); strings.Count(r.out, "\ndone ") != 25 {
		t.Fatalf("--all:\n%s", r.out)
	}
}
