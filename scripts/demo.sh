#!/bin/sh
# make demo: starts hrsim (the simulated HR systems) and hrbridge on a fresh
# SQLite database under ./demo, creates an API key and a Personio
# integration that points at hrsim, and prints curl lines to try. Runs in the
# foreground until Ctrl-C (HB_DEMO_DETACH=1 leaves both running).
set -eu

HB_PORT=${HB_DEMO_PORT:-8080}
SIM_PORT=${HB_DEMO_SIM_PORT:-8081}
DIR=${HB_DEMO_DIR:-demo}
BUILD=${HB_BUILD_DIR:-build}

rm -rf "$DIR"
mkdir -p "$DIR"
DB="sqlite:$DIR/hrbridge.db"

wait_for() {
    i=0
    until curl -s -o /dev/null "$1"; do
        i=$((i + 1))
        if [ "$i" -gt 100 ]; then
            echo "demo: $2 did not start; see $DIR/$2.log" >&2
            exit 1
        fi
        sleep 0.1
    done
}

pids=""
if [ -x "$BUILD/hrsim" ]; then
    "$BUILD/hrsim" --listen "127.0.0.1:$SIM_PORT" --employees 50 --seed 1 >"$DIR/hrsim.log" 2>&1 &
    pids="$!"
    wait_for "http://127.0.0.1:$SIM_PORT/__sim/requests" hrsim
fi

KEY=$("$BUILD/hrbridge" keys create --db "$DB" --environment demo --log-level warn)
"$BUILD/hrbridge" serve --db "$DB" --listen "127.0.0.1:$HB_PORT" >"$DIR/hrbridge.log" 2>&1 &
pids="$pids $!"
wait_for "http://127.0.0.1:$HB_PORT/v1/check-api-key" hrbridge

ID=$(curl -s -X POST "http://127.0.0.1:$HB_PORT/v1/integrations" \
    -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Demo GmbH\",\"origin_id\":\"demo-1\"},
         \"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},
         \"base_url\":\"http://127.0.0.1:$SIM_PORT/personio\"}" | sed -n 's/.*"id":"\(personio:[^"]*\)".*/\1/p')

cat <<EOT

hrbridge is running on http://127.0.0.1:$HB_PORT (database $DB, logs in $DIR/).
hrsim serves simulated Personio, BambooHR, HiBob and Factorial on http://127.0.0.1:$SIM_PORT.

API key:        $KEY
Integration:    $ID

Try:
  curl -s http://127.0.0.1:$HB_PORT/v1/check-api-key -H 'Authorization: Bearer $KEY'
  curl -s http://127.0.0.1:$HB_PORT/v1/integrations/$ID -H 'Authorization: Bearer $KEY'
  curl -s http://127.0.0.1:$HB_PORT/v1/tools/hris -H 'Authorization: Bearer $KEY'
  curl -s http://127.0.0.1:$SIM_PORT/personio/v1/company/employees?limit=2 \\
       -H "Authorization: Bearer \$(curl -s -X POST 'http://127.0.0.1:$SIM_PORT/personio/v1/auth?client_id=sim-client&client_secret=sim-secret' | sed -n 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/p')"

EOT

if [ -n "${HB_DEMO_DETACH:-}" ]; then
    echo "Left running (pids:$pids). Stop with: kill $pids"
    exit 0
fi
echo "Press Ctrl-C to stop."
# shellcheck disable=SC2086
trap 'kill $pids 2>/dev/null; wait; exit 0' INT TERM
wait
