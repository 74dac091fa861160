package command

import (
	"strings"

	"github.com/ringkv/ringkv/resp"
)

// trackingCommands are the CLIENT subcommands of client-side caching.
func (d *Dispatcher) trackingCommands() []*Command {
	const f = NoScript | Loading | Stale
	return []*Command{
		keyless("tracking", -3, f, "", d.clientTracking),
		keyless("caching", 3, f, "", d.clientCaching),
		keyless("getredir", 2, f, "", d.clientGetRedir),
		keyless("trackinginfo", 2, f, "", d.clientTrackingInfo),
	}
}

// trackOpts are CLIENT TRACKING's options as given.
type trackOpts struct {
	redirect                            int64
	bcast, optin, optout, noloop, hasRd bool
	prefixes                            []string
}

// parseTrackOpts parses the options after on|off, with Redis's errors.
func (d *Dispatcher) parseTrackOpts(args [][]byte) (trackOpts, resp.Reply) {
	var o trackOpts
	for j := 0; j < len(args); j++ {
		more := j+1 < len(args)
		switch strings.ToLower(string(args[j])) {
		case "redirect":
			if !more {
				return o, errSyntax
			}
			j++
			if o.hasRd {
				return o, resp.Err("ERR A client can only redirect to a single other client")
			}
			id, ok := resp.ParseInt(args[j])
			if !ok {
				return o, resp.Err("ERR value is not an integer or out of range")
			}
			if id <= 0 || d.findSession(uint64(id)) == nil {
				return o, resp.Err("ERR The client ID you want redirect to does not exist")
			}
			o.redirect, o.hasRd = id, true
		case "bcast":
			o.bcast = true
		case "optin":
			o.optin = true
		case "optout":
			o.optout = true
		case "noloop":
			o.noloop = true
		case "prefix":
			if !more {
				return o, errSyntax
			}
			j++
			o.prefixes = append(o.prefixes, string(args[j]))
		default:
			return o, errSyntax
		}
	}
	return o, resp.Reply{}
}

// CLIENT TRACKING on|off [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN]
// [OPTOUT] [NOLOOP]
func (d *Dispatcher) clientTracking(s *Session, args [][]byte) resp.Reply {
	o, rej := d.parseTrackOpts(args[3:])
	if rej.Kind == resp.KindError {
		return rej
	}
	switch strings.ToLower(string(args[2])) {
	case "on":
		return d.trackingOn(s, o)
	case "off":
		d.untrack(s)
		return resp.OK()
	}
	return errSyntax
}

// trackingOn checks o against itself and s's current mode, in Redis's
// order, and turns tracking on.
func (d *Dispatcher) trackingOn(s *Session, o trackOpts) resp.Reply {
	t := &d.pubsub.track
	old := t.state(s.ID)
	switch {
	case !o.bcast && len(o.prefixes) > 0:
		return resp.Err("ERR PREFIX option requires BCAST mode to be enabled")
	case old != nil && old.bcast != o.bcast:
		return resp.Err("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
	case o.bcast && (o.optin || o.optout):
		return resp.Err("ERR OPTIN and OPTOUT are not compatible with BCAST")
	case o.optin && o.optout:
		return resp.Err("ERR You can't specify both OPTIN mode and OPTOUT mode")
	case old != nil && ((o.optin && old.optout) || (o.optout && old.optin)):
		return resp.Err("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
	}
	if o.bcast {
		if r := prefixCollision(old, o.prefixes); r.Kind == resp.KindError {
			return r
		}
	}
	st := &trackState{s: s, redirect: uint64(o.redirect), bcast: o.bcast, optin: o.optin,
		optout: o.optout, noloop: o.noloop}
	t.enable(s, st)
	if o.bcast {
		t.addPrefixes(st, o.prefixes)
	}
	if fan, ok := d.pubsub.fan.(TrackingFanout); ok {
		fan.AnnounceTracking(s.Context()) // the other nodes forward writes from now on
	}
	return resp.OK()
}

// prefixCollision is Redis's checkPrefixCollisionsOrReply: no new prefix
// may be a prefix of, or start with, one the session has or another new
// one.
func prefixCollision(old *trackState, ps []string) resp.Reply {
	overlap := func(a, b string) bool { return strings.HasPrefix(a, b) || strings.HasPrefix(b, a) }
	for i, p := range ps {
		if old != nil {
			for _, q := range old.prefixes {
				if overlap(q, p) {
					return resp.Err("ERR Prefix '" + p + "' overlaps with an existing prefix '" + q +
						"'. Prefixes for a single client must not overlap.")
				}
			}
		}
		for _, q := range ps[i+1:] {
			if overlap(p, q) {
				return resp.Err("ERR Prefix '" + p + "' overlaps with another provided prefix '" + q +
					"'. Prefixes for a single client must not overlap.")
			}
		}
	}
	return resp.Reply{}
}

// CLIENT CACHING yes|no
func (d *Dispatcher) clientCaching(s *Session, args [][]byte) resp.Reply {
	t := &d.pubsub.track
	st := t.state(s.ID)
	if st == nil {
		return resp.Err("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
	}
	switch strings.ToLower(string(args[2])) {
	case "yes":
		if !st.optin {
			return resp.Err("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
		}
	case "no":
		if !st.optout {
			return resp.Err("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
		}
	default:
		return errSyntax
	}
	t.mu.Lock()
	st.caching = true
	t.mu.Unlock()
	return resp.OK()
}

// CLIENT GETREDIR: the redirect target, 0 for none, -1 without tracking.
func (d *Dispatcher) clientGetRedir(s *Session, _ [][]byte) resp.Reply {
	if st := d.pubsub.track.state(s.ID); st != nil {
		return resp.Int(int64(st.redirect))
	}
	return resp.Int(-1)
}

// CLIENT TRACKINGINFO
func (d *Dispatcher) clientTrackingInfo(s *Session, _ [][]byte) resp.Reply {
	t := &d.pubsub.track
	st := t.state(s.ID)
	if st == nil {
		return resp.Map(resp.BulkString("flags"), resp.Set(resp.BulkString("off")),
			resp.BulkString("redirect"), resp.Int(-1), resp.BulkString("prefixes"), resp.Array())
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	flags := []resp.Reply{resp.BulkString("on")}
	add := func(on bool, name string) {
		if on {
			flags = append(flags, resp.BulkString(name))
		}
	}
	add(st.bcast, "bcast")
	add(st.optin, "optin")
	add(st.optin && st.caching, "caching-yes")
	add(st.optout, "optout")
	add(st.optout && st.caching, "caching-no")
	add(st.noloop, "noloop")
	add(st.broken, "broken_redirect")
	prefixes := make([]resp.Reply, len(st.prefixes))
	for i, p := range st.prefixes {
		prefixes[i] = resp.BulkString(p)
	}
	return resp.Map(resp.BulkString("flags"), resp.Set(flags...),
		resp.BulkString("redirect"), resp.Int(int64(st.redirect)), resp.BulkString("prefixes"), resp.Array(prefixes...))
}

// trackingLine adds a tracking session's flags (t, R for a broken
// redirect, B for BCAST, after O S M P x b, as Redis writes them) and its
// redir to a CLIENT LIST / INFO line.
func (d *Dispatcher) trackingLine(id uint64, line string) string {
	t := &d.pubsub.track
	st := t.state(id)
	if st == nil {
		return line
	}
	t.mu.Lock()
	add := "t"
	if st.broken {
		add += "R"
	}
	if st.bcast {
		add += "B"
	}
	redir := st.redirString()
	t.mu.Unlock()
	if !strings.Contains(line, " flags=") {
		return line
	}
	line = insertFlags(line, "OSMPxb", add)
	return strings.Replace(line, " redir=-1", " redir="+redir, 1)
}
