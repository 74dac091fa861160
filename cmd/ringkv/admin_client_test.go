package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/ringkv/ringkv/resp"
)

// A port nobody listens on: exit 1 and a message saying what failed and
// what to do.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	for _, cmd := range []string{"status", "ring", "transfers", "leave"} {
		r := runCLI(nil, false, cmd, "--port", port)
		want := "ringkv " + cmd + ": cannot connect to " + addr + ": "
		if r.code != exitError || !strings.HasPrefix(r.errOut, want) || !strings.Contains(r.errOut, "refused") ||
			!strings.HasSuffix(r.errOut, "is a ringkv node listening there? Point at it with --host and --port\n") {
			t.Fatalf("%s: exit %d: %q", cmd, r.code, r.errOut)
		}
	}
}

// The password comes from --password, -a or $RINGKV_PASSWORD; in RESP3
// inside HELLO, in RESP2 by AUTH after HELLO is refused.
func TestPassword(t *testing.T) {
	for _, resp3 := range []bool{true, false} {
		f := newFakeNode(t, resp3, "s3cret")
		f.on("RINGKV STATUS", threeNodes())
		r := f.run("status")
		if r.code != exitError || !strings.Contains(r.errOut, "NOAUTH") || !strings.Contains(r.errOut, "--password, -a or $RINGKV_PASSWORD") {
			t.Fatalf("resp3=%v no password: exit %d %q", resp3, r.code, r.errOut)
		}
		r = f.run("status", "-a", "wrong")
		if r.code != exitError || !strings.HasPrefix(r.errOut, "ringkv status: WRONGPASS") {
			t.Fatalf("resp3=%v wrong password: exit %d %q", resp3, r.code, r.errOut)
		}
		before := len(f.commands())
		r = runCLI(map[string]string{"RINGKV_PASSWORD": "s3cret"}, false, "status", "--port", f.port)
		if r.code != exitOK || !strings.HasPrefix(r.out, "node n1 ") {
			t.Fatalf("resp3=%v env password: exit %d %q", resp3, r.code, r.errOut)
		}
		want := []string{"HELLO 3 AUTH default s3cret", "RINGKV STATUS"}
		if !resp3 {
			want = []string{"HELLO 3 AUTH default s3cret", "AUTH s3cret", "RINGKV STATUS"}
		}
		if got := f.commands()[before:]; !slices.Equal(got, want) {
			t.Fatalf("resp3=%v sent %q", resp3, got)
		}
	}
}

// A password given to a RESP2 node that needs none is not an error.
func TestPasswordNotNeeded(t *testing.T) {
	f := newFakeNode(t, false, "")
	f.on("RINGKV STATUS", threeNodes())
	if r := f.run("status", "--password", "x"); r.code != exitOK {
		t.Fatalf("exit %d %q", r.code, r.errOut)
	}
}

// A node without the admin commands, or answering something else.
func TestUnexpectedNode(t *testing.T) {
	f := newFakeNode(t, true, "")
	r := f.run("status")
	if r.code != exitError || !strings.HasPrefix(r.errOut, "ringkv status: ERR unknown command 'RINGKV'") ||
		!strings.Contains(r.errOut, "lacks this admin command") {
		t.Fatalf("exit %d %q", r.code, r.errOut)
	}
	f.on("RINGKV TRANSFERS", resp.Int(7))
	r = f.run("transfers")
	if r.code != exitError || !strings.HasPrefix(r.errOut, "ringkv transfers: unexpected reply to RINGKV TRANSFERS from "+f.addr+": want an array, got int") {
		t.Fatalf("exit %d %q", r.code, r.errOut)
	}
}

// Bad command lines exit 2 without connecting; --help exits 0.
func TestUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"status", "extra"}, exitUsage, `takes 0 argument(s), got ["extra"]`},
		{[]string{"remove"}, exitUsage, "takes 1 argument(s) NODE, got []"},
		{[]string{"remove", "--force"}, exitUsage, "takes 1 argument(s) NODE, got []"},
		{[]string{"ring", "--port", "70000"}, exitUsage, "bad --port 70000"},
		{[]string{"leave", "--bogus"}, exitUsage, "flag provided but not defined: -bogus"},
		{[]string{"status", "--watch"}, exitUsage, "flag provided but not defined: -watch"},
		{[]string{"transfers", "--interval", "0s", "--watch"}, exitUsage, "must be positive"},
		{[]string{"transfers", "--help"}, exitOK, "usage: ringkv transfers [flags]"},
		{[]string{"remove", "-h"}, exitOK, "usage: ringkv remove [flags] NODE"},
	}
	for _, c := range cases {
		r := runCLI(nil, false, c.args[0], append([]string{"--port", "1"}, c.args[1:]...)...)
		if r.code != c.code || !strings.Contains(r.errOut, c.says) || r.out != "" {
			t.Errorf("%q: exit %d, want %d saying %q:\n%s", c.args, r.code, c.code, c.says, r.errOut)
		}
	}
}

// Replies read the same whether they arrive whole or a byte at a time
// (resp.ParseReply would take a large array's header alone for an error),
// in both protocols.
func TestReadReplyStreamed(t *testing.T) {
	replies := []resp.Reply{threeNodes(), fourTransfers(), resp.OK(), resp.Err("ERR x"), resp.Null(),
		resp.Array(make([]resp.Reply, 40)...), resp.Double(1.5), resp.Bool(true), resp.Set(resp.BulkString("a"))}
	for _, proto := range []int{2, 3} {
		var wire []byte
		for _, r := range replies {
			wire = resp.Append(wire, r, proto)
		}
		for _, rd := range []io.Reader{bytes.NewReader(wire), iotest.OneByteReader(bytes.NewReader(wire))} {
			br := bufio.NewReaderSize(rd, 16)
			for i, want := range replies {
				got, err := readReply(br, 0)
				if err != nil {
					t.Fatalf("proto %d reply %d: %v", proto, i, err)
				}
				if w, _, _ := resp.ParseReply(resp.Append(nil, want, proto)); got.String() != w.String() {
					t.Fatalf("proto %d reply %d: %s, want %s", proto, i, got, w)
				}
			}
			if _, err := readReply(br, 0); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("after the last: %v", err)
			}
		}
	}
}

func TestReadReplyMalformed(t *testing.T) {
	for _, in := range []string{"?x\r\n", ":12a\r\n", "$3\r\nabcd\r\n", "*2\r\n:1\r\n", "$-2\r\n", "+OK\n", "*99999999\r\n"} {
		if _, err := readReply(bufio.NewReader(strings.NewReader(in)), 0); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
