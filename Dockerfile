# syntax=docker/dockerfile:1
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the build uses the platform binaries npm installs as optional packages (esbuild, @swc/core),
# not their install scripts, as `npm ci` on npm 11 leaves them too; and nothing phones home at build time.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
COPY test/simulator ./test/simulator
COPY scripts/build.mjs ./scripts/
RUN npm run build

FROM node:20-bookworm-slim
# An init as PID 1: it passes docker stop's SIGTERM on to the gateway and reaps zombies. Node as PID 1 ignores
# every signal it has no handler for yet (while it loads node itself, before the gateway's first module sets them).
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production PORT=8088 HOST=0.0.0.0 DATA_DIR=/data
WORKDIR /app
# The runtime dependencies only, installed from the lockfile (no build tools, no dev packages), owned by root:
# the gateway's user reads the code and writes nothing but DATA_DIR. --omit=optional too: typescript (24 MB) is a
# dev package that @nestjs/swagger names as an optional peer (for its compiler plugin, which the built gateway does
# not load), so --omit=dev alone keeps it; the only other optional package is pg's Cloudflare Workers socket.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The embedded database's directory (DATA_DIR), owned by the gateway's user: a named volume mounted there
# (`-v cvgw-data:/data`) starts as a copy of it, so it is writable from the first start. No VOLUME line: with
# DATABASE_URL (docker-compose.yml) /data holds nothing, and a VOLUME would give every such container an
# anonymous volume nobody uses; the README's `docker run` mounts a named volume there for the embedded database.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8088
# Longer than /health's own wait for the database (HEALTH_TIMEOUT_MS, 3 s) plus node's start, so a database
# that does not answer gets the endpoint's 503 rather than a check killed as a timeout. It asks where the gateway
# listens: PORT, and HOST unless that is every address (then 127.0.0.1), so `-e HOST=<one address>` stays healthy.
HEALTHCHECK --interval=15s --timeout=10s --start-period=120s --retries=3 \
  CMD ["node", "-e", "const h=(process.env.HOST||'').trim().replace(/^\\[|\\]$/g,'');const a=!h||h==='0.0.0.0'||h==='::'?'127.0.0.1':h.includes(':')?'['+h+']':h;fetch('http://'+a+':'+((process.env.PORT||'').trim()||8088)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM (docker stop's default, said here so nothing changes it) stops the gateway gracefully within 15 s
# (then it exits by itself): give `docker stop` more than that (`--stop-timeout 20`; compose: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
# Migrations run at start, under an advisory lock, before the port opens; SIGTERM meanwhile stops them cleanly.
CMD ["node", "dist/src/main.js"]
