package command

import (
	"encoding/binary"
	"math"
	"strconv"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/server/rdb"
)

// RDB object types (Redis's rdb.h).
const (
	rdbString        = 0
	rdbList          = 1
	rdbSet           = 2
	rdbZSet          = 3
	rdbHash          = 4
	rdbZSet2         = 5
	rdbListZiplist   = 10
	rdbSetIntset     = 11
	rdbZSetZiplist   = 12
	rdbHashZiplist   = 13
	rdbListQuicklist = 14
	rdbHashListpack  = 16
	rdbZSetListpack  = 17
	rdbListQuick2    = 18
	rdbSetListpack   = 20
)

// rdbValue is one key's value: a string, or a collection's elements.
type rdbValue struct {
	Kind version.Kind // KindString, KindHash, KindSet, KindZSet or KindList
	Str  []byte       // a string's bytes
	// Elems: hash fields and values alternating; set members; zset
	// members (Scores parallel); list elements in order.
	Elems  [][]byte
	Scores []float64
}

// encodeDump is DUMP's payload of v under Redis 7.0's default thresholds.
func encodeDump(v *rdbValue) []byte { return defaultEncLimits.encodeDump(v) }

// encodeDump is DUMP's payload of v, in the encoding redis-server would
// hold v in under the thresholds l (encoding.go), so the payload is the
// one redis-server would write.
func (l encLimits) encodeDump(v *rdbValue) []byte {
	var out []byte
	switch v.Kind {
	case version.KindHash:
		out = l.encodeHash(v.Elems)
	case version.KindSet:
		out = l.encodeSet(v.Elems)
	case version.KindZSet:
		out = l.encodeZSet(v.Elems, v.Scores)
	case version.KindList:
		out = l.encodeList(v.Elems)
	default:
		out = rdb.AppendString([]byte{rdbString}, v.Str)
	}
	return rdb.Seal(out)
}

func appendStrings(out []byte, elems [][]byte) []byte {
	for _, e := range elems {
		out = rdb.AppendString(out, e)
	}
	return out
}

func (l encLimits) encodeHash(pairs [][]byte) []byte {
	if l.hashPack(pairs) {
		return rdb.AppendString([]byte{rdbHashListpack}, encodeListpack(pairs))
	}
	out := rdb.AppendLen([]byte{rdbHash}, uint64(len(pairs)/2))
	return appendStrings(out, pairs)
}

func (l encLimits) encodeSet(members [][]byte) []byte {
	if vs, ok := l.intset(members); ok {
		return rdb.AppendString([]byte{rdbSetIntset}, encodeIntset(vs))
	}
	out := rdb.AppendLen([]byte{rdbSet}, uint64(len(members)))
	return appendStrings(out, members)
}

func (l encLimits) encodeZSet(members [][]byte, scores []float64) []byte {
	if l.zsetPack(members) {
		entries := make([][]byte, 0, 2*len(members))
		for i, m := range members {
			entries = append(entries, m, d2string(scores[i]))
		}
		return rdb.AppendString([]byte{rdbZSetListpack}, encodeListpack(entries))
	}
	out := rdb.AppendLen([]byte{rdbZSet2}, uint64(len(members)))
	for i := len(members) - 1; i >= 0; i-- { // Redis saves from the highest score down
		out = rdb.AppendString(out, members[i])
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(scores[i]))
	}
	return out
}

// encodeList writes a QUICKLIST_2 of listpack nodes (l.listNodes).
func (l encLimits) encodeList(elems [][]byte) []byte {
	nodes := l.listNodes(elems)
	out := rdb.AppendLen([]byte{rdbListQuick2}, uint64(len(nodes)))
	for _, n := range nodes {
		out = rdb.AppendString(append(out, 2), encodeListpack(n)) // container PACKED
	}
	return out
}

// decodeDump checks a RESTORE payload and decodes the value it holds.
func decodeDump(p []byte) (*rdbValue, error) {
	if _, ok := rdb.Open(p); !ok {
		return nil, errDumpPayload
	}
	// As Redis, read from the whole payload: an object may run into the
	// footer's bytes, and what follows it is ignored.
	r := rdb.NewReader(p)
	v := decodeObject(r)
	if r.Bad() || v == nil {
		return nil, errBadData
	}
	return v, nil
}

// decodeObject reads one typed object as Redis's rdbLoadObject accepts
// it; nil if it cannot (bad or empty, or a type ringkv does not hold).
func decodeObject(r *rdb.Reader) *rdbValue {
	switch t := r.Byte(); t {
	case rdbString:
		s := r.Str()
		return &rdbValue{Kind: version.KindString, Str: s}
	case rdbList, rdbSet:
		n := r.Count(1)
		elems := make([][]byte, 0, n)
		for i := 0; i < n && !r.Bad(); i++ {
			elems = append(elems, r.Str())
		}
		if t == rdbList {
			return listValue(elems)
		}
		return setValue(elems)
	case rdbHash:
		n := r.Count(2)
		pairs := make([][]byte, 0, 2*n)
		for i := 0; i < 2*n && !r.Bad(); i++ {
			pairs = append(pairs, r.Str())
		}
		return hashValue(pairs)
	case rdbZSet, rdbZSet2:
		return decodeZSet(r, t == rdbZSet2)
	case rdbSetIntset:
		elems, ok := decodeIntset(r.Str())
		return orNil(ok, setValue, elems)
	case rdbSetListpack:
		elems, ok := decodeListpack(r.Str())
		return orNil(ok, setValue, elems)
	case rdbHashListpack, rdbHashZiplist:
		elems, ok := unpack(r.Str(), t == rdbHashListpack)
		return orNil(ok, hashValue, elems)
	case rdbZSetListpack, rdbZSetZiplist:
		elems, ok := unpack(r.Str(), t == rdbZSetListpack)
		return orNil(ok, packedZSet, elems)
	case rdbListZiplist:
		elems, ok := decodeZiplist(r.Str())
		return orNil(ok, listValue, elems)
	case rdbListQuicklist, rdbListQuick2:
		return decodeQuicklist(r, t == rdbListQuick2)
	}
	return nil
}

func unpack(b []byte, listpack bool) ([][]byte, bool) {
	if listpack {
		return decodeListpack(b)
	}
	return decodeZiplist(b)
}

func orNil(ok bool, build func([][]byte) *rdbValue, elems [][]byte) *rdbValue {
	if !ok {
		return nil
	}
	return build(elems)
}

func listValue(elems [][]byte) *rdbValue {
	if len(elems) == 0 {
		return nil
	}
	return &rdbValue{Kind: version.KindList, Elems: elems}
}

// setValue refuses an empty set or a repeated member, as Redis does.
func setValue(elems [][]byte) *rdbValue {
	if len(elems) == 0 || hasDup(elems, 1) {
		return nil
	}
	return &rdbValue{Kind: version.KindSet, Elems: elems}
}

// hashValue refuses an empty hash, an odd count or a repeated field.
func hashValue(pairs [][]byte) *rdbValue {
	if len(pairs) == 0 || len(pairs)%2 != 0 || hasDup(pairs, 2) {
		return nil
	}
	return &rdbValue{Kind: version.KindHash, Elems: pairs}
}

// hasDup reports whether elems[0], elems[step], ... repeat a value.
func hasDup(elems [][]byte, step int) bool {
	seen := make(map[string]bool, len(elems)/step)
	for i := 0; i < len(elems); i += step {
		if seen[string(elems[i])] {
			return true
		}
		seen[string(elems[i])] = true
	}
	return false
}

// zsetValue refuses an empty zset, a NaN score or a repeated member.
func zsetValue(members [][]byte, scores []float64) *rdbValue {
	if len(members) == 0 || hasDup(members, 1) {
		return nil
	}
	for _, s := range scores {
		if math.IsNaN(s) {
			return nil
		}
	}
	return &rdbValue{Kind: version.KindZSet, Elems: members, Scores: scores}
}

// packedZSet reads a listpack's or ziplist's member, score pairs.
func packedZSet(entries [][]byte) *rdbValue {
	if len(entries)%2 != 0 {
		return nil
	}
	members := make([][]byte, 0, len(entries)/2)
	scores := make([]float64, 0, len(entries)/2)
	for i := 0; i+1 < len(entries); i += 2 {
		f, err := strconv.ParseFloat(string(entries[i+1]), 64)
		if err != nil && !isRangeErr(err) {
			return nil
		}
		members, scores = append(members, entries[i]), append(scores, f)
	}
	return zsetValue(members, scores)
}

// decodeZSet reads a ZSET (scores as strings) or ZSET_2 (binary doubles).
func decodeZSet(r *rdb.Reader, binaryScores bool) *rdbValue {
	n := r.Count(2)
	members := make([][]byte, 0, n)
	scores := make([]float64, 0, n)
	for i := 0; i < n && !r.Bad(); i++ {
		members = append(members, r.Str())
		var f float64
		if binaryScores {
			if b := r.Take(8); b != nil {
				f = math.Float64frombits(binary.LittleEndian.Uint64(b))
			}
		} else {
			f = oldDouble(r)
		}
		scores = append(scores, f)
	}
	if r.Bad() {
		return nil
	}
	return zsetValue(members, scores)
}

// oldDouble reads an RDB ZSET score: a length byte (253 NaN, 254 +inf,
// 255 -inf) and that many bytes of text.
func oldDouble(r *rdb.Reader) float64 {
	switch n := r.Byte(); n {
	case 253:
		return math.NaN()
	case 254:
		return math.Inf(1)
	case 255:
		return math.Inf(-1)
	default:
		f, err := strconv.ParseFloat(string(r.Take(uint64(n))), 64)
		if err != nil && !isRangeErr(err) {
			r.Fail()
		}
		return f
	}
}

// decodeQuicklist reads a QUICKLIST (ziplist nodes) or QUICKLIST_2
// (listpack or plain nodes); empty nodes are skipped, as Redis does.
func decodeQuicklist(r *rdb.Reader, v2 bool) *rdbValue {
	n := r.Count(2)
	var elems [][]byte
	for i := 0; i < n && !r.Bad(); i++ {
		container := uint64(2)
		if v2 {
			container = r.Len()
		}
		node := r.Str()
		var es [][]byte
		ok := true
		switch {
		case r.Bad():
			return nil
		case container == 1: // PLAIN: the node is one element
			es = [][]byte{node}
		case container != 2:
			return nil
		case v2:
			es, ok = decodeListpack(node)
		default:
			es, ok = decodeZiplist(node)
		}
		if !ok {
			return nil
		}
		elems = append(elems, es...)
	}
	if r.Bad() {
		return nil
	}
	return listValue(elems)
}
