// Package replicatest is a deterministic, seeded simulation harness for
// the replica layer: several replica.Coordinators over one in-memory
// network (cluster/transport's MemNetwork), each over a goleveldb store in
// memory, placed by the real ring (cluster/ring), driven through client
// operations (blind writes, set-adds under a read's context,
// read-modify-write increments, deletes, reads, some at once), partitions,
// slow links, crashes that keep or lose the data and restarts, with hinted
// handoff, anti-entropy and tombstone reaping running; then stabilized and
// checked: replicas converge and no acknowledged write is lost (Dynamo
// §4.4–§4.7).
//
// A Sim runs inside a testing/synctest bubble: the coordinators keep
// their real goroutines and timeouts, but time is the bubble's fake clock,
// every node has its own fixed latency, and the harness lets the cluster
// go idle between steps, so a schedule's outcome does not depend on the
// machine, and a seed reproduces op by op. The checks (Checker) depend on
// the final state and the history only, not on interleavings.
//
// Operations (Op) have one text form, used for the op log printed on
// failure, for random schedules (Generate) and for scripted scenarios with
// golden output (RunScript, testdata/*.txt). The harness drives
// replica.Coordinator as the server would (writes routed to the key's
// coordinator, or with Config.Direct where the client connects); it does
// not test the server or RESP. Start from Simulate(t, cfg, Generate(g,
// nodes)) for a random run, from New, Sim.Do, Sim.Stabilize and Sim.Check
// for a hand-written one.
//
// The tests are built without the race detector (//go:build !race): Go
// 1.26's race runtime can abort a process that runs synctest bubbles with
// "ThreadSanitizer: CHECK failed: tsan_rtl.cpp:346" (golang/go#78156,
// open), and this package, which starts and ends thousands of bubbled
// goroutines, hit it in CI. The README's test command runs them in a
// second, race-free go test; the coordinator's concurrency stays under
// -race in package replica's own tests.
package replicatest
