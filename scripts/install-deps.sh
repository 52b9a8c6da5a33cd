#!/bin/sh
# Installs the Debian packages hrbridge needs to build and test (with
# "bench": and to benchmark), but only those that are missing, so it is
# cheap to call before every build.
set -eu

PKGS="build-essential pkg-config clang libmicrohttpd-dev libcurl4-openssl-dev libjansson-dev
libsqlite3-dev sqlite3 libpq-dev postgresql libsodium-dev libcmocka-dev curl jq nodejs npm"
[ "${1:-}" = bench ] && PKGS="$PKGS wrk nginx-light"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# Node.js may come from outside Debian (nvm, nodesource); then npm is not needed as a package.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    missing=$(echo "$missing" | tr ' ' '\n' | grep -vx -e nodejs -e npm | tr '\n' ' ')
fi
missing=$(echo "$missing" | xargs)
[ -z "$missing" ] && exit 0

echo "install-deps: installing $missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
