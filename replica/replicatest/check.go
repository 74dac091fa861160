package replicatest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/replica/version"
)

// Violation is one broken invariant.
type Violation struct {
	Check string // converged, dot, acked, set-add, deleted, counter, available
	Key   string // "" when not about one key
	Msg   string
}

func (v Violation) String() string {
	if v.Key == "" {
		return v.Check + ": " + v.Msg
	}
	return v.Check + " " + v.Key + ": " + v.Msg
}

// Checker holds the invariants of a stabilized run. Its checks depend on
// the final state and the history alone, not on interleavings.
type Checker struct {
	// Names prints versions readably; default "node.token:counter".
	Names Printer
	// Calm: the run had no fault (partition, crash, wipe) and its
	// quorums overlap (R+W > N), so every write is acknowledged and a
	// sequence of increments counts every one.
	Calm bool

	concurrent map[string]bool // h.Concurrent
}

// Check returns every violation in st of the invariants, given h:
//
//   - converged: every key's replicas hold the same set (or the same
//     tombstones, part reaped), no other node holds one, and no hint is
//     pending;
//   - dot: no dot was issued twice for one key (Riak KV679);
//   - acked: every acknowledged write's version survives on every replica
//     with its value, or a surviving version's context covers it, or a
//     delete that may have been stored claimed it (its tombstone may be
//     reaped);
//   - set-add: every acknowledged element is in the union of the siblings
//     on every replica;
//   - deleted: no version an acknowledged delete covered is live again;
//   - counter: no live count exceeds the increments that may have been
//     stored; when Calm, the count equals the acknowledged increments
//     (unless h marks the key concurrent);
//   - available: when Calm, every write was acknowledged.
func (c Checker) Check(st State, h *History) []Violation {
	if c.Names == nil {
		c.Names = rawNames{}
	}
	c.concurrent = h.Concurrent
	var out []Violation
	for _, d := range st.Diverged(c.Names) {
		out = append(out, Violation{Check: "converged", Msg: d})
	}
	out = append(out, c.dots(h)...)
	for _, key := range h.Keys() {
		ws := h.ForKey(key)
		for _, node := range st.Replicas[key] {
			set := st.Copies[key][node]
			out = append(out, c.key(key, node, set, ws)...)
		}
		if c.Calm {
			out = append(out, c.available(key, ws)...)
		}
	}
	return out
}

type rawNames struct{}

func (rawNames) Dot(d version.Dot) string { return fmt.Sprintf("%s:%d", d.Node, d.Counter) }

func (r rawNames) Set(s version.Set) string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = r.Dot(s[i].Dot) + "=" + strconv.Quote(string(s[i].Value))
	}
	return "{" + strings.Join(out, " ") + "}"
}

// dots reports a dot issued to two writes of one key.
func (c Checker) dots(h *History) []Violation {
	type keyDot struct {
		key string
		dot version.Dot
	}
	first := map[keyDot]Write{}
	var out []Violation
	for _, w := range h.Writes {
		if w.Dot == (version.Dot{}) {
			continue
		}
		if p, ok := first[keyDot{w.Key, w.Dot}]; ok {
			out = append(out, Violation{Check: "dot", Key: w.Key, Msg: fmt.Sprintf("%s issued twice: op %d (%s %q) and op %d (%s %q)",
				c.Names.Dot(w.Dot), p.Seq, p.Cmd, p.Value, w.Seq, w.Cmd, w.Value)})
			continue
		}
		first[keyDot{w.Key, w.Dot}] = w
	}
	return out
}

// key checks one replica's final set of key against key's writes.
func (c Checker) key(key, node string, set version.Set, ws []Write) []Violation {
	var out []Violation
	add := func(check, format string, args ...any) {
		out = append(out, Violation{Check: check, Key: key, Msg: node + ": " + fmt.Sprintf(format, args...)})
	}
	elems := union(set)
	hasDel := slices.ContainsFunc(ws, func(w Write) bool { return w.Cmd == "del" })
	for _, w := range ws {
		switch {
		case !w.Acked:
		case w.Cmd == "del":
			for _, sb := range set.Live(forever) {
				if w.Context.Covers(sb.Dot) {
					add("deleted", "%s=%q is live again though op %d's acknowledged delete covered it", c.Names.Dot(sb.Dot), sb.Value, w.Seq)
				}
			}
		default:
			if msg := c.survives(w, set); msg != "" && !deleted(w.Dot, ws) {
				add("acked", "op %d's acknowledged %s %s=%q %s", w.Seq, w.Cmd, c.Names.Dot(w.Dot), w.Value, msg)
			}
			if w.Cmd == "vset" && !hasDel && !slices.Contains(elems, w.Elem) {
				add("set-add", "acknowledged element %s (op %d) is missing from %v", w.Elem, w.Seq, elems)
			}
		}
	}
	return append(out, c.counter(key, node, set, ws)...)
}

// deleted reports whether a delete that may have been stored claimed to
// cover d: once every primary holds its tombstone, the key may be
// reaped, history and all. (A delete whose acknowledgement was lost, and
// whose dot the client never learnt, counts too: its claim bounds what
// its tombstone covers.)
func deleted(d version.Dot, ws []Write) bool {
	return slices.ContainsFunc(ws, func(w Write) bool {
		return w.Cmd == "del" && (w.Acked || w.Maybe) && w.Claim.Covers(d)
	})
}

// survives explains how w's version is missing from set, or returns "".
func (c Checker) survives(w Write, set version.Set) string {
	for i := range set {
		if set[i].Dot == w.Dot {
			if string(set[i].Value) != w.Value || set[i].Tombstone {
				return fmt.Sprintf("holds another value %q under its dot", set[i].Value)
			}
			return ""
		}
	}
	if set.Context().Covers(w.Dot) {
		return ""
	}
	return "is lost: no version holds or covers it in " + fmt.Sprint(len(set)) + " siblings"
}

// counter checks a key only ever incremented.
func (c Checker) counter(key, node string, set version.Set, ws []Write) []Violation {
	acked, maybe := 0, 0
	for _, w := range ws {
		if w.Cmd != "incr" {
			return nil
		}
		if w.Acked {
			acked++
		}
		if w.Acked || w.Maybe {
			maybe++
		}
	}
	var out []Violation
	live := set.Live(forever)
	for _, sb := range live {
		if n, err := strconv.Atoi(string(sb.Value)); err != nil || n > maybe {
			out = append(out, Violation{Check: "counter", Key: key, Msg: fmt.Sprintf("%s: %s=%q, more than the %d increments that may have been stored",
				node, c.Names.Dot(sb.Dot), sb.Value, maybe)})
		}
	}
	if !c.Calm || acked == 0 || c.concurrent[key] {
		return out
	}
	if w, ok := set.Winner(forever); len(live) != 1 || !ok || string(w.Value) != strconv.Itoa(acked) {
		out = append(out, Violation{Check: "counter", Key: key, Msg: fmt.Sprintf("%s: %d acknowledged increments, the replica holds %d siblings %v",
			node, acked, len(live), values(live))})
	}
	return out
}

func values(live []*version.Sibling) []string {
	out := make([]string, len(live))
	for i, sb := range live {
		out[i] = string(sb.Value)
	}
	return out
}

// available reports writes a calm run did not acknowledge.
func (c Checker) available(key string, ws []Write) []Violation {
	var out []Violation
	for _, w := range ws {
		if !w.Acked {
			out = append(out, Violation{Check: "available", Key: key, Msg: fmt.Sprintf("op %d (%s via %s) failed in a calm run: %s", w.Seq, w.Cmd, w.Via, w.Err)})
		}
	}
	return out
}
