package resp

import (
	"strconv"
	"strings"
)

// String renders r the way redis-cli shows it on a terminal, for debugging
// and test expectations: OK, (integer) 3, (nil), "abc", (error) ERR ...,
// (double) 3.5, (true), and aggregates numbered "1) ", "1# k => v" (maps) or
// "1~ " (sets), nested with redis-cli's indentation. Lines are separated by
// newlines; there is no trailing newline.
func (r Reply) String() string {
	var b strings.Builder
	render(&b, r, "")
	return strings.TrimSuffix(b.String(), "\n")
}

func render(b *strings.Builder, r Reply, prefix string) {
	switch r.Kind {
	case KindNull, KindNullArray:
		b.WriteString("(nil)")
	case KindSimple:
		b.WriteString(r.Str)
	case KindError:
		b.WriteString("(error) " + r.Str)
	case KindInt:
		b.WriteString("(integer) " + strconv.FormatInt(r.Int, 10))
	case KindBulk:
		b.WriteString(Quote(r.Text()))
	case KindDouble:
		b.WriteString("(double) " + string(appendDouble(nil, r.Float)))
	case KindBool:
		if r.Int != 0 {
			b.WriteString("(true)")
		} else {
			b.WriteString("(false)")
		}
	case KindVerbatim:
		b.WriteString(verbatimText(r.Str))
	case KindArray, KindSet, KindMap:
		renderAggregate(b, r, prefix)
		return
	case KindRaw:
		if p, _, err := ParseReply(r.Bytes); err == nil {
			render(b, p, prefix)
			return
		}
		b.WriteString("(malformed raw reply)")
	default:
		b.WriteString("(unknown " + r.Kind.String() + ")")
	}
	b.WriteByte('\n')
}

// renderAggregate follows redis-cli's cliFormatReplyTTY.
func renderAggregate(b *strings.Builder, r Reply, prefix string) {
	n := len(r.Elems)
	if r.Kind == KindMap {
		n /= 2
	}
	empty, sep := "(empty array)\n", byte(')')
	switch r.Kind {
	case KindSet:
		empty, sep = "(empty set)\n", '~'
	case KindMap:
		empty, sep = "(empty hash)\n", '#'
	}
	if n == 0 {
		b.WriteString(empty)
		return
	}
	width := len(strconv.Itoa(n))
	inner := prefix + strings.Repeat(" ", width+2)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(prefix)
		}
		idx := strconv.Itoa(i + 1)
		b.WriteString(strings.Repeat(" ", width-len(idx)) + idx)
		b.WriteByte(sep)
		b.WriteByte(' ')
		if r.Kind != KindMap {
			render(b, r.Elems[i], inner)
			continue
		}
		var key strings.Builder
		render(&key, r.Elems[2*i], inner)
		b.WriteString(strings.TrimSuffix(key.String(), "\n") + " => ")
		render(b, r.Elems[2*i+1], inner)
	}
}

// Quote renders s like redis-cli does (sdscatrepr): double-quoted, with \n
// \r \t \a \b \\ \" escaped and other non-printable bytes as \xHH.
func Quote(s string) string {
	return string(AppendQuote(make([]byte, 0, len(s)+2), []byte(s)))
}

// AppendQuote appends a quoted as Quote does (MONITOR's and SLOWLOG's
// rendering of arguments).
func AppendQuote(b, a []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, c := range a {
		switch c {
		case '\\', '"':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\a':
			b = append(b, '\\', 'a')
		case '\b':
			b = append(b, '\\', 'b')
		default:
			if c >= 0x20 && c < 0x7f {
				b = append(b, c)
			} else {
				b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return append(b, '"')
}
