#!/usr/bin/env bats
# layers.bats — the include direction of user/'s layers (docs/design.md),
# checked on the tree and shown to catch a wrong-way include.

load helpers

@test "layers: every include in user/ and tui/ goes downward" {
	run "$ROOT/tests/layers.sh" "$ROOT"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "layers: ok ("*" files)" ]]
}

# a copy of the sources with one bad include each time: the check names it
copy_tree() {
	local d="$BATS_TEST_TMPDIR/tree"
	rm -rf "$d"; mkdir -p "$d"
	cp -r "$ROOT/user" "$ROOT/tui" "$ROOT/bpf" "$d/"
	echo "$d"
}

@test "layers: the check fails on #include \"../tui/tui.h\" under user/" {
	d=$(copy_tree)
	sed -i '0,/#include "/s//#include "..\/tui\/tui.h"\n#include "/' "$d/user/model/model.c"
	grep -q '../tui/tui.h' "$d/user/model/model.c"
	run "$ROOT/tests/layers.sh" "$d"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *'user/model/model.c includes "../tui/tui.h" (tui/tui.h): model may not use tui'* ]]
}

@test "layers: the check fails when a lower layer includes a higher one" {
	d=$(copy_tree)
	echo '#include "live/session.h"' >> "$d/user/record/recfile.c"
	run "$ROOT/tests/layers.sh" "$d"
	[ "$status" -eq 1 ]
	[[ "$output" == *'user/record/recfile.c includes "live/session.h"'*'record may not use live'* ]]
}

@test "layers: the TUI may not include the recording or the live session" {
	d=$(copy_tree)
	echo '#include "record/recfile.h"' >> "$d/tui/tui.c"
	run "$ROOT/tests/layers.sh" "$d"
	[ "$status" -eq 1 ]
	[[ "$output" == *'tui/tui.c includes "record/recfile.h"'*'tui may not use record'* ]]
}

@test "layers: an angle-bracket include of our own header is checked too, and so is any file type" {
	d=$(copy_tree)
	echo '#include <tui/tui.h>' >> "$d/user/model/model.c"
	run "$ROOT/tests/layers.sh" "$d"
	[ "$status" -eq 1 ]
	[[ "$output" == *'user/model/model.c includes "tui/tui.h" (tui/tui.h): model may not use tui'* ]]
	d=$(copy_tree)
	echo '#include "../../tui/tui.h"' > "$d/user/model/x.inc"
	run "$ROOT/tests/layers.sh" "$d"
	[ "$status" -eq 1 ]
	[[ "$output" == *'user/model/x.inc includes'*'model may not use tui'* ]]
}

@test "layers: an include through a macro is refused" {
	d=$(copy_tree)
	printf '#define BAD "../tui/tui.h"\n#include BAD\n' >> "$d/user/model/model.c"
	run "$ROOT/tests/layers.sh" "$d"
	[ "$status" -eq 1 ]
	[[ "$output" == *'user/model/model.c includes through a macro'* ]]
}

@test "layers: user space may not include a part of the probes (bpf/probe/)" {
	d=$(copy_tree)
	echo '#include "bpf/probe/stage.h"' >> "$d/user/live/tracer.c"
	run "$ROOT/tests/layers.sh" "$d"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *'user/live/tracer.c includes "bpf/probe/stage.h"'*'live may not use probe'* ]]
}
