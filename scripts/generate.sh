#!/bin/sh
# Regenerates the protobuf / gRPC Go code of cluster/proto from
# cluster/proto/blockwork.proto. protoc comes from Debian
# (apt-get install -y protobuf-compiler); the Go plugins are installed at
# pinned versions into .tools/bin (ignored) when missing.
#
#   scripts/generate.sh [OUTDIR]   (default: cluster/proto, in place)
set -eu
cd "$(dirname "$0")/.."

PROTOC_GEN_GO_VERSION=v1.36.12      # google.golang.org/protobuf, as in go.mod
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2   # google.golang.org/grpc/cmd/protoc-gen-go-grpc

out=${1:-cluster/proto}
tools="$PWD/.tools/bin"
mkdir -p "$tools"

if ! command -v protoc >/dev/null 2>&1; then
	echo "generate: protoc not found; install it with: apt-get install -y protobuf-compiler" >&2
	exit 1
fi

# install a plugin when missing or at another version (a stamp file records it)
install_plugin() { # name module version
	if [ ! -x "$tools/$1" ] || [ "$(cat "$tools/$1.version" 2>/dev/null)" != "$3" ]; then
		echo "generate: installing $2@$3 into .tools/bin" >&2
		GOBIN="$tools" GOFLAGS= go install "$2@$3"
		echo "$3" >"$tools/$1.version"
	fi
}
install_plugin protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go "$PROTOC_GEN_GO_VERSION"
install_plugin protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc "$PROTOC_GEN_GO_GRPC_VERSION"

mkdir -p "$out"
PATH="$tools:$PATH" protoc -I cluster/proto \
	--go_out="$out" --go_opt=paths=source_relative \
	--go-grpc_out="$out" --go-grpc_opt=paths=source_relative \
	cluster/proto/blockwork.proto
