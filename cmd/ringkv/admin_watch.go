package main

import (
	"fmt"
	"time"
)

// clearScreen moves a terminal's cursor home and clears it (ANSI).
const clearScreen = "\x1b[H\x1b[2J"

// watchTransfers is `ringkv transfers --watch`: it asks for the transfers
// every --interval and shows them until none is pending. Interrupting it
// (Ctrl-C) stops the watching, not the transfers.
func watchTransfers(a *adminRun, c *nodeClient) error {
	for {
		ts, err := fetchTransfers(c)
		if err != nil {
			return err
		}
		last := totals(ts).pending == 0
		if last {
			// No transfer listed yet may mean none planned yet: a node
			// plans once the ring has been stable for a moment. Done is
			// when every node alive reports no handoff left.
			if last, err = handoffSettled(c); err != nil {
				return err
			}
		}
		if err := showTransfers(a, ts, last); err != nil || last {
			return err
		}
		time.Sleep(a.opts.interval)
	}
}

// showTransfers prints one refresh: a JSON array per line with --json, the
// whole table redrawn on a terminal, a totals line otherwise (CI logs), and
// there the table once at the end.
func showTransfers(a *adminRun, ts []transfer, last bool) error {
	w, now := a.io.stdout, a.io.now()
	switch {
	case a.opts.json:
		return writeJSON(w, ts)
	case a.io.terminal:
		fmt.Fprintf(w, "%stransfers seen by %s, every %v  %s\n\n", clearScreen, a.opts.addr(), a.opts.interval, now.Format("15:04:05"))
		if err := printTransfers(w, ts, now, a.opts.all); err != nil {
			return err
		}
		if last {
			_, err := fmt.Fprintln(w, "\nno transfer pending")
			return err
		}
		_, err := fmt.Fprintln(w, "\nCtrl-C stops watching (the transfers go on)")
		return err
	}
	if _, err := fmt.Fprintf(w, "%s  %s\n", now.Format("15:04:05"), totals(ts)); err != nil || !last {
		return err
	}
	fmt.Fprintln(w, "no transfer pending")
	if len(ts) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	return printTransfers(w, ts, now, a.opts.all)
}

// handoffSettled reports whether every node alive reports no handoff left
// (transfers, partitions to drop, or a ring not yet acted on).
func handoffSettled(c *nodeClient) (bool, error) {
	s, err := fetchStatus(c)
	if err != nil {
		return false, err
	}
	for _, m := range s.Members {
		if m.State == "alive" && m.Transfers != 0 {
			return false, nil
		}
	}
	return true, nil
}
