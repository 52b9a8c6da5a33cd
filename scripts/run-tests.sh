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

pg_stop() {
    if [ -n "$pg_dir" ]; then
        sh scripts/pg-throwaway.sh stop "$pg_dir"
        pg_dir=""
    fi
}
trap 'pg_stop; rm -f "$log"' EXIT
trap 'exit 130' INT TERM

# Starts a throwaway PostgreSQL cluster; sets HRBRIDGE_TEST_PG. Returns 1 when
# it cannot.
pg_start() {
    pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/hrbridge-pg-XXXXXX") || return 1
    HRBRIDGE_TEST_PG=$(sh scripts/pg-throwaway.sh start "$pg_dir") || return 1
    export HRBRIDGE_TEST_PG
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
