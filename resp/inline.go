package resp

import "bytes"

// splitInline splits an inline command line (without its line ending) into
// arguments like Redis's sdssplitargs, appending each argument's start and
// end offsets in line to offs. It unescapes in place (an argument is never
// longer than its source text), so arguments alias line. ok is false for
// unbalanced quotes. As in C, a NUL byte ends the line.
//
// Outside quotes, space, tab, CR and LF end an argument (leading blanks are
// anything C's isspace accepts). "double quotes" understand \n \r \t \b \a,
// \xHH and a backslash before any other byte; 'single quotes' only \'. A
// closing quote must be followed by a blank or the end of the line.
func splitInline(line []byte, offs []int) (_ []int, ok bool) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	p := 0
	for {
		for p < len(line) && isSpace(line[p]) {
			p++
		}
		if p == len(line) {
			return offs, true
		}
		start := p
		w, ok := splitToken(line, &p)
		if !ok {
			return offs, false
		}
		offs = append(offs, start, w)
	}
}

// splitToken reads one argument starting at *p, writes its unescaped bytes
// from the same position on, and returns where they end.
func splitToken(line []byte, p *int) (w int, ok bool) {
	at := func(i int) byte { // C string access: 0 past the end
		if i < len(line) {
			return line[i]
		}
		return 0
	}
	w = *p
	inq, insq := false, false
	for i := *p; ; {
		c := at(i)
		switch {
		case inq && c == '\\' && at(i+1) == 'x' && isHexDigit(at(i+2)) && isHexDigit(at(i+3)):
			line[w] = unhex(at(i+2))<<4 | unhex(at(i+3))
			w, i = w+1, i+3
		case inq && c == '\\' && at(i+1) != 0:
			i++
			line[w] = unescape(line[i])
			w++
		case (inq && c == '"') || (insq && c == '\''):
			if n := at(i + 1); n != 0 && !isSpace(n) {
				return w, false
			}
			*p = i + 1
			return w, true
		case (inq || insq) && c == 0:
			return w, false
		case insq && c == '\\' && at(i+1) == '\'':
			i++
			line[w] = '\''
			w++
		case inq || insq:
			line[w] = c
			w++
		case c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0:
			*p = min(i+1, len(line))
			return w, true
		case c == '"':
			inq = true
		case c == '\'':
			insq = true
		default:
			line[w] = c
			w++
		}
		i++
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

// SplitArgs splits line into arguments as Redis's sdssplitargs does (the
// inline-command rules above); ok is false for unbalanced quotes. The
// arguments are copies: line is not changed.
func SplitArgs(line string) (args []string, ok bool) {
	b := []byte(line)
	offs, ok := splitInline(b, nil)
	if !ok {
		return nil, false
	}
	for i := 0; i < len(offs); i += 2 {
		args = append(args, string(b[offs[i]:offs[i+1]]))
	}
	return args, true
}
