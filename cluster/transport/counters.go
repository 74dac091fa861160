package transport

import "sync/atomic"

// Bytes is what a TCP transport has moved over its peer connections since
// Listen: whole frames as they cross the wire (length, header and payload,
// and with a cluster key the sealed frame's length field and GCM tag).
// Handshakes and calls a node makes to itself are not counted.
type Bytes struct {
	Sent     uint64 // frames written: our requests and our replies
	Received uint64 // frames read: the peers' requests and replies

	FramesSent     uint64 // frames written
	FramesReceived uint64 // frames read
	// Writes is the socket writes that carried the frames sent: a burst of
	// frames queued for one peer goes out in one write, so FramesSent/Writes
	// is how well the transport coalesces.
	Writes uint64
}

// counters are a transport's running totals, safe for concurrent use.
type counters struct {
	sent, received             atomic.Uint64
	framesSent, framesReceived atomic.Uint64
	writes                     atomic.Uint64
}

// wireLen is the size on the wire of a frame carrying size payload bytes.
func wireLen(size int, sealed bool) uint64 {
	n := frameHeaderLen + size
	if sealed {
		n += sealLenField + sealOverhead
	}
	return uint64(n)
}

// Bytes returns the peer bytes sent and received so far. A nil transport
// (a standalone node has none) has moved nothing.
func (t *TCP) Bytes() Bytes {
	if t == nil {
		return Bytes{}
	}
	return Bytes{
		Sent: t.bytes.sent.Load(), Received: t.bytes.received.Load(),
		FramesSent: t.bytes.framesSent.Load(), FramesReceived: t.bytes.framesReceived.Load(),
		Writes: t.bytes.writes.Load(),
	}
}
