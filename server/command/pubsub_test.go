package command

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// inbox is a Pusher that keeps what it was given.
type inbox struct {
	mu     sync.Mutex
	frames []string
}

func (b *inbox) Push(frame []byte) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.frames = append(b.frames, string(frame))
	return true
}

// take returns and forgets the frames so far, concatenated.
func (b *inbox) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := strings.Join(b.frames, "")
	b.frames = nil
	return s
}

// client is one more session of f's dispatcher, with an inbox.
type client struct {
	f   *fixture
	s   *Session
	box *inbox
}

func (f *fixture) client(id uint64) *client {
	c := &client{f: f, s: f.d.NewSession(id, "127.0.0.1:600"+string(rune('0'+id%10)), "127.0.0.1:6379"), box: &inbox{}}
	c.s.SetPusher(c.box)
	return c
}

// do runs a command for c and returns what the server writes for it in
// c's protocol: the frames pushed to c itself, then the reply.
func (c *client) do(args ...string) string {
	b := make([][]byte, len(args))
	for i, a := range args {
		b[i] = []byte(a)
	}
	r := c.f.d.Do(context.Background(), c.s, b)
	pushed, _ := c.s.TakePushed()
	return string(resp.Append(pushed, r, c.s.Proto))
}

func expect(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func TestSubscribeReplies(t *testing.T) {
	f := newFixture(t)
	c := f.client(1)
	expect(t, "SUBSCRIBE a b", c.do("SUBSCRIBE", "a", "b"),
		"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n")
	expect(t, "SUBSCRIBE a again", c.do("SUBSCRIBE", "a"), "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n")
	expect(t, "PSUBSCRIBE counts with channels", c.do("PSUBSCRIBE", "x*"), "*3\r\n$10\r\npsubscribe\r\n$2\r\nx*\r\n:3\r\n")
	expect(t, "SSUBSCRIBE counts alone", c.do("SSUBSCRIBE", "s"), "*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n")
	info := c.s.Info()
	if info.Sub != 2 || info.PSub != 1 || info.SSub != 1 {
		t.Errorf("CLIENT LIST counts: sub=%d psub=%d ssub=%d", info.Sub, info.PSub, info.SSub)
	}
	if line := info.Line(f.env.Clock()); !strings.Contains(line, " flags=P ") || !strings.Contains(line, " sub=2 psub=1 ssub=1 ") {
		t.Errorf("CLIENT LIST line: %s", line)
	}
	expect(t, "UNSUBSCRIBE zz", c.do("UNSUBSCRIBE", "zz"), "*3\r\n$11\r\nunsubscribe\r\n$2\r\nzz\r\n:3\r\n")
	expect(t, "UNSUBSCRIBE all, sorted", c.do("UNSUBSCRIBE"),
		"*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n")
	expect(t, "UNSUBSCRIBE none", c.do("UNSUBSCRIBE"), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n")
	expect(t, "PUNSUBSCRIBE", c.do("PUNSUBSCRIBE"), "*3\r\n$12\r\npunsubscribe\r\n$2\r\nx*\r\n:0\r\n")
	expect(t, "SUNSUBSCRIBE", c.do("SUNSUBSCRIBE"), "*3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n")
	expect(t, "GET after leaving subscribe mode", c.do("GET", "x"), "$-1\r\n")
	c.s.Proto = 3
	expect(t, "RESP3 push", c.do("SUBSCRIBE", "q"), ">3\r\n$9\r\nsubscribe\r\n$1\r\nq\r\n:1\r\n")
	expect(t, "RESP3 UNSUBSCRIBE none", c.do("UNSUBSCRIBE", "q"), ">3\r\n$11\r\nunsubscribe\r\n$1\r\nq\r\n:0\r\n")
	expect(t, "RESP3 UNSUBSCRIBE null", c.do("UNSUBSCRIBE"), ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n")
}

func TestSubscribeMode(t *testing.T) {
	f := newFixture(t)
	c := f.client(1)
	c.do("SUBSCRIBE", "a")
	expect(t, "GET refused", c.do("GET", "x"), "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / "+
		"(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n")
	expect(t, "subcommand's full name", c.do("CONFIG", "GET", "x"), "-ERR Can't execute 'config|get': only (P|S)SUBSCRIBE / "+
		"(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n")
	expect(t, "arity first", c.do("GET"), "-ERR wrong number of arguments for 'get' command\r\n")
	expect(t, "PING", c.do("PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n")
	expect(t, "PING msg", c.do("PING", "hi"), "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n")
	expect(t, "RESET", c.do("RESET"), "+RESET\r\n")
	expect(t, "after RESET", c.do("PUBSUB", "NUMSUB", "a"), "*2\r\n$1\r\na\r\n:0\r\n")
	c.s.Proto = 3
	c.do("SUBSCRIBE", "a")
	expect(t, "RESP3 runs anything", c.do("GET", "x"), "_\r\n")
	expect(t, "RESP3 PING", c.do("PING"), "+PONG\r\n")
}

func TestPublishDelivers(t *testing.T) {
	f := newFixture(t)
	sub, psub, ssub, pub := f.client(1), f.client(2), f.client(3), f.client(4)
	sub.do("SUBSCRIBE", "news")
	psub.do("PSUBSCRIBE", "n*", "*s")
	ssub.s.Proto = 3
	ssub.do("SSUBSCRIBE", "news")
	expect(t, "PUBLISH count", pub.do("PUBLISH", "news", "hi"), ":3\r\n")
	expect(t, "channel subscriber", sub.box.take(), "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n")
	got := psub.box.take()
	for _, p := range []string{"n*", "*s"} {
		want := "*4\r\n$8\r\npmessage\r\n$2\r\n" + p + "\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
		if !strings.Contains(got, want) {
			t.Errorf("pattern %s: got %q", p, got)
		}
	}
	expect(t, "shard subscriber gets no PUBLISH", ssub.box.take(), "")
	expect(t, "SPUBLISH count", pub.do("SPUBLISH", "news", "s1"), ":1\r\n")
	expect(t, "shard subscriber, RESP3", ssub.box.take(), ">3\r\n$8\r\nsmessage\r\n$4\r\nnews\r\n$2\r\ns1\r\n")
	expect(t, "no SPUBLISH to channel subscribers", sub.box.take(), "")
	sub.do("UNSUBSCRIBE", "news")
	expect(t, "after UNSUBSCRIBE", pub.do("PUBLISH", "news", "x"), ":2\r\n")
	expect(t, "nothing after UNSUBSCRIBE", sub.box.take(), "")
	f.d.EndSession(psub.s)
	expect(t, "after the client closed", pub.do("PUBLISH", "news", "x"), ":0\r\n")
}

func TestPublishToSelfComesFirst(t *testing.T) {
	f := newFixture(t)
	c := f.client(1)
	c.s.Proto = 3
	c.do("SUBSCRIBE", "q")
	expect(t, "message, then the count", c.do("PUBLISH", "q", "hi"),
		">3\r\n$7\r\nmessage\r\n$1\r\nq\r\n$2\r\nhi\r\n:1\r\n")
	expect(t, "nothing pushed", c.box.take(), "")
}

// fakeFan is two more nodes' answers.
type fakeFan struct {
	published []Message
}

func (ff *fakeFan) Publish(_ context.Context, msgs []Message) int64 {
	ff.published = append(ff.published, msgs...)
	return int64(2 * len(msgs))
}

func (ff *fakeFan) Ask(_ context.Context, q Query) []Answer {
	switch q.Op {
	case QueryChannels:
		return []Answer{{Names: [][]byte{[]byte("remote"), []byte("a")}}}
	case QueryNumPat:
		return []Answer{{Names: [][]byte{[]byte("p*"), []byte("r*")}}}
	}
	counts := make([]int64, len(q.Names))
	for i := range counts {
		counts[i] = 5
	}
	return []Answer{{Counts: counts}, {Counts: counts}}
}

func TestPubSubClusterWide(t *testing.T) {
	f := newFixture(t)
	ff := &fakeFan{}
	f.d.SetFanout(ff)
	c, pub := f.client(1), f.client(2)
	c.do("SUBSCRIBE", "a", "b")
	c.do("PSUBSCRIBE", "p*")
	expect(t, "PUBLISH sums", pub.do("PUBLISH", "a", "m"), ":3\r\n")
	if len(ff.published) != 1 || string(ff.published[0].Channel) != "a" || string(ff.published[0].Payload) != "m" {
		t.Errorf("published to peers: %+v", ff.published)
	}
	expect(t, "CHANNELS union, sorted", pub.do("PUBSUB", "CHANNELS"),
		"*3\r\n$1\r\na\r\n$1\r\nb\r\n$6\r\nremote\r\n")
	expect(t, "CHANNELS with a pattern asks the peers too", pub.do("PUBSUB", "CHANNELS", "b*"), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$6\r\nremote\r\n")
	expect(t, "NUMSUB sums", pub.do("PUBSUB", "NUMSUB", "a", "zz"), "*4\r\n$1\r\na\r\n:11\r\n$2\r\nzz\r\n:10\r\n")
	expect(t, "NUMPAT distinct", pub.do("PUBSUB", "NUMPAT"), ":2\r\n")
}

func TestPubSubLocalQueries(t *testing.T) {
	f := newFixture(t)
	c, q := f.client(1), f.client(2)
	c.do("SUBSCRIBE", "news.1", "news.2", "other")
	c.do("SSUBSCRIBE", "shard1")
	c.do("PSUBSCRIBE", "a*", "b*")
	f.client(3).do("PSUBSCRIBE", "a*")
	expect(t, "CHANNELS pattern", q.do("PUBSUB", "CHANNELS", "news.*"), "*2\r\n$6\r\nnews.1\r\n$6\r\nnews.2\r\n")
	expect(t, "SHARDCHANNELS", q.do("PUBSUB", "SHARDCHANNELS"), "*1\r\n$6\r\nshard1\r\n")
	expect(t, "SHARDNUMSUB", q.do("PUBSUB", "SHARDNUMSUB", "shard1", "news.1"), "*4\r\n$6\r\nshard1\r\n:1\r\n$6\r\nnews.1\r\n:0\r\n")
	expect(t, "NUMPAT", q.do("PUBSUB", "NUMPAT"), ":2\r\n")
	expect(t, "CHANNELS arity", q.do("PUBSUB", "CHANNELS", "a", "b"),
		"-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n")
	expect(t, "NUMPAT arity", q.do("PUBSUB", "NUMPAT", "x"), "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n")
	expect(t, "unknown", q.do("PUBSUB", "FOO"), "-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n")
	expect(t, "PUBLISH arity", q.do("PUBLISH", "a"), "-ERR wrong number of arguments for 'publish' command\r\n")
}

// TestPubSubConcurrent runs publishers against subscribers that come and
// go; run with -race.
func TestPubSubConcurrent(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			c := f.client(uint64(10 + i))
			for range 50 {
				c.do("SUBSCRIBE", "c")
				c.do("PSUBSCRIBE", "c*")
				c.do("UNSUBSCRIBE")
				c.do("RESET")
			}
			f.d.EndSession(c.s)
		}()
		go func() {
			defer wg.Done()
			p := f.client(uint64(20 + i))
			for range 50 {
				p.do("PUBLISH", "c", "m")
				p.do("PUBSUB", "NUMSUB", "c")
			}
		}()
	}
	wg.Wait()
	expect(t, "nothing left", f.client(1).do("PUBSUB", "NUMPAT"), ":0\r\n")
	expect(t, "no channel left", f.client(1).do("PUBSUB", "CHANNELS"), "*0\r\n")
}

// TestPubSubInsideMulti follows Redis's "publish to self inside multi":
// EXEC answers the counts and the messages follow as pushes; a SUBSCRIBE
// queued in MULTI answers its confirmation inside EXEC's array.
func TestPubSubInsideMulti(t *testing.T) {
	f := newFixture(t)
	c := f.client(1)
	c.s.Proto = 3
	c.do("SUBSCRIBE", "foo")
	c.do("MULTI")
	for _, cmd := range [][]string{{"PING", "abc"}, {"PUBLISH", "foo", "bar"}, {"PUBLISH", "foo", "vaz"}, {"PING", "def"}} {
		expect(t, cmd[0]+" queued", c.do(cmd...), "+QUEUED\r\n")
	}
	expect(t, "EXEC", c.do("EXEC"), "*4\r\n$3\r\nabc\r\n:1\r\n:1\r\n$3\r\ndef\r\n")
	expect(t, "pushed after", c.box.take(),
		">3\r\n$7\r\nmessage\r\n$3\r\nfoo\r\n$3\r\nbar\r\n>3\r\n$7\r\nmessage\r\n$3\r\nfoo\r\n$3\r\nvaz\r\n")
	c.do("MULTI")
	c.do("SUBSCRIBE", "x")
	expect(t, "EXEC with SUBSCRIBE", c.do("EXEC"), "*1\r\n>3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:2\r\n")
}

// psClients is the server's list for CLIENT LIST / KILL TYPE.
type psClients struct{ sessions []*Session }

func (fc psClients) Inboxes(func(uint64, Inbox, bool)) {}

func (fc psClients) List() []ClientInfo {
	var out []ClientInfo
	for _, s := range fc.sessions {
		out = append(out, s.Info())
	}
	return out
}

func (fc psClients) Kill(f KillFilter) int {
	n := 0
	for _, s := range fc.sessions {
		if s.ID != f.Skip && f.Match(s.Info(), time.Now()) {
			n++
		}
	}
	return n
}

func TestClientTypePubSub(t *testing.T) {
	f := newFixture(t)
	sub, plain := f.client(1), f.client(2)
	f.d.env.Clients = psClients{[]*Session{sub.s, plain.s}}
	sub.do("SUBSCRIBE", "a")
	list := plain.do("CLIENT", "LIST", "TYPE", "pubsub")
	if !strings.Contains(list, "id=1 ") || strings.Contains(list, "id=2 ") {
		t.Errorf("TYPE pubsub: %q", list)
	}
	list = plain.do("CLIENT", "LIST", "TYPE", "normal")
	if strings.Contains(list, "id=1 ") || !strings.Contains(list, "id=2 ") {
		t.Errorf("TYPE normal: %q", list)
	}
	expect(t, "KILL TYPE pubsub", plain.do("CLIENT", "KILL", "TYPE", "pubsub"), ":1\r\n")
	expect(t, "KILL TYPE normal", plain.do("CLIENT", "KILL", "TYPE", "normal"), ":0\r\n") // skipme
}

func TestInfoPubSub(t *testing.T) {
	f := newFixture(t)
	c := f.client(1)
	c.do("SUBSCRIBE", "a", "b")
	c.do("PSUBSCRIBE", "p*")
	c.do("SSUBSCRIBE", "s")
	info := f.client(2).do("INFO", "stats")
	for _, want := range []string{"pubsub_channels:2\r\n", "pubsub_patterns:1\r\n", "pubsubshard_channels:1\r\n"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO stats lacks %q:\n%s", want, info)
		}
	}
}
