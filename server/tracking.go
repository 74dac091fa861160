package server

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/ringkv/ringkv/server/command"
)

// Client-side caching across nodes (CLIENT TRACKING): a write runs on its
// key's coordinator, which may not be the node a tracking client is
// connected to. A node with tracking sessions announces it to every other
// node each second (pubsubTrackers); a node that heard an announcement in
// the last few seconds sends the keys its writes modify to every other
// node (pubsubInvalidate), where command.Dispatcher.Invalidate sends them
// to the local tracking sessions. Without tracking anywhere, nothing is
// sent. A write forwarded for a client of another node (tracking_route.go)
// names that client in its invalidation, for NOLOOP on the client's node.

// Tracking request kinds of MethodPubSub (after pubsubPublish, pubsubQuery).
const (
	pubsubInvalidate byte = 3 // flush byte, the keys, then the origin's node and ID if any
	pubsubTrackers   byte = 4 // the caller has tracking sessions
)

// trackingAnnounceEvery is how often a node with tracking sessions tells
// the others (their lease, command.trackingLease, is five times longer).
const trackingAnnounceEvery = time.Second

var _ command.TrackingFanout = fanout{}

// Invalidate has every other node invalidate keys (flush: everything),
// modified for origin (the zero Origin: none).
func (f fanout) Invalidate(ctx context.Context, keys [][]byte, flush bool, origin command.Origin) {
	f.callAll(ctx, encodeInvalidate(keys, flush, origin))
}

// AnnounceTracking tells every other node this one has tracking sessions.
func (f fanout) AnnounceTracking(ctx context.Context) {
	f.callAll(ctx, []byte{pubsubTrackers})
}

func encodeInvalidate(keys [][]byte, flush bool, origin command.Origin) []byte {
	b := []byte{pubsubInvalidate, 0}
	if flush {
		b[1] = 1
	}
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendBytes(b, k)
	}
	if origin.ID != 0 {
		b = binary.AppendUvarint(appendBytes(b, []byte(origin.Node)), origin.ID)
	}
	return b
}

// serveTracking answers another node's invalidation or announcement.
func (s *Server) serveTracking(body []byte) ([]byte, error) {
	switch body[0] {
	case pubsubTrackers:
		if len(body) != 1 {
			return nil, errPubSubMalformed
		}
		s.disp.RemoteTracking()
		return nil, nil
	case pubsubInvalidate:
		keys, flush, origin, err := decodeInvalidate(body)
		if err != nil {
			return nil, err
		}
		var by uint64 // the client of this node the write ran for
		if origin.Node == s.cfg.Node {
			by = origin.ID
		}
		s.disp.Invalidate(keys, by, flush)
		return nil, nil
	}
	return nil, errPubSubMalformed
}

func decodeInvalidate(body []byte) (keys [][]byte, flush bool, origin command.Origin, err error) {
	d := &decoder{b: body[1:]}
	flush = d.byte() == 1
	for i := d.count(); i > 0 && d.err == nil; i-- {
		keys = append(keys, d.bytes())
	}
	if d.err == nil && len(d.b) > 0 {
		origin.Node = string(d.bytes())
		origin.ID = d.uvarint()
	}
	return keys, flush, origin, d.end()
}

// trackingLoop announces this node's tracking sessions every second while
// it has any, until the server stops.
func (s *Server) trackingLoop() {
	defer s.bg.Done()
	t := time.NewTicker(trackingAnnounceEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if s.disp.Tracking() {
				ctx, cancel := context.WithTimeout(s.ctx, s.cfg.RequestTimeout)
				fanout{s}.AnnounceTracking(ctx)
				cancel()
			}
		}
	}
}

// Session returns the connected client id's session, or nil: a CLIENT
// TRACKING REDIRECT target.
func (r *registry) Session(id uint64) *command.Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.conns[id]; c != nil {
		return c.sess
	}
	return nil
}
