#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (never a downloaded browser). Installs the package when it
# is missing; needs root or password-less sudo, as on the CI machine.
set -euo pipefail
if command -v /usr/bin/chromium >/dev/null 2>&1; then exit 0; fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
echo "Installing Debian's chromium for the browser tests…" >&2
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
