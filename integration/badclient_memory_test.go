package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Growing a value to 128 MB in 8 MB APPENDs, then reading it, costs at
// most three times its size, and a DEL gives the memory back. A write
// holds one copy of the value: its blob is read with room to grow, the
// APPEND extends it in place and the set is streamed back to a blob
// (engine/doc.go, "Large values"); the rest is the collector's slack and
// the connection's buffers. Before: a peak of 1.5 GB for 64 MB, kept
// after the DEL (the 512 MB case peaked at 7 GB); then 5 to 7 times the
// value, with the stored set, the new value and its encoding all held.
func TestBadClientLargeValueMemory(t *testing.T) {
	const step, steps = 8 << 20, 16
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
	size := int64(steps * step)
	peak := hwmBytes(t, n.Pid())
	t.Logf("RSS %d MB before, peak %d MB growing a value to %d MB in %v",
		base>>20, peak>>20, size>>20, time.Since(start).Round(time.Millisecond))
	if peak-base > 3*size {
		t.Errorf("peak RSS grew by %d MB for a %d MB value: more than 3 times its size", (peak-base)>>20, size>>20)
	}
	v, err := c.Get(ctx, "big").Result()
	if err != nil || int64(len(v)) != size || v[size-1] != 'x' {
		t.Fatalf("GET: %d bytes, %v", len(v), err)
	}
	v = ""
	peak = hwmBytes(t, n.Pid())
	t.Logf("peak %d MB after GET", peak>>20)
	if peak-base > 3*size {
		t.Errorf("peak RSS grew by %d MB for a %d MB value and a GET of it: more than 3 times its size", (peak-base)>>20, size>>20)
	}
	if err := c.Del(ctx, "big").Err(); err != nil {
		t.Fatal(err)
	}
	Eventually(t, 10*time.Second, "memory returned after DEL", func() error {
		if r := rssBytes(t, n.Pid()); r > base+size/2 {
			return fmt.Errorf("RSS %d MB (base %d MB)", r>>20, base>>20)
		}
		return nil
	})
	t.Logf("RSS after DEL: %d MB", rssBytes(t, n.Pid())>>20)
}
