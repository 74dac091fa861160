package replicatest

import (
	"errors"
	"slices"
	"strings"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
)

// Write is one client write attempt, acknowledged or not.
type Write struct {
	Seq   int    // position of its op in the run
	Cmd   string // put, vset, incr or del
	Key   string
	Via   string // the node the client talked to
	Value string // the value written; "" for a delete
	Elem  string // vset: the element added
	// Dot is the new version's dot; zero when unknown (nothing written, or
	// written by a replica that did not answer).
	Dot version.Dot
	// Context is what the writer had seen, plus Dot (replica.Result's):
	// a delete's tombstone supersedes what it covers.
	Context version.Context
	// Claim is the context the writer's decision named: what its read
	// had seen. The stored version's past is at most that.
	Claim version.Context
	Acked bool   // Update returned no error
	Maybe bool   // not acknowledged, yet it may have been stored
	Err   string // the error, if any
}

// History is a run's client writes, in the order they were made.
type History struct {
	Writes []Write
	// Concurrent lists keys whose read-modify-writes may have
	// interleaved: two client ops wrote them at once without routing
	// (Config.Direct). Counters are exact only without that.
	Concurrent map[string]bool
}

// recorded completes an attempt with Update's outcome. local says the
// coordinator ran it itself (it is one of the key's replicas): then a
// failed quorum read means nothing was stored. Elsewhere (applyRemote)
// the error may follow an attempt at another replica that timed out but
// stored the write.
func recorded(w Write, res replica.Result, err error, local bool) Write {
	w.Dot, w.Context, w.Acked = res.Dot, res.Context, err == nil
	if err != nil {
		w.Err = err.Error()
		w.Maybe = !local || !readFailed(err) || res.Written()
	}
	return w
}

// readFailed reports whether err is a read quorum failure: an Update with
// Read stores nothing then.
func readFailed(err error) bool {
	var qe *replica.QuorumError
	return errors.As(err, &qe) && strings.HasSuffix(qe.Op, "R")
}

// ForKey returns the attempts on key, in order.
func (h *History) ForKey(key string) []Write {
	var out []Write
	for _, w := range h.Writes {
		if w.Key == key {
			out = append(out, w)
		}
	}
	return out
}

// Keys returns every key written, sorted.
func (h *History) Keys() []string {
	var out []string
	for _, w := range h.Writes {
		if !slices.Contains(out, w.Key) {
			out = append(out, w.Key)
		}
	}
	slices.Sort(out)
	return out
}

// elements splits a set-add value into its elements.
func elements(v []byte) []string {
	if len(v) == 0 {
		return nil
	}
	return strings.Split(string(v), ",")
}

// union returns the sorted union of the elements of s's live siblings,
// plus extra.
func union(s version.Set, extra ...string) []string {
	out := slices.Clone(extra)
	for i := range s {
		if !s[i].Tombstone {
			out = append(out, elements(s[i].Value)...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
