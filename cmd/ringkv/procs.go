package main

import (
	"os"
	"runtime"
)

// setProcs gives Go's scheduler twice as many Ps as it would take by
// default (the CPUs, or the container's CPU limit), unless GOMAXPROCS is
// set. A node's background work (LevelDB compactions, received partitions
// merged, anti-entropy) runs goroutines that use the CPU for long
// stretches, and Go preempts a goroutine only after 10 ms: a client's
// request that becomes ready while every P runs such work waits for one.
// With more Ps than CPUs the kernel interleaves them, in slices of a few
// milliseconds. While a 1 GB partition handoff streamed into a 4th node of
// a 2-core machine, the foreground p99 was 20.7 and 23.2 ms with 2 Ps,
// 10.9 and 17.5 ms with 4, and the CPU per request of SET and GET on one
// node did not change (bench/RESULTS.md, "More Ps than CPUs"). INFO
// server shows the number (go_maxprocs).
func setProcs() {
	runtime.GOMAXPROCS(procs(os.Getenv("GOMAXPROCS"), runtime.GOMAXPROCS(0)))
}

// procs is the GOMAXPROCS to run with, given the environment's setting
// and the runtime's default.
func procs(env string, def int) int {
	if env != "" {
		return def // the operator's choice, which the runtime already took
	}
	return 2 * def
}
