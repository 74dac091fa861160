package command

import "testing"

func TestSortZSet(t *testing.T) {
	f := newFixture(t)
	f.script(`
> ZADD z 1 a 2.5 b -inf c 1 d
(integer) 4
> MSET w_a 3 w_b 1 w_c 2 w_d 0
OK
> SORT z
(error) ERR One or more scores can't be converted into double
> SORT z BY nosort
1) "c"
2) "a"
3) "d"
4) "b"
> SORT z BY nosort DESC LIMIT 1 2
1) "d"
2) "a"
> SORT z ALPHA
1) "a"
2) "b"
3) "c"
4) "d"
> SORT z BY w_*
1) "d"
2) "b"
3) "c"
4) "a"
> SORT z BY nosort LIMIT 1 10 STORE dz
(integer) 3
> LRANGE dz 0 -1
1) "a"
2) "d"
3) "b"
`)
}
