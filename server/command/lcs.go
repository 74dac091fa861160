package command

import (
	"math"
	"strings"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/resp"
)

// lcsOpts are LCS's options.
type lcsOpts struct {
	getLen, getIdx, withLen bool
	minLen                  int64
}

// parseLCSOpts parses [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] in any
// order, later ones winning.
func parseLCSOpts(args [][]byte) (lcsOpts, resp.Reply) {
	var o lcsOpts
	for j := 0; j < len(args); j++ {
		switch opt := strings.ToLower(string(args[j])); {
		case opt == "idx":
			o.getIdx = true
		case opt == "len":
			o.getLen = true
		case opt == "withmatchlen":
			o.withLen = true
		case opt == "minmatchlen" && j+1 < len(args):
			n, ok := resp.ParseInt(args[j+1])
			if !ok {
				return o, errNotInteger
			}
			o.minLen = max(n, 0)
			j++
		default:
			return o, errSyntax
		}
	}
	if o.getLen && o.getIdx {
		return o, resp.Err("ERR If you want both the length and indexes, please just use IDX.")
	}
	return o, resp.Reply{}
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: missing keys
// are empty strings. Two reads: not atomic across the keys.
func (d *Dispatcher) lcs(s *Session, args [][]byte) resp.Reply {
	var vals [2][]byte
	for i := range vals {
		v, ok, err := d.readValue(s, args[1+i])
		switch {
		case err != nil:
			return errorReply(err)
		case ok && !crdt.IsString(v.Kind):
			return resp.Err("ERR The specified keys must contain string values")
		case ok:
			vals[i] = v.Bytes
		}
	}
	o, r := parseLCSOpts(args[3:])
	if r.IsError() {
		return r
	}
	a, b := vals[0], vals[1]
	if len(a) >= math.MaxUint32-1 || len(b) >= math.MaxUint32-1 {
		return resp.Err("ERR String too long for LCS")
	}
	if lcsTableBytes(len(a), len(b)) > uint64(d.env.Settings.ProtoMaxBulkLen()) {
		return resp.Err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
	}
	t := newLCSTable(a, b)
	if o.getLen {
		return resp.Int(t.length())
	}
	seq, matches := t.walk(o.minLen)
	if !o.getIdx {
		return resp.Bulk(seq)
	}
	out := make([]resp.Reply, len(matches))
	for i, m := range matches {
		e := []resp.Reply{resp.Array(resp.Int(int64(m.a0)), resp.Int(int64(m.a1))),
			resp.Array(resp.Int(int64(m.b0)), resp.Int(int64(m.b1)))}
		if o.withLen {
			e = append(e, resp.Int(m.len()))
		}
		out[i] = resp.Array(e...)
	}
	return resp.Map(resp.BulkString("matches"), resp.Array(out...), resp.BulkString("len"), resp.Int(t.length()))
}
