// Package resp is ringkv's wire vocabulary for the Redis protocol (RESP2 and
// RESP3): it reads client commands off a byte stream with Redis 7's limits,
// edge cases and error texts ([Reader], [ProtocolError], [Limits]), describes
// replies as plain values that handlers return ([Reply] and its constructors
// such as [OK], [Bulk], [Int], [Array], [Map], plus the standard Redis error
// replies like [ErrWrongArgs] and [ErrSyntax]), and encodes them for either
// protocol version ([Writer], [Append]). It also holds Redis's strict number
// parsing and formatting ([ParseInt], [ParseFloat], [FormatFloat]). It does not
// own sockets, connections, the command table or dispatch (see package server),
// and it imports nothing else from ringkv. Start from [NewReader] on the
// connection and [NewWriter] for replies; handlers only need [Reply].
package resp
