package command

import (
	"math/bits"
	"slices"

	"github.com/ringkv/ringkv/replica/version"
)

// ringkv stores every collection the same way (a record per element), but
// OBJECT ENCODING, DUMP and MEMORY USAGE answer with the encoding Redis
// 7.0 would give the same contents under the configured thresholds:
//
//   - hash: listpack while it has at most hash-max-listpack-entries fields
//     and every field and value is at most hash-max-listpack-value bytes,
//     else hashtable;
//   - set: intset while every member is an integer as Redis's string2ll
//     reads one and there are at most set-max-intset-entries, else
//     hashtable (Redis 7.0 has no listpack sets);
//   - sorted set: listpack while it has at most zset-max-listpack-entries
//     members, each at most zset-max-listpack-value bytes, else skiplist;
//   - list: quicklist, always, as in 7.0.
//
// Redis converts one way: a hash that grew past a threshold stays a
// hashtable when it shrinks back (until it is rewritten, by RESTORE or a
// copy). ringkv has no object to remember that, so it answers by the
// current contents: a collection that shrank reports the compact encoding
// Redis would give it if it were built anew.

// encLimits are the thresholds that choose a collection's encoding.
type encLimits struct {
	hashEntries, hashValue int64 // hash-max-listpack-entries, -value
	zsetEntries, zsetValue int64 // zset-max-listpack-entries, -value
	intsetEntries          int64 // set-max-intset-entries
	listFill               int64 // list-max-listpack-size
}

// defaultEncLimits are Redis 7.0's defaults.
var defaultEncLimits = encLimits{hashEntries: 512, hashValue: 64, zsetEntries: 128, zsetValue: 64, intsetEntries: 512, listFill: -2}

// encLimits reads the configured thresholds.
func (d *Dispatcher) encLimits() encLimits {
	st := d.env.Settings
	return encLimits{
		hashEntries: st.Int("hash-max-listpack-entries"), hashValue: st.Int("hash-max-listpack-value"),
		zsetEntries: st.Int("zset-max-listpack-entries"), zsetValue: st.Int("zset-max-listpack-value"),
		intsetEntries: st.Int("set-max-intset-entries"), listFill: st.Int("list-max-listpack-size"),
	}
}

// fitsPack reports whether a collection of n entries whose strings are
// elems suits a listpack under the given limits.
func fitsPack(elems [][]byte, n int, maxEntries, maxValue int64) bool {
	if int64(n) > maxEntries {
		return false
	}
	for _, e := range elems {
		if int64(len(e)) > maxValue {
			return false
		}
	}
	return true
}

// hashPack reports whether a hash (fields and values alternating) is a
// listpack.
func (l encLimits) hashPack(pairs [][]byte) bool {
	return fitsPack(pairs, len(pairs)/2, l.hashEntries, l.hashValue)
}

// zsetPack reports whether a sorted set of these members is a listpack.
func (l encLimits) zsetPack(members [][]byte) bool {
	return fitsPack(members, len(members), l.zsetEntries, l.zsetValue)
}

// intset returns a set's members sorted as an intset holds them, ok false
// if the set is not one.
func (l encLimits) intset(members [][]byte) (vs []int64, ok bool) {
	if int64(len(members)) > l.intsetEntries {
		return nil, false
	}
	vs = make([]int64, 0, len(members))
	for _, m := range members {
		n, ok := canonicalInt(m) // string2ll
		if !ok {
			return nil, false
		}
		vs = append(vs, n)
	}
	slices.Sort(vs)
	return vs, true
}

// of is OBJECT ENCODING of v.
func (l encLimits) of(v *rdbValue) string {
	switch v.Kind {
	case version.KindHash:
		if l.hashPack(v.Elems) {
			return "listpack"
		}
		return "hashtable"
	case version.KindSet:
		if _, ok := l.intset(v.Elems); ok {
			return "intset"
		}
		return "hashtable"
	case version.KindZSet:
		if l.zsetPack(v.Elems) {
			return "listpack"
		}
		return "skiplist"
	case version.KindList:
		return "quicklist"
	}
	return stringEncoding(v.Str)
}

// listNodes splits a list into its quicklist nodes as RPUSH fills them:
// list-max-listpack-size -1 to -5 bounds a node's bytes (4 to 64 KB), a
// positive one its count (and 8 KB, Redis's safety limit). A node's bytes
// are estimated as an entry's payload plus 11.
func (l encLimits) listNodes(elems [][]byte) [][][]byte {
	maxBytes, maxCount := 8192, len(elems)
	if l.listFill < 0 {
		maxBytes = 4096 << (min(-l.listFill, 5) - 1)
	} else {
		maxCount = int(max(l.listFill, 1))
	}
	var nodes [][][]byte
	for start := 0; start < len(elems); {
		end, size := start, 0
		for end < len(elems) && (end == start || end-start < maxCount && size+len(elems[end])+11 <= maxBytes) {
			size += len(elems[end]) + 11
			end++
		}
		nodes = append(nodes, elems[start:end])
		start = end
	}
	return nodes
}

// Sizes of Redis 7.0's structures on a 64-bit build, for MEMORY USAGE.
const (
	robjSize          = 16  // robj
	dictSize          = 56  // dict
	dictEntrySize     = 24  // dictEntry
	quicklistSize     = 40  // quicklist
	quicklistNodeSize = 40  // quicklistNode
	zsetStructSize    = 16  // zset: dict and skiplist pointers
	zskiplistSize     = 32  // zskiplist
	zslHeaderSize     = 640 // the skiplist's 32-level header node, allocated
	zslNodeSize       = 48  // a level-1 skiplist node (40 bytes), allocated
)

// mallocSize is what jemalloc allocates for n bytes: its size classes are
// 8, multiples of 16 up to 128, then four per doubling.
func mallocSize(n int) int {
	switch {
	case n <= 8:
		return 8
	case n <= 128:
		return (n + 15) &^ 15
	}
	step := 1 << (bits.Len(uint(n-1)) - 3) // a quarter of the power of two below
	return (n + step - 1) / step * step
}

// sdsSize is zmalloc_size of an sds of n bytes as sdsdup makes it.
func sdsSize(n int) int {
	hdr := 17
	switch {
	case n < 1<<5:
		hdr = 1
	case n < 1<<8:
		hdr = 3
	case n < 1<<16:
		hdr = 5
	case n < 1<<32:
		hdr = 9
	}
	return mallocSize(hdr + n + 1)
}

// dictSlots is the table size of a dict holding n entries.
func dictSlots(n int) int {
	if n <= 4 {
		return 4
	}
	return 1 << bits.Len(uint(n-1))
}

// memoryOf estimates what v would take in Redis 7.0 under l, as its
// objectComputeSize does: a listpack or intset whole, a hashtable, skiplist
// or quicklist from its first samples elements (0: all) scaled to its size.
func (l encLimits) memoryOf(v *rdbValue, samples int) int {
	n := len(v.Elems)
	if v.Kind == version.KindHash {
		n /= 2
	}
	sampleNodes := samples
	if samples <= 0 || samples > n {
		samples = n
	}
	scale := func(size, seen, total int) int {
		if seen == 0 {
			return 0
		}
		return int(float64(size) / float64(seen) * float64(total))
	}
	switch v.Kind {
	case version.KindHash:
		if l.hashPack(v.Elems) {
			return robjSize + mallocSize(len(encodeListpack(v.Elems)))
		}
		size := 0
		for i := 0; i < samples; i++ {
			size += sdsSize(len(v.Elems[2*i])) + sdsSize(len(v.Elems[2*i+1])) + dictEntrySize
		}
		return robjSize + dictSize + 8*dictSlots(n) + scale(size, samples, n)
	case version.KindSet:
		if vs, ok := l.intset(v.Elems); ok {
			return robjSize + mallocSize(len(encodeIntset(vs)))
		}
		size := 0
		for _, m := range v.Elems[:samples] {
			size += sdsSize(len(m)) + dictEntrySize
		}
		return robjSize + dictSize + 8*dictSlots(n) + scale(size, samples, n)
	case version.KindZSet:
		if l.zsetPack(v.Elems) {
			entries := make([][]byte, 0, 2*n)
			for i, m := range v.Elems {
				entries = append(entries, m, d2string(v.Scores[i]))
			}
			return robjSize + mallocSize(len(encodeListpack(entries)))
		}
		size := 0
		for _, m := range v.Elems[:samples] {
			size += sdsSize(len(m)) + dictEntrySize + zslNodeSize
		}
		return robjSize + zsetStructSize + zskiplistSize + dictSize + 8*dictSlots(n) + zslHeaderSize +
			scale(size, samples, n)
	case version.KindList:
		nodes := l.listNodes(v.Elems)
		seen, size := 0, 0
		for _, node := range nodes { // Redis samples nodes, not elements
			if sampleNodes > 0 && seen == sampleNodes {
				break
			}
			size += quicklistNodeSize + mallocSize(len(encodeListpack(node)))
			seen++
		}
		return robjSize + quicklistSize + scale(size, seen, len(nodes))
	}
	return robjSize + sdsSize(len(v.Str))
}
