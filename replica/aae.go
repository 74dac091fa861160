package replica

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ringkv/ringkv/replica/merkle"
)

// Trees is the local store's Merkle trees (Dynamo §4.7), one per
// partition, kept up to date on every write (*engine.DB implements it).
type Trees interface {
	TreeReady() bool
	TreeBits() int
	TreeRoot(lo, hi uint64) (uint64, error)
	TreeSegments(lo, hi uint64) (first int, segs []uint64, err error)
	SegmentKeys(seg int) ([]merkle.KeyDigest, error)
}

// Peer methods of anti-entropy.
const (
	// MethodTreeRoots: body bits(1), then (lo, hi) pairs of partitions;
	// reply: one 8-byte root per pair.
	MethodTreeRoots uint8 = 9
	// MethodTreeSegments: body bits(1), lo, hi; reply: uvarint first,
	// then 8-byte segment hashes.
	MethodTreeSegments uint8 = 10
	// MethodSegmentKeys: body bits(1), uvarint segment; reply: (uvarint
	// len, key, 8-byte digest)*.
	MethodSegmentKeys uint8 = 11
)

// span is one partition's hash range and replicas.
type span struct {
	lo, hi   uint64
	replicas []string
}

// spans lists the ring's partitions that this node holds a copy of.
func (c *Coordinator) spans() []span {
	var out []span
	for h := uint64(0); ; {
		lo, hi, list := c.place.Span(h)
		list = list[:min(len(list), c.cfg.N)]
		if slices.Contains(list, c.cfg.Node) {
			out = append(out, span{lo, hi, list})
		}
		if hi == math.MaxUint64 {
			return out
		}
		h = hi + 1
	}
}

// SyncOnce runs one anti-entropy round (Dynamo §4.7): with each other
// replica of this node's partitions (the node with the lower name starts
// a pair's exchange), compare the partitions' Merkle roots in one request,
// descend into the differing partitions' segments, then into the differing
// segments' keys, and merge the sibling sets of the keys that differ, both
// ways. The cost follows the difference, not the data. It returns how many
// keys it repaired.
func (c *Coordinator) SyncOnce(ctx context.Context) (int, error) {
	if c.peers == nil || !c.store.TreeReady() {
		return 0, nil
	}
	byPeer := map[string][]span{}
	for _, sp := range c.spans() {
		for _, p := range sp.replicas {
			if p > c.cfg.Node && c.cfg.Up(p) {
				byPeer[p] = append(byPeer[p], sp)
			}
		}
	}
	peers := make([]string, 0, len(byPeer))
	for p := range byPeer {
		peers = append(peers, p)
	}
	slices.Sort(peers)
	var repaired int
	var errs []error
	for _, p := range peers {
		n, err := c.syncPeer(ctx, p, byPeer[p])
		repaired += n
		if err != nil {
			errs = append(errs, fmt.Errorf("anti-entropy with %s: %w", p, err))
		}
	}
	return repaired, errors.Join(errs...)
}

// syncPeer exchanges the shared partitions with peer.
func (c *Coordinator) syncPeer(ctx context.Context, peer string, shared []span) (int, error) {
	bits := byte(c.store.TreeBits())
	req := []byte{bits}
	for _, sp := range shared {
		req = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(req, sp.lo), sp.hi)
	}
	b, err := c.call(ctx, peer, MethodTreeRoots, req)
	if err != nil {
		return 0, err
	}
	if len(b) != 8*len(shared) {
		return 0, errors.New("replica: malformed tree roots reply")
	}
	c.stats.AAEExchanges.Add(1)
	var repaired int
	for i, sp := range shared {
		mine, err := c.store.TreeRoot(sp.lo, sp.hi)
		if err != nil {
			return repaired, err
		}
		if mine != binary.BigEndian.Uint64(b[8*i:]) {
			n, err := c.syncPartition(ctx, peer, bits, sp, syncBoth)
			repaired += n
			if err != nil {
				return repaired, err
			}
		}
		c.synced(sp.lo)
	}
	return repaired, nil
}

// syncPartition descends into one differing partition.
func (c *Coordinator) syncPartition(ctx context.Context, peer string, bits byte, sp span, dir syncDir) (int, error) {
	req := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64([]byte{bits}, sp.lo), sp.hi)
	b, err := c.call(ctx, peer, MethodTreeSegments, req)
	if err != nil {
		return 0, err
	}
	theirFirst, theirs, err := decodeSegments(b)
	if err != nil {
		return 0, err
	}
	first, mine, err := c.store.TreeSegments(sp.lo, sp.hi)
	if err != nil {
		return 0, err
	}
	if first != theirFirst {
		return 0, errors.New("replica: peer's tree segments do not line up")
	}
	var repaired int
	for _, i := range merkle.Diff(mine, theirs) {
		n, err := c.syncSegment(ctx, peer, bits, first+i, dir)
		repaired += n
		if err != nil {
			return repaired, err
		}
	}
	return repaired, nil
}

// syncSegment compares one segment's keys and repairs those that differ.
func (c *Coordinator) syncSegment(ctx context.Context, peer string, bits byte, seg int, dir syncDir) (int, error) {
	b, err := c.call(ctx, peer, MethodSegmentKeys, binary.AppendUvarint([]byte{bits}, uint64(seg)))
	if err != nil {
		return 0, err
	}
	theirs, err := decodeKeyDigests(b)
	if err != nil {
		return 0, err
	}
	mine, err := c.store.SegmentKeys(seg)
	if err != nil {
		return 0, err
	}
	var repaired int
	// One way, only the keys the giving side holds need a round trip: a
	// pull from a node that dropped the partition, or a push of what this
	// node lacks, costs nothing per key.
	var giver map[string]bool
	switch dir {
	case syncPull:
		giver = keySet(theirs)
	case syncPush:
		giver = keySet(mine)
	}
	for _, key := range merkle.DiffKeys(mine, theirs) {
		if giver != nil && !giver[string(key)] {
			continue
		}
		if err := c.pace(ctx); err != nil {
			return repaired, err
		}
		if err := c.repairKey(ctx, peer, key, dir); err != nil {
			return repaired, err
		}
		repaired++
		c.stats.AAEKeysRepaired.Add(1)
	}
	return repaired, nil
}

// syncDir is which way a Merkle exchange repairs: both ways between
// replicas (anti-entropy); into this node only when it receives a
// partition from previous holders (which may hold it no longer); to the
// peer only when this node hands a partition off before dropping it.
type syncDir uint8

const (
	syncBoth syncDir = iota
	syncPull
	syncPush
)

// repairKey merges key's sets on this node and peer, the ways dir says:
// merged, never overwritten.
func (c *Coordinator) repairKey(ctx context.Context, peer string, key []byte, dir syncDir) error {
	if dir == syncPush {
		mine, err := c.store.Get(key)
		if err != nil || len(mine) == 0 {
			return err
		}
		return c.mergeRemote(ctx, peer, key, mine)
	}
	theirs, err := c.getRemote(ctx, peer, MethodGet, key)
	if err != nil {
		return err
	}
	mine, _, err := c.store.Merge(key, theirs)
	if err != nil {
		return err
	}
	if dir == syncPull || mine.Equal(theirs) {
		return nil
	}
	return c.mergeRemote(ctx, peer, key, mine)
}

// pace holds anti-entropy to its key rate, so foreground latency holds.
func (c *Coordinator) pace(ctx context.Context) error {
	gap := time.Second / time.Duration(c.cfg.AAE.Rate)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.stop:
		return ErrClosed
	case <-time.After(gap):
		return nil
	}
}

// serveTree answers the anti-entropy methods.
func (c *Coordinator) serveTree(method uint8, body []byte) ([]byte, error) {
	if len(body) < 1 {
		return nil, errors.New("replica: malformed tree request")
	}
	if int(body[0]) != c.store.TreeBits() {
		return nil, fmt.Errorf("replica: Merkle trees differ in bits (%d here, %d there): set the same tree bits on every node", c.store.TreeBits(), body[0])
	}
	body = body[1:]
	switch method {
	case MethodTreeRoots:
		if len(body)%16 != 0 {
			return nil, errors.New("replica: malformed tree roots request")
		}
		c.stats.AAEExchanges.Add(1) // the responder takes part too
		out := make([]byte, 0, len(body)/2)
		for ; len(body) > 0; body = body[16:] {
			r, err := c.store.TreeRoot(binary.BigEndian.Uint64(body), binary.BigEndian.Uint64(body[8:]))
			if err != nil {
				return nil, err
			}
			out = binary.BigEndian.AppendUint64(out, r)
		}
		return out, nil
	case MethodTreeSegments:
		if len(body) != 16 {
			return nil, errors.New("replica: malformed tree segments request")
		}
		first, segs, err := c.store.TreeSegments(binary.BigEndian.Uint64(body), binary.BigEndian.Uint64(body[8:]))
		if err != nil {
			return nil, err
		}
		out := binary.AppendUvarint(make([]byte, 0, 8+8*len(segs)), uint64(first))
		for _, s := range segs {
			out = binary.BigEndian.AppendUint64(out, s)
		}
		return out, nil
	}
	seg, n := binary.Uvarint(body)
	if n <= 0 || seg > math.MaxInt32 {
		return nil, errors.New("replica: malformed segment keys request")
	}
	kds, err := c.store.SegmentKeys(int(seg))
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, kd := range kds {
		out = binary.AppendUvarint(out, uint64(len(kd.Key)))
		out = binary.BigEndian.AppendUint64(append(out, kd.Key...), kd.Digest)
	}
	return out, nil
}

func decodeSegments(b []byte) (int, []uint64, error) {
	first, n := binary.Uvarint(b)
	if n <= 0 || (len(b)-n)%8 != 0 || first > math.MaxInt32 {
		return 0, nil, errors.New("replica: malformed tree segments reply")
	}
	segs := make([]uint64, 0, (len(b)-n)/8)
	for b = b[n:]; len(b) > 0; b = b[8:] {
		segs = append(segs, binary.BigEndian.Uint64(b))
	}
	return int(first), segs, nil
}

func decodeKeyDigests(b []byte) ([]merkle.KeyDigest, error) {
	var out []merkle.KeyDigest
	for len(b) > 0 {
		key, rest, ok := cutBytes(b)
		if !ok || len(rest) < 8 {
			return nil, errors.New("replica: malformed segment keys reply")
		}
		out = append(out, merkle.KeyDigest{Key: key, Digest: binary.BigEndian.Uint64(rest)})
		b = rest[8:]
	}
	return out, nil
}

// synced records that the partition starting at lo was found in step
// with a peer now.
func (c *Coordinator) synced(lo uint64) {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	if c.lastSync == nil {
		c.lastSync = map[uint64]int64{}
	}
	c.lastSync[lo] = c.cfg.Now()
}

// OldestSync returns, over this node's partitions with another replica,
// the time (Unix ms) of the least recent completed exchange, 0 if some
// partition was never exchanged; and how many partitions that covers.
func (c *Coordinator) OldestSync() (oldest int64, partitions int) {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	oldest = math.MaxInt64
	for _, sp := range c.spans() {
		if len(sp.replicas) < 2 {
			continue
		}
		partitions++
		oldest = min(oldest, c.lastSync[sp.lo])
	}
	if partitions == 0 {
		return 0, 0
	}
	return oldest, partitions
}

// aaeLoop runs SyncOnce every AAE.Interval.
func (c *Coordinator) aaeLoop() {
	c.every(c.cfg.AAE.Interval, nil, func(ctx context.Context) {
		start := time.Now()
		n, err := c.SyncOnce(ctx)
		switch {
		case err != nil && !errors.Is(err, ErrClosed) && !errors.Is(err, context.Canceled):
			c.log.Debug().Err(err).Msg("anti-entropy round incomplete; retrying next interval")
		case n > 0:
			c.log.Info().Int("keys_repaired", n).Dur("took", time.Since(start)).Msg("anti-entropy repaired replicas")
		}
	})
}

func keySet(kds []merkle.KeyDigest) map[string]bool {
	m := make(map[string]bool, len(kds))
	for _, kd := range kds {
		m[string(kd.Key)] = true
	}
	return m
}
