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
	Timeout time.Duration // wait for a quorum at most this long; default 2s
	Now     func() int64  // clock, Unix ms; default time.Now
	Logger  zerolog.Logger
}

// DefaultConfig returns Dynamo's usual (3, 2, 2) for node.
func DefaultConfig(node string) Config {
	return Config{Node: node, N: 3, R: 2, W: 2, Timeout: 2 * time.Second}
}

// Validate checks the settings and fills the clock.
func (c *Config) Validate() error {
	switch {
	case c.Node == "":
		return errors.New("replica: node name is required")
	case c.N < 1 || c.R < 1 || c.W < 1:
		return fmt.Errorf("replica: N, R and W must be positive (N=%d R=%d W=%d)", c.N, c.R, c.W)
	case c.R > c.N || c.W > c.N:
		return fmt.Errorf("replica: R and W must not exceed N (N=%d R=%d W=%d)", c.N, c.R, c.W)
	case c.Timeout <= 0:
		return errors.New("replica: timeout must be positive")
	}
	if c.Now == nil {
		c.Now = func() int64 { return time.Now().UnixMilli() }
	}
	return nil
}
