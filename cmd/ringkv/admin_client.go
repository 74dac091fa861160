package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// nodeClient is the admin subcommands' RESP client: one connection, one
// request at a time, RESP3 when the node agrees to it (HELLO 3) and RESP2
// otherwise. Replies are decoded into resp.Reply values.
type nodeClient struct {
	addr    string
	conn    net.Conn
	rd      *bufio.Reader
	timeout time.Duration // per request
}

// connectError is a node that could not be reached.
type connectError struct {
	addr string
	err  error
}

func (e *connectError) Error() string {
	return fmt.Sprintf("cannot connect to %s: %v; is a ringkv node listening there? "+
		"Point at it with --host and --port", e.addr, e.err)
}

func (e *connectError) Unwrap() error { return e.err }

// replyError is an error reply from the node; its text is the node's.
type replyError struct{ msg string }

func (e *replyError) Error() string { return e.msg }

// dialNode connects to addr and authenticates with password if it is set.
func dialNode(addr, password string, timeout time.Duration) (*nodeClient, error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, &connectError{addr: addr, err: err}
	}
	c := &nodeClient{addr: addr, conn: conn, rd: bufio.NewReader(conn), timeout: timeout}
	if err := c.handshake(password); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// handshake asks for RESP3 (authenticating in the same request). A node
// that refuses HELLO (NOPROTO, unknown command) is spoken to in RESP2 after
// a plain AUTH.
func (c *nodeClient) handshake(password string) error {
	hello := []string{"HELLO", "3"}
	if password != "" {
		hello = append(hello, "AUTH", "default", password)
	}
	_, err := c.do(hello...)
	var rerr *replyError
	if !errors.As(err, &rerr) || authFailure(rerr.msg) {
		return err
	}
	if password == "" {
		return nil
	}
	_, err = c.do("AUTH", password)
	if errors.As(err, &rerr) && strings.Contains(rerr.msg, "without any password configured") {
		return nil // the node needs no password: proceed as redis-cli does
	}
	return err
}

func authFailure(msg string) bool {
	return strings.HasPrefix(msg, "NOAUTH") || strings.HasPrefix(msg, "WRONGPASS")
}

// do sends one command and returns its reply; an error reply is returned
// as a *replyError with a hint on what to do where one is known.
func (c *nodeClient) do(args ...string) (resp.Reply, error) {
	if err := c.conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return resp.Reply{}, err
	}
	bulks := make([]resp.Reply, len(args))
	for i, a := range args {
		bulks[i] = resp.BulkString(a)
	}
	if _, err := c.conn.Write(resp.Append(nil, resp.Array(bulks...), 2)); err != nil {
		return resp.Reply{}, c.ioError(args[0], err)
	}
	r, err := readReply(c.rd, 0)
	if err != nil {
		return resp.Reply{}, c.ioError(args[0], err)
	}
	if r.IsError() {
		return r, &replyError{msg: r.Str + c.hint(r.Str)}
	}
	return r, nil
}

func (c *nodeClient) ioError(cmd string, err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%s to %s: no answer within %v; is the node overloaded or stuck? "+
			"Retry, or allow longer with --timeout", cmd, c.addr, c.timeout)
	}
	return fmt.Errorf("%s to %s: %w; is it a ringkv node? Check --host and --port", cmd, c.addr, err)
}

// hint says what to do about an error reply.
func (c *nodeClient) hint(msg string) string {
	switch {
	case strings.HasPrefix(msg, "NOAUTH"):
		return " (give the node's password with --password, -a or $RINGKV_PASSWORD)"
	case strings.HasPrefix(msg, "WRONGPASS"):
		return " (check --password, -a or $RINGKV_PASSWORD)"
	case strings.Contains(msg, "unknown command 'RINGKV'"), strings.Contains(msg, "Try RINGKV HELP"):
		return fmt.Sprintf(" (the node at %s lacks this admin command: is it a ringkv of this version?)", c.addr)
	}
	return ""
}

// Close closes the connection.
func (c *nodeClient) Close() error { return c.conn.Close() }
