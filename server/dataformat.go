package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/ringkv/ringkv/cluster/membership"
	"github.com/ringkv/ringkv/replica/version"
)

// A member without membership's format tag reads version.FormatLegacy.
var _ = [1]int{}[membership.FormatUnadvertised-version.FormatLegacy]

// formatRecheck is how often watchFormat looks again without a gossip
// event: ring members adopted from peers change without one.
const formatRecheck = time.Second

// watchFormat holds the encoders to version.FormatLegacy (release lifts
// the hold) until this node has joined and every member, failed ones
// included, and every ring member advertises version.ReadFormat; then it
// makes membership refuse members that read less (RequireFormat), lifts
// the hold and returns: the format, once written, stays (a node of an
// older release is refused from then on). kick wakes it when join
// returns.
func (s *Server) watchFormat(changes, kick <-chan struct{}, release func()) {
	t := time.NewTicker(formatRecheck)
	defer t.Stop()
	waited := false // for a member of an older release: worth an info line
	for {
		lag := s.formatLagging()
		if s.joined.Load() && len(lag) > 0 && !waited {
			waited = true
			s.log.Info().Strs("lagging", lag).Msg("writing the previous data format until these members are known to read the new one (upgraded, back up, or removed)")
		}
		if s.joined.Load() && len(lag) == 0 {
			s.mem.RequireFormat(version.ReadFormat)
			// A member may have come in between: keep the hold then (it
			// is refused from now on, and lags until it is removed).
			if lag := s.formatLagging(); len(lag) > 0 {
				s.log.Warn().Strs("lagging", lag).Msg("a member reading an older data format joined as this node started writing the new one; keeping the old one")
			} else {
				release()
				ev := s.log.Debug()
				if waited {
					ev = s.log.Info()
				}
				ev.Int("format", version.ReadFormat).Msg("every member reads the new data format: writing it (downgrading a node is unsupported from now on)")
				return
			}
		}
		select {
		case <-s.stop:
			return
		case _, ok := <-changes:
			if !ok {
				return
			}
		case <-kick:
		case <-t.C:
		}
	}
}

// formatLagging lists the members that do not advertise
// version.ReadFormat: gossip's members that have not left, and the ring's
// members gossip does not know (their format is unknown).
func (s *Server) formatLagging() []string {
	return s.mem.Lagging(version.ReadFormat, s.place.Members())
}

// infoFormat is INFO cluster's data format lines: the format this node
// reads (and advertises), the one the encoders write, and the members
// that hold a newer one back.
func (s *Server) infoFormat() [][2]string {
	var lag []string
	if s.mem != nil && version.WriteFormat() < version.ReadFormat {
		lag = s.formatLagging()
	}
	return [][2]string{
		{"cluster_data_format", strconv.Itoa(version.WriteFormat())},
		{"cluster_data_format_read", strconv.Itoa(version.ReadFormat)},
		{"cluster_data_format_waiting_for", strings.Join(lag, ",")},
	}
}
