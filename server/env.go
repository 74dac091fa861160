package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"time"

	"github.com/ringkv/ringkv/resp"
	"github.com/ringkv/ringkv/server/command"
)

// newEnv gathers what every client session shares.
func (s *Server) newEnv() *command.Env {
	p := command.DefaultParams()
	p.Port, p.Bind, p.Dir, p.AppendFsync, p.Node = s.cfg.Port, s.cfg.Bind, s.cfg.Dir, s.cfg.AppendFsync, s.cfg.Node
	p.RequirePass, p.MaxClients = s.cfg.RequirePass, int64(s.cfg.MaxClients)
	p.Timeout, p.ProtoMaxBulkLen = int64(s.cfg.Timeout/time.Second), s.cfg.ProtoMaxBulkLen
	p.N, p.R, p.W = int64(s.cfg.N), int64(s.cfg.R), int64(s.cfg.W)
	p.ACLFile = s.cfg.ACLFile
	settings := command.NewSettings(p)
	for _, v := range s.cfg.ClientOutputBufferLimit { // checked by Config.Validate
		_ = settings.Set([][2]string{{"client-output-buffer-limit", v}})
	}
	_ = settings.Set(s.cfg.startSettings()) // checked by Config.Validate
	runID := newRunID()
	start := time.Now()
	return &command.Env{
		KV:       s.coord,
		Settings: settings,
		Stats:    new(command.Stats),
		Clients:  &s.clients,
		Shutdown: s.requestStop,
		// DEBUG SET-ACTIVE-EXPIRE
		ActiveExpire: s.db.SetActiveExpiry,
		Topology:     topology{s},
		AtCoordinator: func(ctx context.Context, cs *command.Session, key []byte, args [][]byte) (resp.Reply, bool) {
			if s.route == nil {
				return resp.Reply{}, false
			}
			return s.route.atCoordinator(ctx, cs, key, args)
		},
		Info: func() command.InfoData {
			return command.InfoData{
				RunID: runID, PID: os.Getpid(), TCPPort: s.port(), StartTime: start,
				ConfigFile: s.cfg.ConfigFile, Node: s.cfg.Node, Members: len(s.place.Members()),
				Cluster: s.infoCluster(), Extra: s.infoExtra(), Handoff: s.infoHandoff(), AAE: s.infoAAE(),
			}
		},
	}
}

// port is the client port actually bound (--port 0 picks a free one).
func (s *Server) port() int {
	if a := s.Addr(); a != nil {
		if _, p, err := splitHostPort(a.String()); err == nil {
			return p
		}
	}
	return s.cfg.Port
}

// infoExtra is INFO's ringkv section: engine facts.
func (s *Server) infoExtra() [][2]string {
	st := s.db.Stats()
	out := [][2]string{
		{"engine_keys", strconv.FormatInt(st.Keys, 10)},
		{"engine_disk_bytes", strconv.FormatInt(st.DiskBytes, 10)},
		{"engine_writes", strconv.FormatInt(st.Writes, 10)},
		{"engine_writes_combined", strconv.FormatInt(st.Combined, 10)},
		{"engine_expired", strconv.FormatInt(st.Expired, 10)},
	}
	// The key filter: reads of keys the store never held that it answered
	// without LevelDB, and its memory.
	kf := st.KeyFilter
	out = append(out,
		[2]string{"keyfilter_ready", b01(kf.Ready)},
		[2]string{"keyfilter_keys", strconv.FormatInt(kf.Keys, 10)},
		[2]string{"keyfilter_bytes", strconv.FormatInt(kf.Bytes, 10)},
		[2]string{"keyfilter_skipped_reads", strconv.FormatInt(kf.Skips, 10)})
	// LevelDB's own I/O (journal and tables) and stalls: compaction work
	// shows as written bytes well beyond twice what was stored.
	if ls, err := s.db.LevelStats(); err == nil {
		l0 := 0
		if len(ls.Levels) > 0 {
			l0 = ls.Levels[0].Tables
		}
		out = append(out,
			[2]string{"leveldb_read_bytes", strconv.FormatInt(ls.ReadBytes, 10)},
			[2]string{"leveldb_write_bytes", strconv.FormatInt(ls.WriteBytes, 10)},
			[2]string{"leveldb_compactions", strconv.FormatInt(ls.Level0Compactions+ls.NonLevel0Compactions+ls.SeekCompactions, 10)},
			[2]string{"leveldb_seek_compactions", strconv.FormatInt(ls.SeekCompactions, 10)},
			[2]string{"leveldb_level0_tables", strconv.Itoa(l0)},
			[2]string{"leveldb_write_delay_ms", strconv.FormatInt(ls.WriteDelayTotal.Milliseconds(), 10)})
	}
	return out
}

func newRunID() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
