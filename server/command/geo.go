package command

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ringkv/ringkv/replica/version"
	"github.com/ringkv/ringkv/resp"
)

// The GEO commands, as Redis 7.0's geo.c: a geo set is a sorted set whose
// scores are 52-bit geohashes (geohash.go). GEOADD writes through ZADD's
// path (one command, one collection lock, so it merges as ZADD does:
// concurrent GEOADDs of one member leave the later position). Searches
// read the whole set (zload, O(n) as every range query here) and walk it
// as Redis walks its skiplist: the nine cells of geohashCalculateAreas,
// each a score range in (score, member) order, filtered by the exact
// distance (or box) test, so results, their unsorted order, what COUNT
// ANY stops at and the stable distance sort are Redis's.

// geoCommands are the geo commands.
func (d *Dispatcher) geoCommands() []*Command {
	const rw, ro, g = Write | DenyOOM, ReadOnly, "geo"
	return []*Command{
		spec("geoadd", -5, rw, 1, 1, 1, g, d.geoadd),
		spec("geodist", -4, ro, 1, 1, 1, g, d.geodist),
		spec("geohash", -2, ro, 1, 1, 1, g, d.geohash),
		spec("geopos", -2, ro, 1, 1, 1, g, d.geopos),
		geoStoreKeys(spec("georadius", -6, rw, 1, 1, 1, g, d.georadius), 6),
		geoStoreKeys(spec("georadiusbymember", -5, rw, 1, 1, 1, g, d.georadiusbymember), 5),
		spec("georadius_ro", -6, ro, 1, 1, 1, g, d.georadiusRO),
		spec("georadiusbymember_ro", -5, ro, 1, 1, 1, g, d.georadiusbymemberRO),
		spec("geosearch", -7, ro, 1, 1, 1, g, d.geosearch),
		spec("geosearchstore", -8, rw, 1, 2, 1, g, d.geosearchstore),
	}
}

// geoStoreKeys gives GEORADIUS[BYMEMBER] a Keys function: the source and
// the STORE/STOREDIST key, if any (the last one, as the command uses).
func geoStoreKeys(c *Command, base int) *Command {
	c.Keys = func(args [][]byte) [][]byte {
		keys := [][]byte{args[1]}
		var store []byte
		for i := base; i+1 < len(args); i++ {
			switch strings.ToLower(string(args[i])) {
			case "count":
				i++
			case "store", "storedist":
				store = args[i+1]
				i++
			}
		}
		if store != nil {
			keys = append(keys, store)
		}
		return keys
	}
	return c
}

var errGeoMember = resp.Err("ERR could not decode requested zset member")

// geoParseLonLat is extractLongLatOrReply.
func geoParseLonLat(a, b []byte) (lon, lat float64, r resp.Reply, ok bool) {
	lon, ok1 := zParseScore(a)
	if !ok1 {
		return 0, 0, errNotFloat, false
	}
	lat, ok2 := zParseScore(b)
	if !ok2 {
		return 0, 0, errNotFloat, false
	}
	if lon < geoLongMin || lon > geoLongMax || lat < geoLatMin || lat > geoLatMax {
		return 0, 0, resp.Err("ERR invalid longitude,latitude pair " + geoCFloat(lon) + "," + geoCFloat(lat)), false
	}
	return lon, lat, resp.Reply{}, true
}

// geoParseUnit is extractUnitOrReply: meters per unit.
func geoParseUnit(u []byte) (float64, bool) {
	switch strings.ToLower(string(u)) {
	case "m":
		return 1, true
	case "km":
		return 1000, true
	case "ft":
		return 0.3048, true
	case "mi":
		return 1609.34, true
	}
	return 0, false
}

var errGeoUnit = resp.Err("ERR unsupported unit provided. please use M, KM, FT, MI")

// geoParseRadius is extractDistanceOrReply: radius unit.
func geoParseRadius(args [][]byte, sh *geoShape) (resp.Reply, bool) {
	r, ok := zParseScore(args[0])
	if !ok {
		return resp.Err("ERR need numeric radius"), false
	}
	if r < 0 {
		return resp.Err("ERR radius cannot be negative"), false
	}
	sh.radius = r
	conv, ok := geoParseUnit(args[1])
	if !ok {
		return errGeoUnit, false
	}
	sh.conv = conv
	return resp.Reply{}, true
}

// geoParseBox is extractBoxOrReply: width height unit.
func geoParseBox(args [][]byte, sh *geoShape) (resp.Reply, bool) {
	w, ok := zParseScore(args[0])
	if !ok {
		return resp.Err("ERR need numeric width"), false
	}
	h, ok := zParseScore(args[1])
	if !ok {
		return resp.Err("ERR need numeric height"), false
	}
	if h < 0 || w < 0 {
		return resp.Err("ERR height or width cannot be negative"), false
	}
	sh.width, sh.height = w, h
	conv, ok := geoParseUnit(args[2])
	if !ok {
		return errGeoUnit, false
	}
	sh.conv = conv
	return resp.Reply{}, true
}

// geoDistReply is addReplyDoubleDistance: %.4f, a bulk string in both
// protocols.
func geoDistReply(f float64) resp.Reply { return resp.BulkString(strconv.FormatFloat(f, 'f', 4, 64)) }

// geoCoordReply is addReplyHumanLongDouble: a bulk string in RESP2, a
// double in RESP3, both with %.17Lf's digits less trailing zeros.
func geoCoordReply(s *Session, f float64) resp.Reply {
	if s.proto() == 3 {
		return resp.Raw([]byte("," + geoHumanFloat(f) + "\r\n"))
	}
	return resp.BulkString(geoHumanFloat(f))
}

// geoMemberPos is a member's decoded position; ok false if absent.
func geoMemberPos(c *coll, member []byte) (lon, lat, score float64, ok bool, err error) {
	live, err := c.live(member)
	if err != nil {
		return 0, 0, 0, false, err
	}
	score, ok, err = zscoreOf(live)
	if !ok || err != nil {
		return 0, 0, 0, false, err
	}
	lon, lat, ok = geoDecodeScore(score)
	return lon, lat, score, ok, nil
}

// GEOADD key [NX|XX] [CH] longitude latitude member [...]
func (d *Dispatcher) geoadd(s *Session, args [][]byte) resp.Reply {
	var o zaddOpts
	i := 2
opts:
	for ; i < len(args); i++ {
		switch strings.ToLower(string(args[i])) {
		case "nx":
			o.nx = true
		case "xx":
			o.xx = true
		case "ch":
			o.ch = true
		default:
			break opts
		}
	}
	rest := args[i:]
	if len(rest)%3 != 0 || (o.xx && o.nx) || len(rest) == 0 {
		return errSyntax
	}
	pairs := make([][]byte, 0, len(rest)/3*2)
	for j := 0; j < len(rest); j += 3 {
		lon, lat, r, ok := geoParseLonLat(rest[j], rest[j+1])
		if !ok {
			return r
		}
		pairs = append(pairs, strconv.AppendUint(nil, geoEncodeScore(lon, lat), 10), rest[j+2])
	}
	return d.zaddPairs(s, args[1], o, pairs)
}

// GEODIST key member1 member2 [M|KM|FT|MI]
func (d *Dispatcher) geodist(s *Session, args [][]byte) resp.Reply {
	toMeter := 1.0
	switch {
	case len(args) == 5:
		u, ok := geoParseUnit(args[4])
		if !ok {
			return errGeoUnit
		}
		toMeter = u
	case len(args) > 5:
		return errSyntax
	}
	c, err := d.openColl(s, args[1], version.KindZSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	if !c.exists() {
		return resp.Null()
	}
	lon1, lat1, _, ok1, err := geoMemberPos(c, args[2])
	if err != nil {
		return errorReply(err)
	}
	lon2, lat2, _, ok2, err := geoMemberPos(c, args[3])
	if err != nil {
		return errorReply(err)
	}
	if !ok1 || !ok2 {
		return resp.Null()
	}
	return geoDistReply(geoDistance(lon1, lat1, lon2, lat2) / toMeter)
}

// GEOHASH key [member ...]
func (d *Dispatcher) geohash(s *Session, args [][]byte) resp.Reply {
	return d.geoEach(s, args, func(score float64, ok bool) resp.Reply {
		if h, ok2 := geoHashString(score); ok && ok2 {
			return resp.BulkString(h)
		}
		return resp.Null()
	})
}

// GEOPOS key [member ...]
func (d *Dispatcher) geopos(s *Session, args [][]byte) resp.Reply {
	return d.geoEach(s, args, func(score float64, ok bool) resp.Reply {
		if !ok {
			return resp.NullArray()
		}
		lon, lat, ok := geoDecodeScore(score)
		if !ok {
			return resp.NullArray()
		}
		return resp.Array(geoCoordReply(s, lon), geoCoordReply(s, lat))
	})
}

// geoEach replies with one entry per member argument, from its score.
func (d *Dispatcher) geoEach(s *Session, args [][]byte, fn func(score float64, ok bool) resp.Reply) resp.Reply {
	c, err := d.openColl(s, args[1], version.KindZSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	out := make([]resp.Reply, 0, len(args)-2)
	for _, m := range args[2:] {
		live, err := c.live(m)
		if err != nil {
			return errorReply(err)
		}
		f, ok, err := zscoreOf(live)
		if err != nil {
			return errorReply(err)
		}
		out = append(out, fn(f, ok))
	}
	return resp.Array(out...)
}

// Search variants (georadiusGeneric's flags).
const (
	geoFromCoords  = 1 << iota // GEORADIUS: center from arguments
	geoFromMember              // GEORADIUSBYMEMBER: center from a member
	geoNoStore                 // the _RO forms
	geoSearchCmd               // GEOSEARCH syntax
	geoSearchStore             // GEOSEARCHSTORE
)

// Sort orders.
const (
	geoSortNone = iota
	geoSortAsc
	geoSortDesc
)

func (d *Dispatcher) georadius(s *Session, args [][]byte) resp.Reply {
	return d.geoSearch(s, args, 1, geoFromCoords)
}

func (d *Dispatcher) georadiusbymember(s *Session, args [][]byte) resp.Reply {
	return d.geoSearch(s, args, 1, geoFromMember)
}

func (d *Dispatcher) georadiusRO(s *Session, args [][]byte) resp.Reply {
	return d.geoSearch(s, args, 1, geoFromCoords|geoNoStore)
}

func (d *Dispatcher) georadiusbymemberRO(s *Session, args [][]byte) resp.Reply {
	return d.geoSearch(s, args, 1, geoFromMember|geoNoStore)
}

func (d *Dispatcher) geosearch(s *Session, args [][]byte) resp.Reply {
	return d.geoSearch(s, args, 1, geoSearchCmd)
}

func (d *Dispatcher) geosearchstore(s *Session, args [][]byte) resp.Reply {
	return d.geoSearch(s, args, 2, geoSearchCmd|geoSearchStore)
}

// geoPoint is one search result.
type geoPoint struct {
	member         []byte
	lon, lat, dist float64
	score          float64
}

// geoSearch is georadiusGeneric: GEORADIUS key lon lat radius unit [opts],
// GEORADIUSBYMEMBER key member radius unit [opts], GEOSEARCH key opts,
// GEOSEARCHSTORE dst key opts.
func (d *Dispatcher) geoSearch(s *Session, args [][]byte, src int, flags int) resp.Reply {
	c, err := d.openColl(s, args[src], version.KindZSet, lockNone)
	if err != nil {
		return errorReply(err)
	}
	defer c.close()
	exists := c.exists()
	var sh geoShape
	var storeKey []byte
	storeDist := false
	var base int
	switch {
	case flags&geoFromCoords != 0:
		base = 6
		lon, lat, r, ok := geoParseLonLat(args[2], args[3])
		if !ok {
			return r
		}
		sh.lon, sh.lat = lon, lat
		if r, ok := geoParseRadius(args[4:6], &sh); !ok {
			return r
		}
	case flags&geoFromMember != 0 && !exists:
		base = 5
	case flags&geoFromMember != 0:
		base = 5
		lon, lat, _, ok, err := geoMemberPos(c, args[2])
		if err != nil {
			return errorReply(err)
		}
		if !ok {
			return errGeoMember
		}
		sh.lon, sh.lat = lon, lat
		if r, ok := geoParseRadius(args[3:5], &sh); !ok {
			return r
		}
	default:
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			storeKey = args[1]
		}
	}

	var withDist, withHash, withCoord, fromMember, fromLoc, byRadius, byBox, anyOpt bool
	sortBy := geoSortNone
	var count int64
	search := flags&geoSearchCmd != 0
	rest := args[base:]
	for i := 0; i < len(rest); i++ {
		more := len(rest) - 1 - i // arguments after this one
		switch a := strings.ToLower(string(rest[i])); {
		case a == "withdist":
			withDist = true
		case a == "withhash":
			withHash = true
		case a == "withcoord":
			withCoord = true
		case a == "any":
			anyOpt = true
		case a == "asc":
			sortBy = geoSortAsc
		case a == "desc":
			sortBy = geoSortDesc
		case a == "count" && more >= 1:
			n, ok := resp.ParseInt(rest[i+1])
			if !ok {
				return errNotInteger
			}
			if n <= 0 {
				return resp.Err("ERR COUNT must be > 0")
			}
			count = n
			i++
		case (a == "store" || a == "storedist") && more >= 1 && flags&geoNoStore == 0 && !search:
			storeKey = rest[i+1]
			storeDist = a == "storedist"
			i++
		case a == "storedist" && search && flags&geoSearchStore != 0:
			storeDist = true
		case a == "frommember" && more >= 1 && search && !fromLoc:
			if !exists {
				fromMember = true
				i++
				continue
			}
			lon, lat, _, ok, err := geoMemberPos(c, rest[i+1])
			if err != nil {
				return errorReply(err)
			}
			if !ok {
				return errGeoMember
			}
			sh.lon, sh.lat = lon, lat
			fromMember = true
			i++
		case a == "fromlonlat" && more >= 2 && search && !fromMember:
			lon, lat, r, ok := geoParseLonLat(rest[i+1], rest[i+2])
			if !ok {
				return r
			}
			sh.lon, sh.lat = lon, lat
			fromLoc = true
			i += 2
		case a == "byradius" && more >= 2 && search && !byBox:
			if r, ok := geoParseRadius(rest[i+1:i+3], &sh); !ok {
				return r
			}
			sh.box = false
			byRadius = true
			i += 2
		case a == "bybox" && more >= 3 && search && !byRadius:
			if r, ok := geoParseBox(rest[i+1:i+4], &sh); !ok {
				return r
			}
			sh.box = true
			byBox = true
			i += 3
		default:
			return errSyntax
		}
	}

	if storeKey != nil && (withDist || withHash || withCoord) {
		what := "STORE option in GEORADIUS"
		if flags&geoSearchStore != 0 {
			what = "GEOSEARCHSTORE"
		}
		return resp.Err("ERR " + what + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
	}
	if search && !(fromMember || fromLoc) {
		return resp.Err("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + string(args[0]))
	}
	if search && !(byRadius || byBox) {
		return resp.Err("ERR exactly one of BYRADIUS and BYBOX can be specified for " + string(args[0]))
	}
	if anyOpt && count == 0 {
		return resp.Err("ERR the ANY argument requires COUNT argument")
	}
	event := "georadiusstore"
	if search {
		event = "geosearchstore"
	}
	if !exists {
		if storeKey != nil {
			return d.zstore(s, storeKey, nil, event)
		}
		return resp.Array()
	}
	if count != 0 && sortBy == geoSortNone && !anyOpt {
		sortBy = geoSortAsc
	}

	ents, err := zload(c)
	if err != nil {
		return errorReply(err)
	}
	var limit int64
	if anyOpt {
		limit = count
	}
	pts := geoCollect(ents, &sh, limit)
	if len(pts) == 0 && storeKey == nil {
		return resp.Array()
	}
	n := len(pts)
	if count != 0 && int64(n) > count {
		n = int(count)
	}
	if sortBy != geoSortNone {
		slices.SortStableFunc(pts, func(a, b geoPoint) int {
			r := 0
			switch {
			case a.dist > b.dist:
				r = 1
			case a.dist < b.dist:
				r = -1
			}
			if sortBy == geoSortDesc {
				r = -r
			}
			return r
		})
	}
	pts = pts[:n]
	for i := range pts {
		pts[i].dist /= sh.conv
	}

	if storeKey != nil {
		out := make([]zent, len(pts))
		for i, p := range pts {
			out[i] = zent{member: p.member, score: p.score}
			if storeDist {
				out[i].score = p.dist
			}
		}
		return d.zstore(s, storeKey, out, event)
	}
	opts := withDist || withHash || withCoord
	out := make([]resp.Reply, 0, len(pts))
	for _, p := range pts {
		if !opts {
			out = append(out, resp.Bulk(p.member))
			continue
		}
		e := []resp.Reply{resp.Bulk(p.member)}
		if withDist {
			e = append(e, geoDistReply(p.dist))
		}
		if withHash {
			e = append(e, resp.Int(int64(p.score)))
		}
		if withCoord {
			e = append(e, resp.Array(geoCoordReply(s, p.lon), geoCoordReply(s, p.lat)))
		}
		out = append(out, resp.Array(e...))
	}
	return resp.Array(out...)
}

// geoCollect is membersOfAllNeighbors over ents (sorted as the zset):
// each of the shape's cells in turn, the members whose score is in the
// cell's range, in set order, that lie within the shape; limit > 0 (ANY)
// stops once that many were found.
func geoCollect(ents []zent, sh *geoShape, limit int64) []geoPoint {
	cells := sh.cells()
	var pts []geoPoint
	full := func() bool { return len(pts) > 0 && limit > 0 && int64(len(pts)) >= limit }
	last := 0
	for i, cell := range cells {
		if cell.zero() {
			continue
		}
		if last != 0 && cell == cells[last] {
			continue
		}
		if full() {
			break
		}
		lo := float64(ghAlign52(cell))
		next := cell
		next.bits++
		hi := float64(ghAlign52(next))
		j := sort.Search(len(ents), func(k int) bool { return ents[k].score >= lo })
		for ; j < len(ents) && ents[j].score < hi; j++ {
			e := ents[j]
			if lon, lat, ok := geoDecodeScore(e.score); ok {
				if dist, in := sh.within(lon, lat); in {
					pts = append(pts, geoPoint{member: e.member, lon: lon, lat: lat, dist: dist, score: e.score})
				}
			}
			if full() {
				break
			}
		}
		last = i
	}
	return pts
}
