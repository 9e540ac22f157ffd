package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/blockwork-dev/blockwork/cuda"
)

// cudaLibConfig is where the CUDA run-time libraries are looked for:
// $BLOCKWORK_CUDA_LIB_DIR first, then the cuda package's search path.
func cudaLibConfig() cuda.LibConfig {
	return cuda.LibConfig{Dir: os.Getenv("BLOCKWORK_CUDA_LIB_DIR")}
}

// gpuCmd prints the GPUs, the driver and the run-time libraries found.
func gpuCmd(args []string) error {
	fs := flag.NewFlagSet("gpu", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: blockwork gpu\n\nprints the GPUs (cuda build tag), the driver, and the NVRTC and cuBLAS found\n($BLOCKWORK_CUDA_LIB_DIR is searched first)")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	return gpuReport(os.Stdout, cudaLibConfig())
}

func gpuReport(w io.Writer, cfg cuda.LibConfig) error {
	fmt.Fprintf(w, "cuda build tag: %v\n", cuda.Built)
	if v, err := cuda.DriverVersion(); err == nil {
		fmt.Fprintf(w, "driver: %d.%d\n", v/1000, v%1000/10)
	}
	ds, err := cuda.Devices()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "gpus: %d\n", len(ds))
	for _, d := range ds {
		fmt.Fprintf(w, "  %d: %s, compute %d.%d, %d SMs, %.1f GiB\n", d.Ordinal, d.Name, d.Major, d.Minor, d.SMs, float64(d.TotalMem)/(1<<30))
	}
	if n, err := cuda.OpenNVRTC(cfg); err != nil {
		fmt.Fprintf(w, "nvrtc: %v\n", err)
	} else {
		ma, mi := n.Version()
		fmt.Fprintf(w, "nvrtc: %d.%d (%s)\n", ma, mi, n.Path())
	}
	if b, err := cuda.OpenCUBLAS(cfg); err != nil {
		fmt.Fprintf(w, "cublas: %v\n", err)
	} else {
		fmt.Fprintf(w, "cublas: %s\n", b.Path())
	}
	return nil
}
