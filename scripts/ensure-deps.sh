#!/usr/bin/env bash
# Makes sure the Debian packages Portcullis needs to build and test are present.
# Missing ones are installed when running as root; otherwise the exact command is printed and
# the script fails, so `make run` / `make test` never half-work on a fresh machine.
set -euo pipefail

# package -> how to tell it is already there without dpkg (tools may come from elsewhere)
present() {
  local pkg=$1
  if dpkg -s "$pkg" >/dev/null 2>&1 && dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
    return 0
  fi
  case $pkg in
    libpcre2-dev) command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libpcre2-8 ;;
    pkg-config)   command -v pkg-config >/dev/null 2>&1 ;;
    *)            command -v "$pkg" >/dev/null 2>&1 ;;
  esac
}

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift toolchain (6.x) is not on PATH; install it from https://www.swift.org/install/ and retry" >&2
  exit 1
fi

missing=()
for pkg in "$@"; do
  present "$pkg" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "installing missing packages: ${missing[*]}"
  # Wait for another apt/dpkg run to let go of the lock instead of failing at once.
  apt-get -o DPkg::Lock::Timeout=600 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${missing[@]}"
else
  echo "error: missing packages: ${missing[*]}" >&2
  echo "install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
