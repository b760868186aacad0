#!/usr/bin/env bash
# System packages some tests use (Debian). Tests never need Python.
# Idempotent and quiet; skipped when not root or apt is missing.
set -euo pipefail
need=()
# chromium: the viewer test (examples/__tests__/viewer.test.ts) drives Debian's /usr/bin/chromium.
[ -x /usr/bin/chromium ] || need+=(chromium)
# a C toolchain and Python for node-gyp: `pnpm install` builds the optional @hyped/native addon, whose tests
# (box reads, the foreground-mask kernel against JavaScript) skip when it did not build.
{ command -v cc && command -v g++ && command -v make; } >/dev/null 2>&1 || need+=(build-essential)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ "${#need[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: missing ${need[*]} (not root or no apt); tests that need them will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
