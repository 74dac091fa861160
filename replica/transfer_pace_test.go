package replica

import (
	"testing"
	"time"
)

// The pacer keeps every transfer together under the rate: pages booked
// back to back, by any number of workers, end rate-limited, and an idle
// spell banks no burst.
func TestPacerSharesTheRate(t *testing.T) {
	var p pacer
	const rate = 1 << 20 // 1 MiB/s
	start := time.Now()
	var last time.Time
	for range 8 { // eight pages of 256 KiB: two seconds' worth
		last = p.after(rate/4, rate)
	}
	if got := last.Sub(start); got < 1900*time.Millisecond || got > 2100*time.Millisecond {
		t.Fatalf("8 quarter-second pages booked up to %v, want ~2s", got)
	}
	p.next = time.Now().Add(-time.Hour) // idle for an hour
	if d := time.Until(p.after(rate/4, rate)); d > 300*time.Millisecond {
		t.Fatalf("after an idle spell a page waits %v, want ~250ms (no banked burst, no backlog)", d)
	}
}
