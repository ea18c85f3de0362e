#!/usr/bin/env bash
# A throwaway PostgreSQL on 127.0.0.1 for the store tests.
#
#   eval "$(.ci/postgres.sh start)"   # installs Debian postgresql if missing, starts, prints the export line
#   .ci/postgres.sh url               # the URL of the running server
#   .ci/postgres.sh status
#   .ci/postgres.sh stop              # stops it (the data folder is removed)
#
# Or source it and call the functions: `. .ci/postgres.sh; pg_start; ...; pg_stop` (pg_start exports the
# variable itself).  Everything but the export line goes to stderr.
#
# `start` is idempotent: a server already started by this script is reused; otherwise the data folder is
# created with initdb (trust auth, UTF-8) in $BACKCHANNEL_PG_DIR (default /tmp/backchannel-pg), the server
# listens on 127.0.0.1 only, on $BACKCHANNEL_PG_PORT (default 55432) or the next free port, and the
# database backchannel_test is created.  As root the server runs as the `postgres` user.

_bc_pg_dir="${BACKCHANNEL_PG_DIR:-${TMPDIR:-/tmp}/backchannel-pg}"
_bc_pg_db="backchannel_test"

_bc_pg_log() { echo "postgres.sh: $*" >&2; }

_bc_pg_bin() {
    local initdb
    if [[ -n "${PGBIN:-}" && -x "$PGBIN/initdb" ]]; then echo "$PGBIN"; return 0; fi
    initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
    if [[ -n "$initdb" ]]; then dirname "$initdb"; return 0; fi
    return 1
}

_bc_pg_install() {
    local sudo=""
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null || { _bc_pg_log "PostgreSQL is not installed and I am not root"; return 1; }
        sudo="sudo"
    fi
    _bc_pg_log "installing Debian postgresql (apt-get)"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2 || return 1
}

# Run a PostgreSQL program as the server's owner: `postgres` when we are root, else ourselves.
_bc_pg_as() {
    if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_bc_pg_port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

_bc_pg_url() { echo "postgresql://postgres@127.0.0.1:$(cat "$_bc_pg_dir/port")/$_bc_pg_db"; }

_bc_pg_running() {
    local bin=$1
    [[ -f "$_bc_pg_dir/port" && -d "$_bc_pg_dir/data" ]] && _bc_pg_as "$bin/pg_ctl" -D "$_bc_pg_dir/data" status >/dev/null 2>&1
}

pg_start() {
    local bin port
    bin=$(_bc_pg_bin) || { _bc_pg_install && bin=$(_bc_pg_bin); } || { _bc_pg_log "no initdb found"; return 1; }
    if ! _bc_pg_running "$bin"; then
        if [[ ! -f "$_bc_pg_dir/data/PG_VERSION" ]]; then
            rm -rf "$_bc_pg_dir" && mkdir -p "$_bc_pg_dir" || return 1
            [[ $EUID -eq 0 ]] && chown postgres:postgres "$_bc_pg_dir"
            _bc_pg_as "$bin/initdb" -D "$_bc_pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
                >"$_bc_pg_dir/initdb.log" 2>&1 || { _bc_pg_log "initdb failed:"; cat "$_bc_pg_dir/initdb.log" >&2; return 1; }
        fi
        port=${BACKCHANNEL_PG_PORT:-55432}
        while _bc_pg_port_busy "$port"; do port=$((port + 1)); done
        _bc_pg_as "$bin/pg_ctl" -D "$_bc_pg_dir/data" -l "$_bc_pg_dir/log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $_bc_pg_dir -c fsync=off" start >/dev/null \
            || { _bc_pg_log "pg_ctl start failed:"; tail -n 20 "$_bc_pg_dir/log" >&2; return 1; }
        echo "$port" >"$_bc_pg_dir/port"
        _bc_pg_log "started PostgreSQL ($("$bin/postgres" --version | awk '{print $3}')) on 127.0.0.1:$port"
    fi
    port=$(cat "$_bc_pg_dir/port")
    if [[ -z $(_bc_pg_as "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname = '$_bc_pg_db'") ]]; then
        _bc_pg_as "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$_bc_pg_db" || return 1
    fi
    BACKCHANNEL_TEST_PG=$(_bc_pg_url)
    export BACKCHANNEL_TEST_PG
    echo "export BACKCHANNEL_TEST_PG=$BACKCHANNEL_TEST_PG"
}

pg_stop() {
    local bin
    bin=$(_bc_pg_bin) || return 0
    if _bc_pg_running "$bin"; then
        _bc_pg_as "$bin/pg_ctl" -D "$_bc_pg_dir/data" -m fast -w stop >/dev/null && _bc_pg_log "stopped"
    fi
    rm -rf "$_bc_pg_dir"
    unset BACKCHANNEL_TEST_PG
}

pg_status() {
    local bin
    bin=$(_bc_pg_bin) && _bc_pg_running "$bin" && { _bc_pg_log "running: $(_bc_pg_url)"; return 0; }
    _bc_pg_log "not running"
    return 3
}

# Executed (not sourced): dispatch on the subcommand.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -uo pipefail
    case "${1:-}" in
        start) pg_start ;;
        stop) pg_stop ;;
        status) pg_status ;;
        url) bin=$(_bc_pg_bin) && _bc_pg_running "$bin" && _bc_pg_url ;;
        *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
    esac
fi
