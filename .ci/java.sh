#!/usr/bin/env bash
# A Java runtime for the Spark tests (pyspark 4 needs Java 17 or 21).
#
#   .ci/java.sh        # prints `java -version`; installs Debian default-jre-headless first when java is missing
#
# Idempotent and quiet: nothing is installed when a `java` is already on PATH (or under $JAVA_HOME).
# Everything goes to stderr; the exit status is 0 when a java runs afterwards.
set -euo pipefail

log() { echo "java.sh: $*" >&2; }

have_java() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then return 0; fi
    command -v java >/dev/null 2>&1
}

if ! have_java; then
    sudo=""
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null || { log "java is not installed and I am not root"; exit 1; }
        sudo="sudo"
    fi
    log "installing Debian default-jre-headless (apt-get)"
    # ca-certificates-java's postinst expects this man folder on slim images.
    $sudo mkdir -p /usr/share/man/man1
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless >&2
fi

java_bin=java
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then java_bin="$JAVA_HOME/bin/java"; fi
"$java_bin" -version 2>&1 | head -n 1 >&2
