// Package server is one ringkv node: it wires storage (engine), the replica
// coordinator and, in a cluster, membership and the peer transport, and
// serves Redis clients over TCP. It owns the client connections and the
// order of shutdown; what each command does lives in server/command.
//
// Start from Config, New, Server.Run and Server.Shutdown.
package server
