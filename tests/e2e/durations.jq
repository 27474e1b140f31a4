# durations.jq — concviz's on-CPU and run-queue time per thread vs the
# kernel's own accounting, which each example reads from
# /proc/thread-self/schedstat just before the thread finishes ($ex[0]).
# The kernel charges a woken thread's wait between its enqueue and its
# switch-in as CPU time when the wakeup preempted the CPU's current task
# (the clock update at that switch is skipped); the tracepoints show it as
# runnable.  concviz counts the idle-CPU case itself (idle_wake_ns, part of
# runnable), so every example thread but the main one is compared as:
#   running + copy_data + idle_wake_ns  vs cpu_ns        within max(2 %, 2 ms)
#   runnable - idle_wake_ns             vs run_delay_ns  within max(10 %, 2 ms)
# each plus $per_wake ns per voluntary switch for wakeups that preempted a
# busy CPU, and $per_preempt ns per involuntary switch for the preempted side
# of those (docs/time-accounting.md).
# Emits one line per thread: "ok|BAD tid role: …" with the numbers.
def ms: . / 1e6 * 100 | round / 100;
def within($a; $b; $pct; $extra): (($a - $b) | fabs) <= ([$b * $pct, 2000000] | max) + $extra;
$cv[0] as $c
| $ex[0].threads[] | select(.role != "main") as $t
| ([$c.threads[] | select(.tid == $t.tid)] | last) as $k
| if $k == null then "BAD \($t.tid) \($t.role): not seen by concviz"
  elif $t.cpu_ns == null then "BAD \($t.tid) \($t.role): the example reported no cpu_ns"
  else
    ($k.time_ns.running + $k.time_ns.copy_data + $k.idle_wake_ns) as $on
    | ($k.time_ns.runnable - $k.idle_wake_ns) as $queued
    | ($t.voluntary_ctxt_switches * ($per_wake | tonumber)
       + ($t.nonvoluntary_ctxt_switches // 0) * ($per_preempt | tonumber)) as $extra
    | (within($on; $t.cpu_ns; 0.02; $extra) and
       within($queued; $t.run_delay_ns; 0.10; $extra)) as $ok
    | "\(if $ok then "ok" else "BAD" end) \($t.tid) \($t.role): on-cpu+idle-wake \($on | ms) ms vs kernel \($t.cpu_ns | ms) ms; runnable-idle-wake \($queued | ms) ms vs kernel \($t.run_delay_ns | ms) ms; \($t.voluntary_ctxt_switches) vcsw, \($t.nonvoluntary_ctxt_switches) ivcsw"
  end
