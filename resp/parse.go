package resp

import (
	"bytes"
	"errors"
	"strconv"
)

// ErrIncomplete reports that b holds only the beginning of a reply.
var ErrIncomplete = errors.New("resp: incomplete reply")

var errBadReply = errors.New("resp: malformed reply")

// maxParseDepth bounds nesting so hostile input cannot exhaust the stack.
const maxParseDepth = 64

// ParseReply decodes one RESP2 or RESP3 reply from the start of b, as a
// node relays it, and returns it with the number of bytes it used. Bulk
// strings alias b.
func ParseReply(b []byte) (Reply, int, error) { return parseReply(b, 0) }

func parseReply(b []byte, depth int) (Reply, int, error) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 {
		return Reply{}, 0, ErrIncomplete
	}
	if i == 0 || depth > maxParseDepth {
		return Reply{}, 0, errBadReply
	}
	line, n := string(b[1:i]), i+2
	switch b[0] {
	case '+':
		return Simple(line), n, nil
	case '-':
		return Err(line), n, nil
	case '_':
		return Null(), n, nil
	case '#':
		return Bool(line == "t"), n, nil
	case ':', ',':
		if b[0] == ',' {
			f, err := strconv.ParseFloat(line, 64)
			return Double(f), n, err
		}
		v, err := strconv.ParseInt(line, 10, 64)
		return Int(v), n, err
	case '$', '=':
		size, err := strconv.Atoi(line)
		if err != nil || size < -1 {
			return Reply{}, 0, errBadReply
		}
		if size == -1 {
			return Null(), n, nil
		}
		if size > len(b)-n-2 { // not n+size+2: a huge size would overflow
			return Reply{}, 0, ErrIncomplete
		}
		if b[n+size] != '\r' || b[n+size+1] != '\n' {
			return Reply{}, 0, errBadReply
		}
		body := b[n : n+size : n+size]
		if b[0] == '=' {
			return Reply{Kind: KindVerbatim, Str: string(body)}, n + size + 2, nil
		}
		return Bulk(body), n + size + 2, nil
	case '*', '%', '~':
		return parseAggregate(b, b[0], line, n, depth)
	}
	return Reply{}, 0, errBadReply
}

func parseAggregate(b []byte, kind byte, line string, n, depth int) (Reply, int, error) {
	count, err := strconv.Atoi(line)
	if err != nil || count < -1 || count > len(b) {
		return Reply{}, 0, errBadReply
	}
	if count == -1 {
		return NullArray(), n, nil
	}
	if kind == '%' {
		count *= 2
	}
	elems := make([]Reply, count)
	for i := range elems {
		e, used, err := parseReply(b[n:], depth+1)
		if err != nil {
			return Reply{}, 0, err
		}
		elems[i], n = e, n+used
	}
	r := Reply{Kind: KindArray, Elems: elems}
	switch kind {
	case '%':
		r.Kind = KindMap
	case '~':
		r.Kind = KindSet
	}
	return r, n, nil
}
