#!/bin/bash
# tests/run.sh — run every unit test binary and every bats file, then print one
# summary line "N passed, N failed".  Exit status 1 if anything failed.
# Env: E2E=0 skips the bats tests; BATS_FILTER=regex passes --filter to bats.
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0
out=build/test-output; mkdir -p "$out"

echo "== unit tests"
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	line=$("$t" 2> "$out/$(basename "$t").stderr" | tail -n 1)
	rc=$?
	echo "  $line"
	p=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\1/p' <<<"$line")
	f=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\2/p' <<<"$line")
	if [ -z "$p" ]; then echo "  $t: crashed or printed no summary"; f=1; p=0; fi
	passed=$((passed + p)); failed=$((failed + f))
	[ "$f" != 0 ] && sed 's/^/    /' "$out/$(basename "$t").stderr"
done

if [ "${E2E:-1}" != 0 ]; then
	echo "== end-to-end tests (bats)"
	args=()
	[ -n "${BATS_FILTER:-}" ] && args+=(--filter "$BATS_FILTER")
	bats --tap "${args[@]}" tests/e2e > "$out/bats.tap" 2>&1
	sed 's/^/  /' "$out/bats.tap"
	bp=$(grep -c '^ok ' "$out/bats.tap")
	bf=$(grep -c '^not ok ' "$out/bats.tap")
	passed=$((passed + bp)); failed=$((failed + bf))
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
