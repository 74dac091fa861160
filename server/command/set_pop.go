package command

import (
	"math"
	"math/rand/v2"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// SPOP and SRANDMEMBER. One random member is picked without reading the
// whole set: a set of at most pickWindow members is read whole and one
// picked uniformly; a larger one is entered at a random position near
// its first member and one of the pickWindow members that follow is
// picked. That favours members after a wide gap in member order, as
// Redis's own pick favours members of sparse buckets: every reply is one
// a set of those members could give, which is all SPOP and SRANDMEMBER
// promise. The count forms read the whole set (O(N)) and are uniform.

// maxRandRepeats bounds SRANDMEMBER's negative count: its reply is built
// whole in memory (Redis streams it).
const maxRandRepeats = 1 << 22

// pickWindow is how many members one random pick chooses among.
const pickWindow = 64

var (
	errNotPositive = resp.Err("ERR value is out of range, must be positive")
	errRandCount   = resp.Err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
	errRandTooMany = resp.Err("ERR value is out of range, ringkv answers at most 4194304 repeated members")
)

// window returns up to n live members of c after after (nil: the first),
// and whether more follow.
func window(c *coll, after []byte, n int) ([][]byte, bool, error) {
	var out [][]byte
	more := false
	err := c.each(after, func(m []byte, _ []*version.Sibling) bool {
		if len(out) == n {
			more = true
			return false
		}
		out = append(out, clone(m))
		return true
	})
	return out, more, err
}

// pickOne returns a random live member of c, nil if c is empty.
func pickOne(c *coll) ([]byte, error) {
	first, more, err := window(c, nil, pickWindow)
	if err != nil || len(first) == 0 {
		return nil, err
	}
	w := first
	if more {
		near, _, err := window(c, randomNear(first[0]), pickWindow)
		if err != nil {
			return nil, err
		}
		if len(near) > 0 {
			w = near
		}
	}
	return w[rand.IntN(len(w))], nil
}

// randomNear is a random member position sharing a random prefix of m:
// members usually share prefixes ("user:..."), so positions drawn from
// all byte strings would nearly all fall before or after them.
func randomNear(m []byte) []byte {
	p := clone(m[:rand.IntN(len(m)+1)])
	for range 1 + rand.IntN(8) {
		p = append(p, byte(rand.UintN(256)))
	}
	return p
}

// sample returns k distinct members of ms chosen at random, k < len(ms).
func sample(ms [][]byte, k int) [][]byte {
	out := make([][]byte, k)
	for i, j := range rand.Perm(len(ms))[:k] {
		out[i] = ms[j]
	}
	return out
}

// SPOP key [count]
func (d *Dispatcher) spop(s *Session, args [][]byte) resp.Reply {
	switch len(args) {
	case 2:
		return d.spopOne(s, args[1])
	case 3:
		n, ok := resp.ParseInt(args[2])
		if !ok || n < 0 {
			return errNotPositive
		}
		return d.spopCount(s, args[1], n)
	}
	return errSyntax
}

// spopOne is SPOP key: the popped member, nil if none.
func (d *Dispatcher) spopOne(s *Session, key []byte) resp.Reply {
	c, err := d.openColl(s, key, version.KindSet, true)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	for range 3 { // a member another coordinator removed meanwhile: pick again
		m, err := pickOne(c)
		if err != nil {
			return errorReply(err)
		}
		if m == nil {
			break
		}
		ok, err := removeMember(c, m)
		if err != nil {
			return errorReply(err)
		}
		if ok {
			ev, err := removedEvents(c, "spop")
			if err != nil {
				return errorReply(err)
			}
			return d.notifySetEvents(s, resp.Bulk(m), ev)
		}
	}
	return resp.Null()
}

// spopCount is SPOP key count: a set of up to count members, removed.
func (d *Dispatcher) spopCount(s *Session, key []byte, count int64) resp.Reply {
	c, err := d.openColl(s, key, version.KindSet, true)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() || count == 0 {
		return resp.Set()
	}
	ms, err := members(c)
	if err != nil {
		return errorReply(err)
	}
	if count < int64(len(ms)) {
		ms = sample(ms, int(count))
	} else {
		ms = redisOrder(ms)
	}
	popped := make([]resp.Reply, 0, len(ms))
	for _, m := range ms {
		ok, err := removeMember(c, m)
		if err != nil {
			return errorReply(err)
		}
		if ok {
			popped = append(popped, resp.Bulk(m))
		}
	}
	if len(popped) == 0 {
		return resp.Set()
	}
	ev, err := removedEvents(c, "spop")
	if err != nil {
		return errorReply(err)
	}
	return d.notifySetEvents(s, resp.Set(popped...), ev)
}

// SRANDMEMBER key [count]
func (d *Dispatcher) srandmember(s *Session, args [][]byte) resp.Reply {
	var count int64
	switch len(args) {
	case 2:
	case 3:
		n, ok := resp.ParseInt(args[2])
		switch {
		case !ok:
			return errNotInteger
		case n == math.MinInt64:
			return errRandCount
		}
		count = n
	default:
		return errSyntax
	}
	c, err := d.openColl(s, args[1], version.KindSet, false)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if len(args) == 2 {
		m, err := pickOne(c)
		switch {
		case err != nil:
			return errorReply(err)
		case m == nil:
			return resp.Null()
		}
		return resp.Bulk(m)
	}
	if !c.exists() || count == 0 {
		return resp.Array()
	}
	ms, err := members(c)
	if err != nil {
		return errorReply(err)
	}
	switch {
	case len(ms) == 0:
		return resp.Array()
	case count < -maxRandRepeats:
		return errRandTooMany
	case count < 0: // repetitions allowed
		out := make([]resp.Reply, -count)
		for i := range out {
			out[i] = resp.Bulk(ms[rand.IntN(len(ms))])
		}
		return resp.Array(out...)
	case count >= int64(len(ms)):
		return resp.Array(memberBulks(redisOrder(ms))...)
	}
	return resp.Array(memberBulks(sample(ms, int(count)))...)
}
