package engine

import (
	"encoding/binary"

	"github.com/ringkv/ringkv/cluster/ring"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// Key prefixes; see doc.go.
const (
	prefixData   = 'd'
	prefixExpiry = 'x'
	prefixTomb   = 'z' // tombstone index: "z" newest time, hash, key (reap.go)
	prefixMeta   = 'm'
	// 'h' (hints, hints.go), 't' (the saved Merkle tree, tree.go) and the
	// meta keys of actor.go and floor.go are laid out in their own files.
)

// formatVersion is the on-disk layout version stored under "m" "format".
// Format 2 places a key with a hash tag by the tag's hash. Format 3 may
// hold records that point at blobs (blob.go), which older builds cannot
// read. Format 4 stores records under internal keys (cluster/ring/keys.go):
// a user key starting with 0xFF is escaped, and a collection's elements
// have records of their own. Format 5 keeps an index of the records that
// hold tombstones only ("z"), so reaping walks the tombstones, not every
// record. Open migrates a directory of format 1 to 4 to 5 (migrate.go).
const formatVersion = 5

// Meta key names.
const (
	metaFormat  = "format"
	metaLive    = "live"
	metaSync    = "sync"
	metaFlushed = "flushed"
)

// Hash is a key's placement hash: the ring's (cluster/ring.Hash, which
// honours Redis hash tags), so that a ring partition is one key range here.
func Hash(key []byte) uint64 { return ring.Hash(key) }

func dataKey(h uint64, key []byte) []byte {
	b := make([]byte, 0, 9+len(key))
	b = append(b, prefixData)
	b = binary.BigEndian.AppendUint64(b, h)
	return append(b, key...)
}

// parseDataKey splits a "d" key; ok is false if it is malformed.
func parseDataKey(k []byte) (h uint64, key []byte, ok bool) {
	if len(k) < 9 || k[0] != prefixData {
		return 0, nil, false
	}
	return binary.BigEndian.Uint64(k[1:9]), k[9:], true
}

// indexExpiry is where a set's expiry index entry sorts: its MinExpiry,
// clamped to 1 so that a (bogus) negative expiry is swept at once instead
// of sorting after every real one. 0 means no entry.
func indexExpiry(minExpiry int64) uint64 {
	if minExpiry == 0 {
		return 0
	}
	return uint64(max(minExpiry, 1))
}

// indexKey is an index entry's key: prefix, the big-endian time it sorts
// by (expiry or tombstone time), the key's hash, then the key. The "x" and
// "z" indexes share this shape.
func indexKey(prefix byte, at, h uint64, key []byte) []byte {
	b := make([]byte, 0, 17+len(key))
	b = append(b, prefix)
	b = binary.BigEndian.AppendUint64(b, at)
	b = binary.BigEndian.AppendUint64(b, h)
	return append(b, key...)
}

// parseIndexKey splits an indexKey of prefix; ok is false if it is
// malformed or has another prefix.
func parseIndexKey(prefix byte, k []byte) (at, h uint64, key []byte, ok bool) {
	if len(k) < 17 || k[0] != prefix {
		return 0, 0, nil, false
	}
	return binary.BigEndian.Uint64(k[1:9]), binary.BigEndian.Uint64(k[9:17]), k[17:], true
}

func expiryKey(exp, h uint64, key []byte) []byte { return indexKey(prefixExpiry, exp, h, key) }

// tombIndex is where a set's tombstone index entry sorts: the newest
// sibling time of a set of tombstones only (clamped to 1), or 0, no entry,
// for a set that holds a value or nothing.
func tombIndex(s version.Set) uint64 {
	if len(s) == 0 || s.HasLive() {
		return 0
	}
	var t int64 = 1
	for i := range s {
		if !s[i].Tombstone {
			return 0 // HasLive is false for an expired value too: not a tombstone
		}
		t = max(t, s[i].Time)
	}
	return uint64(t)
}

func tombKey(t, h uint64, key []byte) []byte { return indexKey(prefixTomb, t, h, key) }

// parseTombKey splits a "z" key; ok is false if it is malformed.
func parseTombKey(k []byte) (t, h uint64, key []byte, ok bool) { return parseIndexKey(prefixTomb, k) }

// parseExpiryKey splits an "x" key; ok is false if it is malformed.
func parseExpiryKey(k []byte) (exp, h uint64, key []byte, ok bool) {
	return parseIndexKey(prefixExpiry, k)
}

func metaKey(name string) []byte { return append([]byte{prefixMeta}, name...) }

// dataRange is the "d" keys with lo <= hash <= hi.
func dataRange(lo, hi uint64) *util.Range {
	r := &util.Range{Start: binary.BigEndian.AppendUint64([]byte{prefixData}, lo)}
	if hi == ^uint64(0) {
		r.Limit = []byte{prefixData + 1}
	} else {
		r.Limit = binary.BigEndian.AppendUint64([]byte{prefixData}, hi+1)
	}
	return r
}

// expiredRange is the "x" keys with expiry <= now.
func expiredRange(now int64) *util.Range {
	lim := binary.BigEndian.AppendUint64([]byte{prefixExpiry}, uint64(max(now, 0))+1)
	return &util.Range{Start: []byte{prefixExpiry}, Limit: lim}
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
