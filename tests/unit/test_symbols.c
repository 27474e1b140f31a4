/* test_symbols.c — name addresses of this very process (PIE by default) and
 * of a forked child from their ELF symbols. */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "live/symbols.h"

extern char **environ;

/* Globals the test resolves: .bss, .data, .rodata, a local (static) one. */
pthread_mutex_t test_global_lock;
int test_array[16];
struct test_pair {
	long before;
	pthread_mutex_t lock;
} test_struct = { .before = 1 };
const int test_const[4] = { 1, 2, 3, 4 };
static int test_static_counter = 7;
static char test_big_bss[1 << 20]; /* spills into an anonymous mapping */

#define A(p) ((uint64_t)(uintptr_t)(p))

/* The symbol cache the cases share, in order: maps read by one case are
 * cached for the next (the dlopen case relies on that). */
static struct cv_symbols *syms;

/* In a case: s = the shared cache, or the case fails. */
#define CACHE(s) \
	struct cv_symbols *s = syms ? syms : (syms = cv_symbols_new()); \
	CHECK(s != NULL); \
	if (!s) \
		return

/* exact names and offsets inside this (PIE) executable */
TEST(executable_globals)
{
	uint32_t self = (uint32_t)getpid();
	CACHE(s);
	CHECK_STR(cv_symbols_name(s, self, A(&test_global_lock)), "test_global_lock");
	CHECK_STR(cv_symbols_name(s, self, A(&test_array)), "test_array");
	CHECK_STR(cv_symbols_name(s, self, A(&test_array[2])), "test_array+8");
	CHECK_STR(cv_symbols_name(s, self, A(&test_array[15])), "test_array+60");
	char want[64];
	snprintf(want, sizeof(want), "test_struct+%zu", offsetof(struct test_pair, lock));
	CHECK_STR(cv_symbols_name(s, self, A(&test_struct.lock)), want);
	CHECK_STR(cv_symbols_name(s, self, A(&test_const[3])), "test_const+12");
	CHECK_STR(cv_symbols_name(s, self, A(&test_static_counter)), "test_static_counter");
	CHECK_STR(cv_symbols_name(s, self, A(&test_big_bss[sizeof(test_big_bss) - 1])),
		  "test_big_bss+1048575");
}

/* the returned string is cached: same pointer the second time */
TEST(names_are_cached)
{
	uint32_t self = (uint32_t)getpid();
	CACHE(s);
	CHECK(cv_symbols_name(s, self, A(&test_array[2])) ==
	      cv_symbols_name(s, self, A(&test_array[2])));
}

int main(void);

TEST(code_is_not_an_object)
{
	uint32_t self = (uint32_t)getpid();
	CACHE(s);
	CHECK(cv_symbols_name(s, self, A((uintptr_t)&main)) == NULL);
}

TEST(heap_and_stack_unnamed)
{
	uint32_t self = (uint32_t)getpid();
	CACHE(s);
	int *heap = malloc(64);
	volatile int on_stack = 1;
	CHECK(heap != NULL);
	CHECK(cv_symbols_name(s, self, A(heap)) == NULL);
	CHECK(cv_symbols_name(s, self, A(&on_stack)) == NULL);
	void *big = malloc(8 << 20); /* mmap'ed chunk */
	CHECK(cv_symbols_name(s, self, A(big)) == NULL);
	free(big);
	free(heap);
}

TEST(unmapped_addresses)
{
	uint32_t self = (uint32_t)getpid();
	CACHE(s);
	CHECK(cv_symbols_name(s, self, 0) == NULL);
	CHECK(cv_symbols_name(s, self, 8) == NULL);
	CHECK(cv_symbols_name(s, self, UINT64_MAX) == NULL);
}

/* libc: &stdout / &environ may be copy-relocated into the executable,
 * but are named either way; libc's own definition is in libc.so. */
TEST(libc_globals)
{
	uint32_t self = (uint32_t)getpid();
	CACHE(s);
	CHECK_STR(cv_symbols_name(s, self, A(&stdout)), "stdout");
	CHECK_STR(cv_symbols_name(s, self, A(&environ)), "environ");
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	CHECK(libc != NULL);
	if (libc) {
		void *libc_stdout = dlsym(libc, "stdout");
		CHECK(libc_stdout != NULL);
		CHECK_STR(cv_symbols_name(s, self, A(libc_stdout)), "stdout");
		dlclose(libc);
	}
}

/* a library loaded after the maps were cached: maps are re-read */
TEST(dlopen_after_cache)
{
	uint32_t self = (uint32_t)getpid();
	CACHE(s);
	void *res = dlopen("libresolv.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!res)
		CHECK_SKIP("no libresolv.so.2 to dlopen");
	void *sym = dlsym(res, "__p_class_syms");
	CHECK(sym != NULL);
	const char *n = cv_symbols_name(s, self, A(sym));
	CHECK(n != NULL && strstr(n, "p_class_syms") != NULL);
	if (n == NULL || strstr(n, "p_class_syms") == NULL)
		CHECK_NOTE("libresolv __p_class_syms named %s", n ? n : "(null)");
	dlclose(res);
}

/* another process: a forked child shares our layout */
TEST(forked_child)
{
	CACHE(s);
	int pipefd[2];
	CHECK(pipe(pipefd) == 0);
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(pipefd[1]);
		(void)!read(pipefd[0], &c, 1); /* until the parent closes */
		_exit(0);
	}
	CHECK(child > 0);
	if (child > 0) {
		close(pipefd[0]);
		uint32_t cp = (uint32_t)child;
		CHECK_STR(cv_symbols_name(s, cp, A(&test_global_lock)), "test_global_lock");
		CHECK_STR(cv_symbols_name(s, cp, A(&test_array[2])), "test_array+8");
		close(pipefd[1]);
		waitpid(child, NULL, 0);
		/* exited: cached maps still answer until forgotten */
		CHECK_STR(cv_symbols_name(s, cp, A(&test_array[1])), "test_array+4");
		cv_symbols_forget(s, cp);
		CHECK(cv_symbols_name(s, cp, A(&test_array[1])) == NULL);
		cv_symbols_forget(s, cp);
	}
}

/* a pid that does not exist, and pid 0 */
TEST(no_such_pid)
{
	CACHE(s);
	CHECK(cv_symbols_name(s, 0x7ffffff0u, A(&test_global_lock)) == NULL);
	CHECK(cv_symbols_name(s, 0x7ffffff0u, A(&test_global_lock)) == NULL);
	CHECK(cv_symbols_name(s, 0, A(&test_global_lock)) == NULL);
	cv_symbols_forget(s, 0x7ffffff0u);
}

/* forget + re-read our own maps; earlier strings stay valid */
TEST(forget_and_reread)
{
	uint32_t self = (uint32_t)getpid();
	CACHE(s);
	const char *before = cv_symbols_name(s, self, A(&test_array[3]));
	cv_symbols_forget(s, self);
	CHECK_STR(cv_symbols_name(s, self, A(&test_array[3])), "test_array+12");
	CHECK_STR(before, "test_array+12");
}

/* by name: the executable's objects and a library's, at the address the
 * process uses; code and unknown names are not found */
TEST(find_by_name)
{
	uint32_t self = (uint32_t)getpid();
	uint64_t addr = 0, size = 0;
	CACHE(s);
	CHECK(cv_symbols_find(s, self, "test_global_lock", &addr, &size));
	CHECK_EQ(addr, A(&test_global_lock));
	CHECK_EQ(size, sizeof(test_global_lock));
	CHECK(cv_symbols_find(s, self, "test_static_counter", &addr, &size));
	CHECK_EQ(addr, A(&test_static_counter));
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	CHECK(libc != NULL);
	if (libc) {
		CHECK(cv_symbols_find(s, self, "program_invocation_name", &addr, &size));
		CHECK_EQ(addr, A(dlsym(libc, "program_invocation_name")));
		dlclose(libc);
	}
	CHECK(!cv_symbols_find(s, self, "main", &addr, &size));
	CHECK(!cv_symbols_find(s, self, "no_such_symbol_anywhere", &addr, &size));
	CHECK(!cv_symbols_find(s, 0x7ffffff0u, "test_global_lock", &addr, &size));
	CHECK(!cv_symbols_find(NULL, self, "test_global_lock", &addr, &size));
}

TEST(null_cache)
{
	uint32_t self = (uint32_t)getpid();
	CHECK(cv_symbols_name(NULL, self, A(&test_array)) == NULL);
	cv_symbols_forget(NULL, self);
	cv_symbols_free(NULL);
}

int main(void)
{
	RUN(executable_globals);
	RUN(names_are_cached);
	RUN(code_is_not_an_object);
	RUN(heap_and_stack_unnamed);
	RUN(unmapped_addresses);
	RUN(libc_globals);
	RUN(dlopen_after_cache);
	RUN(forked_child);
	RUN(no_such_pid);
	RUN(forget_and_reread);
	RUN(find_by_name);
	RUN(null_cache);
	cv_symbols_free(syms);
	return CHECK_DONE();
}
