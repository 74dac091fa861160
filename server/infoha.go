package server

import (
	"fmt"
	"strconv"
	"time"
)

// infoHandoff is INFO's # Handoff section: hints held here, per target,
// and what became of them since start.
func (s *Server) infoHandoff() [][2]string {
	hs, st := s.db.HintStats(), s.coord.Stats()
	out := [][2]string{
		{"hints_pending", strconv.FormatInt(hs.Pending, 10)},
		{"hints_pending_bytes", strconv.FormatInt(hs.Bytes, 10)},
		{"hints_stored", strconv.FormatInt(st.HintsStored.Load(), 10)},
		{"hints_delivered", strconv.FormatInt(st.HintsDelivered.Load(), 10)},
		{"hints_dropped", strconv.FormatInt(hs.Dropped, 10)},
		{"read_repairs", strconv.FormatInt(st.ReadRepairs.Load(), 10)},
		{"speculative_reads", strconv.FormatInt(st.SpeculativeReads.Load(), 10)},
		{"merge_batches", strconv.FormatInt(st.MergeBatches.Load(), 10)},
		{"merge_batched_copies", strconv.FormatInt(st.MergeBatched.Load(), 10)},
		{"get_batches", strconv.FormatInt(st.GetBatches.Load(), 10)},
		{"get_batched_reads", strconv.FormatInt(st.GetBatched.Load(), 10)},
	}
	for i, target := range s.db.HintTargets() {
		t := hs.Targets[target]
		out = append(out, [2]string{"target" + strconv.Itoa(i), fmt.Sprintf("node=%s,pending=%d,bytes=%d", target, t.Pending, t.Bytes)})
	}
	return out
}

// infoAAE is INFO's # AAE section: anti-entropy exchanges and repairs,
// the least recent completed sync over this node's partitions, and
// tombstone reaping.
func (s *Server) infoAAE() [][2]string {
	st, es := s.coord.Stats(), s.db.Stats()
	oldest, parts := s.coord.OldestSync()
	age := "-1" // some partition never synced (or AAE is off)
	if oldest > 0 {
		age = strconv.FormatInt(max(0, time.Now().UnixMilli()-oldest)/1000, 10)
	}
	return [][2]string{
		{"aae_interval_ms", strconv.FormatInt(s.cfg.AAEInterval.Milliseconds(), 10)},
		{"aae_tree_ready", b01(s.db.TreeReady())},
		{"aae_exchanges", strconv.FormatInt(st.AAEExchanges.Load(), 10)},
		{"aae_keys_repaired", strconv.FormatInt(st.AAEKeysRepaired.Load(), 10)},
		{"aae_partitions", strconv.Itoa(parts)},
		{"aae_oldest_sync_age_seconds", age},
		{"tombstone_grace_ms", strconv.FormatInt(s.cfg.TombstoneGrace.Milliseconds(), 10)},
		{"tombstones_reaped", strconv.FormatInt(es.Reaped, 10)},
		{"tombstones_pending", strconv.FormatInt(st.TombstonesPending.Load(), 10)},
		{"elements_dropped", strconv.FormatInt(st.ElementsDropped.Load(), 10)},
	}
}

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
