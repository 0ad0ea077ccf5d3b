#!/usr/bin/env bash
# SIP + RTP load benchmark: `outdial call` against `outdial carrier` (and against sipp's
# built-in UAS with RTP echo, when sipp is installed) on 127.0.0.1, media both ways.
# Prints concurrent calls held, RTP loss, achieved CPS, CPU and peak RSS of each process.
#
#   scripts/bench-sip.sh                 # 1000 calls at 200 CPS, each held 30 s
#   COUNT=300 RATE=100 HOLD=10 scripts/bench-sip.sh
set -euo pipefail

COUNT=${COUNT:-1000}       # calls placed
RATE=${RATE:-200}          # calls per second
HOLD=${HOLD:-30}           # seconds each answered call is held
CONC=${CONC:-$COUNT}       # concurrency cap
SIPP=${SIPP:-auto}         # auto | yes | no
CARRIER_PORT=${CARRIER_PORT:-5070}
SIPP_PORT=${SIPP_PORT:-5080}

cd "$(dirname "$0")/.."
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "building outdial..."
go build -o "$work/outdial" ./cmd/outdial
bin="$work/outdial"
hz=$(getconf CLK_TCK)

# cpu_seconds PID: user+system CPU time of a live process.
cpu_seconds() { awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# rss_peak_mb PID: peak resident set size.
rss_peak_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }

cat > "$work/answer.yaml" <<YAML
answer: 1
busy: 0
no_answer: 0
failure: 0
ring_ms: [0, 100]
talk_ms: [$(( (HOLD + 60) * 1000 )), $(( (HOLD + 60) * 1000 ))]
carrier_hangup: 0
dtmf_echo: false
YAML

# run_call TRUNK LABEL [FAR_PID]: place the calls, sample CPU/RSS, print the figures.
run_call() {
	local trunk=$1 label=$2 far=${3:-}
	local out="$work/call-$label.jsonl"
	local start=$(date +%s.%N)
	"$bin" call --trunk "$trunk" --count "$COUNT" --rate "$RATE" --concurrency "$CONC" \
		--duration "${HOLD}s" --max-ring 10s --quiet --rtp-ports 20000-29999 >"$out" 2>"$work/call-$label.err" &
	local cp=$!
	pids+=("$cp")
	local ccpu=0 crss=0 fcpu0=0 fcpu=0 frss=0
	[ -n "$far" ] && fcpu0=$(cpu_seconds "$far")
	while kill -0 "$cp" 2>/dev/null; do
		# keep the last good sample: a process that just exited has no figures left
		v=$(cpu_seconds "$cp"); [ -n "$v" ] && ccpu=$v
		v=$(rss_peak_mb "$cp"); [ -n "$v" ] && crss=$v
		if [ -n "$far" ]; then fcpu=$(cpu_seconds "$far"); frss=$(rss_peak_mb "$far"); fi
		sleep 1
	done
	wait "$cp" || { echo "outdial call failed:"; cat "$work/call-$label.err"; return 1; }
	local wall=$(echo "$(date +%s.%N) - $start" | bc)
	echo
	echo "== outdial call -> $label ($COUNT calls, $RATE CPS, held ${HOLD}s, wall ${wall%.*}s)"
	tail -n 1 "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print("  attempted %(attempted)d  answered %(answered)d  busy %(busy)d  no_answer %(no_answer)d  failed %(failed)d" % s)
print("  concurrent calls held (peak): %(peak_concurrent)d" % s)
print("  achieved CPS: %(achieved_cps).1f" % s)
print("  setup ms p50/p95/p99: %(setup_p50_ms).1f / %(setup_p95_ms).1f / %(setup_p99_ms).1f" % s)
print("  RTP sent %(rtp_sent)d  received %(rtp_received)d  lost %(rtp_lost)d  loss %(rtp_loss_percent).4f%%" % s)
'
	echo "  outdial call: CPU ${ccpu}s ($(echo "scale=0; 100 * $ccpu / $wall" | bc)% of one core)  peak RSS ${crss} MiB"
	if [ -n "$far" ]; then
		local used=$(echo "$fcpu - $fcpu0" | bc)
		echo "  far end ($label): CPU ${used}s ($(echo "scale=0; 100 * $used / $wall" | bc)% of one core)  peak RSS ${frss} MiB"
	fi
}

"$bin" carrier --listen "127.0.0.1:$CARRIER_PORT" --scenario "$work/answer.yaml" --seed 1 \
	--rtp-ports 30000-39999 >"$work/carrier.jsonl" 2>"$work/carrier.err" &
carrier=$!
pids+=("$carrier")
sleep 1
kill -0 "$carrier" || { cat "$work/carrier.err"; exit 1; }
echo "nproc $(nproc), $(go version | cut -d' ' -f3)"
run_call "sip:127.0.0.1:$CARRIER_PORT" carrier "$carrier"
kill "$carrier" 2>/dev/null || true

if [ "$SIPP" != no ] && command -v sipp >/dev/null; then
	sipp -sn uas -i 127.0.0.1 -p "$SIPP_PORT" -mi 127.0.0.1 -mp 6000 -rtp_echo -nostdin \
		-trace_err -error_file "$work/sipp.err" >"$work/sipp.out" 2>&1 &
	sp=$!
	pids+=("$sp")
	sleep 1
	run_call "sip:127.0.0.1:$SIPP_PORT" sipp "$sp"
	kill "$sp" 2>/dev/null || true
elif [ "$SIPP" = yes ]; then
	echo "sipp not installed" >&2
	exit 1
fi
