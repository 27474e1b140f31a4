/* shared_map.c — see shared_map.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "live/shared_map.h"

/* A path worth showing as a lock's name: not the stand-ins the kernel
 * prints for anonymous shared memory (/dev/zero, SysV /SYSV…). */
static void user_name(const char *path, char *name, size_t n)
{
	static const char del[] = " (deleted)";
	size_t len = strlen(path), dl = sizeof(del) - 1;

	name[0] = '\0';
	if (len > dl && strcmp(path + len - dl, del) == 0)
		len -= dl;
	if (path[0] != '/' || strncmp(path, "/dev/zero", 9) == 0 || strncmp(path, "/SYSV", 5) == 0 ||
	    len >= n)
		return;
	memcpy(name, path, len);
	name[len] = '\0';
}

bool cv_proc_shared_key(uint32_t pid, uint64_t addr, struct cv_shared_key *key,
			char *name, size_t n)
{
	char path[64], line[4096];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/maps", pid);
	if (!(f = fopen(path, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		uint64_t start, end, off, ino;
		unsigned maj, min;
		char perms[5];
		int at = 0;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n",
			   &start, &end, perms, &off, &maj, &min, &ino, &at) < 7 ||
		    addr < start || addr >= end)
			continue;
		if (perms[3] != 's' || !ino)
			break; /* private memory: no object another process could share */
		line[strcspn(line, "\n")] = '\0';
		*key = (struct cv_shared_key){ makedev(maj, min), ino, addr - start + off };
		user_name(at > 0 ? line + at : "", name, n);
		found = true;
	}
	fclose(f);
	return found;
}
