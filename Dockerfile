# One image for the hub, the connector workers and the simulators; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY bin ./bin
COPY connectors ./connectors
COPY hub ./hub
COPY schemas ./schemas
COPY simulators ./simulators
COPY stack ./stack
USER node
ENV NODE_ENV=production
CMD ["node", "--import", "tsx", "hub/main.ts"]
