# Blockwork. `make demo` runs the main job, `make test` the tests.
GO ?= go
# packages with goroutines: run under the race detector
RACE_PKGS = ./cluster/... ./device/... ./scheduler/... ./kernels/... ./array/...

.PHONY: all build demo deps test race bench bench-peers check ptx ptx-check cuda-check gpu-bundle gpu-bundle-check

all: build

build:
	$(GO) build ./...

demo:
	$(GO) run ./cmd/blockwork demo

# Python numpy + zarr (format cross-checks) and a MinIO server (S3 tests)
deps:
	scripts/deps.sh

test: deps
	$(GO) test -count=1 ./...
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -race -count=1 -run 'Thread|Staging|Pending|Compiler' ./cuda/

# per-task overhead (100,000-task graph; embedded and cluster), the demo
# workload, the scheduler's own cost and the cluster's chunk transfers
bench:
	$(GO) test -run '^$$' -bench 'TaskOverhead' -benchtime 10x ./bench/
	$(GO) test -run '^$$' -bench 'Demo' -benchtime 1x ./bench/
	$(GO) test -run '^$$' -bench Tree100k -benchtime 20x ./scheduler/
	$(GO) test -run '^$$' -bench 'TaskOverhead|WorkerTransfer' -benchtime 5x ./cluster/

# the suite at size small, Blockwork against Dask (threaded, distributed)
# and NumPy; needs: apt-get install -y python3-dask python3-distributed
# python3-numpy libopenblas0-pthread
bench-peers:
	$(GO) run ./cmd/blockwork bench -size small -engines blockwork,dask-threaded,dask-distributed,numpy -out bench/results/$$(date +%F)-cpu

check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) build ./...
	@for cgo in 1 0; do if CGO_ENABLED=$$cgo $(GO) list -deps ./... | grep -q '^gorgonia.org/'; then echo "default build (CGO_ENABLED=$$cgo) depends on gorgonia.org/cu"; exit 1; fi; done
	@$(GO) list -deps -tags cuda ./cuda | grep -qx gorgonia.org/cu || { echo "the cuda build lost gorgonia.org/cu"; exit 1; }
	@tmp=$$(mktemp -d); cp go.mod go.sum $$tmp/; $(GO) mod tidy; \
	if ! cmp -s go.mod $$tmp/go.mod || ! cmp -s go.sum $$tmp/go.sum; then \
	  echo "go mod tidy changes go.mod/go.sum:"; diff $$tmp/go.mod go.mod; cp $$tmp/go.mod $$tmp/go.sum .; rm -r $$tmp; exit 1; fi; \
	rm -r $$tmp

# protobuf / gRPC code of cluster/proto (needs protoc: apt-get install -y
# protobuf-compiler; the Go plugins go to .tools/bin at pinned versions)
.PHONY: generate generate-check
generate:
	scripts/generate.sh

# fails when the committed generated code differs from a fresh generation
generate-check:
	@tmp=$$(mktemp -d); scripts/generate.sh $$tmp || { rm -r $$tmp; exit 1; }; \
	ok=1; for f in blockwork.pb.go blockwork_grpc.pb.go; do \
	  if ! cmp -s $$tmp/$$f cluster/proto/$$f; then echo "cluster/proto/$$f is stale: run make generate"; diff -u cluster/proto/$$f $$tmp/$$f | head -40; ok=0; fi; \
	done; rm -r $$tmp; [ $$ok = 1 ]

# CUDA. The fixed kernels cuda/kernels/*.cu to PTX for compute_80 with
# nvcc (Debian 12 non-free: apt-get install nvidia-cuda-toolkit); the PTX
# is committed and embedded. PTX_DIR: where to write it.
NVCC ?= nvcc
PTX_DIR ?= cuda/kernels
ptx:
	@for f in cuda/kernels/*.cu; do \
	  $(NVCC) -ptx -arch=compute_80 -o $(PTX_DIR)/$$(basename $$f .cu).ptx $$f || exit 1; done

# fails when the committed PTX differs from a fresh `make ptx`, when a .ptx
# has no .cu, or when ptxas cannot assemble it for sm_90 (Hopper)
ptx-check:
	@tmp=$$(mktemp -d); $(MAKE) -s ptx PTX_DIR=$$tmp || { rm -r $$tmp; exit 1; }; ok=1; \
	for f in $$tmp/*.ptx; do b=$$(basename $$f); \
	  if ! cmp -s $$f cuda/kernels/$$b; then echo "cuda/kernels/$$b is stale: run make ptx"; diff -u cuda/kernels/$$b $$f | head -20; ok=0; fi; done; \
	for f in cuda/kernels/*.ptx; do [ -f $$tmp/$$(basename $$f) ] || { echo "$$f has no .cu"; ok=0; }; \
	  ptxas -arch=sm_90 -o /dev/null $$f || ok=0; done; \
	rm -r $$tmp; [ $$ok = 1 ]

# the cuda build (needs cuda.h and libcuda.so: nvidia-cuda-dev or the
# toolkit): vet, build, and compile (never run: cu's init exits without a
# GPU) the tagged tests
cuda-check:
	$(GO) vet -tags cuda ./...
	$(GO) build -tags cuda ./...
	@tmp=$$(mktemp -d); $(GO) test -c -tags cuda -o $$tmp/ ./cuda/ && rm -r $$tmp

# A folder to carry to a GPU machine (it needs only the NVIDIA driver;
# NVRTC and cuBLAS are found at run time, BLOCKWORK_CUDA_LIB_DIR first):
# the cuda package's tests and benchmarks and the blockwork binary, built
# with -tags cuda, and run.sh, which runs them and writes a report.
BUNDLE ?= gpu-bundle
gpu-bundle:
	rm -rf $(BUNDLE) && mkdir -p $(BUNDLE)
	$(GO) test -c -tags cuda -ldflags="-s -w" -o $(BUNDLE)/cuda.test ./cuda/
	$(GO) build -tags cuda -ldflags="-s -w" -o $(BUNDLE)/blockwork ./cmd/blockwork
	cp -r cuda/testdata $(BUNDLE)/testdata
	cp scripts/gpu-run.sh $(BUNDLE)/run.sh
	git rev-parse HEAD > $(BUNDLE)/COMMIT 2>/dev/null || true
	@echo "$(BUNDLE): copy it to a GPU machine and run ./run.sh there"

# builds the bundle into a temporary folder and runs it: without a GPU
# (no /dev/nvidia0) run.sh must fail and still write its report
gpu-bundle-check:
	@tmp=$$(mktemp -d); $(MAKE) -s gpu-bundle BUNDLE=$$tmp/b >/dev/null || { rm -r $$tmp; exit 1; }; ok=1; \
	for f in cuda.test blockwork run.sh COMMIT testdata/fakelibs.c; do [ -e $$tmp/b/$$f ] || { echo "bundle lacks $$f"; ok=0; }; done; \
	if [ ! -e /dev/nvidia0 ]; then \
	  if $$tmp/b/run.sh >$$tmp/out 2>&1; then echo "run.sh passed without a GPU"; ok=0; fi; \
	  grep -q '^tests exit status: [1-9]' $$tmp/b/report-*.txt || { echo "run.sh wrote no report:"; cat $$tmp/out; ok=0; }; \
	fi; rm -r $$tmp; [ $$ok = 1 ]
