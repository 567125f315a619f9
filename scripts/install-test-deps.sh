#!/usr/bin/env bash
# Installs the real Kafka clients the integration tests drive, when missing:
# kcat and confluent-kafka-python (librdkafka) from Debian's packages, plus the
# Python codec modules the data-path tests use to decompress stored batches
# (lz4, snappy, zstandard), and Debian's chromium for the web console's browser
# test (tests/integration/console_browser_test.ts, driven by playwright-core);
# kafkajs and playwright-core come from npm (package.json). Needs root or sudo
# for apt-get.
#
# With INSTALL_NODE_RDKAFKA=1, and always in CI (CI=true): node-rdkafka 3.3.1 (librdkafka 2.8.0,
# which speaks Kafka 3.9's ConsumerGroupHeartbeat v0) for the KIP-848 test
# (tests/integration/groups_kip848_test.ts, skipped without it outside CI), installed
# under .cache/node-rdkafka, outside package.json: it compiles librdkafka
# (about two minutes on two cores; needs g++, make and python3), so cache that
# directory between CI runs.
set -euo pipefail

if [ "${INSTALL_NODE_RDKAFKA:-0}" = "1" ] || [ "${CI:-}" = "true" ]; then
  prefix="$(cd "$(dirname "$0")/.." && pwd)/.cache/node-rdkafka"
  if [ ! -f "$prefix/node_modules/node-rdkafka/build/Release/node-librdkafka.node" ]; then
    echo "[install-test-deps] npm i node-rdkafka@3.3.1 into $prefix (compiles librdkafka)" >&2
    mkdir -p "$prefix"
    npm i --no-save --no-audit --no-fund --prefix "$prefix" node-rdkafka@3.3.1 >&2
  fi
fi

need=()
command -v kcat >/dev/null 2>&1 || need+=(kcat)
/usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 || need+=(python3-confluent-kafka)
/usr/bin/python3 -c 'import lz4.frame' >/dev/null 2>&1 || need+=(python3-lz4)
/usr/bin/python3 -c 'import snappy' >/dev/null 2>&1 || need+=(python3-snappy)
/usr/bin/python3 -c 'import zstandard' >/dev/null 2>&1 || need+=(python3-zstandard)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-test-deps: need root (or sudo) to apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
echo "[install-test-deps] apt-get install ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
