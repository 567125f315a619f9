# tsbroker container image: build the single executable with `deno compile`,
# then ship it alone on a small runtime base.
#
#   docker build -t tsbroker .
#   docker run -p 9092:9092 -v tsbroker-data:/var/lib/tsbroker tsbroker
#
# Stage 1: dependencies and the executable (Deno and Bun come from npm, as in development).
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY deno.json mod.ts ./
COPY src ./src
RUN ./node_modules/.bin/deno task compile

# Stage 2: just the executable. distroless/cc has glibc and libstdc++, which the
# deno runtime links against; nothing else is needed.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/dist/tsbroker /usr/local/bin/tsbroker
VOLUME /var/lib/tsbroker
EXPOSE 9092 9464
ENTRYPOINT ["/usr/local/bin/tsbroker"]
CMD ["--override", "listeners=PLAINTEXT://0.0.0.0:9092", \
     "--override", "advertised.listeners=PLAINTEXT://localhost:9092", \
     "--override", "log.dirs=/var/lib/tsbroker", \
     "--override", "tsbroker.metrics.listener=0.0.0.0:9464"]
