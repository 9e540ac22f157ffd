package cpu

//go:noescape
func sum16AVX2(x *float64, nblk int, out *[16]float64)

//go:noescape
func sumSqDev16AVX2(x *float64, nblk int, m float64, out *[16]float64)

// sum16Vec sets s to the sixteen lane sums of the first nblk blocks of 16
// of x (AVX2) and reports whether it did.
func sum16Vec(x []float64, nblk int, s *[16]float64) bool {
	if !binaryVecOn || nblk == 0 {
		return false
	}
	sum16AVX2(&x[0], nblk, s)
	return true
}

// sumSqDev16Vec is sum16Vec of (v - m)^2.
func sumSqDev16Vec(x []float64, nblk int, m float64, s *[16]float64) bool {
	if !binaryVecOn || nblk == 0 {
		return false
	}
	sumSqDev16AVX2(&x[0], nblk, m, s)
	return true
}
