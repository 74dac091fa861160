package command

import (
	"testing"

	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// vget returns VGET's context and values.
func (f *fixture) vget(key string) (string, []string) {
	f.t.Helper()
	r := f.do("VGET", key)
	if r.IsError() || len(r.Elems) != 2 {
		f.t.Fatalf("VGET %s: %s", key, r)
	}
	var vals []string
	for _, v := range r.Elems[1].Elems {
		vals = append(vals, v.Text())
	}
	return r.Elems[0].Text(), vals
}

// DESIGN.md, Data model: two writes made with the same context become two
// siblings; a write whose context covers all siblings replaces them.
func TestVersionedSiblings(t *testing.T) {
	f := newFixture(t)
	if r := f.do("VGET", "k").String(); r != "1) (nil)\n2) (empty array)" {
		t.Fatalf("VGET of a missing key: %s", r)
	}
	c1 := f.do("VSET", "k", "a").Text()
	ctx, vals := f.vget("k")
	if len(vals) != 1 || vals[0] != "a" || ctx != c1 {
		t.Fatalf("after one VSET: ctx %q vals %q, want %q [a]", ctx, vals, c1)
	}
	f.kv.advance(1)
	f.do("VSET", "k", "b", "CONTEXT", ctx)
	f.kv.advance(1)
	f.do("VSET", "k", "c", "CONTEXT", ctx)
	ctx2, vals := f.vget("k")
	if len(vals) != 2 {
		t.Fatalf("two VSETs with the same context: %q, want two siblings", vals)
	}
	if r := f.do("GET", "k").Text(); r != "c" {
		t.Errorf("GET with siblings = %q, want the newest, c", r)
	}
	c3 := f.do("VSET", "k", "merged", "CONTEXT", ctx2).Text()
	if _, vals = f.vget("k"); len(vals) != 1 || vals[0] != "merged" {
		t.Fatalf("VSET with VGET's context: %q, want [merged]", vals)
	}
	// VSET's reply is the writer's context, not the set's: a concurrent
	// sibling the writer never saw survives its next write.
	f.kv.advance(1)
	f.do("VSET", "k", "other") // no context: a new sibling
	f.kv.advance(1)
	f.do("VSET", "k", "mine2", "CONTEXT", c3)
	if _, vals = f.vget("k"); len(vals) != 2 {
		t.Errorf("write with an old context superseded an unseen sibling: %q", vals)
	}
	// VDEL with the full context leaves a tombstone: context, no values.
	ctx, _ = f.vget("k")
	dctx := f.do("VDEL", "k", "CONTEXT", ctx).Text()
	ctx, vals = f.vget("k")
	if len(vals) != 0 || ctx != dctx || ctx == "" {
		t.Errorf("after VDEL: ctx %q vals %q, want %q []", ctx, vals, dctx)
	}
	if r := f.do("EXISTS", "k").String(); r != "(integer) 0" {
		t.Errorf("EXISTS after VDEL: %s", r)
	}
}

// A plain SET supersedes every sibling the coordinator holds.
func TestSetSupersedesSiblings(t *testing.T) {
	f := newFixture(t)
	f.do("VSET", "k", "a")
	f.do("VSET", "k", "b")
	if _, vals := f.vget("k"); len(vals) != 2 {
		t.Fatalf("two VSETs without context: %q", vals)
	}
	f.do("SET", "k", "c")
	if _, vals := f.vget("k"); len(vals) != 1 || vals[0] != "c" {
		t.Errorf("after SET: %q, want [c]", vals)
	}
}

func TestVersionedErrors(t *testing.T) {
	f := newFixture(t)
	f.script(`
		> VSET k v CONTEXT garbage
		(error) ERR invalid context: not a context returned by VGET, VSET or VDEL
		> VSET k v W 0
		(error) ERR W must be an integer between 1 and N=3
		> VSET k v W 4
		(error) ERR W must be an integer between 1 and N=3
		> VSET k v W x
		(error) ERR W must be an integer between 1 and N=3
		> VSET k v R 1
		(error) ERR syntax error
		> VSET k v CONTEXT
		(error) ERR syntax error
		> VGET k R 0
		(error) ERR R must be an integer between 1 and N=3
		> VGET k CONTEXT x
		(error) ERR syntax error
		> VDEL k W 1
		(error) ERR VDEL needs CONTEXT: the context from VGET of the versions to delete
		> VDEL k
		(error) ERR wrong number of arguments for 'vdel' command
	`)
	f.do("VGET", "k", "R", "3")
	f.do("VSET", "k", "v", "W", "1", "CONTEXT", "")
	if f.kv.lastR != 3 || f.kv.lastW != 1 {
		t.Errorf("R/W passed to KV: %d %d, want 3 1", f.kv.lastR, f.kv.lastW)
	}
	f.do("GET", "k")
	if f.kv.lastR != 0 {
		t.Errorf("GET passed R=%d, want 0 (the node's default)", f.kv.lastR)
	}
}

func TestErrorReplies(t *testing.T) {
	f := newFixture(t)
	f.kv.err = &replica.QuorumError{Op: "W", Need: 2, Got: 1}
	for _, c := range [][]string{{"SET", "k", "v"}, {"VSET", "k", "v"}, {"DEL", "k"}, {"INCR", "k"}} {
		if r := f.do(c...).String(); r != "(error) NOQUORUM wanted W=2, got 1" {
			t.Errorf("%v: %s", c, r)
		}
	}
	f.kv.err = version.ErrCorrupt
	if r := f.do("GET", "k").String(); r != "(error) ERR version: corrupt sibling set encoding" {
		t.Errorf("GET with a KV error: %s", r)
	}
	if r := errorReply(&replyError{resp.Err("ERR x")}); r.Str != "ERR x" {
		t.Errorf("replyError: %s", r)
	}
}
