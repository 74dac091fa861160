// Package replicatest is a deterministic, seeded simulation harness for
// the replica layer: several replica.Coordinators over one in-memory
// network (cluster/transport's MemNetwork), each over a goleveldb store in
// memory, placed by the real ring (cluster/ring), driven through client
// operations, partitions, heals, crashes that keep or lose the data, and
// restarts; then stabilized and checked: replicas converge and no
// acknowledged write is lost (Dynamo §4.4–§4.7).
//
// A Sim must run inside a testing/synctest bubble: the coordinators keep
// their real goroutines and timeouts, but time is the bubble's fake clock,
// every link has its own fixed latency, and the harness waits for the
// cluster to go idle between steps, so a schedule's outcome does not
// depend on the machine's speed. The checks (Check) hold whatever the
// interleaving.
//
// Operations (Op) have one text form, used for the op log printed on
// failure, for generated schedules (Generate) and for scripted scenarios
// with golden output (RunScript, testdata/*.txt). It does not test the
// server or the RESP layer; it drives replica.Coordinator directly, as a
// client library would. Start from New, Sim.Do and Sim.Check, or from
// Generate and Play for a random run.
package replicatest
