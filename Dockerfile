# One image for the hub, the connector workers and the simulators; docker-compose.yml picks the command.
# The command center's screen is built first (esbuild and ECharts are build-time only).
FROM node:20-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY hub/web ./hub/web
COPY schemas/catalogues ./schemas/catalogues
COPY scripts/build-web.ts ./scripts/
RUN npx tsx scripts/build-web.ts

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY bin ./bin
COPY core ./core
COPY counties ./counties
COPY connectors ./connectors
COPY hub ./hub
COPY --from=web /app/hub/web/dist ./hub/web/dist
COPY schemas ./schemas
COPY simulators ./simulators
COPY stack ./stack
# the file-drop folders, owned by the service user (a named volume mounted here starts as a copy)
RUN mkdir -p /drops/natural-resources /drops/emergency && chown -R node:node /drops
USER node
ENV NODE_ENV=production
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "hub/main.ts"]
