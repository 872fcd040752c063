#!/usr/bin/env bash
# Installs the system packages StableSnn needs on Debian/Ubuntu. Idempotent; apt runs only when something is missing.
set -euo pipefail

packages=(
  libtcmalloc-minimal4   # allocator for TorchSharp (docs/native-torch.md)
  dataset-fashion-mnist  # real data offline: /usr/share/datasets/fashion-mnist
  postgresql             # cluster storage tests (Debian 12: PostgreSQL 15); scripts/test.sh starts it
  prometheus             # telemetry test: a real Prometheus scrapes a silo's /metrics (tests/Telemetry.Tests)
  chromium               # report test: headless Chromium renders report.html (tests/Client.Tests)
  podman                 # images: scripts/build-images.sh builds them, the cluster test runs from their filesystems
  mmdebstrap             # images: the Debian 12 base made from packages (no container registry needed)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is required (https://dot.net); install it and run again." >&2; exit 1; }
echo "setup: system packages present"
