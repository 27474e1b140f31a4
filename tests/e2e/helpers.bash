# helpers.bash — shared by the concviz bats tests.
ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
CONCVIZ="${CONCVIZ:-$ROOT/build/concviz}"
EX="${EX_DIR:-$ROOT/build/examples}"
OUT_DIR="$ROOT/build/test-output"
mkdir -p "$OUT_DIR"

# run_json NAME RUN-ARGS...: `concviz run --json RUN-ARGS`; leaves $J
# (concviz JSON), $S (the program's last example-stats line), $E (stderr),
# kept as $OUT_DIR/trace-NAME.*
run_json() {
	local name=$1; shift
	J="$BATS_TEST_TMPDIR/$name.json"
	S="$BATS_TEST_TMPDIR/$name.stats.json"
	E="$BATS_TEST_TMPDIR/$name.stderr"
	"$CONCVIZ" run --json "$@" > "$J" 2> "$E"
	local rc=$?
	cp "$J" "$OUT_DIR/trace-$name.json" 2>/dev/null
	cp "$E" "$OUT_DIR/trace-$name.stderr" 2>/dev/null
	grep '^example-stats ' "$E" | tail -n 1 | sed 's/^example-stats //' > "$S"
	if [ "$rc" != 0 ]; then echo "concviz exited $rc"; cat "$E"; return 1; fi
	jq -e . "$J" > /dev/null || { echo "concviz JSON invalid"; return 1; }
	jq -e . "$S" > /dev/null || { echo "no example-stats line"; cat "$E"; return 1; }
}

# trace NAME [concviz opts] -- [example args]: run an example under concviz
# --json; leaves $J (concviz JSON), $S (example-stats JSON), $E (stderr).
trace() {
	local name=$1; shift
	local copts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do copts+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	run_json "$name" "${copts[@]}" "$name" "$@"
}

# no_drops: concviz lost no event in $J
no_drops() {
	[ "$(jq .dropped_events "$J")" = 0 ] || { echo "dropped events: $(jq .dropped_events "$J")"; return 1; }
}

# Every counter the example reports for a thread equals concviz's for that
# tid; context switches within ±3 of the kernel's own.  Prints mismatches.
compare_counts() {
	jq -r -n --slurpfile cv "$J" --slurpfile ex "$S" -f "$BATS_TEST_DIRNAME/compare.jq"
}

assert_counts_match() {
	local m
	m=$(compare_counts)
	if [ -n "$m" ]; then echo "$m"; return 1; fi
	no_drops
}

# jq over the concviz JSON: th ROLE FILTER -> value for the thread with that
# example role (tid looked up in example-stats)
th() {
	local role=$1 filter=$2 tid
	tid=$(jq -r --arg r "$role" '[.threads[] | select(.role == $r)][0].tid' "$S")
	jq -r --argjson t "$tid" ".threads[] | select(.tid == \$t) | $filter" "$J"
}

# The tests that run concviz as nobody must not depend on where the clone is:
# the build tree may be under a directory nobody cannot enter (root's 0700
# home, a mktemp -d folder).  setpriv execs with root's capabilities still in
# effect, so even such a binary starts, but as nobody it cannot then reach
# its examples.  Those tests run copies from a directory anyone can enter.

# public_dir NAME: a new, empty 0755 directory /tmp/NAME.XXXXXX; prints it.
# The caller removes it.
public_dir() {
	local d
	d=$(mktemp -d "/tmp/$1.XXXXXX") && chmod 755 "$d" && echo "$d"
}

# public_copy DIR: DIR/concviz and DIR/examples/*, copies of the build tree's
# that any user can run (DIR inside a public_dir); sets PUBLIC_CONCVIZ.
public_copy() {
	mkdir -p "$1/examples" &&
		install -m 755 "$CONCVIZ" "$1/concviz" &&
		install -m 755 "$EX"/* "$1/examples/" &&
		chmod 755 "$1" "$1/examples" || return 1
	PUBLIC_CONCVIZ="$1/concviz"
}

# cpus_of TID: the CPUs thread TID may run on, one comma-separated list
# (taskset's ranges expanded: 0-2,5 is 0,1,2,5)
cpus_of() {
	taskset -pc "$1" | sed 's/.*: //' | tr ',' '\n' |
		awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }' | paste -sd,
}
