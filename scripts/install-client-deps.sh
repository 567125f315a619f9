#!/usr/bin/env bash
# Installs the Python Kafka clients that tests/clients/ drives into a
# project-local virtualenv, .cache/venv (created on first use, kept after):
# aiokafka and confluent-kafka (its manylinux wheel bundles librdkafka), with
# the codec modules aiokafka needs for snappy/lz4/zstd. The versions are
# pinned here; changing them re-installs. Prints the venv's python path.
# Needs python3 with the venv module (Debian: python3-venv) and PyPI.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.cache/venv"
pins=(aiokafka==0.14.0 confluent-kafka==2.16.2 cramjam==2.14.0)
stamp="$venv/.pins"

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${pins[*]}" ]; then
  echo "$venv/bin/python"
  exit 0
fi

python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "install-client-deps: no $python on PATH (the Python client tests need Python 3.9 or later)" >&2
  exit 1
fi
echo "[install-client-deps] creating $venv with ${pins[*]} (first use only)" >&2
rm -rf "$venv.partial"
if ! "$python" -m venv "$venv.partial" >&2; then
  echo "install-client-deps: '$python -m venv' failed; on Debian install python3-venv" >&2
  exit 1
fi
if ! "$venv.partial/bin/python" -m pip install -q --disable-pip-version-check "${pins[@]}" >&2; then
  echo "install-client-deps: pip could not install ${pins[*]} from PyPI (is the registry reachable?)" >&2
  rm -rf "$venv.partial"
  exit 1
fi
echo "${pins[*]}" > "$venv.partial/.pins"
rm -rf "$venv"
mv "$venv.partial" "$venv"
echo "$venv/bin/python"
