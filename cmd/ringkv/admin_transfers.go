package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ringkv/ringkv/resp"
)

var transfersCommand = adminCommand{
	help: "Show the cluster's partition transfers (handoff to joining members, away from leaving or\n" +
		"removed ones): queued, active and syncing ones with their rate and ETA, and the recently done.\n" +
		"With --watch, refresh until none is pending: a live display on a terminal, one line per refresh\n" +
		"otherwise (or with CI=true), one JSON array per refresh with --json.",
	flags: func(fs *flag.FlagSet, o *adminOpts) {
		fs.BoolVar(&o.watch, "watch", false, "refresh until no transfer is pending")
		fs.DurationVar(&o.interval, "interval", time.Second, "time between refreshes with --watch")
		fs.BoolVar(&o.all, "all", false, "list every recently done transfer (default: the 10 most recent, and a count)")
	},
	run: runTransfers,
}

func runTransfers(a *adminRun, c *nodeClient) error {
	if a.opts.watch {
		return watchTransfers(a, c)
	}
	ts, err := fetchTransfers(c)
	if err != nil {
		return err
	}
	if a.opts.json {
		return writeJSON(a.io.stdout, ts)
	}
	return printTransfers(a.io.stdout, ts, a.io.now(), a.opts.all)
}

// doneShown is how many done transfers a table lists without --all.
const doneShown = 10

// shown is what a table lists: every pending transfer and, without all,
// only the most recent done ones (a join leaves hundreds); the totals
// line still counts them all.
func shown(ts []transfer, all bool) []transfer {
	if all {
		return ts
	}
	ts = sortTransfers(ts)
	var out []transfer
	done := 0
	for _, x := range ts {
		if x.State == "done" {
			if done++; done > doneShown {
				continue
			}
		}
		out = append(out, x)
	}
	return out
}

// transfer is one partition transfer of RINGKV TRANSFERS.
type transfer struct {
	Node      string `json:"node"` // the receiving node
	Partition int64  `json:"partition"`
	Source    string `json:"source"` // "" not chosen yet
	State     string `json:"state"`  // queued | active | syncing | done
	Keys      int64  `json:"keys"`
	Bytes     int64  `json:"bytes"`
	Rate      int64  `json:"rate"`   // bytes/s, 0 unknown
	EtaMs     int64  `json:"eta_ms"` // -1 unknown
	StartedMs int64  `json:"started_ms"`
	UpdatedMs int64  `json:"updated_ms"`
}

func decodeTransfers(r resp.Reply) ([]transfer, error) {
	list, err := asList(r)
	if err != nil {
		return nil, err
	}
	ts := make([]transfer, 0, len(list))
	for i, e := range list {
		f, err := asFields(e)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		ts = append(ts, transfer{Node: f.str("node"), Partition: f.int("partition", -1),
			Source: f.str("source"), State: f.str("state"), Keys: f.int("keys", 0),
			Bytes: f.int("bytes", 0), Rate: f.int("rate", 0), EtaMs: f.int("eta_ms", -1),
			StartedMs: f.int("started_ms", 0), UpdatedMs: f.int("updated_ms", 0)})
	}
	return ts, nil
}

// fetchTransfers asks the node for RINGKV TRANSFERS.
func fetchTransfers(c *nodeClient) ([]transfer, error) {
	r, err := c.do("RINGKV", "TRANSFERS")
	if err != nil {
		return nil, err
	}
	ts, err := decodeTransfers(r)
	if err != nil {
		return nil, fmt.Errorf("%w to RINGKV TRANSFERS from %s: %v; is it a ringkv of this version?", errUnexpectedReply, c.addr, err)
	}
	return ts, nil
}

// stateOrder puts what is moving first, then what waits, then history.
var stateOrder = map[string]int{"active": 0, "syncing": 1, "queued": 2, "done": 3}

// sortTransfers orders transfers for display: by state, the done ones most
// recent first, then by node and partition.
func sortTransfers(ts []transfer) []transfer {
	ts = slices.Clone(ts)
	slices.SortStableFunc(ts, func(a, b transfer) int {
		r := cmp.Compare(stateOrder[a.State], stateOrder[b.State])
		if r == 0 && a.State == "done" {
			r = cmp.Compare(b.UpdatedMs, a.UpdatedMs)
		}
		return cmp.Or(r, cmp.Compare(a.Node, b.Node), cmp.Compare(a.Partition, b.Partition))
	})
	return ts
}

// transferTotals sums a list of transfers.
type transferTotals struct {
	byState map[string]int
	pending int   // not done
	keys    int64 // received, all transfers listed
	bytes   int64
	rate    int64 // sum of the pending transfers' rates
	eta     int64 // the longest known ETA of a pending transfer, -1 none known
}

func totals(ts []transfer) transferTotals {
	t := transferTotals{byState: map[string]int{}, eta: -1}
	for _, x := range ts {
		t.byState[x.State]++
		t.keys, t.bytes = t.keys+x.Keys, t.bytes+x.Bytes
		if x.State != "done" {
			t.pending++
			t.rate += x.Rate
			t.eta = max(t.eta, x.EtaMs)
		}
	}
	return t
}

func (t transferTotals) String() string {
	return fmt.Sprintf("%d pending (%d queued, %d active, %d syncing), %d done; received %d keys, %s; rate %s; longest ETA %s",
		t.pending, t.byState["queued"], t.byState["active"], t.byState["syncing"], t.byState["done"],
		t.keys, humanBytes(t.bytes), humanRate(t.rate), humanMs(t.eta))
}

// progress draws how far a transfer is, estimated from what it received,
// its rate and ETA: "[####------]  40%"; "" when it cannot be told.
func progress(x transfer) string {
	frac := -1.0
	switch {
	case x.State == "done":
		frac = 1
	case x.State == "queued":
		frac = 0
	case x.Rate > 0 && x.EtaMs >= 0:
		total := float64(x.Bytes) + float64(x.Rate)*float64(x.EtaMs)/1000
		if total > 0 {
			frac = float64(x.Bytes) / total
		}
	}
	if frac < 0 {
		return ""
	}
	n := int(frac * 10)
	return fmt.Sprintf("[%s%s] %3d%%", strings.Repeat("#", n), strings.Repeat("-", 10-n), int(frac*100))
}

func printTransfers(w io.Writer, ts []transfer, now time.Time, all bool) error {
	if len(ts) == 0 {
		_, err := fmt.Fprintln(w, "no transfers pending or recently done")
		return err
	}
	t := newTable(w, "STATE", "NODE", "PARTITION", "SOURCE", "KEYS", "DATA", "RATE", "ETA", "PROGRESS", "UPDATED")
	rows := shown(ts, all)
	for _, x := range rows {
		eta := humanMs(x.EtaMs)
		if x.State == "done" {
			eta = "-"
		}
		t.row(x.State, x.Node, count(x.Partition), dash(x.Source), count(x.Keys), humanBytes(x.Bytes),
			humanRate(x.Rate), eta, progress(x), ago(now, x.UpdatedMs))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if hidden := len(ts) - len(rows); hidden > 0 {
		fmt.Fprintf(w, "... and %d more done (--all lists them)\n", hidden)
	}
	_, err := fmt.Fprintf(w, "\n%s\n", totals(ts))
	return err
}
