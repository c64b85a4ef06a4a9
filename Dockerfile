# Station's container image. Build: docker build -t station:0.1.0 .
# Stages: build (dev dependencies, npm run build), prod-deps (production dependencies only, compiled with the
# build tools the SQLite driver needs), run (node, the built files, production node_modules, litestream; no
# compilers, no dev dependencies). See "Deploying" in the README.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS toolchain
# better-sqlite3-multiple-ciphers compiles its native module with node-gyp: python3, make and g++.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./

FROM toolchain AS build
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY tools ./tools
COPY bin ./bin
COPY src ./src
RUN npm run build

FROM toolchain AS prod-deps
RUN npm ci --omit=dev

# Litestream replicates station.db (single-node layout); the binary from its official image, statically linked.
FROM litestream/litestream:0.3.13 AS litestream

FROM ${NODE_IMAGE} AS run
ENV NODE_ENV=production \
  STATION_HOME=/data/station
RUN groupadd --system --gid 10001 station \
  && useradd --system --uid 10001 --gid station --home-dir /data --no-create-home --shell /usr/sbin/nologin station \
  && mkdir -p /data \
  && chown station:station /data
COPY --from=litestream /usr/local/bin/litestream /usr/local/bin/litestream
WORKDIR /app
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/oclif.manifest.json ./
COPY bin ./bin
COPY templates ./templates
COPY bundles ./bundles
COPY --chmod=0755 deploy/entrypoint.sh /usr/local/bin/station-entrypoint
RUN ln -s /app/bin/run.js /usr/local/bin/stn
USER station
# The Station home (station.db, config.yaml, environments/); with Litestream it may be ephemeral.
VOLUME ["/data"]
EXPOSE 8585
# No curl in the slim image: node asks /health (no key needed).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8585/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The entrypoint execs stn serve (or litestream, which forwards the signal to it): SIGTERM drains runs and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/station-entrypoint"]
# Inside the container serve binds every address (the port is published or put behind a Service); every path but
# /health, /ready and the web UI's files needs an API key (stn key create).
CMD ["--host", "0.0.0.0", "--port", "8585"]
