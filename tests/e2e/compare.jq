# compare.jq — concviz's per-thread counters vs the example's own ground
# truth ($ex[0], the example-stats JSON).  Emits one line per mismatch.
def ctx_ok($a; $b): (($a - $b) | fabs) <= 3;
$cv[0] as $c
| $ex[0].threads[] as $t
| ([$c.threads[] | select(.tid == $t.tid)] | last) as $k
| if $k == null then "tid \($t.tid) (\($t.role)): not seen by concviz"
  else
    ( [ ["recv_calls", $t.recv_calls, $k.recv.calls],
        ["recv_eagain", $t.recv_eagain, $k.recv.eagain],
        ["recv_bytes", $t.recv_bytes, $k.recv.bytes],
        ["mux_calls", $t.mux_calls, $k.mux.calls],
        ["uring_submitted", $t.uring_submitted, $k.uring.submitted],
        ["uring_completed", $t.uring_completed, $k.uring.completed] ][]
      | select(.[1] != null and .[1] != .[2])
      | "tid \($t.tid) (\($t.role)): \(.[0]) example=\(.[1]) concviz=\(.[2])" ),
    ( if $t.voluntary_ctxt_switches != null and
         (ctx_ok($t.voluntary_ctxt_switches; $k.ctx_switches.voluntary) | not)
      then "tid \($t.tid) (\($t.role)): voluntary ctx switches kernel=\($t.voluntary_ctxt_switches) concviz=\($k.ctx_switches.voluntary)"
      else empty end ),
    ( if $t.nonvoluntary_ctxt_switches != null and
         (ctx_ok($t.nonvoluntary_ctxt_switches; $k.ctx_switches.involuntary) | not)
      then "tid \($t.tid) (\($t.role)): involuntary ctx switches kernel=\($t.nonvoluntary_ctxt_switches) concviz=\($k.ctx_switches.involuntary)"
      else empty end )
  end
