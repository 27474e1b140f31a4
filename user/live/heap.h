/* heap.h — concviz's own address space stays as it is while it traces.
 *
 * Why: a kernel thread that walks reverse mappings (here kdamond, DAMON's
 * monitor; kswapd and kcompactd walk them too) holds the read side of an
 * anon_vma's lock while it checks a page, and it can be preempted there.
 * Beside 1,000 busy target threads a normal-priority kernel thread waits
 * up to seconds for a CPU again.  Any brk, mmap, munmap or mremap of
 * concviz that changes a mapping under that anon_vma needs its write side:
 * measured, the consumer blocked in brk (vma_expand) for 0.12-1.4 s behind
 * kdamond, holding mmap_lock, so the ring-buffer reader's next fault
 * blocked too, and the ring buffer overflowed although both are real-time.
 *
 * So before tracing starts concviz's allocator is told to use one arena,
 * serve every size from the heap (no chunk of its own mapping), never give
 * memory back, and grow its heap now by a reserve of address space that is
 * not touched (no resident memory; it is commit charge, so under strict
 * overcommit accounting, vm.overcommit_memory=2, there is none).  Past the
 * reserve the heap grows as usual, in 64 MiB steps: the reserve covers
 * concviz's normal use (tens of MB), not a backlog at the tracer's queue
 * limit (two 256 MiB arrays).  The C library's own fallback to mmap when the
 * heap cannot grow stays in place.  The environment can undo it (an
 * interposed allocator, MALLOC_PERTURB_, glibc tunables).  One arena also
 * means concviz's threads share its lock (no priority inheritance): by
 * default they run at one priority; with CONCVIZ_REALTIME=auto the reader
 * (nice -20) can wait for it behind the consumer until the raise.
 */
#ifndef CONCVIZ_HEAP_H
#define CONCVIZ_HEAP_H

#include <stdbool.h>
#include <stddef.h>

/* The address space concviz reserves for its heap at the start */
#define CV_HEAP_RESERVE (512ul << 20)

/* Settle the allocator as above, with reserve bytes of heap ready; once per
 * process, before any thread but the first starts.  False when the C
 * library refused a setting or there is no reserve (then the heap grows on
 * demand: correct, only exposed to the stall above). */
bool cv_heap_settle(size_t reserve);

/* How far the heap has grown past the end it had with its reserve, in
 * bytes: each growth is a mapping change, so a chance of the stall above
 * (CONCVIZ_STATS says it).  0 while it fits, or without a reserve. */
size_t cv_heap_outgrown(void);

/* The kernel accounts commit strictly (vm.overcommit_memory=2): no reserve */
bool cv_heap_strict_commit(void);

#endif
