package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Tables are plain fixed-width columns (text/tabwriter): they read the same
// in a terminal, a CI log and a pasted issue, and need no dependency.

// table writes rows as aligned columns, two spaces apart.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) { fmt.Fprintln(t.tw, strings.Join(cells, "\t")) }

func (t *table) flush() error { return t.tw.Flush() }

// writeJSON prints v as one line of JSON.
func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// count shows an integer where -1 means unknown.
func count(n int64) string {
	if n < 0 {
		return "?"
	}
	return strconv.FormatInt(n, 10)
}

// humanBytes shows a size in binary units ("1.5 MiB"); -1 is unknown.
func humanBytes(n int64) string {
	if n < 0 {
		return "?"
	}
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	f, units := float64(n)/1024, "KMGTPE"
	for f >= 1024 && len(units) > 1 {
		f, units = f/1024, units[1:]
	}
	return fmt.Sprintf("%.1f %ciB", f, units[0])
}

// humanRate shows bytes per second; 0 is unknown.
func humanRate(n int64) string {
	if n <= 0 {
		return "-"
	}
	return humanBytes(n) + "/s"
}

// humanMs shows a duration in milliseconds to the second ("1m5s"); -1 is
// unknown.
func humanMs(ms int64) string {
	if ms < 0 {
		return "?"
	}
	return (time.Duration(ms) * time.Millisecond).Round(time.Second).String()
}

// ago shows how long before now a Unix-ms time was; 0 is unset.
func ago(now time.Time, ms int64) string {
	if ms <= 0 {
		return "-"
	}
	d := max(now.Sub(time.UnixMilli(ms)), 0)
	return humanMs(d.Milliseconds()) + " ago"
}

// shortVersion is the first 8 hex digits of a ring version.
func shortVersion(v string) string {
	if len(v) > 8 {
		return v[:8]
	}
	return v
}

// dash shows "" as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
