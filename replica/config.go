package replica

import (
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// Config configures a Coordinator.
type Config struct {
	Node    string        // this node's name; required
	N       int           // replicas per key; default 3, capped by the preference list
	R       int           // default read quorum; default 2
	W       int           // default write quorum; default 2
	PR      int           // default primaries among R (strict quorum); default 0
	PW      int           // default primaries among W (strict quorum); default 0
	Timeout time.Duration // wait for a quorum, and for any one peer call, at most this long; default 2s
	// Up reports whether membership sees node alive; requests send a down
	// primary's copy to a fallback instead (sloppy quorum). Default: every
	// node is up.
	Up     func(node string) bool
	Now    func() int64 // clock, Unix ms; default time.Now
	Logger zerolog.Logger
	// Hints paces hinted handoff; see HintConfig. Zero fields take defaults.
	Hints HintConfig
	// AAE paces active anti-entropy; see AAEConfig.
	AAE AAEConfig
	// TombstoneGrace is the minimum age of a tombstone before it may be
	// reaped (once every primary holds it and no hint for its key is
	// pending). Default 1h; negative: never reap.
	TombstoneGrace time.Duration
	// Handoff paces partition handoff; see HandoffConfig.
	Handoff HandoffConfig
}

// HandoffConfig paces partition handoff (Dynamo §4.9): streaming the
// partitions this node newly holds, and dropping those it no longer does.
type HandoffConfig struct {
	// Rate is the most bytes per second received by transfers; 0:
	// unthrottled.
	Rate int64
	// Settle is how long the ring must stay unchanged before this node
	// plans transfers for it, so that the passing views of a node joining
	// or restarting do not start transfers. Default 2s.
	Settle time.Duration
	// Interval is how often the handoff loop looks for work. Default 1s.
	Interval time.Duration
	// Quiet reports whether no other node is busy with handoff (none
	// leaving, none with transfers or partitions to drop): tombstones
	// are reaped only then, since a copy in transit could bring an older
	// value back. Default: always quiet.
	Quiet func() bool
	// Receiving reports whether node has inbound transfers pending (as
	// gossip tells): a partition is not handed off to a node still
	// streaming partitions in, whose stream brings it anyway (a push now
	// would repair key by key what the stream sends in pages). Default:
	// never.
	Receiving func(node string) bool
}

func (h HandoffConfig) withDefaults() HandoffConfig {
	if h.Settle <= 0 {
		h.Settle = 2 * time.Second
	}
	if h.Interval <= 0 {
		h.Interval = time.Second
	}
	if h.Quiet == nil {
		h.Quiet = func() bool { return true }
	}
	if h.Receiving == nil {
		h.Receiving = func(string) bool { return false }
	}
	return h
}

// AAEConfig paces active anti-entropy (Dynamo §4.7).
type AAEConfig struct {
	// Interval between exchange rounds with the other replicas of this
	// node's partitions. Default 1m; negative: off.
	Interval time.Duration
	// Rate is the most keys repaired per second. Default 5000.
	Rate int
}

func (a AAEConfig) withDefaults() AAEConfig {
	if a.Interval == 0 {
		a.Interval = time.Minute
	}
	if a.Rate <= 0 {
		a.Rate = 5000
	}
	return a
}

// DefaultConfig returns Dynamo's usual (3, 2, 2) for node.
func DefaultConfig(node string) Config {
	return Config{Node: node, N: 3, R: 2, W: 2, Timeout: 2 * time.Second}
}

// Validate checks the settings and fills the clock and defaults.
func (c *Config) Validate() error {
	switch {
	case c.Node == "":
		return errors.New("replica: node name is required")
	case c.N < 1 || c.R < 1 || c.W < 1:
		return fmt.Errorf("replica: N, R and W must be positive (N=%d R=%d W=%d)", c.N, c.R, c.W)
	case c.R > c.N || c.W > c.N:
		return fmt.Errorf("replica: R and W must not exceed N (N=%d R=%d W=%d)", c.N, c.R, c.W)
	case c.PR < 0 || c.PW < 0 || c.PR > c.R || c.PW > c.W:
		return fmt.Errorf("replica: need 0 <= PR <= R and 0 <= PW <= W (R=%d PR=%d W=%d PW=%d)", c.R, c.PR, c.W, c.PW)
	case c.Timeout <= 0:
		return errors.New("replica: timeout must be positive")
	}
	if c.Now == nil {
		c.Now = func() int64 { return time.Now().UnixMilli() }
	}
	if c.Up == nil {
		c.Up = func(string) bool { return true }
	}
	c.Hints = c.Hints.withDefaults()
	c.AAE = c.AAE.withDefaults()
	c.Handoff = c.Handoff.withDefaults()
	if c.TombstoneGrace == 0 {
		c.TombstoneGrace = time.Hour
	}
	return nil
}

// HintConfig paces hinted handoff (Dynamo §4.6).
type HintConfig struct {
	// Interval is how often pending hints are offered to their targets
	// that are up; a target seen coming back (NodeUp) is tried at once.
	// Default 1s.
	Interval time.Duration
	// Rate is the most hinted keys delivered per second, all targets
	// together, so a returning node is not flooded. Default 2000.
	Rate int
}

func (h HintConfig) withDefaults() HintConfig {
	if h.Interval <= 0 {
		h.Interval = time.Second
	}
	if h.Rate <= 0 {
		h.Rate = 2000
	}
	return h
}
