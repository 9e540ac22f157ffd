package array

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/blockwork-dev/blockwork/graph"
)

// Einsum evaluates the Einstein summation convention on the operands, as
// np.einsum and da.einsum: "ij,jk->ik" is a matrix product, "ii->i" a
// diagonal, "ii" a trace, "ij->ji" a transpose, "i,i" a dot product,
// "bij,bjk->bik" a batched product, "...ij,...jk" one over broadcast
// leading axes. Without "->" the output is the labels that appear once,
// in alphabetical order (after the broadcast axes of "..."). Labels are
// letters; a label's axes must have one length, or length 1
// (broadcast). The result's dtype is the operands' result type.
//
// It lowers to the package's own operations: a label repeated within an
// operand is its diagonal (the operand times the identity, summed), a
// label in one operand only and not in the output is summed at once, and
// the operands are contracted left to right: by Tensordot (one blocked
// matmul) when no label is shared but kept, otherwise by a broadcast
// product summed over the contracted labels, which fuses into one pass
// per block. The output's labels are then put in order.
func Einsum(subscripts string, operands ...*Array) *Array {
	if err := firstErr(operands...); err != nil {
		return errArray(err)
	}
	ins, out, err := parseEinsum(subscripts, operands)
	if err != nil {
		return errArray(err)
	}
	// the length of each label: one length, or 1 broadcast (against any
	// other, 0 included)
	size := map[rune]int{}
	for k, x := range operands {
		for a, l := range ins[k] {
			n := x.nd.shape[a]
			if b := slices.Index(ins[k], l); b < a && x.nd.shape[b] != n {
				return errorf("einsum", "label %q repeated in operand %d over axes of lengths %d and %d", l, k, x.nd.shape[b], n)
			}
			s, ok := size[l]
			if ok && s != n && s != 1 && n != 1 {
				return errorf("einsum", "label %q has length %d in operand %d, but %d before", l, n, k, s)
			}
			if !ok || s == 1 {
				size[l] = n
			}
		}
	}
	// every operand in the result type first, as NumPy computes
	dt := resultType(operands...)
	terms := make([]einsumTerm, len(operands))
	for k, x := range operands {
		x = x.Astype(dt)
		t := einsumTerm{x: x, labels: slices.Clone(ins[k])}
		t = t.dropBroadcast(size)
		t = t.diagonals()
		terms[k] = t
	}
	// a label still needed: by the output or by an operand after k
	needed := func(k int, l rune) bool {
		if slices.Contains(out, l) {
			return true
		}
		for _, t := range terms[k+1:] {
			if slices.Contains(t.labels, l) {
				return true
			}
		}
		return false
	}
	acc := terms[0].sumUnneeded(func(l rune) bool { return needed(0, l) })
	for k := 1; k < len(terms); k++ {
		next := terms[k].sumUnneeded(func(l rune) bool { return needed(k, l) || slices.Contains(acc.labels, l) })
		acc = acc.contract(next, func(l rune) bool { return needed(k, l) })
	}
	acc = acc.sumUnneeded(func(l rune) bool { return slices.Contains(out, l) })
	if acc.x.Err() != nil {
		return acc.x
	}
	// labels of the output no operand kept (all of length 1 there, or
	// dropped as broadcast): add them back as axes of their length
	res := acc.x
	labels := acc.labels
	for _, l := range out {
		if !slices.Contains(labels, l) {
			res = res.ExpandDims(len(labels))
			labels = append(labels, l)
		}
	}
	perm := make([]int, len(out))
	for i, l := range out {
		perm[i] = slices.Index(labels, l)
	}
	res = res.Transpose(perm...)
	shape := make([]int, len(out))
	for i, l := range out {
		shape[i] = size[l]
	}
	if !slices.Equal(res.nd.shape, shape) {
		res = res.BroadcastTo(shape...)
	}
	return res.Astype(dt)
}

// einsumTerm is an operand (or a partial product) and the label of each
// of its axes.
type einsumTerm struct {
	x      *Array
	labels []rune
}

// dropBroadcast removes the axes of length 1 whose label has another
// length elsewhere (all of a repeated label's, which are then all of
// length 1): the label then broadcasts.
func (t einsumTerm) dropBroadcast(size map[rune]int) einsumTerm {
	var drop []int
	var keep []rune
	for a, l := range t.labels {
		if t.x.nd.shape[a] == 1 && size[l] != 1 {
			drop = append(drop, a)
		} else {
			keep = append(keep, l)
		}
	}
	if len(drop) == 0 {
		return t
	}
	return einsumTerm{x: t.x.Squeeze(drop...), labels: keep}
}

// diagonals takes the diagonal of every label repeated in t: the second
// axis of the label is multiplied by the identity against the first and
// summed away.
func (t einsumTerm) diagonals() einsumTerm {
	for {
		first, second := -1, -1
		for a := 0; a < len(t.labels) && second < 0; a++ {
			for b := a + 1; b < len(t.labels); b++ {
				if t.labels[a] == t.labels[b] {
					first, second = a, b
					break
				}
			}
		}
		if second < 0 {
			return t
		}
		n := t.x.nd.shape[first]
		// eye on axes (first, second), length 1 elsewhere
		eye := Eye(n, n, 0, graph.Bool)
		var expand []int
		for a := range t.labels {
			if a != first && a != second {
				expand = append(expand, a)
			}
		}
		if len(expand) > 0 {
			eye = eye.ExpandDims(expand...)
		}
		x := Where(eye, t.x, Zeros(nil, t.x.nd.dtype)).Sum(second)
		if t.x.nd.dtype != x.nd.dtype && x.Err() == nil {
			x = x.Astype(t.x.nd.dtype) // Sum widens bool and int32
		}
		t = einsumTerm{x: x, labels: slices.Delete(slices.Clone(t.labels), second, second+1)}
	}
}

// sumUnneeded sums the axes whose label keep rejects.
func (t einsumTerm) sumUnneeded(keep func(rune) bool) einsumTerm {
	var axes []int
	var labels []rune
	for a, l := range t.labels {
		if keep(l) {
			labels = append(labels, l)
		} else {
			axes = append(axes, a)
		}
	}
	if len(axes) == 0 {
		return t
	}
	return einsumTerm{x: t.x.Sum(axes...), labels: labels}
}

// contract multiplies t and u, summing the labels they share that kept
// rejects.
func (t einsumTerm) contract(u einsumTerm, kept func(rune) bool) einsumTerm {
	var shared, batch []rune
	for _, l := range t.labels {
		if slices.Contains(u.labels, l) {
			if kept(l) {
				batch = append(batch, l)
			} else {
				shared = append(shared, l)
			}
		}
	}
	if len(batch) == 0 {
		at, bt := make([]int, len(shared)), make([]int, len(shared))
		for i, l := range shared {
			at[i], bt[i] = slices.Index(t.labels, l), slices.Index(u.labels, l)
		}
		var labels []rune
		for _, l := range t.labels {
			if !slices.Contains(shared, l) {
				labels = append(labels, l)
			}
		}
		for _, l := range u.labels {
			if !slices.Contains(shared, l) {
				labels = append(labels, l)
			}
		}
		return einsumTerm{x: Tensordot(t.x, u.x, at, bt), labels: labels}
	}
	// a broadcast product over the union of the labels (t's, then u's
	// own), summed over the shared labels no later term needs
	all := slices.Clone(t.labels)
	for _, l := range u.labels {
		if !slices.Contains(all, l) {
			all = append(all, l)
		}
	}
	tx := t.x.ExpandDims(seq(len(t.labels), len(all))...)
	// u's axes in all's order, with length-1 axes for t's own labels
	var uorder []int
	var ulabels []rune
	for _, l := range all {
		if i := slices.Index(u.labels, l); i >= 0 {
			uorder = append(uorder, i)
			ulabels = append(ulabels, l)
		}
	}
	ux := u.x.Transpose(uorder...)
	var missing []int
	for a, l := range all {
		if !slices.Contains(ulabels, l) {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		ux = ux.ExpandDims(missing...)
	}
	return einsumTerm{x: tx.Mul(ux), labels: all}.sumUnneeded(func(l rune) bool { return !slices.Contains(shared, l) })
}

// seq is lo, lo+1, ..., hi-1.
func seq(lo, hi int) []int {
	s := make([]int, 0, max(hi-lo, 0))
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

// parseEinsum reads the labels of each operand and of the output, "..."
// replaced by labels of its own (characters past the letters, one per
// broadcast axis, aligned from the right).
func parseEinsum(subscripts string, operands []*Array) (ins [][]rune, out []rune, err error) {
	s := strings.ReplaceAll(subscripts, " ", "")
	lhs, rhs, explicit := strings.Cut(s, "->")
	parts := strings.Split(lhs, ",")
	if len(parts) != len(operands) {
		return nil, nil, fmt.Errorf("array: einsum: %q names %d operands, %d given", subscripts, len(parts), len(operands))
	}
	// the broadcast axes: as many as the most any operand's "..." covers
	nell := 0
	for k, p := range parts {
		letters, dots, err := einsumLabels(p)
		if err != nil {
			return nil, nil, fmt.Errorf("array: einsum: operand %d: %v", k, err)
		}
		nd := len(operands[k].nd.shape)
		if !dots && len(letters) != nd || dots && len(letters) > nd {
			return nil, nil, fmt.Errorf("array: einsum: operand %d has %d axes, %q labels %d", k, nd, p, len(letters))
		}
		if dots {
			nell = max(nell, nd-len(letters))
		}
	}
	ell := make([]rune, nell)
	for i := range ell {
		ell[i] = rune(0x10000 + i) // no letter
	}
	ins = make([][]rune, len(parts))
	counts := map[rune]int{}
	for k, p := range parts {
		n := len(operands[k].nd.shape) - len(strings.ReplaceAll(p, "...", ""))
		before, after, dots := strings.Cut(p, "...")
		var labels []rune
		labels = append(labels, []rune(before)...)
		if dots {
			labels = append(labels, ell[nell-n:]...)
		}
		labels = append(labels, []rune(after)...)
		ins[k] = labels
		for _, l := range labels {
			counts[l]++
		}
	}
	if explicit {
		letters, dots, err := einsumLabels(rhs)
		if err != nil {
			return nil, nil, fmt.Errorf("array: einsum: output: %v", err)
		}
		before, after, _ := strings.Cut(rhs, "...")
		out = append(out, []rune(before)...)
		if dots {
			out = append(out, ell...)
		}
		out = append(out, []rune(after)...)
		seen := map[rune]bool{}
		for _, l := range letters {
			if seen[l] {
				return nil, nil, fmt.Errorf("array: einsum: output label %q repeated", l)
			}
			seen[l] = true
			if counts[l] == 0 {
				return nil, nil, fmt.Errorf("array: einsum: output label %q is not in any operand", l)
			}
		}
		if !dots && nell > 0 {
			return nil, nil, fmt.Errorf("array: einsum: %q: the operands have %d broadcast axes (\"...\") but the output names none", subscripts, nell)
		}
		return ins, out, nil
	}
	// implicit: the broadcast axes, then the letters seen once, sorted
	out = append(out, ell...)
	var once []rune
	for l, c := range counts {
		if c == 1 && l < 0x10000 {
			once = append(once, l)
		}
	}
	sort.Slice(once, func(i, j int) bool { return once[i] < once[j] })
	return ins, append(out, once...), nil
}

// einsumLabels checks one operand's subscripts: letters and at most one
// "...".
func einsumLabels(p string) (letters []rune, dots bool, err error) {
	rest := p
	if strings.Count(p, "...") > 1 {
		return nil, false, fmt.Errorf("%q has more than one ellipsis", p)
	}
	if strings.Contains(p, "...") {
		dots = true
		rest = strings.Replace(p, "...", "", 1)
	}
	for _, c := range rest {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return nil, false, fmt.Errorf("%q: %q is not a letter", p, c)
		}
		letters = append(letters, c)
	}
	return letters, dots, nil
}
