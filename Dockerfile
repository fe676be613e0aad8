# hook in a container, made for `hook poll --once` on a schedule (see docs/recipes.md).
# docker build -t hookcli . && docker run --rm -v hook-state:/data -e STRIPE_API_KEY -e HOOK_SECRET \
#   hookcli poll --once --provider stripe -f http://app:3000/webhooks/stripe

# Build stage: compile the TypeScript and pack the package exactly as npm would publish it.
FROM node:20-alpine AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
COPY fixtures ./fixtures
COPY docs ./docs
COPY inspector ./inspector
COPY README.md LICENSE ./
RUN npm ci --ignore-scripts && npm run build && npm pack --ignore-scripts --pack-destination /tmp

# Run stage: only the packed package and its runtime dependencies, run as the image's non-root user.
FROM node:20-alpine
ENV NODE_ENV=production
COPY --from=build /tmp/hookcli-*.tgz /tmp/
# --ignore-scripts: cloudflared's install script would download its binary, which poll never uses.
RUN npm install -g --omit=dev --ignore-scripts /tmp/hookcli-*.tgz && rm /tmp/hookcli-*.tgz \
    && mkdir /data && chown node:node /data
USER node
# The working folder holds hook.config.json (optional) and .hook/, the poll state and its lock.
WORKDIR /data
VOLUME /data
ENTRYPOINT ["hook"]
CMD ["poll", "--once"]
