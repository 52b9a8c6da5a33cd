#!/bin/sh
# Runs the test programs given (unit tests, then "--", then e2e tests), then
# the SDK tests under tests/sdk, and prints one summary line last:
#   N passed, N failed
# Every program is a cmocka runner; one that dies without its summary counts
# as one failure. Exits non-zero when anything failed.
#
# The e2e programs run twice: on SQLite, then on PostgreSQL. For the second
# round HRBRIDGE_TEST_PG names a server ("postgresql://USER@HOST:PORT/", each
# test makes and drops its own databases there); when it is not set, a
# throwaway cluster is started here (initdb + pg_ctl, as an unprivileged user
# when run as root, on a random loopback port) and removed at the end.
# HB_SKIP_PG=1 skips the PostgreSQL round.
set -u

passed=0
failed=0
failures=""
log=$(mktemp)
pg_dir=""
pg_bin=""
pg_as=""

pg_stop() {
    if [ -n "$pg_dir" ]; then
        $pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1
        rm -rf "$pg_dir"
        pg_dir=""
    fi
}
trap 'pg_stop; rm -f "$log"' EXIT
trap 'exit 130' INT TERM

# Starts a throwaway PostgreSQL cluster; sets HRBRIDGE_TEST_PG. Returns 1 when
# it cannot.
pg_start() {
    pg_bin=${HB_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
    if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
        echo "pg: no PostgreSQL server found (set HB_PG_BIN or install postgresql)"
        return 1
    fi
    pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/hrbridge-pg-XXXXXX") || return 1
    if [ "$(id -u)" -eq 0 ]; then
        # PostgreSQL refuses to run as root.
        pg_user=${HB_PG_USER:-nobody}
        chown "$pg_user" "$pg_dir" || return 1
        pg_as="runuser -u $pg_user --"
    fi
    if ! $pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U hrbridge --auth=trust --locale=C -E UTF8 \
        >"$pg_dir/initdb.log" 2>&1; then
        echo "pg: initdb failed:"
        cat "$pg_dir/initdb.log"
        return 1
    fi
    for _ in 1 2 3 4 5; do
        pg_port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
        # Loopback only; durability does not matter for a throwaway cluster.
        if $pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
            -o "-k $pg_dir -p $pg_port -c listen_addresses=127.0.0.1 -c fsync=off \
                -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
            start >/dev/null 2>&1; then
            HRBRIDGE_TEST_PG="postgresql://hrbridge@127.0.0.1:$pg_port/"
            export HRBRIDGE_TEST_PG
            return 0
        fi
    done
    echo "pg: the server did not start:"
    cat "$pg_dir/server.log"
    return 1
}

# Adds the counts of one cmocka run (its output is in $log, its status in $2).
count_cmocka() {
    name=$1
    status=$2
    p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$log" | tail -1)
    p=${p:-0}
    f=${f:-0}
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # crashed or failed outside a test
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" -gt 0 ] && failures="$failures $name"
}

run_suite() {
    kind=$1
    suffix=$2
    shift 2
    for t in "$@"; do
        echo "== $kind: $t"
        "$t" >"$log" 2>&1
        status=$?
        cat "$log"
        count_cmocka "$t$suffix" "$status"
    done
}

unit=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    unit="$unit $1"
    shift
done
[ $# -gt 0 ] && shift

# The PostgreSQL server comes first: test_postgres uses it too.
pg_url=${HRBRIDGE_TEST_PG:-}
if [ -z "${HB_SKIP_PG:-}" ] && [ -z "$pg_url" ] && { [ $# -gt 0 ] || [ -n "$unit" ]; }; then
    if pg_start; then
        pg_url=$HRBRIDGE_TEST_PG
    else
        failed=$((failed + 1))
        failures="$failures pg(setup)"
    fi
fi

# shellcheck disable=SC2086
run_suite unit "" $unit
# Round one on SQLite, round two on PostgreSQL.
unset HRBRIDGE_TEST_PG
run_suite e2e "" "$@"
if [ -n "$pg_url" ] && [ -z "${HB_SKIP_PG:-}" ] && [ $# -gt 0 ]; then
    HRBRIDGE_TEST_PG=$pg_url
    export HRBRIDGE_TEST_PG
    run_suite "e2e on PostgreSQL" "(postgresql)" "$@"
    unset HRBRIDGE_TEST_PG
fi
pg_stop

if [ -z "${HB_SKIP_SDK:-}" ] && [ -d tests/sdk ]; then
    echo "== sdk: tests/sdk"
    if ! (cd tests/sdk && { [ -d node_modules/@kombo-api/sdk ] || npm ci --no-audit --no-fund >/dev/null 2>&1; }); then
        echo "sdk: npm ci failed"
        failed=$((failed + 1))
        failures="$failures sdk(npm-ci)"
    else
        (cd tests/sdk && node --test --test-reporter=tap) >"$log" 2>&1
        status=$?
        grep -v '^ *\(duration_ms\|\.\.\.\|---\|type:\)' "$log"
        p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$log" | tail -1)
        f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$log" | tail -1)
        p=${p:-0}
        f=${f:-0}
        [ "$status" -ne 0 ] && [ "$f" -eq 0 ] && f=1
        passed=$((passed + p))
        failed=$((failed + f))
        [ "$f" -gt 0 ] && failures="$failures sdk"
    fi
fi

[ -n "$failures" ] && echo "failed suites:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
