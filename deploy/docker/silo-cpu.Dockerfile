# syntax=docker/dockerfile:1
# StableSnn silo for CPU nodes (dev clusters, CPU-only pools): CPU libtorch, trainer beside the silo, tcmalloc.
#   docker build -f deploy/docker/silo-cpu.Dockerfile -t REGISTRY/stablesnn-silo-cpu:VERSION .
# Tags are pinned; pin digests too for reproducible builds. No secrets are baked in.

ARG DOTNET_SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0.105-noble
ARG DOTNET_RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0.5-noble

FROM ${DOTNET_SDK_IMAGE} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/ src/
RUN dotnet restore src/Silo/StableSnn.Silo.csproj && dotnet restore src/Trainer/StableSnn.Trainer.csproj
RUN dotnet publish src/Silo/StableSnn.Silo.csproj -c Release --no-restore -o /app \
 && dotnet publish src/Trainer/StableSnn.Trainer.csproj -c Release --no-restore -o /app \
 && test -x /app/StableSnn.Trainer && test -f /app/StableSnn.Silo.dll

FROM ${DOTNET_RUNTIME_IMAGE} AS runtime
# The aspnet image already has a non-root user "app" (uid 1654); the silo runs as it.
RUN apt-get update \
 && (apt-get install -y --no-install-recommends libtcmalloc-minimal4t64 || apt-get install -y --no-install-recommends libtcmalloc-minimal4) \
 && test -f /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /artifacts && chown 1654:1654 /artifacts
COPY --from=build --chown=0:0 /app /app
WORKDIR /app
ENV DOTNET_gcServer=1 \
    ASPNETCORE_URLS=http://+:8080 \
    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
    Storage__Provider=postgresql \
    Node__ArtifactRoot=/artifacts/runs
EXPOSE 8080 11111 30000 8081
USER 1654:1654
ENTRYPOINT ["dotnet", "/app/StableSnn.Silo.dll"]
