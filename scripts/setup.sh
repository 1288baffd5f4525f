#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need and is missing; quick and silent the second time.
# Prints `export` lines of what it found only to the env file named by $1 (if given).
# Stops with a message naming the exact missing piece where it cannot install it.
set -euo pipefail
cd "$(dirname "$0")/.."

LIVEKIT_VERSION=v1.13.5
LIVEKIT_MODULE=github.com/livekit/livekit-server/cmd/server
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/live-shop"
LIVEKIT_BIN="$CACHE_DIR/livekit-server-$LIVEKIT_VERSION/server"

say() { printf '[setup] %s\n' "$*" >&2; }
missing() { say "MISSING: $1"; say "$2"; exit 1; }

# Node and npm.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || missing "Node.js >= 20 (found: $(node --version 2>/dev/null || echo none))" "Install Node.js 20 or newer, then run this again."

# npm packages: install when package-lock.json is newer than the installed tree. `npm install`
# rather than `npm ci`: it installs the locked versions all the same, and unlike `npm ci` it
# tolerates optional platform packages that the registry here lacks (rollup's android/darwin
# builds, which the lock therefore cannot list).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm install from package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error >&2
fi

# Debian packages: installed with apt-get when we are root, named otherwise.
apt_updated=0
need_deb() { # need_deb COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    if [ $apt_updated = 0 ]; then say "apt-get update"; apt-get update -qq >&2; apt_updated=1; fi
    say "installing Debian package $2"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2 || missing "Debian package $2" "apt-get install -y $2 failed; install it and run this again."
  else
    missing "$1 (Debian package $2)" "Run as root: apt-get update && apt-get install -y $2"
  fi
}
need_deb chromium chromium
need_deb ffmpeg ffmpeg

# livekit-server at the pinned version, built once per machine from the Go module proxy.
if [ -n "${LIVEKIT_SERVER_BIN:-}" ]; then
  [ -x "$LIVEKIT_SERVER_BIN" ] || missing "LIVEKIT_SERVER_BIN=$LIVEKIT_SERVER_BIN is not an executable" "Unset it to let setup build livekit-server $LIVEKIT_VERSION."
  LIVEKIT_BIN="$LIVEKIT_SERVER_BIN"
elif [ ! -x "$LIVEKIT_BIN" ]; then
  command -v go >/dev/null 2>&1 || missing "Go >= 1.26 (to build livekit-server $LIVEKIT_VERSION)" "Install Go, or set LIVEKIT_URL/LIVEKIT_API_KEY/LIVEKIT_API_SECRET to use an existing LiveKit."
  say "building livekit-server $LIVEKIT_VERSION with go install (once per machine)"
  mkdir -p "$(dirname "$LIVEKIT_BIN")"
  if ! GOBIN="$(dirname "$LIVEKIT_BIN")" GOFLAGS=-mod=mod go install "$LIVEKIT_MODULE@$LIVEKIT_VERSION" >&2; then
    missing "livekit-server $LIVEKIT_VERSION" "The command failed: go install $LIVEKIT_MODULE@$LIVEKIT_VERSION"
  fi
fi

if [ -n "${1:-}" ]; then
  mkdir -p "$(dirname "$1")"
  printf 'export LIVEKIT_SERVER_BIN=%q\n' "$LIVEKIT_BIN" > "$1"
fi
