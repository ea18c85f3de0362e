#!/usr/bin/env bash
# Debian's headless-capable Chromium for the browser tests (tests/test_web_browser.py).
#
#   .ci/chromium.sh          # installs /usr/bin/chromium with apt-get when it is missing; prints its version
#
# Playwright drives this binary through `executable_path`; `playwright install` is never run (it would
# download a browser build at test time).  Idempotent: does nothing but print the version when
# /usr/bin/chromium is already there.  As a non-root user it needs sudo.  Output of apt goes to stderr
# (`-q` keeps its "Need to get N MB" and package lines, for timing estimates).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
log() { echo "chromium.sh: $*" >&2; }

if [[ ! -x "$CHROMIUM" ]]; then
    sudo=""
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null || { log "chromium is not installed and I am not root (no sudo)"; exit 1; }
        sudo="sudo"
    fi
    started=$SECONDS
    log "installing Debian chromium (apt-get)"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >&2
    log "installed in $((SECONDS - started)) s"
fi
"$CHROMIUM" --version >&2 || true
