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
		if err := printTransfers(w, ts, now); err != nil {
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
	return printTransfers(w, ts, now)
}
