package array_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/array"
	"github.com/blockwork-dev/blockwork/graph"
)

func TestExplain(t *testing.T) {
	x := array.Ones([]int{16, 4}, graph.Float64, array.Chunked(2, 4)) // 8 blocks of 64 B
	s := array.Explain(x.NanSumWith(array.ReduceOpts{Axes: []int{0}, SplitEvery: 2}))
	for _, want := range []string{
		"sum-partial  fused×8  max 32 B/chunk", // the where and isnan fused into the partial
		"sum-tree-0  combine×4",                // a tree level: the hash is dropped, the level kept
		"sum-tree  combine×1",
		"= isnan bool r",
		"= where float64 r",
		"reduce sum over axes [0]",
		"<- L",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("Explain lacks %q:\n%s", want, s)
		}
	}
	if regexp.MustCompile(`[0-9a-f]{12}`).MatchString(s) {
		t.Errorf("Explain shows a layer hash:\n%s", s)
	}
	if !strings.HasPrefix(s, "5 layers, 16 tasks\n") {
		t.Errorf("Explain header:\n%s", s)
	}
	if s := array.Explain(x.Sum(3)); !strings.HasPrefix(s, "error: ") || !strings.Contains(s, "sum") {
		t.Errorf("Explain of a failed array = %q", s)
	}
}

func TestDOT(t *testing.T) {
	x := array.Ones([]int{12}, graph.Int32, array.Chunked(4))
	s := array.DOT(x.CumSum(0))
	if !strings.HasPrefix(s, "digraph blockwork {\n") || !strings.HasSuffix(s, "}\n") {
		t.Fatalf("DOT:\n%s", s)
	}
	nodes := regexp.MustCompile(`(?m)^  L\d+ \[label="([^"]*)"\];$`).FindAllStringSubmatch(s, -1)
	edges := regexp.MustCompile(`(?m)^  L(\d+) -> L(\d+);$`).FindAllStringSubmatch(s, -1)
	var labels []string
	for _, n := range nodes {
		labels = append(labels, strings.SplitN(n[1], `\n`, 2)[0])
	}
	// the generator inlines into the cast; the cast stays a layer (a scan
	// is not a fused task)
	want := []string{"astype", "cumsum-scan", "cumsum-total", "cumsum-carry", "cumsum"}
	if strings.Join(labels, ",") != strings.Join(want, ",") {
		t.Errorf("DOT layers %v, want %v:\n%s", labels, want, s)
	}
	self := false
	for _, e := range edges {
		if e[1] > e[2] {
			t.Errorf("edge L%s -> L%s goes against the layer order:\n%s", e[1], e[2], s)
		}
		self = self || e[1] == e[2]
	}
	if !self || len(edges) < 5 {
		t.Errorf("DOT edges %v: want the carry chain's self edge and at least 5:\n%s", edges, s)
	}
	if s := array.DOT(x.CumSum(1)); !strings.HasPrefix(s, "// error: ") {
		t.Errorf("DOT of a failed array = %q", s)
	}
}
