#!/usr/bin/env bash
# Builds the ringkv:latest Docker image FROM scratch with a static binary.
# Usage: cmd/ringkv/build-image.sh [tag]
set -euo pipefail
cd "$(dirname "$0")/../.."
tag=${1:-ringkv:latest}
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$ctx/ringkv" ./cmd/ringkv
cp cmd/ringkv/Dockerfile "$ctx/"
docker build -q -t "$tag" "$ctx"
echo "built $tag"
