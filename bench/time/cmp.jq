# per example thread: kernel cpu_ns vs concviz running+copy_data; run_delay vs runnable
$cv[0] as $c
| $ex[0].threads[] as $t
| ([$c.threads[] | select(.tid == $t.tid)] | last) as $k
| select($k != null)
| ($k.time_ns.running + $k.time_ns.copy_data) as $on
| [$ex[0].example, $t.role, $t.voluntary_ctxt_switches, $t.nonvoluntary_ctxt_switches,
   ($t.cpu_ns / 1e6), ($on / 1e6), (($t.cpu_ns - $on) / 1e6),
   (if $t.voluntary_ctxt_switches > 0 then (($t.cpu_ns - $on) / 1e3 / $t.voluntary_ctxt_switches) else 0 end),
   ($t.run_delay_ns / 1e6), ($k.time_ns.runnable / 1e6), (($k.time_ns.runnable - $t.run_delay_ns) / 1e6),
   (if $t.voluntary_ctxt_switches > 0 then (($k.time_ns.runnable - $t.run_delay_ns) / 1e3 / $t.voluntary_ctxt_switches) else 0 end)]
| @tsv
