package server

import (
	"encoding/binary"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// Client-side caching for commands forwarded to another node (MethodExec,
// MethodTx): the client's tracking state stays on its node, so a command
// of a tracking client says so, and the node that runs it reports back
// the keys its read-only commands read (for the client's node to remember
// them, command.Dispatcher.ForwardedRan) and names the client in the
// invalidations its writes fan out (so that NOLOOP holds on its node).
//
// On the wire: trackedFlag in the request's protocol byte, then the
// client's ID (uvarint), then the request as before; the reply starts
// with the keys read (a uvarint count, each key as length then bytes),
// then the RESP reply as before.

// trackedFlag marks, in the protocol byte of a MethodExec or MethodTx
// request, a command run for a client with tracking on.
const trackedFlag byte = 0x80

// requestHead is the start of a MethodExec or MethodTx body for a command
// of s, in proto: the protocol byte, and s's ID if s tracks.
func (r *router) requestHead(s *command.Session, proto int) []byte {
	if !r.disp.TracksForwarded(s) {
		return []byte{byte(proto)}
	}
	return binary.AppendUvarint([]byte{byte(proto) | trackedFlag}, s.ID)
}

// readHead parses the start of a MethodExec or MethodTx body from node
// from: the protocol, the client it runs for (the zero Origin: one that
// does not track), and the rest of the body; ok is false when malformed.
func readHead(from string, body []byte) (proto int, origin command.Origin, rest []byte, ok bool) {
	if len(body) < 1 {
		return 0, origin, nil, false
	}
	proto, rest = int(body[0]&^trackedFlag), body[1:]
	if proto != 2 && proto != 3 {
		return 0, origin, nil, false
	}
	if body[0]&trackedFlag != 0 {
		id, n := binary.Uvarint(rest)
		if n <= 0 || id == 0 {
			return 0, origin, nil, false
		}
		origin, rest = command.Origin{Node: from, ID: id}, rest[n:]
	}
	return proto, origin, rest, true
}

// runFor prepares s, the session of a forwarded command, to run it for
// origin, and returns how to encode its reply in proto.
func runFor(s *command.Session, origin command.Origin, proto int) func(resp.Reply) []byte {
	if origin.ID == 0 {
		return func(r resp.Reply) []byte { return resp.Append(nil, r, proto) }
	}
	s.RunFor(origin)
	return func(r resp.Reply) []byte {
		reads := s.TrackedReads()
		b := binary.AppendUvarint(nil, uint64(len(reads)))
		for _, k := range reads {
			b = appendBytes(b, k)
		}
		return resp.Append(b, r, proto)
	}
}

// received returns the RESP reply in b, node's answer to request body
// for s: when the request was tracked, the keys the command read are
// remembered for s first. A malformed answer is an error reply (the
// command ran: it must not be tried elsewhere).
func (r *router) received(s *command.Session, node string, body, b []byte) []byte {
	if body[0]&trackedFlag == 0 {
		return b
	}
	d := &decoder{b: b}
	var reads [][]byte
	for i := d.count(); i > 0 && d.err == nil; i-- {
		reads = append(reads, d.bytes())
	}
	if d.err != nil {
		return resp.Append(nil, resp.Err("ERR malformed reply from "+node), s.Proto)
	}
	r.disp.ForwardedRan(s, reads)
	return d.b
}
