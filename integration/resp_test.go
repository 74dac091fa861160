package integration

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RESPConn is a raw RESP client: it sends exactly what a test says and
// returns replies with their wire bytes, for exact comparisons.
type RESPConn struct {
	t    testing.TB
	conn net.Conn
	rd   *bufio.Reader
}

// Reply is one parsed RESP2/RESP3 reply. Kind is its type byte ('+', '-',
// ':', '$', '*', '%', '_', ...); Str the payload of a scalar; Elems an
// aggregate's elements (a map's keys and values alternate); Raw the bytes
// on the wire.
type Reply struct {
	Kind  byte
	Str   string
	Null  bool // $-1, *-1 or _
	Elems []Reply
	Raw   string
}

func (r Reply) String() string { return strconv.Quote(r.Raw) }

// IsError reports an error reply ('-' or '!').
func (r Reply) IsError() bool { return r.Kind == '-' || r.Kind == '!' }

// DialRESP connects to addr; the connection is closed when the test ends.
func DialRESP(t testing.TB, addr string) *RESPConn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &RESPConn{t: t, conn: conn, rd: bufio.NewReader(conn)}
}

// Close closes the connection.
func (c *RESPConn) Close() { _ = c.conn.Close() }

// SendRaw writes bytes as they are.
func (c *RESPConn) SendRaw(s string) {
	c.t.Helper()
	_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// Send writes one command as a RESP array of bulk strings.
func (c *RESPConn) Send(args ...string) {
	c.t.Helper()
	c.SendRaw(encodeCommand(args...))
}

func encodeCommand(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

// Read reads one reply (10s bound).
func (c *RESPConn) Read() (Reply, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	return readReply(c.rd)
}

// Do sends a command and returns its reply, failing the test on I/O errors.
func (c *RESPConn) Do(args ...string) Reply {
	c.t.Helper()
	c.Send(args...)
	r, err := c.Read()
	if err != nil {
		c.t.Fatalf("%q: %v", args, err)
	}
	return r
}

// ReadUntilClose reads everything the server sends until it closes the
// connection or stays silent for quiet (at most quiet+30s in all); closed
// says which.
func (c *RESPConn) ReadUntilClose(quiet time.Duration) (got string, closed bool) {
	var b strings.Builder
	buf := make([]byte, 4096)
	for end := time.Now().Add(quiet + 30*time.Second); time.Now().Before(end); {
		_ = c.conn.SetReadDeadline(time.Now().Add(quiet))
		n, err := c.rd.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return b.String(), false
			}
			return b.String(), true
		}
	}
	return b.String(), false
}

func readReply(rd *bufio.Reader) (Reply, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return Reply{}, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return Reply{}, fmt.Errorf("malformed reply line %q", line)
	}
	r := Reply{Kind: line[0], Str: line[1 : len(line)-2], Raw: line}
	switch r.Kind {
	case '+', '-', ':', ',', '#', '(':
		return r, nil
	case '_':
		r.Null = true
		return r, nil
	case '$', '!', '=':
		return readBulk(rd, r)
	case '*', '~', '>', '%', '|':
		return readAggregate(rd, r)
	}
	return r, fmt.Errorf("unknown reply type in %q", line)
}

func readBulk(rd *bufio.Reader, r Reply) (Reply, error) {
	n, err := strconv.Atoi(r.Str)
	if err != nil || n < -1 {
		return r, fmt.Errorf("bad bulk length %q", r.Raw)
	}
	if n == -1 {
		r.Null, r.Str = true, ""
		return r, nil
	}
	buf := make([]byte, n+2)
	if _, err := io.ReadFull(rd, buf); err != nil {
		return r, err
	}
	r.Str, r.Raw = string(buf[:n]), r.Raw+string(buf)
	return r, nil
}

func readAggregate(rd *bufio.Reader, r Reply) (Reply, error) {
	n, err := strconv.Atoi(r.Str)
	if err != nil || n < -1 {
		return r, fmt.Errorf("bad aggregate length %q", r.Raw)
	}
	if n == -1 {
		r.Null = true
		return r, nil
	}
	if r.Kind == '%' || r.Kind == '|' {
		n *= 2
	}
	for range n {
		e, err := readReply(rd)
		if err != nil {
			return r, err
		}
		r.Elems = append(r.Elems, e)
		r.Raw += e.Raw
	}
	if r.Kind == '|' { // an attribute precedes the real reply
		next, err := readReply(rd)
		next.Raw = r.Raw + next.Raw
		return next, err
	}
	return r, nil
}
