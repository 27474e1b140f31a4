/* heap.c — the allocator settled before tracing (heap.h). */
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "live/heap.h"

/* each growth past the reserve adds this much beyond the request */
#define GROWTH_PAD (64 << 20)

bool cv_heap_strict_commit(void)
{
	FILE *f = fopen("/proc/sys/vm/overcommit_memory", "re");
	int mode = 0;

	if (f) {
		if (fscanf(f, "%d", &mode) != 1)
			mode = 0;
		fclose(f);
	}
	return mode == 2;
}

bool cv_heap_settle(size_t reserve)
{
	/* mallopt returns 1 on success */
	bool ok = mallopt(M_ARENA_MAX, 1) == 1 &&    /* no thread arenas: they grow by mprotect */
		  mallopt(M_MMAP_MAX, 0) == 1 &&     /* no chunk of its own mapping (munmap, mremap) */
		  mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1 && /* no trim of the heap's top */
		  mallopt(M_TOP_PAD, GROWTH_PAD) == 1;
	/* the reserve: taken from the heap's top and given back to it, untouched;
	 * not where the kernel would charge it against everyone's commit limit */
	if (cv_heap_strict_commit())
		return false;
	void *p = malloc(reserve);

	if (!p)
		return false;
	free(p);
	return ok;
}
