package bench

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Ratio is a peer's median wall time over one of Blockwork's engines'
// (Base) for one workload and variant: above 1 Blockwork is faster.
type Ratio struct {
	Workload string
	Variant  Variant
	Peer     string
	Ratio    float64
	// Base is EngineBlockwork (against every peer) or
	// EngineBlockworkCluster (against ClusterPeer only: like for like).
	Base string
}

type caseKey struct {
	workload string
	variant  Variant
}

// cases lists the (workload, variant) pairs of recs in first-seen order.
func cases(recs []Record) []caseKey {
	var out []caseKey
	seen := map[caseKey]bool{}
	for _, r := range recs {
		k := caseKey{r.Workload, r.Variant}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

func find(recs []Record, engine string, k caseKey) *Record {
	var found *Record
	for i := range recs {
		r := &recs[i]
		if r.Engine == engine && r.Workload == k.workload && r.Variant == k.variant {
			found = r // the last one wins
		}
	}
	return found
}

func usable(r *Record) bool { return r != nil && r.Error == "" && r.Wall > 0 }

// series are the (base, peer) pairs compared in recs: EngineBlockwork
// against each peer, then EngineBlockworkCluster against ClusterPeer.
func series(recs []Record) [][2]string {
	var out [][2]string
	have := map[string]bool{}
	for _, r := range recs {
		have[r.Engine] = true
	}
	if have[EngineBlockwork] {
		for _, p := range peersIn(recs) {
			out = append(out, [2]string{EngineBlockwork, p})
		}
	}
	if have[EngineBlockworkCluster] && have[ClusterPeer] {
		out = append(out, [2]string{EngineBlockworkCluster, ClusterPeer})
	}
	return out
}

// Ratios are peer / Blockwork median wall times, for each case where both
// ran without error (a failed check still gives a ratio; the table marks
// it), in case order then series order: EngineBlockwork against each
// peer in Engines order, then EngineBlockworkCluster against ClusterPeer.
func Ratios(recs []Record) []Ratio {
	var out []Ratio
	ss := series(recs)
	for _, k := range cases(recs) {
		for _, s := range ss {
			b, p := find(recs, s[0], k), find(recs, s[1], k)
			if usable(b) && usable(p) {
				out = append(out, Ratio{Workload: k.workload, Variant: k.variant, Peer: s[1], Ratio: p.Wall / b.Wall, Base: s[0]})
			}
		}
	}
	return out
}

// peersIn lists the engines other than Blockwork's in recs, known ones
// in Engines order first.
func peersIn(recs []Record) []string {
	have := map[string]bool{}
	for _, r := range recs {
		if !IsBlockwork(r.Engine) {
			have[r.Engine] = true
		}
	}
	var out []string
	for _, e := range Engines {
		if have[e] {
			out = append(out, e)
			delete(have, e)
		}
	}
	for _, r := range recs {
		if have[r.Engine] {
			out = append(out, r.Engine)
			delete(have, r.Engine)
		}
	}
	return out
}

func caseName(k caseKey) string {
	if k.variant == Persisted {
		return k.workload + " (persisted)"
	}
	return k.workload
}

func secs(s float64) string {
	switch {
	case s >= 10:
		return fmt.Sprintf("%.1f s", s)
	case s >= 0.1:
		return fmt.Sprintf("%.2f s", s)
	default:
		return fmt.Sprintf("%.1f ms", s*1e3)
	}
}

func metrics(r *Record) string {
	var m []string
	if r.GFLOPS > 0 {
		m = append(m, fmt.Sprintf("%.1f GFLOP/s", r.GFLOPS))
	}
	if r.USPerTsk > 0 {
		m = append(m, fmt.Sprintf("%.1f us/task", r.USPerTsk))
	}
	if r.GBps > 0 {
		s := fmt.Sprintf("%.1f GB/s", r.GBps)
		if r.PctBW > 0 {
			s += fmt.Sprintf(" (%.0f%% of triad)", r.PctBW)
		}
		if r.PctCeiling > 0 {
			s += fmt.Sprintf(" (%.0f%% of the %.1f GB/s ceiling measured in the run)", r.PctCeiling, r.CeilingGBps)
		}
		m = append(m, s)
	}
	return strings.Join(m, ", ")
}

func cell(r *Record) string {
	switch {
	case r == nil:
		return "-"
	case r.Error != "":
		return "error"
	}
	s := secs(r.Wall)
	if !r.CheckOK {
		s += " **check failed**"
	}
	return s
}

// WriteTable writes the Markdown report: per case Blockwork's time,
// tasks, peak RSS and rates, then each peer's time and its ratio to
// Blockwork (peer / Blockwork: above 1 Blockwork is faster); where the
// cluster engine ran, a second table compares it with ClusterPeer and
// with the embedded executor; then the checks and notes that failed or
// matter.
func WriteTable(w io.Writer, recs []Record) error {
	AddBandwidthShare(recs)
	peers := peersIn(recs)
	var b strings.Builder
	size := ""
	if len(recs) > 0 {
		size = string(recs[0].Size)
	}
	have := map[string]bool{}
	for _, r := range recs {
		have[r.Engine] = true
	}
	// the main table, unless only the cluster and its peer ran
	main := have[EngineBlockwork] || len(peers) > 1 || len(peers) == 1 && peers[0] != ClusterPeer || !have[EngineBlockworkCluster]
	fmt.Fprintf(&b, "# Blockwork benchmark, size %s\n\n", size)
	fmt.Fprintf(&b, "Median wall time of the timed runs after one warm-up; ratio = peer time / Blockwork time (above 1: Blockwork is faster).\n\n")
	cs := cases(recs)
	if main {
		fmt.Fprintf(&b, "| workload | blockwork | tasks | peak RSS | rate |")
		for _, p := range peers {
			fmt.Fprintf(&b, " %s | ratio |", p)
		}
		fmt.Fprintf(&b, "\n|---|---:|---:|---:|---|")
		for range peers {
			fmt.Fprintf(&b, "---:|---:|")
		}
		b.WriteString("\n")
		for _, k := range cs {
			br := find(recs, EngineBlockwork, k)
			if br == nil && !anyOf(recs, k, peers) {
				continue // a case only the cluster ran
			}
			b.WriteString(row(k, br))
			for _, p := range peers {
				b.WriteString(versus(find(recs, p, k), br))
			}
			b.WriteString("\n")
		}
	}
	if have[EngineBlockworkCluster] {
		if main {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "## Cluster: %s against %s\n\n", EngineBlockworkCluster, ClusterPeer)
		fmt.Fprintf(&b, "%s: a scheduler in the bench process and worker processes on loopback; %s: a LocalCluster of as many worker processes of as many threads (blockwork bench -cluster-workers, -cluster-threads: 2 of 1 thread by default). ratio = other time / %s time (above 1: the Blockwork cluster is faster); %s is the embedded executor of the same run.\n\n",
			EngineBlockworkCluster, ClusterPeer, EngineBlockworkCluster, EngineBlockwork)
		fmt.Fprintf(&b, "| workload | %s | tasks | peak RSS | rate | %s | ratio | %s | ratio |\n|---|---:|---:|---:|---|---:|---:|---:|---:|\n", EngineBlockworkCluster, ClusterPeer, EngineBlockwork)
		for _, k := range cs {
			cr := find(recs, EngineBlockworkCluster, k)
			if cr == nil {
				continue
			}
			b.WriteString(row(k, cr))
			b.WriteString(versus(find(recs, ClusterPeer, k), cr))
			b.WriteString(versus(find(recs, EngineBlockwork, k), cr))
			b.WriteString("\n")
		}
	}
	var notes []string
	noted := map[string]bool{}
	for _, k := range cs {
		for _, e := range append([]string{EngineBlockwork, EngineBlockworkCluster}, peers...) {
			r := find(recs, e, k)
			if r == nil {
				continue
			}
			if r.Error != "" {
				notes = append(notes, fmt.Sprintf("- %s, %s: error: %s", caseName(k), e, r.Error))
			} else if !r.CheckOK {
				notes = append(notes, fmt.Sprintf("- %s, %s: check failed: %s", caseName(k), e, r.Check))
			}
			if r.Note != "" && !noted[k.workload+r.Note] {
				noted[k.workload+r.Note] = true
				notes = append(notes, fmt.Sprintf("- %s: %s", k.workload, r.Note))
			}
		}
	}
	b.WriteString("\nPeak RSS, tasks and rates of every engine are in results.jsonl.\n")
	if len(notes) > 0 {
		b.WriteString("\n## Notes\n\n" + strings.Join(notes, "\n") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// anyOf reports whether one of engines has a record of case k.
func anyOf(recs []Record, k caseKey, engines []string) bool {
	for _, e := range engines {
		if find(recs, e, k) != nil {
			return true
		}
	}
	return false
}

// row is the start of a table line: the case and base's time, tasks,
// peak RSS and rates.
func row(k caseKey, base *Record) string {
	tasks, rss, rate := "-", "-", "-"
	if usable(base) {
		tasks = fmt.Sprint(base.Tasks)
		rss = FormatBytes(base.PeakRSS)
		if rate = metrics(base); rate == "" {
			rate = "-"
		}
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s |", caseName(k), cell(base), tasks, rss, rate)
}

// versus is other's time and its ratio to base.
func versus(other, base *Record) string {
	ratio := "-"
	if usable(other) && usable(base) {
		ratio = fmt.Sprintf("%.2f", other.Wall/base.Wall)
	}
	return fmt.Sprintf(" %s | %s |", cell(other), ratio)
}

var peerStyle = map[string]struct {
	c     color.Color
	shape draw.GlyphDrawer
}{
	EngineDaskThreaded:    {color.RGBA{R: 31, G: 119, B: 180, A: 255}, draw.CircleGlyph{}},
	EngineDaskDistributed: {color.RGBA{R: 214, G: 39, B: 40, A: 255}, draw.PyramidGlyph{}},
	EngineNumPy:           {color.RGBA{R: 44, G: 160, B: 44, A: 255}, draw.BoxGlyph{}},
	// ClusterPeer against the cluster engine
	EngineBlockworkCluster: {color.RGBA{R: 148, G: 103, B: 189, A: 255}, draw.RingGlyph{}},
}

// WriteChart draws the ratios per case and series (each peer against
// the embedded executor, and ClusterPeer against the cluster engine) on a
// log scale, with the line ratio = 1 (equal speed), as a PNG.
func WriteChart(path string, recs []Record) error {
	rs := Ratios(recs)
	if len(rs) == 0 {
		return fmt.Errorf("bench: no ratios to chart (no peer and Blockwork pair ran)")
	}
	var names []string
	idx := map[caseKey]int{}
	for _, k := range cases(recs) {
		for _, r := range rs {
			if r.Workload == k.workload && r.Variant == k.variant {
				idx[k] = len(names)
				names = append(names, caseName(k))
				break
			}
		}
	}
	p := plot.New()
	p.Title.Text = "Peer time / Blockwork time (above 1: Blockwork faster)"
	if len(recs) > 0 {
		p.Title.Text += ", size " + string(recs[0].Size)
	}
	p.Y.Label.Text = "ratio (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 5
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(8)
	p.Add(plotter.NewGrid())
	lo, hi := 1.0, 1.0
	ss := series(recs)
	for si, s := range ss {
		var xys plotter.XYs
		for _, r := range rs {
			if r.Base != s[0] || r.Peer != s[1] {
				continue
			}
			x := float64(idx[caseKey{r.Workload, r.Variant}]) + 0.22*(float64(si)-float64(len(ss)-1)/2)
			xys = append(xys, plotter.XY{X: x, Y: r.Ratio})
			lo, hi = math.Min(lo, r.Ratio), math.Max(hi, r.Ratio)
		}
		if len(xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		// "peer / base" once the cluster has a series, else the peer
		style, label := s[1], s[1]
		if s[0] != EngineBlockwork {
			style = s[0]
		}
		if ss[len(ss)-1][0] != EngineBlockwork {
			label = s[1] + " / " + s[0]
		}
		if st, ok := peerStyle[style]; ok {
			sc.GlyphStyle.Color = st.c
			sc.GlyphStyle.Shape = st.shape
		}
		sc.GlyphStyle.Radius = vg.Points(4)
		p.Add(sc)
		p.Legend.Add(label, sc)
		var txt []string
		for _, xy := range xys {
			txt = append(txt, fmt.Sprintf("%.2g", xy.Y))
		}
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: txt})
		if err != nil {
			return err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i].Font.Size = vg.Points(8)
			lb.TextStyle[i].XAlign = draw.XLeft
		}
		lb.Offset = vg.Point{X: vg.Points(6), Y: vg.Points(-3)}
		p.Add(lb)
	}
	one, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 1}, {X: float64(len(names)) - 0.5, Y: 1}})
	if err != nil {
		return err
	}
	one.LineStyle.Color = color.Gray{Y: 80}
	one.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(one)
	// headroom above for the legend
	p.Y.Min, p.Y.Max = lo/2, hi*6
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	width := vg.Length(math.Max(6, 0.9*float64(len(names)))) * vg.Inch
	return p.Save(width, 5*vg.Inch, path)
}

// WriteReport writes DIR/report.md and DIR/ratios.png from
// DIR/results.jsonl (the chart only where a peer ran).
func WriteReport(dir string) error {
	f, err := os.Open(filepath.Join(dir, "results.jsonl"))
	if err != nil {
		return err
	}
	recs, err := ReadRecords(f)
	f.Close()
	if err != nil {
		return err
	}
	md, err := os.Create(filepath.Join(dir, "report.md"))
	if err != nil {
		return err
	}
	if err := WriteTable(md, recs); err != nil {
		md.Close()
		return err
	}
	if err := md.Close(); err != nil {
		return err
	}
	if len(Ratios(recs)) == 0 {
		return nil
	}
	return WriteChart(filepath.Join(dir, "ratios.png"), recs)
}
