package membership

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/hashicorp/memberlist"
	"github.com/rs/zerolog"
)

// Tag keys every ringkv node advertises.
const (
	TagClient = "client" // host:port of the RESP listener
	TagPeer   = "peer"   // host:port of the peer RPC listener
	TagQ      = "q"      // partition count, decimal
)

// Config configures a Membership. Build it from DefaultConfig.
type Config struct {
	// NodeName is unique in the cluster. Default: the host name.
	NodeName string
	// BindAddr and BindPort are where gossip listens (UDP and TCP). Port 0
	// picks a free port. Without SecretKey, BindAddr must be a loopback
	// address (127.0.0.0/8, ::1, localhost). Default: 127.0.0.1:7946.
	BindAddr string
	BindPort int
	// AdvertiseAddr and AdvertisePort are what other nodes dial, if not the
	// bind address (NAT, containers). Default: "" and 0, derived from Bind.
	AdvertiseAddr string
	AdvertisePort int
	// ClientAddr and PeerAddr are advertised as tags TagClient and TagPeer.
	// Default: "".
	ClientAddr string
	PeerAddr   string
	// Q is the cluster's partition count, advertised as tag TagQ; members
	// with another Q are refused. Default: 1024.
	Q int
	// Format is the highest data format the node reads, advertised as
	// tag TagFormat (format.go). Default: 0, not advertised: others count
	// the node as FormatUnadvertised.
	Format int
	// Tags are extra tags to advertise. The keys above are set from the
	// fields above. Default: nil.
	Tags map[string]string
	// SecretKey encrypts and authenticates gossip (AES-GCM): 16, 24 or 32
	// bytes, usually DeriveKey(--cluster-key). Default: nil, no encryption,
	// allowed only on a loopback BindAddr (or over a custom Transport):
	// keyless gossip lets anyone who reaches it join the cluster.
	SecretKey []byte
	// Logger receives Serf and memberlist logs, levels mapped from their
	// "[DEBUG]"/"[INFO]"/"[WARN]"/"[ERR]" prefixes. Default: zerolog.Nop().
	Logger zerolog.Logger
	// Fast shortens gossip, probe and reap timers (to tens or hundreds of
	// milliseconds) for tests on loopback. Default: false.
	Fast bool
	// Transport carries gossip; nil means real UDP/TCP on BindAddr:BindPort.
	// Default: nil.
	Transport memberlist.Transport
}

// DefaultConfig returns the defaults documented on Config.
func DefaultConfig() Config {
	name, _ := os.Hostname()
	return Config{
		NodeName: name,
		BindAddr: "127.0.0.1",
		BindPort: 7946,
		Q:        1024,
		Logger:   zerolog.Nop(),
	}
}

// Errors returned by Validate.
var (
	ErrNoName    = errors.New("membership: node name is empty")
	ErrBadPort   = errors.New("membership: port out of range")
	ErrBadKey    = errors.New("membership: secret key must be 16, 24 or 32 bytes")
	ErrNoKey     = errors.New("membership: gossip beyond loopback needs a secret key")
	ErrBadQ      = errors.New("membership: Q must be a power of two in [1, 65536]")
	ErrShutdown  = errors.New("membership: shut down")
	ErrQMismatch = errors.New("membership: partition count mismatch")
)

// Validate reports the first invalid field.
func (c Config) Validate() error {
	switch {
	case c.NodeName == "":
		return ErrNoName
	case c.BindPort < 0 || c.BindPort > 65535 || c.AdvertisePort < 0 || c.AdvertisePort > 65535:
		return ErrBadPort
	case len(c.SecretKey) != 0 && len(c.SecretKey) != 16 && len(c.SecretKey) != 24 && len(c.SecretKey) != 32:
		return ErrBadKey
	case len(c.SecretKey) == 0 && c.Transport == nil && !loopback(c.BindAddr):
		return ErrNoKey
	case c.Q < 1 || c.Q > 1<<16 || c.Q&(c.Q-1) != 0:
		return ErrBadQ
	}
	return nil
}

// DeriveKey turns a --cluster-key passphrase into a 32-byte SecretKey
// (SHA-256). An empty passphrase yields nil: no encryption.
func DeriveKey(passphrase string) []byte {
	if passphrase == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(passphrase))
	return sum[:]
}

// loopback reports whether host is "localhost" or a loopback IP; an empty
// or unspecified host (all interfaces) is not. (transport.LoopbackAddr is
// the same rule for the peer port; membership does not import transport.)
func loopback(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// tags returns the tags to advertise: Tags plus client, peer, q and fmt.
func (c Config) tags() map[string]string {
	t := make(map[string]string, len(c.Tags)+3)
	for k, v := range c.Tags {
		t[k] = v
	}
	t[TagClient], t[TagPeer], t[TagQ] = c.ClientAddr, c.PeerAddr, fmt.Sprint(c.Q)
	if c.Format > 0 {
		t[TagFormat] = fmt.Sprint(c.Format)
	}
	return t
}
