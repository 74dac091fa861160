package version

import "slices"

// Meet returns the history both c and o contain: the writes covered by
// each. A coordinator meets a client's context with the history its
// replicas hold before writing under it, so a context cannot claim writes
// that were never issued (a forged token, or one from before a FLUSHALL
// or a wiped directory): such a claim would otherwise make the write
// supersede a future write that happens to get that dot. Meeting only
// ever removes coverage, so at worst a sibling the writer did see stays
// as a sibling; no write is lost.
func (c Context) Meet(o Context) Context {
	var vv VV
	for _, e := range c.VV {
		if m := min(e.Counter, o.VV.Get(e.Node)); m > 0 {
			vv = append(vv, Entry{e.Node, m})
		}
	}
	var dots []Dot
	for _, d := range c.Dots {
		if o.Covers(d) {
			dots = append(dots, d)
		}
	}
	for _, d := range o.Dots {
		if c.Covers(d) && !vv.Covers(d) {
			dots = append(dots, d)
		}
	}
	// c's VV range beyond o's VV may still hold o's single dots, and the
	// reverse: those are the dots above, already collected.
	slices.SortFunc(dots, cmpDot)
	return normalize(vv, slices.Compact(dots))
}
