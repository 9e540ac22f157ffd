#!/usr/bin/env bash
# Installs what the tests need beyond Go, idempotently: Debian's Python
# numpy and zarr (cross-checks of the file formats) and a MinIO server
# built from its Go module (the S3 tests). Quiet when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=()
/usr/bin/python3 -c 'import numpy' 2>/dev/null || pkgs+=(python3-numpy)
/usr/bin/python3 -c 'import zarr, numcodecs' 2>/dev/null || pkgs+=(python3-zarr python3-numcodecs)
if [ ${#pkgs[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "deps: installing ${pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
scripts/minio.sh
