package command

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
)

// The client memory settings, Redis 7.0's: maxmemory-clients, the clients'
// total memory above which the server closes the largest evictable ones
// (server/clientevict.go), and client-query-buffer-limit, the query buffer
// a single client may fill before it is closed (server/connio.go).

// clientMemLimits holds maxmemory-clients and client-query-buffer-limit.
type clientMemLimits struct {
	// max is maxmemory-clients: bytes when >= 0, a percentage of maxmemory
	// when negative (-5 is 5%, as Redis stores it); 0 no limit; default 0.
	max atomic.Int64
	// queryBuf is client-query-buffer-limit: bytes; default 1 GiB.
	queryBuf atomic.Int64
}

// defaultQueryBufLimit is client-query-buffer-limit's default, 1 GiB.
const defaultQueryBufLimit = 1 << 30

// minClientEvictionLimit is the smallest limit client eviction applies,
// Redis's 128 KiB floor: a tiny maxmemory-clients must not cut every
// client off, the one fixing it included.
const minClientEvictionLimit = 128 << 10

// ClientEvictionLimit returns the clients' memory, in bytes, at or above
// which clients are evicted; 0 means no eviction (maxmemory-clients 0, or
// a percentage while maxmemory is 0). Redis's getClientEvictionLimit.
func (s *Settings) ClientEvictionLimit() int64 {
	v := s.cliMem.max.Load()
	var limit int64
	switch mm := s.MaxMemory(); {
	case v < 0 && mm > 0:
		limit = math.MaxInt64
		if b := float64(mm) * float64(-v) / 100; b < math.MaxInt64 {
			limit = int64(b)
		}
	case v > 0:
		limit = v
	default:
		return 0
	}
	return max(limit, minClientEvictionLimit)
}

// QueryBufLimit returns client-query-buffer-limit in bytes.
func (s *Settings) QueryBufLimit() int64 { return s.cliMem.queryBuf.Load() }

func getMaxMemoryClients(s *Settings) string {
	if v := s.cliMem.max.Load(); v < 0 {
		return strconv.FormatInt(-v, 10) + "%"
	}
	return strconv.FormatInt(s.cliMem.max.Load(), 10)
}

// setMaxMemoryClients parses as Redis's numericParseString for a memory
// or percent value: a memory value first (wrapped into a signed 64-bit
// number as Redis does, so 2^64-1 reads as 1%), then N%.
func setMaxMemoryClients(s *Settings, v string) error {
	u, ok := memToULL(v)
	n := int64(u)
	if !ok && len(v) > 1 && strings.HasSuffix(v, "%") {
		var pct int64
		pct, ok = strictInt(v[:len(v)-1])
		ok, n = ok && pct >= 0, -pct
	}
	if !ok {
		return fmt.Errorf("argument must be a memory or percent value")
	}
	if n < -100 {
		return fmt.Errorf("percentage argument must be less or equal to 100")
	}
	s.cliMem.max.Store(n)
	return nil
}

// strictInt parses v as Redis's string2ll: an optional minus, no leading
// zeros, no plus sign or spaces.
func strictInt(v string) (int64, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && strconv.FormatInt(n, 10) == v
}

func getQueryBufLimit(s *Settings) string { return strconv.FormatInt(s.QueryBufLimit(), 10) }

// setQueryBufLimit takes a memory value from 1 MiB up, as Redis.
func setQueryBufLimit(s *Settings, v string) error {
	n, err := parseMemoryFrom(v, 1<<20)
	if err == nil {
		s.cliMem.queryBuf.Store(n)
	}
	return err
}
