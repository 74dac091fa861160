package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestACLCluster: a user created with ACL SETUSER on one node of a 3-node
// cluster can AUTH on another, and its permissions apply there, also to
// commands the node forwards to a key's coordinator (checked where the
// client is, before forwarding: the denial is in that node's ACL LOG).
// ACL DELUSER on a third node closes the user's connection and ends its
// AUTH everywhere; a node that was down when a user was created learns it
// when it is back.
func TestACLCluster(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, 3, ClusterOptions{})
	n1, n2, n3 := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	admin1 := DialRESP(t, n1.Addr())
	if r := admin1.Do("ACL", "SETUSER", "eve", "on", ">pw", "~e:*", "%R~pub:*", "+get", "+set", "+incr", "+acl|whoami"); r.Str != "OK" {
		t.Fatalf("ACL SETUSER on %s: %v", n1.Opts.Name, r)
	}
	eve := DialRESP(t, n3.Addr())
	Eventually(t, 30*time.Second, "AUTH eve on "+n3.Opts.Name, func() error {
		if r := eve.Do("AUTH", "eve", "pw"); r.Str != "OK" {
			return fmt.Errorf("AUTH eve pw: %v", r)
		}
		return nil
	})
	if r := eve.Do("ACL", "WHOAMI"); r.Str != "eve" {
		t.Errorf("ACL WHOAMI on %s: %v", n3.Opts.Name, r)
	}
	// Writes on keys coordinated elsewhere are forwarded; eve may write e:*.
	for i := range 20 {
		k := fmt.Sprintf("e:%d", i)
		if r := eve.Do("SET", k, "v"); r.Str != "OK" {
			t.Fatalf("SET %s as eve: %v", k, r)
		}
		if r := eve.Do("INCR", "e:n"); r.IsError() {
			t.Fatalf("INCR e:n as eve: %v", r)
		}
	}
	// In this order: ACL LOG 1 below expects the ACL SETUSER denial to be
	// the newest (a map's random order failed a CI run with DEL last).
	denied := []struct {
		want string
		args []string
	}{
		{"NOPERM this user has no permissions to access one of the keys used as arguments", []string{"SET", "pub:x", "v"}},
		{"NOPERM this user has no permissions to run the 'del' command", []string{"DEL", "e:1"}},
		{"NOPERM this user has no permissions to run the 'acl|setuser' command", []string{"ACL", "SETUSER", "eve", "+@all"}},
	}
	for _, d := range denied {
		want, args := d.want, d.args
		for i := range 10 { // keys coordinated anywhere
			a := append([]string(nil), args...)
			if a[0] == "SET" {
				a[1] = fmt.Sprintf("%s%d", a[1], i)
			}
			if r := eve.Do(a...); r.Str != want {
				t.Errorf("%q as eve on %s: %v, want %s", a, n3.Opts.Name, r, want)
			}
		}
	}
	if r := eve.Do("GET", "pub:x"); r.IsError() {
		t.Errorf("GET pub:x (read-only pattern) as eve: %v", r)
	}
	admin3 := DialRESP(t, n3.Addr())
	if r := admin3.Do("ACL", "LOG", "1"); !strings.Contains(r.Raw, "acl|setuser") || !strings.Contains(r.Raw, "eve") {
		t.Errorf("ACL LOG 1 on %s: %v", n3.Opts.Name, r)
	}
	if r := admin1.Do("ACL", "LOG"); strings.Contains(r.Raw, "pub:x") {
		t.Errorf("ACL LOG on %s shows a denial of a command sent to %s: %v", n1.Opts.Name, n3.Opts.Name, r)
	}
	if r := admin3.Do("CLIENT", "LIST"); !strings.Contains(r.Str+r.Raw, "user=eve") {
		t.Errorf("CLIENT LIST on %s lacks user=eve: %v", n3.Opts.Name, r)
	}
	// DELUSER elsewhere: eve's connection closes, and AUTH fails.
	if r := DialRESP(t, n2.Addr()).Do("ACL", "DELUSER", "eve"); r.Str != "1" && r.Raw != ":1\r\n" {
		t.Fatalf("ACL DELUSER eve on %s: %v", n2.Opts.Name, r)
	}
	if _, closed := eve.ReadUntilClose(30 * time.Second); !closed {
		t.Errorf("eve's connection to %s stayed open after ACL DELUSER", n3.Opts.Name)
	}
	Eventually(t, 30*time.Second, "eve gone from "+n1.Opts.Name, func() error {
		if r := DialRESP(t, n1.Addr()).Do("AUTH", "eve", "pw"); !strings.HasPrefix(r.Str, "WRONGPASS") {
			return fmt.Errorf("AUTH eve pw: %v", r)
		}
		return nil
	})

	// A node down when a user is created learns it from its peers' stamp
	// exchange once it is back.
	n3.Stop(t)
	if r := DialRESP(t, n1.Addr()).Do("ACL", "SETUSER", "fay", "on", ">pw2", "~*", "+ping"); r.Str != "OK" {
		t.Fatalf("ACL SETUSER fay: %v", r)
	}
	n3.Restart(t)
	n3.WaitReady(t, readyTimeout)
	c.WaitAlive(t, formTimeout, c.Nodes...)
	Eventually(t, 30*time.Second, "AUTH fay on restarted "+n3.Opts.Name, func() error {
		if r := DialRESP(t, n3.Addr()).Do("AUTH", "fay", "pw2"); r.Str != "OK" {
			return fmt.Errorf("AUTH fay pw2: %v", r)
		}
		return nil
	})
}
