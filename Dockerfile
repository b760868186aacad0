# The hyped CLI in a container, for cluster runs of `hyped pipeline` (see docs/cluster.md).
#   docker build -t hyped .
#   docker run --rm -v /data:/data hyped pipeline /data/frames --out /data/results --shard auto/8
# Node 20 on Debian bookworm; the native N-API reader (@hyped/native) and zstd-napi are built at install
# (python3, make and g++ are needed for that, then removed); without them the wasm/JavaScript paths are used.
FROM node:20-bookworm-slim AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 make g++ >/dev/null && rm -rf /var/lib/apt/lists/*
RUN npm i -g pnpm@10
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
# the CLI restarts itself once to enable transparent huge pages; start it with the tunable instead
ENV GLIBC_TUNABLES=glibc.malloc.hugetlb=1 \
    NODE_OPTIONS=--max-old-space-size=6144
RUN ln -s /app/packages/cli/dist/index.js /usr/local/bin/hyped && chmod +x /app/packages/cli/dist/index.js
ENTRYPOINT ["hyped"]
CMD ["--help"]
