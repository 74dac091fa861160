package transport

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkCallTCP measures calls from many goroutines over loopback
// through the default pool of 2 connections: plain (no cluster key) and
// sealed (AES-256-GCM frames), small and large bodies.
func BenchmarkCallTCP(b *testing.B) {
	for _, mode := range []struct{ name, key string }{{"plain", ""}, {"sealed", "bench-key"}} {
		for _, size := range []int{64, 64 << 10} {
			b.Run(fmt.Sprintf("%s/%dB", mode.name, size), func(b *testing.B) {
				benchCallTCP(b, mode.key, size)
			})
		}
	}
}

func benchCallTCP(b *testing.B, key string, size int) {
	bk := newBook()
	listen(b, "b", bk, echo, withKey(key))
	a := listen(b, "a", bk, echo, withKey(key))
	mustCall(b, a, "b", 1, nil)
	body := make([]byte, size)
	b.SetParallelism(16)
	b.SetBytes(int64(size))
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

// BenchmarkFrameCodec measures one frame written and read back in memory,
// plain and sealed: the cost of the encryption alone.
func BenchmarkFrameCodec(b *testing.B) {
	for _, size := range []int{64, 4 << 10, 64 << 10, 1 << 20} {
		body := make([]byte, size)
		h := frameHeader{id: 1, kind: kindRequest, method: 1, size: size}
		b.Run(fmt.Sprintf("plain/%dB", size), func(b *testing.B) {
			var wire bytes.Buffer
			br := bufio.NewReaderSize(&wire, readBufSize)
			hdr := make([]byte, 0, frameHeaderLen)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				wire.Reset()
				br.Reset(&wire)
				wire.Write(appendHeader(hdr[:0], h))
				wire.Write(body)
				if _, _, err := readFrame(br, 1<<21); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("sealed/%dB", size), func(b *testing.B) {
			d, l := sealerPair(b, "bench-key")
			var wire bytes.Buffer
			br := bufio.NewReaderSize(&wire, readBufSize)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				wire.Reset()
				br.Reset(&wire)
				if err := d.send.writeFrame(&wire, h, body); err != nil {
					b.Fatal(err)
				}
				if _, _, err := l.recv.readFrame(br, 1<<21); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
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
