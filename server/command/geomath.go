package command

import "math"

// Correctly rounded sin, cos and asin for the geo distance. Redis calls
// glibc's, whose results are (almost always) the correctly rounded ones;
// Go's math.Sin/Cos/Asin differ from them in the last bit for some 5-30%
// of arguments, which shows in a STOREDIST score (%.17g) and can move a
// point across a search radius. So these evaluate in double-double
// arithmetic (~106 bits: Taylor series, Newton for asin) and round once.
// The arguments the geo math passes are within [-pi, pi] (sin, cos) and
// [0, 1] (asin), where the plain series converge well.

// dd is an unevaluated sum hi + lo with |lo| <= ulp(hi)/2.
type dd struct{ hi, lo float64 }

func ddFast(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func ddAdd(x, y dd) dd {
	s := x.hi + y.hi
	bb := s - x.hi
	e := (x.hi - (s - bb)) + (y.hi - bb)
	return ddFast(s, e+x.lo+y.lo)
}

func ddMul(x, y dd) dd {
	p := x.hi * y.hi
	e := math.FMA(x.hi, y.hi, -p)
	return ddFast(p, e+(x.hi*y.lo+x.lo*y.hi))
}

// ddDiv divides by a double.
func ddDiv(x dd, d float64) dd {
	q1 := x.hi / d
	p := q1 * d
	pe := math.FMA(q1, d, -p)
	r := ((x.hi - p) - pe) + x.lo
	return ddFast(q1, r/d)
}

func ddNeg(x dd) dd { return dd{-x.hi, -x.lo} }

// ddSinCos evaluates sin and cos of x (|x| <= ~3.5) by their series.
func ddSinCos(x dd) (sin, cos dd) {
	x2 := ddMul(x, x)
	sin, term := x, x
	for k := 1.0; k < 60; k++ {
		term = ddNeg(ddDiv(ddMul(term, x2), (2*k)*(2*k+1)))
		sin = ddAdd(sin, term)
		if math.Abs(term.hi) < 1e-40*math.Abs(sin.hi) || term.hi == 0 {
			break
		}
	}
	cos, term = dd{1, 0}, dd{1, 0}
	for k := 1.0; k < 60; k++ {
		term = ddNeg(ddDiv(ddMul(term, x2), (2*k-1)*(2*k)))
		cos = ddAdd(cos, term)
		if math.Abs(term.hi) < 1e-40*math.Abs(cos.hi) || term.hi == 0 {
			break
		}
	}
	return sin, cos
}

// geoSin is sin(x) correctly rounded (outside [-4, 4], math.Sin).
func geoSin(x float64) float64 {
	if x == 0 || math.Abs(x) > 4 || x != x {
		return math.Sin(x)
	}
	s, _ := ddSinCos(dd{x, 0})
	return s.hi + s.lo
}

// geoCos is cos(x) correctly rounded (outside [-4, 4], math.Cos).
func geoCos(x float64) float64 {
	if math.Abs(x) > 4 || x != x {
		return math.Cos(x)
	}
	_, c := ddSinCos(dd{x, 0})
	return c.hi + c.lo
}

// geoAsin is asin(x) correctly rounded: Newton's method on sin(y) = x
// from math.Asin, in double-double.
func geoAsin(x float64) float64 {
	if x == 0 || !(math.Abs(x) < 1) {
		return math.Asin(x)
	}
	y := dd{math.Asin(x), 0}
	for range 3 {
		s, c := ddSinCos(y)
		diff := ddAdd(s, dd{-x, 0})
		if diff.hi == 0 {
			break
		}
		// y -= diff / c, the quotient to double precision is enough.
		q := diff.hi / (c.hi + c.lo)
		y = ddAdd(y, dd{-q, 0})
	}
	return y.hi + y.lo
}
