#!/usr/bin/env bash
# Builds the CPU silo and client images with podman from Debian 12's packages only (no container registry, no RUN
# step): a base root filesystem made by mmdebstrap (runtime libraries, tcmalloc, the non-root user, /artifacts, and
# this machine's .NET runtime), imported once and cached by name; the apps published on the host and copied in.
# Usage: scripts/build-images.sh [--save DIR]   (--save also writes each image as an OCI archive for a registry:
#   skopeo copy oci-archive:DIR/stablesnn-silo-cpu.tar docker://REGISTRY/stablesnn-silo-cpu:TAG)
# The GPU image needs NVIDIA's CUDA base: build deploy/docker/silo-gpu.Dockerfile where that registry is reachable.
set -euo pipefail
cd "$(dirname "$0")/.."
save=""
while [ $# -gt 0 ]; do
  case "$1" in
    --save) save="$2"; shift 2 ;;
    *) echo "build-images: unknown argument $1 (use --save DIR)" >&2; exit 2 ;;
  esac
done
# shellcheck source=../deploy/images/images.env
source deploy/images/images.env
for tool in podman mmdebstrap; do
  command -v "$tool" >/dev/null || { echo "build-images: $tool is missing; run scripts/setup.sh" >&2; exit 1; }
done
start=$(date +%s)
mkdir -p out
tmp=$(mktemp -d -p out); trap 'rm -rf "$tmp"' EXIT
runtime=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2 } END { print v }')
aspnet=$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" { v = $2 } END { print v }')
[ -n "$runtime" ] && [ "$runtime" = "$aspnet" ] || { echo "build-images: need the .NET and ASP.NET Core runtimes of one version (have '$runtime' / '$aspnet')" >&2; exit 1; }
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
# libgssapi-krb5-2: Npgsql negotiates GSS encryption / Kerberos with PostgreSQL and logs an error where it is missing.
packages=ca-certificates,libssl3,libtcmalloc-minimal4,libgssapi-krb5-2,tzdata
# The tag names what is inside (runtime version, packages), so a cached base is reused only when it is the same.
base="localhost/stablesnn-base:bookworm-dotnet-$runtime-$(printf '%s' "$packages" | sha256sum | cut -c1-8)"

if ! podman image exists "$base"; then
  echo "build-images: making $base from Debian packages"
  # Only the runtime (host, shared frameworks): no SDK in the image.
  mmdebstrap --quiet --variant=minbase --format=tar \
    --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="mkdir -p \"\$1/usr/share/dotnet/shared\" \"\$1/usr/share/dotnet/host\"" \
    --customize-hook="copy-in $dotnet_root/dotnet /usr/share/dotnet" \
    --customize-hook="copy-in $dotnet_root/host/fxr /usr/share/dotnet/host" \
    --customize-hook="copy-in $dotnet_root/shared/Microsoft.NETCore.App /usr/share/dotnet/shared" \
    --customize-hook="copy-in $dotnet_root/shared/Microsoft.AspNetCore.App /usr/share/dotnet/shared" \
    --customize-hook='ln -s /usr/share/dotnet/dotnet "$1/usr/bin/dotnet"' \
    --customize-hook="chroot \"\$1\" groupadd --gid $APP_UID app" \
    --customize-hook="chroot \"\$1\" useradd --uid $APP_UID --gid $APP_UID --no-create-home --shell /usr/sbin/nologin app" \
    --customize-hook="mkdir -p \"\$1/artifacts\" && chown $APP_UID:$APP_UID \"\$1/artifacts\"" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    bookworm "$tmp/base.tar"
  podman import --quiet --change 'ENV DOTNET_ROOT=/usr/share/dotnet' --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
    "$tmp/base.tar" "$base" >/dev/null
fi

scripts/publish.sh out/publish
context=$tmp/context
build() { # IMAGE CONTAINERFILE APP [EXTRA_DIR...]
  local image=$1 file=$2 app=$3; shift 3
  rm -rf "$context" && mkdir -p "$context"
  cp -al "$app" "$context/app" 2>/dev/null || cp -a "$app" "$context/app"
  for extra in "$@"; do cp -a "$extra" "$context/"; done
  podman build --quiet --pull=never --build-arg BASE_IMAGE="$base" -f "$file" -t "$image:$IMAGE_TAG" "$context" >/dev/null
}
build "$SILO_CPU_IMAGE" deploy/images/silo-cpu.Containerfile out/publish/silo
build "$CLIENT_IMAGE" deploy/images/client.Containerfile out/publish/client examples

for image in "$SILO_CPU_IMAGE" "$CLIENT_IMAGE"; do
  printf 'build-images: localhost/%s:%s  %s\n' "$image" "$IMAGE_TAG" "$(podman image inspect --format '{{.Size}}' "$image:$IMAGE_TAG" | numfmt --to=iec)"
  if [ -n "$save" ]; then
    mkdir -p "$save"
    rm -f "$save/$image.tar"
    podman save --quiet --format oci-archive -o "$save/$image.tar" "$image:$IMAGE_TAG"
  fi
done
echo "build-images: done in $(( $(date +%s) - start )) s"
