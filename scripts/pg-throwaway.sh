#!/bin/sh
# A throwaway PostgreSQL cluster for tests and benchmarks: loopback only, no
# durability, trust authentication for the user "hrbridge".
#   pg-throwaway.sh start DIR   initdb + pg_ctl start in DIR (created); prints
#                               its URL, postgresql://hrbridge@127.0.0.1:PORT/
#   pg-throwaway.sh stop DIR    stops it and removes DIR
# As root it runs the server as HB_PG_USER (default nobody): PostgreSQL
# refuses to run as root. HB_PG_BIN names the server's bin directory.
set -u
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
bin=${HB_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
as=""
[ "$(id -u)" -eq 0 ] && as="runuser -u ${HB_PG_USER:-nobody} --"

case $cmd in
start)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        echo "pg: no PostgreSQL server found (set HB_PG_BIN or install postgresql)" >&2
        exit 1
    fi
    mkdir -p "$dir" || exit 1
    [ -n "$as" ] && chown "${HB_PG_USER:-nobody}" "$dir"
    if ! $as "$bin/initdb" -D "$dir/data" -U hrbridge --auth=trust --locale=C -E UTF8 \
        >"$dir/initdb.log" 2>&1; then
        echo "pg: initdb failed:" >&2
        cat "$dir/initdb.log" >&2
        exit 1
    fi
    for _ in 1 2 3 4 5; do
        port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
        if $as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off \
                -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
            start >/dev/null 2>&1; then
            echo "postgresql://hrbridge@127.0.0.1:$port/"
            exit 0
        fi
    done
    echo "pg: the server did not start:" >&2
    cat "$dir/server.log" >&2
    exit 1
    ;;
stop)
    [ -d "$dir/data" ] && $as "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
