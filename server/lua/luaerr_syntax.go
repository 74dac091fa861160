package lua

import (
	"regexp"
	"strconv"
	"strings"
)

// gopher-lua's parser is generated (goyacc) and says "syntax error" where
// Lua 5.1's hand-written one says what it expected ("'end' expected near
// '<eof>'", "'}' expected (to close '{' at line 1) near 'return'",
// "unfinished string near ''a'"). checkSyntax is Lua 5.1's lexer and
// parser (llex.c, lparser.c) cut to the grammar and their error texts,
// building nothing: compile runs it first, so a script or library that
// Lua 5.1 rejects gets its text, line and token, and one it accepts goes
// on to gopher-lua (which also accepts goto and a few other 5.2 forms
// Lua 5.1 refuses).

// syntaxError is one of Lua 5.1's compile errors.
type syntaxError struct{ msg string }

// Lua 5.1's tokens other than single characters.
const (
	tkEOS = 256 + iota
	tkName
	tkString
	tkNumber
	tkConcat // ..
	tkDots   // ...
	tkEq     // ==
	tkGE     // >=
	tkLE     // <=
	tkNE     // ~=
	tkReserved
)

var reserved = []string{"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
	"if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"}

func kw(word string) int {
	for i, w := range reserved {
		if w == word {
			return tkReserved + i
		}
	}
	return -1
}

// lexer is llex.c: one token of lookahead at most.
type lexer struct {
	src      string
	pos      int
	line     int // linenumber: where the lexer is
	lastline int // line of the last token consumed
	chunk    string
	tok      int
	text     string // the current token's saved text (names, strings, numbers)
	ahead    int    // lookahead token, -1 if none
	aheadTxt string
}

func (l *lexer) cur() byte {
	if l.pos < len(l.src) {
		return l.src[l.pos]
	}
	return 0
}

func (l *lexer) eof() bool { return l.pos >= len(l.src) }

func (l *lexer) fail(msg string, tok int, text string) {
	msg = l.chunk + ":" + strconv.Itoa(l.line) + ": " + msg
	if tok != 0 {
		msg += " near '" + tokenText(tok, text) + "'"
	}
	panic(syntaxError{msg})
}

// tokenText is txtToken: a name's, string's or number's own text.
func tokenText(tok int, text string) string {
	if tok == tkName || tok == tkString || tok == tkNumber {
		return text
	}
	return tokenName(tok)
}

// tokenName is luaX_token2str.
func tokenName(tok int) string {
	switch {
	case tok >= tkReserved:
		return reserved[tok-tkReserved]
	case tok >= 256:
		return [...]string{"<eof>", "<name>", "<string>", "<number>", "..", "...", "==", ">=", "<=", "~="}[tok-256]
	case tok < 32 || tok == 127:
		return "char(" + strconv.Itoa(tok) + ")"
	}
	return string(rune(tok))
}

func (l *lexer) newline() {
	old := l.cur()
	l.pos++
	if c := l.cur(); (c == '\n' || c == '\r') && c != old {
		l.pos++
	}
	l.line++
}

func (l *lexer) next() {
	l.lastline = l.line
	if l.ahead >= 0 {
		l.tok, l.text, l.ahead = l.ahead, l.aheadTxt, -1
		return
	}
	l.tok, l.text = l.lex()
}

func (l *lexer) lookahead() int {
	l.ahead, l.aheadTxt = l.lex()
	return l.ahead
}

func isAlpha(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (l *lexer) lex() (int, string) {
	for {
		if l.eof() {
			return tkEOS, ""
		}
		c := l.cur()
		switch {
		case c == '\n' || c == '\r':
			l.newline()
		case c == ' ' || c == '\f' || c == '\t' || c == '\v':
			l.pos++
		case c == '-':
			if l.pos++; l.cur() != '-' {
				return '-', ""
			}
			l.pos++
			if l.cur() == '[' {
				start := l.pos
				if sep := l.sep(); sep >= 0 {
					l.longString(start, sep, true)
					continue
				}
				l.pos = start
			}
			for !l.eof() && l.cur() != '\n' && l.cur() != '\r' {
				l.pos++
			}
		case c == '[':
			start := l.pos
			sep := l.sep()
			if sep >= 0 {
				return tkString, l.longString(start, sep, false)
			}
			if sep == -1 {
				return '[', ""
			}
			l.fail("invalid long string delimiter", tkString, l.src[start:l.pos])
		case c == '=' || c == '<' || c == '>' || c == '~':
			l.pos++
			if l.cur() != '=' {
				return int(c), ""
			}
			l.pos++
			return map[byte]int{'=': tkEq, '<': tkLE, '>': tkGE, '~': tkNE}[c], ""
		case c == '"' || c == '\'':
			return tkString, l.str(c)
		case c == '.':
			start := l.pos
			l.pos++
			if l.cur() == '.' {
				if l.pos++; l.cur() == '.' {
					l.pos++
					return tkDots, ""
				}
				return tkConcat, ""
			}
			if !isDigit(l.cur()) {
				return '.', ""
			}
			return tkNumber, l.numeral(start)
		case isDigit(c):
			return tkNumber, l.numeral(l.pos)
		case isAlpha(c):
			start := l.pos
			for !l.eof() && (isAlpha(l.cur()) || isDigit(l.cur())) {
				l.pos++
			}
			word := l.src[start:l.pos]
			if k := kw(word); k >= 0 {
				return k, ""
			}
			return tkName, word
		default:
			l.pos++
			return int(c), ""
		}
	}
}

// sep reads [=*[ or ]=*] from a bracket: the count of '=', -1 for a
// lone bracket, less for a bracket and '=' not closed.
func (l *lexer) sep() int {
	s := l.cur()
	l.pos++
	n := 0
	for l.cur() == '=' {
		l.pos++
		n++
	}
	if l.cur() == s {
		return n
	}
	return -n - 1
}

func (l *lexer) longString(start, sep int, comment bool) string {
	l.pos++ // the second bracket
	if c := l.cur(); c == '\n' || c == '\r' {
		l.newline()
	}
	for {
		switch {
		case l.eof():
			what := "unfinished long string"
			if comment {
				what = "unfinished long comment"
			}
			l.fail(what, tkEOS, "")
		case l.cur() == '[':
			if l.sep() == sep && sep == 0 { // nesting of [[ is an error in 5.1
				l.pos++
				l.fail("nesting of [[...]] is deprecated", '[', "")
			}
		case l.cur() == ']':
			if l.sep() == sep {
				l.pos++
				return l.src[start:l.pos]
			}
		case l.cur() == '\n' || l.cur() == '\r':
			l.newline()
		default:
			l.pos++
		}
	}
}

// str is read_string; its text is what Lua saved: the opening quote and
// the characters so far, escapes decoded.
func (l *lexer) str(delim byte) string {
	buf := []byte{delim}
	l.pos++
	for l.eof() || l.cur() != delim {
		switch c := l.cur(); {
		case l.eof():
			l.fail("unfinished string", tkEOS, "")
		case c == '\n' || c == '\r':
			l.fail("unfinished string", tkString, string(buf))
		case c == '\\':
			l.pos++
			switch e := l.cur(); {
			case l.eof():
			case e == '\n' || e == '\r':
				buf = append(buf, '\n')
				l.newline()
			case isDigit(e):
				n := 0
				for i := 0; i < 3 && isDigit(l.cur()); i++ {
					n = n*10 + int(l.cur()-'0')
					l.pos++
				}
				if n > 255 {
					l.fail("escape sequence too large", tkString, string(buf))
				}
				buf = append(buf, byte(n))
			default:
				if i := indexByte("abfnrtv", e); i >= 0 {
					e = "\a\b\f\n\r\t\v"[i]
				}
				buf = append(buf, e)
				l.pos++
			}
		default:
			buf = append(buf, c)
			l.pos++
		}
	}
	l.pos++
	return string(append(buf, delim))
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// chunkID is luaO_chunkid for a chunk loaded from a string: the name
// errors give it ('[string "first line..."]').
func chunkID(name string) string {
	if i := strings.IndexByte(name, 0); i >= 0 { // luaO_chunkid reads a C string
		name = name[:i]
	}
	switch {
	case name == "":
		return `[string ""]`
	case name[0] == '=' || name[0] == '@':
		return name[1:]
	}
	n := len(name)
	for i := 0; i < len(name); i++ {
		if name[i] == '\n' || name[i] == '\r' {
			n = i
			break
		}
	}
	if n > 63 { // Redis's LUA_IDSIZE (80) less the brackets
		n = 63
	}
	if n < len(name) {
		return `[string "` + name[:n] + `..."]`
	}
	return `[string "` + name + `"]`
}

var (
	reDecimal = regexp.MustCompile(`^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	reHex     = regexp.MustCompile(`^0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?[0-9]+)?$`)
)

// numeral is read_numeral: digits and dots, an exponent sign, then any
// letters, which strtod must take whole.
func (l *lexer) numeral(start int) string {
	for isDigit(l.cur()) || l.cur() == '.' {
		l.pos++
	}
	if c := l.cur(); c == 'e' || c == 'E' {
		l.pos++
		if c := l.cur(); c == '+' || c == '-' {
			l.pos++
		}
	}
	for !l.eof() && (isAlpha(l.cur()) || isDigit(l.cur())) {
		l.pos++
	}
	s := l.src[start:l.pos]
	if !reDecimal.MatchString(s) && !reHex.MatchString(s) {
		l.fail("malformed number", tkNumber, s)
	}
	return s
}

// checkSyntax returns Lua 5.1's error for src compiled as chunk, or "".
func checkSyntax(src, chunk string) (msg string) {
	p := &parser{lexer: lexer{src: src, line: 1, chunk: chunk, ahead: -1}}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			msg = se.msg
		}
	}()
	p.fs = &funcState{vararg: true}
	p.next()
	p.block()
	p.check(tkEOS)
	return ""
}

// funcState is what a function's body needs checked: '...' and break.
type funcState struct {
	vararg bool
	loops  int
	prev   *funcState
}

type parser struct {
	lexer
	fs    *funcState
	depth int
}

func (p *parser) errorExpected(tok int) {
	p.fail("'"+tokenName(tok)+"' expected", p.tok, p.text)
}

func (p *parser) syntax(msg string) { p.fail(msg, p.tok, p.text) }

func (p *parser) check(tok int) {
	if p.tok != tok {
		p.errorExpected(tok)
	}
}

func (p *parser) checkNext(tok int) {
	p.check(tok)
	p.next()
}

func (p *parser) testNext(tok int) bool {
	if p.tok == tok {
		p.next()
		return true
	}
	return false
}

func (p *parser) checkMatch(what, who, line int) {
	if p.testNext(what) {
		return
	}
	if line == p.line {
		p.errorExpected(what)
	}
	p.syntax("'" + tokenName(what) + "' expected (to close '" + tokenName(who) + "' at line " + strconv.Itoa(line) + ")")
}

func (p *parser) name() {
	p.check(tkName)
	p.next()
}

func (p *parser) enter() {
	if p.depth++; p.depth > 200 { // LUAI_MAXCCALLS
		p.fail("chunk has too many syntax levels", 0, "")
	}
}

func (p *parser) leave() { p.depth-- }

func blockFollow(tok int) bool {
	switch tok {
	case kw("else"), kw("elseif"), kw("end"), kw("until"), tkEOS:
		return true
	}
	return false
}

// block is chunk: statements until a block end; return and break last.
func (p *parser) block() {
	p.enter()
	for last := false; !last && !blockFollow(p.tok); {
		last = p.statement()
		p.testNext(';')
	}
	p.leave()
}

func (p *parser) loopBlock() {
	p.fs.loops++
	p.block()
	p.fs.loops--
}

func (p *parser) statement() (last bool) {
	line := p.line
	switch p.tok {
	case kw("if"):
		p.next()
		p.expr()
		p.checkNext(kw("then"))
		p.block()
		for p.tok == kw("elseif") {
			p.next()
			p.expr()
			p.checkNext(kw("then"))
			p.block()
		}
		if p.testNext(kw("else")) {
			p.block()
		}
		p.checkMatch(kw("end"), kw("if"), line)
	case kw("while"):
		p.next()
		p.expr()
		p.checkNext(kw("do"))
		p.loopBlock()
		p.checkMatch(kw("end"), kw("while"), line)
	case kw("do"):
		p.next()
		p.block()
		p.checkMatch(kw("end"), kw("do"), line)
	case kw("for"):
		p.forStat(line)
	case kw("repeat"):
		p.next()
		p.loopBlock()
		p.checkMatch(kw("until"), kw("repeat"), line)
		p.expr()
	case kw("function"):
		p.next()
		p.name()
		for p.tok == '.' {
			p.next()
			p.name()
		}
		method := p.testNext(':')
		if method {
			p.name()
		}
		p.body(line)
	case kw("local"):
		p.next()
		if p.testNext(kw("function")) {
			p.name()
			p.body(line)
		} else {
			p.name()
			for p.testNext(',') {
				p.name()
			}
			if p.testNext('=') {
				p.exprList()
			}
		}
	case kw("return"):
		p.next()
		if !blockFollow(p.tok) && p.tok != ';' {
			p.exprList()
		}
		return true
	case kw("break"):
		p.next()
		if p.fs.loops == 0 {
			p.syntax("no loop to break")
		}
		return true
	default:
		p.exprStat()
	}
	return false
}

func (p *parser) forStat(line int) {
	p.next()
	p.name()
	switch p.tok {
	case '=':
		p.next()
		p.expr()
		p.checkNext(',')
		p.expr()
		if p.testNext(',') {
			p.expr()
		}
	case ',', kw("in"):
		for p.testNext(',') {
			p.name()
		}
		p.checkNext(kw("in"))
		p.exprList()
	default:
		p.syntax("'=' or 'in' expected")
	}
	p.checkNext(kw("do"))
	p.loopBlock()
	p.checkMatch(kw("end"), kw("for"), line)
}

// body is a function's parameters and block.
func (p *parser) body(line int) {
	p.fs = &funcState{prev: p.fs}
	defer func() { p.fs = p.fs.prev }()
	p.checkNext('(')
	if p.tok != ')' {
		for {
			if p.tok == tkName {
				p.next()
			} else if p.tok == tkDots {
				p.next()
				p.fs.vararg = true
			} else {
				p.syntax("<name> or '...' expected")
			}
			if p.fs.vararg || !p.testNext(',') {
				break
			}
		}
	}
	p.checkNext(')')
	p.block()
	p.checkMatch(kw("end"), kw("function"), line)
}

// exprStat is a call or an assignment.
func (p *parser) exprStat() {
	if k := p.primaryExp(); k == expCall {
		return
	} else if k != expVar {
		p.syntax("syntax error")
	}
	for p.testNext(',') {
		if p.primaryExp() != expVar {
			p.syntax("syntax error")
		}
	}
	p.checkNext('=')
	p.exprList()
}

func (p *parser) exprList() {
	p.expr()
	for p.testNext(',') {
		p.expr()
	}
}

// What a primary expression is, for an assignment.
const (
	expVar   = iota // a name or an indexed expression
	expCall         // a call
	expValue        // a parenthesized expression
)

// primaryExp reads a prefix expression and its suffixes.
func (p *parser) primaryExp() (kind int) {
	switch p.tok {
	case tkName:
		p.next()
	case '(':
		line := p.line
		p.next()
		p.expr()
		p.checkMatch(')', '(', line)
		kind = expValue
	default:
		p.syntax("unexpected symbol")
	}
	for {
		switch p.tok {
		case '.':
			p.next()
			p.name()
			kind = expVar
		case '[':
			p.next()
			p.expr()
			p.checkNext(']')
			kind = expVar
		case ':':
			p.next()
			p.name()
			p.funcArgs()
			kind = expCall
		case '(', tkString, '{':
			p.funcArgs()
			kind = expCall
		default:
			return kind
		}
	}
}

func (p *parser) funcArgs() {
	line := p.line
	switch p.tok {
	case '(':
		if line != p.lastline {
			p.syntax("ambiguous syntax (function call x new statement)")
		}
		p.next()
		if p.tok != ')' {
			p.exprList()
		}
		p.checkMatch(')', '(', line)
	case tkString:
		p.next()
	case '{':
		p.constructor()
	default:
		p.syntax("function arguments expected")
	}
}

func (p *parser) constructor() {
	line := p.line
	p.checkNext('{')
	for p.tok != '}' {
		switch {
		case p.tok == tkName && p.lookahead() == '=':
			p.next()
			p.checkNext('=')
			p.expr()
		case p.tok == '[':
			p.next()
			p.expr()
			p.checkNext(']')
			p.checkNext('=')
			p.expr()
		default:
			p.expr()
		}
		if !p.testNext(',') && !p.testNext(';') {
			break
		}
	}
	p.checkMatch('}', '{', line)
}

func (p *parser) simpleExp() {
	switch p.tok {
	case tkNumber, tkString, kw("nil"), kw("true"), kw("false"):
		p.next()
	case tkDots:
		if !p.fs.vararg {
			p.syntax("cannot use '...' outside a vararg function")
		}
		p.next()
	case '{':
		p.constructor()
	case kw("function"):
		line := p.line
		p.next()
		p.body(line)
	default:
		p.primaryExp()
	}
}

// binary operators' left and right priorities (lparser.c's priority).
func binaryPriority(tok int) (left, right int, ok bool) {
	switch tok {
	case '+', '-':
		return 6, 6, true
	case '*', '/', '%':
		return 7, 7, true
	case '^':
		return 10, 9, true
	case tkConcat:
		return 5, 4, true
	case tkEq, tkNE, '<', tkLE, '>', tkGE:
		return 3, 3, true
	case kw("and"):
		return 2, 2, true
	case kw("or"):
		return 1, 1, true
	}
	return 0, 0, false
}

func (p *parser) expr() { p.subExpr(0) }

func (p *parser) subExpr(limit int) {
	p.enter()
	if p.tok == kw("not") || p.tok == '-' || p.tok == '#' {
		p.next()
		p.subExpr(8) // UNARY_PRIORITY
	} else {
		p.simpleExp()
	}
	for {
		left, right, ok := binaryPriority(p.tok)
		if !ok || left <= limit {
			break
		}
		p.next()
		p.subExpr(right)
	}
	p.leave()
}
