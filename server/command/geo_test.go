package command

import (
	"math"
	"testing"
)

// TestGeoScript replays a session recorded from redis-server 7.0.15.
func TestGeoScript(t *testing.T) {
	f := newFixture(t)
	f.script(`
> GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
(integer) 2
> ZSCORE Sicily Palermo
"3479099956230698"
> GEOADD Sicily CH 13.5 38.1 Palermo
(integer) 1
> GEOADD Sicily 13.361389 38.115556 Palermo
(integer) 0
> GEOADD Sicily NX XX 1 2 a
(error) ERR syntax error
> GEOADD Sicily 200 2 a
(error) ERR invalid longitude,latitude pair 200.000000,2.000000
> GEOPOS Sicily Palermo nope
1) 1) "13.36138933897018433"
   2) "38.11555639549629859"
2) (nil)
> GEOHASH Sicily Palermo Catania nope
1) "sqc8b49rny0"
2) "sqdtr74hyu0"
3) (nil)
> GEODIST Sicily Palermo Catania km
"166.2742"
> GEODIST Sicily Palermo Catania yd
(error) ERR unsupported unit provided. please use M, KM, FT, MI
> GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC
1) "Catania"
2) "Palermo"
> GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km DESC
1) "Catania"
2) "Palermo"
> GEOSEARCH Sicily FROMMEMBER nope BYRADIUS 1 km
(error) ERR could not decode requested zset member
> GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY
(error) ERR the ANY argument requires COUNT argument
> GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
(integer) 2
> ZRANGE dst 0 -1 WITHSCORES
1) "Catania"
2) "56.441257870158204"
3) "Palermo"
4) "190.44242984775784"
> GEORADIUS Sicily 15 37 200 km STORE dst WITHDIST
(error) ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options
> GEORADIUSBYMEMBER_RO Sicily Palermo 200 km
1) "Palermo"
2) "Catania"
`)
}

// TestGeoHashMath checks the ported geohash math on values Redis 7.0
// gives: GEOADD's score, the decoded position, GEOHASH, and a distance.
func TestGeoHashMath(t *testing.T) {
	score := geoEncodeScore(13.361389, 38.115556)
	if score != 3479099956230698 {
		t.Fatalf("score %d, Redis: 3479099956230698", score)
	}
	lon, lat, ok := geoDecodeScore(float64(score))
	if !ok || geoHumanFloat(lon) != "13.36138933897018433" || geoHumanFloat(lat) != "38.11555639549629859" {
		t.Fatalf("decoded %v %v %v", geoHumanFloat(lon), geoHumanFloat(lat), ok)
	}
	if h, _ := geoHashString(float64(score)); h != "sqc8b49rny0" {
		t.Fatalf("geohash %q", h)
	}
	lon2, lat2, _ := geoDecodeScore(float64(geoEncodeScore(15.087269, 37.502669)))
	if d := geoDistance(lon, lat, lon2, lat2); d != 166274.15156960033 {
		t.Fatalf("distance %.17g, Redis: 166274.15156960033", d)
	}
	// Scores that are no geohash decode as Redis's (uint64_t) cast does.
	for _, c := range []struct {
		f    float64
		bits uint64
	}{{-1, math.MaxUint64}, {0.5, 0}, {math.Inf(1), 0}, {math.Inf(-1), 1 << 63}, {1e300, 0}, {-1e300, 1 << 63}} {
		if got := geoScoreBits(c.f); got != c.bits {
			t.Errorf("geoScoreBits(%v) = %#x, want %#x", c.f, got, c.bits)
		}
	}
}

// TestGeoMathRounding checks the double-double sin, cos and asin against
// glibc's results (which Redis gets) for arguments where Go's math
// package rounds the other way.
func TestGeoMathRounding(t *testing.T) {
	for _, c := range []struct {
		name    string
		fn      func(float64) float64
		x, want float64
	}{
		{"cos", geoCos, -0x1.6dccfaafdbb4cp-02, 0x1.dfad6c859d815p-01},
		{"asin", geoAsin, 0x1.db0a01a12c84ap-01, 0x1.304196002e6b1p+00},
		{"sin", geoSin, -0x1.135a6f3f913a2p+00, -0x1.c27ef327ff7f3p-01},
	} {
		if got := c.fn(c.x); got != c.want {
			t.Errorf("%s(%x) = %x, want %x", c.name, c.x, got, c.want)
		}
	}
}
