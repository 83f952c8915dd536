# slipway's own image: docker build -t slipway .
# Two stages: the build (npm ci, tsc) and a small runtime with only production dependencies, as a non-root
# user. On Node 26, the Active LTS line from October 2026 to October 2027 (nodejs/Release schedule.json); the
# code runs on Node 20 and later (package.json engines). See the README (Its image).
FROM node:26-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
RUN npm run build && npm prune --omit=dev

FROM node:26-trixie-slim AS runtime
# git clones the services; chromium runs browser checks (leave it out if you use none); the charts of
# /slipway stats are lettered in DejaVu Sans.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates chromium fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# slipway's data dir (where it keeps a signing key when SLIPWAY_SIGNING_KEY is unset), the node
# user's own: /app itself stays root's.
RUN install -d -o node -g node -m 700 /app/.slipway
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
