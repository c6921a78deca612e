# The webhook service's production image: compiled JavaScript on the current Node LTS, production
# dependencies only, run by the unprivileged `node` user, with a health check on /healthz.
# Stage 1 compiles the service and the doctor (esbuild: one file each, the packages left to
# node_modules); stage 2 has no compiler, no TypeScript loader and no test or bench code.
# The doctor and the index migration run in a container of this image: `node dist/service/doctor.js`,
# `node dist/service/migrate.js`.

FROM node:26-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY plugin ./plugin
COPY webhook-service ./webhook-service
COPY scripts/doctor.ts scripts/migrate.ts ./scripts/
RUN npm run build:service

FROM node:26-bookworm-slim AS runtime
# `docker build --build-arg AUTOSTART_VERSION=$(node -p "require('./package.json').version") --build-arg AUTOSTART_REVISION=$(git rev-parse HEAD) .`
# names the image (OCI labels) and lets the service report its revision at /version.
ARG AUTOSTART_VERSION=0.0.0-unknown
ARG AUTOSTART_REVISION=
LABEL org.opencontainers.image.title="livekit-session-autostart" \
      org.opencontainers.image.description="Starts LiveKit counseling sessions by themselves: the webhook service and its lifecycle worker" \
      org.opencontainers.image.version="${AUTOSTART_VERSION}" \
      org.opencontainers.image.revision="${AUTOSTART_REVISION}" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.documentation="docs/operations.md"
ENV NODE_ENV=production AUTOSTART_REVISION=${AUTOSTART_REVISION}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/service ./dist/service
USER node
ENV PORT=8080 HOST=0.0.0.0
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly (no npm in between), so SIGTERM reaches the service and shuts it down gracefully.
CMD ["node", "dist/service/main.js"]
