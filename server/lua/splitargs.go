package lua

import "strings"

// splitArgs splits a line into arguments as Redis's sdssplitargs does
// (FUNCTION LOAD splits its shebang line with it). ok is false for
// unbalanced quotes or a closing quote not followed by a blank.
//
// Outside quotes, space, tab, CR, LF and NUL end an argument; leading
// blanks are whatever C's isspace accepts. "Double quotes" understand
// \n \r \t \b \a, \xHH and a backslash before any other byte; 'single
// quotes' only \'. As in C, a NUL byte ends the line.
func splitArgs(line string) (args []string, ok bool) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	at := func(i int) byte { // C string access: 0 past the end
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	p := 0
	for {
		for p < len(line) && isSpace(line[p]) {
			p++
		}
		if p == len(line) {
			return args, true
		}
		var cur []byte
		inq, insq, done := false, false, false
		for !done {
			c := at(p)
			switch {
			case inq && c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
				cur = append(cur, unhex(at(p+2))<<4|unhex(at(p+3)))
				p += 3
			case inq && c == '\\' && at(p+1) != 0:
				p++
				cur = append(cur, unescape(line[p]))
			case (inq && c == '"') || (insq && c == '\''):
				if n := at(p + 1); n != 0 && !isSpace(n) {
					return nil, false
				}
				done = true
			case (inq || insq) && c == 0:
				return nil, false
			case insq && c == '\\' && at(p+1) == '\'':
				p++
				cur = append(cur, '\'')
			case inq || insq:
				cur = append(cur, c)
			case c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0:
				done = true
			case c == '"':
				inq = true
			case c == '\'':
				insq = true
			default:
				cur = append(cur, c)
			}
			if p < len(line) {
				p++
			}
		}
		args = append(args, string(cur))
	}
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}
