package local

import "github.com/blockwork-dev/blockwork/graph"

// ref names the producer of an input: a task (>= 0, its index in
// graph.Graph.Tasks) or a leaf (-1-i for graph.Graph.Leaves[i]).
type ref int32

// noRef marks a block a layer table does not hold.
const noRef ref = -1 << 31

// keyIndex finds the producer of a key. Keys of one layer share their
// layer string, so it keeps per layer a dense table over block numbers
// (or, for a layer whose blocks are few and far apart, a small map): a
// lookup is one probe of a map of layers, usually skipped by a cache of
// the last layer, and a slice index. It is private to one run, so the
// cache needs no lock.
type keyIndex struct {
	layers map[string]*layerIndex
	last   string
	lastL  *layerIndex
}

type layerIndex struct {
	lo, hi int64 // block range [lo, hi]
	n      int   // keys in the layer
	dense  []ref // block lo+i at dense[i]; nil when sparse
	sparse map[int64]ref
}

// newKeyIndex indexes the leaves and tasks of g; a key given twice keeps
// its last producer (tasks after leaves).
func newKeyIndex(g *graph.Graph) *keyIndex {
	ix := &keyIndex{layers: map[string]*layerIndex{}}
	// first pass: the extent of each layer
	each := func(f func(k graph.Key, r ref)) {
		for i := range g.Leaves {
			f(g.Leaves[i].Key, ref(-1-i))
		}
		for i := range g.Tasks {
			f(g.Tasks[i].Key, ref(i))
		}
	}
	each(func(k graph.Key, _ ref) {
		l := ix.layer(k.Layer)
		if l == nil {
			l = &layerIndex{lo: k.Block, hi: k.Block}
			ix.layers[k.Layer] = l
			ix.last, ix.lastL = k.Layer, l
		}
		l.lo, l.hi = min(l.lo, k.Block), max(l.hi, k.Block)
		l.n++
	})
	for _, l := range ix.layers {
		if span := l.hi - l.lo + 1; span > 0 && span <= 2*int64(l.n)+64 {
			l.dense = make([]ref, span)
			for i := range l.dense {
				l.dense[i] = noRef
			}
		} else {
			l.sparse = make(map[int64]ref, l.n)
		}
	}
	each(func(k graph.Key, r ref) {
		l := ix.layer(k.Layer)
		if l.dense != nil {
			l.dense[k.Block-l.lo] = r
		} else {
			l.sparse[k.Block] = r
		}
	})
	return ix
}

// layer returns the table of a layer, or nil.
func (ix *keyIndex) layer(name string) *layerIndex {
	if ix.lastL != nil && name == ix.last {
		return ix.lastL
	}
	l := ix.layers[name]
	if l != nil {
		ix.last, ix.lastL = name, l
	}
	return l
}

// get returns the producer of k.
func (ix *keyIndex) get(k graph.Key) (ref, bool) {
	l := ix.layer(k.Layer)
	if l == nil {
		return 0, false
	}
	if l.dense == nil {
		r, ok := l.sparse[k.Block]
		return r, ok
	}
	if k.Block < l.lo || k.Block > l.hi {
		return 0, false
	}
	r := l.dense[k.Block-l.lo]
	return r, r != noRef
}
