# slipway's own image: docker build -t slipway .
# Two stages: the build (npm ci, tsc) and a small runtime with only production dependencies, as a non-root
# user. It needs the node:20-bookworm-slim base image from a registry; see the README (Packaging).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
# git clones the services; chromium runs browser checks (leave it out if you use none); the charts of
# /slipway stats are lettered in DejaVu Sans.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates chromium fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json manifest.yml ./
COPY examples ./examples
ENV NODE_ENV=production PORT=3000
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
