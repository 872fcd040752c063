# syntax=docker/dockerfile:1
# The stablesnn CLI, for submitting and watching sweeps from inside the cluster (or a CI job):
#   docker build -f deploy/docker/client.Dockerfile -t REGISTRY/stablesnn-client:VERSION .
#   kubectl -n stablesnn run stablesnn-cli --rm -it --image=REGISTRY/stablesnn-client:VERSION -- \
#     list --cluster stablesnn-gateway:30000
# The CLI also hosts an embedded silo when --cluster is omitted, so it ships the CPU trainer and tcmalloc too.

ARG DOTNET_SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0.105-noble
ARG DOTNET_RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0.5-noble

FROM ${DOTNET_SDK_IMAGE} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/ src/
RUN dotnet restore src/Client/StableSnn.Client.csproj
RUN dotnet publish src/Client/StableSnn.Client.csproj -c Release --no-restore -o /app \
 && test -x /app/stablesnn

FROM ${DOTNET_RUNTIME_IMAGE} AS runtime
RUN apt-get update \
 && (apt-get install -y --no-install-recommends libtcmalloc-minimal4t64 || apt-get install -y --no-install-recommends libtcmalloc-minimal4) \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build --chown=0:0 /app /app
# Sweep specs (examples/*.yaml) can be mounted at /work or passed with kubectl cp.
COPY examples/ /work/examples/
WORKDIR /work
ENV LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
USER 1654:1654
ENTRYPOINT ["/app/stablesnn"]
