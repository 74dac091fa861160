package lua

import (
	"context"
	"errors"
	"runtime/metrics"
	"time"
)

// A script that keeps allocating would take the node down with it (Lua
// has no memory limit of its own here, and Redis's has none either), so a
// watchdog stops a script whose live heap growth passes Config.MemoryLimit.
// It starts only for scripts that run longer than memoryWatchAfter, and
// samples the live heap as of the last GC, which a growing heap keeps
// recent.
const (
	memoryWatchAfter = 20 * time.Millisecond
	memoryWatchEvery = 20 * time.Millisecond
	// DefaultMemoryLimit is Config.MemoryLimit's default: 1 GiB.
	DefaultMemoryLimit = 1 << 30
)

var errMemory = errors.New("lua: script memory limit exceeded")

const liveHeap = "/gc/heap/live:bytes"

func liveBytes() uint64 {
	s := []metrics.Sample{{Name: liveHeap}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// watchMemory cancels ctx with errMemory if the live heap grows by more
// than limit while the returned stop has not been called.
func watchMemory(limit uint64, cancel context.CancelCauseFunc) (stop func()) {
	if limit == 0 {
		return func() {}
	}
	base := liveBytes()
	done := make(chan struct{})
	exited := make(chan struct{})
	t := time.AfterFunc(memoryWatchAfter, func() {
		defer close(exited)
		tick := time.NewTicker(memoryWatchEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if now := liveBytes(); now > base && now-base > limit {
					cancel(errMemory)
					return
				}
			}
		}
	})
	return func() {
		close(done)
		if !t.Stop() {
			<-exited // the watchdog started: wait for it to end
		}
	}
}
