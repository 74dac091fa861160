package membership

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func TestValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.NodeName = "n1"
	if err := ok.Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	cases := []struct {
		mod  func(*Config)
		want error
	}{
		{func(c *Config) { c.NodeName = "" }, ErrNoName},
		{func(c *Config) { c.BindPort = 70000 }, ErrBadPort},
		{func(c *Config) { c.AdvertisePort = -1 }, ErrBadPort},
		{func(c *Config) { c.SecretKey = []byte("short") }, ErrBadKey},
		{func(c *Config) { c.BindAddr = "0.0.0.0" }, ErrNoKey},
		{func(c *Config) { c.BindAddr = "" }, ErrNoKey},
		{func(c *Config) { c.BindAddr = "10.0.0.5" }, ErrNoKey},
		{func(c *Config) { c.BindAddr = "n1" }, ErrNoKey},
		{func(c *Config) { c.Q = 1000 }, ErrBadQ},
		{func(c *Config) { c.Q = 0 }, ErrBadQ},
	}
	for i, tc := range cases {
		c := ok
		tc.mod(&c)
		if err := c.Validate(); err != tc.want {
			t.Errorf("case %d: Validate() = %v, want %v", i, err, tc.want)
		}
	}
}

// Keyless gossip only on loopback; a key (or a custom transport, as in
// tests over an in-memory network) allows any address.
func TestValidateKeylessLoopbackOnly(t *testing.T) {
	for _, bind := range []string{"127.0.0.1", "127.9.9.9", "::1", "[::1]", "localhost"} {
		c := DefaultConfig()
		c.NodeName, c.BindAddr = "n1", bind
		if err := c.Validate(); err != nil {
			t.Errorf("keyless %q: %v", bind, err)
		}
	}
	c := DefaultConfig()
	c.NodeName, c.BindAddr, c.SecretKey = "n1", "0.0.0.0", DeriveKey("k")
	if err := c.Validate(); err != nil {
		t.Errorf("keyed 0.0.0.0: %v", err)
	}
	c.SecretKey = nil
	if _, err := New(c); err != ErrNoKey {
		t.Errorf("New keyless on 0.0.0.0 = %v, want ErrNoKey", err)
	}
}

func TestDeriveKey(t *testing.T) {
	if DeriveKey("") != nil {
		t.Fatal("empty passphrase must mean no encryption")
	}
	k := DeriveKey("s3cret")
	if len(k) != 32 || bytes.Equal(k, DeriveKey("s3cret!")) || !bytes.Equal(k, DeriveKey("s3cret")) {
		t.Fatalf("DeriveKey: %x", k)
	}
}

func TestCheckQ(t *testing.T) {
	if err := CheckQ(1024, "a", map[string]string{TagQ: "1024"}); err != nil {
		t.Fatal(err)
	}
	for _, tags := range []map[string]string{nil, {TagQ: "2048"}, {TagQ: "x"}} {
		if err := CheckQ(1024, "a", tags); !errors.Is(err, ErrQMismatch) {
			t.Errorf("CheckQ(%v) = %v, want ErrQMismatch", tags, err)
		}
	}
}

// Serf and memberlist write "[LEVEL] lib: message"; levels must survive.
func TestStdLoggerLevels(t *testing.T) {
	var buf bytes.Buffer
	l := newStdLogger(zerolog.New(&buf))
	l.Print("[DEBUG] memberlist: Stream connection from=1.2.3.4")
	l.Print("[INFO] serf: EventMemberJoin: a")
	l.Print("[WARN] memberlist: Was able to connect")
	l.Print("[ERR] memberlist: Failed push/pull")
	l.Print("no prefix")
	want := []string{
		`{"level":"debug","lib":"memberlist","message":"Stream connection from=1.2.3.4"}`,
		`{"level":"info","lib":"serf","message":"EventMemberJoin: a"}`,
		`{"level":"warn","lib":"memberlist","message":"Was able to connect"}`,
		`{"level":"error","lib":"memberlist","message":"Failed push/pull"}`,
		`{"level":"info","message":"no prefix"}`,
	}
	if got := strings.Split(strings.TrimSpace(buf.String()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
