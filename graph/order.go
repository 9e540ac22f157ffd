package graph

// Order returns a static priority for each task (index into g.Tasks; lower
// runs first), in the spirit of dask.order: a depth-first walk from the
// sinks in key order that finishes one subtree before it starts the next,
// visiting each task's inputs smallest-subtree first, so that partial
// results are consumed soon after they are made and few chunks are held
// at once. Equal graphs give equal orders.
func (g *Graph) Order() []int32 {
	n := len(g.Tasks)
	idx := g.Index()
	// dependencies in CSR form
	dstart := make([]int32, n+1)
	nusers := make([]int32, n)
	flat := make([]int32, 0, n)
	for i := range g.Tasks {
		for _, in := range g.Tasks[i].Inputs {
			if j, ok := idx.Get(in); ok {
				flat = append(flat, int32(j))
				nusers[j]++
			}
		}
		dstart[i+1] = int32(len(flat))
	}
	depsOf := func(i int32) []int32 { return flat[dstart[i]:dstart[i+1]] }
	// users in CSR form too
	ustart := make([]int32, n+1)
	for i := 0; i < n; i++ {
		ustart[i+1] = ustart[i] + nusers[i]
	}
	uflat := make([]int32, len(flat))
	ufill := append([]int32(nil), ustart[:n]...)
	for i := 0; i < n; i++ {
		for _, d := range depsOf(int32(i)) {
			uflat[ufill[d]] = int32(i)
			ufill[d]++
		}
	}
	usersOf := func(i int32) []int32 { return uflat[ustart[i]:ustart[i+1]] }
	// size of each task's subtree (tasks counted with multiplicity, capped)
	topo, err := g.Toposort()
	if err != nil {
		// a cyclic graph fails Validate; give a stable order anyway
		topo = make([]int, n)
		for i := range topo {
			topo[i] = i
		}
	}
	weight := make([]int64, n)
	for _, i := range topo {
		w := int64(1)
		for _, d := range depsOf(int32(i)) {
			w += weight[d]
		}
		if w > 1<<40 {
			w = 1 << 40
		}
		weight[i] = w
	}
	prio := make([]int32, n)
	for i := range prio {
		prio[i] = -1
	}
	var next int32
	type frame struct {
		t    int32
		kids []int32
		k    int
	}
	var kidBuf []int32
	sortKids := func(t int32) []int32 {
		d := depsOf(t)
		if cap(kidBuf)-len(kidBuf) < len(d) {
			kidBuf = make([]int32, 0, max(4096, len(d)))
		}
		kids := append(kidBuf[len(kidBuf):], d...)
		kidBuf = kidBuf[:len(kidBuf)+len(d)]
		// insertion sort by (weight, index): inputs are few
		for a := 1; a < len(kids); a++ {
			for b := a; b > 0; b-- {
				x, y := kids[b-1], kids[b]
				if weight[x] > weight[y] || (weight[x] == weight[y] && x > y) {
					kids[b-1], kids[b] = y, x
				} else {
					break
				}
			}
		}
		return kids
	}
	// placeReadyUsers gives the users of a chunk read several times that
	// can run now (every input placed) and make less than they read
	// (reduction partials) the next priorities, so the chunk is consumed
	// by all its readers soon after it is made: a shared input, such as a
	// materialised random array read by six reductions, would otherwise
	// stay resident until the walk reached each reader from its own sink.
	// Users as large as the chunk (a gemm, an elementwise step) keep the
	// depth-first order, which bounds the intermediates they make.
	// unplaced[u] counts u's inputs without a priority yet (edges, so an
	// input read twice counts twice); place gives t the next priority and
	// updates its users' counts, so readiness is O(1) and the walk stays
	// linear in the edges.
	unplaced := make([]int32, n)
	for i := 0; i < n; i++ {
		unplaced[i] = dstart[i+1] - dstart[i]
	}
	place := func(t int32) {
		prio[t] = next
		next++
		for _, u := range usersOf(t) {
			unplaced[u]--
		}
	}
	var ready []int32
	placeReadyUsers := func(t int32) {
		ready = append(ready[:0], t)
		for len(ready) > 0 {
			p := ready[len(ready)-1]
			ready = ready[:len(ready)-1]
			if nusers[p] < 2 {
				continue
			}
			for _, u := range usersOf(p) {
				if prio[u] != -1 || unplaced[u] != 0 || g.Tasks[u].OutBytes() >= g.Tasks[p].OutBytes() {
					continue // placed, waiting on an input, or not a reduction of the chunk
				}
				place(u)
				ready = append(ready, u)
			}
		}
	}
	visit := func(root int32) {
		if prio[root] >= 0 {
			return
		}
		stack := []frame{{t: root, kids: sortKids(root)}}
		prio[root] = -2 // on stack
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.k < len(f.kids) {
				c := f.kids[f.k]
				f.k++
				if prio[c] == -1 {
					prio[c] = -2
					stack = append(stack, frame{t: c, kids: sortKids(c)})
				}
				continue
			}
			t := f.t
			place(t)
			stack = stack[:len(stack)-1]
			if nusers[t] >= 2 {
				placeReadyUsers(t)
			}
		}
	}
	// sinks first, in task order (lowering emits layers in dependency order
	// and blocks in C order, so this is key order within a layer)
	for i := range g.Tasks {
		if nusers[i] == 0 {
			visit(int32(i))
		}
	}
	for i := range g.Tasks {
		visit(int32(i))
	}
	return prio
}
