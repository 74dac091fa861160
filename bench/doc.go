// Command bench runs ringkv side by side with redis-server on loopback and
// prints a Markdown report: throughput and latency from redis-benchmark
// (SET and GET, unpipelined and -P 16), resident memory for one million
// keys, machine facts, and optionally a 3-node cluster and a CPU profile.
//
//	go run ./bench [-out FILE] [-cluster] [-profile DIR] [-ringkv PATH]
//
// With -types (or -tests with other redis-benchmark -t names than set,get)
// it instead runs redis-benchmark's data-type tests side by side, with the
// servers' CPU time per request (types.go, typesrun.go, typesreport.go).
//
// With -aae it instead measures anti-entropy on a 3-node cluster whose
// third node is stopped, made to miss writes and restarted: time to
// converge, peer bytes per repair, and redis-benchmark's p99 with and
// without a repair running (aae.go, then aaetargets.go).
//
// The comparison does not measure anything redis-benchmark cannot see (no
// durability, no failure behaviour). Both are Linux-only: they read /proc
// and put every child in its own process group so that all of them die
// with the run.
//
// Start from run (run.go), which drives the phases in order. The pure parts
// (parsing redis-benchmark's CSV, medians, the RESP stream fed to
// redis-cli --pipe, the report) are in csv.go, stats.go, resp.go and
// report.go and are unit-tested without servers. See README.md.
package main
