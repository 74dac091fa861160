package command

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/resp"
)

// fixture is a dispatcher over a memKV with one session.
type fixture struct {
	t   *testing.T
	kv  *memKV
	env *Env
	d   *Dispatcher
	s   *Session
}

func newFixture(t *testing.T, p ...func(*Params)) *fixture {
	t.Helper()
	params := DefaultParams()
	for _, f := range p {
		f(&params)
	}
	kv := newMemKV()
	env := &Env{KV: kv, Settings: NewSettings(params),
		Clock: func() time.Time { return time.UnixMilli(kv.Now()) }}
	d := New(env)
	return &fixture{t: t, kv: kv, env: d.Env(), d: d, s: d.NewSession(7, "127.0.0.1:5000", "127.0.0.1:6379")}
}

// do runs one command given as words.
func (f *fixture) do(args ...string) resp.Reply { return doWords(f.d, f.s, args...) }

// line runs one command written as redis-cli input.
func (f *fixture) line(l string) resp.Reply {
	f.t.Helper()
	args, err := splitArgs(l)
	if err != nil {
		f.t.Fatalf("%q: %v", l, err)
	}
	return f.do(args...)
}

// script runs a transcript: "> command" lines, each followed by the
// expected reply as resp.Reply.String renders it. "!advance ms" moves the
// KV clock; lines starting with '#' are comments.
func (f *fixture) script(script string) {
	f.t.Helper()
	var cmd string
	var want []string
	flush := func() {
		if cmd == "" {
			return
		}
		got := f.line(cmd).String()
		if w := strings.Join(want, "\n"); got != w {
			f.t.Errorf("> %s\ngot:\n%s\nwant:\n%s", cmd, got, w)
		}
		cmd, want = "", nil
	}
	for _, l := range strings.Split(script, "\n") {
		l = strings.TrimLeft(l, "\t")
		switch {
		case strings.HasPrefix(l, "> "):
			flush()
			cmd = l[2:]
		case strings.HasPrefix(l, "!advance "):
			flush()
			ms, _ := strconv.ParseInt(l[len("!advance "):], 10, 64)
			f.kv.advance(ms)
		case strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "":
		default:
			want = append(want, l)
		}
	}
	flush()
}

// splitArgs splits a redis-cli style line: words, "double quoted" with
// \n \r \t \" \\ \xHH escapes, or 'single quoted'.
func splitArgs(l string) ([]string, error) {
	var out []string
	for i := 0; i < len(l); {
		for i < len(l) && l[i] == ' ' {
			i++
		}
		if i == len(l) {
			break
		}
		var b strings.Builder
		switch q := l[i]; q {
		case '"', '\'':
			i++
			for i < len(l) && l[i] != q {
				c := l[i]
				if c == '\\' && q == '"' && i+1 < len(l) {
					i++
					switch l[i] {
					case 'n':
						c = '\n'
					case 'r':
						c = '\r'
					case 't':
						c = '\t'
					case 'x':
						n, err := strconv.ParseUint(l[i+1:i+3], 16, 8)
						if err != nil {
							return nil, err
						}
						c, i = byte(n), i+2
					default:
						c = l[i]
					}
				}
				b.WriteByte(c)
				i++
			}
			i++
			out = append(out, b.String())
		default:
			j := strings.IndexByte(l[i:], ' ')
			if j < 0 {
				j = len(l) - i
			}
			out = append(out, l[i:i+j])
			i += j
		}
	}
	return out, nil
}

// engineNode is one node's store as the server wires it, in memory: a
// coordinator (N=1) over engine.OpenMem, closed when t ends. Its
// dispatchers share the store; each has its own caches.
func engineNode(t *testing.T) (*replica.Coordinator, *engine.DB) {
	t.Helper()
	db, err := engine.OpenMem(engine.Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	coord, err := replica.New(replica.Config{Node: "n1", N: 1, R: 1, W: 1, Timeout: 5 * time.Second,
		AAE: replica.AAEConfig{Interval: -1}}, db, replica.NewLocal("n1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { coord.Close(); _ = db.Close() })
	return coord, db
}

// engineDispatcher is a node's dispatcher over coord (engineNode), with
// the default settings and its own caches.
func engineDispatcher(coord *replica.Coordinator) *Dispatcher {
	return New(&Env{KV: coord, Settings: NewSettings(DefaultParams())})
}

// runClients runs each for n clients of d at once, client c with its own
// session (ID c+1), and waits for all of them.
func runClients(d *Dispatcher, n int, each func(c int, s *Session)) {
	var wg sync.WaitGroup
	for c := range n {
		wg.Go(func() { each(c, d.NewSession(uint64(c+1), "127.0.0.1:5000", "127.0.0.1:6379")) })
	}
	wg.Wait()
}

// doWords runs one command given as words for s on d.
func doWords(d *Dispatcher, s *Session, args ...string) resp.Reply {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	return d.Do(context.Background(), s, b)
}
