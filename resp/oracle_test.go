package resp

import (
	"bytes"
	"io"
)

// naiveParse is a deliberately simple, whole-input reference for Reader: it
// follows Redis's processMultibulkBuffer / processInlineBuffer / sdssplitargs
// step by step, with ringkv's documented strictness, and returns every
// non-empty command and the error that ends the input.
func naiveParse(in []byte, lim Limits) (cmds [][][]byte, err error) {
	lim = lim.withDefaults()
	for len(in) > 0 {
		var args [][]byte
		if in[0] == '*' {
			args, in, err = naiveMultibulk(in, lim)
		} else {
			args, in, err = naiveInline(in, lim)
		}
		if err != nil {
			return cmds, err
		}
		if len(args) > 0 {
			cmds = append(cmds, args)
		}
	}
	return cmds, io.EOF
}

// naiveLine returns the header line before "\r" and the rest after "\r\n".
func naiveLine(in []byte, lim Limits, tooBig string) (line, rest []byte, err error) {
	i := bytes.IndexByte(in, '\r')
	if (i < 0 && len(in) > lim.MaxInline) || i > lim.MaxInline {
		return nil, nil, protoErr(tooBig)
	}
	if i < 0 || i+1 >= len(in) {
		return nil, nil, io.ErrUnexpectedEOF
	}
	return in[:i], in[i+1:], nil
}

func naiveMultibulk(in []byte, lim Limits) ([][]byte, []byte, error) {
	line, rest, err := naiveLine(in, lim, "too big mbulk count string")
	if err != nil {
		return nil, nil, err
	}
	n, ok := ParseInt(line[1:])
	if !ok || n > int64(lim.MaxMultiBulk) || rest[0] != '\n' {
		return nil, nil, protoErr("invalid multibulk length")
	}
	in = rest[1:]
	args := [][]byte{}
	for ; n > 0; n-- {
		line, rest, err := naiveLine(in, lim, "too big bulk count string")
		if err != nil {
			return nil, nil, err
		}
		if len(line) == 0 || line[0] != '$' {
			got := byte('\r')
			if len(line) > 0 {
				got = line[0]
			}
			return nil, nil, protoErr("expected '$', got '" + string([]byte{got}) + "'")
		}
		l, ok := ParseInt(line[1:])
		if !ok || l < 0 || l > lim.MaxBulkLen || rest[0] != '\n' {
			return nil, nil, protoErr("invalid bulk length")
		}
		in = rest[1:]
		if int64(len(in)) < l+2 {
			return nil, nil, io.ErrUnexpectedEOF
		}
		if in[l] != '\r' || in[l+1] != '\n' {
			return nil, nil, protoErr("invalid bulk length")
		}
		args = append(args, in[:l])
		in = in[l+2:]
	}
	return args, in, nil
}

func naiveInline(in []byte, lim Limits) ([][]byte, []byte, error) {
	i := bytes.IndexByte(in, '\n')
	if (i < 0 && len(in) > lim.MaxInline) || i > lim.MaxInline {
		return nil, nil, protoErr("too big inline request")
	}
	if i < 0 {
		return nil, nil, io.ErrUnexpectedEOF
	}
	line := in[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	args, ok := naiveSplitArgs(line)
	if !ok {
		return nil, nil, protoErr("unbalanced quotes in request")
	}
	return args, in[i+1:], nil
}

// naiveSplitArgs is a literal port of sdssplitargs over a NUL-terminated copy.
func naiveSplitArgs(line []byte) ([][]byte, bool) {
	s := append(append([]byte{}, line...), 0)
	p := 0
	var out [][]byte
	cspace := func(c byte) bool { return bytes.IndexByte([]byte(" \t\n\v\f\r"), c) >= 0 }
	hexv := func(c byte) int {
		switch {
		case '0' <= c && c <= '9':
			return int(c - '0')
		case 'a' <= c && c <= 'f':
			return int(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			return int(c - 'A' + 10)
		}
		return -1
	}
	for {
		for s[p] != 0 && cspace(s[p]) {
			p++
		}
		if s[p] == 0 {
			return out, true
		}
		cur := []byte{}
		inq, insq, done := false, false, false
		for !done {
			switch {
			case inq:
				if s[p] == '\\' && s[p+1] == 'x' && hexv(s[p+2]) >= 0 && hexv(s[p+3]) >= 0 {
					cur = append(cur, byte(hexv(s[p+2])*16+hexv(s[p+3])))
					p += 3
				} else if s[p] == '\\' && s[p+1] != 0 {
					p++
					c := map[byte]byte{'n': '\n', 'r': '\r', 't': '\t', 'b': '\b', 'a': '\a'}[s[p]]
					if c == 0 {
						c = s[p]
					}
					cur = append(cur, c)
				} else if s[p] == '"' {
					if s[p+1] != 0 && !cspace(s[p+1]) {
						return nil, false
					}
					done = true
				} else if s[p] == 0 {
					return nil, false
				} else {
					cur = append(cur, s[p])
				}
			case insq:
				if s[p] == '\\' && s[p+1] == '\'' {
					p++
					cur = append(cur, '\'')
				} else if s[p] == '\'' {
					if s[p+1] != 0 && !cspace(s[p+1]) {
						return nil, false
					}
					done = true
				} else if s[p] == 0 {
					return nil, false
				} else {
					cur = append(cur, s[p])
				}
			default:
				switch s[p] {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, s[p])
				}
			}
			if s[p] != 0 {
				p++
			}
		}
		out = append(out, cur)
	}
}
