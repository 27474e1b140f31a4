# durations.jq — concviz's on-CPU and run-queue time per thread vs the
# kernel's own accounting, which each example reads from
# /proc/thread-self/schedstat just before the thread finishes ($ex[0]).
# The kernel counts time by its run-queue clock, whose update it skips when
# a woken thread takes an idle CPU or preempts: it then counts part of the
# traced wait as CPU time.  concviz reads the run-queue delay the kernel
# adds at every switch-in, so it knows how much (kernel_clock,
# docs/time-accounting.md).  Every example thread but the main one is
# compared as:
#   kernel_clock.cpu_ns (the traced time, counted by the kernel's clock)
#       vs cpu_ns        within max(2 %, 3 ms) + $per_unseen per unseen switch
#                        + $per_wake per voluntary switch
#   kernel_clock.run_delay_ns
#       vs run_delay_ns  within max(2 %, 2 ms)
#   the split of the traced time: |runnable_as_cpu_ns| and running_as_sleep_ns
#       within 3 ms + $per_moved per context switch: the most the kernel's
#       clock can be stale at a switch on this VM, so a model that put
#       on-CPU time into runnable, or the reverse, still fails
# Emits one line per thread: "ok|BAD tid role: …" with the numbers.
def ms: . / 1e6 * 100 | round / 100;
def within($a; $b; $pct; $floor; $extra): (($a - $b) | fabs) <= ([$b * $pct, $floor] | max) + $extra;
$cv[0] as $c
| $ex[0].threads[] | select(.role != "main") as $t
| ([$c.threads[] | select(.tid == $t.tid)] | last) as $k
| if $k == null then "BAD \($t.tid) \($t.role): not seen by concviz"
  elif $t.cpu_ns == null then "BAD \($t.tid) \($t.role): the example reported no cpu_ns"
  elif $k.kernel_clock == null then "BAD \($t.tid) \($t.role): no kernel_clock figures"
  else
    ($k.time_ns.running + $k.time_ns.copy_data) as $on
    | $k.kernel_clock as $kc
    | ($kc.unseen_switches * ($per_unseen | tonumber)
       + $t.voluntary_ctxt_switches * ($per_wake | tonumber)) as $unseen
    | (3000000 + ($t.voluntary_ctxt_switches + ($t.nonvoluntary_ctxt_switches // 0))
       * ($per_moved | tonumber)) as $moved
    | (within($kc.cpu_ns; $t.cpu_ns; 0.02; 3000000; $unseen) and
       within($kc.run_delay_ns; $t.run_delay_ns; 0.02; 2000000; 0) and
       ($kc.runnable_as_cpu_ns | fabs) <= $moved and $kc.running_as_sleep_ns <= $moved) as $ok
    | "\(if $ok then "ok" else "BAD" end) \($t.tid) \($t.role): as the kernel counts: on-cpu \($kc.cpu_ns | ms) ms vs kernel \($t.cpu_ns | ms) ms, run queue \($kc.run_delay_ns | ms) ms vs kernel \($t.run_delay_ns | ms) ms; traced: on-cpu \($on | ms), runnable \($k.time_ns.runnable | ms) ms (\($kc.runnable_as_cpu_ns | ms) ms of it CPU to the kernel, \($kc.running_as_sleep_ns | ms) ms of running sleep to it); \($t.voluntary_ctxt_switches) vcsw, \($t.nonvoluntary_ctxt_switches) ivcsw, \($kc.unseen_switches) unseen"
  end
