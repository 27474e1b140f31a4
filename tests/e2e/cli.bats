#!/usr/bin/env bats
# cli.bats — the command line contract: list, help, bad input.

load helpers

@test "list names every bundled example, one line each" {
	run "$CONCVIZ" list
	[ "$status" -eq 0 ]
	for ex in tour blocking nonblocking multiplexed iouring locks deadlock semaphore prodcons event gil coroutines procs ipc; do
		grep -q "^$ex " <<<"$output" || { echo "missing $ex"; return 1; }
	done
	[ "${#lines[@]}" -eq 14 ]
	[[ "$output" != *"not built"* ]]
}

@test "help for every subcommand" {
	for c in run attach replay report export list; do
		run "$CONCVIZ" "$c" --help
		[ "$status" -eq 0 ]
		[[ "$output" == *"usage: concviz $c"* ]]
	done
}

@test "--version prints the one version string (user/common/version.h)" {
	want=$(sed -n 's/^#define CONCVIZ_VERSION "\(.*\)"$/\1/p' "$ROOT/user/common/version.h")
	[ -n "$want" ]
	run "$CONCVIZ" --version
	[ "$status" -eq 0 ]
	[ "$output" = "concviz $want" ]
}

@test "unknown example: one line, exit 2" {
	run "$CONCVIZ" run --json no-such-example
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"unknown example"*"no-such-example"* ]]
}

@test "a command given without --: one line that says to put -- before it, exit 2" {
	for c in /bin/true true; do
		run "$CONCVIZ" run --json "$c" lesson.py
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 1 ]
		[ "$output" = "concviz: '$c' is not an example; to trace a command, put -- before it: concviz run -- $c" ]
	done
}

@test "unknown command and bad options: exit 2" {
	run "$CONCVIZ" frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown command"* ]]
	run "$CONCVIZ" run --bogus blocking
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown option"* ]]
	run "$CONCVIZ" run -d abc blocking
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad duration"* ]]
	# replay takes a FILE and no options: --report is report's
	run "$CONCVIZ" replay --bogus
	[ "$status" -eq 2 ]
	[ "$output" = "concviz: unknown option '--bogus' (see concviz replay --help)" ]
	run "$CONCVIZ" replay --report some.cvz
	[ "$status" -eq 2 ]
	[ "$output" = "concviz: replay shows a recording in the TUI; its summary is concviz report FILE" ]
}

@test "attach: non-numeric, nonexistent and kernel-thread PIDs are refused" {
	run "$CONCVIZ" attach --json abc
	[ "$status" -eq 2 ] # bad usage
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"not a process ID"* ]]
	run "$CONCVIZ" attach --json 999999999
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a process ID"* || "$output" == *"no process"* ]]
	run "$CONCVIZ" attach --json 4194000
	[ "$status" -eq 1 ]
	[[ "$output" == *"no process with PID 4194000"* ]]
	run "$CONCVIZ" attach --json 2
	[ "$status" -eq 1 ]
	[[ "$output" == *"kernel thread"* ]]
}

teardown() {
	if [ -n "${NOBODY_DIR:-}" ]; then rm -rf -- "$NOBODY_DIR"; fi
}

@test "not root: one clear line, exit 1" {
	command -v setpriv > /dev/null || skip "setpriv missing"
	NOBODY_DIR=$(public_dir concviz-cli-bats)
	public_copy "$NOBODY_DIR"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$PUBLIC_CONCVIZ" run --json blocking --seconds 1
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"needs root"* ]]
}

@test "a command that does not exist: one line, exit 1" {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	run "$CONCVIZ" run --json -- /nonexistent/cmd
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot run '/nonexistent/cmd'"* ]]
	# a script here, named without ./: execvp looks in PATH only
	cd "$BATS_TEST_TMPDIR"
	printf 'print(1)\n' > lesson.py
	run "$CONCVIZ" run --json -- lesson.py
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "concviz: cannot run 'lesson.py': not in PATH (for the file here: -- ./lesson.py, or -- python3 lesson.py for a script)" ]]
}

@test "run -- COMMAND traces any command" {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	run bash -c "'$CONCVIZ' run --json -- sleep 0.3 2>/dev/null"
	[ "$status" -eq 0 ]
	jq -e '.target.exit_code == 0' <<<"$output"
	jq -e '.threads[] | select(.comm == "sleep") | select(.time_ns.sleep > 200000000)' <<<"$output"
}

@test "make install puts concviz on PATH and the examples where it finds them" {
	dest="$BATS_TEST_TMPDIR/inst"
	make -C "$ROOT" --no-print-directory install PREFIX="$dest" > /dev/null
	[ -x "$dest/bin/concviz" ]
	run "$dest/bin/concviz" list
	[ "$status" -eq 0 ]
	[[ "$output" != *"not built"* ]]
	[ -x "$dest/libexec/concviz/examples/blocking" ]
	# no build tree involved: a copy of the installed tree still finds them
	cp -a "$dest" "$BATS_TEST_TMPDIR/moved"
	run env -u CONCVIZ_EXAMPLES "$BATS_TEST_TMPDIR/moved/bin/concviz" list
	[[ "$output" != *"not built"* ]]
}

@test "attach to a zombie: one clear line, exit 1" {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	# the child exits at once; its parent (exec'd into sleep) never reaps it
	sh -c 'sleep 0 & exec sleep 3' &
	parent=$!
	z=""
	for _ in $(seq 20); do
		sleep 0.1
		for c in $(cat /proc/$parent/task/*/children 2>/dev/null); do
			grep -q '^State:.*Z' /proc/$c/status 2>/dev/null && z=$c
		done
		[ -n "$z" ] && break
	done
	[ -n "$z" ] || { kill $parent; skip "could not make a zombie"; }
	run "$CONCVIZ" attach --json "$z"
	kill $parent; wait $parent || true
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"zombie"* ]]
}

@test "run stops the target's whole process group: no child left behind" {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	run bash -c "'$CONCVIZ' run --json -d 0.5 -- sh -c 'sleep 777; true' 2>/dev/null"
	[ "$status" -eq 0 ]
	tid=$(jq '.threads[] | select(.comm == "sleep") | .tid' <<<"$output")
	[ -n "$tid" ]
	sleep 0.3
	! kill -0 "$tid" 2>/dev/null
	jq -e '.threads[] | select(.comm == "sleep") | .exited' <<<"$output"
}

@test "--force onto a device writes it but never removes or re-owns it" {
	[ "$(id -u)" = 0 ] || skip "tracing needs root"
	dev="$BATS_TEST_TMPDIR/null"
	mknod "$dev" c 1 3
	SUDO_UID=65534 SUDO_GID=65534 "$CONCVIZ" run --json -o "$dev" --force blocking --seconds 0.5 > /dev/null 2>&1
	[ -c "$dev" ]
	[ "$(stat -c %u "$dev")" = 0 ]
	run "$CONCVIZ" export --format chrome --force -o "$dev" /nonexistent.cvz
	[ "$status" -eq 1 ]
	[ -c "$dev" ]
}
