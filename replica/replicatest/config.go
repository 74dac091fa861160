package replicatest

import (
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// Config sizes a simulated cluster.
type Config struct {
	Nodes int // cluster members, named n1..nNodes; default 5
	N     int // replicas per key; default 3
	R     int // default read quorum; default 2
	W     int // default write quorum; default 2
	Q     int // ring partitions, a power of two; default 16
	// Timeout is each coordinator's request timeout (fake time). Default
	// 100ms.
	Timeout time.Duration
	// HintInterval is the hinted-handoff period (fake time). Default
	// 47ms and 13ns: an odd period, so the loop's ticks do not meet
	// client steps (on whole microseconds) at one instant.
	HintInterval time.Duration
	// AAEInterval is the period of each coordinator's background
	// anti-entropy; negative: off (the "aae" op and Stabilize still run
	// rounds). Default off.
	AAEInterval time.Duration
	// TombstoneGrace is the coordinators' (fake time): tombstones older
	// are reaped in the background, every quarter of it (at least every
	// 100ms), once every primary holds them. Default 400ms and 92ns (an
	// odd period, as HintInterval's); negative: never.
	TombstoneGrace time.Duration
	// HintMaxAge drops hints older than this (the engine's bound), so
	// that only anti-entropy and read repair reach some replicas.
	// Default: hints never expire.
	HintMaxAge time.Duration
	// Step is the fake time let pass before each operation, so every
	// write has its own timestamp and background work settles. Default 3ms.
	Step time.Duration
	// Rounds bounds Stabilize's rounds. Default 12.
	Rounds int
	// ReadRepairOnly makes Stabilize read every key at R=N (read repair)
	// instead of running anti-entropy rounds. Default false.
	ReadRepairOnly bool
	// Direct makes clients call Update on the node they talk to. By
	// default a write runs where the server would route it: at the first
	// of the key's coordinators (replica.Coordinator.Coordinators) that
	// node can reach.
	Direct bool
	// Logger receives the coordinators' and engines' logs. Zero value:
	// none.
	Logger zerolog.Logger
}

// DefaultConfig is 5 nodes with Dynamo's (3, 2, 2).
func DefaultConfig() Config {
	return Config{Nodes: 5, N: 3, R: 2, W: 2, Q: 16, Timeout: 100 * time.Millisecond,
		HintInterval: 47*time.Millisecond + 13*time.Nanosecond, AAEInterval: -1, HintMaxAge: -1,
		TombstoneGrace: 400*time.Millisecond + 92*time.Nanosecond,
		Step:           3 * time.Millisecond, Rounds: 12}
}

// Validate fills zero fields with their defaults and checks the rest.
func (c *Config) Validate() error {
	d := DefaultConfig()
	for _, f := range []struct{ v, def *int }{{&c.Nodes, &d.Nodes}, {&c.N, &d.N}, {&c.R, &d.R}, {&c.W, &d.W}, {&c.Q, &d.Q}, {&c.Rounds, &d.Rounds}} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	for _, f := range []struct{ v, def *time.Duration }{{&c.Timeout, &d.Timeout}, {&c.HintInterval, &d.HintInterval},
		{&c.AAEInterval, &d.AAEInterval}, {&c.TombstoneGrace, &d.TombstoneGrace}, {&c.HintMaxAge, &d.HintMaxAge},
		{&c.Step, &d.Step}} {
		if *f.v == 0 {
			*f.v = *f.def
		}
	}
	switch {
	case c.Nodes < 1 || c.Nodes > 26:
		return fmt.Errorf("replicatest: %d nodes, want 1..26", c.Nodes)
	case c.N > c.Nodes || c.R > c.N || c.W > c.N || c.N < 1 || c.R < 1 || c.W < 1:
		return fmt.Errorf("replicatest: need 1 <= R, W <= N <= nodes (nodes=%d N=%d R=%d W=%d)", c.Nodes, c.N, c.R, c.W)
	case c.Timeout < 0 || c.HintInterval < 0 || c.Step < 0 || c.Rounds < 0:
		return errors.New("replicatest: negative durations or rounds")
	}
	return nil
}
