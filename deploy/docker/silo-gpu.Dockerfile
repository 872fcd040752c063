# syntax=docker/dockerfile:1
# StableSnn silo for GPU nodes: CUDA libtorch (TorchSharp-cuda-linux, CUDA 12.8), trainer beside the silo, tcmalloc.
# Build from the repository root (this file's .dockerignore keeps bin/, obj/, data and logs out of the context):
#   docker build -f deploy/docker/silo-gpu.Dockerfile -t REGISTRY/stablesnn-silo-gpu:VERSION .
# Tags are pinned; for reproducible builds pin the digests too (docker buildx imagetools inspect IMAGE:TAG).
# No secrets here: the connection string comes from a Kubernetes Secret at run time (deploy/k8s).

ARG DOTNET_SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0.105-noble
ARG DOTNET_RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0.5-noble
ARG CUDA_RUNTIME_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

# ---- build: the CUDA backend is the build switch of docs/native-torch.md --------------------------------------------
FROM ${DOTNET_SDK_IMAGE} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/ src/
RUN dotnet restore src/Silo/StableSnn.Silo.csproj -p:TorchBackend=cuda \
 && dotnet restore src/Trainer/StableSnn.Trainer.csproj -p:TorchBackend=cuda
# The trainer is published into the same folder: NodeOptions.TrainerPath defaults to StableSnn.Trainer next to the silo.
RUN dotnet publish src/Silo/StableSnn.Silo.csproj -c Release -p:TorchBackend=cuda --no-restore -o /app \
 && dotnet publish src/Trainer/StableSnn.Trainer.csproj -c Release -p:TorchBackend=cuda --no-restore -o /app \
 && test -x /app/StableSnn.Trainer && test -f /app/StableSnn.Silo.dll

# ---- .NET runtime, copied from Microsoft's image (same Ubuntu 24.04 base as the CUDA image) --------------------------
FROM ${DOTNET_RUNTIME_IMAGE} AS dotnet-runtime

# ---- runtime -----------------------------------------------------------------------------------------------------------
FROM ${CUDA_RUNTIME_IMAGE} AS runtime
# tcmalloc: glibc malloc fragments under TorchSharp until it runs out of memory (docs/native-torch.md). Ubuntu 24.04
# names the package libtcmalloc-minimal4t64; older bases libtcmalloc-minimal4. Same library path either way.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3t64 zlib1g tzdata \
 && (apt-get install -y --no-install-recommends libtcmalloc-minimal4t64 || apt-get install -y --no-install-recommends libtcmalloc-minimal4) \
 && test -f /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=dotnet-runtime /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && groupadd --gid 10001 stablesnn && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin stablesnn \
 && mkdir -p /artifacts && chown 10001:10001 /artifacts
COPY --from=build --chown=0:0 /app /app
WORKDIR /app
ENV DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_RUNNING_IN_CONTAINER=true \
    DOTNET_gcServer=1 \
    ASPNETCORE_URLS=http://+:8080 \
    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
    Storage__Provider=postgresql \
    Node__ArtifactRoot=/artifacts/runs \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
# 8080: HTTP (/metrics, /health/*); 11111: silo-to-silo; 30000: client gateway (Orleans defaults); 8081: the
# Orleans Dashboard when Dashboard__Enabled=true.
EXPOSE 8080 11111 30000 8081
USER 10001:10001
# exec form: the silo is PID 1 and gets SIGTERM itself (it stops its trainers, which keep their checkpoints).
ENTRYPOINT ["dotnet", "/app/StableSnn.Silo.dll"]
