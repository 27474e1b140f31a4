/* shared_map.h — the shared object behind an address of a process: what
 * makes a process-shared futex one lock across processes (the kernel keys
 * such a futex by the mapping's inode and offset, not by address). */
#ifndef CONCVIZ_SHARED_MAP_H
#define CONCVIZ_SHARED_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* The shared mapping of process pid that holds addr (/proc/PID/maps: a
 * MAP_SHARED mapping with an inode, e.g. /dev/shm/sem.NAME or shared
 * anonymous memory, "/dev/zero (deleted)"): its dev:inode and addr's offset
 * in it.  name gets the file's path where it names something a user made
 * ("/dev/shm/sem.mp-x1y2"), "" otherwise.  false: no such mapping (private
 * memory, a process gone). */
bool cv_proc_shared_key(uint32_t pid, uint64_t addr, struct cv_shared_key *key,
			char *name, size_t n);

#endif
