#!/usr/bin/env bash
# Installs the real Kafka clients the integration tests drive, when missing:
# kcat and confluent-kafka-python (librdkafka) from Debian's packages, plus the
# Python codec modules the data-path tests use to decompress stored batches
# (lz4, snappy, zstandard); kafkajs comes from npm (package.json). Needs root or
# sudo for apt-get.
set -euo pipefail

need=()
command -v kcat >/dev/null 2>&1 || need+=(kcat)
/usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 || need+=(python3-confluent-kafka)
/usr/bin/python3 -c 'import lz4.frame' >/dev/null 2>&1 || need+=(python3-lz4)
/usr/bin/python3 -c 'import snappy' >/dev/null 2>&1 || need+=(python3-snappy)
/usr/bin/python3 -c 'import zstandard' >/dev/null 2>&1 || need+=(python3-zstandard)
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
