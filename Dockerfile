# Builds the tslogs plugin rootfs where a registry is reachable. (Offline, on a machine
# without registry access, scripts/build-plugin-rootfs.sh builds the same layout from the
# host's node binary; scripts/plugin-install.sh uses that one. This file is not used by
# the tests.)
#
# A managed plugin is a directory with config.json and rootfs/. To turn this image into
# one and install it:
#
#   docker build -t tslogs-plugin-rootfs .
#   rm -rf build/plugin && mkdir -p build/plugin/rootfs
#   id=$(docker create tslogs-plugin-rootfs)
#   docker export "$id" | tar -x -C build/plugin/rootfs
#   docker rm -v "$id"
#   cp plugin/config.json build/plugin/config.json
#   mkdir -p /var/lib/tslogs                     # source of the "store" bind mount
#   docker plugin create tslogs build/plugin
#   docker plugin enable --timeout 0 tslogs      # 0: `docker logs -f` is not cut after 30 s
#
# plugin/config.json runs ["/usr/bin/node", "/app/dist/cli/main.js", "plugin"], so the
# image provides /usr/bin/node (the node image installs it in /usr/local/bin).

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
RUN ln -sf /usr/local/bin/node /usr/bin/node \
 && mkdir -p /run/docker/plugins /var/lib/tslogs /app
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The plugin's environment comes from config.json (not from this image); these make
# `docker run` of the image behave the same for debugging.
ENV TSLOGS_ROOT=/var/lib/tslogs \
    TSLOGS_SOCKET=/run/docker/plugins/tslogs.sock \
    LOG_LEVEL=info
ENTRYPOINT ["/usr/bin/node", "/app/dist/cli/main.js", "plugin"]
