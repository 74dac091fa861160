package transport

import (
	"context"
	"testing"
	"time"
)

// BenchmarkCallTCP measures small calls from many goroutines over loopback
// through the default pool of 2 connections.
func BenchmarkCallTCP(b *testing.B) {
	bk := newBook()
	listen(b, "b", bk, echo)
	a := listen(b, "a", bk, echo)
	mustCall(b, a, "b", 1, nil)
	body := make([]byte, 64)
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := a.Call(ctx, "b", 1, body); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}

// BenchmarkCallMem is the in-memory twin, for comparison.
func BenchmarkCallMem(b *testing.B) {
	n := NewMemNetwork(1)
	a, peer := n.Node("a", echo), n.Node("b", echo)
	defer a.Close()
	defer peer.Close()
	body := make([]byte, 64)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := a.Call(ctx, "b", 1, body); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
