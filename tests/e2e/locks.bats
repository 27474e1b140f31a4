#!/usr/bin/env bats
# locks.bats — locks as objects with kinds, waiting apart from contention,
# waiters and wakers, process-shared locks, names in forked children, and
# deadlocks confirmed or possible; against the programs' own counts
# (example-stats of the examples and of tests/e2e/locks_prog.c).

load helpers
load tmux

PROG="$ROOT/build/tests/e2e/locks_prog"
SESSION="concviz-locks-$$"

setup() {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	[ -x "$PROG" ] || { echo "missing $PROG (make)"; return 1; }
}

teardown() {
	tmux kill-session -t "$SESSION" 2> /dev/null || true
}

# prog NAME [concviz opts] -- ARGS: run locks_prog under concviz --json;
# $J, $S, $E as trace() leaves them
prog() {
	local name=$1; shift
	local copts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do copts+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	run_json "locks-$name" "${copts[@]}" -- "$PROG" "$@"
}

# every thread's lock_wait is the sum of its lock_wait_by_kind
lock_wait_sums() {
	jq -e 'all(.threads[]; .time_ns.lock_wait == ([.lock_wait_by_kind[]] | add // 0))' "$J" > /dev/null
}

@test "locks: prodcons's condvar is one row not_full, kind condvar; producers wait on it, consumers wake them" {
	trace prodcons -- --seconds 2
	# what the checks below compare, for a failure's log
	jq -c '.locks[] | select(.name == "not_full") | {waits, waiters, wakers}' "$J"
	jq -c '[.threads[] | {tid, role, cond_waits}]' "$S"
	lock_wait_sums
	# one row for the object, none for its futex words
	[ "$(jq '[.locks[] | select(.name == "not_full")] | length' "$J")" = 1 ]
	[ "$(jq '[.locks[] | select(.name // "" | startswith("not_full+"))] | length' "$J")" = 0 ]
	jq -e '.locks[] | select(.name == "not_full") | .kind == "condvar" and .waiting_for_signal' "$J"
	jq -e '.locks[] | select(.name == "queue_lock") | .kind == "mutex" and (.waiting_for_signal | not)' "$J"
	# the producers wait on it, each about as often as it counted its own
	# pthread_cond_wait calls (a call may find its signal without a futex
	# wait, or wait twice after a spurious wake-up: within 5% + 5 on a busy machine); a
	# consumer may wait on it rarely too, inside pthread_cond_signal (glibc
	# waits there for the old waiter group to drain: a word of the same object)
	jq -n --slurpfile cv "$J" --slurpfile ex "$S" -e '
		($ex[0].threads | map(select(.role == "producer")) | map({key: (.tid | tostring), value: .cond_waits}) | from_entries) as $want
		| ($cv[0].locks[] | select(.name == "not_full")) as $l
		| ([$l.waiters[] | select($want[.tid | tostring]) | .tid | tostring] | sort) == ($want | keys | sort)
		  and all($l.waiters[] | select($want[.tid | tostring]); .tid as $t
			  | (.waits - $want[$t | tostring]) | fabs <= $want[$t | tostring] * 0.05 + 5)
		  and ([$l.waiters[] | select($want[.tid | tostring] | not) | .waits] | add // 0) <= $l.waits * 0.03'
	# its wakers are the consumers (they signal it), but for those rare
	# internal waits; every wake ended a wait
	jq -n --slurpfile cv "$J" --slurpfile ex "$S" -e '
		($ex[0].threads | map(select(.role == "consumer") | .tid)) as $cons
		| ($cv[0].locks[] | select(.name == "not_full")) as $l
		| ([$l.wakers[].wakes] | add) as $all
		| ([$l.wakers[] | select(.tid as $t | $cons | index($t)) | .wakes] | add) >= $all * 0.97
		  and $all <= $l.waits and $all > 0'
	# a producer's lock wait is mostly waiting for a signal, not contention
	tid=$(jq '[.threads[] | select(.role == "producer")][0].tid' "$S")
	jq -e --argjson t "$tid" '.threads[] | select(.tid == $t) |
		.lock_wait_by_kind.condvar > 10 * (.lock_wait_by_kind.mutex // 0)' "$J"
}

@test "locks: text report separates contention from waiting for a signal, with waiters and wakers" {
	run "$CONCVIZ" run --report prodcons --seconds 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"LOCK CONTENTION ("* ]]
	[[ "$output" == *"WAITING FOR A SIGNAL ("* ]]
	# not_full is listed under waiting, queue_lock under contention
	section=$(printf '%s\n' "$output" | sed -n '/^WAITING FOR A SIGNAL/,/^LOCK WAIT BY KIND/p')
	[[ "$section" == *"not_full"*"condvar"* ]]
	[[ "$section" != *"queue_lock"* ]]
	[[ "$section" == *"waiters: T"*"woken by: T"* ]]
	[[ "$output" == *"LOCK WAIT BY KIND"* ]]
}

# a woken sem_wait can lose the permit to a newcomer and wait again, so a
# worker's waits are not bounded by its acquisitions: the waiters are
# exactly the workers, each of which waited
@test "locks: semaphore's permits is one semaphore; its waiters are exactly its 20 workers" {
	trace semaphore -- --seconds 1
	lock_wait_sums
	jq -e '[.locks[] | select(.name == "permits")] | length == 1' "$J"
	jq -n --slurpfile cv "$J" --slurpfile ex "$S" -e '
		($ex[0].threads | map(select(.role == "sem-worker")) | map({key: (.tid | tostring), value: .lock_acquisitions}) | from_entries) as $acq
		| ($cv[0].locks[] | select(.name == "permits")) as $l
		| $l.kind == "semaphore" and ($l.waiters | length) == ($acq | length)
		  and ($l.waiters | map(.tid | tostring) | sort) == ($acq | keys | sort)
		  and all($l.waiters[]; .waits >= 1)'
}

@test "locks: a process-shared mutex taken by 4 forked processes is one lock across them" {
	prog shared -- shared-mutex 4 1000
	[ "$(jq '[.locks[] | select(.shared)] | length' "$J")" = 1 ]
	# its processes and waiters are exactly the children, several waiting
	# at once; only a child that found it taken (its trylock failed) waited
	jq -n --slurpfile cv "$J" --slurpfile ex "$S" -e '
		($cv[0].locks[] | select(.shared)) as $l
		| ($ex[0].threads | map({key: (.tid | tostring), value: .contended}) | from_entries) as $cont
		| ($l.pids | sort) == ($ex[0].threads | map(.pid) | sort)
		  and $l.kind == "mutex" and $l.max_waiters >= 2 and $l.waits > 0
		  and ($l.waiters | map(.tid) | sort) == ($ex[0].threads | map(.tid) | sort)
		  and all($l.waiters[]; $cont[.tid | tostring] > 0)'
}

@test "locks: a shared lock named after its first sighting (attach finds its waiters blocked) has that name in the recording too" {
	local d="$BATS_TEST_TMPDIR" pid
	"$PROG" shm-threads 3 800 800 2> "$d/prog.err" &
	pid=$!
	sleep 0.3 # main holds the lock: the workers are blocked on it when attach looks
	"$CONCVIZ" attach --json -o "$d/a.cvz" "$pid" > "$d/a.json" 2> "$d/a.err" || { cat "$d/a.err"; return 1; }
	wait "$pid"
	"$CONCVIZ" report --json "$d/a.cvz" > "$d/r.json"
	cp "$d/a.json" "$OUT_DIR/locks-shm-attach.json"
	cp "$d/r.json" "$OUT_DIR/locks-shm-report.json"
	local shm rows
	shm=$(sed -n 's/^shm //p' "$d/prog.err")
	[ "$shm" = "/dev/shm/concviz-locks-$pid" ]
	rows=$(jq -c --arg n "$shm" '[.locks[] | select(.name == $n)]' "$d/a.json")
	[ "$(jq 'length' <<< "$rows")" = 1 ]
	jq -e '.[0].shared and .[0].kind == "mutex" and .[0].waits > 0' <<< "$rows"
	# the workers, and only they, waited on it
	grep '^example-stats ' "$d/prog.err" | sed 's/^example-stats //' > "$d/s.json"
	[ "$(jq -c '[.[0].waiters[].tid] | sort' <<< "$rows")" = "$(jq -c '[.threads[].tid] | sort' "$d/s.json")" ]
	# the recording names every lock as the live run did
	local q='[.locks[] | {pid, addr, name, kind, shared, waits}]'
	[ "$(jq -c "$q" "$d/r.json")" = "$(jq -c "$q" "$d/a.json")" ]
}

@test "locks: a forked child's global mutex keeps its name, also when the child is gone before its events are read" {
	prog forkname -- fork-named 1000
	child=$(jq '.pid' "$S")
	jq -e --argjson p "$child" '[.locks[] | select(.pid == $p and .name == "child_lock" and .kind == "mutex")] | length == 1' "$J"
	prog forkshort -- fork-named 20 500
	child=$(jq '.pid' "$S")
	jq -e --argjson p "$child" '[.locks[] | select(.pid == $p and .name == "child_lock")] | length == 1' "$J"
}

@test "locks: the deadlock example stays a confirmed deadlock with known holders" {
	trace deadlock -- --seconds 1.5
	jq -e '.deadlocks | length == 1 and .[0].confirmed and .[0].stuck_ns == null' "$J"
	jq -e '.deadlocks[0].text | startswith("deadlock: T")' "$J"
	names=$(jq -r '.deadlocks[0].locks[] as $a | .locks[] | select(.addr == $a) | .name' "$J" | sort | tr '\n' ' ')
	[ "$names" = "lock_a lock_b " ]
}

@test "locks: two threads blocked on two sem_t in opposite order are a possible deadlock, live and from a recording" {
	local rec="$BATS_TEST_TMPDIR/semdl.cvz"
	prog semdl -o "$rec" -- sem-deadlock 2000
	# whichever deadline passes first gives up (then the other gets through)
	grep -Eq '^taker-(ab: deadlock: holding sem_a, gave up waiting for sem_b|ba: deadlock: holding sem_b, gave up waiting for sem_a)' "$E"
	jq -e '.deadlocks | length == 1 and (.[0].confirmed | not)' "$J"
	# its threads are the two takers, each waiting for the other's semaphore
	# (and the main thread, stuck joining taker-ab); it was over when the
	# first deadline passed
	ab=$(jq '.threads[] | select(.role == "taker-ab") | .tid' "$S")
	jq -n --slurpfile cv "$J" --slurpfile ex "$S" --argjson ab "$ab" -e '
		$cv[0] as $c | $c.deadlocks[0] as $d
		| ($d.threads | sort) == ($ex[0].threads | map(.tid) + [$ex[0].pid] | sort)
		  and ([$d.locks[] as $a | $c.locks[] | select(.addr == $a) | .name] | sort)
		      == ["join T\($ab)", "sem_a", "sem_b"]
		  and $d.stuck_ns >= 1900000000 and $d.stuck_ns <= 2200000000
		  and $d.ended_ts_ns > $d.ts_ns'
	jq -e --argjson t "$ab" '.deadlocks[0] | .text | test("possible deadlock: .*T\($t) waits sem_b.*holders unknown; over at [^:]*: T[0-9]+ gave up waiting \\(a timeout\\)$")' "$J"
	# a report of the recording says the same
	"$CONCVIZ" report --json "$rec" > "$BATS_TEST_TMPDIR/semdl.report.json"
	[ "$(jq -c '.deadlocks' "$J")" = "$(jq -c '.deadlocks' "$BATS_TEST_TMPDIR/semdl.report.json")" ]
	run "$CONCVIZ" report "$rec"
	[ "$status" -eq 0 ]
	[[ "$output" == *"possible deadlock: T"*"waits sem_"*"all for 2.0"* ]]
	[[ "$output" != *"none detected"* ]]
}

@test "locks: the TUI shows a possible deadlock live and labels the stuck threads by kind" {
	command -v tmux > /dev/null || skip "tmux missing"
	SHOTS="$OUT_DIR/tui"
	mkdir -p "$SHOTS"
	start "'$CONCVIZ' run -- '$PROG' sem-deadlock 6000"
	wait_for "Threads" 15
	wait_for "semaphore" 5
	shot semdl-threads
	tmux send-keys -t "$SESSION" 3
	wait_for "POSSIBLE" 8
	shot semdl-locks
	[[ "$SCREEN" == *"possible deadlock: T"*"waits sem_"* ]]
	[[ "$SCREEN" == *"waiting for a signal"* ]]
	quit_clean
}

@test "locks: --lock-holders knows who holds each sem_t, so the same deadlock is a confirmed cycle" {
	prog semdlh --lock-holders -- sem-deadlock 1500
	jq -e '.deadlocks | length == 1 and .[0].confirmed' "$J"
	ab=$(jq '.threads[] | select(.role == "taker-ab") | .tid' "$S")
	ba=$(jq '.threads[] | select(.role == "taker-ba") | .tid' "$S")
	# sem_a was taken by taker-ab, sem_b by taker-ba
	jq -e --argjson ab "$ab" --argjson ba "$ba" '
		(.locks[] | select(.name == "sem_a") | .owner_tid == $ab) and
		(.locks[] | select(.name == "sem_b") | .owner_tid == $ba)' "$J"
	jq -e --argjson ab "$ab" --argjson ba "$ba" '.deadlocks[0].text |
		contains("T\($ab) waits sem_b held by T\($ba)")' "$J"
}

@test "locks: a statically linked program is said once: its condvar waits are futex waits; a dynamic one says nothing" {
	command -v gcc > /dev/null || skip "gcc missing"
	local d="$BATS_TEST_TMPDIR"
	cat > "$d/cv.c" <<'C'
#include <pthread.h>
#include <unistd.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int ready;
static void *w(void *a) { (void)a; pthread_mutex_lock(&m); while (!ready) pthread_cond_wait(&c, &m); pthread_mutex_unlock(&m); return 0; }
int main(void) { pthread_t t; pthread_create(&t, 0, w, 0); usleep(200000); pthread_mutex_lock(&m); ready = 1; pthread_cond_signal(&c); pthread_mutex_unlock(&m); pthread_join(t, 0); return 0; }
C
	gcc -static -pthread -O2 -o "$d/cv-static" "$d/cv.c" || skip "no static C library"
	gcc -pthread -O2 -o "$d/cv-dynamic" "$d/cv.c"
	"$CONCVIZ" run --json -- "$d/cv-static" > "$d/s.json" 2> "$d/s.err"
	[ "$(grep -c '^concviz: ' "$d/s.err")" = 1 ] || { cat "$d/s.err"; return 1; }
	grep -qx "concviz: warning: $d/cv-static is statically linked (no shared C library): its condition variable and barrier waits show as futex waits (kind \"futex\")" "$d/s.err"
	jq -e '[.locks[] | select(.kind == "condvar")] | length == 0' "$d/s.json"
	"$CONCVIZ" run --json -- "$d/cv-dynamic" > "$d/d.json" 2> "$d/d.err"
	[ "$(grep -c '^concviz: ' "$d/d.err")" = 0 ] || { cat "$d/d.err"; return 1; }
	jq -e '[.locks[] | select(.kind == "condvar")] | length == 1' "$d/d.json"
}

@test "locks: inside a PID namespace (unshare --pid) the deadlock's holders are known: glibc's namespace IDs are translated" {
	command -v unshare > /dev/null || skip "unshare missing"
	unshare --pid --fork true 2> /dev/null || skip "no PID namespaces here"
	run_json ns-deadlock -- unshare --pid --fork "$EX/deadlock" --seconds 2
	# the example's own ids are its namespace's (1, 2, 3 …): the threads
	# are the two takers concviz saw, each holding what the other waits for
	jq -e '.deadlocks | length == 1 and .[0].confirmed and (.[0].threads | length) == 2' "$J"
	local a b
	a=$(jq '.deadlocks[0].threads[0]' "$J")
	b=$(jq '.deadlocks[0].threads[1]' "$J")
	[ "$a" -gt 3 ] && [ "$b" -gt 3 ] # global IDs, not the namespace's
	jq -e --argjson a "$a" --argjson b "$b" '
		[.locks[] | select(.name == "lock_a" or .name == "lock_b") | .owner_tid] | sort == ([$a, $b] | sort)' "$J"
	jq -e --argjson a "$a" --argjson b "$b" '[.threads[].tid] | index($a) and index($b)' "$J"
	# attached to it (found in the namespace at attach): the same
	unshare --pid --fork "$EX/deadlock" --seconds 5 2> /dev/null &
	local sh=$! pid=""
	for _ in $(seq 50); do
		pid=$(pgrep -P "$sh" -x deadlock || true)
		[ -n "$pid" ] && break
		sleep 0.1
	done
	[ -n "$pid" ]
	sleep 0.5
	J="$BATS_TEST_TMPDIR/ns-attach.json"
	"$CONCVIZ" attach --json -d 1.5 "$pid" > "$J" 2> /dev/null
	wait "$sh" || true
	jq -e '.deadlocks | length == 1 and .[0].confirmed' "$J"
	jq -e '[.locks[] | select(.name == "lock_a" or .name == "lock_b") | .owner_tid] | all(. != null and . > 3)' "$J"
}

@test "locks: attach to a C program already deadlocked on two mutexes: its waits are mutex waits and the deadlock is seen" {
	command -v gcc > /dev/null || skip "gcc missing"
	local d="$BATS_TEST_TMPDIR"
	cat > "$d/dl.c" <<'C'
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
static void *ab(void *x) { (void)x; pthread_mutex_lock(&a); usleep(100000); pthread_mutex_lock(&b); return 0; }
static void *ba(void *x) { (void)x; pthread_mutex_lock(&b); usleep(100000); pthread_mutex_lock(&a); return 0; }
int main(void)
{
	pthread_t t1, t2;
	pthread_create(&t1, 0, ab, 0);
	pthread_create(&t2, 0, ba, 0);
	fprintf(stderr, "started\n");
	pthread_join(t1, 0); /* never returns */
	return 0;
}
C
	gcc -O2 -pthread -o "$d/dl" "$d/dl.c"
	"$d/dl" 2> "$d/dl.err" &
	local pid=$!
	sleep 0.5 # both in their second lock for good
	J="$d/dl.json"
	"$CONCVIZ" attach --json -d 2.5 "$pid" > "$J" 2> "$d/attach.err"
	kill "$pid"
	wait "$pid" || true
	# found blocked: their waits are known as mutex waits from the start
	jq -e '[.threads[] | select(.waiting_on != null and .waiting_on.kind == "mutex")] | length == 2' "$J" ||
		{ jq -c '[.threads[] | .waiting_on]' "$J"; return 1; }
	jq -e '.deadlocks | length == 1 and (.[0].threads | length) >= 2' "$J" || { jq -c .deadlocks "$J"; return 1; }
}
