package server

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"

	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/server/command"
)

// MethodPubSub carries pub/sub between nodes (numbered after MethodExec):
// a PUBLISH (or keyspace notification) to deliver to the callee's own
// subscribers, or a PUBSUB question about them. The callee never passes
// it on: the publishing node calls every other member itself.
const MethodPubSub = replica.MethodUser + 1

// Errors of servePubSub, returned to the calling node.
var (
	errPubSubMalformed = errors.New("server: malformed pub/sub request")
	errPubSubRefused   = errors.New("server: pub/sub from a peer that did not prove the cluster key while requirepass is set")
)

// pub/sub request kinds (the body's first byte).
const (
	pubsubPublish byte = 1
	pubsubQuery   byte = 2
)

// fanout implements command.Fanout over the peer transport: it calls every
// other ring member that membership reports up, in parallel, each call
// bounded by the request timeout, and skips those that fail.
type fanout struct {
	s *Server
}

var _ command.Fanout = fanout{}

// Publish delivers msgs on the other nodes and sums their receivers.
func (f fanout) Publish(ctx context.Context, msgs []command.Message) int64 {
	var n int64
	for _, b := range f.callAll(ctx, encodePublish(msgs)) {
		if v, k := binary.Uvarint(b); k > 0 {
			n += int64(v)
		}
	}
	return n
}

// Ask puts q to the other nodes.
func (f fanout) Ask(ctx context.Context, q command.Query) []command.Answer {
	var out []command.Answer
	for _, b := range f.callAll(ctx, encodeQuery(q)) {
		if a, err := decodeAnswer(b); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// callAll sends body to every other up member and returns the replies of
// those that answered within the request timeout.
func (f fanout) callAll(ctx context.Context, body []byte) [][]byte {
	s := f.s
	var mu sync.Mutex
	var out [][]byte
	s.eachPeer(ctx, func(ctx context.Context, node string) {
		b, err := s.tr.Call(ctx, node, MethodPubSub, body)
		if err != nil {
			s.log.Debug().Str("peer", node).Err(err).Msg("pub/sub call failed; skipped")
			return
		}
		mu.Lock()
		out = append(out, b)
		mu.Unlock()
	})
	return out
}

// servePubSub answers another node's MethodPubSub from this node's own
// subscribers. As with MethodExec, a peer frame does not stand in for
// AUTH: with requirepass set, only a peer that proved the cluster key may
// publish here.
func (s *Server) servePubSub(ctx context.Context, _ string, body []byte) ([]byte, error) {
	if s.env.Settings.RequirePass() != "" && !transport.Authenticated(ctx) {
		return nil, errPubSubRefused
	}
	if len(body) == 0 {
		return nil, errPubSubMalformed
	}
	switch body[0] {
	case pubsubPublish:
		msgs, err := decodePublish(body)
		if err != nil {
			return nil, err
		}
		return binary.AppendUvarint(nil, uint64(s.disp.Deliver(msgs))), nil
	case pubsubQuery:
		q, err := decodeQuery(body)
		if err != nil {
			return nil, err
		}
		return encodeAnswer(s.disp.Answer(q)), nil
	case pubsubInvalidate, pubsubTrackers:
		return s.serveTracking(body) // tracking.go
	}
	return nil, errPubSubMalformed
}

// The codec: uvarint counts and lengths, bytes as length then data.

func appendBytes(b, v []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

func encodePublish(msgs []command.Message) []byte {
	b := binary.AppendUvarint([]byte{pubsubPublish}, uint64(len(msgs)))
	for _, m := range msgs {
		shard := byte(0)
		if m.Shard {
			shard = 1
		}
		b = appendBytes(appendBytes(append(b, shard), m.Channel), m.Payload)
	}
	return b
}

func encodeQuery(q command.Query) []byte {
	b := []byte{pubsubQuery, byte(q.Op), 0, 0}
	if q.Shard {
		b[2] = 1
	}
	if q.Pattern != nil {
		b[3] = 1
		b = appendBytes(b, q.Pattern)
	}
	b = binary.AppendUvarint(b, uint64(len(q.Names)))
	for _, n := range q.Names {
		b = appendBytes(b, n)
	}
	return b
}

func encodeAnswer(a command.Answer) []byte {
	b := binary.AppendUvarint(nil, uint64(len(a.Names)))
	for _, n := range a.Names {
		b = appendBytes(b, n)
	}
	b = binary.AppendUvarint(b, uint64(len(a.Counts)))
	for _, c := range a.Counts {
		b = binary.AppendUvarint(b, uint64(c))
	}
	return b
}

// decoder reads the codec, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errPubSubMalformed
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = errPubSubMalformed
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errPubSubMalformed
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

// count reads a count of items that take at least one byte each, so a
// forged count cannot make the reader allocate more than the body holds.
func (d *decoder) count() int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)) {
		d.err = errPubSubMalformed
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

// end returns the decoding error, or one for trailing bytes.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) != 0 {
		return errPubSubMalformed
	}
	return d.err
}

func decodePublish(body []byte) ([]command.Message, error) {
	d := &decoder{b: body[1:]}
	msgs := make([]command.Message, 0, d.count())
	for i := cap(msgs); i > 0 && d.err == nil; i-- {
		m := command.Message{Shard: d.byte() == 1}
		m.Channel, m.Payload = d.bytes(), d.bytes()
		msgs = append(msgs, m)
	}
	return msgs, d.end()
}

func decodeQuery(body []byte) (command.Query, error) {
	d := &decoder{b: body[1:]}
	q := command.Query{Op: command.QueryOp(d.byte()), Shard: d.byte() == 1}
	if d.byte() == 1 {
		q.Pattern = d.bytes()
	}
	for i := d.count(); i > 0 && d.err == nil; i-- {
		q.Names = append(q.Names, d.bytes())
	}
	if q.Op < command.QueryChannels || q.Op > command.QueryNumPat {
		return q, errPubSubMalformed
	}
	return q, d.end()
}

func decodeAnswer(b []byte) (command.Answer, error) {
	d := &decoder{b: b}
	var a command.Answer
	for i := d.count(); i > 0 && d.err == nil; i-- {
		a.Names = append(a.Names, d.bytes())
	}
	for i := d.count(); i > 0 && d.err == nil; i-- {
		a.Counts = append(a.Counts, int64(d.uvarint()))
	}
	return a, d.end()
}
