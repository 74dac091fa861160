// Package command is ringkv's client command layer: the Redis command table,
// dispatch (name lookup, arity, AUTH, stats) and every handler, written over
// the small KV interface so that it is tested without sockets or a cluster.
//
// A handler takes a Session (one client connection's state) and the
// command's arguments and returns a resp.Reply; the server's connection loop
// reads commands, calls Dispatcher.Do and writes the reply. Start from New,
// Dispatcher.NewSession and Dispatcher.Do; Env holds what all sessions share
// (the KV, runtime Settings, Stats, the server's Clients and Info hooks).
//
// # Semantics
//
// Plain Redis commands keep Redis 7's arguments, replies and error texts.
// Every value is a string: lists, hashes, sets, sorted sets and streams
// are not supported and answer Redis's unknown-command error, so there is
// no WRONGTYPE. There is one database (SELECT 0 only). Transactions
// (multi.go) and scripts (eval.go, functions.go) run in one exclusive
// section of the node's gate (atomic.go); pub/sub and keyspace
// notifications are in pubsub*.go and notify.go.
//
// Every write is one KV.Update whose UpdateFunc sees the key's sibling set on
// the coordinating replica and returns a replica.Change under cur.Context(),
// so a plain write (SET, DEL, INCR, EXPIRE, ...) supersedes every sibling
// that replica holds and reads the winner (version.Set.Winner) as the
// current value. Commands touching several keys (MSET, MSETNX, DEL k1 k2,
// RENAME, COPY) are one Update per key: atomic per key, not across keys.
// Reads are KV.Get with the node's default R.
//
// The versioned commands VGET, VSET and VDEL expose the sibling sets and
// their causal contexts (see DESIGN.md). VSET cannot set an expiry. An empty
// CONTEXT argument ("") is the empty context, i.e. a write concurrent with
// every existing version.
//
// Persistence is continuous (the engine's appendfsync policy), so SAVE and
// BGSAVE only acknowledge, LASTSAVE reports the last such call (or the
// start), and CONFIG REWRITE is refused.
//
// # Introspection
//
// ringkv implements Redis 7.0.15 (RedisVersion) and answers COMMAND INFO
// and COMMAND DOCS from that redis-server's own metadata (redismeta.go).
// WAIT answers, at once, the copies that acknowledged the session's last
// write minus one (Redis counts replicas without the master): W-1 for a
// write that met its quorum, W being the effective default W (capped at N
// and at the ring's members); got-1 for one that failed with NOQUORUM; N-1
// before any write (wait.go). SLOWLOG, LATENCY and INFO commandstats time
// each handler (introspect.go); CLIENT PAUSE holds commands in
// Dispatcher.Do (pause.go).
package command
