package command

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ACL LOAD replaces the cluster's users: the loaded set is a change sent
// to the other members like ACL SETUSER's. ACL SAVE writes what ACL LIST
// shows, and a file without the default user gets Redis's default.
func TestACLFileLoadReplicates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.acl")
	if err := os.WriteFile(path, []byte("user carol on nopass ~c* +get (+set ~d*)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := newFixture(t, func(p *Params) { p.ACLFile = path })
	b := newFixture(t)
	a.d.SetACLBroadcast(func(_ context.Context, msg []byte) error {
		_, err := b.d.ACLSync(msg)
		return err
	})
	a.line("ACL SETUSER old on nopass")
	if got := b.line("ACL USERS").String(); got != "1) \"default\"\n2) \"old\"" {
		t.Fatalf("b before ACL LOAD: %s", got)
	}
	a.script(`
		> ACL LOAD
		OK
		> ACL LIST
		1) "user carol on nopass ~c* resetchannels -@all +get (~d* resetchannels -@all +set)"
		2) "user default on nopass ~* &* +@all"
	`)
	if got, want := b.line("ACL LIST").String(), a.line("ACL LIST").String(); got != want {
		t.Errorf("b after a's ACL LOAD:\n%s\nwant:\n%s", got, want)
	}
	b.script(`
		> AUTH carol x
		OK
		> SET d1 v
		OK
		> GET d1
		(error) NOPERM this user has no permissions to access one of the keys used as arguments
	`)
	a.line("ACL SETUSER carol -get")
	a.script(`
		> ACL SAVE
		OK
	`)
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "user carol on nopass ~c* resetchannels -@all (~d* resetchannels -@all +set)\nuser default on nopass ~* &* +@all\n"; string(saved) != want {
		t.Errorf("ACL SAVE wrote %q, want %q", saved, want)
	}
}

// A node without an ACL file answers ACL LOAD and SAVE with Redis's
// error; a file that cannot be read is named with C's error text.
func TestACLFileErrors(t *testing.T) {
	f := newFixture(t)
	for _, sub := range []string{"LOAD", "SAVE"} {
		if r := f.line("ACL " + sub); !strings.HasPrefix(r.String(), "(error) ERR This Redis instance is not configured to use an ACL file.") {
			t.Errorf("ACL %s without a file: %s", sub, r)
		}
	}
	missing := filepath.Join(t.TempDir(), "none.acl")
	g := newFixture(t, func(p *Params) { p.ACLFile = missing })
	if err := g.d.LoadACLFile(); err == nil || !strings.Contains(err.Error(), "opening file '"+missing+"': No such file or directory") {
		t.Errorf("start with a missing file: %v", err)
	}
	if r := g.line("ACL SAVE"); r.String() != "OK" {
		t.Errorf("ACL SAVE creating the file: %s", r)
	}
	if err := g.d.LoadACLFile(); err != nil {
		t.Errorf("start with the saved file: %v", err)
	}
}
