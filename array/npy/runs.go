package npy

// runPlan enumerates the runs of contiguous elements that make up one
// block of a C-order array: the block's trailing axes that span the whole
// array axis merge with the first one that does not, and every
// combination of the axes before it starts one run. Runs come in
// increasing file order and fill the block's C-order buffer one after
// another.
type runPlan struct {
	shape, start, bshape []int
	j                    int     // runs cover axes j.. (the axes before j are iterated)
	runElems             int64   // elements per run
	nRuns                int64   // number of runs (0 for an empty block)
	strides              []int64 // element strides of the whole array
}

func newRunPlan(shape, start, bshape []int) runPlan {
	n := len(shape)
	p := runPlan{shape: shape, start: start, bshape: bshape, strides: make([]int64, n)}
	st := int64(1)
	for a := n - 1; a >= 0; a-- {
		p.strides[a] = st
		st *= int64(shape[a])
	}
	elems := int64(1)
	for _, s := range bshape {
		elems *= int64(s)
	}
	if elems == 0 {
		return p
	}
	if n == 0 {
		p.runElems, p.nRuns = 1, 1
		return p
	}
	j := n - 1
	for j > 0 && bshape[j] == shape[j] {
		j--
	}
	p.j = j
	p.runElems = int64(bshape[j]) * p.strides[j]
	p.nRuns = elems / p.runElems
	return p
}

// offset is the element offset in the whole array of run r's first
// element.
func (p *runPlan) offset(r int64) int64 {
	if len(p.shape) == 0 {
		return 0
	}
	off := int64(p.start[p.j]) * p.strides[p.j]
	for a := p.j - 1; a >= 0; a-- {
		n := int64(p.bshape[a])
		off += (int64(p.start[a]) + r%n) * p.strides[a]
		r /= n
	}
	return off
}

// reverse returns s in reverse order (a Fortran-order array read as the
// C-order array of its transpose).
func reverse(s []int) []int {
	out := make([]int, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// transposeReversed writes into dst (C order, shape bs) the block held
// in src in C order of the reversed shape (so src is dst's Fortran
// order), es bytes per element.
func transposeReversed(dst, src []byte, bs []int, es int) {
	n := len(bs)
	elems := 1
	for _, s := range bs {
		elems *= s
	}
	if elems == 0 {
		return
	}
	if n <= 1 {
		copy(dst, src)
		return
	}
	fs := make([]int, n) // Fortran strides of bs, in elements
	st := 1
	for a := 0; a < n; a++ {
		fs[a] = st
		st *= bs[a]
	}
	idx := make([]int, n)
	last := n - 1
	inner := bs[last]
	fsl := fs[last]
	off := 0 // Fortran offset of idx
	d := 0
	for d < elems {
		// innermost axis: contiguous in dst, stride fsl in src
		switch es {
		case 1:
			for i := 0; i < inner; i++ {
				dst[d+i] = src[off+i*fsl]
			}
		case 4:
			for i := 0; i < inner; i++ {
				copy(dst[(d+i)*4:(d+i)*4+4], src[(off+i*fsl)*4:])
			}
		default:
			for i := 0; i < inner; i++ {
				copy(dst[(d+i)*es:(d+i)*es+es], src[(off+i*fsl)*es:])
			}
		}
		d += inner
		for a := last - 1; a >= 0; a-- {
			idx[a]++
			off += fs[a]
			if idx[a] < bs[a] {
				break
			}
			off -= fs[a] * bs[a]
			idx[a] = 0
		}
	}
}
