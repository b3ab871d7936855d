#!/usr/bin/env bash
# Load test: gunicorn with production settings on 127.0.0.1 over the association-scale
# PostgreSQL database of `make bench` (generated here if missing), 20 locust users for 2 minutes,
# headless; the percentiles go into docs/performance.md.
set -euo pipefail
PY=${PY:-.venv/bin/python}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_PG_DB:-stegvis_bench}_association
PORT=${LOADTEST_PORT:-8765}
USERS=${LOADTEST_USERS:-20}
DURATION=${LOADTEST_TIME:-2m}
WORKERS=${LOADTEST_WORKERS:-4}
# Users arrive one a second (a morning's log-ins), not all in the same second.
SPAWN=${LOADTEST_SPAWN_RATE:-1}
OUT=var/bench
mkdir -p "$OUT"
export DJANGO_SETTINGS_MODULE=stegvis.settings DJANGO_ENV=production BEHIND_TLS_PROXY=1
export ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY=${SECRET_KEY:-loadtest-secret-key-not-for-production-0123456789abcdefghijklmnop}
export STEGVIS_ENCRYPTION_KEYS=${STEGVIS_ENCRYPTION_KEYS:-M0AGVMrrtVw9S0FmSl2A7nRqd_l6V0fvx6k8kN9YqEo=}
export STEGVIS_BLIND_INDEX_KEY=${STEGVIS_BLIND_INDEX_KEY:-bench-blind-index-key-0123456789abcdef0123456789}
export DATABASE_URL="$PG_URL/$DB"
if ! psql "$DATABASE_URL" -tAc "SELECT 1 FROM core_association WHERE slug='bench-01'" 2>/dev/null | grep -q 1; then
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  $PY manage.py migrate --no-input -v0
  $PY manage.py generate_data --scale association --seed 1 | tail -3
fi
# The manifest the production static storage needs (gunicorn serves no static files itself:
# no whitenoise in the project, so pages are measured without their CSS/JS requests).
$PY manage.py collectstatic --no-input -v0
.venv/bin/gunicorn stegvis.wsgi:application --bind 127.0.0.1:$PORT --workers "$WORKERS" \
  --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" --pid "$OUT/gunicorn.pid" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -s -o /dev/null "http://127.0.0.1:$PORT/logga-in/" && break; sleep 1; done
export LOADTEST_TIMES="$OUT/loadtest_times.json"
rm -f "$LOADTEST_TIMES"
.venv/bin/locust -f stegvis/bench/locustfile.py --headless -u "$USERS" -r "$SPAWN" -t "$DURATION" \
  --host "http://127.0.0.1:$PORT" --csv "$OUT/loadtest" --only-summary 2>&1 | tail -40
$PY manage.py loadtest_report "$OUT/loadtest_stats.csv" --users "$USERS" --duration "$DURATION" \
  --workers "$WORKERS" --spawn-rate "$SPAWN" --times "$LOADTEST_TIMES"
