#!/usr/bin/env bats
# python.bats — CPython 3.11 as a learner meets it: the GIL by name and
# holder (Debian's static python3.11, a forked child, and a program that
# links libpython3.11.so), Python-level waits by kind (Lock, RLock,
# Semaphore, Event, Queue, Thread.join), the opposite-order deadlock live
# and from a recording, and a multiprocessing.Lock shared by 4 processes.
# The programs (tests/python/*.py) count their own acquisitions and waits
# and print them as example-stats; concviz's JSON must agree.

load helpers
load tmux

PY="${CONCVIZ_PYTHON:-/usr/bin/python3.11}"
PYDIR="$ROOT/tests/python"
EMBED="$ROOT/build/tests/python/embed"
FAKE="$ROOT/build/tests/e2e/fake_python"
SESSION="concviz-python-$$"

setup() {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	command -v jq > /dev/null || skip "jq missing"
	[ -x "$PY" ] || { echo "missing $PY (make deps)"; return 1; }
	SHOTS="$OUT_DIR/tui"
	mkdir -p "$SHOTS"
}

teardown() {
	tmux kill-session -t "$SESSION" 2> /dev/null || true
}

# py NAME [concviz opts] -- COMMAND...: run under concviz --json; $J the
# JSON, $S the program's example-stats, $E concviz's stderr
py() {
	local name=$1; shift
	run_json "python-$name" "$@" && no_drops
}

# ex [-c] FILTER: the program's ground truth; cv [-c] FILTER: concviz's JSON
ex() { jq -r "$@" "$S"; }
cv() { jq -r "$@" "$J"; }

# eq WHAT PROGRAM CONCVIZ
eq() {
	[ "$2" = "$3" ] || { echo "$1: program $2, concviz $3"; return 1; }
}

# the one lock whose name starts with $1: prints it as JSON (fails unless
# exactly one)
one_lock() {
	local n
	n=$(jq --arg p "$1" '[.locks[] | select(.name // "" | startswith($p))] | length' "$J")
	[ "$n" = 1 ] || { echo "locks named '$1…': $n"; jq -c '.locks[] | [.name, .kind, .waits]' "$J"; return 1; }
	jq -c --arg p "$1" '.locks[] | select(.name // "" | startswith($p))' "$J"
}

# the GIL of the process with pid $1: one row, kind gil, and the worker
# tids ($2, a JSON list) all waited on it; its holder is one of the
# process's threads that run Python
check_gil() {
	local pid=$1 workers=$2 gil
	gil=$(jq -c --argjson p "$pid" '[.locks[] | select(.pid == $p and .name == "GIL")]' "$J")
	eq "GIL rows of $pid" 1 "$(jq length <<< "$gil")"
	eq "GIL kind" gil "$(jq -r '.[0].kind' <<< "$gil")"
	jq -e --argjson w "$workers" '.[0] | ([.waiters[].tid] as $t | all($w[]; . as $x | $t | index($x)))' \
		<<< "$gil" > /dev/null || { echo "not every worker waited for the GIL: $gil"; return 1; }
	jq -e --argjson w "$workers" --argjson m "$pid" '.[0].owner_tid as $o | ($w + [$m]) | index($o)' \
		<<< "$gil" > /dev/null || { echo "GIL holder not a Python thread of $pid: $gil"; return 1; }
	# no raw interpreter offsets anywhere
	eq "locks named _PyRuntime+N" 0 "$(cv '[.locks[] | select(.name // "" | startswith("_PyRuntime"))] | length')"
}

@test "python: 3 CPU-bound threads wait for the GIL, held by one of them; the waits are most of their life" {
	py gil-threads -- "$PY" "$PYDIR/gil.py" threads
	local workers pid
	workers=$(ex -c .worker_tids)
	pid=$(ex .pid)
	check_gil "$pid" "$workers"
	# one interpreter, 2 CPUs, 3 threads: each runs Python a third of the time
	for t in $(ex '.worker_tids[]'); do
		jq -e --argjson t "$t" '.threads[] | select(.tid == $t) |
			(.time_ns | add) as $life | (.lock_wait_by_kind.gil // 0) > 0.3 * $life' "$J" > /dev/null ||
			{ echo "T$t waited for the GIL under 30% of its life"; cv ".threads[] | select(.tid == $t)"; return 1; }
	done
	jq -e 'all(.threads[]; .time_ns.lock_wait == ([.lock_wait_by_kind[]] | add // 0))' "$J" > /dev/null
	grep -q "GIL" <(cv '.locks[].name') # reported as such
}

@test "python: the same work in 3 processes has no GIL waits" {
	py gil-procs -- "$PY" "$PYDIR/gil.py" processes
	for p in $(ex '.worker_pids[]'); do
		eq "threads of worker $p traced" 1 "$(cv "[.threads[] | select(.pid == $p)] | length")"
		eq "GIL wait of worker $p" 0 "$(cv ".threads[] | select(.pid == $p) | .lock_wait_by_kind.gil // 0")"
	done
	eq "GIL rows with waits" 0 "$(cv '[.locks[] | select(.kind == "gil" and .waits > 0)] | length')"
}

@test "python: threads in a forked child (no exec) wait for that child's GIL" {
	py gil-fork -- "$PY" "$PYDIR/gil.py" fork-threads 2000000
	local child
	child=$(ex '.worker_pids[0]')
	[ "$child" != "$(ex .pid)" ]
	check_gil "$child" "$(ex -c .worker_tids)"
}

@test "python: a program linking libpython3.11.so has the same GIL, by name and holder" {
	[ -x "$EMBED" ] || { echo "missing $EMBED (make)"; return 1; }
	ldd "$EMBED" | grep -q 'libpython3\.11\.so'
	py gil-embed -- "$EMBED" "$PYDIR/gil.py" threads
	check_gil "$(ex .pid)" "$(ex -c .worker_tids)"
	# its first waits too: no GIL word outside the one row
	eq "rows named GIL" 1 "$(cv '[.locks[] | select(.name == "GIL")] | length')"
}

# lock.py: every contended acquire is one wait on one row of kind mutex
check_lock() {
	local row
	row=$(one_lock "lock in main.<locals>.worker (lock.py)")
	eq "contended acquires = waits" "$(ex .contended)" "$(jq .waits <<< "$row")"
	eq "all blocked at once" "$(ex .contended)" "$(jq .max_waiters <<< "$row")"
	eq kind mutex "$(jq -r .kind <<< "$row")"
	eq "waiting for a signal" false "$(jq .waiting_for_signal <<< "$row")"
	eq waiters "$(ex -c '.workers | sort')" "$(jq -c '[.waiters[].tid] | sort' <<< "$row")"
	# the main thread released it first, then each worker to the next
	jq -e --argjson m "$(ex .main.tid)" '[.wakers[].tid] | index($m)' <<< "$row" > /dev/null
	# joins and starts do not flood the list: one row each
	[ "$(cv '[.locks[] | select(.kind == "join")] | length')" -le 2 ]
}

@test "python: threading.Lock contention: waits, waiters and wakers equal the program's counts" {
	py lock -- "$PY" "$PYDIR/lock.py" lock
	eq contended 5 "$(ex .contended)"
	eq acquisitions 6 "$(ex .acquisitions)"
	check_lock
}

@test "python: threading.RLock: re-entry does not wait, contention does" {
	py rlock -- "$PY" "$PYDIR/lock.py" rlock
	eq contended 5 "$(ex .contended)"
	eq acquisitions 11 "$(ex .acquisitions)"
	check_lock
}

@test "python: Semaphore(5) of 20 threads: 15 park in acquire at once, as one semaphore row" {
	py semaphore -- "$PY" "$PYDIR/semaphore.py" 20 5
	eq "max holders" 5 "$(ex .max_holders)"
	local row c
	c=$(ex .contended)
	eq contended 15 "$c"
	row=$(one_lock "Semaphore in ")
	eq kind semaphore "$(jq -r .kind <<< "$row")"
	eq "waiting for a signal" true "$(jq .waiting_for_signal <<< "$row")"
	eq "parked at once" "$c" "$(jq .max_waiters <<< "$row")"
	eq "threads that waited" "$c" "$(jq '.waiters | length' <<< "$row")"
	# one wait per contended acquire, plus at most a few on the
	# semaphore's internal lock when a release meets a waker
	jq -e --argjson c "$c" '.waits >= $c and .waits <= $c + 5' <<< "$row" > /dev/null ||
		{ echo "waits $(jq .waits <<< "$row"), contended $c"; return 1; }
}

@test "python: threads parked on an Event are waiting for the event, woken by the setter" {
	py event -- "$PY" "$PYDIR/event.py" 4
	local row
	row=$(one_lock "Event in ")
	eq waited 4 "$(ex .waited)"
	eq kind event "$(jq -r .kind <<< "$row")"
	eq "waiting for a signal" true "$(jq .waiting_for_signal <<< "$row")"
	eq "parked at once" 4 "$(jq .max_waiters <<< "$row")"
	eq waiters "$(ex -c '.waiters | sort')" "$(jq -c '[.waiters[].tid] | sort' <<< "$row")"
	# each waits once, and may wait again for the Event's lock when set()
	# wakes them all at once
	jq -e '.waits >= 4 and .waits <= 8' <<< "$row" > /dev/null
	jq -e --argjson m "$(ex .main.tid)" '[.wakers[].tid] | index($m)' <<< "$row" > /dev/null
}

@test "python: a consumer on an empty queue.Queue waits for the queue, woken by the producer" {
	py queue -- "$PY" "$PYDIR/queue_pc.py" 10
	local row e
	row=$(one_lock "Queue in ")
	e=$(ex .empty_gets)
	eq items 10 "$(ex .items)"
	eq "gets on an empty queue" 11 "$e"
	eq kind queue "$(jq -r .kind <<< "$row")"
	jq -e --argjson c "$(ex .consumer)" '[.waiters[].tid] | index($c)' <<< "$row" > /dev/null
	jq -e --argjson p "$(ex .producer)" '[.wakers[].tid] | index($p)' <<< "$row" > /dev/null
	jq -e --argjson e "$e" '.waits >= $e and .waits <= 2 * $e' <<< "$row" > /dev/null ||
		{ echo "waits $(jq .waits <<< "$row"), empty gets $e"; return 1; }
}

# the deadlock of deadlock.py in $J: both threads and both locks
check_deadlock() {
	local threads dl
	threads=$(ex -c '[.ab, .ba] | sort')
	eq stuck '["ab","ba"]' "$(ex -c .stuck)"
	dl=$(jq -c --argjson t "$threads" '[.deadlocks[] | select((.threads | sort) == $t)]' "$J")
	eq "deadlocks of both threads" 1 "$(jq length <<< "$dl")"
	eq confirmed false "$(jq '.[0].confirmed' <<< "$dl")"
	eq locks 2 "$(jq '.[0].locks | unique | length' <<< "$dl")"
	for a in $(jq -r '.[0].locks[]' <<< "$dl"); do
		eq "kind of $a" mutex "$(cv ".locks[] | select(.addr == \"$a\") | .kind")"
	done
	jq -e '.[0].stuck_ns >= 1000000000' <<< "$dl" > /dev/null
}

@test "python: two Locks taken in opposite order: a possible deadlock of both threads and both locks, live" {
	py deadlock -- "$PY" "$PYDIR/deadlock.py"
	check_deadlock
}

@test "python: the opposite-order deadlock from a recording, in report --json and the text report" {
	local rec="$BATS_TEST_TMPDIR/deadlock.cvz"
	py deadlock-rec -o "$rec" -- "$PY" "$PYDIR/deadlock.py"
	local live=$J
	J="$BATS_TEST_TMPDIR/deadlock-report.json"
	"$CONCVIZ" report --json "$rec" > "$J"
	check_deadlock
	# the same cycle (how long it was seen stuck is measured to a different
	# end live and in the recording: not compared)
	eq "same deadlocks" "$(jq -c '[.deadlocks[] | {threads, locks, confirmed}]' "$live")" \
		"$(jq -c '[.deadlocks[] | {threads, locks, confirmed}]' "$J")"
	"$CONCVIZ" report "$rec" > "$BATS_TEST_TMPDIR/report.txt"
	grep -q "possible deadlock: T$(ex .ab) waits lock in transfer_ab (deadlock.py), T$(ex .ba) waits lock in transfer_ba (deadlock.py)" \
		"$BATS_TEST_TMPDIR/report.txt" || { cat "$BATS_TEST_TMPDIR/report.txt"; return 1; }
}

@test "python: with --lock-holders the opposite-order deadlock is a confirmed cycle with the right holders" {
	py deadlock-holders --lock-holders -- "$PY" "$PYDIR/deadlock.py"
	local ab ba dl
	ab=$(ex .ab)
	ba=$(ex .ba)
	dl=$(jq -c --argjson t "$(ex -c '[.ab, .ba] | sort')" '[.deadlocks[] | select((.threads | sort) == $t)]' "$J")
	eq "deadlocks of both threads" 1 "$(jq length <<< "$dl")"
	eq confirmed true "$(jq '.[0].confirmed' <<< "$dl")"
	# each waits for the lock the other holds
	eq "holder of what T$ab waits for" "$ba" \
		"$(cv --argjson t "$ab" '.locks[] | select(.kind == "mutex" and ([.waiters[].tid] | index($t))) | .owner_tid')"
	eq "holder of what T$ba waits for" "$ab" \
		"$(cv --argjson t "$ba" '.locks[] | select(.kind == "mutex" and ([.waiters[].tid] | index($t))) | .owner_tid')"
}

@test "python: locks are named by the code that waited, at its wait: 10 Locks, a Barrier, an idle pool worker" {
	py names -- "$PY" "$PYDIR/names.py"
	# each waiter computes elsewhere right after its short wait, and has
	# exited by the end: a name read later would say busy_elsewhere, or none
	eq "names of the 10 Locks" '{"lock in waiter (names.py)":10}' \
		"$(cv -c --argjson w "$(ex -c .waiters)" '[.locks[] | select(.kind == "mutex" and ([.waiters[].tid] | any(. as $x | $w | index($x)))) | .name] | group_by(.) | map({(.[0]): length}) | add')"
	local b
	b=$(cv -c '[.locks[] | select(.kind == "barrier")]')
	eq "barrier rows" 1 "$(jq length <<< "$b")"
	eq "barrier name" "Barrier in at_barrier (names.py)" "$(jq -r '.[0].name' <<< "$b")"
	# every round two threads wait for the third: (3 - 1) waits a round
	eq "barrier waits" $((2 * $(ex .rounds))) "$(jq '.[0].waits' <<< "$b")"
	eq "at once" 2 "$(jq '.[0].max_waiters' <<< "$b")"
	jq -e --argjson all "$(ex -c .barrier)" '[.[0].waiters[].tid] | length >= 2 and all(.[]; . as $x | $all | index($x))' \
		<<< "$b" > /dev/null || { echo "barrier waiters: $(jq -c '.[0].waiters' <<< "$b")"; return 1; }
	eq "idle worker" '["queue"]' "$(cv -c '[.locks[] | select(.name == "ThreadPoolExecutor work queue") | .kind]')"
	eq "contention in the pool" 0 "$(cv '[.locks[] | select(.name != null and (.name | test("thread.py")))] | length')"
}

@test "python: inside a PID namespace (unshare --pid) the GIL's holder is known by its global ID" {
	command -v unshare > /dev/null || skip "unshare missing"
	unshare --pid --fork true 2> /dev/null || skip "no PID namespaces here"
	py gil-ns -- unshare --pid --fork "$PY" "$PYDIR/gil.py" threads
	local g
	g=$(cv -c '[.locks[] | select(.kind == "gil")]')
	eq "GIL rows" 1 "$(jq length <<< "$g")"
	# the program's own ids are its namespace's: 1 is its main thread
	eq "its main thread in its namespace" 1 "$(ex .main_tid)"
	jq -e --slurpfile r "$J" '.[0].owner_tid as $o | $o != null and $o > 3 and
		([$r[0].threads[].tid] | index($o))' <<< "$g" > /dev/null || { jq . <<< "$g"; return 1; }
	jq -e '.[0].waits > 10' <<< "$g" > /dev/null
}

@test "python: attach finds threads already parked in a Lock and an Event: their waits by kind, named, no unknown futex" {
	local err="$BATS_TEST_TMPDIR/parked.err"
	"$PY" "$PYDIR/stuck.py" parked 3 2> "$err" &
	local pid=$!
	for _ in $(seq 50); do grep -q '^example-stats ' "$err" && break; sleep 0.1; done
	S="$BATS_TEST_TMPDIR/parked.stats.json"
	grep '^example-stats ' "$err" | sed 's/^example-stats //' > "$S"
	J="$BATS_TEST_TMPDIR/parked.json"
	"$CONCVIZ" attach --json -d 1 "$pid" > "$J" 2> /dev/null
	wait "$pid"
	# what each waits on, as if concviz had seen it block
	eq "the locker's wait" '{"kind":"mutex","name":"lock in parked.<locals>.locker (stuck.py)"}' \
		"$(cv -c --argjson t "$(ex .locker)" '.threads[] | select(.tid == $t) | .waiting_on | {kind, name}')"
	eq "the event waiter's wait" '{"kind":"event","name":"Event in parked.<locals>.setter_waiter (stuck.py)"}' \
		"$(cv -c --argjson t "$(ex .event)" '.threads[] | select(.tid == $t) | .waiting_on | {kind, name}')"
	eq "their time by kind" '[["mutex"],["event"]]' \
		"$(cv -c --argjson a "$(ex .locker)" --argjson b "$(ex .event)" '[(.threads[] | select(.tid == $a)), (.threads[] | select(.tid == $b))] | map(.lock_wait_by_kind | keys)')"
	eq "unknown futexes" 0 "$(cv '[.locks[] | select(.kind == "futex")] | length')"
	eq deadlocks 0 "$(cv '.deadlocks | length')"
}

# the deadlocks in $J whose threads are the JSON array $1 (any order)
deadlocks_of() {
	jq -c --argjson t "$1" '[.deadlocks[] | select((.threads | sort) == ($t | sort))]' "$J"
}

# stuck NAME MODE [concviz opts]: stuck.py MODE under concviz; $DL the
# deadlocks of the threads it says get stuck: one, and the only one
stuck() {
	local name=$1 mode=$2; shift 2
	py "$name" "$@" -- "$PY" "$PYDIR/stuck.py" "$mode"
	DL=$(deadlocks_of "$(ex -c .stuck)")
	eq "deadlocks of the stuck threads" 1 "$(jq length <<< "$DL")"
	eq "deadlocks" 1 "$(cv '.deadlocks | length')"
}

# dl_locks FIELD: FIELD of the lock rows that $DL's deadlock waits for, sorted
dl_locks() {
	jq -c --slurpfile r "$J" "[.[0].locks | unique | .[] as \$a | \$r[0].locks[] | select(.addr == \$a) | .$1] | sort" <<< "$DL"
}

@test "python: a Lock its only thread takes twice: a possible deadlock of one, with --lock-holders too" {
	stuck stuck-self self -d 2.5
	local dl=$DL
	eq confirmed false "$(jq '.[0].confirmed' <<< "$dl")"
	jq -e --arg t "$(ex '.stuck[0]')" '.[0].text | test("^possible deadlock: T\($t) waits lock in stuck_alone \\(stuck.py\\), for [0-9.]+s, no thread of the process running; holders unknown$")' \
		<<< "$dl" > /dev/null || { jq . <<< "$dl"; return 1; }
	# the semaphore's last taker is the waiter: no holder (a Lock may be
	# released by another thread), so still the pattern, not a cycle
	stuck stuck-self-holders self -d 2.5 --lock-holders
	dl=$DL
	eq confirmed false "$(jq '.[0].confirmed' <<< "$dl")"
}

@test "python: the main thread joins a worker that waits for the main thread's Lock: a possible deadlock of both" {
	stuck stuck-join join -d 2.5
	local dl=$DL
	eq confirmed false "$(jq '.[0].confirmed' <<< "$dl")"
	eq "kinds waited for" '["join","mutex"]' "$(dl_locks kind)"
	jq -e '.[0].stuck_ns >= 1000000000 and .[0].ended_ts_ns == null' <<< "$dl" > /dev/null
	# with the holders known it is still one deadlock of the two, never a
	# cycle through the GIL the worker let go of as it blocked
	stuck stuck-join-holders join -d 2.5 --lock-holders
	dl=$DL
	jq -e '.[0].text | test("GIL") | not' <<< "$dl" > /dev/null || { jq . <<< "$dl"; return 1; }
}

@test "python: waiters behind a holder that sleeps: the pattern is over when one takes its lock; with --lock-holders no deadlock" {
	py stuck-asleep -- "$PY" "$PYDIR/stuck.py" asleep
	eq finishes true "$(ex .finishes)"
	local d
	d=$(jq -c --argjson w "$(ex -c .waiters)" '[.deadlocks[] | select(.threads as $t | all($w[]; . as $x | $t | index($x)))]' "$J")
	eq "possible deadlocks with both waiters" 1 "$(jq length <<< "$d")"
	eq confirmed false "$(jq '.[0].confirmed' <<< "$d")"
	jq -e '.[0].ended_ts_ns > .[0].ts_ns' <<< "$d" > /dev/null || { jq . <<< "$d"; return 1; }
	jq -e '.[0].text | test("; over at \\+[0-9.]+s: T[0-9]+ got its lock, so it was not a deadlock$")' <<< "$d" > /dev/null ||
		{ jq . <<< "$d"; return 1; }
	py stuck-asleep-holders --lock-holders -- "$PY" "$PYDIR/stuck.py" asleep
	eq "deadlocks with the holder known to sleep" 0 "$(cv '.deadlocks | length')"
	eq "holder of both locks" "[$(ex .holder),$(ex .holder)]" \
		"$(cv -c --argjson w "$(ex -c .waiters)" '[.locks[] | select(.kind == "mutex" and ([.waiters[].tid] | any(. as $x | $w | index($x)))) | .owner_tid]')"
}

@test "python: two processes take two multiprocessing Locks in opposite order: a possible deadlock across them" {
	stuck stuck-procs processes -d 3
	local dl=$DL
	eq confirmed false "$(jq '.[0].confirmed' <<< "$dl")"
	# two locks, each a row of its own shared across the processes (they
	# forked: the same addresses in both)
	eq "shared locks waited for" '[true,true]' "$(dl_locks shared)"
	jq -e '.[0].text | test("both for [0-9.]+s, no thread of these processes running; holders unknown$")' \
		<<< "$dl" > /dev/null || { jq . <<< "$dl"; return 1; }
}

@test "python: one multiprocessing.Lock shared by 4 processes is one lock row" {
	py mplock -- "$PY" "$PYDIR/mp_lock.py" 4
	local rows row
	# the program's other shared locks (its Value's, its queue's) may have
	# rows of their own: count the rows of this one, by its address
	rows=$(jq -c --arg a "$(ex .lock)" '[.locks[] | select(.shared and .addr == $a)]' "$J")
	eq "shared rows at $(ex .lock)" 1 "$(jq length <<< "$rows")"
	row=$(jq -c '.[0]' <<< "$rows")
	eq contended 4 "$(ex .contended)"
	eq kind mutex "$(jq -r .kind <<< "$row")"
	eq "contended acquires = waits" 4 "$(jq .waits <<< "$row")"
	eq "all blocked at once" 4 "$(jq .max_waiters <<< "$row")"
	eq waiters "$(ex -c '.children | sort')" "$(jq -c '[.waiters[].tid] | sort' <<< "$row")"
	jq -e --argjson c "$(ex -c .children)" '(.pids | sort) as $p | all($c[]; . as $x | $p | index($x))' \
		<<< "$row" > /dev/null
}

@test "python: an interpreter concviz cannot read is said once, and its state is named as such" {
	[ -x "$FAKE" ] || { echo "missing $FAKE (make)"; return 1; }
	py fake -- "$FAKE"
	eq contended 2 "$(ex .contended)"
	eq "warnings" 1 "$(grep -c 'runs Python 3.12, which concviz cannot read' "$E")"
	local row
	row=$(one_lock "_PyRuntime")
	eq name "_PyRuntime (Python 3.12: not supported)" "$(jq -r .name <<< "$row")"
	eq waits 2 "$(jq .waits <<< "$row")"
}

@test "python: the TUI shows threads waiting for the GIL and the GIL in the locks view" {
	start "'$CONCVIZ' run -- '$PY' '$PYDIR/gil.py' threads 40000000"
	wait_for "Threads" 15
	wait_for "GIL" 15   # a worker's state word
	shot threads
	tmux send-keys -t "$SESSION" 3
	wait_for "Locks"
	wait_for "GIL"
	# the join row is named by its site once the main thread blocks in
	# join (later than the workers' first GIL waits on a loaded machine)
	wait_for "gil.py"
	shot locks
	quit_clean
}
