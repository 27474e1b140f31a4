#!/bin/bash
# examples.sh SECONDS — every example under concviz: per thread kernel vs concviz
cd "$(dirname "$0")/../.."
s=${1:-2}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf 'example\trole\tvol\tinvol\tcpu_ms\tcv_oncpu_ms\tcpu-cv_ms\tper_vol_us\trundelay_ms\tcv_runnable_ms\trunnable-rd_ms\tper_vol_us\n'
for ex in blocking nonblocking multiplexed iouring locks deadlock semaphore prodcons event gil coroutines procs tour; do
	build/concviz run --json $ex --seconds $s > $t/$ex.json 2> $t/$ex.err
	grep '^example-stats ' $t/$ex.err | tail -1 | sed 's/^example-stats //' > $t/$ex.stats
	jq -r -n --slurpfile cv $t/$ex.json --slurpfile ex $t/$ex.stats -f bench/time/cmp.jq
done
