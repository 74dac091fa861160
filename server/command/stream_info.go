package command

import (
	"slices"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// Consumer group inspection and ownership (stream.go, stream_group.go):
// XPENDING, XCLAIM, XAUTOCLAIM and XINFO, as Redis 7.0's t_stream.c.

// xinfoCommand is XINFO and its subcommands.
func (d *Dispatcher) xinfoCommand() *Command {
	const g = "stream"
	return container("xinfo", -2, 0, g, nil,
		spec("stream", -3, ReadOnly, 2, 2, 1, "", d.xinfoStream),
		spec("groups", 3, ReadOnly, 2, 2, 1, "", d.xinfoGroups),
		spec("consumers", 4, ReadOnly, 2, 2, 1, "", d.xinfoConsumers),
		keyless("help", 2, Loading|Stale, "", d.xinfoHelp),
	)
}

func (d *Dispatcher) xinfoHelp(_ *Session, _ [][]byte) resp.Reply {
	return help("XINFO",
		"CONSUMERS <key> <groupname>",
		"    Show consumers of <groupname>.",
		"GROUPS <key>",
		"    Show the stream consumer groups.",
		"STREAM <key> [FULL [COUNT <count>]",
		"    Show information about the stream.",
	)
}

// errNoKeyOrGroup is the NOGROUP error of XPENDING, XCLAIM and XAUTOCLAIM.
func errNoKeyOrGroup(key, group []byte) resp.Reply {
	return resp.Errf("NOGROUP No such key '%s' or consumer group '%s'", resp.CString(string(key), len(key)), resp.CString(string(group), len(group)))
}

// openGroup opens key's stream and reads group; r is the NOGROUP (or
// WRONGTYPE) error if either is missing. On an error st is closed.
func (d *Dispatcher) openGroup(s *Session, key, group []byte, mode lockMode) (*strm, streamGroup, resp.Reply) {
	st, err := d.openStream(s, key, mode)
	if err != nil {
		return nil, streamGroup{}, errorReply(err)
	}
	if !st.exists() {
		st.close()
		return nil, streamGroup{}, errNoKeyOrGroup(key, group)
	}
	g, ok, err := st.group(group)
	if err != nil || !ok {
		st.close()
		if err != nil {
			return nil, g, errorReply(err)
		}
		return nil, g, errNoKeyOrGroup(key, group)
	}
	return st, g, resp.Reply{}
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
func (d *Dispatcher) xpending(s *Session, args [][]byte) resp.Reply {
	justInfo := len(args) == 3
	if !justInfo && (len(args) < 6 || len(args) > 9) {
		return errSyntax
	}
	var start, end streamID
	var count, minIdle int64
	var consumer []byte
	if !justInfo {
		at := 3
		if strings.EqualFold(string(args[3]), "idle") {
			n, ok := resp.ParseInt(args[4])
			if !ok {
				return errNotInteger
			}
			minIdle = n
			if len(args) < 8 {
				return errSyntax
			}
			at += 2
		}
		n, ok := resp.ParseInt(args[at+2])
		if !ok {
			return errNotInteger
		}
		count = max(n, 0)
		var ex bool
		if start, ex, ok = parseIntervalID(args[at], 0); !ok {
			return errInvalidStreamID
		}
		if ex {
			if start, ok = start.incr(); !ok {
				return resp.Err("ERR invalid start ID for the interval")
			}
		}
		if end, ex, ok = parseIntervalID(args[at+1], maxStreamID.seq); !ok {
			return errInvalidStreamID
		}
		if ex {
			if end, ok = end.decr(); !ok {
				return resp.Err("ERR invalid end ID for the interval")
			}
		}
		if at+3 < len(args) {
			consumer = args[at+3]
		}
	}
	st, _, r := d.openGroup(s, args[1], args[2], lockNone)
	if r.Kind != 0 {
		return r
	}
	defer st.close()
	group := args[2]
	if justInfo {
		var n int64
		var first, last streamID
		per := map[string]int64{}
		err := st.pending(group, minStreamID, maxStreamID, func(p streamNACK) bool {
			if n == 0 {
				first = p.id
			}
			last = p.id
			n++
			per[string(p.consumer)]++
			return true
		})
		if err != nil {
			return errorReply(err)
		}
		if n == 0 {
			return resp.Array(resp.Int(0), resp.Null(), resp.Null(), resp.NullArray())
		}
		names := make([]string, 0, len(per))
		for c := range per {
			names = append(names, c)
		}
		slices.Sort(names)
		cs := make([]resp.Reply, len(names))
		for i, c := range names {
			cs[i] = resp.Array(resp.BulkString(c), resp.BulkString(strconv.FormatInt(per[c], 10)))
		}
		return resp.Array(resp.Int(n), first.reply(), last.reply(), resp.Array(cs...))
	}
	if consumer != nil {
		if _, ok, err := st.consumer(group, consumer); err != nil || !ok {
			if err != nil {
				return errorReply(err)
			}
			return resp.Array()
		}
	}
	if count == 0 {
		return resp.Array()
	}
	out := []resp.Reply{}
	now := d.raw.Now()
	err := st.pending(group, start, end, func(p streamNACK) bool {
		if consumer != nil && string(p.consumer) != string(consumer) {
			return true
		}
		if minIdle != 0 && now-p.time < minIdle {
			return true
		}
		out = append(out, resp.Array(p.id.reply(), resp.Bulk(p.consumer),
			resp.Int(max(now-p.time, 0)), resp.Int(int64(p.count))))
		return int64(len(out)) < count
	})
	if err != nil {
		return errorReply(err)
	}
	return resp.Array(out...)
}

// claimer is XCLAIM's and XAUTOCLAIM's claiming of pending entries for
// one consumer.
type claimer struct {
	s       *Session
	st      *strm
	key     []byte
	group   []byte
	cons    []byte
	writing bool // st.write called
	touched bool // the consumer's seen time written
}

// begin readies st for writes once.
func (c *claimer) begin() error {
	if c.writing {
		return nil
	}
	c.writing = true
	return c.st.write()
}

// drop removes id, whose entry is gone, from the PEL.
func (c *claimer) drop(id streamID) error {
	if err := c.begin(); err != nil {
		return err
	}
	_, err := c.st.removeRecord(pendingMember(c.group, id))
	return err
}

// claim gives p to the consumer: on the first claim it refreshes the
// consumer's seen time, or creates it (notifying xgroup-createconsumer,
// as Redis's streamCreateConsumer).
func (c *claimer) claim(p streamNACK) error {
	if err := c.begin(); err != nil {
		return err
	}
	if !c.touched {
		created, err := c.st.touchConsumer(c.group, c.cons)
		if err != nil {
			return err
		}
		if created {
			c.s.fire(notifyStream, "xgroup-createconsumer", c.key)
		}
		c.touched = true
	}
	p.consumer = c.cons
	return c.st.setNACK(c.group, p)
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
func (d *Dispatcher) xclaim(s *Session, args [][]byte) resp.Reply {
	st, g, r := d.openGroup(s, args[1], args[2], lockExclusive)
	if r.Kind != 0 {
		return r
	}
	defer st.close()
	minIdle, ok := resp.ParseInt(args[4])
	if !ok {
		return resp.Err("ERR Invalid min-idle-time argument for XCLAIM")
	}
	minIdle = max(minIdle, 0)
	// The IDs run up to the first argument that is not one; the options
	// follow.
	j := 5
	var ids []streamID
	for ; j < len(args); j++ {
		id, ok := parseStreamID(args[j], 0, true, nil)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	now := d.raw.Now()
	var lastID streamID
	retry, delivery := int64(-1), int64(-1)
	force, justID := false, false
	for ; j < len(args); j++ {
		more := len(args) - 1 - j
		switch opt := strings.ToLower(string(args[j])); {
		case opt == "force":
			force = true
		case opt == "justid":
			justID = true
		case opt == "idle" && more > 0:
			j++
			n, ok := resp.ParseInt(args[j])
			if !ok {
				return resp.Err("ERR Invalid IDLE option argument for XCLAIM")
			}
			delivery = now - n
		case opt == "time" && more > 0:
			j++
			n, ok := resp.ParseInt(args[j])
			if !ok {
				return resp.Err("ERR Invalid TIME option argument for XCLAIM")
			}
			delivery = n
		case opt == "retrycount" && more > 0:
			j++
			n, ok := resp.ParseInt(args[j])
			if !ok {
				return resp.Err("ERR Invalid RETRYCOUNT option argument for XCLAIM")
			}
			retry = n
		case opt == "lastid" && more > 0:
			j++
			if lastID, ok = parseStreamID(args[j], 0, true, nil); !ok {
				return errInvalidStreamID
			}
		default:
			return resp.Errf("ERR Unrecognized XCLAIM option '%s'", resp.CString(string(args[j]), len(args[j])))
		}
	}
	c := &claimer{s: s, st: st, key: args[1], group: args[2], cons: args[3]}
	if g.last.less(lastID) {
		g.last = lastID
		if err := c.begin(); err != nil {
			return errorReply(err)
		}
		if err := st.setGroup(g); err != nil {
			return errorReply(err)
		}
	}
	// A delivery time given (IDLE, TIME) but bogus is now, as Redis's.
	if delivery < 0 || delivery > now {
		delivery = now
	}
	out := []resp.Reply{}
	for _, id := range ids {
		p, pending, err := st.nack(c.group, id)
		if err != nil {
			return errorReply(err)
		}
		e, exists, err := st.entry(id)
		if err != nil {
			return errorReply(err)
		}
		if !exists {
			// Redis 7.0 drops a deleted entry from the PEL and leaves it
			// out of the reply.
			if pending {
				if err := c.drop(id); err != nil {
					return errorReply(err)
				}
			}
			continue
		}
		forced := false
		if !pending {
			if !force {
				continue
			}
			// FORCE makes the NACK as streamCreateNACK: delivered now,
			// once (then counted up below unless JUSTID).
			p, forced = streamNACK{id: id, time: now, count: 1}, true
		}
		if !forced && minIdle != 0 && now-p.time < minIdle {
			continue
		}
		p.time = delivery
		if retry >= 0 {
			p.count = uint64(retry)
		} else if !justID {
			p.count++
		}
		if err := c.claim(p); err != nil {
			return errorReply(err)
		}
		if justID {
			out = append(out, id.reply())
		} else {
			out = append(out, e.reply())
		}
	}
	return resp.Array(out...)
}

// xautoclaimMaxCount is XAUTOCLAIM's largest COUNT: LONG_MAX /
// max(sizeof(streamID), attempts factor).
const xautoclaimMaxCount = (1<<63 - 1) / 16

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func (d *Dispatcher) xautoclaim(s *Session, args [][]byte) resp.Reply {
	minIdle, ok := resp.ParseInt(args[4])
	if !ok {
		return resp.Err("ERR Invalid min-idle-time argument for XAUTOCLAIM")
	}
	minIdle = max(minIdle, 0)
	start, ex, ok := parseIntervalID(args[5], 0)
	if !ok {
		return errInvalidStreamID
	}
	if ex {
		if start, ok = start.incr(); !ok {
			return resp.Err("ERR invalid start ID for the interval")
		}
	}
	count := int64(100)
	justID := false
	for j := 6; j < len(args); j++ {
		more := len(args) - 1 - j
		switch opt := strings.ToLower(string(args[j])); {
		case opt == "count" && more > 0:
			n, ok := resp.ParseInt(args[j+1])
			if !ok || n < 1 || n > xautoclaimMaxCount {
				return resp.Err("ERR COUNT must be > 0")
			}
			count = n
			j++
		case opt == "justid":
			justID = true
		default:
			return errSyntax
		}
	}
	st, _, r := d.openGroup(s, args[1], args[2], lockExclusive)
	if r.Kind != 0 {
		return r
	}
	defer st.close()
	c := &claimer{s: s, st: st, key: args[1], group: args[2], cons: args[3]}
	attempts := count * 10
	now := d.raw.Now()
	out, deleted := []resp.Reply{}, []resp.Reply{}
	var cursor streamID // 0-0: the PEL ended
	// The PEL is read in batches, each handled after it is read (claims
	// write the records a walk would be visiting).
	const batch = 128
	next := start
scan:
	for {
		var ps []streamNACK
		if err := st.pending(c.group, next, maxStreamID, func(p streamNACK) bool {
			ps = append(ps, p)
			return len(ps) < batch
		}); err != nil {
			return errorReply(err)
		}
		for _, p := range ps {
			if attempts == 0 || count == 0 {
				cursor = p.id // the next XAUTOCLAIM's start
				break scan
			}
			attempts--
			e, exists, err := st.entry(p.id)
			if err != nil {
				return errorReply(err)
			}
			if !exists {
				if err := c.drop(p.id); err != nil {
					return errorReply(err)
				}
				deleted = append(deleted, p.id.reply())
				count--
				continue
			}
			if minIdle != 0 && now-p.time < minIdle {
				continue
			}
			p.time = now
			if !justID {
				p.count++
			}
			if err := c.claim(p); err != nil {
				return errorReply(err)
			}
			if justID {
				out = append(out, p.id.reply())
			} else {
				out = append(out, e.reply())
			}
			count--
		}
		if len(ps) < batch {
			break
		}
		if next, ok = ps[len(ps)-1].id.incr(); !ok || ps[len(ps)-1].id == maxStreamID {
			break
		}
	}
	return resp.Array(cursor.reply(), resp.Array(out...), resp.Array(deleted...))
}

// infoFacts reads what XINFO and the lag need of st's stream.
func (st *strm) infoFacts() (streamFacts, error) {
	var f streamFacts
	var err error
	if f.meta, err = st.meta(); err != nil {
		return f, err
	}
	if f.length, err = st.length(); err != nil {
		return f, err
	}
	f.first, _, err = st.edge(false)
	return f, err
}

// streamCGLag is streamReplyWithCGLag: the entries not yet delivered to
// g, nil when tombstones make it unknowable.
func streamCGLag(f streamFacts, g streamGroup) resp.Reply {
	added := int64(f.meta.added)
	switch {
	case added == 0:
		return resp.Int(0)
	case g.entriesRead != -1 && !f.hasTombstones(g.last, maxStreamID):
		return resp.Int(added - g.entriesRead)
	}
	if read := f.distanceFromFirst(g.last); read != -1 {
		return resp.Int(added - read)
	}
	return resp.Null()
}

// entriesRead is a group's entries-read field: nil when unknown.
func entriesRead(g streamGroup) resp.Reply {
	if g.entriesRead == -1 {
		return resp.Null()
	}
	return resp.Int(g.entriesRead)
}

// streamRadixTree estimates the radix-tree-keys and radix-tree-nodes
// XINFO STREAM reports. Redis counts its rax of listpack nodes; ringkv
// keeps no such tree, so the figures are those of Redis's tree for a
// stream of length entries added in one millisecond with the default
// stream-node-max-entries (100): one key per full or partial node, and
// as measured on Redis 7.0 a tree of 0 keys has 1 node, of 1 key 2, of
// k keys 2k+2. They depend on the length alone, so a copy reports what
// its source does.
func streamRadixTree(length int64) (keys, nodes int64) {
	keys = (length + streamNodeEntries - 1) / streamNodeEntries
	switch keys {
	case 0:
		return 0, 1
	case 1:
		return 1, 2
	}
	return keys, 2*keys + 2
}

// groupPEL reads a group's whole PEL in ID order.
func (st *strm) groupPEL(group []byte) ([]streamNACK, error) {
	var ps []streamNACK
	err := st.pending(group, minStreamID, maxStreamID, func(p streamNACK) bool {
		ps = append(ps, p)
		return true
	})
	return ps, err
}

// groupConsumers reads a group's consumers in name order.
func (st *strm) groupConsumers(group []byte) ([]streamConsumer, error) {
	var cs []streamConsumer
	err := st.consumers(group, func(c streamConsumer) bool {
		cs = append(cs, c)
		return true
	})
	return cs, err
}

// allGroups reads the stream's groups in name order.
func (st *strm) allGroups() ([]streamGroup, error) {
	var gs []streamGroup
	err := st.groups(func(g streamGroup) bool {
		gs = append(gs, g)
		return true
	})
	return gs, err
}

// openInfo opens XINFO's key: "no such key" if it is missing.
func (d *Dispatcher) openInfo(s *Session, key []byte) (*strm, resp.Reply) {
	st, err := d.openStream(s, key, lockNone)
	if err != nil {
		return nil, errorReply(err)
	}
	if !st.exists() {
		st.close()
		return nil, errNoSuchKey
	}
	return st, resp.Reply{}
}

// errXinfoSyntax is addReplySubcommandSyntaxError for XINFO.
func errXinfoSyntax(sub []byte) resp.Reply {
	return resp.ErrSubcommandSyntax("xinfo", string(sub))
}

// XINFO STREAM key [FULL [COUNT count]]
func (d *Dispatcher) xinfoStream(s *Session, args [][]byte) resp.Reply {
	st, r := d.openInfo(s, args[2])
	if r.Kind != 0 {
		return r
	}
	defer st.close()
	full, count := false, int64(10)
	if opts := args[3:]; len(opts) > 0 {
		if len(opts) != 1 && len(opts) != 3 || !strings.EqualFold(string(opts[0]), "full") {
			return errXinfoSyntax(args[1])
		}
		full = true
		if len(opts) == 3 {
			if !strings.EqualFold(string(opts[1]), "count") {
				return errXinfoSyntax(args[1])
			}
			n, ok := resp.ParseInt(opts[2])
			if !ok {
				return errNotInteger
			}
			if count = n; count < 0 {
				count = 10
			}
		}
	}
	f, err := st.infoFacts()
	if err != nil {
		return errorReply(err)
	}
	gs, err := st.allGroups()
	if err != nil {
		return errorReply(err)
	}
	keys, nodes := streamRadixTree(f.length)
	kv := []resp.Reply{
		resp.BulkString("length"), resp.Int(f.length),
		resp.BulkString("radix-tree-keys"), resp.Int(keys),
		resp.BulkString("radix-tree-nodes"), resp.Int(nodes),
		resp.BulkString("last-generated-id"), f.meta.last.reply(),
		resp.BulkString("max-deleted-entry-id"), f.meta.maxDeleted.reply(),
		resp.BulkString("entries-added"), resp.Int(int64(f.meta.added)),
		resp.BulkString("recorded-first-entry-id"), f.first.reply(),
	}
	if !full {
		edge := func(last bool) resp.Reply {
			r := resp.Null()
			if ferr := st.entries(minStreamID, maxStreamID, last, func(e streamEntry) bool {
				r = e.reply()
				return false
			}); ferr != nil {
				err = ferr
			}
			return r
		}
		first, last := edge(false), edge(true)
		if err != nil {
			return errorReply(err)
		}
		kv = append(kv,
			resp.BulkString("groups"), resp.Int(int64(len(gs))),
			resp.BulkString("first-entry"), first,
			resp.BulkString("last-entry"), last)
		return resp.Map(kv...)
	}
	entries := []resp.Reply{}
	if err := st.entries(minStreamID, maxStreamID, false, func(e streamEntry) bool {
		entries = append(entries, e.reply())
		return count == 0 || int64(len(entries)) < count
	}); err != nil {
		return errorReply(err)
	}
	under := func(n int) bool { return count == 0 || int64(n) < count }
	groups := make([]resp.Reply, 0, len(gs))
	for _, g := range gs {
		pel, err := st.groupPEL(g.name)
		if err != nil {
			return errorReply(err)
		}
		cs, err := st.groupConsumers(g.name)
		if err != nil {
			return errorReply(err)
		}
		pending := []resp.Reply{}
		for _, p := range pel {
			if !under(len(pending)) {
				break
			}
			pending = append(pending, resp.Array(p.id.reply(), resp.Bulk(p.consumer),
				resp.Int(p.time), resp.Int(int64(p.count))))
		}
		consumers := make([]resp.Reply, 0, len(cs))
		for _, c := range cs {
			var n int64
			cp := []resp.Reply{}
			for _, p := range pel {
				if string(p.consumer) != string(c.name) {
					continue
				}
				n++
				if under(len(cp)) {
					cp = append(cp, resp.Array(p.id.reply(), resp.Int(p.time), resp.Int(int64(p.count))))
				}
			}
			consumers = append(consumers, resp.Map(
				resp.BulkString("name"), resp.Bulk(c.name),
				resp.BulkString("seen-time"), resp.Int(c.seen),
				resp.BulkString("pel-count"), resp.Int(n),
				resp.BulkString("pending"), resp.Array(cp...)))
		}
		groups = append(groups, resp.Map(
			resp.BulkString("name"), resp.Bulk(g.name),
			resp.BulkString("last-delivered-id"), g.last.reply(),
			resp.BulkString("entries-read"), entriesRead(g),
			resp.BulkString("lag"), streamCGLag(f, g),
			resp.BulkString("pel-count"), resp.Int(int64(len(pel))),
			resp.BulkString("pending"), resp.Array(pending...),
			resp.BulkString("consumers"), resp.Array(consumers...)))
	}
	kv = append(kv,
		resp.BulkString("entries"), resp.Array(entries...),
		resp.BulkString("groups"), resp.Array(groups...))
	return resp.Map(kv...)
}

// XINFO GROUPS key
func (d *Dispatcher) xinfoGroups(s *Session, args [][]byte) resp.Reply {
	st, r := d.openInfo(s, args[2])
	if r.Kind != 0 {
		return r
	}
	defer st.close()
	f, err := st.infoFacts()
	if err != nil {
		return errorReply(err)
	}
	gs, err := st.allGroups()
	if err != nil {
		return errorReply(err)
	}
	out := make([]resp.Reply, 0, len(gs))
	for _, g := range gs {
		var consumers, pending int64
		if err := st.consumers(g.name, func(streamConsumer) bool { consumers++; return true }); err != nil {
			return errorReply(err)
		}
		if err := st.pending(g.name, minStreamID, maxStreamID, func(streamNACK) bool { pending++; return true }); err != nil {
			return errorReply(err)
		}
		out = append(out, resp.Map(
			resp.BulkString("name"), resp.Bulk(g.name),
			resp.BulkString("consumers"), resp.Int(consumers),
			resp.BulkString("pending"), resp.Int(pending),
			resp.BulkString("last-delivered-id"), g.last.reply(),
			resp.BulkString("entries-read"), entriesRead(g),
			resp.BulkString("lag"), streamCGLag(f, g)))
	}
	return resp.Array(out...)
}

// XINFO CONSUMERS key group
func (d *Dispatcher) xinfoConsumers(s *Session, args [][]byte) resp.Reply {
	key, group := args[2], args[3]
	st, r := d.openInfo(s, key)
	if r.Kind != 0 {
		return r
	}
	defer st.close()
	if _, ok, err := st.group(group); err != nil || !ok {
		if err != nil {
			return errorReply(err)
		}
		return errNoGroup(key, group)
	}
	cs, err := st.groupConsumers(group)
	if err != nil {
		return errorReply(err)
	}
	per := map[string]int64{}
	if err := st.pending(group, minStreamID, maxStreamID, func(p streamNACK) bool {
		per[string(p.consumer)]++
		return true
	}); err != nil {
		return errorReply(err)
	}
	now := d.raw.Now()
	out := make([]resp.Reply, 0, len(cs))
	for _, c := range cs {
		out = append(out, resp.Map(
			resp.BulkString("name"), resp.Bulk(c.name),
			resp.BulkString("pending"), resp.Int(per[string(c.name)]),
			resp.BulkString("idle"), resp.Int(max(now-c.seen, 0))))
	}
	return resp.Array(out...)
}
