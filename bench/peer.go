package main

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// PeerStats are the counters of one ringkv node (or their sum over a
// cluster's nodes) that say what a request cost between the nodes: INFO's
// cluster section (peer_*) and its handoff section (read_repairs). All
// count since the node started; a run's figure is a difference.
type PeerStats struct {
	BytesSent   int64 // peer_bytes_sent: whole frames written to peers
	FramesSent  int64 // peer_frames_sent
	Writes      int64 // peer_writes: socket write calls carrying peer frames
	ReadRepairs int64 // read_repairs: stale replicas sent the merged value after a read
}

// peerFields maps the INFO field names to PeerStats.
var peerFields = map[string]func(*PeerStats, int64){
	"peer_bytes_sent":  func(s *PeerStats, v int64) { s.BytesSent = v },
	"peer_frames_sent": func(s *PeerStats, v int64) { s.FramesSent = v },
	"peer_writes":      func(s *PeerStats, v int64) { s.Writes = v },
	"read_repairs":     func(s *PeerStats, v int64) { s.ReadRepairs = v },
}

// peerSections are the INFO sections holding peerFields.
var peerSections = []string{"cluster", "handoff"}

// ParsePeerStats reads peerFields from an INFO reply. A field that is
// absent (an older ringkv) reads as 0 and is listed in missing; a field
// that is not an integer is an error.
func ParsePeerStats(info string) (s PeerStats, missing []string, err error) {
	missing, err = parseInfoInts(info, peerFields, &s)
	return s, missing, err
}

// parseInfoInts sets dst's fields from the integer INFO fields named in
// fields and returns the names it did not find, sorted. A field that is
// not an integer is an error.
func parseInfoInts[T any](info string, fields map[string]func(*T, int64), dst *T) (missing []string, err error) {
	seen := map[string]bool{}
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		set, want := fields[k]
		if !ok || !want {
			continue
		}
		x, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			return nil, fmt.Errorf("bench: INFO %s: %q is not an integer", k, v)
		}
		set(dst, x)
		seen[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	return missing, nil
}

// Add returns s plus o, field by field.
func (s PeerStats) Add(o PeerStats) PeerStats {
	return PeerStats{s.BytesSent + o.BytesSent, s.FramesSent + o.FramesSent, s.Writes + o.Writes, s.ReadRepairs + o.ReadRepairs}
}

// Sub returns s minus o, field by field.
func (s PeerStats) Sub(o PeerStats) PeerStats {
	return PeerStats{s.BytesSent - o.BytesSent, s.FramesSent - o.FramesSent, s.Writes - o.Writes, s.ReadRepairs - o.ReadRepairs}
}

// PeerCost is a run's PeerStats difference per request.
type PeerCost struct {
	Bytes, Frames, Writes float64 // sent, per request
	FramesPerWrite        float64 // frames per socket write (coalescing); NaN without writes
	RepairsPerK           float64 // read repairs per 1000 requests
}

// PerRequest divides a run's difference d by its request count.
func (d PeerStats) PerRequest(requests int) PeerCost {
	n := float64(max(requests, 1))
	fpw := math.NaN()
	if d.Writes > 0 {
		fpw = float64(d.FramesSent) / float64(d.Writes)
	}
	return PeerCost{Bytes: float64(d.BytesSent) / n, Frames: float64(d.FramesSent) / n, Writes: float64(d.Writes) / n,
		FramesPerWrite: fpw, RepairsPerK: 1000 * float64(d.ReadRepairs) / n}
}

// readPeers reads INFO cluster handoff from every node and sums it; missing
// lists the fields some node lacked (each once).
func readPeers(ctx context.Context, c Config, nodes []*node) (sum PeerStats, missing []string, err error) {
	seen := map[string]bool{}
	for _, n := range nodes {
		info, err := redisCLI(ctx, c, n.Port, append([]string{"info"}, peerSections...)...)
		if err != nil {
			return sum, nil, err
		}
		s, miss, err := ParsePeerStats(info)
		if err != nil {
			return sum, nil, fmt.Errorf("%w (node %s)", err, n.Name)
		}
		sum = sum.Add(s)
		for _, k := range miss {
			if !seen[k] {
				seen[k], missing = true, append(missing, k)
			}
		}
	}
	return sum, missing, nil
}
