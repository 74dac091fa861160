package command

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// The ACL file (aclfile, --aclfile), as Redis 7.0.15 reads and writes it
// (ACLLoadFromFile, ACLSaveToFile): one "user name rule ..." line per
// user, as ACL LIST writes them. The node loads it when it starts (a bad
// file stops the start), ACL LOAD loads it again, all of it or nothing,
// and ACL SAVE writes the users to it (a temporary file renamed over it).
//
// In a cluster the users are the cluster's (aclsync.go): a file loaded
// at the start or by ACL LOAD is a change like ACL SETUSER, stamped and
// sent to the other members, so ACL LOAD on one node replaces every
// node's users. ACL SAVE writes the node's own file only.

const errNoACLFile = "ERR This Redis instance is not configured to use an ACL file. You may want to " +
	"specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you " +
	"have a Redis configuration file set) in order to store users in the Redis configuration."

// aclFile is the node's ACL file, "" for none.
func (d *Dispatcher) aclFile() string { return d.env.Settings.Params().ACLFile }

// LoadACLFile loads the ACL file, if the node has one, when it starts; an
// error (Redis's text, naming the file's lines) stops the start.
func (d *Dispatcher) LoadACLFile() error {
	path := d.aclFile()
	if path == "" {
		return nil
	}
	users, msg := d.acl.readACLFile(path)
	if msg != "" {
		return fmt.Errorf("aborting startup because of ACL errors: %s", msg)
	}
	d.replaceUsers(nil, users)
	return nil
}

// ACL LOAD: the file's users replace the node's (and the cluster's), and
// the connections of every user but default are closed, as Redis frees
// the old users with their clients (s's after its reply).
func (d *Dispatcher) aclLoad(s *Session, _ [][]byte) resp.Reply {
	path := d.aclFile()
	if path == "" {
		return resp.Err(errNoACLFile)
	}
	users, msg := d.acl.readACLFile(path)
	if msg != "" {
		return resp.Err("ERR " + msg)
	}
	for _, n := range d.replaceUsers(s, users) {
		if n != "default" {
			d.killUser(s, n)
		}
	}
	return resp.OK()
}

// replaceUsers makes users the node's users, as a change sent to the
// other members, and returns the names of the users it replaced.
func (d *Dispatcher) replaceUsers(s *Session, users map[string]*aclUser) []string {
	var old []string
	d.changeUsers(s, func(cur map[string]*aclUser) {
		for n := range cur {
			old = append(old, n)
		}
		clear(cur)
		for n, u := range users {
			cur[n] = u
		}
	})
	return old
}

// readACLFile parses the ACL file at path (Redis's ACLLoadFromFile) into
// a user set, default included, or returns Redis's error text: every
// line's errors, then a warning that nothing changed.
func (a *aclState) readACLFile(path string) (map[string]*aclUser, string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Sprintf("Error loading ACLs, opening file '%s': %s", path, strerror(err))
	}
	users := map[string]*aclUser{}
	var errs strings.Builder
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.Trim(line, " \t\r\n")
		if line == "" {
			continue
		}
		a.readACLLine(users, &errs, path, i+1, line)
	}
	if errs.Len() > 0 {
		return nil, errs.String() + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
	}
	if users["default"] == nil {
		def := newUser("default")
		for _, r := range []string{"+@all", "~*", "&*", "on", "nopass"} {
			_ = def.apply(a.cmds, r)
		}
		users["default"] = def
	}
	return users, ""
}

// readACLLine adds the user of one line to users, or its errors to errs.
func (a *aclState) readACLLine(users map[string]*aclUser, errs *strings.Builder, path string, n int, line string) {
	argv := strings.Split(line, " ")
	switch {
	case argv[0] != "user" || len(argv) < 2:
		fmt.Fprintf(errs, "%s:%d should start with user keyword followed by the username. ", path, n)
		return
	case hasSpaces(argv[1]):
		fmt.Fprintf(errs, "'%s:%d: username '%s' contains invalid characters. ", path, n, argv[1])
		return
	case users[argv[1]] != nil:
		fmt.Fprintf(errs, "WARNING: Duplicate user '%s' found on line %d. ", argv[1], n)
		return
	}
	u := newUser(argv[1])
	users[u.name] = u
	rules, _, ok := mergeSelectorArgs(argv[2:])
	if !ok {
		// Redis 7.0.15 crashes here when rules come before the "(".
		fmt.Fprintf(errs, "%s:%d: Unmatched parenthesis in selector definition.", path, n)
		return
	}
	said := false
	for _, r := range rules {
		r = strings.Trim(r, "\t\r\n")
		err := u.apply(a.cmds, r)
		switch {
		case err == nil:
		case errors.Is(err, errRuleUnknown):
			fmt.Fprintf(errs, "%s:%d: Error in applying operation '%s': %s. ", path, n, r, err)
		case !said:
			fmt.Fprintf(errs, "%s:%d: %s. ", path, n, err)
			said = true
		}
	}
}

// strerror is C's text for err's errno ("No such file or directory").
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	s := errno.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ACL SAVE
func (d *Dispatcher) aclSave(_ *Session, _ [][]byte) resp.Reply {
	path := d.aclFile()
	if path == "" {
		return resp.Err(errNoACLFile)
	}
	if err := d.acl.saveACLFile(path, d.env.Clock()); err != nil {
		d.env.Logger.Warn().Err(err).Str("aclfile", path).Msg("ACL SAVE failed")
		return resp.Err("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
	}
	return resp.OK()
}

// saveACLFile writes the users to path as ACL LIST shows them: to a
// temporary file beside it, synced, then renamed over it, and the
// directory synced (Redis's ACLSaveToFile).
func (a *aclState) saveACLFile(path string, now time.Time) error {
	var b strings.Builder
	for _, n := range a.names() {
		if u := a.user(n); u != nil {
			b.WriteString("user " + n + " " + u.describe(a.cmds) + "\n")
		}
	}
	a.saveMu.Lock()
	defer a.saveMu.Unlock()
	tmp := fmt.Sprintf("%s.tmp-%d-%d", path, os.Getpid(), now.UnixMilli())
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("opening temp ACL file for ACL SAVE: %w", err)
	}
	_, err = f.WriteString(b.String())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("writing ACL file for ACL SAVE: %w", err)
	}
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		_ = dir.Sync()
		_ = dir.Close()
	}
	return nil
}
