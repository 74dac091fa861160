package command

// globMatch reports whether s matches the glob pattern with Redis's
// stringmatchlen semantics (KEYS, SCAN MATCH, CONFIG GET): * and ?, classes
// [abc], [a-z] (reversed ranges allowed), [^...] negation, and \ escapes,
// also inside classes; an unterminated class runs to the pattern's end.
func globMatch(pattern, s []byte, nocase bool) bool {
	skip := false
	return globImpl(pattern, s, nocase, &skip, 0)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func sameByte(a, b byte, nocase bool) bool {
	return a == b || (nocase && lower(a) == lower(b))
}

// globImpl is a port of Redis 7.2's stringmatchlen_impl. skip records that
// the rest of the pattern after a '*' matched nowhere, which bounds the
// work on patterns like "a*a*a*a*b" to polynomial.
func globImpl(p, s []byte, nocase bool, skip *bool, nesting int) bool {
	if nesting > 1000 {
		return false
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if globImpl(p[1:], s, nocase, skip, nesting+1) {
					return true
				}
				if *skip {
					return false
				}
				s = s[1:]
			}
			*skip = true
			return false
		case '?':
			s = s[1:]
		case '[':
			var ok bool
			if p, ok = globClass(p[1:], s[0], nocase); !ok {
				return false
			}
			s = s[1:]
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			fallthrough
		default:
			if !sameByte(p[0], s[0], nocase) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}

// globClass matches c against the class starting at p (just after '[').
// It returns the pattern positioned on the class's closing ']' (or its last
// byte if unterminated) and whether c matched.
func globClass(p []byte, c byte, nocase bool) ([]byte, bool) {
	not := len(p) > 0 && p[0] == '^'
	if not {
		p = p[1:]
	}
	match := false
	for {
		switch {
		case len(p) >= 2 && p[0] == '\\':
			p = p[1:]
			match = match || p[0] == c
		case len(p) > 0 && p[0] == ']':
			return p, match != not
		case len(p) == 0:
			// Unterminated: Redis steps back onto the last byte, which the
			// caller then consumes.
			return []byte{0}, match != not
		case len(p) >= 3 && p[1] == '-':
			lo, hi, x := p[0], p[2], c
			if lo > hi {
				lo, hi = hi, lo
			}
			if nocase {
				lo, hi, x = lower(lo), lower(hi), lower(x)
			}
			p = p[2:]
			match = match || (x >= lo && x <= hi)
		default:
			match = match || sameByte(p[0], c, nocase)
		}
		p = p[1:]
	}
}
