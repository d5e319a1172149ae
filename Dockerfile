# syntax=docker/dockerfile:1
# One image for every erpsync service: the service is the first argument (or SERVICE):
#   docker run erpsync:local extractor        # transformer, loader, console, wdt-sandbox, xingchen-sandbox
# Build: docker build --build-arg VERSION=0.1.0 --build-arg COMMIT=$(git rev-parse --short HEAD) -t erpsync:local .

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: compile TypeScript and the console's web assets (dev dependencies needed) ---------------
# `npm run build` = tsc (tsconfig.build.json) + vite (apps/console/web/vite.config.ts, the SPA's sources
# beside it) writing dist/console-web; everything it reads is under apps/, libs/ and the tsconfigs.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
RUN npm run build

# --- runtime: production dependencies and the compiled output only ----------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG COMMIT=unknown
LABEL org.opencontainers.image.title="erpsync" \
      org.opencontainers.image.description="Keeps Kingdee Xingchen sales orders in step with WDT orders (extractor, transformer, loader, console)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.licenses="UNLICENSED"
ENV NODE_ENV=production \
    BUILD_VERSION=${VERSION} \
    BUILD_COMMIT=${COMMIT}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# dist/apps/* (the services) and dist/console-web (the console's SPA, served by the console)
COPY --from=build /app/dist ./dist
COPY scripts/start.js scripts/register-paths.js ./scripts/
# the node image's unprivileged user, numeric so Kubernetes can verify runAsNonRoot
USER 1000:1000
EXPOSE 3000 3001 3002 3003 18080 18081
# liveness of whichever service runs: its HTTP_PORT (the console: CONSOLE_PORT); unset, 3001 or 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const ports = [process.env.HTTP_PORT, process.env.CONSOLE_PORT].filter(Boolean); Promise.any((ports.length ? ports : [3001, 3000]).map((port) => fetch('http://127.0.0.1:' + port + '/health/live').then((r) => r.ok || Promise.reject(r.status)))).then(() => process.exit(0), () => process.exit(1))"]
ENTRYPOINT ["node", "scripts/start.js"]
CMD []
