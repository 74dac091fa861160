package server

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/server/command"
)

// Config is one node's configuration. Field names follow redis.conf where
// Redis has the same setting; cmd/ringkv maps flags and config files here.
type Config struct {
	Port             int           // client RESP port; default 6379
	Bind             string        // client listen address; default 127.0.0.1
	Dir              string        // data directory; default ./data
	RequirePass      string        // AUTH password; default none
	AppendFsync      string        // always | everysec | no; default everysec
	MaxClients       int           // client connections at once; default 10000
	ProtoMaxBulkLen  int64         // largest bulk string a client may send, bytes; default 512 MiB
	Timeout          time.Duration // close clients idle this long; default 0 (never)
	Node             string        // node name, unique in the cluster; default hostname
	Join             []string      // gossip addresses of members to join; default none
	GossipPort       int           // Serf gossip port; default 7946
	GossipPortSet    bool          // GossipPort was chosen: never fall back to a free port
	Advertise        string        // host other nodes reach this one at; default: bind, or a private IP when bind is 0.0.0.0
	FastGossip       bool          // test preset: gossip timers of tens of ms; default false
	PeerPort         int           // node-to-node RPC port; default Port+10000
	ClusterKey       string        // shared secret: authenticates and encrypts peers and gossip; default none (see security.go)
	N, R, W          int           // replication and quorum defaults; default 3, 2, 2
	PR, PW           int           // primaries that must answer among R and W (strict quorum); default 0, 0
	HintMaxAge       time.Duration // hints older than this are dropped (anti-entropy repairs); default 3h
	HintMaxBytes     int64         // bytes of hints stored at most; beyond, hints are dropped (anti-entropy repairs); default 1 GiB
	CacheSize        int64         // LevelDB block cache, bytes; default 0: none (engine.Options.CacheSize)
	WriteBuffer      int64         // LevelDB memtable size, bytes (up to two in memory); default 16 MiB (engine.DefaultWriteBuffer)
	KeyFilterMemory  int64         // the key filter's memory at most, bytes; default 16 MiB (engine.DefaultKeyFilter, about 8M keys); 0: no filter
	AAEInterval      time.Duration // anti-entropy exchange period; default 1m; negative: off
	TombstoneGrace   time.Duration // minimum age of a tombstone before reaping; default 1h; negative: never
	Partitions       int           // ring partitions Q, a power of two fixed at cluster creation; default 1024
	RequestTimeout   time.Duration // wait for replicas at most this long; default 2s
	PprofAddr        string        // serve net/http/pprof here; default off
	MetricsAddr      string        // serve Prometheus /metrics here; default off
	LeaveOnTerminate bool          // SIGTERM leaves the ring (hands partitions off first); default false
	TransferRate     int64         // partition handoff: bytes per second received at most; default 64 MiB/s; 0: unthrottled
	ConfigFile       string        // the --config file, for INFO; default none
	Logger           zerolog.Logger

	// ClientOutputBufferLimit are client-output-buffer-limit values, as in
	// redis.conf ("pubsub 32mb 8mb 60"), applied in order over Redis's
	// defaults; default none.
	ClientOutputBufferLimit []string

	// MaxMemory and MaxMemoryPolicy are maxmemory and maxmemory-policy as
	// redis.conf writes them ("100mb", "noeviction"); "" keeps Redis's
	// defaults (0: no limit; noeviction). CONFIG SET changes them later.
	MaxMemory, MaxMemoryPolicy string

	// ACLFile is aclfile, as in redis.conf: the users file loaded at the
	// start (a bad one stops it) and by ACL LOAD, and written by ACL SAVE;
	// default none.
	ACLFile string
}

// DefaultConfig returns a working single node's configuration.
func DefaultConfig() Config {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "ringkv"
	}
	return Config{
		Port: 6379, Bind: "127.0.0.1", Dir: "./data", AppendFsync: "everysec",
		MaxClients: 10000, ProtoMaxBulkLen: 512 << 20, Node: host,
		GossipPort: 7946, N: 3, R: 2, W: 2, Partitions: 1024,
		RequestTimeout: 2 * time.Second, HintMaxAge: 3 * time.Hour, HintMaxBytes: 1 << 30,
		CacheSize: engine.DefaultCacheSize, WriteBuffer: engine.DefaultWriteBuffer, KeyFilterMemory: engine.DefaultKeyFilter,
		AAEInterval: time.Minute, TombstoneGrace: time.Hour, TransferRate: 64 << 20,
	}
}

// Validate checks the configuration and fills derived defaults.
func (c *Config) Validate() error {
	if c.PeerPort == 0 {
		c.PeerPort = c.Port + 10000
	}
	switch {
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("port %d out of range 0-65535", c.Port)
	case c.Dir == "":
		return errors.New("dir must not be empty")
	case c.Node == "":
		return errors.New("node name must not be empty")
	case c.MaxClients < 1:
		return fmt.Errorf("maxclients must be at least 1, got %d", c.MaxClients)
	case c.ProtoMaxBulkLen < 1:
		return fmt.Errorf("proto-max-bulk-len must be positive, got %d", c.ProtoMaxBulkLen)
	case c.N < 1 || c.R < 1 || c.W < 1 || c.R > c.N || c.W > c.N:
		return fmt.Errorf("need 1 <= r,w <= n, got n=%d r=%d w=%d", c.N, c.R, c.W)
	case c.PR < 0 || c.PW < 0 || c.PR > c.R || c.PW > c.W:
		return fmt.Errorf("need 0 <= pr <= r and 0 <= pw <= w, got r=%d pr=%d w=%d pw=%d", c.R, c.PR, c.W, c.PW)
	case c.Partitions < 1 || c.Partitions&(c.Partitions-1) != 0 || c.Partitions > 65536:
		return fmt.Errorf("partitions must be a power of two up to 65536, got %d", c.Partitions)
	case c.CacheSize < 0 || c.CacheSize > 1<<40:
		return fmt.Errorf("cache-size must be between 0 and 1tb, got %d", c.CacheSize)
	case c.KeyFilterMemory < 0 || c.KeyFilterMemory > 1<<36:
		return fmt.Errorf("key-filter-memory must be between 0 (no filter) and 64gb, got %d", c.KeyFilterMemory)
	case c.WriteBuffer != 0 && (c.WriteBuffer < 64<<10 || c.WriteBuffer > 1<<30):
		return fmt.Errorf("write-buffer must be between 64kb and 1gb, got %d", c.WriteBuffer)
	}
	switch c.AppendFsync {
	case "always", "everysec", "no":
	default:
		return fmt.Errorf("appendfsync must be always, everysec or no, got %q", c.AppendFsync)
	}
	lim := command.DefaultObufLimits()
	for _, v := range c.ClientOutputBufferLimit {
		var err error
		if lim, err = lim.Apply(v); err != nil {
			return fmt.Errorf("client-output-buffer-limit %q: %w", v, err)
		}
	}
	if err := command.NewSettings(command.DefaultParams()).Set(c.startSettings()); err != nil {
		var ce *command.ConfigError
		if errors.As(err, &ce) && ce.Err != nil {
			return fmt.Errorf("%s %q: %w", ce.Param, c.setting(ce.Param), ce.Err)
		}
		return err
	}
	_, err := c.peerMode() // security.go: who may use the peer port and gossip
	return err
}

// startSettings are the CONFIG parameters the node starts with beyond its
// Params, as CONFIG SET pairs.
func (c *Config) startSettings() [][2]string {
	var out [][2]string
	if c.MaxMemory != "" {
		out = append(out, [2]string{"maxmemory", c.MaxMemory})
	}
	if c.MaxMemoryPolicy != "" {
		out = append(out, [2]string{"maxmemory-policy", c.MaxMemoryPolicy})
	}
	return out
}

// setting is the value startSettings gives name.
func (c *Config) setting(name string) string {
	for _, kv := range c.startSettings() {
		if kv[0] == name {
			return kv[1]
		}
	}
	return ""
}
