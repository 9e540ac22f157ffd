package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/blockwork-dev/blockwork/cuda"
)

func TestGPUReport(t *testing.T) {
	t.Setenv("BLOCKWORK_CUDA_LIB_DIR", "/nonexistent/cuda")
	cfg := cudaLibConfig()
	if cfg.Dir != "/nonexistent/cuda" {
		t.Fatalf("BLOCKWORK_CUDA_LIB_DIR not read: %+v", cfg)
	}
	var b bytes.Buffer
	if err := gpuReport(&b, cfg); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"cuda build tag: false", "gpus: 0", "nvrtc: ", "cublas: "} {
		if !cuda.Built && !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
