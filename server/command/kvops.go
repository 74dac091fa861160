package command

import (
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/replica/version"
)

// read returns key's winning value at the KV's clock (nil if the key has
// none), counting a keyspace hit or miss.
func (d *Dispatcher) read(s *Session, key []byte) (*version.Sibling, error) {
	set, err := d.env.KV.Get(s.Context(), key, replica.ReadOptions{})
	if err != nil {
		return nil, err
	}
	w, ok := set.Winner(d.env.KV.Now())
	if !ok {
		d.env.Stats.KeyspaceMisses.Add(1)
		return nil, nil
	}
	d.env.Stats.KeyspaceHits.Add(1)
	return w, nil
}

// update runs fn as one read-modify-write KV.Update with the node's
// default quorums: the coordinator decides on a quorum read merged into its
// copy, so every acknowledged write counts (INCR, APPEND, SET NX, DEL's
// reply, EXPIRE ...).
func (d *Dispatcher) update(s *Session, key []byte, fn replica.UpdateFunc) (replica.Result, error) {
	res, err := d.env.KV.Update(s.Context(), key, replica.WriteOptions{Read: true}, fn)
	d.noteWrite(s, res, err) // wait.go
	return res, err
}

// overwrite runs fn as a blind KV.Update: a plain SET, whose outcome does
// not depend on the key's state, supersedes what the coordinator holds
// without a network round trip first (DESIGN.md, "Commands").
func (d *Dispatcher) overwrite(s *Session, key []byte, fn replica.UpdateFunc) (replica.Result, error) {
	res, err := d.env.KV.Update(s.Context(), key, replica.WriteOptions{}, fn)
	d.noteWrite(s, res, err) // wait.go
	return res, err
}

// tombstone is the Change of a whole-key delete of cur (DEL, UNLINK,
// GETDEL, EXPIRE in the past, RENAME's source ...): a tombstone that keeps,
// when cur holds a counter or an integer, the removal record of what it
// removed (crdt.Removal), so a counter sibling concurrent with it counts
// only the increments this delete did not see.
func tombstone(cur version.Set) *replica.Change {
	return &replica.Change{Context: cur.Context(), Delete: true, Value: crdt.Removal(cur)}
}

// clone copies b so that a reply built after Update does not alias
// storage the KV may reuse.
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}
