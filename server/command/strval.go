package command

import (
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// String values go through crdt.Resolve, never set.Winner alone: a key
// holding a counter answers the counter's merged total, and a key holding
// a collection answers WRONGTYPE to string commands.

// readValue resolves key at the KV's clock (ok false if it holds no live
// value), counting a keyspace hit or miss.
func (d *Dispatcher) readValue(s *Session, key []byte) (v crdt.Value, ok bool, err error) {
	set, err := d.env.KV.Get(s.Context(), key, replica.ReadOptions{})
	if err != nil {
		return crdt.Value{}, false, err
	}
	if v, ok = crdt.Resolve(set, d.env.KV.Now()); !ok {
		d.env.Stats.KeyspaceMisses.Add(1)
		return crdt.Value{}, false, nil
	}
	d.env.Stats.KeyspaceHits.Add(1)
	return v, true, nil
}

// readString is key's string value as GET answers it (ok false if none);
// a key of another type is WRONGTYPE.
func (d *Dispatcher) readString(s *Session, key []byte) (b []byte, ok bool, err error) {
	v, ok, err := d.readValue(s, key)
	switch {
	case err != nil || !ok:
		return nil, false, err
	case !crdt.IsString(v.Kind):
		return nil, false, &replyError{errWrongType}
	}
	return v.Bytes, true, nil
}

// stringOf resolves cur at now inside an UpdateFunc: the key's string
// value (live false if none); a key of another type is WRONGTYPE.
func stringOf(cur version.Set, now int64) (v crdt.Value, live bool, err error) {
	v, live = crdt.Resolve(cur, now)
	if live && !crdt.IsString(v.Kind) {
		return v, live, &replyError{errWrongType}
	}
	return v, live, nil
}

// assign is the Change that writes the string val over cur with expiry:
// an absorbing counter write if cur holds a counter and val is an
// integer (increments the writer did not see still add up), else plain.
func (d *Dispatcher) assign(cur version.Set, now int64, val []byte, expiry int64) *replica.Change {
	k, b := crdt.Assign(cur, now, d.env.KV.Actor(), val)
	return &replica.Change{Context: cur.Context(), Value: b, Kind: k, Expiry: expiry}
}

// rewrite is the Change that keeps key's value v (resolved from cur at
// now) with a new expiry (EXPIRE, PERSIST, GETEX, COPY, RENAME): its kind
// and whole payload, so a counter keeps every increment and a collection's
// header its removal clock.
func rewrite(cur version.Set, v crdt.Value, now, expiry int64) (*replica.Change, error) {
	ch := &replica.Change{Context: cur.Context(), Expiry: expiry}
	ch.Kind, ch.Value = payload(v)
	ch.Enc = strEnc(v) // strenc.go
	if crdt.IsCollection(v.Kind) {
		h, err := crdt.ResolveHeader(cur, now)
		if err != nil {
			return nil, err
		}
		ch.Value = crdt.EncodeHeader(h.Removed)
	}
	return ch, nil
}

// payload is v as a write keeps it: a counter whole, a string as GET
// answers it, a collection's header as the winner holds it.
func payload(v crdt.Value) (version.Kind, []byte) {
	switch {
	case v.Counter != nil:
		return version.KindCounter, v.Counter.AppendBinary(nil)
	case crdt.IsString(v.Kind):
		return version.KindString, v.Bytes
	}
	return v.Winner.Kind, v.Winner.Value
}
