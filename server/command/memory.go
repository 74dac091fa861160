package command

import (
	"math"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// MEMORY: USAGE of a string estimates what the key costs ringkv: the key
// and its stored record, every sibling with its causal metadata as the
// engine encodes it. USAGE of a collection estimates what Redis 7.0 would
// use for its contents (encoding.go's memoryOf: a listpack or intset
// whole; a hashtable, skiplist or quicklist from its first SAMPLES
// elements or nodes, 5 by default, 0 for all, scaled to its size), plus
// the key and its dict entry, as Redis counts them; ringkv's per-element
// records cost more, but the estimate grows as the collection does and
// compares with Redis's. It walks the whole collection. STATS and DOCTOR
// report the Go runtime's heap in Redis's field names; MALLOC-STATS answers
// as a Redis built without jemalloc does.
func (d *Dispatcher) memoryCommand() *Command {
	return container("memory", -2, 0, "server", nil,
		keyless("doctor", 2, 0, "", d.memoryDoctor),
		keyless("malloc-stats", 2, 0, "", d.memoryMallocStats),
		keyless("purge", 2, 0, "", d.memoryPurge),
		keyless("stats", 2, 0, "", d.memoryStats),
		spec("usage", -3, ReadOnly, 2, 2, 1, "", d.memoryUsage),
		keyless("help", 2, Loading|Stale, "", d.memoryHelp),
	)
}

// MEMORY USAGE key [SAMPLES count]
func (d *Dispatcher) memoryUsage(s *Session, args [][]byte) resp.Reply {
	samples := int64(5) // Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES
	for i := 3; i < len(args); i++ {
		if !strings.EqualFold(string(args[i]), "samples") || i+1 >= len(args) {
			return errSyntax
		}
		n, ok := resp.ParseInt(args[i+1])
		switch {
		case !ok:
			return errNotInteger
		case n < 0:
			return errSyntax
		}
		samples = n
		i++
	}
	w, set, err := d.lookupValue(s, args[2])
	switch {
	case err != nil:
		return errorReply(err)
	case w == nil:
		return resp.Null()
	}
	if k := w.Kind; k == version.KindHash || k == version.KindSet || k == version.KindZSet || k == version.KindList {
		v, err := d.dumpValue(s, args[2])
		switch {
		case err != nil:
			return errorReply(err)
		case v == nil:
			return resp.Null() // emptied meanwhile
		}
		n := d.encLimits().memoryOf(v, int(min(samples, math.MaxInt32)))
		return resp.Int(int64(n + sdsSize(len(args[2])) + dictEntrySize))
	}
	return resp.Int(int64(len(args[2]) + len(set.AppendBinary(nil))))
}

// MEMORY STATS: Redis's map, filled from the Go runtime and the keyspace.
func (d *Dispatcher) memoryStats(s *Session, _ [][]byte) resp.Reply {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	keys, _ := d.env.KV.Len(s.Context())
	str, num := resp.BulkString, func(n uint64) resp.Reply { return resp.Int(int64(n)) }
	ratio := func(a, b uint64) resp.Reply {
		if b == 0 {
			return resp.Double(0)
		}
		return resp.Double(float64(a) / float64(b))
	}
	perKey := uint64(0)
	if keys > 0 {
		perKey = m.HeapAlloc / uint64(keys)
	}
	resident := m.HeapSys - m.HeapReleased
	out := []resp.Reply{
		str("peak.allocated"), num(d.intro.peakHeap(m.HeapAlloc)),
		str("total.allocated"), num(m.HeapAlloc),
		str("startup.allocated"), num(0),
		str("replication.backlog"), num(0),
		str("clients.slaves"), num(0),
		str("clients.normal"), num(0),
		str("cluster.links"), num(0),
		str("aof.buffer"), num(0),
		str("lua.caches"), num(0),
		str("functions.caches"), num(0),
	}
	if keys > 0 { // Redis lists the databases that hold keys
		out = append(out, str("db.0"), resp.Map(str("overhead.hashtable.main"), num(0),
			str("overhead.hashtable.expires"), num(0), str("overhead.hashtable.slot-to-keys"), num(0)))
	}
	return resp.Map(append(out,
		str("overhead.total"), num(m.HeapAlloc),
		str("keys.count"), resp.Int(keys),
		str("keys.bytes-per-key"), num(perKey),
		str("dataset.bytes"), num(0),
		str("dataset.percentage"), resp.Double(0),
		str("peak.percentage"), ratio(100*m.HeapAlloc, d.intro.peakHeap(m.HeapAlloc)),
		str("allocator.allocated"), num(m.HeapAlloc),
		str("allocator.active"), num(m.HeapInuse),
		str("allocator.resident"), num(resident),
		str("allocator-fragmentation.ratio"), ratio(m.HeapInuse, m.HeapAlloc),
		str("allocator-fragmentation.bytes"), num(m.HeapInuse-min(m.HeapInuse, m.HeapAlloc)),
		str("allocator-rss.ratio"), ratio(resident, m.HeapInuse),
		str("allocator-rss.bytes"), num(resident-min(resident, m.HeapInuse)),
		str("rss-overhead.ratio"), ratio(m.Sys, resident),
		str("rss-overhead.bytes"), num(m.Sys-min(m.Sys, resident)),
		str("fragmentation"), ratio(m.Sys, m.HeapAlloc),
		str("fragmentation.bytes"), num(m.Sys-min(m.Sys, m.HeapAlloc)),
	)...)
}

// MEMORY DOCTOR: ringkv runs no memory diagnosis, so it answers Redis's
// "empty" report for an empty keyspace and its "no issue" report else.
func (d *Dispatcher) memoryDoctor(s *Session, _ [][]byte) resp.Reply {
	if n, err := d.env.KV.Len(s.Context()); err == nil && n == 0 {
		return resp.Verbatim("txt", "Hi Sam, this instance is empty or is using very little memory, "+
			"my issues detector can't be used in these conditions. Please, leave for your mission on "+
			"Earth and fill it with some data. The new Sam and I will be back to our programming as "+
			"soon as I finished rebooting.\n")
	}
	return resp.Verbatim("txt", "Hi Sam, I can't find any memory issue in your instance. "+
		"I can only account for what occurs on this base.\n")
}

// MEMORY MALLOC-STATS
func (d *Dispatcher) memoryMallocStats(_ *Session, _ [][]byte) resp.Reply {
	return resp.BulkString("Stats not supported for the current allocator")
}

// MEMORY PURGE: returns freed heap memory to the operating system.
func (d *Dispatcher) memoryPurge(_ *Session, _ [][]byte) resp.Reply {
	debug.FreeOSMemory()
	return resp.OK()
}

// MEMORY HELP
func (d *Dispatcher) memoryHelp(_ *Session, _ [][]byte) resp.Reply {
	return help("MEMORY",
		"DOCTOR",
		"    Return memory problems reports.",
		"MALLOC-STATS",
		"    Return internal statistics report from the memory allocator.",
		"PURGE",
		"    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS",
		"    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
	)
}
