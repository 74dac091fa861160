package membership

import (
	"time"

	"github.com/hashicorp/memberlist"
	"github.com/hashicorp/serf/serf"
	"github.com/rs/zerolog"
)

// Serf timers. Failed nodes are kept (Dynamo §4.8) for reconnectTimeout;
// left nodes are remembered as left for tombstoneTimeout.
const (
	reconnectTimeout = 72 * time.Hour
	tombstoneTimeout = 24 * time.Hour
	eventBuffer      = 256
)

// serfConfig translates c into Serf's configuration, sending events to ch
// and logs to log.
func (c Config) serfConfig(ch chan<- serf.Event, log zerolog.Logger) *serf.Config {
	sc := serf.DefaultConfig()
	sc.NodeName = c.NodeName
	sc.Tags = c.tags()
	sc.EventCh = ch
	sc.ReconnectTimeout = reconnectTimeout
	sc.TombstoneTimeout = tombstoneTimeout
	sc.Merge = qGuard{q: c.Q}
	sc.Logger = newStdLogger(log)

	ml := memberlist.DefaultLANConfig()
	// Two nodes that restart together may each join before the other is
	// back, and then learn of each other only at a full state exchange:
	// every 30 s by default, during which their rings differ. 10 s keeps
	// that window short; memberlist scales it up past 32 members.
	ml.PushPullInterval = lanPushPull
	// A node restarted at another address (a container given a new IP)
	// may take its name back once the old entry has been dead this long;
	// with memberlist's default (never) it is refused and cut off.
	ml.DeadNodeReclaimTime = deadNodeReclaim
	if c.Fast {
		ml = fastMemberlist()
		sc.ReapInterval = time.Second
		sc.ReconnectInterval = 500 * time.Millisecond
		sc.LeavePropagateDelay = 100 * time.Millisecond
		sc.BroadcastTimeout = 2 * time.Second
	}
	ml.Name = c.NodeName
	ml.BindAddr, ml.BindPort = c.BindAddr, c.BindPort
	ml.AdvertiseAddr, ml.AdvertisePort = c.AdvertiseAddr, c.AdvertisePort
	if ml.AdvertiseAddr != "" && ml.AdvertisePort == 0 {
		ml.AdvertisePort = c.BindPort // memberlist would advertise port 0
	}
	ml.SecretKey = c.SecretKey
	ml.Transport = c.Transport
	ml.Logger = sc.Logger
	sc.MemberlistConfig = ml
	return sc
}

// lanPushPull is the full state exchange period outside Fast;
// deadNodeReclaim how long a dead node's name is held against a new
// address.
const (
	lanPushPull     = 10 * time.Second
	deadNodeReclaim = 10 * time.Second
)

// fastMemberlist is memberlist's loopback profile with failure detection
// in well under a second.
func fastMemberlist() *memberlist.Config {
	ml := memberlist.DefaultLocalConfig()
	ml.ProbeInterval = 100 * time.Millisecond
	ml.ProbeTimeout = 50 * time.Millisecond
	ml.GossipInterval = 20 * time.Millisecond
	ml.PushPullInterval = time.Second
	ml.SuspicionMult = 2
	ml.TCPTimeout = 500 * time.Millisecond
	ml.DeadNodeReclaimTime = time.Second
	return ml
}
