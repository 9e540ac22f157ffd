package cuda

import (
	"embed"
	"strings"
)

// The fixed kernels: CUDA C in kernels/*.cu, compiled to PTX for
// compute_80 by `make ptx` (Debian's nvcc 11.8) and committed; the driver
// JITs the PTX for the GPU it loads on (sm_90 on Hopper).
//
//go:embed kernels/*.ptx kernels/*.cu
var kernelFiles embed.FS

// KernelFiles are the fixed kernel modules, by base name.
var KernelFiles = []string{"copy", "elementwise", "reduce"}

// PTX returns the embedded PTX of a fixed kernel module ("elementwise").
func PTX(module string) (string, error) {
	b, err := kernelFiles.ReadFile("kernels/" + module + ".ptx")
	return string(b), err
}

// KernelSource returns the CUDA C source a module's PTX was made from.
func KernelSource(module string) (string, error) {
	b, err := kernelFiles.ReadFile("kernels/" + module + ".cu")
	return string(b), err
}

// kernelTypes are the dtype suffixes of the fixed kernels.
var kernelTypes = []string{"f32", "f64", "i32", "i64"}

// Kernels lists the entry points each module must have (the names a
// launcher looks up), generated from the same tables the .cu files
// instantiate.
func Kernels() map[string][]string {
	m := map[string][]string{}
	add := func(mod string, names ...string) { m[mod] = append(m[mod], names...) }
	for _, t := range kernelTypes {
		for _, op := range []string{"add", "sub", "mul", "div", "max", "min"} {
			add("elementwise", op+"_"+t)
		}
		add("elementwise", "add_scalar_"+t, "mul_scalar_"+t, "neg_"+t, "abs_"+t, "fill_"+t)
		if strings.HasPrefix(t, "f") {
			add("elementwise", "sqrt_"+t, "exp_"+t, "log_"+t)
		}
		for _, d := range append(append([]string(nil), kernelTypes...), "bool") {
			add("elementwise", "cast_"+t+"_"+d)
		}
		add("reduce", "sum_"+t, "min_"+t, "max_"+t)
	}
	for _, b := range []string{"b1", "b4", "b8"} {
		add("copy", "copy_strided_"+b, "transpose2d_"+b)
	}
	return m
}

// ReduceThreads is the block size the reduction kernels are written for.
const ReduceThreads = 256

// PTXEntries lists the .entry names of PTX text.
func PTXEntries(ptx string) []string {
	var out []string
	for _, line := range strings.Split(ptx, "\n") {
		line = strings.TrimSpace(line)
		name, ok := strings.CutPrefix(line, ".visible .entry ")
		if !ok {
			name, ok = strings.CutPrefix(line, ".entry ")
		}
		if ok {
			if i := strings.IndexByte(name, '('); i >= 0 {
				name = name[:i]
			}
			out = append(out, strings.TrimSpace(name))
		}
	}
	return out
}
