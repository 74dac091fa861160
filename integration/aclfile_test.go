package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A node started with --aclfile has the file's users (selectors
// included); ACL SAVE writes them back and ACL LOAD reads them again,
// all or nothing, closing the connections of the users it replaced; a
// bad file stops the start with Redis's message naming the line.
func TestACLFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.acl")
	writeFile(t, path, "user default on nopass ~* &* +@all\nuser alice on >pw ~a* +get (+set ~b*)\n")
	n := StartNode(t, NodeOptions{Args: []string{"--aclfile", path}})
	admin, alice := DialRESP(t, n.Addr()), DialRESP(t, n.Addr())
	expectReply(t, admin, "*2\r\n$7\r\naclfile\r\n$"+strconv.Itoa(len(path))+"\r\n"+path+"\r\n", "CONFIG", "GET", "aclfile")
	expectReply(t, alice, "+OK\r\n", "AUTH", "alice", "pw")
	expectReply(t, alice, "+OK\r\n", "SET", "b1", "v")
	expectReply(t, alice, "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n", "GET", "b1")

	// ACL SAVE, then ACL LOAD brings a deleted user back.
	expectReply(t, admin, "+OK\r\n", "ACL", "SETUSER", "bob", "on", "nopass", "+ping")
	expectReply(t, admin, "+OK\r\n", "ACL", "SAVE")
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const aliceLine = "user alice on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~a* resetchannels -@all +get (~b* resetchannels -@all +set)\n"
	if want := aliceLine + "user bob on nopass resetchannels -@all +ping\nuser default on nopass ~* &* +@all\n"; string(saved) != want {
		t.Fatalf("ACL SAVE wrote:\n%s\nwant:\n%s", saved, want)
	}
	if tmp, _ := filepath.Glob(path + ".tmp-*"); len(tmp) != 0 {
		t.Errorf("ACL SAVE left %v", tmp)
	}
	expectReply(t, admin, ":1\r\n", "ACL", "DELUSER", "bob")
	expectReply(t, admin, "+OK\r\n", "ACL", "LOAD")
	expectReply(t, admin, "*3\r\n$5\r\nalice\r\n$3\r\nbob\r\n$7\r\ndefault\r\n", "ACL", "USERS")
	alice.Send("PING") // closed by ACL LOAD, as Redis frees the old users with their clients
	if got, closed := alice.ReadUntilClose(2 * time.Second); !closed || got != "" {
		t.Errorf("alice's connection after ACL LOAD: %q, closed %v", got, closed)
	}

	// A bad file changes nothing.
	writeFile(t, path, "user default on nopass ~* &* +@all\nfoo bar\nuser carl on +nosuch (~x\n")
	want := "-ERR " + path + ":2 should start with user keyword followed by the username. " + path +
		":3: Unmatched parenthesis in selector definition.WARNING: ACL errors detected, no change to the previously active ACL rules was performed\r\n"
	expectReply(t, admin, want, "ACL", "LOAD")
	expectReply(t, admin, "*3\r\n$5\r\nalice\r\n$3\r\nbob\r\n$7\r\ndefault\r\n", "ACL", "USERS")

	// ... and stops a node from starting.
	r := ringkvCLI(t, "--port", strconv.Itoa(FreePort(t)), "--dir", t.TempDir(), "--aclfile", path)
	if r.code == 0 || !strings.Contains(r.stderr, path+":2 should start with user keyword followed by the username.") {
		t.Errorf("start with a bad aclfile: exit %d, stderr %q", r.code, r.stderr)
	}
}

// In a cluster the users loaded from the file are the cluster's: ACL
// LOAD on one node replaces every node's users, as ACL SETUSER does.
func TestACLFileCluster(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.acl")
	writeFile(t, path, "user alice on >pw ~a* +get (+set ~b*)\n")
	c := StartCluster(t, 2, ClusterOptions{Args: []string{"--aclfile", path}})
	n1, n2 := c.Nodes[0], c.Nodes[1]
	expectReply(t, DialRESP(t, n2.Addr()), "+OK\r\n", "AUTH", "alice", "pw")
	writeFile(t, path, "user bob on nopass +ping (+get ~k)\n")
	expectReply(t, DialRESP(t, n1.Addr()), "+OK\r\n", "ACL", "LOAD")
	admin2 := DialRESP(t, n2.Addr())
	const bob = "user bob on nopass resetchannels -@all +ping (~k resetchannels -@all +get)"
	want := "*2\r\n$" + strconv.Itoa(len(bob)) + "\r\n" + bob + "\r\n$34\r\nuser default on nopass ~* &* +@all\r\n"
	Eventually(t, 10*time.Second, "ACL LIST on "+n2.Opts.Name, func() error {
		if got := admin2.Do("ACL", "LIST"); got.Raw != want {
			return fmt.Errorf("ACL LIST: %q, want %q", got.Raw, want)
		}
		return nil
	})
}

// ACL LOAD's errors and the users it loads are redis-server's, byte for
// byte: both servers load the same file.
func TestACLFileFidelity(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.acl")
	writeFile(t, path, "user default on nopass ~* &* +@all\n")
	ref := StartRedisServer(t, "--aclfile", path)
	n := StartNode(t, NodeOptions{Args: []string{"--aclfile", path}})
	for _, file := range []string{
		"user a on >x ~* +@all\n  user b off \r\nuser c on nopass +get|x|y\n",
		"user a (+get\nfoo bar\nuser  bob on\nuser c on +nosuch -@nosuch %X~a ~* ~b\nuser c on\nuser d\ton\nuser e (+get ~a\n",
		"user a on #" + strings.Repeat("a", 64) + " ~* &* +@all (+get ~x &y) (%R~z -@all +@hash)\n\nuser b on nopass resetchannels +@read -get\n",
		"user b on (on)\nuser c on (+get ~a*) (~* ~b)\nuser d on <nope\nuser e on allchannels &x\n",
		"\n\n",
		"user default on >pw +@all ~*\nuser x on nopass ~* +@all (\"\")\n",
	} {
		writeFile(t, path, file)
		compareSessions(t, 2, n.Addr(), ref, []probe{p("ACL", "LOAD"), p("ACL", "LIST")})
		writeFile(t, path, "user default on nopass ~* &* +@all\n")
		compareSessions(t, 2, n.Addr(), ref, []probe{p("AUTH", "default", "pw"), p("ACL", "LOAD")})
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	compareSessions(t, 2, n.Addr(), ref, []probe{p("ACL", "LOAD"), p("CONFIG", "SET", "aclfile", "x")})
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func expectReply(t *testing.T, c *RESPConn, want string, args ...string) {
	t.Helper()
	if got := c.Do(args...); got.Raw != want {
		t.Errorf("%q: %q, want %q", args, got.Raw, want)
	}
}
