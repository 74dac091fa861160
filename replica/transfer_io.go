package replica

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/version"
)

// Peer methods of partition handoff.
const (
	// MethodTransferPage: body lo, hi, afterHash (8 bytes each), uvarint
	// len afterKey, afterKey (empty: from lo), uvarint max bytes; reply:
	// entries (hash, uvarint len key, key, uvarint len set, set), then 0
	// (done) or 1 (more).
	MethodTransferPage uint8 = 15
	// MethodGetDirect is MethodGet that never reads through: a node
	// reading through asks its source with it, so two nodes each
	// receiving from the other cannot ask each other in circles.
	MethodGetDirect uint8 = 16
)

// receive streams partition in.Partition from a source, then syncs it
// with the other previous holders that are up, then marks it complete.
func (c *Coordinator) receive(ctx context.Context, r *ring.Ring, in *inbound) error {
	h := &c.handoff
	defer func() {
		h.mu.Lock()
		delete(h.active, in.Partition)
		h.mu.Unlock()
		c.handoff.rateBps.Store(0)
	}()
	lo, hi := r.Range(in.Partition)
	now := c.cfg.Now()
	h.mu.Lock()
	if in.Started == 0 {
		in.Started = now
	}
	h.mu.Unlock()
	if !in.Streamed {
		src := c.sourceUp(r, in)
		if src == "" {
			return errors.New("no source is up")
		}
		h.mu.Lock()
		if src != in.Source {
			in.Source = src
		}
		h.mu.Unlock()
		if err := c.stream(ctx, lo, hi, in); err != nil {
			return fmt.Errorf("stream from %s: %w", in.Source, err)
		}
	}
	// Merkle exchanges with the other previous holders catch what the
	// source lacked (a write it missed): their cost follows the difference.
	if c.store.TreeReady() {
		for _, s := range in.Sources {
			if s == in.Source || s == c.cfg.Node || !c.cfg.Up(s) {
				continue
			}
			if _, err := c.syncPartition(ctx, s, byte(c.store.TreeBits()), span{lo: lo, hi: hi}, syncPull); err != nil {
				c.log.Debug().Err(err).Str("peer", s).Int("partition", in.Partition).
					Msg("sync with a previous holder failed; anti-entropy will repair")
			}
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.in[in.Partition] != in {
		return nil // cancelled by a replan meanwhile
	}
	delete(h.in, in.Partition)
	c.deleteInbound(in.Partition)
	c.stats.TransfersPending.Store(int64(len(h.in)))
	c.stats.TransfersDone.Add(1)
	t := c.transferInfo(in, "done")
	t.UpdatedMs = c.cfg.Now()
	h.done = append(h.done, t)
	if len(h.done) > doneKept {
		h.done = slices.Delete(h.done, 0, len(h.done)-doneKept)
	}
	h.view.Store(nil)
	if len(h.in) == 0 {
		c.log.Info().Int("done", int(c.stats.TransfersDone.Load())).Msg("partition transfers complete")
	}
	return nil
}

// stream pages through the source's records of [lo, hi] from the
// cursor, merging each into the local store, saving the cursor after
// every page, paced to the configured rate.
func (c *Coordinator) stream(ctx context.Context, lo, hi uint64, in *inbound) error {
	h := &c.handoff
	start, sent := time.Now(), int64(0)
	// The next page is fetched while this one is merged: one page in
	// flight, so the source's read and the wire overlap the local write.
	pages := make(chan fetchedPage, 1)
	fetch := func(afterHash uint64, afterKey []byte) {
		pages <- c.fetchPage(ctx, in.Source, lo, hi, afterHash, afterKey)
	}
	go fetch(in.AfterHash, in.AfterKey)
	for {
		pg := <-pages
		if pg.err != nil {
			return pg.err
		}
		entries, more := pg.entries, pg.more
		if n := len(entries); more && n > 0 {
			go fetch(entries[n-1].hash, entries[n-1].key)
		} else if more {
			return errors.New("replica: empty transfer page with more to come")
		}
		keys, sets := make([][]byte, len(entries)), make([]version.Set, len(entries))
		for i, e := range entries {
			keys[i], sets[i] = e.key, e.set
		}
		if err := c.waitBacklog(ctx); err != nil {
			return err
		}
		if err := c.store.MergeBatch(keys, sets); err != nil {
			return fmt.Errorf("merge a received page of %d records: %w", len(entries), err)
		}
		h.mu.Lock()
		if n := len(entries); n > 0 {
			in.AfterHash, in.AfterKey = entries[n-1].hash, entries[n-1].key
		}
		in.Keys += int64(len(entries))
		in.Bytes += int64(pg.size)
		in.Updated = c.cfg.Now()
		in.Streamed = !more
		c.noteInbound(in)
		h.mu.Unlock()
		c.stats.TransferKeys.Add(int64(len(entries)))
		c.stats.TransferBytes.Add(int64(pg.size))
		sent += int64(pg.size)
		if el := time.Since(start); el > 0 {
			c.handoff.rateBps.Store(int64(float64(sent) / el.Seconds()))
		}
		// Every page is paced, the last of a partition too: most
		// partitions are one page.
		if rate := c.cfg.Handoff.Rate; rate > 0 {
			due := c.handoff.pace.after(int64(pg.size), rate)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Until(due)):
			}
		}
		if !more {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// fetchedPage is one transfer page as received.
type fetchedPage struct {
	entries []scanEntry
	more    bool
	size    int // bytes on the wire
	err     error
}

// fetchPage asks source for the records of [lo, hi] after the cursor.
func (c *Coordinator) fetchPage(ctx context.Context, source string, lo, hi, afterHash uint64, afterKey []byte) fetchedPage {
	req := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, lo), hi), afterHash)
	req = binary.AppendUvarint(req, uint64(len(afterKey)))
	req = binary.AppendUvarint(append(req, afterKey...), pageBytes)
	b, err := c.call(ctx, source, MethodTransferPage, req)
	if err != nil {
		return fetchedPage{err: err}
	}
	entries, more, err := decodeTransferPage(b)
	return fetchedPage{entries: entries, more: more, size: len(b), err: err}
}

// serveTransferPage answers MethodTransferPage from the local store.
func (c *Coordinator) serveTransferPage(ctx context.Context, body []byte) ([]byte, error) {
	bad := errors.New("replica: malformed transfer page request")
	if len(body) < 24 {
		return nil, bad
	}
	lo, hi, afterHash := binary.BigEndian.Uint64(body), binary.BigEndian.Uint64(body[8:]), binary.BigEndian.Uint64(body[16:])
	afterKey, rest, ok := cutBytes(body[24:])
	if !ok {
		return nil, bad
	}
	limit, k := binary.Uvarint(rest)
	if k <= 0 || limit == 0 {
		return nil, bad
	}
	var after []byte
	if len(afterKey) > 0 {
		after = afterKey
	}
	var out []byte
	more := false
	err := c.store.RangeFrom(lo, hi, afterHash, after, func(h uint64, key []byte, s version.Set) bool {
		if uint64(len(out)) >= limit {
			more = true
			return false
		}
		out = appendPageEntry(out, h, key, s.AppendBinary(nil))
		return ctx.Err() == nil
	})
	if err != nil {
		return nil, err
	}
	if more {
		return append(out, 1), nil
	}
	return append(out, 0), nil
}

// appendPageEntry appends one record of a transfer page: hash, key, set.
func appendPageEntry(out []byte, h uint64, key, enc []byte) []byte {
	out = binary.BigEndian.AppendUint64(out, h)
	out = binary.AppendUvarint(out, uint64(len(key)))
	out = append(out, key...)
	out = binary.AppendUvarint(out, uint64(len(enc)))
	return append(out, enc...)
}

func decodeTransferPage(b []byte) (entries []scanEntry, more bool, err error) {
	bad := errors.New("replica: malformed transfer page")
	for {
		if len(b) == 1 {
			return entries, b[0] == 1, nil
		}
		if len(b) < 9 {
			return nil, false, bad
		}
		var e scanEntry
		e.hash, b = binary.BigEndian.Uint64(b), b[8:]
		var ok bool
		if e.key, b, ok = cutBytes(b); !ok || len(e.key) == 0 {
			return nil, false, bad
		}
		var enc []byte
		if enc, b, ok = cutBytes(b); !ok {
			return nil, false, bad
		}
		if e.set, err = version.DecodeSet(enc); err != nil {
			return nil, false, err
		}
		entries = append(entries, e)
	}
}

// dropForeign hands off and drops the partitions this node holds records
// of but is not among the N holders of in ring r: once every holder is
// up, each gets what this node holds that it lacks (a Merkle exchange,
// pushed and merged there), then the records are dropped here, each only if unchanged since read
// (a write that lands meanwhile keeps its record for the next pass).
func (c *Coordinator) dropForeign(ctx context.Context, r *ring.Ring) {
	if !c.store.TreeReady() {
		return
	}
	bits := byte(c.store.TreeBits())
	var foreign int64
	// Only partitions this node does not hold are looked at, with one seek
	// per run of them that has records: none at all when it holds every
	// partition (N >= members), where a seek per partition with records
	// cost 4% of a busy node's CPU.
	for p := 0; p < r.Q() && ctx.Err() == nil; {
		list := r.Preference(p, c.cfg.N)
		if slices.Contains(list, c.cfg.Node) {
			p++
			continue
		}
		lo, hi := r.Range(p)
		h, ok, err := c.store.NextRecordHash(lo)
		if err != nil || !ok {
			break
		}
		if q := r.PartitionOf(h); q != p {
			p = q // nothing here: go on where the records are
			continue
		}
		if !c.dropPartition(ctx, p, lo, hi, bits, list) {
			foreign++
		}
		p++
	}
	c.handoff.foreign.Store(foreign)
}

// dropPartition hands partition p off to its holders and drops it here,
// reporting whether no record of it is left.
func (c *Coordinator) dropPartition(ctx context.Context, p int, lo, hi uint64, bits byte, list []string) bool {
	if !c.handOver(ctx, p, lo, hi, bits, list) {
		return false
	}
	n, err := c.dropRange(ctx, lo, hi)
	if err != nil {
		c.log.Warn().Err(err).Int("partition", p).Msg("dropping a handed-off partition failed; retrying later")
		return false
	}
	if has, err := c.store.HasRecords(lo, hi); err != nil || has {
		return false // written meanwhile: the next pass
	}
	c.stats.PartitionsDropped.Add(1)
	c.log.Debug().Int("partition", p).Int("records", n).Strs("holders", list).Msg("partition handed off and dropped")
	return true
}

// handOver pushes partition [lo, hi] to every node of list, reporting
// whether all of them now hold everything this node does.
func (c *Coordinator) handOver(ctx context.Context, p int, lo, hi uint64, bits byte, list []string) bool {
	for _, n := range list {
		if n == c.cfg.Node || !c.cfg.Up(n) || c.cfg.Handoff.Receiving(n) {
			return false
		}
	}
	for _, n := range list {
		req := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64([]byte{bits}, lo), hi)
		b, err := c.call(ctx, n, MethodTreeRoots, req)
		if err != nil || len(b) != 8 {
			return false
		}
		mine, err := c.store.TreeRoot(lo, hi)
		if err != nil {
			return false
		}
		if mine == binary.BigEndian.Uint64(b) {
			continue
		}
		if _, err := c.syncPartition(ctx, n, bits, span{lo: lo, hi: hi}, syncPush); err != nil {
			c.log.Debug().Err(err).Str("peer", n).Int("partition", p).Msg("handing a partition off failed; retrying later")
			return false
		}
	}
	return true
}

// dropRange drops the records of [lo, hi], each if unchanged since read.
func (c *Coordinator) dropRange(ctx context.Context, lo, hi uint64) (int, error) {
	var batch []candidate
	err := c.store.Range(lo, hi, func(_ uint64, key []byte, s version.Set) bool {
		batch = append(batch, candidate{key, s})
		return ctx.Err() == nil
	})
	if err != nil {
		return 0, err
	}
	var n int
	for _, cd := range batch {
		ok, err := c.store.Drop(cd.key, cd.set)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// Received pages wait while the store has backlogWait or more level-0
// tables to compact: LevelDB delays every write at 8 and stops them at
// 12, and a client's write that meets those stalls waits for the
// transfer's pages to be compacted (a 1 GB handoff showed foreground p99
// at 25 ms, SETs at 92 ms). A wait is bounded by backlogWaitMax, so a
// compaction that cannot catch up slows a transfer but never stops it.
const (
	backlogWait    = 6
	backlogPoll    = 10 * time.Millisecond
	backlogWaitMax = 5 * time.Second
)

// waitBacklog waits until the store's compaction backlog is under
// backlogWait, for at most backlogWaitMax.
func (c *Coordinator) waitBacklog(ctx context.Context) error {
	if c.store.WriteBacklog() < backlogWait {
		return nil
	}
	start := time.Now()
	defer func() { c.stats.TransferWaitMs.Add(time.Since(start).Milliseconds()) }()
	t := time.NewTicker(backlogPoll)
	defer t.Stop()
	for time.Since(start) < backlogWaitMax && c.store.WriteBacklog() >= backlogWait {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
