#!/usr/bin/env bash
# Installs what `deno task bench` needs, when missing, from Debian's packages:
# a C compiler and librdkafka's headers (for scripts/bench/loadgen.c), kcat,
# taskset, and the reference systems Redis (redis-server + redis-benchmark)
# and NATS (nats-server, with JetStream). Needs root or sudo for apt-get.
# `--check` only lists what is missing (exit 1 if anything is).
set -euo pipefail

need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v make >/dev/null 2>&1 || need+=(make)
[ -f /usr/include/librdkafka/rdkafka_mock.h ] || need+=(librdkafka-dev)
command -v kcat >/dev/null 2>&1 || need+=(kcat)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-benchmark >/dev/null 2>&1 || need+=(redis-tools)
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "${1:-}" = "--check" ]; then
  echo "install-bench-deps: missing ${need[*]}" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-bench-deps: need root (or sudo) to apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
echo "[install-bench-deps] apt-get install ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts the packaged services; the benchmark runs its own instances on
# free ports, so the system ones are only stopped if this script started them.
for svc in redis-server nats-server; do
  case " ${need[*]} " in
    *" $svc "*) $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || $sudo service "$svc" stop >/dev/null 2>&1 || true ;;
  esac
done
