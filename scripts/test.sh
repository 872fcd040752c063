#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: system packages, the services tests use, then dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/start-postgres.sh
# The images the cluster test runs from (tests/Faults.Tests/ImageClusterTests); the Debian base is cached by podman.
scripts/build-images.sh
# The overlay tests render with kubectl (on every machine here); under this script its absence fails instead of skipping.
export STABLESNN_REQUIRE_KUBECTL=1
dotnet test StableSnn.sln -m:1 --blame-hang-timeout 10m "$@"
