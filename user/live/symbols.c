/* symbols.c — ELF symbol names for user data addresses.  See symbols.h. */
#include "live/symbols.h"

#include "common/hash.h"

#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define CV_PAGE 4096ULL /* mappings are at least page-aligned on every arch */

/* ---- per-file symbol tables (shared across processes) ------------------ */

struct cv_seg {                 /* one PT_LOAD program header */
	uint64_t offset, vaddr, filesz, memsz;
	uint32_t flags;         /* PF_R | PF_W | PF_X */
};

struct cv_sym {
	uint64_t value, size;
	uint32_t name;          /* offset into cv_file.names */
	uint32_t rank;          /* lower = preferred among aliases (load only) */
};

struct cv_file {
	uint64_t dev, ino;
	char *path;             /* key when ino == 0 */
	bool elf;               /* parsed as an ET_EXEC/ET_DYN ELF file */
	struct cv_seg *segs;
	size_t nsegs;
	struct cv_sym *syms;    /* sorted by value, one per (value, size) */
	uint64_t *maxend;       /* maxend[i] = max end of syms[0..i] */
	size_t nsyms;
	char *names;
};

/* ---- per-process maps -------------------------------------------------- */

enum { MAP_ANON, MAP_FILE, MAP_OTHER };
enum { RES_TODO, RES_OK, RES_FAIL };

struct cv_map {
	uint64_t start, end, offset, dev, ino;
	char *path;             /* MAP_FILE: path without " (deleted)" */
	uint8_t kind, perms;    /* perms: PF_R | PF_W | PF_X */
	uint8_t deleted, res;
	struct cv_file *file;   /* valid when res == RES_OK */
	uint64_t bias;
};

struct cv_proc {
	uint32_t pid;
	bool dead;              /* /proc/PID/maps unreadable */
	struct cv_map *maps;    /* sorted by start, non-overlapping */
	size_t nmaps;
};

/* Three tables (common/hash.h) of pointers: pid -> struct cv_proc,
 * file_key() -> struct cv_file, cv_hash_str() -> interned "name+off" string. */
struct cv_symbols {
	struct cv_hash procs, files, strs;
};

#define PTR(v) ((void *)(uintptr_t)(v))

static uint64_t file_key(uint64_t dev, uint64_t ino, const char *path)
{
	return ino ? cv_hash_pair(dev, ino) : cv_hash_str(path ? path : "");
}

/* ---- ELF loading --------------------------------------------------------- */

static unsigned leading_underscores(const char *s)
{
	unsigned n = 0;
	while (s[n] == '_')
		n++;
	return n;
}

static int sym_cmp(const void *a, const void *b, void *names)
{
	const struct cv_sym *x = a, *y = b;
	const char *sort_names = names;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1; /* bigger (outer) first */
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(sort_names + x->name, sort_names + y->name);
}

/* Append the sized, defined STT_OBJECT symbols of one symbol table. */
static bool load_symtab(Elf *elf, Elf_Scn *scn, struct cv_file *f, size_t *cap,
			size_t *names_len, size_t *names_cap)
{
	GElf_Shdr shdr;
	if (!gelf_getshdr(scn, &shdr) || shdr.sh_type == SHT_NOBITS)
		return true;
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!data || !entsize)
		return true;
	size_t n = data->d_size / entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym))
			break;
		if (GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_size == 0 ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS ||
		    sym.st_shndx == SHN_COMMON)
			continue;
		const char *name = elf_strptr(elf, shdr.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		size_t len = strcspn(name, "@"); /* drop "@GLIBC_2.2.5" */
		if (len == 0 || len > 4096)
			continue;
		if (f->nsyms == *cap) {
			size_t nc = *cap ? *cap * 2 : 256;
			struct cv_sym *ns = realloc(f->syms, nc * sizeof(*ns));
			if (!ns)
				return false;
			f->syms = ns;
			*cap = nc;
		}
		if (*names_len + len + 1 > *names_cap || *names_len + len + 1 > UINT32_MAX) {
			size_t nc = *names_cap ? *names_cap * 2 : 4096;
			while (nc < *names_len + len + 1)
				nc *= 2;
			char *nn = nc <= UINT32_MAX ? realloc(f->names, nc) : NULL;
			if (!nn)
				return false;
			f->names = nn;
			*names_cap = nc;
		}
		memcpy(f->names + *names_len, name, len);
		f->names[*names_len + len] = '\0';
		unsigned bind = GELF_ST_BIND(sym.st_info);
		struct cv_sym *s = &f->syms[f->nsyms++];
		s->value = sym.st_value;
		s->size = sym.st_size;
		s->name = (uint32_t)*names_len;
		s->rank = leading_underscores(name) * 1000000u +
			  (bind == STB_LOCAL ? 100000u : 0) + (unsigned)len;
		*names_len += len + 1;
	}
	return true;
}

static void file_drop_syms(struct cv_file *f)
{
	free(f->syms);
	free(f->maxend);
	free(f->names);
	f->syms = NULL;
	f->maxend = NULL;
	f->names = NULL;
	f->nsyms = 0;
}

/* Fill f from the open ELF file fd.  On any problem f simply ends up with
 * no segments and/or no symbols. */
static void file_load(struct cv_file *f, int fd)
{
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf)
		return;
	GElf_Ehdr eh;
	size_t phnum;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
	    elf_getphdrnum(elf, &phnum) != 0 || phnum == 0 || phnum > 65536)
		goto out;
	f->segs = calloc(phnum, sizeof(*f->segs));
	if (!f->segs)
		goto out;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		struct cv_seg *sg = &f->segs[f->nsegs++];
		sg->offset = ph.p_offset;
		sg->vaddr = ph.p_vaddr;
		sg->filesz = ph.p_filesz;
		sg->memsz = ph.p_memsz;
		sg->flags = ph.p_flags;
	}
	if (f->nsegs == 0)
		goto out;
	f->elf = true;

	Elf_Scn *symtab = NULL, *dynsym = NULL, *scn = NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB && !symtab)
			symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM && !dynsym)
			dynsym = scn;
	}
	size_t cap = 0, names_len = 0, names_cap = 0;
	bool ok = true;
	if (symtab)
		ok = load_symtab(elf, symtab, f, &cap, &names_len, &names_cap);
	if (ok && f->nsyms == 0 && dynsym) /* stripped: exported objects only */
		ok = load_symtab(elf, dynsym, f, &cap, &names_len, &names_cap);
	if (!ok || f->nsyms == 0) {
		file_drop_syms(f);
		goto out;
	}

	qsort_r(f->syms, f->nsyms, sizeof(*f->syms), sym_cmp, f->names);
	size_t w = 0; /* keep the preferred alias of each (value, size) */
	for (size_t i = 0; i < f->nsyms; i++) {
		if (w && f->syms[w - 1].value == f->syms[i].value &&
		    f->syms[w - 1].size == f->syms[i].size)
			continue;
		f->syms[w++] = f->syms[i];
	}
	f->nsyms = w;
	f->maxend = malloc(w * sizeof(*f->maxend));
	if (!f->maxend) {
		file_drop_syms(f);
		goto out;
	}
	uint64_t m = 0;
	for (size_t i = 0; i < w; i++) {
		uint64_t end = f->syms[i].value + f->syms[i].size;
		if (end < f->syms[i].value)
			end = UINT64_MAX;
		if (end > m)
			m = end;
		f->maxend[i] = m;
	}
out:
	elf_end(elf);
}

/* Innermost symbol containing vaddr, or NULL. */
static const struct cv_sym *file_find(const struct cv_file *f, uint64_t vaddr)
{
	size_t lo = 0, hi = f->nsyms; /* first index with value > vaddr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->syms[mid].value <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > 0;) {
		if (f->maxend[i] <= vaddr)
			break; /* nothing at or before i reaches vaddr */
		if (vaddr - f->syms[i].value < f->syms[i].size)
			return &f->syms[i];
	}
	return NULL;
}

/* Open a regular file, refusing devices, FIFOs etc. before opening them. */
static int open_regular(const char *path, uint64_t want_ino)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (want_ino && (uint64_t)st.st_ino != want_ino)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int open_mapping(uint32_t pid, const struct cv_map *m)
{
	char buf[4096 + 64];
	snprintf(buf, sizeof(buf), "/proc/%" PRIu32 "/map_files/%" PRIx64 "-%" PRIx64,
		 pid, m->start, m->end);
	int fd = open_regular(buf, 0); /* exactly the mapped file (needs root) */
	if (fd >= 0 || m->deleted)
		return fd;
	/* Paths are checked against the mapping's inode: they may name another
	 * file by now (replaced on disk, other mount namespace). */
	if ((size_t)snprintf(buf, sizeof(buf), "/proc/%" PRIu32 "/root%s", pid, m->path) < sizeof(buf)) {
		fd = open_regular(buf, m->ino);
		if (fd >= 0)
			return fd;
	}
	return open_regular(m->path, m->ino);
}

static struct cv_file *file_get(struct cv_symbols *s, uint32_t pid, const struct cv_map *m)
{
	uint64_t key = file_key(m->dev, m->ino, m->path), v;
	size_t it = 0;
	while ((v = cv_hash_next(&s->files, key, &it)) != CV_HASH_NONE) {
		struct cv_file *f = PTR(v);
		if (f->dev == m->dev && f->ino == m->ino &&
		    (m->ino || strcmp(f->path, m->path) == 0))
			return f;
	}
	int fd = open_mapping(pid, m);
	if (fd < 0)
		return NULL; /* not cached: another process may be able to open it */
	struct cv_file *f = calloc(1, sizeof(*f));
	if (f && !m->ino && !(f->path = strdup(m->path))) {
		free(f);
		f = NULL;
	}
	if (f && !cv_hash_add(&s->files, key, (uintptr_t)f)) {
		free(f->path);
		free(f);
		f = NULL;
	}
	if (f) {
		f->dev = m->dev;
		f->ino = m->ino;
		file_load(f, fd);
	}
	close(fd);
	return f;
}

/* ---- maps ----------------------------------------------------------------- */

static void proc_clear_maps(struct cv_proc *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		free(p->maps[i].path);
	free(p->maps);
	p->maps = NULL;
	p->nmaps = 0;
}

static void proc_read_maps(struct cv_proc *p)
{
	proc_clear_maps(p);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/maps", p->pid);
	FILE *fp = fopen(path, "re");
	if (!fp) {
		p->dead = true;
		return;
	}
	p->dead = false;
	char *line = NULL;
	size_t linecap = 0, cap = 0;
	while (getline(&line, &linecap, fp) > 0) {
		uint64_t start, end, off, ino;
		unsigned maj, min;
		char perms[5];
		int n = 0;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n",
			   &start, &end, perms, &off, &maj, &min, &ino, &n) < 7 || n <= 0 ||
		    end <= start)
			continue;
		if (p->nmaps && start < p->maps[p->nmaps - 1].end)
			continue; /* keep the array sorted and disjoint */
		char *name = line + n;
		name[strcspn(name, "\n")] = '\0';
		struct cv_map m = {
			.start = start, .end = end, .offset = off, .ino = ino,
			.dev = ((uint64_t)maj << 32) | min,
			.perms = (perms[0] == 'r' ? PF_R : 0) | (perms[1] == 'w' ? PF_W : 0) |
				 (perms[2] == 'x' ? PF_X : 0),
		};
		if (name[0] == '\0' || strcmp(name, "[heap]") == 0 ||
		    strncmp(name, "[anon:", 6) == 0) {
			m.kind = MAP_ANON;
		} else if (name[0] == '/') {
			static const char del[] = " (deleted)";
			size_t len = strlen(name), dl = sizeof(del) - 1;
			if (len > dl && strcmp(name + len - dl, del) == 0) {
				m.deleted = 1;
				name[len - dl] = '\0';
			}
			m.kind = MAP_FILE;
			if (!(m.path = strdup(name)))
				continue;
		} else {
			m.kind = MAP_OTHER; /* [stack], [vdso], anon_inode:..., ... */
		}
		if (p->nmaps == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct cv_map *nm = realloc(p->maps, nc * sizeof(*nm));
			if (!nm) {
				free(m.path);
				break;
			}
			p->maps = nm;
			cap = nc;
		}
		p->maps[p->nmaps++] = m;
	}
	free(line);
	fclose(fp);
}

/* Index of the mapping containing addr, or -1. */
static ssize_t proc_find_map(const struct cv_proc *p, uint64_t addr)
{
	size_t lo = 0, hi = p->nmaps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (addr < p->maps[mid].start)
			hi = mid;
		else if (addr >= p->maps[mid].end)
			lo = mid + 1;
		else
			return (ssize_t)mid;
	}
	return -1;
}

/* Does PT_LOAD segment sg hold file mapping x's offset?  If so, the load
 * bias that mapping x through sg implies:
 * address A maps file offset F  <=>  A - bias - p_vaddr == F - p_offset. */
static bool seg_bias(const struct cv_seg *sg, const struct cv_map *x, uint64_t *bias)
{
	uint64_t lo = sg->offset & ~(CV_PAGE - 1), hi = sg->offset + sg->filesz;
	if (sg->filesz == 0 || x->offset < lo || x->offset >= hi)
		return false;
	*bias = x->start - x->offset - sg->vaddr + sg->offset;
	return true;
}

/* Which PT_LOAD segment does file mapping m map, i.e. what is its load bias?
 * A file page can belong to two segments (text and data, or RELRO and data
 * share it in many layouts), so each candidate bias is scored by how many
 * mappings of the same file in the process agree with it (all of an
 * object's mappings share one bias), then by whether the mapping starts the
 * segment and has its write / exec permission. */
static bool map_bias(const struct cv_proc *p, struct cv_map *m)
{
	const struct cv_file *f = m->file;
	bool found = false;
	uint64_t best_bias = 0;
	size_t best_score = 0;
	for (size_t i = 0; i < f->nsegs; i++) {
		const struct cv_seg *sg = &f->segs[i];
		uint64_t b;
		if (!seg_bias(sg, m, &b))
			continue;
		size_t agree = 0;
		for (size_t j = 0; j < p->nmaps; j++) {
			const struct cv_map *x = &p->maps[j];
			if (x->kind != MAP_FILE || x->dev != m->dev || x->ino != m->ino ||
			    (!m->ino && strcmp(x->path, m->path) != 0))
				continue;
			for (size_t k = 0; k < f->nsegs; k++) {
				uint64_t xb;
				if (seg_bias(&f->segs[k], x, &xb) && xb == b) {
					agree++;
					break;
				}
			}
		}
		size_t score = agree * 8 + 1 +
			       ((sg->offset & ~(CV_PAGE - 1)) == m->offset ? 4 : 0) +
			       ((m->perms & PF_W) == (sg->flags & PF_W) ? 2 : 0) +
			       ((m->perms & PF_X) == (sg->flags & PF_X) ? 1 : 0);
		if (score > best_score) {
			best_score = score;
			best_bias = b;
			found = true;
		}
	}
	m->bias = best_bias;
	return found;
}

static bool map_resolve(struct cv_symbols *s, struct cv_proc *p, struct cv_map *m)
{
	if (m->res == RES_TODO) {
		m->res = RES_FAIL;
		if (m->kind == MAP_FILE && (m->file = file_get(s, p->pid, m)) && m->file->elf &&
		    map_bias(p, m))
			m->res = RES_OK;
	}
	return m->res == RES_OK;
}

static const char *intern(struct cv_symbols *s, const char *str)
{
	uint64_t key = cv_hash_str(str), v;
	size_t it = 0;
	while ((v = cv_hash_next(&s->strs, key, &it)) != CV_HASH_NONE)
		if (strcmp(PTR(v), str) == 0)
			return PTR(v);
	char *e = strdup(str);
	if (e && !cv_hash_add(&s->strs, key, (uintptr_t)e)) {
		free(e);
		e = NULL;
	}
	return e;
}

static const char *lookup(struct cv_symbols *s, struct cv_proc *p, ssize_t idx, uint64_t addr)
{
	struct cv_map *m = &p->maps[idx];
	/* .bss past the file's last page lives in the anonymous mapping(s)
	 * right after the file's last mapping. */
	for (int hops = 0; m->kind == MAP_ANON; hops++) {
		if (idx == 0 || hops == 4 || p->maps[idx - 1].end != m->start)
			return NULL;
		m = &p->maps[--idx];
	}
	if (m->kind != MAP_FILE || !map_resolve(s, p, m))
		return NULL;
	const struct cv_file *f = m->file;
	uint64_t vaddr = addr - m->bias;
	bool in_seg = false;
	for (size_t i = 0; i < f->nsegs && !in_seg; i++)
		in_seg = vaddr - f->segs[i].vaddr < f->segs[i].memsz;
	if (!in_seg || !f->nsyms)
		return NULL;
	const struct cv_sym *sym = file_find(f, vaddr);
	if (!sym)
		return NULL;
	uint64_t off = vaddr - sym->value;
	if (off == 0)
		return f->names + sym->name;
	char buf[4096 + 32];
	snprintf(buf, sizeof(buf), "%s+%" PRIu64, f->names + sym->name, off);
	return intern(s, buf);
}

/* ---- API -------------------------------------------------------------------- */

struct cv_symbols *cv_symbols_new(void)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	return calloc(1, sizeof(struct cv_symbols));
}

static void table_free(struct cv_hash *t, void (*free_entry)(void *))
{
	size_t it = 0;
	uint64_t v;

	while ((v = cv_hash_each(t, &it)) != CV_HASH_NONE)
		free_entry(PTR(v));
	cv_hash_free(t);
}

static void free_proc(void *e)
{
	struct cv_proc *p = e;
	proc_clear_maps(p);
	free(p);
}

static void free_file(void *e)
{
	struct cv_file *f = e;
	file_drop_syms(f);
	free(f->segs);
	free(f->path);
	free(f);
}

void cv_symbols_free(struct cv_symbols *s)
{
	if (!s)
		return;
	table_free(&s->procs, free_proc);
	table_free(&s->files, free_file);
	table_free(&s->strs, free);
	free(s);
}

/* The cached maps of pid, read now if not cached (*fresh then); NULL on
 * out-of-memory. */
static struct cv_proc *proc_get(struct cv_symbols *s, uint32_t pid, bool *fresh)
{
	uint64_t v = cv_hash_get(&s->procs, pid);
	struct cv_proc *p = v == CV_HASH_NONE ? NULL : PTR(v);

	*fresh = false;
	if (p)
		return p;
	if (!(p = calloc(1, sizeof(*p))))
		return NULL;
	if (!cv_hash_add(&s->procs, pid, (uintptr_t)p)) {
		free(p);
		return NULL;
	}
	p->pid = pid;
	proc_read_maps(p);
	*fresh = true;
	return p;
}

const char *cv_symbols_name(struct cv_symbols *s, uint32_t pid, uint64_t addr)
{
	if (!s || pid == 0)
		return NULL;
	bool fresh;
	struct cv_proc *p = proc_get(s, pid, &fresh);
	if (!p || p->dead)
		return NULL; /* gone; cv_symbols_forget() before the pid is reused */
	ssize_t idx = proc_find_map(p, addr);
	if (idx < 0 && !fresh) {
		/* new mapping since we read maps (dlopen, mmap): re-read once */
		proc_read_maps(p);
		if (p->dead)
			return NULL;
		idx = proc_find_map(p, addr);
	}
	if (idx < 0)
		return NULL;
	return lookup(s, p, idx, addr);
}

bool cv_symbols_find(struct cv_symbols *s, uint32_t pid, const char *name, uint64_t *addr,
		     uint64_t *size)
{
	if (!s || pid == 0)
		return false;
	bool fresh;
	struct cv_proc *p = proc_get(s, pid, &fresh);
	if (!p || p->dead)
		return false;
	const struct cv_file *seen = NULL;
	for (size_t i = 0; i < p->nmaps; i++) {
		struct cv_map *m = &p->maps[i];
		if (m->kind != MAP_FILE || !map_resolve(s, p, m) || m->file == seen)
			continue;
		seen = m->file; /* a file's mappings are next to each other */
		for (size_t k = 0; k < m->file->nsyms; k++) {
			const struct cv_sym *sym = &m->file->syms[k];
			if (strcmp(m->file->names + sym->name, name) == 0) {
				*addr = m->bias + sym->value;
				*size = sym->size;
				return true;
			}
		}
	}
	return false;
}

void cv_symbols_forget(struct cv_symbols *s, uint32_t pid)
{
	if (!s)
		return;
	uint64_t v = cv_hash_get(&s->procs, pid);
	if (v != CV_HASH_NONE) {
		cv_hash_del(&s->procs, pid, v);
		free_proc(PTR(v));
	}
}
