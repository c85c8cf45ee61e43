# syntax=docker/dockerfile:1
# The app image: one image for every role (gateway, persister, simulator); the environment picks
# the role (README's configuration table, docs/operations.md). Build with `docker compose build`
# or `docker build -t tickdash .`.
#
# Debian, never Alpine: the uWebSockets.js registry build ships native binaries for Node 20 on
# Linux x64/arm64 linked against glibc; on musl they do not load and the server refuses to start
# (UWS_ALLOW_FALLBACK=false). Node 20 because several pinned majors need exactly that (DESIGN.md).
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every dependency, dev ones too; compile the server to dist/, the web app to web/build
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- prod-deps: what runs, and nothing else. The web workspace's packages are all
# devDependencies (they only build the page), so none of them lands here. No install scripts: the
# runtime packages ship prebuilt (uWS binaries, PGlite WASM), and the only ones with scripts are
# optional native speed-ups of `ws` that fall back to JavaScript.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY web/package.json web/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ---- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
# Root-owned and read-only for the process. The project root is found by its sql/ and package.json
# (server/src/paths.ts); migrations are read from sql/ on every start.
COPY package.json ./
COPY sql ./sql
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The server serves the built page itself (WEB_DIR, default web/build).
COPY --from=build /app/web/build ./web/build
# Only the embedded mode (no DATABASE_URL) writes here; server mode writes nothing to disk.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 8080
# Liveness only: the process answers HTTP. Compose checks /readyz (Redis, database and schema) for
# the orchestration. Slim images have no curl; Node 20 has fetch.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# main.ts handles SIGTERM (sockets closed with 1001, then Redis and the database), so node may be
# PID 1; compose adds `init: true` anyway so a stray child process is always reaped.
# --single-threaded-gc: server/src/node-flags.ts says why.
CMD ["node", "--single-threaded-gc", "dist/server/src/main.js"]
