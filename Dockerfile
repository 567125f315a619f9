# tsbroker container image: build the single executable with `deno compile`,
# then ship it alone on a small runtime base, running as a non-root user.
#
#   docker build -t tsbroker .
#   docker run -p 9092:9092 -p 9464:9464 -v tsbroker-data:/var/lib/tsbroker tsbroker
#   docker run ... tsbroker --override num.partitions=3   (adds to the image's config)
#   docker run -e KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://myhost:9092 ... tsbroker
#
# Configuration: /etc/tsbroker/broker.toml (docker/broker.toml here), then
# KAFKA_* / TSBROKER_* environment variables, then --override arguments.
#
# Stage 1: dependencies and the executable (Deno and Bun come from npm, as in development).
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY deno.json mod.ts ./
COPY src ./src
RUN ./node_modules/.bin/deno task compile
# The data directory, owned by the runtime user (distroless "nonroot", uid
# 65532): Docker initialises a new named volume from the image's directory,
# ownership included, so the broker can write to a fresh volume.
RUN mkdir -p /rootfs/var/lib/tsbroker && chown 65532:65532 /rootfs/var/lib/tsbroker

# Stage 2: just the executable and its config. distroless/cc has glibc and
# libstdc++, which the deno runtime links against; nothing else is needed.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/dist/tsbroker /usr/local/bin/tsbroker
COPY docker/broker.toml /etc/tsbroker/broker.toml
COPY --from=build --chown=65532:65532 /rootfs/var/lib/ /var/lib/
USER 65532:65532
VOLUME /var/lib/tsbroker
EXPOSE 9092 9464
# The config is part of the entry point, so arguments given to `docker run`
# (e.g. --override key=value) are added to it rather than replacing it.
ENTRYPOINT ["/usr/local/bin/tsbroker", "--config", "/etc/tsbroker/broker.toml"]
CMD []
