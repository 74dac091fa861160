package command

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// Streams are a collection (collection.go) whose element records are
// tagged by their first byte:
//
//	'e' id            an entry: its field/value pairs (id: streamID.bytes,
//	                  so entries sort by ID)
//	'm'               the stream's facts: last generated ID, entries
//	                  added, largest deleted ID (a register)
//	'n'               the length: a counter (XADD adds 1, XDEL and
//	                  trimming subtract what they removed)
//	'g' group         a consumer group: last delivered ID, entries read
//	'p' len group id  a group's pending entry: consumer, delivery time
//	                  and count (len: uvarint(len(group)))
//	'c' len group con a group's consumer: its seen time
//
// Each record merges by the collection rules: an entry is written once
// and removed by XDEL or trimming (a removal wins over nothing, and an
// entry is never rewritten, so concurrent writers agree on it); the
// registers keep the newest write; the length adds up. In a cluster every
// write of a key runs at its coordinator, so the IDs one stream hands out
// increase as Redis's do; only coordinators on both sides of a partition
// could both hand out one ID, and then the newest entry of that ID wins
// (README: "Streams").
const (
	streamEntryTag    = 'e'
	streamMetaTag     = 'm'
	streamLenTag      = 'n'
	streamGroupTag    = 'g'
	streamPendingTag  = 'p'
	streamConsumerTag = 'c'
)

// streamCommands are the stream commands.
func (d *Dispatcher) streamCommands() []*Command {
	const g = "stream"
	// Atomic: they take the node's gate themselves, and not while they
	// wait (blocking.go), so a blocked reader never holds up EXEC.
	xread := spec("xread", -4, ReadOnly|Atomic|Blocking, 0, 0, 0, g, d.xread)
	xread.Keys = xreadKeys
	xreadgroup := spec("xreadgroup", -7, Write|Atomic|Blocking, 0, 0, 0, g, d.xreadgroup)
	xreadgroup.Keys = xreadKeys
	return []*Command{
		spec("xadd", -5, Write|DenyOOM|Fast, 1, 1, 1, g, d.xadd),
		spec("xlen", 2, ReadOnly|Fast, 1, 1, 1, g, d.xlen),
		spec("xrange", -4, ReadOnly, 1, 1, 1, g, d.xrange),
		spec("xrevrange", -4, ReadOnly, 1, 1, 1, g, d.xrevrange),
		spec("xdel", -3, Write|Fast, 1, 1, 1, g, d.xdel),
		spec("xtrim", -4, Write, 1, 1, 1, g, d.xtrim),
		spec("xsetid", -3, Write|DenyOOM|Fast, 1, 1, 1, g, d.xsetid),
		xread, xreadgroup,
		spec("xack", -4, Write|Fast, 1, 1, 1, g, d.xack),
		d.xgroupCommand(),
		spec("xpending", -3, ReadOnly, 1, 1, 1, g, d.xpending), spec("xclaim", -6, Write|Fast, 1, 1, 1, g, d.xclaim),
		spec("xautoclaim", -6, Write|Fast, 1, 1, 1, g, d.xautoclaim), d.xinfoCommand(),
	}
}

// The stream commands fire their notifications themselves (Session.fire);
// listed here, the ones that may create their key get "new" first.
func init() {
	for _, name := range []string{"xadd", "xdel", "xtrim", "xsetid", "xreadgroup", "xclaim", "xautoclaim",
		"xgroup|create", "xgroup|setid", "xgroup|destroy", "xgroup|createconsumer", "xgroup|delconsumer"} {
		keyEventsOf[name] = func(*Dispatcher, [][]byte, resp.Reply) []keyEvent { return nil }
	}
	creates["xadd"], creates["xgroup-create"] = true, true
}

// xreadKeys are XREAD's and XREADGROUP's keys: the first half of the
// arguments after STREAMS.
func xreadKeys(args [][]byte) [][]byte {
	for i := 1; i < len(args); i++ {
		switch strings.ToLower(string(args[i])) {
		case "streams":
			rest := args[i+1:]
			return rest[:len(rest)/2]
		case "group":
			i += 2
		case "count", "block":
			i++
		}
	}
	return nil
}

// streamMeta is a stream's facts record ('m').
type streamMeta struct {
	last       streamID // the last ID handed out (XADD, XSETID)
	maxDeleted streamID // the largest ID XDEL or trimming removed
	added      uint64   // entries ever added (XSETID may set it)
}

func (m streamMeta) encode() []byte {
	b := []byte{1}
	for _, v := range []uint64{m.last.ms, m.last.seq, m.maxDeleted.ms, m.maxDeleted.seq, m.added} {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

var errCorruptStream = errors.New("command: corrupt stream record")

func decodeStreamMeta(b []byte) (streamMeta, error) {
	if len(b) == 0 || b[0] != 1 {
		return streamMeta{}, errCorruptStream
	}
	b = b[1:]
	var vs [5]uint64
	for i := range vs {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return streamMeta{}, errCorruptStream
		}
		vs[i], b = v, b[n:]
	}
	return streamMeta{last: streamID{vs[0], vs[1]}, maxDeleted: streamID{vs[2], vs[3]}, added: vs[4]}, nil
}

// encodeStreamFields is an entry record's body: its sequence number (the
// entries added before it: which block of stream-node-max-entries it
// falls in, as Redis's radix-tree node, for '~' trimming) and its
// field/value pairs.
func encodeStreamFields(seq uint64, pairs [][]byte) []byte {
	n := 0
	for _, p := range pairs {
		n += len(p) + binary.MaxVarintLen32
	}
	b := make([]byte, 0, n+2*binary.MaxVarintLen64)
	b = binary.AppendUvarint(b, seq)
	b = binary.AppendUvarint(b, uint64(len(pairs)))
	for _, p := range pairs {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

func decodeStreamFields(b []byte) (seq uint64, fields [][]byte, err error) {
	seq, k := binary.Uvarint(b)
	if k <= 0 {
		return 0, nil, errCorruptStream
	}
	b = b[k:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return 0, nil, errCorruptStream
	}
	b = b[k:]
	out := make([][]byte, 0, n)
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return 0, nil, errCorruptStream
		}
		out = append(out, b[k:k+int(l)])
		b = b[k+int(l):]
	}
	return seq, out, nil
}

// strm is one stream command's view of a stream.
type strm struct {
	*coll
	w fieldWriter // set by write
}

// openStream opens key as a stream (openColl).
func (d *Dispatcher) openStream(s *Session, key []byte, mode lockMode) (*strm, error) {
	c, err := d.openColl(s, key, version.KindStream, mode)
	if err != nil {
		return nil, err
	}
	return &strm{coll: c}, nil
}

// write prepares st for element writes: the header write goes with the
// first of them (touchLater).
func (st *strm) write() error {
	if err := st.touchLater(); err != nil {
		return err
	}
	st.w = st.writer()
	return nil
}

func entryMember(id streamID) []byte { return append([]byte{streamEntryTag}, id.bytes()...) }

// plain is a register record's value; ok is false if it is absent.
func plain(live []*version.Sibling) ([]byte, bool) {
	if len(live) == 0 {
		return nil, false
	}
	return crdt.Newest(live).Value, true
}

// meta reads the facts record, its last ID raised to the last entry's
// (records merged from two coordinators may have kept the older facts).
func (st *strm) meta() (streamMeta, error) {
	var m streamMeta
	live, err := st.live([]byte{streamMetaTag})
	if err != nil {
		return m, err
	}
	if b, ok := plain(live); ok {
		if m, err = decodeStreamMeta(b); err != nil {
			return m, err
		}
	}
	last, ok, err := st.edge(true)
	if err == nil && ok && m.last.less(last) {
		m.last = last
	}
	return m, err
}

// setMeta writes the facts record.
func (st *strm) setMeta(m streamMeta) error {
	_, err := st.update([]byte{streamMetaTag}, st.metaWrite(m))
	return err
}

// metaWrite is the facts record's update to m.
func (st *strm) metaWrite(m streamMeta) func([]*version.Sibling) (ElemChange, error) {
	return func([]*version.Sibling) (ElemChange, error) {
		return ElemChange{Op: ElemWrite, Body: m.encode()}, nil
	}
}

// length reads the length counter.
func (st *strm) length() (int64, error) {
	live, err := st.live([]byte{streamLenTag})
	if err != nil || len(live) == 0 {
		return 0, err
	}
	c, err := crdt.ResolveCounter(live, false)
	if err != nil {
		return 0, err
	}
	n, _ := c.Int()
	return max(n, 0), nil
}

// addLength adds delta to the length counter.
func (st *strm) addLength(delta int64) error {
	if delta == 0 {
		return nil
	}
	_, err := st.update([]byte{streamLenTag}, st.lengthDelta(delta))
	return err
}

// lengthDelta is the length counter's update by delta.
func (st *strm) lengthDelta(delta int64) func([]*version.Sibling) (ElemChange, error) {
	return func(live []*version.Sibling) (ElemChange, error) {
		n, err := crdt.Incr(st.w.c.record(live), st.w.now, st.w.actor, delta)
		if err != nil {
			return ElemChange{}, err
		}
		return ElemChange{Op: ElemWrite, Kind: version.KindCounter, Body: n.AppendBinary(nil)}, nil
	}
}

// streamEntry is one entry as a walk hands it over.
type streamEntry struct {
	id     streamID
	seq    uint64 // entries added before it (encodeStreamFields)
	fields [][]byte
}

func (e streamEntry) reply() resp.Reply {
	fs := make([]resp.Reply, len(e.fields))
	for i, f := range e.fields {
		fs[i] = resp.Bulk(f)
	}
	return resp.Array(e.id.reply(), resp.Array(fs...))
}

// entries visits the entries from start to end (inclusive), in ID order
// (reverse: from end down to start), until fn returns false.
func (st *strm) entries(start, end streamID, reverse bool, fn func(e streamEntry) bool) error {
	if end.less(start) {
		return nil
	}
	var ferr error
	visit := func(m []byte, live []*version.Sibling) bool {
		if len(m) != 17 || m[0] != streamEntryTag {
			return false
		}
		id, _ := streamIDFrom(m[1:])
		if id.less(start) || end.less(id) {
			return false
		}
		b, _ := plain(live)
		seq, fields, err := decodeStreamFields(b)
		if err != nil {
			ferr = err
			return false
		}
		return fn(streamEntry{id, seq, fields})
	}
	var err error
	if reverse {
		before := []byte{streamEntryTag + 1}
		if next, ok := end.incr(); ok && end != maxStreamID {
			before = entryMember(next)
		}
		err = st.eachReverse(before, visit)
	} else {
		after := []byte{streamEntryTag}
		if prev, ok := start.decr(); ok {
			after = entryMember(prev)
		}
		err = st.each(after, visit)
	}
	if err == nil {
		err = ferr
	}
	return err
}

// edge is the first (or last) entry's ID; ok is false if there is none.
func (st *strm) edge(last bool) (id streamID, ok bool, err error) {
	err = st.entries(minStreamID, maxStreamID, last, func(e streamEntry) bool {
		id, ok = e.id, true
		return false
	})
	return id, ok, err
}

// removeEntry writes the removal of entry id; ok reports whether it was live.
func (st *strm) removeEntry(id streamID) (ok bool, err error) {
	return st.removeRecord(entryMember(id))
}

// streamTrim is XADD's and XTRIM's trimming (streamAddTrimArgs).
type streamTrim struct {
	strategy int // 0 none, trimMaxLen, trimMinID
	approx   bool
	node     int // '~' removes whole blocks of this many entries
	maxLen   int64
	minID    streamID
	limit    int64 // 0: none
	argIdx   int
}

const (
	trimMaxLen = 1
	trimMinID  = 2
)

// parseStreamAddTrim is streamParseAddOrTrimArgsOrReply: it returns the
// trimming, the NOMKSTREAM flag and, for XADD, the ID argument's position.
func parseStreamAddTrim(args [][]byte, xadd bool, nodeEntries int64) (t streamTrim, noMk bool, idPos int, id streamID, idGiven, seqGiven bool, r resp.Reply) {
	limitGiven := false
	t.node = int(min(nodeEntries, 1<<30))
	i := 2
	for ; i < len(args); i++ {
		more := len(args) - 1 - i
		opt := strings.ToLower(string(args[i]))
		switch {
		case xadd && opt == "*":
			goto done
		case (opt == "maxlen" || opt == "minid") && more > 0:
			if t.strategy != 0 {
				return t, false, 0, id, false, false, resp.Err("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
			}
			t.approx = false
			next := string(args[i+1])
			if more >= 2 && next == "~" {
				t.approx = true
				i++
			} else if more >= 2 && next == "=" {
				i++
			}
			if opt == "maxlen" {
				n, ok := resp.ParseInt(args[i+1])
				if !ok {
					return t, false, 0, id, false, false, errNotInteger
				}
				if n < 0 {
					return t, false, 0, id, false, false, resp.Err("ERR The MAXLEN argument must be >= 0.")
				}
				t.maxLen, t.strategy = n, trimMaxLen
			} else {
				m, ok := parseStreamID(args[i+1], 0, true, nil)
				if !ok {
					return t, false, 0, id, false, false, errInvalidStreamID
				}
				t.minID, t.strategy = m, trimMinID
			}
			i++
			t.argIdx = i
		case opt == "limit" && more > 0:
			n, ok := resp.ParseInt(args[i+1])
			if !ok {
				return t, false, 0, id, false, false, errNotInteger
			}
			if n < 0 {
				return t, false, 0, id, false, false, resp.Err("ERR The LIMIT argument must be >= 0.")
			}
			t.limit, limitGiven = n, true
			i++
		case xadd && opt == "nomkstream":
			noMk = true
		case xadd:
			var ok bool
			if id, ok = parseStreamID(args[i], 0, true, &seqGiven); !ok {
				return t, false, 0, id, false, false, errInvalidStreamID
			}
			idGiven = true
			goto done
		default:
			return t, false, 0, id, false, false, errSyntax
		}
	}
done:
	if t.limit != 0 && t.strategy == 0 {
		return t, false, 0, id, false, false, resp.Err("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
	}
	if !xadd && t.strategy == 0 {
		return t, false, 0, id, false, false, resp.Err("ERR syntax error, XTRIM must be called with a trimming strategy")
	}
	if limitGiven {
		if !t.approx {
			return t, false, 0, id, false, false, resp.Err("ERR syntax error, LIMIT cannot be used without the special ~ option")
		}
	} else if t.approx {
		// Redis caps the work of '~' at 100 nodes' worth.
		t.limit = 100 * nodeEntries
		if t.limit <= 0 {
			t.limit = 10000
		}
		t.limit = min(t.limit, 1000000)
	}
	return t, noMk, i, id, idGiven, seqGiven, resp.Reply{}
}

// streamNodeEntries is stream-node-max-entries' default.
const streamNodeEntries = 100

// trim removes the entries t says, oldest first, and returns how many.
// '~' removes only whole blocks, as Redis removes whole radix-tree nodes:
// the entries whose sequence numbers fall in one stretch of t.node
// (stream-node-max-entries), as they would share a node in Redis. A block
// goes if the stream keeps at least maxlen entries without it (MAXLEN)
// or its last entry is below minid (MINID), while the entries removed
// stay within limit.
func (st *strm) trim(t streamTrim, length int64) (int64, error) {
	var victims, block []streamID
	keep := length
	full := true // the walk reached the end of what it may remove
	node := uint64(0)
	err := st.entries(minStreamID, maxStreamID, false, func(e streamEntry) bool {
		if !t.approx {
			switch {
			case t.strategy == trimMaxLen && keep <= t.maxLen,
				t.strategy == trimMinID && !e.id.less(t.minID):
				return false
			}
			victims = append(victims, e.id)
			keep--
			return true
		}
		n := uint64(0)
		if t.node > 0 {
			n = e.seq / uint64(t.node)
		}
		if len(block) > 0 && n != node {
			if full = st.trimBlock(t, &victims, &block, &keep); !full {
				return false
			}
		}
		node = n
		block = append(block, e.id)
		return true
	})
	if err != nil {
		return 0, err
	}
	if t.approx && full && len(block) > 0 {
		st.trimBlock(t, &victims, &block, &keep)
	}
	var n int64
	for _, id := range victims {
		ok, err := st.removeEntry(id)
		if err != nil {
			return n, err
		}
		if ok {
			n++ // trimming leaves max-deleted-entry-id alone, as Redis's streamTrim
		}
	}
	return n, st.addLength(-n)
}

// trimBlock decides on one '~' block: it joins victims if it may go
// (trim), and reports whether the next block may be looked at.
func (st *strm) trimBlock(t streamTrim, victims, block *[]streamID, keep *int64) bool {
	b := *block
	*block = nil
	switch {
	case t.limit > 0 && int64(len(*victims)+len(b)) > t.limit,
		t.strategy == trimMaxLen && *keep-int64(len(b)) < t.maxLen,
		t.strategy == trimMinID && !b[len(b)-1].less(t.minID):
		return false
	}
	*victims = append(*victims, b...)
	*keep -= int64(len(b))
	return true
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
func (d *Dispatcher) xadd(s *Session, args [][]byte) resp.Reply {
	t, noMk, idPos, want, idGiven, seqGiven, r := parseStreamAddTrim(args, true, d.env.Settings.Int("stream-node-max-entries"))
	if r.Kind != 0 {
		return r
	}
	if idPos >= len(args) { // the options took every argument: no ID (Redis: an arity error)
		return errWrongArgs("xadd")
	}
	fields := args[idPos+1:]
	if len(fields) < 2 || len(fields)%2 != 0 {
		return errWrongArgs("xadd")
	}
	if idGiven && seqGiven && want.isZero() {
		return resp.Err("ERR The ID specified in XADD must be greater than 0-0")
	}
	st, err := d.openStream(s, args[1], lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer st.close()
	if noMk && !st.exists() {
		return resp.Null()
	}
	var m streamMeta
	var length int64
	if st.exists() {
		if m, err = st.meta(); err == nil && t.strategy == trimMaxLen {
			length, err = st.length() // only MAXLEN trimming needs it
		}
		if err != nil {
			return errorReply(err)
		}
	}
	if m.last == maxStreamID {
		return resp.Err("ERR The stream has exhausted the last possible ID, unable to add more items")
	}
	id, ok := nextStreamID(m.last, want, idGiven, seqGiven, d.raw.Now())
	if !ok {
		return resp.Err("ERR The ID specified in XADD is equal or smaller than the target stream top item")
	}
	if err := st.write(); err != nil {
		return errorReply(err)
	}
	// The entry, the length and the facts go with the header as one group
	// write (one round, one batch on each replica).
	body := encodeStreamFields(m.added, fields)
	m.last = id
	m.added++
	length++
	err = st.updateAll([]elemUpdate{
		{entryMember(id), func([]*version.Sibling) (ElemChange, error) {
			return ElemChange{Op: ElemWrite, Body: body}, nil
		}},
		{[]byte{streamLenTag}, st.lengthDelta(1)},
		{[]byte{streamMetaTag}, st.metaWrite(m)},
	})
	if err != nil {
		return errorReply(err)
	}
	if t.strategy != 0 {
		n, err := st.trim(t, length)
		if err != nil {
			return errorReply(err)
		}
		if n > 0 {
			defer s.fire(notifyStream, "xtrim", args[1])
		}
	}
	s.fire(notifyStream, "xadd", args[1])
	d.wakeWaiters(s, args[1])
	return id.reply()
}

// nextStreamID is the ID XADD adds after last (streamAppendItem): want
// if given (its seq too, or the next free one of its ms), else the clock's
// ms or last's next; ok is false if it is not above last.
func nextStreamID(last, want streamID, given, seqGiven bool, now int64) (streamID, bool) {
	if !given {
		ms := uint64(max(now, 0))
		if ms > last.ms {
			return streamID{ms, 0}, true
		}
		return last.incr()
	}
	if !seqGiven {
		switch {
		case want.ms == last.ms:
			if last.seq == maxStreamID.seq {
				return want, false
			}
			return streamID{want.ms, last.seq + 1}, true
		case want.ms < last.ms:
			return want, false
		}
		return streamID{want.ms, 0}, true
	}
	return want, last.less(want)
}

// XLEN key
func (d *Dispatcher) xlen(s *Session, args [][]byte) resp.Reply {
	st, err := d.openStream(s, args[1], lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer st.close()
	if !st.exists() {
		return resp.Int(0)
	}
	n, err := st.length()
	if err != nil {
		return errorReply(err)
	}
	return resp.Int(n)
}

// XRANGE key start end [COUNT count]
func (d *Dispatcher) xrange(s *Session, args [][]byte) resp.Reply {
	return d.xrangeOf(s, args, false)
}

// XREVRANGE key end start [COUNT count]
func (d *Dispatcher) xrevrange(s *Session, args [][]byte) resp.Reply {
	return d.xrangeOf(s, args, true)
}

func (d *Dispatcher) xrangeOf(s *Session, args [][]byte, rev bool) resp.Reply {
	startArg, endArg := args[2], args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, ex, ok := parseIntervalID(startArg, 0)
	if !ok {
		return errInvalidStreamID
	}
	if ex {
		if start, ok = start.incr(); !ok {
			return resp.Err("ERR invalid start ID for the interval")
		}
	}
	end, ex, ok := parseIntervalID(endArg, maxStreamID.seq)
	if !ok {
		return errInvalidStreamID
	}
	if ex {
		if end, ok = end.decr(); !ok {
			return resp.Err("ERR invalid end ID for the interval")
		}
	}
	count := int64(-1)
	for j := 4; j < len(args); j++ {
		if strings.EqualFold(string(args[j]), "count") && j+1 < len(args) {
			n, ok := resp.ParseInt(args[j+1])
			if !ok {
				return errNotInteger
			}
			count = max(n, 0)
			j++
		} else {
			return errSyntax
		}
	}
	st, err := d.openStream(s, args[1], lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer st.close()
	if !st.exists() {
		return resp.Array()
	}
	if count == 0 {
		return resp.NullArray()
	}
	out := []resp.Reply{}
	err = st.entries(start, end, rev, func(e streamEntry) bool {
		out = append(out, e.reply())
		return count < 0 || int64(len(out)) < count
	})
	if err != nil {
		return errorReply(err)
	}
	return resp.Array(out...)
}

// XDEL key id [id ...]
func (d *Dispatcher) xdel(s *Session, args [][]byte) resp.Reply {
	ids, ok := parseStreamIDs(args[2:])
	if !ok {
		return errInvalidStreamID
	}
	st, err := d.openStream(s, args[1], lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer st.close()
	if !st.exists() {
		return resp.Int(0)
	}
	m, err := st.meta()
	if err != nil {
		return errorReply(err)
	}
	if err := st.write(); err != nil {
		return errorReply(err)
	}
	var n int64
	for _, id := range ids {
		ok, err := st.removeEntry(id)
		if err != nil {
			return errorReply(err)
		}
		if ok {
			n++
			if m.maxDeleted.less(id) {
				m.maxDeleted = id
			}
		}
	}
	if n > 0 {
		err := st.addLength(-n)
		if err == nil {
			err = st.setMeta(m)
		}
		if err != nil {
			return errorReply(err)
		}
		s.fire(notifyStream, "xdel", args[1])
	}
	return resp.Int(n)
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
func (d *Dispatcher) xtrim(s *Session, args [][]byte) resp.Reply {
	t, _, _, _, _, _, r := parseStreamAddTrim(args, false, d.env.Settings.Int("stream-node-max-entries"))
	if r.Kind != 0 {
		return r
	}
	st, err := d.openStream(s, args[1], lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer st.close()
	if !st.exists() {
		return resp.Int(0)
	}
	length, err := st.length()
	if err != nil {
		return errorReply(err)
	}
	if err := st.write(); err != nil {
		return errorReply(err)
	}
	n, err := st.trim(t, length) // trimming leaves the facts record alone
	if err != nil {
		return errorReply(err)
	}
	if n > 0 {
		s.fire(notifyStream, "xtrim", args[1])
	}
	return resp.Int(n)
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
func (d *Dispatcher) xsetid(s *Session, args [][]byte) resp.Reply {
	id, ok := parseStreamID(args[2], 0, true, nil)
	if !ok {
		return errInvalidStreamID
	}
	var added int64 = -1
	var maxDel streamID
	maxDelGiven := false
	for i := 3; i < len(args); i++ {
		more := len(args) - 1 - i
		switch opt := strings.ToLower(string(args[i])); {
		case opt == "entriesadded" && more > 0:
			n, ok := resp.ParseInt(args[i+1])
			if !ok {
				return errNotInteger
			}
			if n < 0 {
				return resp.Err("ERR entries_added must be positive")
			}
			added = n
			i++
		case opt == "maxdeletedid" && more > 0:
			if maxDel, ok = parseStreamID(args[i+1], 0, true, nil); !ok {
				return errInvalidStreamID
			}
			if id.less(maxDel) {
				return resp.Err("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
			}
			maxDelGiven = true
			i++
		default:
			return errSyntax
		}
	}
	st, err := d.openStream(s, args[1], lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer st.close()
	if !st.exists() {
		return errNoSuchKey
	}
	m, err := st.meta()
	if err != nil {
		return errorReply(err)
	}
	length, err := st.length()
	if err != nil {
		return errorReply(err)
	}
	if length > 0 {
		last, ok, err := st.edge(true)
		if err != nil {
			return errorReply(err)
		}
		if ok && id.less(last) {
			return resp.Err("ERR The ID specified in XSETID is smaller than the target stream top item")
		}
		if added >= 0 && added < length {
			return resp.Err("ERR The entries_added specified in XSETID is smaller than the target stream length")
		}
	}
	m.last = id
	if added >= 0 {
		m.added = uint64(added)
	}
	if maxDelGiven {
		m.maxDeleted = maxDel
	}
	if err := st.write(); err != nil {
		return errorReply(err)
	}
	// The facts record is written whatever it held: XSETID may lower the
	// last ID below a raised one (meta raises it to the last entry only).
	if err := st.setMeta(m); err != nil {
		return errorReply(err)
	}
	s.fire(notifyStream, "xsetid", args[1])
	return resp.OK()
}

// xreadArgs is XREAD's and XREADGROUP's parsed arguments.
type xreadArgs struct {
	block          time.Duration
	blocking       bool
	count          int64
	keys, ids      [][]byte
	group, cons    []byte
	noack, isGroup bool
}

// parseXread parses args as xreadCommand does, up to the IDs.
func (d *Dispatcher) parseXread(s *Session, args [][]byte, group bool) (xreadArgs, resp.Reply) {
	a := xreadArgs{isGroup: group}
	name := strings.ToUpper(string(args[0]))
	streamsAt := 0
	for i := 1; i < len(args) && streamsAt == 0; i++ {
		more := len(args) - i - 1
		switch opt := strings.ToLower(string(args[i])); {
		case opt == "block" && more > 0:
			if s.scriptCall != nil {
				return a, resp.Errf("ERR %s command is not allowed with BLOCK option from scripts", strings.ToLower(name))
			}
			i++
			ms, ok := resp.ParseInt(args[i])
			if !ok {
				return a, resp.Err("ERR timeout is not an integer or out of range")
			}
			if ms < 0 {
				return a, resp.Err("ERR timeout is negative")
			}
			a.blocking = true
			if ms <= math.MaxInt64/int64(time.Millisecond) {
				a.block = time.Duration(ms) * time.Millisecond
			} // else beyond time.Duration: for ever, as 0

		case opt == "count" && more > 0:
			i++
			n, ok := resp.ParseInt(args[i])
			if !ok {
				return a, errNotInteger
			}
			a.count = max(n, 0)
		case opt == "streams" && more > 0:
			streamsAt = i + 1
			rest := args[streamsAt:]
			if len(rest)%2 != 0 {
				return a, resp.Err("ERR Unbalanced " + map[bool]string{false: "XREAD", true: "XREADGROUP"}[group] +
					" list of streams: for each stream key an ID or '$' must be specified.")
			}
			a.keys, a.ids = rest[:len(rest)/2], rest[len(rest)/2:]
		case opt == "group" && more >= 2:
			if !group {
				return a, resp.Err("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
			}
			a.group, a.cons = args[i+1], args[i+2]
			i += 2
		case opt == "noack":
			if !group {
				return a, resp.Err("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
			}
			a.noack = true
		default:
			return a, errSyntax
		}
	}
	if streamsAt == 0 {
		return a, errSyntax
	}
	if group && a.group == nil {
		return a, resp.Err("ERR Missing GROUP option for XREADGROUP")
	}
	return a, resp.Reply{}
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
func (d *Dispatcher) xread(s *Session, args [][]byte) resp.Reply {
	a, r := d.parseXread(s, args, false)
	if r.Kind != 0 {
		return r
	}
	after := make([]streamID, len(a.keys))
	for i, raw := range a.ids {
		st, err := d.openStream(s, a.keys[i], lockNone)
		if err != nil {
			return errorReply(err)
		}
		switch string(raw) {
		case "$":
			if st.exists() {
				m, err := st.meta()
				if err != nil {
					st.close()
					return errorReply(err)
				}
				after[i] = m.last
			}
		case ">":
			st.close()
			return resp.Err("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
		default:
			id, ok := parseStreamID(raw, 0, true, nil)
			if !ok {
				st.close()
				return errInvalidStreamID
			}
			after[i] = id
		}
		st.close()
	}
	return d.serveStreams(s, a, func(i int, count int64) (resp.Reply, bool, resp.Reply) {
		st, err := d.openStream(s, a.keys[i], lockNone)
		if err != nil {
			// WRONGTYPE answers the first try; a woken reader whose key
			// turned into another type waits on (serveStreams).
			return resp.Reply{}, false, errorReply(err)
		}
		defer st.close()
		var got []resp.Reply
		if start, ok := after[i].incr(); ok && st.exists() && after[i] != maxStreamID {
			err = st.entries(start, maxStreamID, false, func(e streamEntry) bool {
				got = append(got, e.reply())
				return count == 0 || int64(len(got)) < count
			})
		}
		if err != nil {
			return resp.Reply{}, false, errorReply(err)
		}
		return resp.Array(got...), len(got) > 0, resp.Reply{}
	})
}

// serveStreams answers an XREAD or XREADGROUP of a.keys: read(i, count)
// is key i's entries (ok false: none to show, the key is left out; r an
// error that answers). Without BLOCK it tries once; with it, it waits
// (d.block) until a try finds entries. The first try serves what is
// there (COUNT or all), a later one what came since, at most
// XREAD_BLOCKED_DEFAULT_COUNT (1000) without COUNT. A WRONGTYPE error
// answers the first try only.
func (d *Dispatcher) serveStreams(s *Session, a xreadArgs, read func(i int, count int64) (entries resp.Reply, ok bool, r resp.Reply)) resp.Reply {
	try := func(count int64) (resp.Reply, tryOutcome) {
		var out []resp.Reply
		for i, k := range a.keys {
			got, ok, r := read(i, count)
			if r.Kind != 0 {
				return r, outcome(r, true)
			}
			if ok {
				out = append(out, resp.Bulk(k), got)
			}
		}
		if len(out) == 0 {
			return resp.Reply{}, tryNothing
		}
		return streamsReply(s, out), tryAnswered
	}
	if !a.blocking {
		return d.tryOnce(s, func() (resp.Reply, tryOutcome) { return try(a.count) })
	}
	count, first := a.count, true
	return d.block(s, classStream, a.keys, a.block, func([][]byte) (resp.Reply, tryOutcome) {
		if !first && count == 0 {
			count = 1000
		}
		first = false
		return try(count)
	}, resp.NullArray(), resp.NullArray())
}

// tryOnce is a stream read without BLOCK: one try under the node's gate
// (the command is Atomic), null if it found nothing.
func (d *Dispatcher) tryOnce(s *Session, try func() (resp.Reply, tryOutcome)) resp.Reply {
	if !s.inExclusive {
		release, kind, ok := d.gate.shared()
		if !ok {
			return errBusy(kind)
		}
		defer release()
	}
	if r, o := try(); o != tryNothing {
		return r
	}
	return resp.NullArray()
}

// streamsReply is XREAD's reply from key/entries pairs: an array of
// [key, entries] in RESP2, a map in RESP3.
func streamsReply(s *Session, kv []resp.Reply) resp.Reply {
	if s.Proto >= 3 {
		return resp.Map(kv...)
	}
	out := make([]resp.Reply, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, resp.Array(kv[i], kv[i+1]))
	}
	return resp.Array(out...)
}
