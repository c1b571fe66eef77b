#!/usr/bin/env bash
# bench/run.sh: the benchmark method of issue 5, from build to medians.
#
# It builds chipgraph, generates the dataset, imports it into fresh stores
# (facts/s), measures the time from starting the server to its first
# answered query, then loads the server with each query Q1..Q6 RUNS times
# (the queries the API does not serve yet are recorded as skipped), reads
# the server's memory under load, takes a CPU profile of each query, and
# prints the medians. Every measurement is a JSON line in $OUT/results.jsonl.
#
# Usage: bench/run.sh            (from the repository root or anywhere)
# Settings, from the environment:
#   SCALE=1 SEED=1        dataset (chipgraph gen --scale --seed)
#   RUNS=3                load runs per query (medians are of these)
#   IMPORT_RUNS=3         imports into fresh stores (medians are of these)
#   STORE=                with IMPORT_RUNS=0: an imported store to serve
#   STARTS=3              server starts timed to the first answer
#   DURATION=20s WARMUP=5s CLIENTS=8   each load run
#   QUERIES="q1 q2 q3 q4 q5 q6"   ("" measures import and start-up only)
#   WARM=20s              the mix, unmeasured, before the first load run
#   PROFILE=1             a 10 s CPU profile of each query (0: none)
#   SERVE_FLAGS=          more flags for chipgraph serve (e.g. "--memory-limit 350MiB")
#   PORT=18080            the server listens on 127.0.0.1:$PORT
#   WORK=/tmp/chipgraph-bench   binary, dataset and stores
#   OUT=$WORK/out-<time>        results, profiles and logs
# Needs: go, curl, jq. Linux (/proc) for CPU time and memory.
set -euo pipefail

SCALE=${SCALE:-1}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
IMPORT_RUNS=${IMPORT_RUNS:-3}
STARTS=${STARTS:-3}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-5s}
CLIENTS=${CLIENTS:-8}
QUERIES=${QUERIES-q1 q2 q3 q4 q5 q6} # QUERIES="" skips the load runs
WARM=${WARM:-20s}
PROFILE=${PROFILE:-1}
SERVE_FLAGS=${SERVE_FLAGS:-}
PORT=${PORT:-18080}
WORK=${WORK:-/tmp/chipgraph-bench}
OUT=${OUT:-$WORK/out-$(date -u +%Y%m%dT%H%M%SZ)}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$WORK/chipgraph
DATA=$WORK/gen-s$SCALE-seed$SEED.ndjson
URL=http://127.0.0.1:$PORT
RESULTS=$OUT/results.jsonl
mkdir -p "$WORK" "$OUT"
: >"$RESULTS"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
emit() { jq -cn "$@" >>"$RESULTS"; }

SERVER_PID=
stop_server() {
	if [[ -n $SERVER_PID ]]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		SERVER_PID=
	fi
}
trap stop_server EXIT

# start_server DIR [flags]: starts the server in the background; sets
# SERVER_PID and START_NS (just before exec). Its per-request log goes to
# /dev/null: at thousands of requests per second it would fill the disk.
start_server() {
	local dir=$1
	shift
	START_NS=$(date +%s%N)
	# shellcheck disable=SC2086 # SERVE_FLAGS is a list of flags
	"$BIN" serve --no-starter --data "$dir" --addr "127.0.0.1:$PORT" $SERVE_FLAGS "$@" 2>/dev/null &
	SERVER_PID=$!
}

# --- the machine
log "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
emit --arg nproc "$(nproc)" \
	--arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
	--arg mem_kb "$(awk '/MemTotal/ {print $2}' /proc/meminfo)" \
	--arg go "$(go version)" --arg kernel "$(uname -sr)" \
	--arg loadavg "$(cut -d' ' -f1-3 /proc/loadavg)" \
	--arg rev "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo +dirty)" \
	--arg scale "$SCALE" --arg seed "$SEED" --arg clients "$CLIENTS" --arg duration "$DURATION" --arg warmup "$WARMUP" \
	--arg serve_flags "$SERVE_FLAGS" \
	'{kind:"machine", nproc:($nproc|tonumber), cpu:$cpu, mem_kb:($mem_kb|tonumber), go:$go, kernel:$kernel,
	  loadavg_start:$loadavg, revision:$rev, serve_flags:$serve_flags, scale:($scale|tonumber), seed:($seed|tonumber),
	  clients:($clients|tonumber), duration:$duration, warmup:$warmup}'

# --- build and generate
log "build"
(cd "$ROOT" && go build -o "$BIN" ./cmd/chipgraph)
if [[ ! -s $DATA ]]; then
	log "gen --scale $SCALE --seed $SEED"
	"$BIN" gen --scale "$SCALE" --seed "$SEED" --out "$DATA"
fi

# --- import into fresh stores
STORE=${STORE:-}
if [[ $IMPORT_RUNS -gt 0 ]]; then STORE=; fi
for i in $(seq 1 "$IMPORT_RUNS"); do
	dir=$WORK/store-s$SCALE-seed$SEED-$i
	rm -rf "$dir"
	log "import $i/$IMPORT_RUNS"
	t0=$(date +%s%N)
	line=$("$BIN" import --data "$dir" "$DATA")
	t1=$(date +%s%N)
	echo "$line" >&2
	# "file: N records, N written, N unchanged; N facts/s; 4m8s"
	rate=$(sed -E 's/.*; ([0-9,]+) facts\/s;.*/\1/' <<<"$line" | tr -d ,)
	emit --arg run "$i" --arg rate "$rate" --arg ns "$((t1 - t0))" --arg bytes "$(du -sb "$dir" | cut -f1)" \
		--arg loadavg "$(cut -d' ' -f1 /proc/loadavg)" \
		'{kind:"import", run:($run|tonumber), facts_per_s:($rate|tonumber), seconds:(($ns|tonumber)/1e9),
		  store_bytes:($bytes|tonumber), loadavg_1m:($loadavg|tonumber)}'
	[[ -n $STORE ]] && rm -rf "$STORE" # keep the last store only
	STORE=$dir
done
if [[ -z $STORE || ! -d $STORE ]]; then
	echo "no store to serve: set IMPORT_RUNS above 0, or STORE" >&2
	exit 2
fi

# --- start to first answered query
for i in $(seq 1 "$STARTS"); do
	start_server "$STORE"
	"$BIN" bench --url "$URL" --wait 60s --started-at "$START_NS" --query none --json | tee -a "$RESULTS" >&2
	stop_server
done

# --- load
start_server "$STORE" --pprof
"$BIN" bench --url "$URL" --wait 60s --query none
if [[ -n $QUERIES ]]; then
	log "warming the server up: $WARM of the mix"
	"$BIN" bench --url "$URL" --scale "$SCALE" --seed "$SEED" --clients "$CLIENTS" --query mix \
		--duration "$WARM" --warmup 0s --server-pid "$SERVER_PID" >&2 || true
fi

for q in $QUERIES; do
	if ! err=$("$BIN" bench --url "$URL" --scale "$SCALE" --seed "$SEED" --query "$q" --max-requests 1 \
		--duration 1s --warmup 0s --json 2>&1 >/dev/null); then
		log "skip $q: $err"
		emit --arg q "$q" --arg why "$err" '{kind:"skip", query:$q, reason:$why}'
		continue
	fi
	for r in $(seq 1 "$RUNS"); do
		log "$q run $r/$RUNS"
		"$BIN" bench --url "$URL" --scale "$SCALE" --seed "$SEED" --clients "$CLIENTS" --query "$q" \
			--duration "$DURATION" --warmup "$WARMUP" --server-pid "$SERVER_PID" --json | tee -a "$RESULTS" >&2 ||
			log "$q run $r had errors (counted in its result)"
	done
	if [[ $PROFILE == 1 ]]; then
		log "$q profile (10 s, not counted)"
		"$BIN" bench --url "$URL" --scale "$SCALE" --seed "$SEED" --clients "$CLIENTS" --query "$q" \
			--duration 13s --warmup 1s --server-pid "$SERVER_PID" >"$OUT/profile-$q.load.txt" &
		bp=$!
		sleep 2
		curl -sf -o "$OUT/profile-$q.pprof" "$URL/debug/pprof/profile?seconds=10"
		wait "$bp" || true
		go tool pprof -top -nodecount=30 "$BIN" "$OUT/profile-$q.pprof" >"$OUT/profile-$q.top.txt" 2>/dev/null || true
		go tool pprof -top -cum -nodecount=60 "$BIN" "$OUT/profile-$q.pprof" >"$OUT/profile-$q.cum.txt" 2>/dev/null || true
	fi
done

emit --arg status "$(grep -E '^Vm(RSS|HWM)' "/proc/$SERVER_PID/status" | awk '{print $2}' | paste -sd' ')" \
	--arg loadavg "$(cut -d' ' -f1-3 /proc/loadavg)" \
	'($status|split(" ")|map(tonumber)) as $v | {kind:"memory", hwm_bytes:($v[0]*1024), rss_bytes:($v[1]*1024), loadavg_end:$loadavg}'
stop_server

# --- medians
log "results in $RESULTS"
jq -rs '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length/2|floor] else (.[length/2-1] + .[length/2]) / 2 end;
  def r(n): if . == null then "-" else (. * pow(10; n) | round / pow(10; n) | tostring) end;
  (map(select(.kind == "machine"))[0]) as $m |
  "machine: \($m.nproc) CPUs, \($m.cpu), \($m.mem_kb/1048576|r(1)) GiB, \($m.go); scale \($m.scale), \($m.clients) clients",
  "",
  "row\truns\treq/s\tp50 ms\tp99 ms\tsrv CPU µs/req\tgen CPU µs/req\terrors",
  (map(select(.kind == "load" and (.mix|not))) | group_by(.query)[] |
    "\(.[0].query)\t\(length)\t\(map(.rps)|median|r(0))\t\(map(.p50_ms)|median|r(3))\t\(map(.p99_ms)|median|r(3))\t\(map(.server_cpu_us_per_req // 0)|median|r(0))\t\(map(.client_cpu_us_per_req // 0)|median|r(0))\t\(map(.errors)|add)"),
  (map(select(.kind == "skip"))[] | "\(.query)\tnot measured: \(.reason)"),
  (map(select(.kind == "import")) | select(length > 0) | "import\t\(length)\t\(map(.facts_per_s)|median|r(0)) facts/s\t\(map(.seconds)|median|r(1)) s"),
  (map(select(.kind == "startup")) | select(length > 0) | "startup\t\(length)\t\(map(.seconds)|median|r(3)) s to the first answer"),
  (map(select(.kind == "load" and (.mix|not))) | select(length > 0) | "memory under load\tmax VmRSS \(map(.server_rss_bytes // 0)|max/1048576|r(0)) MiB"),
  (map(select(.kind == "memory"))[] | "memory at the end\tVmRSS \(.rss_bytes/1048576|r(0)) MiB, VmHWM \(.hwm_bytes/1048576|r(0)) MiB")
' "$RESULTS" | tee "$OUT/summary.txt"
