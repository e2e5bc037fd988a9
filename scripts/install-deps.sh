#!/usr/bin/env bash
# Installs every package factory needs to build and test, from Debian 12's archive only.
# Idempotent: when every package is already installed it returns in well under a second.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --run    only what building and running the host needs
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-filesystem1.81-dev libsimdjson-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  libsqlite3-dev libpcap-dev librdkafka-dev
)
test_pkgs=(
  catch2 libbenchmark-dev
  clang libclang-rt-14-dev
  softflowd nfdump pmacct sqlite3 tcpdump kcat
  prometheus chromium
)

pkgs=("${build_pkgs[@]}")
if [[ "${1:-}" != "--run" ]]; then
  pkgs+=("${test_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
