# Greenlight's image: the web server from Next's standalone output (/app/web) and, beside it, the
# app with its production dependencies for the worker and the migration Job (/app), which run
# TypeScript through tsx as `npm run worker` does. Non-root; nothing writes outside /tmp and the
# Next cache, which the manifests mount as emptyDir volumes, so the root filesystem can be read-only.
# Node 22 as package.json's engines asks (>=22.12). Build: docker build -t greenlight:0.1.0 .

FROM node:22.22-bookworm-slim AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
COPY packages/sandbox-cluster/package.json packages/sandbox-cluster/package.json
COPY prisma ./prisma
# The postinstall `prisma generate` loads prisma.config.ts, which imports the migration adapter.
COPY prisma.config.ts ./
COPY lib/db/migration-adapter.ts ./lib/db/
# `npm install`, not `npm ci`: see scripts/test.sh (the registry lacks other platforms' optional binaries).
RUN npm install --no-audit --no-fund --loglevel=error

FROM deps AS build
COPY . .
RUN NEXT_OUTPUT=standalone npx next build && npm prune --omit=dev --no-audit --no-fund --loglevel=error

FROM node:22.22-bookworm-slim AS runtime
# HOSTNAME: where Next's standalone server listens. Kubernetes sets HOSTNAME to the pod's name
# over this, so web-deployment.yaml sets it again in the pod's env.
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0
WORKDIR /app
# The worker and the migration Job: sources, generated client, production node_modules (tsx included).
COPY --from=build --chown=root:root /app/package.json /app/tsconfig.json /app/prisma.config.ts ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/packages ./packages
COPY --from=build --chown=root:root /app/prisma ./prisma
COPY --from=build --chown=root:root /app/lib ./lib
COPY --from=build --chown=root:root /app/scripts ./scripts
COPY --from=build --chown=root:root /app/types ./types
# The web server.
COPY --from=build --chown=root:root /app/.next/standalone ./web
COPY --from=build --chown=root:root /app/.next/static ./web/.next/static
# `node` (uid 1000) owns nothing in /app: the code cannot be changed by the process running it.
USER 1000:1000
EXPOSE 3000 9495
WORKDIR /app/web
CMD ["node", "server.js"]
