/* elf_funcs.c — function offsets in ELF files, the C library a process maps
 * (see elf_funcs.h). */
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "live/elf_funcs.h"

/* A symbol's address as an offset in the file: through the PT_LOAD segment
 * that holds it. */
static bool vaddr_to_off(Elf *elf, uint64_t vaddr, uint64_t *off)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return true;
		}
	}
	return false;
}

static int add_unique(uint64_t *offs, int k, size_t max, uint64_t off)
{
	for (int i = 0; i < k; i++)
		if (offs[i] == off)
			return k;
	if ((size_t)k < max)
		offs[k++] = off;
	return k;
}

static int scan(Elf *elf, Elf_Scn *scn, const char *name, uint64_t *offs, int k, size_t max)
{
	GElf_Shdr sh;
	Elf_Data *d = elf_getdata(scn, NULL);

	if (!gelf_getshdr(scn, &sh) || !d || !sh.sh_entsize)
		return k;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym sym;
		const char *sn;
		uint64_t off;
		if (!gelf_getsym(d, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    !sym.st_value || sym.st_shndx == SHN_UNDEF)
			continue;
		sn = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (sn && strcmp(sn, name) == 0 && vaddr_to_off(elf, sym.st_value, &off))
			k = add_unique(offs, k, max, off);
	}
	return k;
}

int cv_elf_func_offsets(const char *path, const char *name, uint64_t *offs, size_t max)
{
	int fd, k = 0;
	Elf *elf;
	Elf_Scn *scn = NULL;

	if (elf_version(EV_CURRENT) == EV_NONE || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		close(fd);
		return -1;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB))
			k = scan(elf, scn, name, offs, k, max);
	}
	elf_end(elf);
	close(fd);
	return k;
}

int cv_elf_is_static(const char *path)
{
	int fd, r = 1;
	size_t n;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &n)) {
		r = -1;
		n = 0;
	}
	for (size_t i = 0; i < n && r == 1; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP)
			r = 0;
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return r;
}

int cv_proc_libc(uint32_t pid, char *buf, size_t n)
{
	char path[64], line[4096];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/maps", pid);
	if (!(f = fopen(path, "re")))
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/'), *base;
		if (!p)
			continue;
		p[strcspn(p, "\n")] = '\0';
		base = strrchr(p, '/') + 1;
		if ((strncmp(base, "libc.so", 7) == 0 || strncmp(base, "libc-", 5) == 0) &&
		    strlen(p) < n) {
			strcpy(buf, p);
			found = 1;
		}
	}
	fclose(f);
	return found;
}
