// Package transport carries node-to-node requests between ringkv nodes. It is
// payload-agnostic: a request is a method code and opaque bytes, a reply is
// opaque bytes or an error string; the replica layer owns the encoding.
//
// Start from the Transport and Handler interfaces. Two implementations are
// provided:
//
//   - TCP (Listen): persistent pooled connections per peer (Config.PoolSize,
//     default 2), many requests multiplexed on each connection by request id,
//     one batching writer and one reader per connection, each inbound request
//     served in its own goroutine (bounded per connection). The caller's ctx
//     deadline travels in the frame so the remote handler sees it too.
//     Connections are authenticated on connect by a mutual HMAC-SHA256
//     challenge-response over Config.ClusterKey (see auth.go), and every
//     frame after it is sealed with AES-256-GCM under per-connection,
//     per-direction keys derived by HKDF-SHA256 (seal.go): a tampered,
//     replayed or reordered frame closes the connection. Without a key,
//     frames are plain and only a loopback listener is allowed (Validate);
//     handlers tell the two apart with Authenticated(ctx). Node names
//     are resolved to addresses by Config.Resolve (membership supplies it)
//     on every dial. A call to the node's own name runs the local Handler
//     directly. Config.Handler, or SetHandler after Listen, serves requests.
//   - MemNetwork (NewMemNetwork, then Node per node): an in-memory twin for
//     unit tests. Every message is copied, and drops, delays, partitions and
//     crashed nodes are injected from a seeded random source; it runs under
//     testing/synctest.
//
// Errors returned by Call wrap ErrUnreachable (the peer could not be reached,
// or the connection died with the call in flight: the request may or may not
// have been applied), ErrTimeout (the ctx deadline passed first; it also wraps
// context.DeadlineExceeded), ErrClosed, ErrFrameTooLarge, or are a
// *RemoteError (the remote handler returned an error).
//
// The package knows nothing of versions, keys or the ring.
package transport
