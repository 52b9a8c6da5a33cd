#!/bin/sh
# Runs the test programs given (unit tests, then "--", then e2e tests), then
# the SDK tests under tests/sdk, and prints one summary line last:
#   N passed, N failed
# Every program is a cmocka runner; one that dies without its summary counts
# as one failure. Exits non-zero when anything failed.
set -u

passed=0
failed=0
failures=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

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
    shift
    for t in "$@"; do
        echo "== $kind: $t"
        "$t" >"$log" 2>&1
        status=$?
        cat "$log"
        count_cmocka "$t" "$status"
    done
}

unit=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    unit="$unit $1"
    shift
done
[ $# -gt 0 ] && shift
# shellcheck disable=SC2086
run_suite unit $unit
run_suite e2e "$@"

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
