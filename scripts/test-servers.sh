#!/usr/bin/env bash
# `make test` needs PostgreSQL's server binaries and Chromium: the tests start the database
# and the browser themselves, and a missing one fails its tests (it never skips them).
# As root, install what is missing with apt-get; otherwise stop at once with the one command
# to run.
set -euo pipefail
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "make test needs ${missing[*]}; install them, then run make test again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "make test needs ${missing[*]} (this machine has no apt-get: install them with its package manager)" >&2
  exit 1
fi
echo "installing ${missing[*]} for the tests (apt-get)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
