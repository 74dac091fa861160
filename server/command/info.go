package command

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ringkv/ringkv/resp"
)

// infoSection renders one INFO section's lines ("name:value").
type infoSection struct {
	name   string // lowercase; the header is its title case
	title  string
	lines  func(d *Dispatcher, s *Session) []string
	inAll  bool // part of "default" (and "all")
	onlyAl bool // only in "all"/"everything" or when named
}

// infoSections are INFO's sections in output order.
var infoSections = []infoSection{
	{"server", "Server", (*Dispatcher).infoServer, true, false},
	{"clients", "Clients", (*Dispatcher).infoClients, true, false},
	{"memory", "Memory", (*Dispatcher).infoMemory, true, false},
	{"persistence", "Persistence", (*Dispatcher).infoPersistence, true, false},
	{"stats", "Stats", (*Dispatcher).infoStats, true, false},
	{"replication", "Replication", (*Dispatcher).infoReplication, true, false},
	{"cpu", "CPU", (*Dispatcher).infoCPU, true, false},
	{"modules", "Modules", func(*Dispatcher, *Session) []string { return nil }, true, false},
	{"commandstats", "Commandstats", (*Dispatcher).infoCommandStats, false, true},
	{"errorstats", "Errorstats", func(d *Dispatcher, _ *Session) []string { return d.env.Stats.errors.lines() }, true, false},
	{"latencystats", "Latencystats", (*Dispatcher).infoLatencyStats, false, true}, // latencyhist.go
	{"cluster", "Cluster", (*Dispatcher).infoCluster, true, false},
	{"handoff", "Handoff", func(d *Dispatcher, _ *Session) []string { return pairs(d.env.Info().Handoff) }, true, false},
	{"aae", "AAE", func(d *Dispatcher, _ *Session) []string { return pairs(d.env.Info().AAE) }, true, false},
	{"ringkv", "Ringkv", (*Dispatcher).infoRingkv, true, false},
	{"keyspace", "Keyspace", (*Dispatcher).infoKeyspace, true, false},
}

// INFO [section ...]: a bulk string (RESP3: verbatim "txt").
func (d *Dispatcher) info(s *Session, args [][]byte) resp.Reply {
	want := map[string]bool{}
	for _, a := range args[1:] {
		want[strings.ToLower(string(a))] = true
	}
	if len(want) == 0 {
		want["default"] = true
	}
	all := want["all"] || want["everything"]
	var b strings.Builder
	for _, sec := range infoSections {
		if !want[sec.name] && !(sec.inAll && want["default"]) && !(all && (sec.inAll || sec.onlyAl)) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + sec.title + "\r\n")
		for _, l := range sec.lines(d, s) {
			b.WriteString(l + "\r\n")
		}
	}
	return resp.Verbatim("txt", b.String())
}

func kv(k string, v any) string { return fmt.Sprintf("%s:%v", k, v) }

func (d *Dispatcher) infoServer(_ *Session) []string {
	in, now := d.env.Info(), d.env.Clock()
	up := int64(now.Sub(in.StartTime) / time.Second)
	return []string{kv("redis_version", RedisVersion), kv("ringkv_version", Version),
		kv("redis_git_sha1", "00000000"), kv("redis_git_dirty", 0), kv("redis_build_id", 0),
		kv("redis_mode", "standalone"), kv("os", runtime.GOOS+" "+runtime.GOARCH),
		kv("arch_bits", strconv.IntSize), kv("go_version", runtime.Version()), kv("go_maxprocs", runtime.GOMAXPROCS(0)),
		kv("process_id", in.PID), kv("run_id", in.RunID), kv("tcp_port", in.TCPPort),
		kv("server_time_usec", now.UnixMicro()), kv("uptime_in_seconds", up),
		kv("uptime_in_days", up/86400), kv("hz", 10), kv("configured_hz", 10),
		kv("config_file", in.ConfigFile)}
}

func (d *Dispatcher) infoClients(s *Session) []string {
	return []string{kv("connected_clients", len(d.clientsWithSelf(s))), kv("cluster_connections", 0),
		kv("maxclients", d.env.Settings.MaxClients()), kv("client_recent_max_input_buffer", 0),
		kv("client_recent_max_output_buffer", 0), kv("blocked_clients", d.blockedClients()),
		kv("tracking_clients", d.pubsub.track.on.Load()), kv("clients_in_timeout_table", 0)}
}

func (d *Dispatcher) infoMemory(_ *Session) []string {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	mm := d.env.Settings.MaxMemory()
	rss := residentBytes()
	if rss == 0 {
		rss = m.Sys
	}
	frag := 0.0
	if m.HeapAlloc > 0 {
		frag = float64(rss) / float64(m.HeapAlloc)
	}
	return append([]string{kv("used_memory", m.HeapAlloc), kv("used_memory_human", humanBytes(m.HeapAlloc)),
		kv("used_memory_rss", rss), kv("used_memory_rss_human", humanBytes(rss)),
		kv("maxmemory", int64(mm)), kv("maxmemory_human", humanBytes(mm)), // signed, as Redis prints it
		kv("maxmemory_policy", d.env.Settings.MaxMemoryPolicy()),
		kv("mem_fragmentation_ratio", fmt.Sprintf("%.2f", frag)),
		// Nothing is left out of maxmemory's count, and nothing is freed
		// in the background or defragmented (the suite's
		// wait_lazyfree_done and monitoring tools read these).
		kv("mem_not_counted_for_evict", 0),
		kv("mem_allocator", "go"), kv("active_defrag_running", 0),
		kv("lazyfree_pending_objects", 0), kv("lazyfreed_objects", 0)},
		d.infoScripts()...) // scripting.go
}

// residentBytes is the process's resident set size from /proc (Redis's
// used_memory_rss); 0 where it cannot be read.
func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

// humanBytes formats n as Redis's bytesToHuman (1.50K, 2.00M, ...; from
// 1024P on, bytes again).
func humanBytes(n uint64) string {
	f := float64(n)
	for _, u := range []string{"B", "K", "M", "G", "T", "P"} {
		if f < 1024 {
			if u == "B" {
				return fmt.Sprintf("%dB", n)
			}
			return fmt.Sprintf("%.2f%s", f, u)
		}
		f /= 1024
	}
	return fmt.Sprintf("%dB", n)
}

func (d *Dispatcher) infoPersistence(_ *Session) []string {
	return []string{kv("loading", 0), kv("async_loading", 0), kv("rdb_changes_since_last_save", 0),
		kv("rdb_bgsave_in_progress", 0), kv("rdb_last_save_time", d.lastSave.Load()),
		kv("rdb_last_bgsave_status", "ok"), kv("aof_enabled", 0),
		kv("aof_rewrite_in_progress", 0), kv("aof_last_write_status", "ok")}
}

func (d *Dispatcher) infoStats(_ *Session) []string {
	st := d.env.Stats
	return append([]string{kv("total_connections_received", st.Connections.Load()),
		kv("total_commands_processed", st.Commands.Load()), kv("instantaneous_ops_per_sec", 0),
		kv("total_net_input_bytes", st.NetInput.Load()), kv("total_net_output_bytes", st.NetOutput.Load()),
		kv("rejected_connections", st.Rejected.Load()), kv("migrate_cached_sockets", 0), kv("expired_keys", st.ExpiredKeys.Load()),
		kv("evicted_keys", 0), kv("evicted_clients", st.EvictedClients.Load()), kv("keyspace_hits", st.KeyspaceHits.Load()),
		kv("keyspace_misses", st.KeyspaceMisses.Load()), kv("pubsub_channels", d.pubsub.hub.size(subChannel)),
		kv("pubsub_patterns", d.pubsub.hub.size(subPattern)), kv("pubsubshard_channels", d.pubsub.hub.size(subShard))},
		append(d.trackingStats(), // trackinginfo.go
			kv("unexpected_error_replies", 0), kv("total_error_replies", st.ErrorReplies.Load()))...)
}

func (d *Dispatcher) infoReplication(_ *Session) []string {
	out := []string{kv("role", "master"), kv("connected_slaves", 0)}
	if st := d.env.Settings; st.Int("min-replicas-to-write") != 0 && st.Int("min-replicas-max-lag") != 0 {
		out = append(out, kv("min_slaves_good_slaves", d.goodReplicas())) // minreplicas.go
	}
	return append(out, kv("master_failover_state", "no-failover"), kv("master_replid", d.env.Info().RunID),
		kv("master_repl_offset", 0))
}

func (d *Dispatcher) infoCPU(_ *Session) []string {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	sec := func(t syscall.Timeval) string {
		return fmt.Sprintf("%.6f", float64(t.Sec)+float64(t.Usec)/1e6)
	}
	return []string{kv("used_cpu_sys", sec(ru.Stime)), kv("used_cpu_user", sec(ru.Utime))}
}

func (d *Dispatcher) infoCommandStats(_ *Session) []string {
	var out []string
	for _, c := range d.sorted {
		for _, sc := range append([]*Command{c}, c.Subs...) {
			calls, rej, fail, usec := sc.calls.Load(), sc.rejected.Load(), sc.failed.Load(), sc.usec.Load()
			if calls+rej+fail == 0 {
				continue
			}
			out = append(out, fmt.Sprintf("cmdstat_%s:calls=%d,usec=%d,usec_per_call=%.2f,"+
				"rejected_calls=%d,failed_calls=%d", sc.Name, calls, usec, float64(usec)/float64(max(calls, 1)), rej, fail))
		}
	}
	return out
}

func (d *Dispatcher) infoRingkv(_ *Session) []string {
	in, p := d.env.Info(), d.env.Settings.Params()
	members := int64(max(in.Members, 1))
	out := []string{kv("node", in.Node), kv("members", members), kv("n", p.N), kv("r", p.R),
		kv("w", p.W), kv("effective_n", min(p.N, members)), kv("effective_r", min(p.R, members)),
		kv("effective_w", min(p.W, members)), kv("appendfsync", p.AppendFsync)}
	for _, e := range in.Extra {
		out = append(out, kv(e[0], e[1]))
	}
	return out
}

func (d *Dispatcher) infoKeyspace(s *Session) []string {
	n, err := d.env.KV.Len(s.Context())
	if err != nil || n == 0 {
		return nil
	}
	return []string{fmt.Sprintf("db0:keys=%d,expires=0,avg_ttl=0", n)}
}

// pairs renders name/value pairs as INFO lines.
func pairs(in [][2]string) []string {
	out := make([]string, len(in))
	for i, e := range in {
		out[i] = e[0] + ":" + e[1]
	}
	return out
}
