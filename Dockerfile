# The webhook service's image: Node 20 with production dependencies only. tsx is one of them:
# the service runs its TypeScript directly, so there is no build step to drift from the source.
FROM node:20-slim

ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .

USER node
ENV PORT=8080 HOST=0.0.0.0
EXPOSE 8080
CMD ["npm", "start"]
