#!/usr/bin/env bash
# bench-lists.sh: import a generated 1,000,000-row, 10-column contact CSV into SQLite and
# PostgreSQL through package lists, scrub it against a 2,000,000-entry DNC list, and
# compare with the raw sqlite3 .import / psql \copy of the same file when those tools
# are installed. Prints rows/s, peak RSS and scrub time.
#
#   ROWS=1000000 DNC=2000000 OUTDIAL_TEST_DATABASE_URL=postgres://... scripts/bench-lists.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
DNC=${DNC:-$((ROWS * 2))}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CSV=$WORK/contacts.csv

# The figures are only comparable on a quiet machine: print the load at the start and end.
echo "== $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== generating $ROWS rows x 10 columns"
awk -v n="$ROWS" 'BEGIN {
  srand(1); split("212 646 718", a, " ");
  print "phone,first_name,last_name,time_zone,priority,account,balance,due_date,city,notes";
  for (i = 0; i < n; i++)
    printf "+1%s%07d,First%d,Last%d,America/New_York,%d,ACC-%08d,%d.%02d,2026-%02d-%02d,New York,\"note, %d\"\n",
      a[i%3+1], 2000000+int(i/3), i, i, int(rand()*10), i, int(rand()*10000), int(rand()*100), 1+int(rand()*12), 1+int(rand()*28), i
}' > "$CSV"
ls -l "$CSV" | awk '{printf "file: %.1f MB\n", $5/1048576}'

go test -c -o "$WORK/lists.test" ./lists/

# run NAME BACKEND BENCH: runs one benchmark once under /usr/bin/time, prints its line and peak RSS.
run() {
  local name=$1 backend=$2 bench=$3
  OUTDIAL_BENCH_CSV=$CSV OUTDIAL_BENCH_DNC=$DNC OUTDIAL_BENCH_BACKEND=$backend \
    /usr/bin/time -f "%M" -o "$WORK/rss" "$WORK/lists.test" -test.run '^$' -test.bench "^$bench\$" -test.benchtime 1x -test.timeout 60m \
    | grep -E "^Benchmark" | sed "s|^|$name: |"
  awk '{printf "'"$name"': peak RSS %.0f MB\n", $1/1024}' "$WORK/rss"
}

echo "== SQLite"
run "sqlite import" sqlite BenchmarkImportContacts
run "sqlite scrub" sqlite BenchmarkScrub
if command -v sqlite3 >/dev/null; then
  start=$(date +%s.%N)
  sqlite3 "$WORK/raw.db" -cmd ".mode csv" ".import $CSV contacts" >/dev/null
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v n="$ROWS" 'BEGIN {printf "sqlite3 .import: %.1f s, %.0f rows/s\n", e-s, n/(e-s)}'
fi

if [ -n "${OUTDIAL_TEST_DATABASE_URL:-}" ]; then
  echo "== PostgreSQL"
  run "postgres import" postgres BenchmarkImportContacts
  run "postgres scrub" postgres BenchmarkScrub
  if command -v psql >/dev/null; then
    psql -q "$OUTDIAL_TEST_DATABASE_URL" -c "DROP TABLE IF EXISTS bench_raw; CREATE TABLE bench_raw (phone text, first_name text, last_name text, time_zone text, priority int, account text, balance text, due_date text, city text, notes text)"
    start=$(date +%s.%N)
    psql -q "$OUTDIAL_TEST_DATABASE_URL" -c "\\copy bench_raw FROM '$CSV' WITH (FORMAT csv, HEADER true)"
    end=$(date +%s.%N)
    psql -q "$OUTDIAL_TEST_DATABASE_URL" -c "DROP TABLE bench_raw"
    awk -v s="$start" -v e="$end" -v n="$ROWS" 'BEGIN {printf "psql \\copy: %.1f s, %.0f rows/s\n", e-s, n/(e-s)}'
  fi
else
  echo "== PostgreSQL skipped (set OUTDIAL_TEST_DATABASE_URL)"
fi
echo "== done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
