package integration

// Redis's limits on bad clients (issue 7, item 7), each checked against a
// real ringkv process and, where Redis has the same limit, against a real
// redis-server given the same bytes. Memory is the node's VmRSS.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rssBytes is a process's resident set size (VmRSS in /proc/<pid>/status).
func rssBytes(t testing.TB, pid int) int64 {
	t.Helper()
	return procStatus(t, pid, "VmRSS:")
}

// hwmBytes is a process's peak resident set size since it started (VmHWM).
func hwmBytes(t testing.TB, pid int) int64 {
	t.Helper()
	return procStatus(t, pid, "VmHWM:")
}

// procStatus reads a size field (kB) of /proc/<pid>/status, in bytes.
func procStatus(t testing.TB, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatalf("read status of %d: %v", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == field {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatalf("VmRSS %q: %v", line, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s for %d", field, pid)
	return 0
}

// rawExchange sends payload on a new connection to addr and returns what
// the server answered before closing it or going quiet for quiet.
func rawExchange(t testing.TB, addr, payload string, quiet time.Duration) (got string, closed bool) {
	t.Helper()
	c := DialRESP(t, addr)
	defer c.Close()
	c.SendRaw(payload)
	return c.ReadUntilClose(quiet)
}

// Before AUTH, a command of more than 10 arguments or a bulk over 16 KiB
// is refused at its header and the connection closed, with Redis's reply;
// so eight strangers each announcing and streaming a 100 MB value cost
// the node nothing (before: they took RSS from 13 MB to 1 GB).
func TestBadClientUnauthenticatedLimits(t *testing.T) {
	ref := StartRedisServer(t, "--requirepass", "pw")
	n := StartNode(t, NodeOptions{Password: "pw"})
	cases := []struct {
		payload string
		closed  bool
	}{
		{"*11\r\n", true},
		{"*2000000000\r\n", true},
		{"*3000000000\r\n", true},
		{"*1\r\n$16385\r\n", true},
		{"*1\r\n$600000000\r\n", true},
		{"*0\r\n*11\r\n", true},
		{"*10\r\n", false},
		{"*1\r\n$16384\r\n", false},
		{"AUTH pw\r\n*11\r\n$3\r\nSET\r\n", false}, // authenticated: no limit
	}
	for _, tc := range cases {
		want, wantClosed := rawExchange(t, ref, tc.payload, 300*time.Millisecond)
		got, closed := rawExchange(t, n.Addr(), tc.payload, 300*time.Millisecond)
		if got != want || closed != wantClosed || closed != tc.closed {
			t.Errorf("%q: ringkv %q (closed %v), redis-server %q (closed %v)", tc.payload, got, closed, want, wantClosed)
		}
	}

	const clients, size = 8, 100 << 20
	before := rssBytes(t, n.Pid())
	var wg sync.WaitGroup
	replies := make([]string, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = streamValue(n.Addr(), size)
		}()
	}
	wg.Wait()
	peak := hwmBytes(t, n.Pid())
	for i, r := range replies {
		if r != "-ERR Protocol error: unauthenticated bulk length\r\n" {
			t.Errorf("client %d got %q", i, r)
		}
	}
	t.Logf("RSS %d MB before, peak %d MB while %d unauthenticated clients each sent %d MB",
		before>>20, peak>>20, clients, size>>20)
	if peak > before+64<<20 {
		t.Fatalf("RSS grew from %d MB to %d MB: unauthenticated bulks are buffered", before>>20, peak>>20)
	}
	if r := n.Client(t, 2).Ping(context.Background()); r.Err() != nil {
		t.Fatalf("node after the flood: %v", r.Err())
	}
}

// streamValue announces a SET of size bytes without authenticating and
// streams it until the server stops reading; it returns the reply.
func streamValue(addr string, size int) string {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err.Error()
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := fmt.Fprintf(conn, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n", size); err != nil {
		return err.Error()
	}
	chunk := make([]byte, 1<<20)
	for sent := 0; sent < size; sent += len(chunk) {
		if _, err := conn.Write(chunk); err != nil {
			break // closed by the server: expected
		}
	}
	line, _ := bufio.NewReader(conn).ReadString('\n')
	return line
}

// --timeout closes only idle clients: one uploading a 3 MB value over 3 s
// (a byte every 100 ms is activity) keeps its connection while an idle
// one is closed, on ringkv as on redis-server (before: the upload was cut
// after timeout seconds).
func TestBadClientTimeoutOnlyIdle(t *testing.T) {
	ref := StartRedisServer(t, "--timeout", "1")
	n := StartNode(t, NodeOptions{Args: []string{"--timeout", "1"}})
	for _, srv := range []struct{ name, addr string }{{"redis-server", ref}, {"ringkv", n.Addr()}} {
		idle := DialRESP(t, srv.addr)
		idle.Send("PING")
		start := time.Now()
		up, err := slowUpload(srv.addr, 3<<20, 30, 100*time.Millisecond)
		if err != nil || up != "+OK\r\n" {
			t.Errorf("%s: slow 3 MB upload: %q %v (after %v)", srv.name, up, err, time.Since(start))
		}
		got, closed := idle.ReadUntilClose(5 * time.Second)
		if got != "+PONG\r\n" || !closed {
			t.Errorf("%s: idle client got %q, closed %v", srv.name, got, closed)
		}
	}
}

// slowUpload sends SET k <size bytes> in parts pieces, pause apart, and
// returns the reply.
func slowUpload(addr string, size, parts int, pause time.Duration) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n", size); err != nil {
		return "", err
	}
	part := make([]byte, size/parts)
	for sent := 0; sent < size; sent += len(part) {
		time.Sleep(pause)
		if _, err := conn.Write(part[:min(len(part), size-sent)]); err != nil {
			return "", fmt.Errorf("after %d bytes: %w", sent, err)
		}
	}
	if _, err := conn.Write([]byte("\r\n")); err != nil {
		return "", err
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	return bufio.NewReader(conn).ReadString('\n')
}

// stuckClient sends count GETs of key and never reads the replies.
func stuckClient(t testing.TB, addr, password, key string, count int) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.(*net.TCPConn).SetReadBuffer(4096)
	var b strings.Builder
	if password != "" {
		b.WriteString(encodeCommand("AUTH", password))
	}
	for range count {
		b.WriteString(encodeCommand("GET", key))
	}
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	return conn
}

// goneWithin reports whether n drops conn (it leaves CLIENT LIST) within
// d, without reading from conn: a client that does not read sees the
// close only after the data the kernels hold for it.
func goneWithin(t testing.TB, n *Node, conn net.Conn, d time.Duration) bool {
	addr := "addr=" + conn.LocalAddr().String() + " "
	return poll(d, func() error {
		list, err := n.Client(t, 2).ClientList(context.Background()).Result()
		if err != nil {
			return err
		}
		if strings.Contains(list, addr) {
			return errors.New("still connected")
		}
		return nil
	}) == nil
}

// setBig stores a value of size bytes under key.
func setBig(t testing.TB, n *Node, key string, size int) {
	t.Helper()
	if err := n.Client(t, 2).Set(context.Background(), key, strings.Repeat("x", size), 0).Err(); err != nil {
		t.Fatal(err)
	}
}

// client-output-buffer-limit: over the hard limit a client is closed at
// once without its reply (as redis-server: nothing is sent); over the soft
// limit for soft_seconds, too. Both are logged.
func TestBadClientOutputBufferLimit(t *testing.T) {
	ref := StartRedisServer(t)
	n := StartNode(t, NodeOptions{})
	setBig(t, n, "big", 5<<20)
	refc := DialRESP(t, ref)
	refc.Do("SET", "big", strings.Repeat("x", 5<<20))
	for _, c := range []*RESPConn{refc, DialRESP(t, n.Addr())} {
		if r := c.Do("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0"); r.Raw != "+OK\r\n" {
			t.Fatalf("CONFIG SET: %s", r)
		}
	}
	want, wantClosed := rawExchange(t, ref, "GET big\r\n", time.Second)
	got, closed := rawExchange(t, n.Addr(), "GET big\r\n", time.Second)
	if got != want || closed != wantClosed || !closed {
		t.Fatalf("GET of 5 MB over a 1 MB hard limit: ringkv %d bytes (closed %v), redis-server %d bytes (closed %v)",
			len(got), closed, len(want), wantClosed)
	}
	if !strings.Contains(n.Log(), "output buffer limits") {
		t.Fatalf("no log line for the closed client:\n%s", n.LogTail(10))
	}

	ctl := DialRESP(t, n.Addr())
	ctl.Do("CONFIG", "SET", "client-output-buffer-limit", "normal 0 1mb 1")
	start := time.Now()
	conn := stuckClient(t, n.Addr(), "", "big", 10)
	if !goneWithin(t, n, conn, 10*time.Second) {
		t.Fatalf("a client over the soft limit for more than 1 s is still connected after %v", time.Since(start))
	}
	if d := time.Since(start); d < time.Second {
		t.Fatalf("closed after %v, before soft_seconds", d)
	}
}

// A client that stops reading its replies is closed once its writes make
// no progress (here for timeout seconds), with a log line; and SIGTERM
// does not wait for one (before: the node waited the full 30 s).
func TestBadClientNotReading(t *testing.T) {
	n := StartNode(t, NodeOptions{Args: []string{"--timeout", "2"}})
	setBig(t, n, "big", 5<<20)
	start := time.Now()
	conn := stuckClient(t, n.Addr(), "", "big", 10)
	if !goneWithin(t, n, conn, 15*time.Second) {
		t.Fatalf("a client not reading its replies is still connected after %v", time.Since(start))
	}
	t.Logf("closed after %v", time.Since(start))
	Eventually(t, 5*time.Second, "the log line", func() error {
		if !strings.Contains(n.Log(), "stopped reading its replies") {
			return errors.New("not logged")
		}
		return nil
	})

	m := StartNode(t, NodeOptions{})
	setBig(t, m, "big", 5<<20)
	stuck := stuckClient(t, m.Addr(), "", "big", 10)
	waitOmem(t, m)
	start = time.Now()
	m.Signal(t, syscall.SIGTERM)
	if code := m.WaitExit(t, stopTimeout); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("SIGTERM took %v with a client not reading", d)
	}
	t.Logf("SIGTERM with a stuck client: exited in %v", time.Since(start))
	_ = stuck.Close()
}

// waitOmem waits until a client of n stuck in GET shows pending output
// in CLIENT LIST, and returns that line.
func waitOmem(t testing.TB, n *Node) string {
	t.Helper()
	var line string
	Eventually(t, 10*time.Second, "a client stuck in GET with omem > 0", func() error {
		list, err := n.Client(t, 2).ClientList(context.Background()).Result()
		if err != nil {
			return err
		}
		for _, l := range strings.Split(list, "\n") {
			// The stuck client's GETs, not another client caught
			// between a reply's write and its flush.
			if f := clientFields(l); f["cmd"] == "get" && f["omem"] != "" && f["omem"] != "0" {
				line = l
				return nil
			}
		}
		return fmt.Errorf("none in %s", list)
	})
	return line
}

// clientFields splits a CLIENT LIST line into its fields.
func clientFields(line string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Fields(line) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

// CLIENT LIST shows the connection's real figures: its socket's fd, the
// bytes of a command still arriving (qbuf), the replies waiting (omem).
func TestBadClientClientListFigures(t *testing.T) {
	n := StartNode(t, NodeOptions{})
	ctx := context.Background()
	info, err := n.Client(t, 2).ClientInfo(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", n.Pid(), info.FD))
	if err != nil || !strings.HasPrefix(link, "socket:") {
		t.Fatalf("CLIENT INFO fd=%d: %q %v", info.FD, link, err)
	}

	up := DialRESP(t, n.Addr())
	up.SendRaw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n" + strings.Repeat("v", 50000))
	var f map[string]string
	Eventually(t, 5*time.Second, "qbuf of the partial command", func() error {
		list, err := n.Client(t, 2).ClientList(ctx).Result()
		if err != nil {
			return err
		}
		for _, l := range strings.Split(list, "\n") {
			if g := clientFields(l); g["cmd"] == "NULL" {
				if q, _ := strconv.Atoi(g["qbuf"]); q >= 50000 {
					f = g
					return nil
				}
			}
		}
		return fmt.Errorf("no client with qbuf >= 50000 in\n%s", list)
	})
	q, _ := strconv.Atoi(f["qbuf"])
	free, _ := strconv.Atoi(f["qbuf-free"])
	tot, _ := strconv.Atoi(f["tot-mem"])
	if free < 0 || tot < q+free {
		t.Errorf("qbuf=%d qbuf-free=%d tot-mem=%d", q, free, tot)
	}
	up.SendRaw(strings.Repeat("v", 50000) + "\r\n")
	if r, err := up.Read(); err != nil || r.Raw != "+OK\r\n" {
		t.Fatalf("completed SET: %v %v", r, err)
	}

	setBig(t, n, "big", 5<<20)
	stuckClient(t, n.Addr(), "", "big", 10)
	g := clientFields(waitOmem(t, n))
	if g["obl"] == "0" || g["tot-mem"] == "0" || g["cmd"] != "get" {
		t.Errorf("stuck client: %v", g)
	}
}

// CLIENT REPLY ON|OFF|SKIP: the same bytes as redis-server for the same
// pipelines (OFF and SKIP answer nothing; SKIP drops the next reply too;
// ON answers even as the skipped command).
func TestBadClientClientReply(t *testing.T) {
	ref := StartRedisServer(t)
	n := StartNode(t, NodeOptions{})
	for _, in := range []string{
		"CLIENT REPLY SKIP\r\nPING a\r\nPING b\r\n",
		"CLIENT REPLY OFF\r\nPING a\r\nCLIENT REPLY SKIP\r\nPING b\r\nCLIENT REPLY ON\r\nPING c\r\n",
		"CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nPING b\r\nPING c\r\n",
		"CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING c\r\n",
		"CLIENT REPLY SKIP\r\nFOO\r\nPING c\r\n",
		"CLIENT REPLY SKIP\r\nCLIENT REPLY OFF\r\nPING c\r\nCLIENT REPLY ON\r\n",
		"CLIENT REPLY foo\r\nCLIENT REPLY\r\nCLIENT REPLY on x\r\n",
		"CLIENT REPLY OFF\r\nGET\r\nSET k v\r\nCLIENT REPLY ON\r\nGET k\r\n",
	} {
		want, _ := rawExchange(t, ref, in, 300*time.Millisecond)
		got, _ := rawExchange(t, n.Addr(), in, 300*time.Millisecond)
		if got != want {
			t.Errorf("%q: ringkv %q, redis-server %q", in, got, want)
		}
	}
}
