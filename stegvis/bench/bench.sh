#!/usr/bin/env bash
# The benchmark end to end: fresh databases (SQLite file and PostgreSQL), the generator, the
# timings against bare SQL, and docs/performance.md. Usage: bench.sh SCALE "sqlite pg" [SEED]
set -euo pipefail
SCALE=${1:-association}
ENGINES=${2:-"sqlite pg"}
SEED=${3:-1}
PY=${PY:-.venv/bin/python}
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=${BENCH_PG_DB:-stegvis_bench}
OUT=var/bench
mkdir -p "$OUT"
export DJANGO_ENV=development DEBUG=false DJANGO_SETTINGS_MODULE=stegvis.settings
# DEBUG off (no query log); throwaway keys: the data is fictional.
export SECRET_KEY=${SECRET_KEY:-bench-secret-key-not-for-production-$(date +%s)-0123456789abcdef}
export STEGVIS_ENCRYPTION_KEYS=${STEGVIS_ENCRYPTION_KEYS:-M0AGVMrrtVw9S0FmSl2A7nRqd_l6V0fvx6k8kN9YqEo=}
export STEGVIS_BLIND_INDEX_KEY=${STEGVIS_BLIND_INDEX_KEY:-bench-blind-index-key-0123456789abcdef0123456789}
export ALLOWED_HOSTS=127.0.0.1,testserver
if [ "$SCALE" = country ]; then FIRST=2016; IMPORT=10000; REPEATS=${REPEATS:-3}
else FIRST=2023; IMPORT=${IMPORT_ROWS:-10000}; REPEATS=${REPEATS:-5}; fi
files=()
notes=""
for engine in $ENGINES; do
  if [ "$engine" = sqlite ]; then
    rm -f var/bench-$SCALE.sqlite3*
    export DATABASE_URL="sqlite:///$PWD/var/bench-$SCALE.sqlite3"
  else
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS ${PG_DB}_$SCALE" -c "CREATE DATABASE ${PG_DB}_$SCALE"
    export DATABASE_URL="$PG_URL/${PG_DB}_$SCALE"
  fi
  $PY manage.py migrate --no-input -v0
  start=$SECONDS
  # Everything but the per-association progress lines: the foreign-key check and the counts.
  $PY manage.py generate_data --scale "$SCALE" --seed "$SEED" | grep -v "enrolments so far"
  generated=$((SECONDS - start))
  if [ "$engine" = pg ]; then psql "$DATABASE_URL" -qc "VACUUM"; fi
  notes="$notes $engine: generated in ${generated} s;"
  $PY manage.py bench --label "$engine" --first-year $FIRST --repeats "$REPEATS" \
    --import-rows "$IMPORT" --out "$OUT/$SCALE-$engine.json"
  files+=("$OUT/$SCALE-$engine.json")
done
title="$(tr '[:lower:]' '[:upper:]' <<< "${SCALE:0:1}")${SCALE:1} scale"
$PY manage.py bench_report "${files[@]}" --title "$title" --extra "Data generation (seed $SEED):$notes"
