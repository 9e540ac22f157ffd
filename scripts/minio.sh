#!/bin/sh
# Installs the MinIO server the S3 tests start (array/storage/s3test) into
# <repo>/.tools/bin/minio, built from its Go module at a pinned version.
# Idempotent: quiet and quick when that version is already there.
# The first install downloads ~150 MB of modules and compiles for a few
# minutes; later ones reuse the Go module and build caches.
set -eu

# github.com/minio/minio has no tagged Go module versions; this pseudo-version
# is the commit 7aac2a2c5b7c of 2026-02-12.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c

root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
GO=${GO:-go}

if [ -x "$bin/minio" ] &&
	"$GO" version -m "$bin/minio" 2>/dev/null | grep -q "github.com/minio/minio[[:space:]]*$MINIO_VERSION"; then
	exit 0
fi

echo "scripts/minio.sh: installing github.com/minio/minio@$MINIO_VERSION into $bin (a few minutes)" >&2
mkdir -p "$bin"
# Outside the repo's module so its go.mod is neither read nor changed.
cd "${TMPDIR:-/tmp}"
GOBIN="$bin" GOFLAGS=-buildvcs=false "$GO" install "github.com/minio/minio@$MINIO_VERSION"
"$GO" version -m "$bin/minio" | grep -q "github.com/minio/minio[[:space:]]*$MINIO_VERSION" || {
	echo "scripts/minio.sh: $bin/minio is not $MINIO_VERSION" >&2
	exit 1
}
