#!/usr/bin/env bats
# signals.bats — a call a signal interrupts, against the program's own
# counts: tests/e2e/sig_calls.c (built by `make` as build/tests/e2e/sig_calls)
# signals a thread blocked in read(), a futex wait or poll(), with and
# without SA_RESTART (the caller then reads a control pipe, or the same pipe
# again at once), or completes io_uring reads while it waits in ppoll()
# or poll() (task work wakes the call as a signal would); one run is under
# strace, whose ptrace stops must not pass for "no handler ran".  The kernel's
# sys_exit shows a restart code each time (-512, -514, -516); what the
# program saw is one call (restarted) or a call that failed with EINTR, and
# concviz must say the same.

load helpers

HELPER="$ROOT/build/tests/e2e/sig_calls"
ROUNDS=4
SIGNALS=3

setup() {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	command -v jq > /dev/null || skip "jq missing"
	[ -x "$HELPER" ] || { echo "missing $HELPER: run make"; return 1; }
}

# run_mode MODE: $J, $S for sig_calls MODE, with a recording in $BATS_TEST_TMPDIR/MODE.cvz
run_mode() {
	REC="$BATS_TEST_TMPDIR/$1.cvz"
	run_json "signals-$1" -o "$REC" -- "$HELPER" "$1" "$ROUNDS" "$SIGNALS"
	no_drops
	[ "$(ex signals)" = $((ROUNDS * SIGNALS)) ]
}

ex() { jq -r ".threads[0].$1" "$S"; }
cv() { th caller "$1"; }
eq() { [ "$2" = "$3" ] || { echo "$1: program $2, concviz $3"; return 1; }; }

# the data pipe's by_fd entry (its reads), and the control pipe's
data_fd() { cv "[.recv.by_fd[] | select(.calls > 0)] | max_by(.bytes) | $1"; }

# same_in_recording [N]: the recording says the same: report --json of it,
# and the export shows no restart code as a result and N parts (default:
# every signal's) as "signal":"interrupted"
same_in_recording() {
	local rep="$BATS_TEST_TMPDIR/rep.json" tr="$BATS_TEST_TMPDIR/trace.json" tid
	local parts=${1:-$((ROUNDS * SIGNALS))}
	"$CONCVIZ" report --json "$REC" > "$rep"
	tid=$(jq '.threads[0].tid' "$S")
	for k in recv futex mux accept; do
		a=$(jq -c --argjson t "$tid" ".threads[] | select(.tid == \$t) | .$k" "$J")
		b=$(jq -c --argjson t "$tid" ".threads[] | select(.tid == \$t) | .$k" "$rep")
		[ "$a" = "$b" ] || { echo "$k live $a, recording $b"; return 1; }
	done
	"$CONCVIZ" export --format chrome -o "$tr" "$REC"
	[ "$(jq '[.traceEvents[] | select(.args.ret? != null and .args.ret <= -512 and .args.ret >= -516)] | length' "$tr")" = 0 ]
	[ "$(jq --argjson t "$tid" '[.traceEvents[] | select(.tid == $t and .args.signal? == "interrupted")] | length' "$tr")" = "$parts" ]
}

@test "signals: a read restarted after each handler (SA_RESTART) is one call" {
	run_mode read-restart
	eq recv.calls "$(ex read_calls)" "$(cv .recv.calls)"
	eq recv.bytes "$(ex read_bytes)" "$(cv .recv.bytes)"
	eq by_fd.calls "$(ex read_calls)" "$(data_fd .calls)"
	eq recv.eintr "$(ex read_eintr)" "$(cv .recv.eintr)"
	eq recv.interrupted "$(ex signals)" "$(cv .recv.interrupted)"
	[ "$(ex read_calls)" = $((ROUNDS + 1)) ]   # a read per round, then EOF
	same_in_recording
	local tr="$BATS_TEST_TMPDIR/trace.json"
	# each round's read is drawn in parts: the last one says it was restarted
	[ "$(jq '[.traceEvents[] | select(.args.signal? == "restarted")] | length' "$tr")" = "$ROUNDS" ]
}

@test "signals: a read interrupted without SA_RESTART fails with EINTR, and is a call" {
	run_mode read-eintr
	eq recv.eintr "$(ex read_eintr)" "$(cv .recv.eintr)"
	eq recv.interrupted "$(ex signals)" "$(cv .recv.interrupted)"
	eq recv.calls $(($(ex read_calls) + $(ex ctl_calls))) "$(cv .recv.calls)"
	eq recv.bytes $(($(ex read_bytes) + $(ex ctl_bytes))) "$(cv .recv.bytes)"
	eq data.calls "$(ex read_calls)" "$(data_fd .calls)"
	eq data.bytes "$(ex read_bytes)" "$(data_fd .bytes)"
	[ "$(ex read_eintr)" = $((ROUNDS * SIGNALS)) ]
	same_in_recording
}

@test "signals: a read retried at once after EINTR (no SA_RESTART) is a call per signal more, each failed with EINTR" {
	run_mode read-retry
	eq recv.calls "$(ex read_calls)" "$(cv .recv.calls)"
	eq recv.eintr "$(ex read_eintr)" "$(cv .recv.eintr)"
	eq recv.interrupted "$(ex signals)" "$(cv .recv.interrupted)"
	eq recv.bytes "$(ex read_bytes)" "$(cv .recv.bytes)"
	[ "$(ex read_eintr)" = $((ROUNDS * SIGNALS)) ]
	[ "$(ex read_calls)" = $((ROUNDS * SIGNALS + ROUNDS + 1)) ]
	same_in_recording
}

@test "signals: a futex wait restarted after each handler is one wait of its lock" {
	run_mode futex-restart
	local waits=$(($(ex futex_calls) - $(ex futex_eagain)))   # (an EAGAIN never waited)
	eq futex.waits "$waits" "$(cv .futex.waits)"
	eq futex.eintr "$(ex futex_eintr)" "$(cv .futex.eintr)"
	eq futex.interrupted "$(ex signals)" "$(cv .futex.interrupted)"
	[ "$(ex futex_calls)" = "$ROUNDS" ]
	# its lock row: one wait per call, by the caller
	local tid
	tid=$(jq '.threads[0].tid' "$S")
	[ "$(jq --argjson t "$tid" '[.locks[] | .waiters[] | select(.tid == $t) | .waits] | add' "$J")" = "$waits" ]
	same_in_recording
}

@test "signals: poll is never restarted after a handler: each signal is a call that failed with EINTR" {
	run_mode poll-eintr
	eq mux.poll.calls "$(ex poll_calls)" "$(cv .mux.by_api.poll.calls)"
	eq mux.poll.errors "$(ex poll_eintr)" "$(cv .mux.by_api.poll.errors)"
	eq mux.eintr "$(ex poll_eintr)" "$(cv .mux.eintr)"
	eq mux.interrupted "$(ex signals)" "$(cv .mux.interrupted)"
	eq recv.calls "$(ex read_calls)" "$(cv .recv.calls)"
	[ "$(ex poll_eintr)" = $((ROUNDS * SIGNALS)) ]
	same_in_recording
}

@test "signals: io_uring task work wakes ppoll, and the kernel restarts it: one call each, no EINTR" {
	run_mode ppoll-uring
	eq mux.poll.calls "$(ex poll_calls)" "$(cv .mux.by_api.poll.calls)"
	eq mux.poll.ready "$(ex poll_ready)" "$(cv .mux.by_api.poll.ready)"
	eq mux.poll.errors "$(ex poll_eintr)" "$(cv .mux.by_api.poll.errors)"
	eq mux.eintr "$(ex poll_eintr)" "$(cv .mux.eintr)"
	eq mux.interrupted "$(ex signals)" "$(cv .mux.interrupted)"
	eq uring.completed "$(ex uring_done)" "$(cv .uring.completed)"
	eq recv.calls "$(ex read_calls)" "$(cv .recv.calls)"
	[ "$(ex poll_eintr)" = 0 ]
	[ "$(ex poll_calls)" = $((ROUNDS + 1)) ]   # a ppoll per round, then the hang-up
	same_in_recording
	local tr="$BATS_TEST_TMPDIR/trace.json"
	[ "$(jq '[.traceEvents[] | select(.args.signal? == "restarted")] | length' "$tr")" = "$ROUNDS" ]
}

@test "signals: a poll task work woke goes on as restart_syscall: a call with no result seen, no EINTR" {
	run_mode poll-uring
	eq mux.poll.calls "$(ex poll_calls)" "$(cv .mux.by_api.poll.calls)"
	eq mux.poll.errors "$(ex poll_eintr)" "$(cv .mux.by_api.poll.errors)"
	eq mux.eintr "$(ex poll_eintr)" "$(cv .mux.eintr)"
	# each round's poll: its first interruption is seen, the rest and its
	# result are restart_syscall's (not followed); the last poll is whole
	eq mux.interrupted "$ROUNDS" "$(cv .mux.interrupted)"
	eq mux.poll.ready 1 "$(cv .mux.by_api.poll.ready)"
	eq recv.calls "$(ex read_calls)" "$(cv .recv.calls)"
	[ "$(ex poll_eintr)" = 0 ]
	[ "$(ex poll_calls)" = $((ROUNDS + 1)) ]
	same_in_recording "$ROUNDS"
	local tr="$BATS_TEST_TMPDIR/trace.json"
	[ "$(jq '[.traceEvents[] | select(.args.signal? == "restarted")] | length' "$tr")" = 0 ]
}

@test "signals: under strace a read interrupted without SA_RESTART still fails with EINTR (a ptrace stop is no sign that no handler ran)" {
	command -v strace > /dev/null || skip "strace missing"
	run_json signals-strace -- strace -f -qq -o /dev/null "$HELPER" read-eintr "$ROUNDS" "$SIGNALS"
	no_drops
	[ "$(ex signals)" = $((ROUNDS * SIGNALS)) ]
	eq recv.eintr "$(ex read_eintr)" "$(cv .recv.eintr)"
	eq recv.interrupted "$(ex signals)" "$(cv .recv.interrupted)"
	eq recv.calls $(($(ex read_calls) + $(ex ctl_calls))) "$(cv .recv.calls)"
	[ "$(ex read_eintr)" = $((ROUNDS * SIGNALS)) ]
}

@test "signals: the text report lists the interrupted calls" {
	run_mode read-eintr
	run "$CONCVIZ" report "$REC"
	[ "$status" -eq 0 ]
	[[ "$output" == *"CALLS A SIGNAL INTERRUPTED"* ]]
	local tid line
	tid=$(jq '.threads[0].tid' "$S")
	line=$(grep -A3 "CALLS A SIGNAL INTERRUPTED" <<< "$output" | grep -E "^ *$tid ")
	echo "$line"
	# RECV: 12 interruptions, 12 EINTR
	[[ "$line" =~ ^\ *$tid\ +[^\ ]+\ +$((ROUNDS * SIGNALS))\ +$((ROUNDS * SIGNALS))\  ]]
}

@test "signals: a thread's last call, failed with EINTR after a handler, is counted so at its exit" {
	command -v gcc > /dev/null || skip "gcc missing"
	local d="$BATS_TEST_TMPDIR"
	cat > "$d/last.c" <<'C'
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
static void on_alarm(int s) { (void)s; }
int main(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	int p[2], calls = 0, eintr = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: poll fails with EINTR anyway */
	sigaction(SIGALRM, &sa, NULL);
	if (pipe(p))
		return 1;
	setitimer(ITIMER_REAL, &it, NULL);
	struct pollfd pf = { p[0], POLLIN, 0 };
	calls++;
	if (poll(&pf, 1, -1) < 0 && errno == EINTR)
		eintr++;
	fprintf(stderr, "example-stats {\"threads\":[{\"poll_calls\":%d,\"poll_eintr\":%d}]}\n", calls, eintr);
	return 0;
}
C
	gcc -O2 -o "$d/last" "$d/last.c"
	run_json signals-last -- "$d/last"
	eq "poll calls" "$(ex poll_calls)" "$(jq '.threads[0].mux.by_api.poll.calls' "$J")"
	eq "poll EINTR" 1 "$(ex poll_eintr)"
	eq "EINTR seen" "$(ex poll_eintr)" "$(jq '.threads[0].mux.eintr' "$J")"
}
