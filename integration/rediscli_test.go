package integration

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cli runs redis-cli against the node (stdin may be nil) and returns its
// output; a non-zero exit fails the test.
func cli(t *testing.T, n *Node, stdin []byte, args ...string) string {
	t.Helper()
	bin := RequireTool(t, "redis-cli")
	args = append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(n.Opts.Port)}, args...)
	out, err := runTool(t, 2*time.Minute, stdin, bin, args...)
	if err != nil {
		t.Fatalf("redis-cli %q: %v\n%s", args, err, out)
	}
	return out
}

// TestRedisCLI drives a node with redis-cli one-shot commands, a stdin
// session (the VSET/VGET siblings scenario), --scan and --pipe.
func TestRedisCLI(t *testing.T) {
	t.Parallel()
	RequireTool(t, "redis-cli")
	n := StartNode(t, NodeOptions{})

	t.Run("one-shot", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"SET", "a", "1"}, "OK\n"},
			{[]string{"GET", "a"}, "1\n"},
			{[]string{"GET", "missing"}, "\n"},
			{[]string{"--no-raw", "GET", "a"}, "\"1\"\n"},
			{[]string{"--no-raw", "GET", "missing"}, "(nil)\n"},
			{[]string{"INCR", "n"}, "1\n"},
			{[]string{"--no-raw", "INCR", "n"}, "(integer) 2\n"},
			{[]string{"--no-raw", "MGET", "a", "missing"}, "1) \"1\"\n2) (nil)\n"},
			{[]string{"--no-raw", "SWAPDB", "k", "v"}, "(error) ERR unknown command 'SWAPDB', with args beginning with: 'k' 'v' \n"},
			{[]string{"--no-raw", "VGET", "never"}, "1) (nil)\n2) (empty array)\n"},
			{[]string{"-3", "--no-raw", "GET", "missing"}, "(nil)\n"},
			{[]string{"-3", "--no-raw", "MGET", "a", "missing"}, "1) \"1\"\n2) (nil)\n"},
		} {
			if got := cli(t, n, nil, c.args...); got != c.want {
				t.Errorf("redis-cli %q:\n got %q\nwant %q", c.args, got, c.want)
			}
		}
	})

	t.Run("RESP3 HELLO", func(t *testing.T) {
		out := cli(t, n, nil, "-3", "HELLO", "3")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if !slices.Contains(lines, "proto 3") || !strings.HasPrefix(out, "server ") {
			t.Errorf("redis-cli -3 HELLO 3: want a map with \"proto 3\", got:\n%s", out)
		}
		noRaw := cli(t, n, nil, "-3", "--no-raw", "HELLO", "3")
		if !strings.Contains(noRaw, `"proto" => (integer) 3`) {
			t.Errorf("redis-cli -3 --no-raw HELLO 3: want a map, got:\n%s", noRaw)
		}
		if got := cli(t, n, nil, "-3", "--no-raw", "CONFIG", "GET", "maxclients"); got != "1# \"maxclients\" => \"10000\"\n" {
			t.Errorf("redis-cli -3 CONFIG GET maxclients: %q", got)
		}
	})

	t.Run("stdin session", func(t *testing.T) {
		out := cli(t, n, []byte("SET s:a 1\nGET s:a\nVSET s:v x\nVSET s:v y\nVGET s:v\nGET s:nothing\nPING\n"))
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		// SET, GET, two contexts, VGET's context and two siblings, an empty line for nil, PONG.
		if len(lines) != 9 || lines[0] != "OK" || lines[1] != "1" || lines[7] != "" || lines[8] != "PONG" {
			t.Fatalf("redis-cli session output:\n%s", out)
		}
		ctx := lines[4]
		if sibs := sorted(lines[5:7]); !slices.Equal(sibs, []string{"x", "y"}) || ctx == "" {
			t.Fatalf("VGET after two VSETs: context %q, values %q; want x and y", ctx, lines[5:7])
		}
		// Paste the context as a user would, unquoted.
		out = cli(t, n, []byte(fmt.Sprintf("VSET s:v z CONTEXT %s\nVGET s:v\nGET s:v\n", ctx)))
		lines = strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != 4 || lines[2] != "z" || lines[3] != "z" {
			t.Errorf("VSET with the pasted context, then VGET, GET:\n%s\nwant a context, a context, z, z", out)
		}
		out = cli(t, n, []byte(fmt.Sprintf("VDEL s:v CONTEXT %s\nVGET s:v\nGET s:v\n", lines[1])))
		lines = strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		// redis-cli prints an empty array as an empty line in raw mode.
		if len(lines) != 4 || lines[0] == "" || lines[1] == "" || lines[2] != "" || lines[3] != "" {
			t.Errorf("VDEL, VGET, GET:\n%q\nwant a context, a context and an empty line (no values), nil", lines)
		}
	})

	t.Run("scan", func(t *testing.T) {
		var cmds bytes.Buffer
		var want []string
		for i := range 120 {
			fmt.Fprintf(&cmds, "SET user:%d %d\nSET other:%d x\n", i, i, i)
			want = append(want, fmt.Sprintf("user:%d", i))
		}
		cli(t, n, cmds.Bytes())
		out := cli(t, n, nil, "--scan", "--pattern", "user:*")
		got := strings.Fields(out)
		slices.Sort(got)
		got = slices.Compact(got)
		if !slices.Equal(got, sorted(want)) {
			t.Errorf("redis-cli --scan --pattern 'user:*': %d distinct keys, want the 120 user:N keys\n%.500s", len(got), out)
		}
	})

	t.Run("pipe", func(t *testing.T) {
		const keys = 100000
		cli(t, n, nil, "FLUSHALL")
		var stream bytes.Buffer
		for i := range keys {
			k, v := fmt.Sprintf("pipe:%d", i), fmt.Sprintf("value-%d", i)
			fmt.Fprintf(&stream, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(k), k, len(v), v)
		}
		out := cli(t, n, stream.Bytes(), "--pipe")
		if !strings.Contains(out, fmt.Sprintf("errors: 0, replies: %d", keys)) {
			t.Fatalf("redis-cli --pipe of %d SETs:\n%s", keys, out)
		}
		if got := strings.TrimSpace(cli(t, n, nil, "DBSIZE")); got != strconv.Itoa(keys) {
			t.Errorf("DBSIZE after --pipe = %s, want %d", got, keys)
		}
		if got := cli(t, n, nil, "GET", "pipe:99999"); got != "value-99999\n" {
			t.Errorf("GET pipe:99999 = %q", got)
		}
	})
}
