package command

import (
	"crypto/subtle"
	"strings"
)

// aclCategories are Redis 7.0's ACL categories, in ACL CAT's order (the
// order ACL LIST's best fit tries them in).
var aclCategories = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash",
	"string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting"}

// commandSet is the command table as ACL rules see it: every full name
// (commands and subcommands), each container's subcommands and each
// category's members. Built once, read only.
type commandSet struct {
	names []string            // sorted, subcommands after their container
	subs  map[string][]string // container -> its subcommands' full names
	byCat map[string][]string // "@string" -> full names
	set   map[string]bool
}

func newCommandSet(all []*Command) commandSet {
	cs := commandSet{subs: map[string][]string{}, byCat: map[string][]string{}, set: map[string]bool{}}
	for _, c := range all {
		cs.names = append(cs.names, c.Name)
		cs.set[c.Name] = true
		if base, _, ok := strings.Cut(c.Name, "|"); ok {
			cs.subs[base] = append(cs.subs[base], c.Name)
		}
		for _, cat := range c.categories() {
			cs.byCat[cat] = append(cs.byCat[cat], c.Name)
		}
	}
	return cs
}

func (cs commandSet) has(name string) bool { return cs.set[name] }

// describeCommands is Redis 7.0's ACLDescribeSelectorCommandRules: +@all
// or -@all, then the categories that fit best, then single commands
// (here in name order; Redis's follow its command dict's hash order).
func (u *aclSelector) describeCommands(cs commandSet) string {
	additive := !u.future
	fake := map[string]bool{}
	var rules []string
	if additive {
		rules = append(rules, "-@all")
	} else {
		rules = append(rules, "+@all")
		for _, n := range cs.names {
			fake[n] = true
		}
	}
	temp := make(map[string]bool, len(u.cmds))
	for k := range u.cmds {
		temp[k] = true
	}
	applied := map[string]bool{}
	for {
		best, minDiff, maxSame := "", int(^uint(0)>>1), 0
		for _, cat := range aclCategories {
			if applied[cat] {
				continue
			}
			on, off := 0, 0
			for _, n := range cs.byCat["@"+cat] {
				if temp[n] {
					on++
				} else {
					off++
				}
			}
			diff, same := off, on
			if !additive {
				diff, same = on, off
			}
			if same > diff && (diff < minDiff || (diff == minDiff && same > maxSame)) {
				best, minDiff, maxSame = cat, diff, same
			}
		}
		if best == "" {
			break
		}
		for _, n := range cs.byCat["@"+best] {
			for _, m := range append([]string{n}, cs.subs[n]...) {
				fake[m] = additive
				temp[m] = !additive
			}
		}
		rules = append(rules, map[bool]string{true: "+@", false: "-@"}[additive]+best)
		applied[best] = true
	}
	for _, n := range cs.names {
		if u.cmds[n] != fake[n] {
			rules = append(rules, map[bool]string{true: "+", false: "-"}[u.cmds[n]]+n)
			fake[n] = u.cmds[n]
			for _, sub := range cs.subs[n] {
				fake[sub] = u.cmds[n]
			}
		}
		if !u.cmds[n] {
			for _, a := range u.firstArgs[n] {
				rules = append(rules, "+"+n+"|"+a)
			}
		}
	}
	return strings.Join(rules, " ")
}

// describeKeys is GETUSER's keys field: "~*" or the patterns.
func (u *aclSelector) describeKeys() string {
	if u.allKeys {
		return "~*"
	}
	out := make([]string, len(u.keys))
	for i, k := range u.keys {
		out[i] = k.String()
	}
	return strings.Join(out, " ")
}

// describeChannels is GETUSER's channels field: "&*" or the patterns.
func (u *aclSelector) describeChannels() string {
	if u.allChans {
		return "&*"
	}
	out := make([]string, len(u.chans))
	for i, c := range u.chans {
		out[i] = "&" + c
	}
	return strings.Join(out, " ")
}

// describe is ACL LIST's line for u (ACLDescribeUser), after "user name ":
// flags, password hashes, the root selector, then each selector in
// parentheses.
func (u *aclUser) describe(cs commandSet) string {
	parts := u.flags.names()
	for _, p := range u.passwords {
		parts = append(parts, "#"+p)
	}
	parts = append(parts, u.aclSelector.describe(cs)) // aclselector.go
	for _, s := range u.selectors {
		parts = append(parts, "("+s.describe(cs)+")")
	}
	return strings.Join(parts, " ")
}

// rules are the SETUSER rules that rebuild u from a new user (for
// replication): flags, hashes, the root selector's keys, channels and
// commands, then one "(...)" rule per selector.
func (u *aclUser) rules(cs commandSet) []string {
	out := u.flags.names()
	for _, p := range u.passwords {
		out = append(out, "#"+p)
	}
	out = append(out, u.aclSelector.rules(cs)...)
	for _, s := range u.selectors {
		out = append(out, s.selectorRule(cs))
	}
	return out
}

func constantEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
