#!/bin/sh
# make bench: builds hrbridge optimised (build-bench/), then measures it
# against baselines taken in the same run on the same machine, and prints
# one table: figure, baseline, ratio, target, met.
#
#   serving   GET /v1/hris/employees?page_size=250 (5 selected fields) under
#             wrk -c64 vs nginx serving the identical bytes as a static file
#   fields    GET …/integration-fields?page_size=2000, the same way
#   sync      FULL sync of BENCH_EMPLOYEES hrsim employees (60 raw fields,
#             10 selected) vs curl downloading the same requests, one at a
#             time (the target's baseline) and as many at once as the sync;
#             beside it what jansson alone takes to parse those responses
#   resync    the same sync again with nothing changed
#   memory    peak RSS of that sync, of one of BENCH_MEMORY_EMPLOYEES (0:
#             skipped) and of serve under the serving load
#   startup   serve's first answer after start on the synced database
#
# BENCH_EMPLOYEES (default 20000), BENCH_SERVE_EMPLOYEES (2000) and
# BENCH_SECONDS (8, per wrk run) size it; BENCH_ONLY=serve or =sync runs one
# half. Needs wrk and nginx.
set -eu

N=${BENCH_EMPLOYEES:-20000}
NS=${BENCH_SERVE_EMPLOYEES:-2000}
SECS=${BENCH_SECONDS:-8}
BUILD=build-bench
DIR=$(mktemp -d /tmp/hrbridge-bench-XXXXXX)
chmod 755 "$DIR" # nginx workers read the static copies
PORT_BASE=$((20000 + $$ % 20000))
SIM=127.0.0.1:$PORT_BASE
HB=127.0.0.1:$((PORT_BASE + 1))
NGINX=127.0.0.1:$((PORT_BASE + 2))
ROWS=""

for tool in wrk nginx curl jq /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
make --no-print-directory RELEASE=1 BUILD=$BUILD all $BUILD/parse_floor >/dev/null

cleanup() {
    [ -f "$DIR/nginx.pid" ] && nginx -c "$DIR/nginx.conf" -s stop 2>/dev/null || true
    [ -d "$DIR/pg" ] && sh scripts/pg-throwaway.sh stop "$DIR/pg"
    for p in $(cat "$DIR"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

row() { # figure baseline ratio target met
    ROWS="$ROWS$(printf '%-44s %14s %14s %8s %10s %4s' "$1" "$2" "$3" "$4" "$5" "$6")
"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "yes" : "no" }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? "yes" : "no" }'; }
now_ms() { date +%s%3N; }

wait_http() {
    i=0
    until curl -s -o /dev/null "$1"; do
        i=$((i + 1)); [ $i -gt 200 ] && { echo "bench: $1 did not answer" >&2; exit 1; }
        sleep 0.05
    done
}

start_sim() { # employees custom-fields
    [ -f "$DIR/sim.pid" ] && kill "$(cat "$DIR/sim.pid")" 2>/dev/null && sleep 0.3
    $BUILD/hrsim --listen $SIM --employees "$1" --custom-fields "$2" --seed 7 >"$DIR/sim.log" 2>&1 &
    echo $! >"$DIR/sim.pid"
    wait_http "http://$SIM/__sim/requests"
}

start_serve() { # db
    # No per-key rate limit: wrk is one key asking as fast as it can.
    HRBRIDGE_HTTP_RATE_LIMIT=0 $BUILD/hrbridge serve --db "$1" --listen $HB --log-level warn \
        --no-worker >>"$DIR/serve.log" 2>&1 &
    echo $! >"$DIR/serve.pid"
    wait_http "http://$HB/v1/check-api-key"
}

stop_serve() {
    pid=$(cat "$DIR/serve.pid")
    kill "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    rm -f "$DIR/serve.pid"
}

# wrk's requests/s and p99 (ms) for a URL; extra args are headers.
load() {
    url=$1; shift
    wrk -t2 -c64 -d"${SECS}s" --latency "$@" "$url" >"$DIR/wrk.out"
    rps=$(awk '/Requests\/sec/ { print $2 }' "$DIR/wrk.out")
    p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 }
          else if (v ~ /ms$/) sub(/ms/, "", v); else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }
          print v }' "$DIR/wrk.out")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$DIR/wrk.out")
    [ -z "$non2xx" ] || { echo "bench: $non2xx non-2xx answers from $url" >&2; exit 1; }
}

new_integration() { # db -> prints KEY ID
    key=$($BUILD/hrbridge keys create --db "$1" --log-level warn)
    start_serve "$1"
    id=$(curl -s -X POST "http://$HB/v1/integrations" -H "Authorization: Bearer $key" \
        -d "{\"tool\":\"personio\",\"end_user\":{\"organization_name\":\"Bench\"},
             \"credentials\":{\"client_id\":\"sim-client\",\"client_secret\":\"sim-secret\"},
             \"base_url\":\"http://$SIM/personio\"}" | jq -r .data.id)
    echo "$key $id"
}

select_fields() { # key id count
    for f in $(curl -s "http://$HB/v1/integrations/$2/integration-fields?page_size=2000" \
        -H "Authorization: Bearer $1" |
        jq -r '.data.results[] | select(.model=="hris_employees" and .type=="CUSTOM") | .id' | head -n "$3"); do
        curl -s -o /dev/null -X PATCH "http://$HB/v1/integrations/$2/integration-fields/$f" \
            -H "Authorization: Bearer $1" -d '{"enable_passthrough":true}'
    done
}

timed_sync() { # db id -> seconds and peak KiB in $DIR/sync.time
    /usr/bin/time -f "%e %M" -o "$DIR/sync.time" \
        $BUILD/hrbridge sync --db "$1" "$2" --log-level warn >"$DIR/sync.out" 2>&1
    cat "$DIR/sync.out" >&2
}

ONLY=${BENCH_ONLY:-}
# PostgreSQL figures come from a throwaway cluster (BENCH_PG=0: none).
PG_URL=""
if [ "${BENCH_PG:-1}" != 0 ]; then
    PG_URL=$(sh scripts/pg-throwaway.sh start "$DIR/pg") &&
        psql -q "${PG_URL}postgres" -c "CREATE DATABASE serve" -c "CREATE DATABASE sync" ||
        PG_URL=""
fi

# ---- serving ------------------------------------------------------------------
if [ "$ONLY" != sync ]; then
echo "bench: serving ($NS employees)..." >&2
start_sim "$NS" 50
DB=sqlite:$DIR/serve.db
set -- $(new_integration "$DB"); KEY=$1; ID=$2
stop_serve
timed_sync "$DB" "$ID"
start_serve "$DB"
select_fields "$KEY" "$ID" 5
stop_serve
timed_sync "$DB" "$ID"
start_serve "$DB"
AUTH="Authorization: Bearer $KEY"
EMP="http://$HB/v1/hris/employees?page_size=250"
FLD="http://$HB/v1/integrations/$ID/integration-fields?page_size=2000"
mkdir -p "$DIR/www"
curl -s "$EMP" -H "$AUTH" -H "X-Integration-Id: $ID" -o "$DIR/www/employees.json"
curl -s "$FLD" -H "$AUTH" -o "$DIR/www/fields.json"
[ "$(jq '.data.results[0].integration_fields | length' "$DIR/www/employees.json")" = 5 ] ||
    { echo "bench: the employees page lacks its 5 selected fields" >&2; exit 1; }
cat >"$DIR/nginx.conf" <<EON
worker_processes 2;
pid $DIR/nginx.pid;
error_log $DIR/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    server { listen $NGINX; root $DIR/www; default_type application/json; }
}
EON
nginx -c "$DIR/nginx.conf"
wait_http "http://$NGINX/employees.json"

load "http://$NGINX/employees.json"; ng_rps=$rps; ng_p99=$p99
load "$EMP" -H "$AUTH" -H "X-Integration-Id: $ID"; hb_rps=$rps; hb_p99=$p99
row "employees page_size=250 req/s (vs nginx)" "$ng_rps" "$hb_rps" "$(ratio "$hb_rps" "$ng_rps")" ">=0.50" "$(ge "$(ratio "$hb_rps" "$ng_rps")" 0.5)"
row "employees page_size=250 p99 ms (nginx)" "$ng_p99" "$hb_p99" "-" "<=10" "$(le "$hb_p99" 10)"
SERVE_RSS=$(awk '/VmHWM/ { print $2 }' /proc/"$(cat "$DIR/serve.pid")"/status)
load "http://$NGINX/fields.json"; ng_rps=$rps
load "$FLD" -H "$AUTH"; hb_rps=$rps; hb_p99=$p99
row "fields page_size=2000 req/s (vs nginx)" "$ng_rps" "$hb_rps" "$(ratio "$hb_rps" "$ng_rps")" ">=0.50" "$(ge "$(ratio "$hb_rps" "$ng_rps")" 0.5)"
row "serve peak RSS KiB under load" "-" "$SERVE_RSS" "-" "<=65536" "$(le "$SERVE_RSS" 65536)"
stop_serve

# ---- the same on PostgreSQL -------------------------------------------------------
# A throwaway cluster (scripts/pg-throwaway.sh) holding a copy of the served
# database (hrbridge copy); BENCH_PG=0 skips it.
if [ -n "$PG_URL" ]; then
    echo "bench: serving on PostgreSQL..." >&2
    export HRBRIDGE_MASTER_KEY_FILE="$DIR/serve.db.key"
    $BUILD/hrbridge copy --db "$DB" --to "${PG_URL}serve" --log-level warn >/dev/null
    start_serve "${PG_URL}serve"
    load "http://$NGINX/employees.json"; ng_rps=$rps
    load "$EMP" -H "$AUTH" -H "X-Integration-Id: $ID"; hb_rps=$rps; hb_p99=$p99
    row "PostgreSQL: employees req/s (vs nginx)" "$ng_rps" "$hb_rps" "$(ratio "$hb_rps" "$ng_rps")" ">=0.50" "$(ge "$(ratio "$hb_rps" "$ng_rps")" 0.5)"
    row "PostgreSQL: employees p99 ms (nginx)" "-" "$hb_p99" "-" "<=10" "$(le "$hb_p99" 10)"
    load "http://$NGINX/fields.json"; ng_rps=$rps
    load "$FLD" -H "$AUTH"; hb_rps=$rps
    row "PostgreSQL: fields req/s (vs nginx)" "$ng_rps" "$hb_rps" "$(ratio "$hb_rps" "$ng_rps")" ">=0.50" "$(ge "$(ratio "$hb_rps" "$ng_rps")" 0.5)"
    stop_serve
    unset HRBRIDGE_MASTER_KEY_FILE
fi

# ---- deep pages ---------------------------------------------------------------
# The synced employees cloned in SQL up to BENCH_DEEP_EMPLOYEES (records and
# their served docs, new ids), then the first and the last page of 250 under
# the same load. BENCH_DEEP_EMPLOYEES=0 skips it.
DEEP=${BENCH_DEEP_EMPLOYEES:-1000000}
if [ "$DEEP" -gt 0 ]; then
    echo "bench: deep pages ($DEEP employees)..." >&2
    cp "$DIR/serve.db" "$DIR/deep.db"
    cp "$DIR/serve.db.key" "$DIR/deep.db.key"
    copies=$(( (DEEP + NS - 1) / NS ))
    sqlite3 "$DIR/deep.db" >/dev/null <<EOSQL
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE k AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $copies - 1)
    SELECT i, substr('123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz', i / 58 + 1, 1) ||
              substr('123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz', i % 58 + 1, 1) AS code FROM n;
INSERT OR IGNORE INTO records (integration_id, id, model, remote_id, body, summary, hash, changed_at)
    SELECT r.integration_id, substr(r.id, 1, 22) || k.code, r.model, r.remote_id || '-' || k.i,
           r.body, r.summary, r.hash, r.changed_at
    FROM records r, k WHERE r.model = 'hris_employees' AND r.remote_deleted_at IS NULL;
INSERT OR IGNORE INTO record_docs (integration_id, id, fp, doc)
    SELECT d.integration_id, substr(d.id, 1, 22) || k.code, d.fp,
           replace(d.doc, d.id, substr(d.id, 1, 22) || k.code)
    FROM record_docs d, k WHERE EXISTS (SELECT 1 FROM records r WHERE r.integration_id = d.integration_id
                                        AND r.id = substr(d.id, 1, 22) || k.code);
COMMIT;
EOSQL
    total=$(sqlite3 "$DIR/deep.db" "SELECT count(*) FROM record_docs")
    start_serve "sqlite:$DIR/deep.db"
    # Walk the cursors to the last page.
    cursor=""; last=""
    while :; do
        next=$(curl -s "$EMP${cursor:+&cursor=$cursor}" -H "$AUTH" -H "X-Integration-Id: $ID" | jq -r .data.next)
        [ "$next" = null ] && break
        last=$next; cursor=$next
    done
    load "$EMP" -H "$AUTH" -H "X-Integration-Id: $ID"; first_rps=$rps
    load "$EMP&cursor=$last" -H "$AUTH" -H "X-Integration-Id: $ID"; last_rps=$rps
    row "last page cost vs first at $total employees" "$first_rps" "$last_rps" "$(ratio "$first_rps" "$last_rps")" "<=1.2" "$(le "$(ratio "$first_rps" "$last_rps")" 1.2)"
    stop_serve
    rm -f "$DIR/deep.db"
fi

# ---- startup ------------------------------------------------------------------
t0=$(now_ms)
start_serve "$DB"
t1=$(now_ms)
stop_serve
row "serve first answer ms after start" "-" "$((t1 - t0))" "-" "<=100" "$(le $((t1 - t0)) 100)"
fi

# ---- sync vs download ------------------------------------------------------------
if [ "$ONLY" != serve ]; then
echo "bench: sync ($N employees)..." >&2
start_sim "$N" 50
DB=sqlite:$DIR/sync.db
set -- $(new_integration "$DB"); KEY=$1; ID=$2
stop_serve
# The baseline: the same requests the sync makes, with one curl (keep-alive).
TOKEN=$(curl -s -X POST "http://$SIM/personio/v1/auth?client_id=sim-client&client_secret=sim-secret" | jq -r .data.token)
{
    echo "url = \"http://$SIM/personio/v1/company/employees/attributes\""
    echo "url = \"http://$SIM/personio/v1/company/time-off-types\""
    o=0
    while [ $o -lt "$N" ]; do
        echo "url = \"http://$SIM/personio/v1/company/employees?limit=100&offset=$o\""
        o=$((o + 100))
    done
    i=0
    while [ $i -lt "$N" ]; do
        echo "url = \"http://$SIM/personio/v1/company/employees/$((1001 + i))/absences/balance\""
        i=$((i + 1))
    done
    p=1
    while [ $p -le $(((2 * N + 199) / 200)) ]; do
        echo "url = \"http://$SIM/personio/v1/company/time-offs?limit=200&offset=$p\""
        p=$((p + 1))
    done
} | sed 's/$/\noutput = \/dev\/null/' >"$DIR/urls"
t0=$(now_ms)
curl -s -H "Authorization: Bearer $TOKEN" -K "$DIR/urls"
dl=$(awk -v ms=$(($(now_ms) - t0)) 'BEGIN { printf "%.2f", ms / 1000 }')
# The same with as many requests at once as a sync has in flight
# (sync.connections, default 4: three sent ahead beside the one asked for).
t0=$(now_ms)
curl -s --no-progress-meter --parallel --parallel-max "${HRBRIDGE_SYNC_CONNECTIONS:-4}" -H "Authorization: Bearer $TOKEN" \
    -K "$DIR/urls"
pdl=$(awk -v ms=$(($(now_ms) - t0)) 'BEGIN { printf "%.2f", ms / 1000 }')
# The floor under any sync that reads what it is sent: jansson parsing the
# same responses (bench/parse_floor.c), without fetching, mapping or storing.
set -- $($BUILD/parse_floor "$TOKEN" "$DIR/urls"); parsed_mb=$(($1 / 1000000)); parse=$2
# A fresh FULL sync (serve runs without a worker, so this is the first).
timed_sync "$DB" "$ID"
read -r full rss <"$DIR/sync.time"
row "jansson parse of the $parsed_mb MB s (vs download)" "$dl" "$parse" "$(ratio "$parse" "$dl")" "-" "-"
row "fresh FULL sync s (vs download)" "$dl" "$full" "$(ratio "$full" "$dl")" "<=1.5" "$(le "$(ratio "$full" "$dl")" 1.5)"
row "FULL sync peak RSS KiB" "-" "$rss" "-" "<=65536" "$(le "$rss" 65536)"
# 10 fields selected: one sync collects their values, the next finds nothing new.
start_serve "$DB"
select_fields "$KEY" "$ID" 10
stop_serve
timed_sync "$DB" "$ID"
read -r sel rss <"$DIR/sync.time"
row "FULL sync collecting 10 fields s" "$dl" "$sel" "$(ratio "$sel" "$dl")" "-" "-"
timed_sync "$DB" "$ID"
read -r again rss2 <"$DIR/sync.time"
row "re-sync, nothing changed s (vs download)" "$dl" "$again" "$(ratio "$again" "$dl")" "<=1.0" "$(le "$(ratio "$again" "$dl")" 1.0)"
row "fresh FULL sync s (vs parallel download)" "$pdl" "$full" "$(ratio "$full" "$pdl")" "-" "-"
row "re-sync s (vs parallel download)" "$pdl" "$again" "$(ratio "$again" "$pdl")" "-" "-"

if [ -n "$PG_URL" ]; then
    export HRBRIDGE_MASTER_KEY_FILE="$DIR/pg.key"
    set -- $(new_integration "${PG_URL}sync"); KEY=$1; ID=$2
    stop_serve
    timed_sync "${PG_URL}sync" "$ID"
    read -r full rss <"$DIR/sync.time"
    row "PostgreSQL: fresh FULL sync s (vs download)" "$dl" "$full" "$(ratio "$full" "$dl")" "<=1.5" "$(le "$(ratio "$full" "$dl")" 1.5)"
    timed_sync "${PG_URL}sync" "$ID"
    read -r again rss <"$DIR/sync.time"
    row "PostgreSQL: re-sync s (vs download)" "$dl" "$again" "$(ratio "$again" "$dl")" "<=1.0" "$(le "$(ratio "$again" "$dl")" 1.0)"
    unset HRBRIDGE_MASTER_KEY_FILE
fi

# The memory target's size: a fresh FULL sync of BENCH_MEMORY_EMPLOYEES
# (0 skips; a million takes about 30 minutes and 33 GB of disk).
M=${BENCH_MEMORY_EMPLOYEES:-0}
if [ "$M" -gt 0 ]; then
    echo "bench: memory ($M employees)..." >&2
    start_sim "$M" 50
    DB=sqlite:$DIR/memory.db
    set -- $(new_integration "$DB"); KEY=$1; ID=$2
    stop_serve
    timed_sync "$DB" "$ID"
    read -r secs rss <"$DIR/sync.time"
    row "FULL sync of $M employees peak RSS KiB" "-" "$rss" "-" "<=65536" "$(le "$rss" 65536)"
    rm -f "$DIR"/memory.db*
fi
fi

printf '\n%-44s %14s %14s %8s %10s %4s\n' "figure" "baseline" "hrbridge" "ratio" "target" "met"
printf '%s' "$ROWS"
