package command

import (
	"math/rand/v2"
	"strings"

	"github.com/ringkv/ringkv/replica/crdt"
	"github.com/ringkv/ringkv/resp"
)

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key
func (d *Dispatcher) pfdebug(s *Session, args [][]byte) resp.Reply {
	sub := string(args[1])
	v, ok, err := d.readValue(s, args[2])
	switch {
	case err != nil:
		return errorReply(err)
	case !ok:
		return resp.Err("ERR The specified key does not exist")
	}
	b, err := hllValue(v)
	if err != nil {
		return errorReply(err)
	}
	switch strings.ToLower(sub) {
	case "getreg":
		dense, r := d.pfToDense(s, args[2], b)
		if r.IsError() {
			return r
		}
		out := make([]resp.Reply, crdt.HLLRegisters)
		for i := range out {
			out[i] = resp.Int(int64(crdt.HLLDenseRegister(dense, i)))
		}
		return resp.Array(out...)
	case "decode":
		if crdt.HLLDense(b) {
			return resp.Err("ERR HLL encoding is not sparse")
		}
		return resp.BulkString(crdt.HLLDecode(b))
	case "encoding":
		if crdt.HLLDense(b) {
			return resp.Simple("dense")
		}
		return resp.Simple("sparse")
	case "todense":
		if crdt.HLLDense(b) {
			return resp.Int(0)
		}
		if _, r := d.pfToDense(s, args[2], b); r.IsError() {
			return r
		}
		return resp.Int(1)
	}
	return resp.Errf("ERR Unknown PFDEBUG subcommand '%s'", sub)
}

// pfToDense returns b (key's HLL) dense, storing the conversion if b was
// sparse.
func (d *Dispatcher) pfToDense(s *Session, key, b []byte) ([]byte, resp.Reply) {
	if crdt.HLLDense(b) {
		return b, resp.Reply{}
	}
	var out []byte
	err := d.hllWrite(s, key, func(b []byte) ([]byte, error) {
		if b == nil {
			return nil, &replyError{resp.Err("ERR The specified key does not exist")}
		}
		nb, err := crdt.HLLToDense(b)
		if err != nil {
			return nil, hllErr(err)
		}
		out = nb
		if crdt.HLLDense(b) {
			return nil, nil
		}
		return nb, nil
	})
	if err != nil {
		return nil, errorReply(err)
	}
	return out, resp.Reply{}
}

// PFSELFTEST: Redis's self-test of the HLL code: dense register access,
// then 10 million adds to a dense and a sparse HLL whose counts must
// agree and stay within bounds at every power of ten.
func (d *Dispatcher) pfselftest(s *Session, args [][]byte) resp.Reply {
	if msg := crdt.HLLSelfTest(rand.Uint64(), 10_000_000); msg != "" {
		return resp.Err("TESTFAILED " + msg)
	}
	return resp.OK()
}
