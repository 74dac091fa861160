package server

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ringkv/ringkv/cluster"
	"github.com/ringkv/ringkv/cluster/transport"
	"github.com/ringkv/ringkv/engine"
	"github.com/ringkv/ringkv/replica"
	"github.com/ringkv/ringkv/server/command"
)

// nodeCollector exports the counters the node already keeps for INFO
// (replica.Stats, the engine's and LevelDB's statistics, the membership,
// the client registry), read at each scrape: nothing is counted twice.
type nodeCollector struct{ s *Server }

var _ prometheus.Collector = nodeCollector{}

// nodeView is what one scrape reads, each source once.
type nodeView struct {
	rs      *replica.Stats
	es      engine.Stats
	ls      engine.LevelStats
	lsOK    bool // LevelDB answered (it does not once the engine closed)
	nodes   []cluster.Node
	clients int
	cs      *command.Stats
	peer    transport.Bytes
}

func (c nodeCollector) view() *nodeView {
	s := c.s
	v := &nodeView{rs: s.coord.Stats(), es: s.db.Stats(), nodes: s.nodes(), clients: s.clients.len(),
		cs: s.env.Stats, peer: s.tr.Bytes()}
	var err error
	v.ls, err = s.db.LevelStats()
	v.lsOK = err == nil
	return v
}

// nodeStat is one unlabelled metric read from a nodeView.
type nodeStat struct {
	name, help string
	kind       prometheus.ValueType
	read       func(v *nodeView) float64
}

const (
	promCounter = prometheus.CounterValue
	promGauge   = prometheus.GaugeValue
)

// nodeStats are the unlabelled metrics, named without the ringkv_ prefix.
var nodeStats = []nodeStat{
	{"keys", "Keys stored on this node holding a live value (INFO engine_keys).", promGauge, func(v *nodeView) float64 { return float64(v.es.Keys) }},
	{"keys_expired_total", "Keys deleted by the expiry sweeper since start.", promCounter, func(v *nodeView) float64 { return float64(v.es.Expired) }},
	{"engine_writes_total", "Records written to the engine since start.", promCounter, func(v *nodeView) float64 { return float64(v.es.Writes) }},
	{"engine_writes_combined_total", "Writes stored in the LevelDB batch of an earlier write to the same collection (or key stripe).", promCounter, func(v *nodeView) float64 { return float64(v.es.Combined) }},
	{"keyfilter_bytes", "Memory of the key filter (an in-memory bloom filter of the keys stored here).", promGauge, func(v *nodeView) float64 { return float64(v.es.KeyFilter.Bytes) }},
	{"keyfilter_skipped_reads_total", "Reads of keys never stored here that the key filter answered without LevelDB (every write reads its key first).", promCounter, func(v *nodeView) float64 { return float64(v.es.KeyFilter.Skips) }},
	{"connected_clients", "Client connections open now.", promGauge, func(v *nodeView) float64 { return float64(v.clients) }},
	{"connections_total", "Client connections accepted (INFO total_connections_received; CONFIG RESETSTAT zeroes it).", promCounter, func(v *nodeView) float64 { return float64(v.cs.Connections.Load()) }},
	{"rejected_connections_total", "Client connections refused over maxclients (CONFIG RESETSTAT zeroes it).", promCounter, func(v *nodeView) float64 { return float64(v.cs.Rejected.Load()) }},
	{"hints_pending", "Hints held here for replicas that missed a write.", promGauge, func(v *nodeView) float64 { return float64(v.es.Hints.Pending) }},
	{"hints_pending_bytes", "Size on disk of the hints held here.", promGauge, func(v *nodeView) float64 { return float64(v.es.Hints.Bytes) }},
	{"hints_stored_total", "Hints written here for a replica a write missed.", promCounter, func(v *nodeView) float64 { return float64(v.rs.HintsStored.Load()) }},
	{"hints_delivered_total", "Hints their target acknowledged, then deleted here.", promCounter, func(v *nodeView) float64 { return float64(v.rs.HintsDelivered.Load()) }},
	{"hints_dropped_total", "Hints dropped (store full, too old, or target removed); anti-entropy repairs those keys.", promCounter, func(v *nodeView) float64 { return float64(v.es.Hints.Dropped) }},
	{"read_repairs_total", "Keys sent to a stale replica after a read (one per key and replica).", promCounter, func(v *nodeView) float64 { return float64(v.rs.ReadRepairs.Load()) }},
	{"aae_exchanges_total", "Anti-entropy exchanges of partition Merkle roots with a peer, started or answered.", promCounter, func(v *nodeView) float64 { return float64(v.rs.AAEExchanges.Load()) }},
	{"aae_keys_repaired_total", "Keys anti-entropy found different and merged.", promCounter, func(v *nodeView) float64 { return float64(v.rs.AAEKeysRepaired.Load()) }},
	{"tombstones_reaped_total", "Tombstone records deleted here by reaping.", promCounter, func(v *nodeView) float64 { return float64(v.es.Reaped) }},
	{"tombstones_pending", "Tombstones past their grace this node could not reap yet, as of the last pass.", promGauge, func(v *nodeView) float64 { return float64(v.rs.TombstonesPending.Load()) }},
	{"elements_dropped_total", "Collection element records dropped because their collection was deleted or expired.", promCounter, func(v *nodeView) float64 { return float64(v.rs.ElementsDropped.Load()) }},
	{"transfers_pending", "Inbound partition transfers queued or running.", promGauge, func(v *nodeView) float64 { return float64(v.rs.TransfersPending.Load()) }},
	{"transfers_done_total", "Inbound partition transfers completed.", promCounter, func(v *nodeView) float64 { return float64(v.rs.TransfersDone.Load()) }},
	{"transfer_keys_total", "Records received by partition transfers.", promCounter, func(v *nodeView) float64 { return float64(v.rs.TransferKeys.Load()) }},
	{"transfer_bytes_total", "Bytes of records received by partition transfers.", promCounter, func(v *nodeView) float64 { return float64(v.rs.TransferBytes.Load()) }},
	{"partitions_dropped_total", "Partitions handed off to their new holders and dropped here.", promCounter, func(v *nodeView) float64 { return float64(v.rs.PartitionsDropped.Load()) }},
	{"read_throughs_total", "Reads of a partition still arriving, answered with its previous holder's copy merged in.", promCounter, func(v *nodeView) float64 { return float64(v.rs.ReadThroughs.Load()) }},
}

// levelStats are LevelDB's unlabelled metrics, present while it answers.
var levelStats = []nodeStat{
	{"leveldb_write_delays_total", "Writes LevelDB delayed because compaction fell behind.", promCounter, func(v *nodeView) float64 { return float64(v.ls.WriteDelays) }},
	{"leveldb_write_delay_seconds_total", "Time writes spent delayed by LevelDB.", promCounter, func(v *nodeView) float64 { return v.ls.WriteDelayTotal.Seconds() }},
	{"leveldb_write_paused", "1 while LevelDB pauses writes (level 0 full), else 0.", promGauge, func(v *nodeView) float64 { return b2f(v.ls.WritePaused) }},
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Labelled metrics.
var (
	descMembers = prometheus.NewDesc("ringkv_members",
		"Cluster members this node knows, by gossip state (alive, suspect, failed, left).", []string{"state"}, nil)
	descPeerBytes = prometheus.NewDesc("ringkv_peer_bytes_total",
		"Bytes of peer RPC traffic, by direction (sent, received).", []string{"direction"}, nil)
	descCompactions = prometheus.NewDesc("ringkv_leveldb_compactions_total",
		"LevelDB compactions by trigger: memtable (flushed to level 0), level0, nonlevel0, seek.", []string{"trigger"}, nil)
	descIO = prometheus.NewDesc("ringkv_leveldb_io_bytes_total",
		"Bytes LevelDB read from and wrote to storage, by op (read, write).", []string{"op"}, nil)
	descLevelTables = prometheus.NewDesc("ringkv_leveldb_level_tables",
		"LevelDB table files per level.", []string{"level"}, nil)
	descLevelBytes = prometheus.NewDesc("ringkv_leveldb_level_bytes",
		"LevelDB table bytes per level.", []string{"level"}, nil)
	descLevelCompaction = prometheus.NewDesc("ringkv_leveldb_compaction_seconds_total",
		"Time LevelDB spent compacting into each level.", []string{"level"}, nil)

	labelled = []*prometheus.Desc{descMembers, descPeerBytes, descCompactions, descIO,
		descLevelTables, descLevelBytes, descLevelCompaction}
)

// memberStates are the states ringkv_members always reports (0 when none).
var memberStates = []cluster.State{cluster.Alive, cluster.Suspect, cluster.Failed, cluster.Left}

// descs are nodeStats' and levelStats' descriptions, made once.
var descs = func() map[string]*prometheus.Desc {
	m := map[string]*prometheus.Desc{}
	for _, st := range append(append([]nodeStat{}, nodeStats...), levelStats...) {
		m[st.name] = prometheus.NewDesc("ringkv_"+st.name, st.help, nil, nil)
	}
	return m
}()

func (c nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range descs {
		ch <- d
	}
	for _, d := range labelled {
		ch <- d
	}
}

func (c nodeCollector) Collect(ch chan<- prometheus.Metric) {
	v := c.view()
	emit := func(st nodeStat) { ch <- prometheus.MustNewConstMetric(descs[st.name], st.kind, st.read(v)) }
	for _, st := range nodeStats {
		emit(st)
	}
	c.collectMembers(ch, v)
	if c.s.tr != nil {
		ch <- prometheus.MustNewConstMetric(descPeerBytes, promCounter, float64(v.peer.Sent), "sent")
		ch <- prometheus.MustNewConstMetric(descPeerBytes, promCounter, float64(v.peer.Received), "received")
	}
	if v.lsOK {
		for _, st := range levelStats {
			emit(st)
		}
		collectLevels(ch, &v.ls)
	}
}

func (c nodeCollector) collectMembers(ch chan<- prometheus.Metric, v *nodeView) {
	var n [4]int
	for _, node := range v.nodes {
		if int(node.State) < len(n) {
			n[node.State]++
		}
	}
	for _, st := range memberStates {
		ch <- prometheus.MustNewConstMetric(descMembers, promGauge, float64(n[st]), st.String())
	}
}

func collectLevels(ch chan<- prometheus.Metric, ls *engine.LevelStats) {
	for trigger, n := range map[string]int64{"memtable": ls.MemCompactions, "level0": ls.Level0Compactions,
		"nonlevel0": ls.NonLevel0Compactions, "seek": ls.SeekCompactions} {
		ch <- prometheus.MustNewConstMetric(descCompactions, promCounter, float64(n), trigger)
	}
	ch <- prometheus.MustNewConstMetric(descIO, promCounter, float64(ls.ReadBytes), "read")
	ch <- prometheus.MustNewConstMetric(descIO, promCounter, float64(ls.WriteBytes), "write")
	levels := ls.Levels
	if len(levels) == 0 {
		levels = []engine.LevelFacts{{}} // a new DB: level 0 is empty, and the series exist
	}
	for i, l := range levels {
		level := strconv.Itoa(i)
		ch <- prometheus.MustNewConstMetric(descLevelTables, promGauge, float64(l.Tables), level)
		ch <- prometheus.MustNewConstMetric(descLevelBytes, promGauge, float64(l.Bytes), level)
		ch <- prometheus.MustNewConstMetric(descLevelCompaction, promCounter, l.Compaction.Seconds(), level)
	}
}
