package command

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// Consumer groups (stream.go's 'g', 'p' and 'c' records): XGROUP,
// XREADGROUP, XACK here; XPENDING, XCLAIM, XAUTOCLAIM and XINFO in
// stream_info.go.

// streamGroup is a consumer group's record.
type streamGroup struct {
	name        []byte
	last        streamID // last delivered ID
	entriesRead int64    // -1: unknown (SCG_INVALID_ENTRIES_READ)
}

func (g streamGroup) encode() []byte {
	b := []byte{1}
	b = binary.AppendUvarint(b, g.last.ms)
	b = binary.AppendUvarint(b, g.last.seq)
	return binary.AppendVarint(b, g.entriesRead)
}

func decodeStreamGroup(name, b []byte) (streamGroup, error) {
	g := streamGroup{name: name}
	if len(b) == 0 || b[0] != 1 {
		return g, errCorruptStream
	}
	b = b[1:]
	var n int
	if g.last.ms, n = binary.Uvarint(b); n <= 0 {
		return g, errCorruptStream
	}
	b = b[n:]
	if g.last.seq, n = binary.Uvarint(b); n <= 0 {
		return g, errCorruptStream
	}
	b = b[n:]
	if g.entriesRead, n = binary.Varint(b); n <= 0 {
		return g, errCorruptStream
	}
	return g, nil
}

// streamNACK is a pending entry's record: delivered to consumer, not yet
// acknowledged.
type streamNACK struct {
	id       streamID
	consumer []byte
	time     int64  // last delivery, Unix ms
	count    uint64 // deliveries
}

func (p streamNACK) encode() []byte {
	b := []byte{1}
	b = binary.AppendVarint(b, p.time)
	b = binary.AppendUvarint(b, p.count)
	return append(b, p.consumer...)
}

func decodeStreamNACK(id streamID, b []byte) (streamNACK, error) {
	p := streamNACK{id: id}
	if len(b) == 0 || b[0] != 1 {
		return p, errCorruptStream
	}
	b = b[1:]
	var n int
	if p.time, n = binary.Varint(b); n <= 0 {
		return p, errCorruptStream
	}
	b = b[n:]
	if p.count, n = binary.Uvarint(b); n <= 0 {
		return p, errCorruptStream
	}
	p.consumer = b[n:]
	return p, nil
}

// streamConsumer is a consumer's record.
type streamConsumer struct {
	name []byte
	seen int64 // last seen, Unix ms
}

func groupMember(group []byte) []byte { return append([]byte{streamGroupTag}, group...) }

// groupScoped is the prefix of a group's pending ('p') or consumer ('c') records.
func groupScoped(tag byte, group []byte) []byte {
	b := binary.AppendUvarint([]byte{tag}, uint64(len(group)))
	return append(b, group...)
}

func pendingMember(group []byte, id streamID) []byte {
	return append(groupScoped(streamPendingTag, group), id.bytes()...)
}

func consumerMember(group, consumer []byte) []byte {
	return append(groupScoped(streamConsumerTag, group), consumer...)
}

// group reads a consumer group; ok is false if there is none.
func (st *strm) group(name []byte) (g streamGroup, ok bool, err error) {
	live, err := st.live(groupMember(name))
	if err != nil {
		return g, false, err
	}
	b, ok := plain(live)
	if !ok {
		return g, false, nil
	}
	g, err = decodeStreamGroup(clone(name), b)
	return g, err == nil, err
}

// groups visits the consumer groups in name order.
func (st *strm) groups(fn func(g streamGroup) bool) error {
	var ferr error
	err := st.each([]byte{streamGroupTag}, func(m []byte, live []*version.Sibling) bool {
		if len(m) == 0 || m[0] != streamGroupTag {
			return false
		}
		b, _ := plain(live)
		g, err := decodeStreamGroup(clone(m[1:]), b)
		if err != nil {
			ferr = err
			return false
		}
		return fn(g)
	})
	if err == nil {
		err = ferr
	}
	return err
}

// setGroup writes a consumer group's record.
func (st *strm) setGroup(g streamGroup) error {
	body := g.encode()
	_, err := st.update(groupMember(g.name), func([]*version.Sibling) (ElemChange, error) {
		return ElemChange{Op: ElemWrite, Body: body}, nil
	})
	return err
}

// removeRecord removes the record member; ok reports whether it was live.
func (st *strm) removeRecord(member []byte) (bool, error) {
	ch, err := st.update(member, func(live []*version.Sibling) (ElemChange, error) {
		if len(live) == 0 {
			return ElemChange{}, nil
		}
		return ElemChange{Op: ElemRemove}, nil
	})
	return ch.Op == ElemRemove, err
}

// pending visits group's pending entries from start to end (inclusive)
// in ID order, until fn returns false.
func (st *strm) pending(group []byte, start, end streamID, fn func(p streamNACK) bool) error {
	prefix := groupScoped(streamPendingTag, group)
	after := prefix
	if prev, ok := start.decr(); ok {
		after = append(clone(prefix), prev.bytes()...)
	}
	var ferr error
	err := st.each(after, func(m []byte, live []*version.Sibling) bool {
		if len(m) != len(prefix)+16 || string(m[:len(prefix)]) != string(prefix) {
			return false
		}
		id, _ := streamIDFrom(m[len(prefix):])
		if end.less(id) {
			return false
		}
		b, _ := plain(live)
		p, err := decodeStreamNACK(id, clone(b))
		if err != nil {
			ferr = err
			return false
		}
		return fn(p)
	})
	if err == nil {
		err = ferr
	}
	return err
}

// nack reads one pending entry; ok is false if it is not pending.
func (st *strm) nack(group []byte, id streamID) (p streamNACK, ok bool, err error) {
	live, err := st.live(pendingMember(group, id))
	if err != nil {
		return p, false, err
	}
	b, ok := plain(live)
	if !ok {
		return p, false, nil
	}
	p, err = decodeStreamNACK(id, clone(b))
	return p, err == nil, err
}

// setNACK writes a pending entry.
func (st *strm) setNACK(group []byte, p streamNACK) error {
	body := p.encode()
	_, err := st.update(pendingMember(group, p.id), func([]*version.Sibling) (ElemChange, error) {
		return ElemChange{Op: ElemWrite, Body: body}, nil
	})
	return err
}

// consumers visits group's consumers in name order.
func (st *strm) consumers(group []byte, fn func(c streamConsumer) bool) error {
	prefix := groupScoped(streamConsumerTag, group)
	var ferr error
	err := st.each(prefix, func(m []byte, live []*version.Sibling) bool {
		if len(m) <= len(prefix) || string(m[:len(prefix)]) != string(prefix) {
			return false
		}
		b, _ := plain(live)
		seen, n := binary.Varint(b)
		if n <= 0 {
			ferr = errCorruptStream
			return false
		}
		return fn(streamConsumer{name: clone(m[len(prefix):]), seen: seen})
	})
	if err == nil {
		err = ferr
	}
	return err
}

// consumer reads one consumer; ok is false if the group has none of name.
func (st *strm) consumer(group, name []byte) (c streamConsumer, ok bool, err error) {
	live, err := st.live(consumerMember(group, name))
	if err != nil {
		return c, false, err
	}
	b, ok := plain(live)
	if !ok {
		return c, false, nil
	}
	seen, n := binary.Varint(b)
	if n <= 0 {
		return c, false, errCorruptStream
	}
	return streamConsumer{name: clone(name), seen: seen}, true, nil
}

// touchConsumer writes consumer's seen time (now), creating it; created
// reports whether it was new.
func (st *strm) touchConsumer(group, name []byte) (created bool, err error) {
	body := binary.AppendVarint(nil, st.w.now)
	_, err = st.update(consumerMember(group, name), func(live []*version.Sibling) (ElemChange, error) {
		created = len(live) == 0
		return ElemChange{Op: ElemWrite, Body: body}, nil
	})
	return created, err
}

// entry reads one entry; ok is false if it is absent (deleted).
func (st *strm) entry(id streamID) (e streamEntry, ok bool, err error) {
	live, err := st.live(entryMember(id))
	if err != nil {
		return e, false, err
	}
	b, ok := plain(live)
	if !ok {
		return e, false, nil
	}
	seq, fields, err := decodeStreamFields(clone(b))
	return streamEntry{id, seq, fields}, err == nil, err
}

// errNoGroup is the NOGROUP error of a command naming a group key lacks.
func errNoGroup(key, group []byte) resp.Reply {
	return resp.Errf("NOGROUP No such consumer group '%s' for key name '%s'", group, key)
}

func errXgroupSyntax(sub []byte) resp.Reply { return resp.ErrSubcommandSyntax("xgroup", string(sub)) }

// xgroupCommands is XGROUP and its subcommands.
func (d *Dispatcher) xgroupCommand() *Command {
	const w, g = Write, "stream"
	return container("xgroup", -2, 0, g, nil,
		spec("create", -5, w|DenyOOM, 2, 2, 1, "", d.xgroup),
		spec("setid", -5, w, 2, 2, 1, "", d.xgroup),
		spec("destroy", 4, w, 2, 2, 1, "", d.xgroup),
		spec("createconsumer", 5, w|DenyOOM, 2, 2, 1, "", d.xgroup),
		spec("delconsumer", 5, w, 2, 2, 1, "", d.xgroup),
		keyless("help", 2, Loading|Stale, "", d.xgroupHelp),
	)
}

func (d *Dispatcher) xgroupHelp(_ *Session, _ [][]byte) resp.Reply {
	return help("XGROUP",
		"CREATE <key> <groupname> <id|$> [option]",
		"    Create a new consumer group. Options are:",
		"    * MKSTREAM",
		"      Create the empty stream if it does not exist.",
		"    * ENTRIESREAD entries_read",
		"      Set the group's entries_read counter (internal use).",
		"CREATECONSUMER <key> <groupname> <consumer>",
		"    Create a new consumer in the specified group.",
		"DELCONSUMER <key> <groupname> <consumer>",
		"    Remove the specified consumer.",
		"DESTROY <key> <groupname>",
		"    Remove the specified group.",
		"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
		"    Set the current group ID and entries_read counter.",
	)
}

// xgroup is XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER, as xgroupCommand.
func (d *Dispatcher) xgroup(s *Session, args [][]byte) resp.Reply {
	sub := strings.ToLower(string(args[1]))
	mkstream := false
	entriesRead := int64(-1)
	for i := 5; i < len(args); {
		switch opt := strings.ToLower(string(args[i])); {
		case sub == "create" && opt == "mkstream":
			mkstream = true
			i++
		case (sub == "create" || sub == "setid") && opt == "entriesread" && i+1 < len(args):
			n, ok := resp.ParseInt(args[i+1])
			if !ok {
				return errNotInteger
			}
			if n < 0 && n != -1 {
				return resp.Err("ERR value for ENTRIESREAD must be positive or -1")
			}
			entriesRead = n
			i += 2
		default:
			return errXgroupSyntax(args[1])
		}
	}
	key, name := args[2], args[3]
	st, err := d.openStream(s, key, lockExclusive)
	if err != nil {
		return errorReply(err)
	}
	defer st.close()
	var grp streamGroup
	var found bool
	if !mkstream {
		if !st.exists() {
			return resp.Err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
		}
		if grp, found, err = st.group(name); err != nil {
			return errorReply(err)
		}
		if !found && sub != "create" && sub != "destroy" {
			return errNoGroup(key, name)
		}
	}
	switch {
	case sub == "create" && len(args) <= 8:
		var id streamID
		var ok bool
		var m streamMeta
		if st.exists() {
			if m, err = st.meta(); err != nil {
				return errorReply(err)
			}
		}
		if string(args[4]) == "$" {
			id = m.last
		} else if id, ok = parseStreamID(args[4], 0, true, nil); !ok {
			return errInvalidStreamID
		}
		if mkstream && st.exists() {
			if _, found, err = st.group(name); err != nil {
				return errorReply(err)
			}
		}
		if found && st.exists() {
			return resp.Err("BUSYGROUP Consumer Group name already exists")
		}
		creating := !st.exists()
		if err := st.write(); err != nil {
			return errorReply(err)
		}
		if err := st.setGroup(streamGroup{name: name, last: id, entriesRead: entriesRead}); err != nil {
			return errorReply(err)
		}
		if creating {
			if err := st.setMeta(m); err != nil {
				return errorReply(err)
			}
		}
		s.fire(notifyStream, "xgroup-create", key)
		return resp.OK()
	case sub == "setid" && (len(args) == 5 || len(args) == 7):
		var id streamID
		var ok bool
		if string(args[4]) == "$" {
			m, err := st.meta()
			if err != nil {
				return errorReply(err)
			}
			id = m.last
		} else if id, ok = parseStreamID(args[4], 0, false, nil); !ok {
			return errInvalidStreamID
		}
		grp.last, grp.entriesRead = id, entriesRead
		if err := st.write(); err != nil {
			return errorReply(err)
		}
		if err := st.setGroup(grp); err != nil {
			return errorReply(err)
		}
		s.fire(notifyStream, "xgroup-setid", key)
		return resp.OK()
	case sub == "destroy" && len(args) == 4:
		if !found {
			return resp.Int(0)
		}
		if err := st.write(); err != nil {
			return errorReply(err)
		}
		if err := st.destroyGroup(name); err != nil {
			return errorReply(err)
		}
		s.fire(notifyStream, "xgroup-destroy", key)
		d.wakeWaiters(s, key) // an XREADGROUP waiting on the group answers (readGroup)
		return resp.Int(1)
	case sub == "createconsumer" && len(args) == 5:
		if _, ok, err := st.consumer(name, args[4]); err != nil || ok {
			if err != nil {
				return errorReply(err)
			}
			return resp.Int(0)
		}
		if err := st.write(); err != nil {
			return errorReply(err)
		}
		if _, err := st.touchConsumer(name, args[4]); err != nil {
			return errorReply(err)
		}
		s.fire(notifyStream, "xgroup-createconsumer", key)
		return resp.Int(1)
	case sub == "delconsumer" && len(args) == 5:
		_, ok, err := st.consumer(name, args[4])
		if err != nil || !ok {
			if err != nil {
				return errorReply(err)
			}
			return resp.Int(0)
		}
		if err := st.write(); err != nil {
			return errorReply(err)
		}
		n, err := st.delConsumer(name, args[4])
		if err != nil {
			return errorReply(err)
		}
		s.fire(notifyStream, "xgroup-delconsumer", key)
		return resp.Int(n)
	}
	return errXgroupSyntax(args[1])
}

// destroyGroup removes a group with its pending entries and consumers.
func (st *strm) destroyGroup(name []byte) error {
	var members [][]byte
	for _, tag := range []byte{streamPendingTag, streamConsumerTag} {
		prefix := groupScoped(tag, name)
		err := st.each(prefix, func(m []byte, _ []*version.Sibling) bool {
			if len(m) < len(prefix) || string(m[:len(prefix)]) != string(prefix) {
				return false
			}
			members = append(members, clone(m))
			return true
		})
		if err != nil {
			return err
		}
	}
	members = append(members, groupMember(name))
	for _, m := range members {
		if _, err := st.removeRecord(m); err != nil {
			return err
		}
	}
	return nil
}

// delConsumer removes a consumer and its pending entries, returning how
// many it had.
func (st *strm) delConsumer(group, name []byte) (int64, error) {
	var ids []streamID
	err := st.pending(group, minStreamID, maxStreamID, func(p streamNACK) bool {
		if string(p.consumer) == string(name) {
			ids = append(ids, p.id)
		}
		return true
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := st.removeRecord(pendingMember(group, id)); err != nil {
			return 0, err
		}
	}
	_, err = st.removeRecord(consumerMember(group, name))
	return int64(len(ids)), err
}

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
func (d *Dispatcher) xreadgroup(s *Session, args [][]byte) resp.Reply {
	a, r := d.parseXread(s, args, true)
	if r.Kind != 0 {
		return r
	}
	after := make([]streamID, len(a.keys))
	fresh := make([]bool, len(a.keys)) // ">": new entries
	for i, raw := range a.ids {
		st, err := d.openStream(s, a.keys[i], lockNone)
		if err != nil {
			return errorReply(err)
		}
		found := false
		if st.exists() {
			_, found, err = st.group(a.group)
		}
		st.close()
		if err != nil {
			return errorReply(err)
		}
		if !found {
			return resp.Errf("NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option", a.keys[i], a.group)
		}
		switch string(raw) {
		case "$":
			return resp.Err("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
		case ">":
			fresh[i] = true
		default:
			id, ok := parseStreamID(raw, 0, true, nil)
			if !ok {
				return errInvalidStreamID
			}
			after[i] = id
		}
	}
	return d.serveStreams(s, a, func(i int, count int64) (resp.Reply, bool, resp.Reply) {
		if d.env.AtCoordinator != nil && !s.Forwarded {
			// A group is read and written where its key's other writes run
			// (this node waits for its client; the read is the
			// coordinator's), so two consumers never get one entry.
			id := after[i].String()
			if fresh[i] {
				id = ">"
			}
			if r, ok := d.env.AtCoordinator(s.Context(), s, a.keys[i], groupReadArgs(a, a.keys[i], id, count)); ok {
				return groupReadReply(r)
			}
		}
		return d.readGroup(s, a.keys[i], a, after[i], fresh[i], count)
	})
}

// groupReadArgs is a non-blocking XREADGROUP of one key, as a blocked or
// multi-key one reads that key at its coordinator.
func groupReadArgs(a xreadArgs, key []byte, id string, count int64) [][]byte {
	args := [][]byte{[]byte("XREADGROUP"), []byte("GROUP"), a.group, a.cons}
	if count > 0 {
		args = append(args, []byte("COUNT"), []byte(strconv.FormatInt(count, 10)))
	}
	if a.noack {
		args = append(args, []byte("NOACK"))
	}
	return append(args, []byte("STREAMS"), key, []byte(id))
}

// groupReadReply is readGroup's answer from the coordinator's reply to
// groupReadArgs: the key's entries ([[key, entries]] in RESP2, a map in
// RESP3, null for none); a group gone there is one gone while waiting.
func groupReadReply(r resp.Reply) (resp.Reply, bool, resp.Reply) {
	switch {
	case r.Kind == resp.KindError && strings.HasPrefix(r.Str, "NOGROUP No such key"):
		return resp.Reply{}, false, errGroupGone
	case r.Kind == resp.KindError:
		return resp.Reply{}, false, r
	case r.Kind == resp.KindMap && len(r.Elems) == 2:
		return r.Elems[1], true, resp.Reply{}
	case r.Kind == resp.KindArray && len(r.Elems) == 1 && len(r.Elems[0].Elems) == 2:
		return r.Elems[0].Elems[1], true, resp.Reply{}
	}
	return resp.Reply{}, false, resp.Reply{} // null: nothing new
}

// errGroupGone answers a blocked XREADGROUP whose key or group went away.
var errGroupGone = resp.Err("NOGROUP the consumer group this client was blocked on no longer exists")

// readGroup serves one key of XREADGROUP: the consumer's pending history
// from after (fresh false), or the entries past the group's last
// delivered one (fresh), which it delivers. ok is false when a fresh read
// found nothing (the key is left out of the reply).
func (d *Dispatcher) readGroup(s *Session, key []byte, a xreadArgs, after streamID, fresh bool, count int64) (resp.Reply, bool, resp.Reply) {
	st, err := d.openStream(s, key, lockExclusive)
	if err != nil {
		if r := errorReply(err); !isWrongType(r) {
			return resp.Reply{}, false, r
		}
		return resp.Reply{}, false, errGroupGone // the key changed type while it waited
	}
	defer st.close()
	g, found := streamGroup{}, false
	if st.exists() {
		if g, found, err = st.group(a.group); err != nil {
			return resp.Reply{}, false, errorReply(err)
		}
	}
	if !found {
		return resp.Reply{}, false, errGroupGone // deleted while it waited
	}
	if fresh {
		last, ok, err := st.edge(true)
		if err != nil {
			return resp.Reply{}, false, errorReply(err)
		}
		if !ok || !g.last.less(last) {
			return resp.Reply{}, false, resp.Reply{}
		}
	}
	if err := st.write(); err != nil {
		return resp.Reply{}, false, errorReply(err)
	}
	if created, err := st.touchConsumer(a.group, a.cons); err != nil {
		return resp.Reply{}, false, errorReply(err)
	} else if created {
		s.fire(notifyStream, "xgroup-createconsumer", key)
	}
	out := []resp.Reply{}
	if !fresh {
		// The consumer's history: its pending entries after after.
		start, ok := after.incr()
		if !ok {
			return resp.Array(), true, resp.Reply{}
		}
		var ps []streamNACK
		err := st.pending(a.group, start, maxStreamID, func(p streamNACK) bool {
			if string(p.consumer) == string(a.cons) {
				ps = append(ps, p)
			}
			return count == 0 || int64(len(ps)) < count
		})
		if err != nil {
			return resp.Reply{}, false, errorReply(err)
		}
		for _, p := range ps {
			e, ok, err := st.entry(p.id)
			switch {
			case err != nil:
				return resp.Reply{}, false, errorReply(err)
			case ok:
				out = append(out, e.reply())
				p.time, p.count = st.w.now, p.count+1
				if err := st.setNACK(a.group, p); err != nil {
					return resp.Reply{}, false, errorReply(err)
				}
			default:
				out = append(out, resp.Array(p.id.reply(), resp.NullArray()))
			}
		}
		return resp.Array(out...), true, resp.Reply{}
	}
	m, err := st.meta()
	if err != nil {
		return resp.Reply{}, false, errorReply(err)
	}
	length, err := st.length()
	if err != nil {
		return resp.Reply{}, false, errorReply(err)
	}
	first, _, err := st.edge(false)
	if err != nil {
		return resp.Reply{}, false, errorReply(err)
	}
	facts := streamFacts{meta: m, length: length, first: first}
	var delivered []streamEntry
	start, _ := g.last.incr()
	err = st.entries(start, maxStreamID, false, func(e streamEntry) bool {
		delivered = append(delivered, e)
		return count == 0 || int64(len(delivered)) < count
	})
	if err != nil {
		return resp.Reply{}, false, errorReply(err)
	}
	for _, e := range delivered {
		if g.last.less(e.id) {
			if g.entriesRead != -1 && !facts.hasTombstones(e.id, maxStreamID) {
				g.entriesRead++
			} else if m.added > 0 {
				g.entriesRead = facts.distanceFromFirst(e.id)
			}
			g.last = e.id
		}
		if !a.noack {
			if err := st.setNACK(a.group, streamNACK{id: e.id, consumer: a.cons, time: st.w.now, count: 1}); err != nil {
				return resp.Reply{}, false, errorReply(err)
			}
		}
		out = append(out, e.reply())
	}
	if err := st.setGroup(g); err != nil {
		return resp.Reply{}, false, errorReply(err)
	}
	return resp.Array(out...), true, resp.Reply{}
}

// streamFacts are what Redis's entries_read and lag estimates read.
type streamFacts struct {
	meta   streamMeta
	length int64
	first  streamID // first entry, 0-0 if none
}

// hasTombstones is streamRangeHasTombstones.
func (f streamFacts) hasTombstones(start, end streamID) bool {
	md := f.meta.maxDeleted
	if f.length == 0 || md.isZero() {
		return false
	}
	if md.less(f.first) {
		return false
	}
	return !md.less(start) && !end.less(md)
}

// distanceFromFirst is streamEstimateDistanceFromFirstEverEntry.
func (f streamFacts) distanceFromFirst(id streamID) int64 {
	added := int64(f.meta.added)
	if added == 0 {
		return 0
	}
	if f.length == 0 && !f.meta.last.less(id) {
		return added
	}
	switch {
	case id == f.meta.last:
		return added
	case f.meta.last.less(id):
		return -1
	}
	md := f.meta.maxDeleted
	if md.isZero() || md.less(f.first) {
		switch {
		case id.less(f.first):
			return added - f.length
		case id == f.first:
			return added - f.length + 1
		}
	}
	return -1
}

// XACK key group id [id ...]
func (d *Dispatcher) xack(s *Session, args [][]byte) resp.Reply {
	ids, ok := parseStreamIDs(args[3:])
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
	if _, ok, err := st.group(args[2]); err != nil || !ok {
		if err != nil {
			return errorReply(err)
		}
		return resp.Int(0)
	}
	if err := st.write(); err != nil {
		return errorReply(err)
	}
	var n int64
	for _, id := range ids {
		ok, err := st.removeRecord(pendingMember(args[2], id))
		if err != nil {
			return errorReply(err)
		}
		if ok {
			n++
		}
	}
	return resp.Int(n)
}
