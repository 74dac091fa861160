package ring

import (
	"fmt"
	"strings"
)

// Table returns reports as a Markdown table, one row per report, for a data
// set of keys distinct keys of bytesPerKey bytes each (spread evenly, so a
// partition holds keys/Q of them): balance as min..max % of the mean, then
// owners moved, lists changed and copies moved (transfer volume), each
// movement also as a multiple of its ideal.
func Table(reports []StepReport, keys, bytesPerKey int64) string {
	var b strings.Builder
	b.WriteString("| S | Q | step | Q/S | owned % | held % | owners moved (×ideal) | lists changed | copies moved (ideal, min) | ×ideal | transfer |\n")
	b.WriteString("|---:|---:|---|---:|---|---|---|---:|---|---:|---:|\n")
	for _, r := range reports {
		fmt.Fprintf(&b, "| %d | %d | %s | %d | %.0f..%.0f | %.0f..%.0f | %s | %s | %s | %s | %s |\n",
			r.Members, r.Q, r.Step, r.Q/r.Members,
			r.Primary.MinPct(), r.Primary.MaxPct(), r.Replica.MinPct(), r.Replica.MaxPct(),
			moves(r, fmt.Sprintf("%d (%.2f)", r.PrimaryMoved, r.PrimaryRatio())),
			moves(r, fmt.Sprint(r.ListsChanged)),
			moves(r, fmt.Sprintf("%d (%.0f, %d)", r.CopiesMoved, r.IdealCopies(), r.MinCopies)),
			moves(r, fmt.Sprintf("%.2f", r.Ratio())),
			moves(r, size(r.Bytes(keys/int64(r.Q), bytesPerKey))))
	}
	return b.String()
}

// moves returns s, or "-" for the initial ring, which moved nothing.
func moves(r StepReport, s string) string {
	if r.Step.Op == 0 {
		return "-"
	}
	return s
}

// size formats n bytes with a binary unit.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
