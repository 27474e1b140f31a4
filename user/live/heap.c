/* heap.c — the allocator settled before tracing (heap.h). */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "live/heap.h"

/* each growth past the reserve adds this much beyond the request */
#define GROWTH_PAD (64 << 20)

/* the heap's end once the reserve was taken, 0 without one */
static uintptr_t reserved_end;

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
	bool strict = cv_heap_strict_commit();
	bool ok = true;

	/* mallopt returns 1 on success; each is tried whatever the others did */
	ok &= mallopt(M_ARENA_MAX, 1) == 1;       /* no thread arenas: they grow by mprotect */
	ok &= mallopt(M_MMAP_MAX, 0) == 1;        /* no chunk of its own mapping (munmap, mremap) */
	ok &= mallopt(M_TRIM_THRESHOLD, -1) == 1; /* never trim the heap's top (-1: SIZE_MAX) */
	/* under strict accounting neither the reserve nor a large step: both
	 * would count against every process's commit limit */
	if (strict)
		return false;
	ok &= mallopt(M_TOP_PAD, GROWTH_PAD) == 1;
	/* the reserve: taken from the heap's top and given back to it, untouched */
	void *p = malloc(reserve);

	if (!p)
		return false;
	free(p);
	reserved_end = (uintptr_t)sbrk(0);
	return ok;
}

size_t cv_heap_outgrown(void)
{
	uintptr_t end = (uintptr_t)sbrk(0);

	return reserved_end && end > reserved_end ? end - reserved_end : 0;
}
