package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Growing a value to 64 MB in 1 MB APPENDs costs a small multiple of its
// size, and a DEL gives the memory back (before: a peak of 1.5 GB, kept
// after the DEL; the 512 MB case peaked at 7 GB). A write holds three
// copies of the value by design (engine/doc.go, "Large values"); the
// bound leaves room for the collector's slack on a loaded machine.
func TestBadClientLargeValueMemory(t *testing.T) {
	const step, steps = 1 << 20, 64
	n := StartNode(t, NodeOptions{})
	c := n.Client(t, 2)
	ctx := context.Background()
	base := rssBytes(t, n.Pid())
	chunk := strings.Repeat("x", step)
	start := time.Now()
	for i := range steps {
		got, err := c.Append(ctx, "big", chunk).Result()
		if err != nil || got != int64((i+1)*step) {
			t.Fatalf("APPEND %d: %d %v", i, got, err)
		}
	}
	peak := hwmBytes(t, n.Pid())
	size := int64(steps * step)
	t.Logf("RSS %d MB before, peak %d MB growing a value to %d MB in %v",
		base>>20, peak>>20, size>>20, time.Since(start).Round(time.Second))
	if peak-base > 8*size {
		t.Errorf("peak RSS grew by %d MB for a %d MB value: more than 8 times its size", (peak-base)>>20, size>>20)
	}
	if l, err := c.StrLen(ctx, "big").Result(); err != nil || l != size {
		t.Fatalf("STRLEN %d %v", l, err)
	}
	if err := c.Del(ctx, "big").Err(); err != nil {
		t.Fatal(err)
	}
	Eventually(t, 10*time.Second, "memory returned after DEL", func() error {
		if r := rssBytes(t, n.Pid()); r > base+size {
			return fmt.Errorf("RSS %d MB (base %d MB)", r>>20, base>>20)
		}
		return nil
	})
	t.Logf("RSS after DEL: %d MB", rssBytes(t, n.Pid())>>20)
}
