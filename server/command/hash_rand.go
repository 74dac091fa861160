package command

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// hrandMax bounds what HRANDFIELD with a negative count returns: Redis
// builds any number of (repeated) fields, ringkv builds the reply in
// memory first, so a count past this is refused rather than run out of
// memory.
const hrandMax = 1 << 20

var (
	errHrandRange   = resp.Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
	errHrandRangeWV = resp.Err("ERR value is out of range")
	errHrandTooMany = resp.Err("ERR HRANDFIELD count is too large (ringkv answers at most 1048576 fields)")
)

// HRANDFIELD key [count [WITHVALUES]]: one random field (nil if the key
// is absent), or count distinct fields (count >= the size: the whole hash
// in field order; else in random order), or -count fields drawn with
// repetition. WITHVALUES: field, value, ... (RESP3: [field, value] pairs).
// It reads the whole hash (O(n)).
func (d *Dispatcher) hrandfield(s *Session, args [][]byte) resp.Reply {
	var n int64
	withCount, withValues := len(args) >= 3, false
	if withCount {
		var ok bool
		if n, ok = resp.ParseInt(args[2]); !ok {
			return errNotInteger
		}
		if n == math.MinInt64 {
			return errHrandRange
		}
		if len(args) > 4 || (len(args) == 4 && !strings.EqualFold(string(args[3]), "withvalues")) {
			return errSyntax
		}
		withValues = len(args) == 4
		if withValues && (n < -math.MaxInt64/2 || n > math.MaxInt64/2) {
			return errHrandRangeWV
		}
		if n < -hrandMax {
			return errHrandTooMany
		}
	}
	all, err := d.hashAll(s, args[1], true, true)
	if err != nil {
		return errorReply(err)
	}
	size := int64(len(all) / 2)
	if !withCount {
		if size == 0 {
			return resp.Null()
		}
		return all[2*rand.Int64N(size)]
	}
	if size == 0 || n == 0 {
		return resp.Array()
	}
	var picks []int64 // field indexes
	switch {
	case n < 0:
		picks = make([]int64, -n)
		for i := range picks {
			picks[i] = rand.Int64N(size)
		}
	case n >= size:
		picks = make([]int64, size)
		for i := range picks {
			picks[i] = int64(i)
		}
	default: // n distinct fields: a partial Fisher-Yates shuffle
		perm := make([]int64, size)
		for i := range perm {
			perm[i] = int64(i)
		}
		for i := range n {
			j := i + rand.Int64N(size-i)
			perm[i], perm[j] = perm[j], perm[i]
		}
		picks = perm[:n]
	}
	out := make([]resp.Reply, 0, len(picks)*2)
	for _, i := range picks {
		switch {
		case !withValues:
			out = append(out, all[2*i])
		case s.Proto >= 3:
			out = append(out, resp.Array(all[2*i], all[2*i+1]))
		default:
			out = append(out, all[2*i], all[2*i+1])
		}
	}
	return resp.Array(out...)
}
