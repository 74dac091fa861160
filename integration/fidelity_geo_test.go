package integration

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
)

// geoProbes cover GEOADD, GEODIST, GEOHASH, GEOPOS, GEOSEARCH,
// GEOSEARCHSTORE and the GEORADIUS family: scores, coordinate and
// distance formatting, every option and every error path.
var geoProbes = []probe{
	// GEOADD and the scores it writes
	p("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"),
	p("ZRANGE", "Sicily", "0", "-1", "WITHSCORES"), p("TYPE", "Sicily"),
	p("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo"), p("GEOADD", "Sicily", "CH", "13.5", "38.1", "Palermo"),
	p("GEOADD", "Sicily", "NX", "13.361389", "38.115556", "Palermo", "12.5", "37.8", "Marsala"),
	p("GEOADD", "Sicily", "XX", "CH", "13.361389", "38.115556", "Palermo", "12", "37", "nope"),
	p("GEOADD", "Sicily", "ch", "nx", "xx", "1", "2", "a"), p("GEOADD", "Sicily", "NX", "XX", "1", "2", "a"),
	p("GEOADD", "Sicily", "CH", "CH", "NX"), p("GEOADD", "Sicily", "1", "2", "a", "3"),
	p("GEOADD", "Sicily", "1", "2"), p("GEOADD", "Sicily", "x", "2", "a"), p("GEOADD", "Sicily", "1", "y", "a"),
	p("GEOADD", "Sicily", "181", "2", "a"), p("GEOADD", "Sicily", "1", "85.06", "a"), p("GEOADD", "Sicily", "-180.0001", "-86", "a"),
	p("GEOADD", "Sicily", "inf", "0", "a"), p("GEOADD", "Sicily", "0", "-inf", "a"), p("GEOADD", "Sicily", "nan", "0", "a"),
	p("GEOADD", "Sicily", "1", "2", "ok", "500", "2", "bad"), p("ZSCORE", "Sicily", "ok"),
	p("GEOADD", "edges", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw", "0", "0", "zero", "-0", "-0", "negzero",
		"179.9999999", "0.0000001", "e1", "1e-300", "-1e-300", "tiny", "0x10", "0x1p-2", "hex"),
	p("ZRANGE", "edges", "0", "-1", "WITHSCORES"), p("GEOPOS", "edges", "ne", "sw", "zero", "negzero", "e1", "tiny", "hex"),
	p("GEOHASH", "edges", "ne", "sw", "zero", "e1", "hex"),
	p("GEOADD", "nokey", "XX", "1", "2", "a"), p("EXISTS", "nokey"),
	// GEOPOS, GEOHASH, GEODIST
	p("GEOPOS", "Sicily", "Palermo", "Catania", "nope"), p("GEOPOS", "Sicily"), p("GEOPOS", "nokey", "a", "b"),
	p("GEOPOS", "nokey"), p("GEOHASH", "Sicily", "Palermo", "Catania", "nope"), p("GEOHASH", "Sicily"),
	p("GEOHASH", "nokey", "a"),
	p("GEODIST", "Sicily", "Palermo", "Catania"), p("GEODIST", "Sicily", "Palermo", "Catania", "km"),
	p("GEODIST", "Sicily", "Palermo", "Catania", "MI"), p("GEODIST", "Sicily", "Palermo", "Catania", "Ft"),
	p("GEODIST", "Sicily", "Palermo", "Catania", "m"), p("GEODIST", "Sicily", "Palermo", "Palermo"),
	p("GEODIST", "Sicily", "Palermo", "nope"), p("GEODIST", "nokey", "a", "b"), p("GEODIST", "nokey", "a", "b", "yd"),
	p("GEODIST", "Sicily", "Palermo", "Catania", "yd"), p("GEODIST", "Sicily", "Palermo", "Catania", "km", "x"),
	p("GEODIST", "Sicily", "Palermo"), p("GEODIST", "edges", "ne", "sw"), p("GEODIST", "edges", "zero", "negzero"),
	// members whose scores are not geohashes
	p("ZADD", "odd", "-1", "neg", "1e300", "huge", "0.5", "half", "-inf", "minf", "inf", "pinf", "9007199254740993", "big",
		"4503599627370496", "over52", "-1e300", "nhuge"),
	p("GEOPOS", "odd", "neg", "huge", "half", "minf", "pinf", "big", "over52", "nhuge"),
	p("GEOHASH", "odd", "neg", "huge", "half", "minf", "pinf", "big", "over52", "nhuge"), p("GEODIST", "odd", "neg", "half"),
	p("GEOSEARCH", "odd", "FROMLONLAT", "0", "0", "BYRADIUS", "30000", "km", "ASC", "WITHCOORD", "WITHHASH"),
	// GEOSEARCH
	p("GEOADD", "Sicily", "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "DESC", "WITHCOORD", "WITHDIST", "WITHHASH"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "WITHCOORD", "WITHDIST"),
	p("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "ASC", "WITHDIST"),
	p("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "mi", "WITHDIST"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1000", "km"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1000", "km", "COUNT", "2"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1000", "km", "COUNT", "2", "DESC"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1000", "km", "COUNT", "2", "ANY"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1000", "km", "COUNT", "2", "ANY", "ASC"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1000", "km", "COUNT", "100", "ANY"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m"),
	p("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "0", "m", "WITHDIST"),
	p("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "0", "0", "m", "WITHDIST"),
	p("geosearch", "Sicily", "frommember", "Palermo", "frommember", "Catania", "bybox", "10", "10", "KM", "withcoord"),
	p("GEOSEARCH", "Sicily", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"),
	p("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYBOX", "1", "1", "km", "BYRADIUS", "1", "km"),
	p("GEOSEARCH", "Sicily", "BYRADIUS", "1", "km", "WITHDIST"), p("geoSearch", "Sicily", "FROMLONLAT", "1", "2", "ASC"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "ANY"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "COUNT", "0"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "COUNT", "-1"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "COUNT", "x"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "COUNT"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "x", "km"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "-1", "km"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "yd"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYBOX", "x", "1", "km"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYBOX", "1", "y", "km"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYBOX", "1", "-1", "km"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYBOX", "1", "1", "yd"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "200", "2", "BYBOX", "1", "1", "km"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "x", "2", "BYBOX", "1", "1", "km"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "STORE", "x"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "STOREDIST"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "FOO"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1"),
	p("GEOSEARCH", "nokey", "FROMMEMBER", "a", "BYRADIUS", "1", "km"), p("GEOSEARCH", "nokey", "FROMMEMBER", "a"),
	p("GEOSEARCH", "nokey", "FROMLONLAT", "1", "2", "BYBOX", "1", "1", "km", "WITHDIST"),
	p("GEOSEARCH", "nokey", "FROMLONLAT", "1", "2", "BYBOX", "1", "1", "km", "ANY"),
	p("GEOSEARCH", "Sicily", "FROMLONLAT", "1", "2"),
	// GEOSEARCHSTORE
	p("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"),
	p("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
	p("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "STOREDIST", "COUNT", "2"),
	p("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
	p("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST", "DESC", "COUNT", "1"),
	p("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
	p("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"), p("EXISTS", "dst"),
	p("SET", "str", "v"), p("GEOSEARCHSTORE", "str", "nokey", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"), p("EXISTS", "str"),
	p("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST"),
	p("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHCOORD", "STOREDIST"),
	p("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STORE", "x"),
	p("GEOSEARCHSTORE", "dst", "nokey", "FROMMEMBER", "a", "BYRADIUS", "200", "km"),
	p("SET", "plain", "v"), p("EXPIRE", "plain", "100"),
	p("GEOSEARCHSTORE", "plain", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"), p("TYPE", "plain"), p("TTL", "plain"),
	p("GEOSEARCHSTORE", "Sicily2", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "9000", "km"),
	p("GEOSEARCHSTORE", "Sicily2", "Sicily2", "FROMMEMBER", "Palermo", "BYRADIUS", "10", "km"), p("ZRANGE", "Sicily2", "0", "-1"),
	// GEORADIUS family
	p("GEORADIUS", "Sicily", "15", "37", "200", "km"), p("GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "DESC"),
	p("GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "WITHHASH"),
	p("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "rdst"), p("ZRANGE", "rdst", "0", "-1", "WITHSCORES"),
	p("GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "rdst"), p("ZRANGE", "rdst", "0", "-1", "WITHSCORES"),
	p("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "rdst", "WITHDIST"),
	p("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE"), p("GEORADIUS", "Sicily", "15", "37", "1", "m", "STORE", "rdst"),
	p("EXISTS", "rdst"), p("GEORADIUS", "nokey", "15", "37", "200", "km", "STORE", "Sicily2"), p("EXISTS", "Sicily2"),
	p("GEORADIUS", "Sicily", "15", "37", "200", "km", "FROMLONLAT", "1", "2"),
	p("GEORADIUS", "Sicily", "15", "37", "200", "yd"), p("GEORADIUS", "Sicily", "15", "37", "x", "km"),
	p("GEORADIUS", "Sicily", "15", "97", "200", "km"), p("GEORADIUS", "Sicily", "15", "37", "-2", "km"),
	p("GEORADIUS", "nokey", "15", "37", "200", "km"), p("GEORADIUS", "nokey", "15", "37", "200", "yd"),
	p("GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST", "ASC"),
	p("GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "x"),
	p("GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST", "ASC"),
	p("GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "COUNT", "1", "ANY"),
	p("GEORADIUSBYMEMBER", "Sicily", "nope", "200", "km"), p("GEORADIUSBYMEMBER", "Sicily", "nope", "x", "yd"),
	p("GEORADIUSBYMEMBER", "Sicily", "Palermo", "x", "km"), p("GEORADIUSBYMEMBER", "nokey", "a", "x", "yd"),
	p("GEORADIUSBYMEMBER", "nokey", "a", "x", "yd", "STORE", "out"),
	p("GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "STOREDIST", "out"), p("ZRANGE", "out", "0", "-1", "WITHSCORES"),
	p("GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "200", "km", "WITHCOORD"),
	p("GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "200", "km", "STOREDIST", "out"),
	// wrong types and arity
	p("GEOADD", "str", "1", "2", "a"), p("GEOADD", "str", "1", "200", "a"), p("GEOPOS", "str", "a"), p("GEOHASH", "str", "a"),
	p("GEODIST", "str", "a", "b"), p("GEODIST", "str", "a", "b", "yd"), p("GEOSEARCH", "str", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"),
	p("GEOSEARCH", "str", "FOO", "1", "2", "BYRADIUS", "1", "km"), p("GEORADIUS", "str", "1", "2", "3", "yd"),
	p("GEORADIUSBYMEMBER", "str", "a", "1", "km"), p("GEOSEARCHSTORE", "d", "str", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"),
	p("GEOADD", "k", "1", "2"), p("GEODIST", "k", "a"), p("GEOHASH"), p("GEOPOS"), p("GEORADIUS", "k", "1", "2", "3"),
	p("GEORADIUSBYMEMBER", "k", "a", "1"), p("GEOSEARCH", "k", "FROMLONLAT", "1", "2", "BYRADIUS"),
	p("GEOSEARCHSTORE", "d", "k", "FROMLONLAT", "1", "2", "BYRADIUS"),
	// near the poles, the antimeridian and the equator
	p("GEOADD", "world", "179.99", "0", "e", "-179.99", "0", "w", "0", "85", "np", "90", "84.9", "np2", "0", "-85", "sp",
		"0.001", "-0.001", "c", "-0.001", "0.001", "c2", "45", "45", "mid", "-120", "-60", "s"),
	p("GEOSEARCH", "world", "FROMLONLAT", "180", "0", "BYRADIUS", "5", "km", "ASC", "WITHDIST", "WITHCOORD"),
	p("GEOSEARCH", "world", "FROMLONLAT", "-180", "0", "BYBOX", "10", "10", "km", "ASC", "WITHDIST"),
	p("GEOSEARCH", "world", "FROMLONLAT", "45", "85", "BYRADIUS", "2500", "km", "ASC", "WITHDIST"),
	p("GEOSEARCH", "world", "FROMLONLAT", "0", "0", "BYBOX", "1", "1", "km", "ASC", "WITHDIST", "WITHHASH"),
	p("GEOSEARCH", "world", "FROMLONLAT", "0", "0", "BYRADIUS", "40000", "km", "ASC", "WITHDIST"),
	p("GEOSEARCH", "world", "FROMLONLAT", "0", "0", "BYRADIUS", "40000", "km"),
	p("GEOSEARCH", "world", "FROMLONLAT", "0", "0", "BYBOX", "40000", "40000", "km", "DESC"),
	p("GEOSEARCH", "world", "FROMMEMBER", "sp", "BYRADIUS", "6000", "mi", "WITHDIST"),
	p("GEODIST", "world", "e", "w", "km"), p("GEODIST", "world", "np", "sp", "mi"), p("GEODIST", "world", "c", "c2", "ft"),
	// ties: one position under several names
	p("GEOADD", "tie", "10", "10", "b", "10", "10", "a", "10", "10", "c", "10.001", "10", "d"),
	p("GEOSEARCH", "tie", "FROMLONLAT", "10", "10", "BYRADIUS", "1", "km", "ASC"),
	p("GEOSEARCH", "tie", "FROMLONLAT", "10", "10", "BYRADIUS", "1", "km", "DESC", "WITHDIST"),
	p("GEOSEARCH", "tie", "FROMLONLAT", "10.0005", "10", "BYRADIUS", "1", "km", "COUNT", "2"),
	// COMMAND INFO
	loose(cmdInfo, "COMMAND", "INFO", "geoadd", "geodist", "geohash", "geopos", "georadius", "georadius_ro",
		"georadiusbymember", "georadiusbymember_ro", "geosearch", "geosearchstore"),
}

func init() { addFidelity("geo", geoProbes...) }

// TestGeoDifferential adds seeded random points (clustered, spread, near
// the poles and the antimeridian) to ringkv and redis-server and compares
// random searches reply for reply: which points a search finds, in which
// order, with which distances, scores and coordinates.
func TestGeoDifferential(t *testing.T) {
	t.Parallel()
	ref := StartRedisServer(t)
	n := StartNode(t, NodeOptions{})
	rng := rand.New(rand.NewPCG(8, 13))
	probes := []probe{p("FLUSHALL")}
	centers := [][2]float64{{13.4, 38.1}, {-0.1, 51.5}, {179.9, -17}, {-179.9, 65}, {0, 0}, {100, 84}, {-70, -84}}
	coord := func() (float64, float64) {
		switch rng.IntN(3) {
		case 0:
			return rng.Float64()*360 - 180, rng.Float64()*170.1 - 85.05
		default:
			c := centers[rng.IntN(len(centers))]
			lon := c[0] + rng.NormFloat64()*[]float64{0.01, 0.5, 5}[rng.IntN(3)]
			lat := c[1] + rng.NormFloat64()*[]float64{0.01, 0.5, 5}[rng.IntN(3)]
			return max(-180, min(180, lon)), max(-85.05, min(85.05, lat))
		}
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for i := 0; i < 600; i += 20 {
		args := []string{"GEOADD", "pts"}
		for j := range 20 {
			lon, lat := coord()
			args = append(args, f(lon), f(lat), fmt.Sprintf("m%d", i+j))
		}
		probes = append(probes, p(args...))
	}
	units := []string{"m", "km", "mi", "ft"}
	for range 600 {
		lon, lat := coord()
		from := []string{"FROMLONLAT", f(lon), f(lat)}
		if rng.IntN(4) == 0 {
			from = []string{"FROMMEMBER", fmt.Sprintf("m%d", rng.IntN(600))}
		}
		size := func() string { return f(float64(rng.IntN(5000000)) / float64([]int{1, 10, 100, 1000}[rng.IntN(4)])) }
		by := []string{"BYRADIUS", size(), units[rng.IntN(4)]}
		if rng.IntN(2) == 0 {
			by = []string{"BYBOX", size(), size(), units[rng.IntN(4)]}
		}
		args := append(append([]string{"GEOSEARCH", "pts"}, from...), by...)
		switch rng.IntN(4) {
		case 1:
			args = append(args, "ASC")
		case 2:
			args = append(args, "DESC")
		}
		if rng.IntN(3) == 0 {
			args = append(args, "COUNT", strconv.Itoa(1+rng.IntN(10)))
			if rng.IntN(2) == 0 {
				args = append(args, "ANY")
			}
		}
		if rng.IntN(4) == 0 {
			// STOREDIST keeps all 17 digits of each distance: about one
			// in 2000 differs from Redis's in the last digits, where
			// glibc's sin/cos/asin are not correctly rounded and ours are.
			store := append([]string{"GEOSEARCHSTORE", "d", "pts"}, args[2:]...)
			probes = append(probes, p(append(store, "STOREDIST")...),
				knownDiff("glibc libm last-bit rounding", "ZRANGE", "d", "0", "-1", "WITHSCORES"))
		}
		args = append(args, "WITHDIST", "WITHHASH", "WITHCOORD")
		probes = append(probes, p(args...))
		if rng.IntN(5) == 0 {
			probes = append(probes, p("GEODIST", "pts", fmt.Sprintf("m%d", rng.IntN(600)), fmt.Sprintf("m%d", rng.IntN(600)), units[rng.IntN(4)]))
		}
	}
	for i := 0; i < 600; i += 50 {
		args := []string{"GEOPOS", "pts"}
		args2 := []string{"GEOHASH", "pts"}
		for j := range 50 {
			args = append(args, fmt.Sprintf("m%d", i+j))
			args2 = append(args2, fmt.Sprintf("m%d", i+j))
		}
		probes = append(probes, p(args...), p(args2...))
	}
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			session := probes
			if proto == 3 {
				session = append([]probe{loose(sameKeys, "HELLO", "3")}, probes...)
			}
			compareSessions(t, proto, n.Addr(), ref, session)
		})
	}
}
