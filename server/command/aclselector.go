package command

import (
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// ACL selectors, as Redis 7.0 has them: "(+get ~foo*)" adds to a user a
// set of permissions of its own. A command is allowed when the root
// selector allows it with all its keys and channels, or when one of the
// selectors alone does (check, aclcheck.go). A selector takes only the
// rules of commands, keys and channels (ACLSetSelector): a flag or a
// password inside one is a syntax error.

// mergeSelectorArgs joins the SETUSER arguments of a selector that spans
// several ("(+get", "~foo)") into one rule, as Redis's
// ACLMergeSelectorArguments: an argument starting with "(" and not
// ending with ")" opens a selector (dropping one still open), and the
// first argument ending with ")" after it closes it. ok is false when a
// selector is left open; open is then its first argument's index.
func mergeSelectorArgs(args []string) (rules []string, open int, ok bool) {
	open = -1
	var sel string
	for j, op := range args {
		if strings.HasPrefix(op, "(") && !strings.HasSuffix(op, ")") {
			sel, open = op, j
			continue
		}
		if open >= 0 {
			sel += " " + op
			if strings.HasSuffix(op, ")") {
				rules, open = append(rules, sel), -1
			}
			continue
		}
		rules = append(rules, op)
	}
	if open >= 0 {
		return nil, open, false
	}
	return rules, -1, true
}

// addSelector is the rule "(rule ...)": a new selector with those rules,
// split as Redis's sdssplitargs (unbalanced quotes leave it empty, as
// Redis's aclCreateSelectorFromOpSet does).
func (u *aclUser) addSelector(cmds commandSet, op string) error {
	s := &aclSelector{cmds: map[string]bool{}}
	args, _ := resp.SplitArgs(op[1 : len(op)-1])
	for _, a := range args {
		if err := s.applySelector(cmds, a); err != nil {
			return err
		}
	}
	u.selectors = append(u.selectors, s)
	return nil
}

// describe is ACLDescribeSelector: the keys, the channels and the
// commands, as ACL LIST writes them.
func (s *aclSelector) describe(cs commandSet) string {
	var parts []string
	if s.allKeys {
		parts = append(parts, "~*")
	} else {
		for _, k := range s.keys {
			parts = append(parts, k.String())
		}
	}
	if s.allChans {
		parts = append(parts, "&*")
	} else {
		parts = append(parts, "resetchannels")
		for _, c := range s.chans {
			parts = append(parts, "&"+c)
		}
	}
	return strings.Join(append(parts, s.describeCommands(cs)), " ")
}

// reply is a selector as ACL GETUSER shows it (Redis's
// aclAddReplySelectorDescription): commands, keys and channels.
func (s *aclSelector) reply(cs commandSet) []resp.Reply {
	str := resp.BulkString
	return []resp.Reply{str("commands"), str(s.describeCommands(cs)), str("keys"), str(s.describeKeys()),
		str("channels"), str(s.describeChannels())}
}

// rules are the selector rules that rebuild s from an empty selector.
func (s *aclSelector) rules(cs commandSet) []string {
	var out []string
	if s.allKeys {
		out = append(out, "allkeys")
	}
	for _, k := range s.keys {
		out = append(out, k.String())
	}
	if s.allChans {
		out = append(out, "allchannels")
	}
	for _, c := range s.chans {
		out = append(out, "&"+c)
	}
	return append(out, strings.Fields(s.describeCommands(cs))...)
}

// selectorRule is the one rule "(...)" that adds s back, each of its
// rules quoted if sdssplitargs would not read it back as it is (a key
// pattern may hold a quote).
func (s *aclSelector) selectorRule(cs commandSet) string {
	rules := s.rules(cs)
	for i, r := range rules {
		rules[i] = quoteArg(r)
	}
	return "(" + strings.Join(rules, " ") + ")"
}

// quoteArg returns a in double quotes, escaped, if resp.SplitArgs would
// not return it unchanged.
func quoteArg(a string) string {
	if a != "" && !strings.ContainsAny(a, "\"'\\") && !hasSpaces(a) && printable(a) {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(a); i++ {
		c := a[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			const hex = "0123456789abcdef"
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func printable(a string) bool {
	for i := 0; i < len(a); i++ {
		if a[i] < 0x20 || a[i] >= 0x7f {
			return false
		}
	}
	return true
}

// all returns u's selectors, the root first.
func (u *aclUser) all() []*aclSelector {
	return append([]*aclSelector{&u.aclSelector}, u.selectors...)
}

// anyChannelOK: one of u's selectors has every channel or a pattern
// allowing ch (Redis's ACLUserCheckChannelPerm).
func (u *aclUser) anyChannelOK(ch []byte, pattern bool) bool {
	for _, s := range u.all() {
		if s.allChans || s.channelOK(ch, pattern) {
			return true
		}
	}
	return false
}
