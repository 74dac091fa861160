package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// Bounds on a reply the admin client accepts: an admin reply is small, so a
// larger one is a wrong port or a broken node, not data.
const (
	maxReplyDepth = 16
	maxReplyBulk  = 64 << 20
	maxReplyElems = 1 << 20
)

var errMalformed = errors.New("malformed RESP reply")

// readReply reads one RESP2 or RESP3 reply from rd. It reads the stream as
// it arrives (resp.ParseReply wants the whole reply in one buffer, and
// takes a large aggregate whose header came alone for a malformed one).
func readReply(rd *bufio.Reader, depth int) (resp.Reply, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return resp.Reply{}, noEOF(err)
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") || depth > maxReplyDepth {
		return resp.Reply{}, fmt.Errorf("%w: %q", errMalformed, line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '+':
		return resp.Simple(body), nil
	case '-', '!':
		return resp.Err(body), nil
	case '_':
		return resp.Null(), nil
	case '#':
		return resp.Bool(body == "t"), nil
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		return resp.Int(n), malformed(err, line)
	case ',':
		f, err := strconv.ParseFloat(body, 64)
		return resp.Double(f), malformed(err, line)
	case '$', '=':
		return readBulk(rd, kind, body)
	case '*', '~', '%', '>':
		return readAggregate(rd, kind, body, depth)
	}
	return resp.Reply{}, fmt.Errorf("%w: %q", errMalformed, line)
}

func readBulk(rd *bufio.Reader, kind byte, body string) (resp.Reply, error) {
	size, err := strconv.Atoi(body)
	if err != nil || size < -1 || size > maxReplyBulk {
		return resp.Reply{}, fmt.Errorf("%w: bulk length %q", errMalformed, body)
	}
	if size == -1 {
		return resp.Null(), nil
	}
	b := make([]byte, size+2)
	if _, err := io.ReadFull(rd, b); err != nil {
		return resp.Reply{}, noEOF(err)
	}
	if string(b[size:]) != "\r\n" {
		return resp.Reply{}, fmt.Errorf("%w: bulk not ended by CRLF", errMalformed)
	}
	if kind == '=' {
		return resp.Reply{Kind: resp.KindVerbatim, Str: string(b[:size])}, nil
	}
	return resp.BulkString(string(b[:size])), nil
}

func readAggregate(rd *bufio.Reader, kind byte, body string, depth int) (resp.Reply, error) {
	n, err := strconv.Atoi(body)
	if err != nil || n < -1 || n > maxReplyElems {
		return resp.Reply{}, fmt.Errorf("%w: aggregate length %q", errMalformed, body)
	}
	if n == -1 {
		return resp.NullArray(), nil
	}
	if kind == '%' {
		n *= 2
	}
	elems := make([]resp.Reply, n)
	for i := range elems {
		if elems[i], err = readReply(rd, depth+1); err != nil {
			return resp.Reply{}, err
		}
	}
	switch kind {
	case '%':
		return resp.Map(elems...), nil
	case '~':
		return resp.Set(elems...), nil
	}
	return resp.Array(elems...), nil
}

func malformed(err error, line string) error {
	if err != nil {
		return fmt.Errorf("%w: %q", errMalformed, line)
	}
	return nil
}

// noEOF reports a connection closed in mid-reply as such.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("connection closed by the node: %w", io.ErrUnexpectedEOF)
	}
	return err
}
