package command

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// ACL users, as Redis 7.0 keeps them (acl.c): each user has flags,
// password hashes (SHA-256, hex), the commands it may run (a set of full
// command names: "get", "client|list"), first arguments allowed of
// otherwise denied commands ("select|0"), and the key and channel patterns
// it may touch. Those permissions form a selector (aclSelector): the
// user's root selector, plus the selectors given in parentheses
// ("(+get ~foo*)"), each of which may allow a command on its own
// (aclcheck.go, aclselector.go).
//
// A user is never changed in place: ACL SETUSER builds a copy and swaps
// it in (aclState, aclstate.go), so a check reads one consistent user.

// aclUser is one ACL user.
type aclUser struct {
	name        string
	flags       userFlag
	passwords   []string       // SHA-256 hex of each password, in order added
	aclSelector                // the root selector
	selectors   []*aclSelector // the selectors in parentheses, in order added
}

// aclSelector is a set of permissions: commands, keys and channels.
type aclSelector struct {
	future    bool                // +@all's reserved bit: future commands allowed
	cmds      map[string]bool     // allowed commands by full name
	firstArgs map[string][]string // allowed first arguments of denied commands
	allKeys   bool
	keys      []keyPattern
	allChans  bool
	chans     []string
}

// userFlag is a user flag, in Redis's order of ACLUserFlags.
type userFlag uint8

const (
	flagOn userFlag = 1 << iota
	flagOff
	flagNoPass
	flagSkipSanitize
	flagSanitize
)

var userFlagNames = []string{"on", "off", "nopass", "skip-sanitize-payload", "sanitize-payload"}

func (f userFlag) names() []string {
	var out []string
	for i, n := range userFlagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// keyPattern is ~pattern (read and write), %R~pattern or %W~pattern.
type keyPattern struct {
	pattern     string
	read, write bool
}

func (k keyPattern) String() string {
	switch {
	case k.read && k.write:
		return "~" + k.pattern
	case k.read:
		return "%R~" + k.pattern
	}
	return "%W~" + k.pattern
}

// ruleError is why ACL SETUSER refused a rule, with Redis's texts
// (ACLSetUserStringError), which start with a capital.
type ruleError string

func (e ruleError) Error() string { return string(e) }

// The errors of a rule.
const (
	errRuleUnknown  = ruleError("Unknown command or category name in ACL")
	errRuleSyntax   = ruleError("Syntax error")
	errRuleAllKeys  = ruleError("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns")
	errRuleAllChans = ruleError("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels")
	errRuleNoPass   = ruleError("The password you are trying to remove from the user does not exist")
	errRuleHash     = ruleError("The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")
	errRuleFirstArg = ruleError("Allowing first-arg of a subcommand is not supported")
)

// newUser is a user as ACL SETUSER creates it: off, no passwords, no
// commands, keys or channels (acl-pubsub-default resetchannels).
func newUser(name string) *aclUser {
	return &aclUser{name: name, flags: flagOff, aclSelector: aclSelector{cmds: map[string]bool{}}}
}

// clone returns a deep copy of u.
func (u *aclUser) clone() *aclUser {
	c := *u
	c.passwords = slices.Clone(u.passwords)
	c.aclSelector = *u.aclSelector.clone()
	c.selectors = nil
	for _, s := range u.selectors {
		c.selectors = append(c.selectors, s.clone())
	}
	return &c
}

// clone returns a deep copy of s.
func (s *aclSelector) clone() *aclSelector {
	c := *s
	c.keys = slices.Clone(s.keys)
	c.chans = slices.Clone(s.chans)
	c.cmds = make(map[string]bool, len(s.cmds))
	for k, v := range s.cmds {
		c.cmds[k] = v
	}
	c.firstArgs = make(map[string][]string, len(s.firstArgs))
	for k, v := range s.firstArgs {
		c.firstArgs[k] = slices.Clone(v)
	}
	return &c
}

// hashPassword is Redis's ACLHashPassword: SHA-256, lowercase hex.
func hashPassword(p []byte) string {
	sum := sha256.Sum256(p)
	return hex.EncodeToString(sum[:])
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// hasSpaces is Redis's ACLStringHasSpaces: whitespace or NUL.
func hasSpaces(s string) bool {
	return strings.ContainsAny(s, " \t\n\v\f\r\x00")
}

// apply runs one rule of ACL SETUSER on u (ACLSetUser).
func (u *aclUser) apply(cmds commandSet, op string) error {
	if op == "" {
		return nil
	}
	switch strings.ToLower(op) {
	case "on":
		u.flags = u.flags&^flagOff | flagOn
	case "off":
		u.flags = u.flags&^flagOn | flagOff
	case "skip-sanitize-payload":
		u.flags = u.flags&^flagSanitize | flagSkipSanitize
	case "sanitize-payload":
		u.flags = u.flags&^flagSkipSanitize | flagSanitize
	case "nopass":
		u.flags |= flagNoPass
		u.passwords = nil
	case "resetpass":
		u.flags &^= flagNoPass
		u.passwords = nil
	case "clearselectors":
		u.selectors = nil
	case "reset":
		for _, r := range []string{"resetpass", "resetkeys", "resetchannels", "off", "sanitize-payload", "clearselectors", "-@all"} {
			_ = u.apply(cmds, r)
		}
	default:
		return u.applyOther(cmds, op)
	}
	return nil
}

// applyOther applies the rules with an argument: passwords, patterns,
// commands and categories.
func (u *aclUser) applyOther(cmds commandSet, op string) error {
	switch op[0] {
	case '>', '#':
		h := op[1:]
		if op[0] == '>' {
			h = hashPassword([]byte(op[1:]))
		} else if !validHash(h) {
			return errRuleHash
		}
		if !slices.Contains(u.passwords, h) {
			u.passwords = append(u.passwords, h)
		}
		u.flags &^= flagNoPass
		return nil
	case '<', '!':
		h := op[1:]
		if op[0] == '<' {
			h = hashPassword([]byte(op[1:]))
		} else if !validHash(h) {
			return errRuleHash
		}
		i := slices.Index(u.passwords, h)
		if i < 0 {
			return errRuleNoPass
		}
		u.passwords = slices.Delete(u.passwords, i, i+1)
		return nil
	case '(':
		if op[len(op)-1] == ')' {
			return u.addSelector(cmds, op) // aclselector.go
		}
	}
	return u.applySelector(cmds, op)
}

// applySelector applies a rule of a selector (ACLSetSelector).
func (u *aclSelector) applySelector(cmds commandSet, op string) error {
	if op == "" {
		return errRuleSyntax // inside a selector: ("")
	}
	switch strings.ToLower(op) {
	case "allkeys", "~*":
		u.allKeys, u.keys = true, nil
		return nil
	case "resetkeys":
		u.allKeys, u.keys = false, nil
		return nil
	case "allchannels", "&*":
		u.allChans, u.chans = true, nil
		return nil
	case "resetchannels":
		u.allChans, u.chans = false, nil
		return nil
	case "allcommands", "+@all":
		u.future, u.firstArgs = true, nil
		for _, name := range cmds.names {
			u.cmds[name] = true
		}
		return nil
	case "nocommands", "-@all":
		u.future, u.firstArgs, u.cmds = false, nil, map[string]bool{}
		return nil
	}
	switch {
	case op[0] == '~' || op[0] == '%':
		return u.addKeyPattern(op)
	case op[0] == '&':
		return u.addChannel(op[1:])
	case len(op) > 1 && (op[0] == '+' || op[0] == '-') && op[1] == '@':
		cat := strings.ToLower(op[2:])
		if !slices.Contains(aclCategories, cat) {
			return errRuleUnknown
		}
		for _, name := range cmds.byCat["@"+cat] {
			u.setCommand(cmds, name, op[0] == '+')
		}
		return nil
	case op[0] == '+':
		return u.allowCommand(cmds, op[1:])
	case op[0] == '-':
		name := strings.ToLower(op[1:])
		if !cmds.has(name) {
			return errRuleUnknown
		}
		u.setCommand(cmds, name, false)
		return nil
	}
	return errRuleSyntax
}

func (u *aclSelector) addKeyPattern(op string) error {
	if u.allKeys {
		return errRuleAllKeys
	}
	k, i := keyPattern{read: true, write: true}, 1
	if op[0] == '%' {
		k = keyPattern{}
	loop:
		for ; i < len(op); i++ {
			switch {
			case (op[i] == 'R' || op[i] == 'r') && !k.read:
				k.read = true
			case (op[i] == 'W' || op[i] == 'w') && !k.write:
				k.write = true
			case op[i] == '~':
				i++
				break loop
			default:
				return errRuleSyntax
			}
		}
	}
	if !k.read && !k.write {
		return errRuleSyntax
	}
	k.pattern = op[min(i, len(op)):]
	if hasSpaces(k.pattern) {
		return errRuleSyntax
	}
	for j := range u.keys {
		if u.keys[j].pattern == k.pattern {
			u.keys[j].read = u.keys[j].read || k.read
			u.keys[j].write = u.keys[j].write || k.write
			return nil
		}
	}
	u.keys = append(u.keys, k)
	return nil
}

func (u *aclSelector) addChannel(pat string) error {
	switch {
	case u.allChans:
		return errRuleAllChans
	case hasSpaces(pat):
		return errRuleSyntax
	}
	if !slices.Contains(u.chans, pat) {
		u.chans = append(u.chans, pat)
	}
	return nil
}

// allowCommand is +command, +command|subcommand or +command|first-arg.
func (u *aclSelector) allowCommand(cmds commandSet, spec string) error {
	name := strings.ToLower(spec)
	base, sub, hasSub := cutLast(name, "|")
	if !hasSub {
		if !cmds.has(name) {
			return errRuleUnknown
		}
		u.setCommand(cmds, name, true)
		return nil
	}
	switch {
	case !cmds.has(base):
		return errRuleUnknown
	case strings.Contains(base, "|"):
		return errRuleFirstArg
	case sub == "":
		return errRuleSyntax
	case len(cmds.subs[base]) > 0:
		if !cmds.has(name) {
			return errRuleUnknown
		}
		u.setCommand(cmds, name, true)
		return nil
	}
	// A first argument (SELECT|0): kept as given, matched case-insensitively.
	first := spec[len(base)+1:]
	for _, a := range u.firstArgs[base] {
		if strings.EqualFold(a, first) {
			return nil
		}
	}
	if u.firstArgs == nil {
		u.firstArgs = map[string][]string{}
	}
	u.firstArgs[base] = append(u.firstArgs[base], first)
	return nil
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// setCommand allows or denies name and its subcommands, dropping its
// allowed first arguments (ACLChangeSelectorPerm).
func (u *aclSelector) setCommand(cmds commandSet, name string, allow bool) {
	set := func(n string) {
		if allow {
			u.cmds[n] = true
		} else {
			delete(u.cmds, n)
		}
	}
	set(name)
	delete(u.firstArgs, name)
	for _, sub := range cmds.subs[name] {
		set(sub)
	}
}

// checkPassword reports whether pass authenticates u (on, and nopass or
// one of its passwords).
func (u *aclUser) checkPassword(pass []byte) bool {
	if u.flags&flagOff != 0 {
		return false
	}
	if u.flags&flagNoPass != 0 {
		return true
	}
	h := hashPassword(pass)
	ok := false
	for _, p := range u.passwords {
		if constantEq(p, h) {
			ok = true
		}
	}
	return ok
}
