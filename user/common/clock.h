/* clock.h — the clocks concviz reads.  The probes stamp events with
 * CLOCK_BOOTTIME (bpf_ktime_get_boot_ns), so every trace timestamp made in
 * user space uses it too; pacing and UI timers use CLOCK_MONOTONIC. */
#ifndef CONCVIZ_CLOCK_H
#define CONCVIZ_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t cv_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* trace time: the probes' clock */
static inline uint64_t cv_now_ns(void) { return cv_clock_ns(CLOCK_BOOTTIME); }
/* wall-clock intervals for pacing and timers */
static inline uint64_t cv_mono_ns(void) { return cv_clock_ns(CLOCK_MONOTONIC); }

#endif /* CONCVIZ_CLOCK_H */
