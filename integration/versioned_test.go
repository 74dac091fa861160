package integration

import (
	"context"
	"slices"
	"testing"
)

// vget runs VGET and splits its [context, [values...]] reply, checking the
// shape. A nil context is "".
func vget(t *testing.T, c doer, key string) (ctx string, vals []string) {
	t.Helper()
	v, err := c.Do(context.Background(), "VGET", key).Result()
	if err != nil {
		t.Fatalf("VGET %s: %v", key, err)
	}
	a, ok := v.([]any)
	if !ok || len(a) != 2 {
		t.Fatalf("VGET %s = %#v, want [context, [values]]", key, v)
	}
	if a[0] != nil {
		if ctx, ok = a[0].(string); !ok || ctx == "" {
			t.Fatalf("VGET %s: context %#v is not a non-empty bulk string", key, a[0])
		}
		checkPrintable(t, ctx)
	}
	list, ok := a[1].([]any)
	if !ok {
		t.Fatalf("VGET %s: values %#v is not an array", key, a[1])
	}
	return ctx, strs(t, list)
}

// checkPrintable: contexts are printable ASCII, safe to copy from redis-cli.
func checkPrintable(t *testing.T, ctx string) {
	t.Helper()
	for _, r := range ctx {
		if r <= ' ' || r > '~' || r == '"' || r == '\'' || r == '\\' {
			t.Errorf("context %q has %q: not safe to copy from redis-cli", ctx, r)
			return
		}
	}
}

// vwrite runs VSET or VDEL and returns the context it answers.
func vwrite(t *testing.T, c doer, args ...any) string {
	t.Helper()
	v, err := c.Do(context.Background(), args...).Result()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	ctx, ok := v.(string)
	if !ok || ctx == "" {
		t.Fatalf("%v = %#v, want a context (bulk string)", args, v)
	}
	checkPrintable(t, ctx)
	return ctx
}

// TestVersioned checks VGET/VSET/VDEL (DESIGN.md "Versioned commands";
// Dynamo §4.4) on one node over RESP2 and RESP3.
func TestVersioned(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{})
	for _, proto := range []int{2, 3} {
		c := n.Client(t, proto)
		k := checker{t, c, proto}
		key := "v:" + string(rune('0'+proto))

		if ctx, vals := vget(t, c, key); ctx != "" || len(vals) != 0 {
			t.Errorf("VGET never-written key = [%q, %q], want [nil, []]", ctx, vals)
		}
		k.is([]any{nil, []any{}}, "VGET", key)

		// Two writes without context: concurrent, two siblings.
		vwrite(t, c, "VSET", key, "a")
		vwrite(t, c, "VSET", key, "b")
		ctx, vals := vget(t, c, key)
		if !slices.Equal(sorted(vals), []string{"a", "b"}) {
			t.Fatalf("after two VSETs without context: values %q, want siblings a and b", vals)
		}
		if _, again := vget(t, c, key); !slices.Equal(again, vals) {
			t.Errorf("sibling order not deterministic: %q then %q", vals, again)
		}
		winner := k.str("GET", key)
		if !slices.Contains(vals, winner) {
			t.Errorf("GET with siblings %q = %q, want one of them", vals, winner)
		}
		for range 3 {
			k.is(winner, "GET", key)
		}
		k.is(int64(1), "EXISTS", key)

		// A write with the context covering both replaces them.
		vwrite(t, c, "VSET", key, "c", "CONTEXT", ctx)
		ctx2, vals := vget(t, c, key)
		if !slices.Equal(vals, []string{"c"}) {
			t.Fatalf("VSET with the VGET context: values %q, want [c]", vals)
		}
		k.is("c", "GET", key)

		// A stale context makes a sibling of the newer write.
		vwrite(t, c, "VSET", key, "d", "CONTEXT", ctx2)
		vwrite(t, c, "VSET", key, "e", "CONTEXT", ctx2)
		ctx3, vals := vget(t, c, key)
		if !slices.Equal(sorted(vals), []string{"d", "e"}) {
			t.Fatalf("two VSETs with the same context: values %q, want siblings d, e", vals)
		}

		// VDEL with the context: a tombstone, its context, no values.
		del := vwrite(t, c, "VDEL", key, "CONTEXT", ctx3)
		ctx4, vals := vget(t, c, key)
		if ctx4 == "" || len(vals) != 0 {
			t.Errorf("VGET after VDEL = [%q, %q], want [context, []]", ctx4, vals)
		}
		if ctx4 != del {
			t.Logf("VDEL answered %q, VGET %q", del, ctx4)
		}
		k.isNil("GET", key)
		k.is(int64(0), "EXISTS", key)

		// SET supersedes siblings; DEL leaves a tombstone context.
		vwrite(t, c, "VSET", key, "x")
		vwrite(t, c, "VSET", key, "y")
		k.is("OK", "SET", key, "z")
		if _, vals := vget(t, c, key); !slices.Equal(vals, []string{"z"}) {
			t.Errorf("VGET after SET over siblings: %q, want [z]", vals)
		}
		k.is(int64(1), "DEL", key)
		if ctx, vals := vget(t, c, key); ctx == "" || len(vals) != 0 {
			t.Errorf("VGET after DEL = [%q, %q], want [context, []]", ctx, vals)
		}
		// VSET of a plain SET key with its context: one value.
		k.is("OK", "SET", key+"p", "1")
		pctx, _ := vget(t, c, key+"p")
		vwrite(t, c, "VSET", key+"p", "2", "CONTEXT", pctx)
		if _, vals := vget(t, c, key+"p"); !slices.Equal(vals, []string{"2"}) {
			t.Errorf("VSET with context over a SET value: %q, want [2]", vals)
		}

		// Errors.
		k.isErrPrefix("ERR", "VSET", key, "v", "CONTEXT", "not-a-context!")
		k.isErrPrefix("ERR", "VSET", key, "v", "CONTEXT", ctx3+"x")
		k.isErrPrefix("ERR", "VDEL", key, "CONTEXT", "garbage")
		k.isErrPrefix("ERR", "VSET", key, "v", "W", 0)
		k.isErrPrefix("ERR", "VSET", key, "v", "W", "abc")
		k.isErrPrefix("ERR", "VGET", key, "R", 0)
		k.isErrPrefix("ERR", "VSET", key, "v", "FOO", "bar")
		k.isErrPrefix("ERR", "VSET", key, "v", "CONTEXT")
		k.isErrPrefix("ERR", "VDEL", key, "W", 1)
		k.isErr("ERR wrong number of arguments for 'vget' command", "VGET")
		k.isErr("ERR wrong number of arguments for 'vset' command", "VSET", key)
		k.isErr("ERR wrong number of arguments for 'vdel' command", "VDEL", key)
		vwrite(t, c, "VSET", key, "w1", "W", 1)
		if _, err := c.Do(context.Background(), "VGET", key, "R", 1).Result(); err != nil {
			t.Errorf("VGET R 1: %v", err)
		}
	}
}
