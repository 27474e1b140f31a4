#!/bin/bash
# bench/run.sh — what does tracing cost, against `perf record` and `bpftrace`
# on the same scheduler tracepoints, in the same run.  Workloads (bench/README.md):
#   pipe     pinned pipe ping-pong, `perf bench sched pipe -T` on one CPU: the
#            worst case for a scheduler tracer (usecs/op)
#   threads  bench/pingpong: 1,000 threads in 500 mutex/condvar pairs, 1 ms
#            sleep after each round, both CPUs busy, 5 s (rounds/s, drops; the
#            TUI in tmux with its frame statistics)
#   record   the threads recording: bytes/event, `report` speed, `export` memory
#   tax      an untraced process's getppid loop while each tracer traces
#            something else (`perf bench syscall basic`)
#   nginx    nginx (1 worker, 127.0.0.1) under wrk -c4, the worker attached
# Usage: bench/run.sh [WORKLOAD...]   (default: all, in that order).  Each
# workload takes a minute or two; run them one by one on a shared machine.
# Env: LOOPS (pipe, default 200000), REPS (default 3), NGINX_ROUNDS (default
# 5, item 4's count; more rounds narrow the paired ratio).  Root.
set -u
cd "$(dirname "$0")/.."
LOOPS=${LOOPS:-200000}
REPS=${REPS:-3}
CV=build/concviz
PP=build/bench/pingpong
TMP=$(mktemp -d)
trap 'cleanup' EXIT
cleanup() {
	[ -f "$TMP/ngx/nginx.pid" ] && kill "$(cat "$TMP/ngx/nginx.pid")" 2> /dev/null
	tmux -L "cvbench-$$" kill-server 2> /dev/null
	rm -rf "$TMP"
}
# the scheduler tracepoints the other tracers record; same for every workload
SCHED_TPS=(-e sched:sched_switch -e sched:sched_waking)
BT_PROG='tracepoint:sched:sched_switch, tracepoint:sched:sched_waking { @[probe] = count(); }'

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
for p in linux-perf bpftrace bc jq util-linux nginx wrk tmux; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" > /dev/null
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { echo "scale=3; $1 / $2" | bc -l | sed 's/^\./0./'; }
pct() { printf '%+.1f%%' "$(echo "($1 - $2) * 100 / $2" | bc -l)"; }

# ---- pipe ping-pong --------------------------------------------------------
# pinned to one CPU: the ping-pong is deterministic, and the tracer's
# consumer has the other CPU (as on any multi-core machine)
PIPE=(taskset -c 0 /usr/bin/perf bench sched pipe -T -l "$LOOPS")
usecs() { sed -n 's/^ *\([0-9.]*\) usecs\/op.*/\1/p' "$1" | tail -n 1; }

pipe_once() { # CONFIG: one run, prints usecs/op
	case $1 in
	bare) "${PIPE[@]}" > "$TMP/out" 2>&1 ;;
	concviz) CONCVIZ_STATS=1 "$CV" run --json -- "${PIPE[@]}" > "$TMP/pipe.json" 2> "$TMP/out"
		grep '^concviz: stats: [0-9]* events' "$TMP/out" > "$TMP/pipe.stats" ;;
	concviz-o) rm -f "$TMP/pipe.cvz"
		"$CV" run --json -o "$TMP/pipe.cvz" -- "${PIPE[@]}" > /dev/null 2> "$TMP/out" ;;
	perf) perf record -q -o "$TMP/perf.data" "${SCHED_TPS[@]}" -- "${PIPE[@]}" > "$TMP/out" 2>&1 ;;
	bpftrace) bpftrace -e "$BT_PROG" -c "$(command -v taskset) -c 0 /usr/bin/perf bench sched pipe -T -l $LOOPS" \
			> "$TMP/out" 2>&1 ;;
	esac
	usecs "$TMP/out"
}

bench_pipe() {
	local cfgs=(bare concviz concviz-o perf bpftrace) c i
	echo "## pipe: ${PIPE[*]}   (median of $REPS alternating runs)"
	for i in $(seq "$REPS"); do
		for c in "${cfgs[@]}"; do echo "$c $(pipe_once "$c")"; done
	done > "$TMP/pipe.runs"
	local base perf_v v
	base=$(awk '$1 == "bare" {print $2}' "$TMP/pipe.runs" | median)
	perf_v=$(awk '$1 == "perf" {print $2}' "$TMP/pipe.runs" | median)
	# paired: the median over rounds of each run's overhead over its own
	# round's bare, and of its ratio to that round's perf overhead (a slow
	# bare in one round moves the medians' figures, not these)
	printf '%-10s %10s %10s %16s %8s %8s\n' config usecs/op overhead "x perf's overhead" paired "x perf"
	for c in "${cfgs[@]}"; do
		v=$(awk -v c="$c" '$1 == c {print $2}' "$TMP/pipe.runs" | median)
		[ -n "$v" ] || { printf '%-10s %10s\n' "$c" failed; continue; }
		if [ "$c" = bare ]; then printf '%-10s %10s %10s %16s\n' "$c" "$v" - -; continue; fi
		local po pr
		po=$(awk -v c="$c" '$1 == "bare" {b = $2} $1 == c && b > 0 {print ($2 - b) * 100 / b}' \
			"$TMP/pipe.runs" | median)
		pr=$(awk -v c="$c" '$1 == "bare" {b = $2; r++} $1 == "perf" {p[r] = $2 - b}
			$1 == c {v[r] = $2 - b}
			END {for (i in v) if (p[i] > 0) print v[i] / p[i]}' "$TMP/pipe.runs" | median)
		printf '%-10s %10s %10s %16s %+7.1f%% %8.3f\n' "$c" "$v" "$(pct "$v" "$base")" \
			"$(ratio "($v - $base)" "($perf_v - $base)")" "$po" "$pr"
	done
	echo "concviz: $(jq .events "$TMP/pipe.json") events, $(jq .dropped_events "$TMP/pipe.json") dropped;" \
	     "$(sed 's/^concviz: stats: //' "$TMP/pipe.stats")"
}

# ---- 1,000 threads -----------------------------------------------------------
PPSECS=5
# rounds per second of the target's own elapsed time (its main thread may
# wake late from its sleep when the machine is busy)
pp_rounds() { grep '^pingpong-stats ' "$1" | tail -n 1 | sed 's/^pingpong-stats //' |
	jq '(.rounds * 1e9 / .elapsed_ns) | floor'; }

# the TUI in a detached tmux (200x50), a tmux server of its own: start,
# wait for the target's exit, q.  Appends what the terminal got of the
# machine meanwhile (its server's CPU and time spent runnable but waiting,
# /proc/PID/schedstat) to STATSFILE.
tui_run() { # STATSFILE ARGS...: concviz's stderr to STATSFILE, target output to its log
	local s="cvbench-$$" f=$1 i srv run0 wait0 run1 wait1 t0 t1; shift
	local tm=(tmux -L "$s")
	"${tm[@]}" new-session -d -s "$s" -x 200 -y 50 "bash --norc --noprofile"
	srv=$("${tm[@]}" display-message -p -t "$s" '#{pid}')
	read -r run0 wait0 _ < "/proc/$srv/schedstat"
	t0=$(date +%s%N)
	"${tm[@]}" send-keys -t "$s" "CONCVIZ_STATS=1 $* 2> $f; tmux -L $s wait-for -S $s-done" Enter
	for i in $(seq 300); do
		"${tm[@]}" capture-pane -p -t "$s" | head -n 1 | grep -q '| exit ' && break
		sleep 0.1
	done
	read -r run1 wait1 _ < "/proc/$srv/schedstat"
	t1=$(date +%s%N)
	"${tm[@]}" send-keys -t "$s" q
	timeout 30 "${tm[@]}" wait-for "$s-done"
	"${tm[@]}" kill-server
	echo "terminal (tmux server) over $(( (t1 - t0) / 1000000 )) ms: on CPU $(( (run1 - run0) / 1000000 )) ms," \
	     "runnable but waiting for a CPU $(( (wait1 - wait0) / 1000000 )) ms" >> "$f"
}

threads_once() { # CONFIG: one run; prints "rounds events drops extra"
	local j="$TMP/pp.json" e="$TMP/pp.err"
	case $1 in
	bare) "$PP" -s $PPSECS 2> "$e"; echo "$(pp_rounds "$e") - - -" ;;
	concviz) CONCVIZ_STATS=1 "$CV" run --json -- "$PP" -s $PPSECS > "$j" 2> "$e"
		echo "$(pp_rounds "$e") $(jq .events "$j") $(jq .dropped_events "$j") -" ;;
	concviz-o) rm -f "$TMP/pp.cvz"
		CONCVIZ_STATS=1 "$CV" run --json -o "$TMP/pp.cvz" -- "$PP" -s $PPSECS > "$j" 2> "$e"
		cp "$j" "$TMP/ppo.json"
		echo "$(pp_rounds "$e") $(jq .events "$j") $(jq .dropped_events "$j") -" ;;
	concviz-tui) tui_run "$e" "$CV" run -- "$PP" -s $PPSECS
		local log
		log=$(sed -n 's/.*output is in \(.*\)$/\1/p' "$e")
		cp "$e" "$TMP/tui.stats.$(date +%s%N)"
		echo "$(pp_rounds "$log") $(sed -n 's/.*stats: \([0-9]*\) events, \([0-9]*\) dropped.*/\1 \2/p' "$e") -"
		rm -f "$log" ;;
	perf) perf record -o "$TMP/perf.data" "${SCHED_TPS[@]}" -- "$PP" -s $PPSECS > /dev/null 2> "$e"
		# perf says how many samples it wrote, and warns of the share it lost
		local lost
		lost=$(sed -n 's/.*and lost \([0-9.]*%\).*/\1/p' "$e")
		echo "$(pp_rounds "$e") $(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$e") ${lost:-0} -" ;;
	bpftrace) bpftrace -e "$BT_PROG" -c "$PWD/$PP -s $PPSECS" > "$TMP/bt.out" 2>&1
		echo "$(pp_rounds "$TMP/bt.out") $(awk '/^@/ {s += $2} END {print s}' "$TMP/bt.out") 0 -" ;;
	esac
}

bench_threads() {
	local cfgs=(bare concviz concviz-o concviz-tui perf bpftrace) c i base r ev dr
	echo "## threads: $PP -s $PPSECS (1,000 threads, 500 mutex/condvar pairs, 1 ms sleep per round), median of $REPS alternating runs"
	for i in $(seq "$REPS"); do
		for c in "${cfgs[@]}"; do echo "$c $(threads_once "$c")"; done
	done > "$TMP/pp.runs"
	base=$(awk '$1 == "bare" {print $2}' "$TMP/pp.runs" | median)
	printf '%-12s %10s %8s %10s %10s %10s\n' config rounds/s x_bare events events/s "dropped (each run)"
	for c in "${cfgs[@]}"; do
		r=$(awk -v c="$c" '$1 == c {print $2}' "$TMP/pp.runs" | median)
		ev=$(awk -v c="$c" '$1 == c {print $3}' "$TMP/pp.runs" | median)
		dr=$(awk -v c="$c" '$1 == c {printf "%s ", $4}' "$TMP/pp.runs")
		printf '%-12s %10d %8s %10s %10s %10s\n' "$c" "$r" "$(ratio "$r" "$base")" "$ev" \
			"$( [ "$ev" = - ] && echo - || echo $((ev / PPSECS)))" "$dr"
	done
	echo "(perf: samples written, and the share it says it lost; bpftrace: events counted in a kernel map, none sent)"
	grep -h 'TUI\|^terminal' "$TMP"/tui.stats.* | sed 's/^concviz: stats: /concviz-tui: /'
	echo "highest rate without loss: threads with no sleep (pingpong -m 0), concviz --json:"
	CONCVIZ_STATS=1 "$CV" run --json -- "$PP" -s $PPSECS -m 0 > "$TMP/pp0.json" 2> /dev/null
	echo "  $(jq .events "$TMP/pp0.json") events in $PPSECS s = $(( $(jq .events "$TMP/pp0.json") / PPSECS )) events/s," \
	     "$(jq .dropped_events "$TMP/pp0.json") dropped"
}

# ---- recording -------------------------------------------------------------
peak_rss_kb() { /usr/bin/time -f '%M' "$@" 2>&1 > /dev/null | tail -n 1; }

bench_record() {
	local f="$TMP/pp.cvz" t0 t1 n size
	echo "## record: the threads workload's recording (-o)"
	[ -s "$f" ] || threads_once concviz-o > /dev/null
	n=$(jq .events "$TMP/ppo.json")
	size=$(stat -c %s "$f")
	echo "recording: $size bytes for $n events ($(echo "scale=2; $size / $n" | bc) bytes/event)," \
	     "$(jq .dropped_events "$TMP/ppo.json") dropped"
	for i in $(seq "$REPS"); do
		t0=$(date +%s%N); "$CV" report --json "$f" > /dev/null; t1=$(date +%s%N)
		echo $(( n * 1000 / ((t1 - t0) / 1000000) ))
	done | median > "$TMP/rate"
	echo "report --json: $(cat "$TMP/rate") events/s (median of $REPS)," \
	     "peak RSS $(peak_rss_kb "$CV" report --json "$f") KiB"
	echo "export: peak RSS $(peak_rss_kb "$CV" export --format chrome -o "$TMP/x.json" --force "$f") KiB" \
	     "for a $((size >> 20)) MiB recording, $(( $(stat -c %s "$TMP/x.json") >> 20 )) MiB of JSON"
	"$CV" run --json -o "$TMP/small.cvz" -- "$PP" -s 1 > /dev/null 2>&1
	echo "export of a 1 s recording ($(( $(stat -c %s "$TMP/small.cvz") >> 20 )) MiB): peak RSS" \
	     "$(peak_rss_kb "$CV" export --format chrome -o "$TMP/y.json" --force "$TMP/small.cvz") KiB"
}

# ---- the tax on an untraced process ------------------------------------------
syscall_ns() { taskset -c 1 perf bench syscall basic -l 10000000 2>&1 |
	sed -n 's/^ *\([0-9.]*\) usecs\/op.*/\1/p' | awk '{printf "%.1f\n", $1 * 1000}'; }

tax_once() { # CONFIG: getppid ns/op while CONFIG traces `sleep`
	local pid
	case $1 in
	bare) syscall_ns; return ;;
	concviz) "$CV" run --json -- sleep 30 > /dev/null 2>&1 & pid=$! ;;
	perf) perf record -q -o "$TMP/tax.data" "${SCHED_TPS[@]}" -- sleep 30 > /dev/null 2>&1 & pid=$! ;;
	bpftrace) bpftrace -e "$BT_PROG" -c "/bin/sleep 30" > /dev/null 2>&1 & pid=$! ;;
	esac
	sleep 3 # loaded and attached
	syscall_ns
	kill -INT "$pid" 2> /dev/null; kill "$(pgrep -P "$pid" -x sleep)" 2> /dev/null; wait "$pid" 2> /dev/null
}

bench_tax() {
	local cfgs=(bare concviz perf bpftrace) c i base v
	echo "## tax: perf bench syscall basic (getppid, 10M calls, CPU 1) while each traces \`sleep\`"
	for i in $(seq "$REPS"); do
		for c in "${cfgs[@]}"; do echo "$c $(tax_once "$c")"; done
	done > "$TMP/tax.runs"
	base=$(awk '$1 == "bare" {print $2}' "$TMP/tax.runs" | median)
	printf '%-10s %10s %8s\n' config ns/call x_bare
	for c in "${cfgs[@]}"; do
		v=$(awk -v c="$c" '$1 == c {print $2}' "$TMP/tax.runs" | median)
		printf '%-10s %10s %8s\n' "$c" "$v" "$(ratio "$v" "$base")"
	done
	echo "(perf record and bpftrace here watch the scheduler tracepoints only; no syscalls)"
	if [ -x build/bench-time/sysprobe ] || make -s -C bench/time > /dev/null 2>&1; then
		echo "empty probes on the syscall tracepoints (bench/time/sysprobe, its own loop):"
		for p in btf_enter btf_exit btf_enter,btf_exit raw_enter,raw_exit; do
			echo "  $(build/bench-time/sysprobe -p "$p")"
		done
	fi
}

# ---- nginx under wrk -----------------------------------------------------------
WRK_SECS=4
bench_nginx() {
	local ngx="$TMP/ngx" worker c i pid rps
	local rounds=${NGINX_ROUNDS:-5}
	echo "## nginx: 1 worker on 127.0.0.1:8088 (bench/nginx.conf), wrk -t2 -c4 -d${WRK_SECS}s, $rounds alternating runs"
	mkdir -p "$ngx/html" "$ngx/logs"
	cp bench/nginx.conf "$ngx/"
	head -c 600 /dev/zero | tr '\0' x > "$ngx/html/index.html"
	nginx -p "$ngx" -c nginx.conf || { echo "nginx did not start"; return 1; }
	sleep 0.5
	worker=$(pgrep -P "$(cat "$ngx/nginx.pid")" | head -n 1)
	for ((i = 0; i < rounds; i++)); do
		for c in bare concviz perf bpftrace; do
			case $c in
			concviz) CONCVIZ_STATS=1 "$CV" attach --json -d $((WRK_SECS + 3)) "$worker" > "$TMP/ngx.json" \
					2> "$TMP/ngx.err" & pid=$! ;;
			perf) perf record -q -o "$TMP/ngx.data" "${SCHED_TPS[@]}" -p "$worker" > /dev/null 2>&1 & pid=$! ;;
			bpftrace) bpftrace -e "$BT_PROG" > /dev/null 2>&1 & pid=$! ;;
			bare) pid= ;;
			esac
			[ -n "$pid" ] && sleep 1.5
			rps=$(wrk -t2 -c4 -d${WRK_SECS}s http://127.0.0.1:8088/ | sed -n 's/^Requests\/sec: *//p')
			if [ -n "$pid" ]; then kill -INT "$pid" 2> /dev/null; wait "$pid" 2> /dev/null; fi
			[ "$c" = concviz ] && echo "drops $(jq .dropped_events "$TMP/ngx.json") $(jq .events "$TMP/ngx.json")"
			echo "$c $rps"
		done
	done > "$TMP/ngx.runs"
	kill "$(cat "$ngx/nginx.pid")"
	local base v
	base=$(awk '$1 == "bare" {print $2}' "$TMP/ngx.runs" | median)
	# x_bare: the medians' ratio (item 4's figure).  paired: the median of
	# each run's ratio to the bare run of its own round, which cancels the
	# host's slow swings (bare alone moves by 10-20 % within minutes here)
	printf '%-10s %10s %8s %8s\n' config req/s x_bare paired
	for c in bare concviz perf bpftrace; do
		v=$(awk -v c="$c" '$1 == c {print $2}' "$TMP/ngx.runs" | median)
		p=$(awk -v c="$c" '$1 == "bare" {b = $2} $1 == c && b > 0 {print $2 / b}' "$TMP/ngx.runs" | median)
		printf '%-10s %10s %8s %8.3f\n' "$c" "$v" "$(ratio "$v" "$base")" "$p"
	done
	echo "concviz: runs' drops $(awk '$1 == "drops" {printf "%s ", $2}' "$TMP/ngx.runs")(events $(awk '$1 == "drops" {printf "%s ", $3}' "$TMP/ngx.runs"))"
}

echo "# $(date -u +%F) $(nproc) CPUs, $(uname -r)"
bench_locks() { bench/locks.sh; }
bench_python() { bench/python.sh; }

for w in "${@:-pipe threads record tax nginx locks python}"; do
	for x in $w; do
		case $x in
		pipe|threads|record|tax|nginx|locks|python) "bench_$x"; echo ;;
		*) echo "bench: unknown workload '$x' (pipe threads record tax nginx locks python)" >&2; exit 2 ;;
		esac
	done
done
