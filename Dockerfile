# syntax=docker/dockerfile:1
# The bot as a container: built in one stage, run from another with production dependencies only, as the
# unprivileged `node` user. No settings are baked in: they come from the environment at run time (compose.yaml
# reads .env, which .dockerignore keeps out of the build context).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY handlers ./handlers
COPY cards ./cards
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-fund --no-audit --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# /healthz answers while the process serves; readiness (/readyz: Redis, the Lark connection) is for load balancers.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1: src/main.ts handles SIGTERM (drain, then exit) and SIGHUP (reload ROUTES_FILE).
CMD ["node", "dist/src/main.js"]
