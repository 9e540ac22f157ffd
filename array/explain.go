package array

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/blockwork-dev/blockwork/graph"
)

// Explain describes the graph that Compute would run for xs (lowered,
// culled and fused, as Graph returns it), layer by layer in dependency
// order: the layer token's readable prefix, its task counts per op, the
// largest output of one of its tasks (a chunk's bytes), the layers it
// reads, and the instruction listing of each distinct fused program. A
// sticky error of any x is returned as the text "error: ...".
func Explain(xs ...*Array) string {
	ls, err := layersOf(xs)
	if err != nil {
		return "error: " + err.Error()
	}
	var sb strings.Builder
	ntask := 0
	for _, l := range ls {
		ntask += l.tasks
	}
	fmt.Fprintf(&sb, "%d layers, %d tasks\n", len(ls), ntask)
	for i, l := range ls {
		fmt.Fprintf(&sb, "L%d %s  %s  max %s/chunk", i, layerPrefix(l.name), l.opCounts(), bytesStr(l.maxBytes))
		if len(l.reads) > 0 {
			var rs []string
			for _, r := range l.reads {
				rs = append(rs, fmt.Sprintf("L%d", r))
			}
			fmt.Fprintf(&sb, "  <- %s", strings.Join(rs, " "))
		}
		sb.WriteString("\n")
		for j, p := range l.progs {
			fmt.Fprintf(&sb, "  program %d:\n", j)
			writeProgram(&sb, p, "    ")
		}
	}
	return sb.String()
}

// DOT renders the layer graph of xs (as Explain sees it) in Graphviz's
// DOT language: one node per layer labelled with its prefix and task
// counts, one edge per pair of layers where a task of one reads a key of
// the other (a chain inside a layer, such as a scan's carries, is an edge
// to itself). A sticky error is returned as a DOT comment.
func DOT(xs ...*Array) string {
	ls, err := layersOf(xs)
	if err != nil {
		return "// error: " + strings.ReplaceAll(err.Error(), "\n", " ") + "\ndigraph blockwork {}\n"
	}
	var sb strings.Builder
	sb.WriteString("digraph blockwork {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n")
	for i, l := range ls {
		label := fmt.Sprintf("%s\n%s\nmax %s/chunk", layerPrefix(l.name), l.opCounts(), bytesStr(l.maxBytes))
		fmt.Fprintf(&sb, "  L%d [label=%q];\n", i, label)
	}
	for i, l := range ls {
		for _, r := range l.reads {
			fmt.Fprintf(&sb, "  L%d -> L%d;\n", r, i)
		}
	}
	sb.WriteString("}\n")
	return sb.String()
}

// layerInfo is one layer of an optimised graph.
type layerInfo struct {
	name     string
	tasks    int
	leaf     bool
	ops      map[string]int
	maxBytes int64
	reads    []int // indices of the layers read, ascending
	progs    []*graph.Program
}

func (l *layerInfo) opCounts() string {
	if l.leaf {
		return fmt.Sprintf("leaf×%d", l.tasks)
	}
	names := make([]string, 0, len(l.ops))
	for op := range l.ops {
		names = append(names, op)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, op := range names {
		parts[i] = fmt.Sprintf("%s×%d", op, l.ops[op])
	}
	return strings.Join(parts, " ")
}

// layersOf groups the optimised graph's leaves and tasks by layer, in the
// order of their first appearance in a topological order (leaves first).
func layersOf(xs []*Array) ([]*layerInfo, error) {
	if err := firstErr(xs...); err != nil {
		return nil, err
	}
	g, _, err := Graph(xs)
	if err != nil {
		return nil, err
	}
	order, err := g.Toposort()
	if err != nil {
		return nil, err
	}
	var ls []*layerInfo
	at := map[string]int{}
	get := func(name string) *layerInfo {
		i, ok := at[name]
		if !ok {
			i = len(ls)
			at[name] = i
			ls = append(ls, &layerInfo{name: name, ops: map[string]int{}})
		}
		return ls[i]
	}
	bytesOf := func(cs []graph.Chunk) int64 {
		var n int64
		for _, c := range cs {
			n += c.Bytes()
		}
		return n
	}
	for _, lf := range g.Leaves {
		l := get(lf.Key.Layer)
		l.leaf = true
		l.tasks++
		l.maxBytes = max(l.maxBytes, bytesOf(lf.Outputs))
	}
	reads := map[[2]int]bool{}
	seenProg := map[*graph.Program]bool{}
	for _, i := range order {
		t := &g.Tasks[i]
		l := get(t.Key.Layer)
		l.tasks++
		l.ops[t.Op.Name]++
		l.maxBytes = max(l.maxBytes, t.OutBytes())
		if p, ok := t.Op.Params.(*graph.FusedParams); ok && p != nil && p.Prog != nil && !seenProg[p.Prog] {
			seenProg[p.Prog] = true
			l.progs = append(l.progs, p.Prog)
		}
	}
	for _, i := range order {
		t := &g.Tasks[i]
		to := at[t.Key.Layer]
		for _, in := range t.Inputs {
			if from, ok := at[in.Layer]; ok && !reads[[2]int{from, to}] {
				reads[[2]int{from, to}] = true
				ls[to].reads = append(ls[to].reads, from)
			}
		}
	}
	return sortLayers(ls), nil
}

// sortLayers orders layers so that each comes after the layers it reads
// (a layer reading itself does not count), ties kept in their first
// appearance order, and renumbers the reads.
func sortLayers(ls []*layerInfo) []*layerInfo {
	n := len(ls)
	indeg := make([]int, n)
	users := make([][]int, n)
	for to, l := range ls {
		for _, from := range l.reads {
			if from != to {
				indeg[to]++
				users[from] = append(users[from], to)
			}
		}
	}
	pos := make([]int, n)
	var order []int
	done := make([]bool, n)
	for len(order) < n {
		next := -1
		for i := range ls {
			if !done[i] && indeg[i] == 0 {
				next = i
				break
			}
		}
		if next < 0 { // a cycle between layers: keep the rest as they came
			for i := range ls {
				if !done[i] {
					next = i
					break
				}
			}
		}
		done[next] = true
		pos[next] = len(order)
		order = append(order, next)
		for _, u := range users[next] {
			indeg[u]--
		}
	}
	out := make([]*layerInfo, n)
	for i, l := range ls {
		for k, r := range l.reads {
			l.reads[k] = pos[r]
		}
		sort.Ints(l.reads)
		out[pos[i]] = l
	}
	return out
}

// layerPrefix is a layer token without its hash: "sum-tree-1f0c...-2"
// gives "sum-tree-2" (the hash is the last all-hex field of 9 or more
// characters; tokens hash to 16 hex digits, fewer only with leading zeros).
func layerPrefix(name string) string {
	f := strings.Split(name, "-")
	for i := len(f) - 1; i > 0; i-- {
		if len(f[i]) >= 9 && isHex(f[i]) {
			return strings.Join(append(append([]string(nil), f[:i]...), f[i+1:]...), "-")
		}
	}
	return name
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func bytesStr(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// writeProgram lists p's instructions in SSA form, one per line:
// "r3 = add float64 r1 r2", loads with their source buffer and map, and
// the reduce stage.
func writeProgram(sb *strings.Builder, p *graph.Program, indent string) {
	for i, in := range p.Instrs {
		fmt.Fprintf(sb, "%sr%d = %v %v", indent, i, in.Op, in.DType)
		switch in.Op {
		case graph.OpLoad:
			fmt.Fprintf(sb, " src%d map%d", in.Src, in.Map)
		case graph.OpConst:
			fmt.Fprintf(sb, " %s", constStr(in))
		case graph.OpIndex:
			fmt.Fprintf(sb, " axis%d map%d", in.Imm, in.Map)
		case graph.OpRandom:
			r := p.Rands[in.Imm]
			fmt.Fprintf(sb, " kind%d seed=%d stream=%d map%d", r.Kind, r.Seed, r.Stream, in.Map)
		default:
			args := []int32{in.A, in.B, in.C}[:in.Op.Arity()]
			for _, a := range args {
				fmt.Fprintf(sb, " r%d", a)
			}
		}
		if int32(i) == p.Out {
			sb.WriteString("  (out)")
		}
		sb.WriteString("\n")
	}
	if p.Reduce != nil {
		fmt.Fprintf(sb, "%sreduce %v over axes %v\n", indent, p.Reduce.Kind, p.Reduce.Axes)
	}
	for _, m := range p.More {
		fmt.Fprintf(sb, "%sand r%d", indent, m.Out)
		if m.Reduce != nil {
			fmt.Fprintf(sb, ", reduce %v over axes %v", m.Reduce.Kind, m.Reduce.Axes)
		}
		sb.WriteString("\n")
	}
}

func constStr(in graph.Instr) string {
	switch {
	case in.DType.IsFloat():
		return fmt.Sprint(math.Float64frombits(in.Imm))
	case in.DType == graph.Bool:
		return fmt.Sprint(in.Imm != 0)
	}
	return fmt.Sprint(int64(in.Imm))
}
