package command

import (
	"math"
	"strconv"
	"strings"
)

// The geohash math of Redis 7.0 (geohash.c, geohash_helper.c), ported
// operation for operation so that scores, decoded coordinates, distances
// and the cells a search visits are Redis's to the last bit. A position
// is a 52-bit geohash: 26 bits of latitude and 26 of longitude,
// interleaved (latitude in the even bits), over the Web-Mercator ranges
// [-180, 180] x [-85.05112878, 85.05112878]. Products are wrapped in
// float64() where C rounds them, so that no fused multiply-add changes a
// result.

const (
	geoLongMin = -180.0
	geoLongMax = 180.0
	geoLatMin  = -85.05112878
	geoLatMax  = 85.05112878
	geoStepMax = 26 // 52 bits

	// geoEarthRadius is Redis's EARTH_RADIUS_IN_METERS.
	geoEarthRadius = 6372797.560856
	geoMercatorMax = 20037726.37
)

// geoPi is a variable so that geoDR is computed as C computes D_R
// (M_PI / 180.0, one rounded division), not as an exact constant.
var (
	geoPi = math.Pi
	geoDR = geoPi / 180.0
)

func geoDegRad(a float64) float64 { return float64(a * geoDR) }
func geoRadDeg(a float64) float64 { return a / geoDR }

// ghBits is a geohash of step*2 bits.
type ghBits struct {
	bits uint64
	step uint8
}

func (h ghBits) zero() bool { return h.bits == 0 && h.step == 0 }

type ghRange struct{ min, max float64 }

type ghArea struct{ lon, lat ghRange }

type ghNeighbors struct {
	north, east, west, south, northEast, southEast, northWest, southWest ghBits
}

var (
	geoLongRange = ghRange{geoLongMin, geoLongMax}
	geoLatRange  = ghRange{geoLatMin, geoLatMax}
)

// interleave64 puts x's low 32 bits in the even positions, y's in the odd.
func interleave64(xlo, ylo uint32) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F,
		0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF}
	s := [...]uint{1, 2, 4, 8, 16}
	x, y := uint64(xlo), uint64(ylo)
	for i := 4; i >= 0; i-- {
		x = (x | (x << s[i])) & b[i]
		y = (y | (y << s[i])) & b[i]
	}
	return x | (y << 1)
}

// deinterleave64 undoes interleave64: even bits low, odd bits high.
func deinterleave64(v uint64) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F,
		0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF}
	s := [...]uint{0, 1, 2, 4, 8, 16}
	x, y := v, v>>1
	for i := range b {
		x = (x | (x >> s[i])) & b[i]
		y = (y | (y >> s[i])) & b[i]
	}
	return x | (y << 32)
}

// ghEncode is geohashEncode.
func ghEncode(lonR, latR ghRange, lon, lat float64, step uint8) (ghBits, bool) {
	if step > 32 || step == 0 || latR.min == 0 && latR.max == 0 || lonR.min == 0 && lonR.max == 0 {
		return ghBits{}, false
	}
	if lon > 180 || lon < -180 || lat > 85.05112878 || lat < -85.05112878 {
		return ghBits{}, false
	}
	if lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max {
		return ghBits{step: step}, false
	}
	latOff := (lat - latR.min) / (latR.max - latR.min)
	lonOff := (lon - lonR.min) / (lonR.max - lonR.min)
	latOff = float64(latOff * float64(int(1)<<step))
	lonOff = float64(lonOff * float64(int(1)<<step))
	return ghBits{bits: interleave64(uint32(latOff), uint32(lonOff)), step: step}, true
}

// ghDecode is geohashDecode: the cell h covers.
func ghDecode(lonR, latR ghRange, h ghBits) (ghArea, bool) {
	if h.zero() || latR.min == 0 && latR.max == 0 || lonR.min == 0 && lonR.max == 0 {
		return ghArea{}, false
	}
	sep := deinterleave64(h.bits)
	latScale := latR.max - latR.min
	lonScale := lonR.max - lonR.min
	ilato, ilono := uint32(sep), uint32(sep>>32)
	div := float64(uint64(1) << h.step)
	var a ghArea
	a.lat.min = latR.min + float64(float64(ilato)*1.0/div*latScale)
	a.lat.max = latR.min + float64(float64(ilato+1)*1.0/div*latScale)
	a.lon.min = lonR.min + float64(float64(ilono)*1.0/div*lonScale)
	a.lon.max = lonR.min + float64(float64(ilono+1)*1.0/div*lonScale)
	return a, true
}

// ghCenter is geohashDecodeAreaToLongLat: the cell's center, clamped.
func ghCenter(a ghArea) (lon, lat float64) {
	lon = (a.lon.min + a.lon.max) / 2
	lon = min(max(lon, geoLongMin), geoLongMax)
	lat = (a.lat.min + a.lat.max) / 2
	lat = min(max(lat, geoLatMin), geoLatMax)
	return lon, lat
}

// geoScoreBits is C's (uint64_t) conversion of a score as x86-64 does it.
func geoScoreBits(f float64) uint64 {
	const two63 = 9223372036854775808.0
	switch {
	case f != f:
		return 1 << 63
	case f < two63:
		if f <= -two63-1 {
			return 1 << 63
		}
		return uint64(int64(f))
	default:
		g := f - two63
		if g >= two63 {
			return 0
		}
		return uint64(int64(g)) ^ (1 << 63)
	}
}

// geoDecodeScore is decodeGeohash: a member's score to its position.
func geoDecodeScore(score float64) (lon, lat float64, ok bool) {
	a, ok := ghDecode(geoLongRange, geoLatRange, ghBits{bits: geoScoreBits(score), step: geoStepMax})
	if !ok {
		return 0, 0, false
	}
	lon, lat = ghCenter(a)
	return lon, lat, true
}

// geoEncodeScore is GEOADD's score of a position (already range-checked).
func geoEncodeScore(lon, lat float64) uint64 {
	h, _ := ghEncode(geoLongRange, geoLatRange, lon, lat, geoStepMax)
	return ghAlign52(h)
}

// ghAlign52 is geohashAlign52Bits.
func ghAlign52(h ghBits) uint64 { return h.bits << (52 - uint(h.step)*2) }

func ghMoveX(h *ghBits, d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0x5555555555555555) >> (64 - uint(h.step)*2)
	if d > 0 {
		x = x + (zz + 1)
	} else {
		x = x | zz
		x = x - (zz + 1)
	}
	x &= uint64(0xaaaaaaaaaaaaaaaa) >> (64 - uint(h.step)*2)
	h.bits = x | y
}

func ghMoveY(h *ghBits, d int) {
	if d == 0 {
		return
	}
	x := h.bits & 0xaaaaaaaaaaaaaaaa
	y := h.bits & 0x5555555555555555
	zz := uint64(0xaaaaaaaaaaaaaaaa) >> (64 - uint(h.step)*2)
	if d > 0 {
		y = y + (zz + 1)
	} else {
		y = y | zz
		y = y - (zz + 1)
	}
	y &= uint64(0x5555555555555555) >> (64 - uint(h.step)*2)
	h.bits = x | y
}

// ghNeighborsOf is geohashNeighbors.
func ghNeighborsOf(h ghBits) ghNeighbors {
	mv := func(dx, dy int) ghBits {
		n := h
		ghMoveX(&n, dx)
		ghMoveY(&n, dy)
		return n
	}
	return ghNeighbors{
		east: mv(1, 0), west: mv(-1, 0), south: mv(0, -1), north: mv(0, 1),
		northWest: mv(-1, 1), northEast: mv(1, 1), southEast: mv(1, -1), southWest: mv(-1, -1),
	}
}

// geoLatDistance is geohashGetLatDistance.
func geoLatDistance(lat1d, lat2d float64) float64 {
	return float64(geoEarthRadius * math.Abs(geoDegRad(lat2d)-geoDegRad(lat1d)))
}

// geoDistance is geohashGetDistance: haversine on Redis's sphere.
func geoDistance(lon1d, lat1d, lon2d, lat2d float64) float64 {
	lon1r, lon2r := geoDegRad(lon1d), geoDegRad(lon2d)
	v := geoSin((lon2r - lon1r) / 2)
	if v == 0 {
		return geoLatDistance(lat1d, lat2d)
	}
	lat1r, lat2r := geoDegRad(lat1d), geoDegRad(lat2d)
	u := geoSin((lat2r - lat1r) / 2)
	a := float64(u*u) + float64(float64(float64(geoCos(lat1r)*geoCos(lat2r))*v)*v)
	return float64(2.0*geoEarthRadius) * geoAsin(math.Sqrt(a))
}

// geoShape is a search area: a circle (radius) or a box (width, height),
// in the unit whose size in meters is conv, around (lon, lat).
type geoShape struct {
	box                   bool
	lon, lat              float64
	radius, width, height float64
	conv                  float64
}

// within is geoWithinShape after decoding: whether the point is inside,
// and its distance in meters from the center.
func (sh *geoShape) within(lon, lat float64) (float64, bool) {
	if !sh.box {
		d := geoDistance(sh.lon, sh.lat, lon, lat)
		return d, d <= float64(sh.radius*sh.conv)
	}
	w, h := float64(sh.width*sh.conv), float64(sh.height*sh.conv)
	if geoLatDistance(lat, sh.lat) > h/2 {
		return 0, false
	}
	if geoDistance(lon, lat, sh.lon, lat) > w/2 {
		return 0, false
	}
	return geoDistance(sh.lon, sh.lat, lon, lat), true
}

// geoEstimateSteps is geohashEstimateStepsByRadius.
func geoEstimateSteps(rangeMeters, lat float64) uint8 {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	for rangeMeters < geoMercatorMax {
		rangeMeters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint8(min(max(step, 1), 26))
}

// bounds is geohashBoundingBox: min lon, min lat, max lon, max lat.
func (sh *geoShape) bounds() [4]float64 {
	height, width := float64(sh.conv*sh.radius), float64(sh.conv*sh.radius)
	if sh.box {
		height, width = float64(sh.conv*(sh.height/2)), float64(sh.conv*(sh.width/2))
	}
	latDelta := geoRadDeg(height / geoEarthRadius)
	top := geoRadDeg(width / geoEarthRadius / geoCos(geoDegRad(sh.lat+latDelta)))
	bottom := geoRadDeg(width / geoEarthRadius / geoCos(geoDegRad(sh.lat-latDelta)))
	var b [4]float64
	if sh.lat < 0 {
		b[0], b[2] = sh.lon-bottom, sh.lon+bottom
	} else {
		b[0], b[2] = sh.lon-top, sh.lon+top
	}
	b[1], b[3] = sh.lat-latDelta, sh.lat+latDelta
	return b
}

// cells is geohashCalculateAreasByShapeWGS84 flattened as Redis's
// membersOfAllNeighbors visits it: center, N, S, E, W, NE, NW, SE, SW
// (a zeroed neighbor is skipped by the caller).
func (sh *geoShape) cells() [9]ghBits {
	b := sh.bounds()
	minLon, minLat, maxLon, maxLat := b[0], b[1], b[2], b[3]
	var radiusMeters float64
	if sh.box {
		radiusMeters = math.Sqrt(float64((sh.width/2)*(sh.width/2)) + float64((sh.height/2)*(sh.height/2)))
	} else {
		radiusMeters = sh.radius
	}
	radiusMeters = float64(radiusMeters * sh.conv)
	steps := geoEstimateSteps(radiusMeters, sh.lat)
	hash, _ := ghEncode(geoLongRange, geoLatRange, sh.lon, sh.lat, steps)
	nb := ghNeighborsOf(hash)
	area, _ := ghDecode(geoLongRange, geoLatRange, hash)

	north, _ := ghDecode(geoLongRange, geoLatRange, nb.north)
	south, _ := ghDecode(geoLongRange, geoLatRange, nb.south)
	east, _ := ghDecode(geoLongRange, geoLatRange, nb.east)
	west, _ := ghDecode(geoLongRange, geoLatRange, nb.west)
	decrease := north.lat.max < maxLat || south.lat.min > minLat ||
		east.lon.max < maxLon || west.lon.min > minLon
	if steps > 1 && decrease {
		steps--
		hash, _ = ghEncode(geoLongRange, geoLatRange, sh.lon, sh.lat, steps)
		nb = ghNeighborsOf(hash)
		area, _ = ghDecode(geoLongRange, geoLatRange, hash)
	}
	if steps >= 2 {
		if area.lat.min < minLat {
			nb.south, nb.southWest, nb.southEast = ghBits{}, ghBits{}, ghBits{}
		}
		if area.lat.max > maxLat {
			nb.north, nb.northEast, nb.northWest = ghBits{}, ghBits{}, ghBits{}
		}
		if area.lon.min < minLon {
			nb.west, nb.southWest, nb.northWest = ghBits{}, ghBits{}, ghBits{}
		}
		if area.lon.max > maxLon {
			nb.east, nb.southEast, nb.northEast = ghBits{}, ghBits{}, ghBits{}
		}
	}
	return [9]ghBits{hash, nb.north, nb.south, nb.east, nb.west, nb.northEast, nb.northWest, nb.southEast, nb.southWest}
}

// geoHashString is GEOHASH's 11-character standard geohash of a score.
func geoHashString(score float64) (string, bool) {
	lon, lat, ok := geoDecodeScore(score)
	if !ok {
		return "", false
	}
	h, _ := ghEncode(ghRange{-180, 180}, ghRange{-90, 90}, lon, lat, 26)
	const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
	var buf [11]byte
	for i := range buf {
		idx := 0
		if i < 10 {
			idx = int((h.bits >> (52 - uint(i+1)*5)) & 0x1f)
		}
		buf[i] = alphabet[idx]
	}
	return string(buf[:]), true
}

// geoHumanFloat is Redis's ld2string(LD_STR_HUMAN) of a double: %.17Lf
// without trailing zeros (the value is exact in a long double, so this
// is the double's exact decimal expansion rounded to 17 places).
func geoHumanFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	s := strconv.FormatFloat(f, 'f', 17, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// geoCFloat is C's printf("%f").
func geoCFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}
