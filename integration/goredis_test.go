package integration

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// doer is what *redis.Client and *redis.Conn share.
type doer interface {
	Do(ctx context.Context, args ...any) *redis.Cmd
}

// checker runs commands through go-redis and checks the decoded replies.
type checker struct {
	t     *testing.T
	c     doer
	proto int
}

// do runs a command that must succeed (a nil reply is allowed: nil).
func (k checker) do(args ...any) any {
	k.t.Helper()
	v, err := k.c.Do(context.Background(), args...).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		k.t.Fatalf("%v: unexpected error %q", args, err)
	}
	return v
}

// is checks the reply's value and Go type (string, int64, []any, map...).
func (k checker) is(want any, args ...any) {
	k.t.Helper()
	v, err := k.c.Do(context.Background(), args...).Result()
	if err != nil {
		k.t.Errorf("%v: got error %q, want %#v", args, err, want)
		return
	}
	if !reflect.DeepEqual(v, want) {
		k.t.Errorf("%v: got %#v (%T), want %#v (%T)", args, v, v, want, want)
	}
}

// isNil checks for a nil reply (redis.Nil, not an error).
func (k checker) isNil(args ...any) {
	k.t.Helper()
	v, err := k.c.Do(context.Background(), args...).Result()
	if !errors.Is(err, redis.Nil) {
		k.t.Errorf("%v: got %#v, %v; want nil reply", args, v, err)
	}
}

// isErr checks for an error reply with exactly this text.
func (k checker) isErr(want string, args ...any) {
	k.t.Helper()
	v, err := k.c.Do(context.Background(), args...).Result()
	var rerr redis.Error
	switch {
	case err == nil || errors.Is(err, redis.Nil):
		k.t.Errorf("%v: got %#v, want error %q", args, v, want)
	case !errors.As(err, &rerr):
		k.t.Errorf("%v: got non-reply error %v, want error %q", args, err, want)
	case err.Error() != want:
		k.t.Errorf("%v: got error\n\t%q\nwant\n\t%q", args, err.Error(), want)
	}
}

// isErrPrefix checks for an error reply starting with prefix.
func (k checker) isErrPrefix(prefix string, args ...any) {
	k.t.Helper()
	v, err := k.c.Do(context.Background(), args...).Result()
	var rerr redis.Error
	if !errors.As(err, &rerr) || !strings.HasPrefix(err.Error(), prefix) {
		k.t.Errorf("%v: got %#v, %v; want an error starting with %q", args, v, err, prefix)
	}
}

// inRange checks an integer reply lies in [lo, hi].
func (k checker) inRange(lo, hi int64, args ...any) {
	k.t.Helper()
	v, err := k.c.Do(context.Background(), args...).Int64()
	if err != nil || v < lo || v > hi {
		k.t.Errorf("%v: got %d, %v; want an integer in [%d, %d]", args, v, err, lo, hi)
	}
}

// str runs a command that must answer a string.
func (k checker) str(args ...any) string {
	k.t.Helper()
	v := k.do(args...)
	s, ok := v.(string)
	if !ok {
		k.t.Fatalf("%v: got %#v (%T), want a string", args, v, v)
	}
	return s
}

// array runs a command that must answer an array.
func (k checker) array(args ...any) []any {
	k.t.Helper()
	v := k.do(args...)
	a, ok := v.([]any)
	if !ok {
		k.t.Fatalf("%v: got %#v (%T), want an array", args, v, v)
	}
	return a
}

// pairs turns a RESP2 flat array or a RESP3 map into a map, checking that
// RESP3 answered a map and RESP2 an array.
func (k checker) pairs(args ...any) map[string]any {
	k.t.Helper()
	v := k.do(args...)
	out := map[string]any{}
	switch m := v.(type) {
	case map[any]any:
		if k.proto != 3 {
			k.t.Errorf("%v: RESP2 got a map %#v", args, v)
		}
		for key, val := range m {
			out[fmt.Sprint(key)] = val
		}
	case []any:
		if k.proto == 3 {
			k.t.Errorf("%v: RESP3 got an array, want a map: %#v", args, v)
		}
		if len(m)%2 != 0 {
			k.t.Fatalf("%v: odd-length pair array %#v", args, v)
		}
		for i := 0; i < len(m); i += 2 {
			out[fmt.Sprint(m[i])] = m[i+1]
		}
	default:
		k.t.Fatalf("%v: got %#v (%T), want a map or pair array", args, v, v)
	}
	return out
}

// strs converts an array reply of strings.
func strs(t *testing.T, a []any) []string {
	t.Helper()
	out := make([]string, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			t.Fatalf("element %d of %#v is %T, want string", i, a, e)
		}
		out[i] = s
	}
	return out
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// TestGoRedis runs the plain Redis command set through go-redis, once over
// RESP2 and once over RESP3, each against its own node.
func TestGoRedis(t *testing.T) {
	t.Parallel()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			t.Parallel()
			n := StartNode(t, NodeOptions{})
			c := n.Client(t, proto)
			groups := []struct {
				name string
				run  func(*testing.T, checker, *Node)
			}{
				{"connection", testConnection},
				{"client", testClientCommand},
				{"command", testCommandCommand},
				{"config", testConfig},
				{"info", testInfo},
				{"server", testServerCommands},
				{"keys", testKeys},
				{"scan", testScan},
				{"expire", testExpire},
				{"set", testSetOptions},
				{"strings", testStrings},
				{"counters", testCounters},
				{"expiry", testExpiry},
			}
			for _, g := range groups {
				t.Run(g.name, func(t *testing.T) { g.run(t, checker{t, c, proto}, n) })
			}
		})
	}
}

// TestGoRedisAuth checks AUTH against a node with --requirepass over RESP2
// and RESP3: NOAUTH before AUTH, WRONGPASS, then success; and go-redis
// clients configured with the right and a wrong password.
func TestGoRedisAuth(t *testing.T) {
	t.Parallel()
	n := StartNode(t, NodeOptions{Password: "s3cret"})
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx := context.Background()
			anon := redis.NewClient(&redis.Options{Addr: n.Addr(), Protocol: proto, MaxRetries: -1})
			t.Cleanup(func() { _ = anon.Close() })
			conn := anon.Conn()
			defer conn.Close()
			k := checker{t, conn, proto}
			k.isErr("NOAUTH Authentication required.", "GET", "k")
			k.isErr("NOAUTH Authentication required.", "PING")
			k.isErr("NOAUTH Authentication required.", "SET", "k", "v")
			k.isErr("WRONGPASS invalid username-password pair or user is disabled.", "AUTH", "wrong")
			k.isErr("WRONGPASS invalid username-password pair or user is disabled.", "AUTH", "default", "wrong")
			k.isErr("ERR syntax error", "AUTH", "a", "b", "c")
			k.isErr("NOAUTH Authentication required.", "GET", "k")
			k.is("OK", "AUTH", "s3cret")
			k.isNil("GET", "k")
			k.is("OK", "AUTH", "default", "s3cret")
			k.is("PONG", "PING")

			good := n.Client(t, proto) // Password set: HELLO ... AUTH in the handshake
			if err := good.Set(ctx, "auth:k", "v", 0).Err(); err != nil {
				t.Errorf("client with the password: SET: %v", err)
			}
			if v, err := good.Get(ctx, "auth:k").Result(); err != nil || v != "v" {
				t.Errorf("client with the password: GET = %q, %v", v, err)
			}
			kg := checker{t, good, proto}
			if hello := kg.pairs("HELLO", proto, "AUTH", "default", "s3cret"); hello["proto"] != int64(proto) {
				t.Errorf("HELLO %d AUTH default s3cret: %#v", proto, hello)
			}
			kg.isErr("WRONGPASS invalid username-password pair or user is disabled.", "HELLO", proto, "AUTH", "default", "nope")

			bad := redis.NewClient(&redis.Options{Addr: n.Addr(), Protocol: proto, Password: "nope", MaxRetries: -1})
			t.Cleanup(func() { _ = bad.Close() })
			if err := bad.Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "WRONGPASS") {
				t.Errorf("client with a wrong password: PING error %v, want WRONGPASS", err)
			}
		})
	}
}
