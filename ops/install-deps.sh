#!/usr/bin/env bash
# Installs the system packages this project builds and tests with, from Debian 12's apt repos:
# the Redis and PostgreSQL servers the tests run against, and the C libraries (hiredis, libpq,
# libcurl, libpng) that Package.swift links through pkg-config.
#
# Idempotent: when every package is already installed it does not touch apt at all; otherwise it
# installs only the missing ones (already-installed packages are not upgraded).
# Runs apt-get directly as root, through sudo otherwise.
#
# Usage: ops/install-deps.sh
set -euo pipefail

PACKAGES=(
    redis-server          # redis-server binary; pulls in redis-tools (redis-cli)
    redis-tools
    postgresql            # PostgreSQL 15 server: initdb, pg_ctl, pg_isready, psql, createdb
    libhiredis-dev        # CHiredis
    libpq-dev             # CLibpq (also provides pg_config)
    libcurl4-openssl-dev  # CCurl
    libpng-dev            # CLibpng
    pkg-config            # SwiftPM finds the C libraries through it
    git                   # SwiftPM resolves package dependencies with it
    procps                # ps, pgrep, pkill, kill
    python3               # bench harnesses; the test venv
    python3-venv          # ops/test-venv.sh (moto's S3 server for the hydration tests)
    util-linux            # runuser
    ca-certificates
    tzdata                # IANA time zones: schedules' cron in Europe/London, America/New_York, …
    chromium              # the dashboard's browser tests (headless; never a downloaded browser)
    chromium-driver       # chromedriver, which Selenium (test venv) drives chromium through
    fonts-dejavu-core     # a font for the dashboard screenshots the browser tests write
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    if [[ "$status" != "installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#PACKAGES[@]} packages already installed"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"

if [[ "$(id -u)" -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-deps: error: not root and sudo is not available; install as root: apt-get install ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-o DPkg::Lock::Timeout=300)

# The package lists are the part that needs the network most; retry a few times on a blip.
for attempt in 1 2 3; do
    if "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" -q update; then
        break
    fi
    if [[ $attempt -eq 3 ]]; then
        echo "install-deps: error: apt-get update failed 3 times" >&2
        exit 1
    fi
    echo "install-deps: apt-get update failed, retrying in 5s" >&2
    sleep 5
done

"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" -q install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"

echo "install-deps: done"
