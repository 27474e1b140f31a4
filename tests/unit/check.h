/* check.h — a small unit-test harness: named test cases with TAP output.
 *
 *   TEST(name) { ... CHECK(x); CHECK_EQ(a, b); CHECK_STR(s, "t"); ... }
 *   int main(void) { RUN(name); RUN(other); return CHECK_DONE(); }
 *
 * TEST(name) defines the case `static void test_name(void)`; RUN(name) runs
 * it (a TEST never RUN is an unused function: -Werror catches it).  The
 * checks record a failure with file:line and keep going; a case fails if any
 * check in it failed.  Each RUN prints one TAP line on stdout,
 *   ok 3 - test_model: futex
 *   not ok 4 - test_model: deadlock
 * followed by the case's failed checks as "# file:line: ..." lines (the first
 * CHECK_MAX_LINES of them, then how many more) and any CHECK_NOTE lines.  A
 * case that crashes (SIGSEGV, SIGABRT, ...) prints its "not ok" line and the
 * signal before the process dies.  CHECK_SKIP(why) ends a case that cannot
 * run here: "ok 5 - test_x: name # SKIP why".  CHECK_DONE() prints the plan
 * "1..N" and a "# test_model: N passed, N failed, N skipped (N checks)"
 * comment, and returns the exit status: 1 if a case failed.  The suite name
 * is the source file's name.
 * tests/run.sh counts the cases. */
#ifndef CONCVIZ_CHECK_H
#define CONCVIZ_CHECK_H

#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHECK_MAX_LINES 20

struct check_state {
	char suite[64];
	const char *name;           /* the running case, NULL between cases */
	int cases, cases_failed, cases_skipped;
	long checks, case_failed;   /* all checks run; failed checks in this case */
	int outside_failed;         /* checks that failed outside any case */
	char head[256];             /* "not ok N - suite: name\n", for the crash handler */
	char out[8192];             /* this case's "# ..." lines */
	size_t len;
	long dropped;               /* failure lines not kept */
	char skip[160];             /* why this case was skipped, "" if it ran */
};
static struct check_state check_st;

/* Appends "# LINE" to the current case's output (printed after its result
 * line); outside a case it goes straight to stdout. */
static inline void check_vline(const char *fmt, va_list ap)
{
	struct check_state *s = &check_st;
	char line[1024];
	int n;

	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		return;
	if (!s->name) {
		printf("# %s\n", line);
		return;
	}
	n = snprintf(s->out + s->len, sizeof(s->out) - s->len, "# %s\n", line);
	if (n < 0 || (size_t)n >= sizeof(s->out) - s->len) {
		s->out[s->len] = '\0'; /* keep whole lines only */
		s->dropped++;
		return;
	}
	s->len += (size_t)n;
}

/* CHECK_NOTE(fmt, ...): a line of context under the current case, e.g. what
 * a failed check was looking at. */
static inline void __attribute__((format(printf, 1, 2))) check_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vline(fmt, ap);
	va_end(ap);
}
#define CHECK_NOTE(...) check_note(__VA_ARGS__)

static inline void __attribute__((format(printf, 3, 4))) check_fail(const char *file, int line,
								      const char *fmt, ...)
{
	struct check_state *s = &check_st;
	char msg[1024];
	va_list ap;

	s->checks++;
	if (!s->name)
		s->outside_failed++;
	else if (++s->case_failed > CHECK_MAX_LINES) {
		s->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	check_note("%s:%d: %s", file, line, msg);
}

/* CHECK_SKIP(why): the case cannot run here (a missing tool or device);
 * returns from it.  It is reported "ok N - ... # SKIP why" unless a check
 * in it failed before. */
#define CHECK_SKIP(why) do { \
	snprintf(check_st.skip, sizeof(check_st.skip), "%s", (why)); \
	return; \
} while (0)

#define CHECK_PASS() (check_st.checks++)

#define CHECK(cond) do { \
	if (cond) CHECK_PASS(); \
	else check_fail(__FILE__, __LINE__, "CHECK failed: %s", #cond); \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ == check_b_) CHECK_PASS(); \
	else check_fail(__FILE__, __LINE__, "CHECK_EQ failed: %s == %lld, %s == %lld", \
			#a, check_a_, #b, check_b_); \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) CHECK_PASS(); \
	else check_fail(__FILE__, __LINE__, "CHECK_STR failed: %s == \"%s\", expected \"%s\"", \
			#a, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
} while (0)

/* A crash inside a case: say which one, with what it had found so far. */
static void check_crash(int sig)
{
	struct check_state *s = &check_st;
	char tail[128];
	int n;

	if (s->name) {
		n = snprintf(tail, sizeof(tail), "# crashed: signal %d (%s)\n", sig, strsignal(sig));
		if (write(STDOUT_FILENO, s->head, strlen(s->head)) < 0 ||
		    write(STDOUT_FILENO, s->out, s->len) < 0 ||
		    (n > 0 && write(STDOUT_FILENO, tail, (size_t)n) < 0))
			(void)0;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static inline void check_run(const char *file, const char *name, void (*fn)(void))
{
	struct check_state *s = &check_st;
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

	if (!s->suite[0]) {
		const char *b = strrchr(file, '/');
		b = b ? b + 1 : file;
		snprintf(s->suite, sizeof(s->suite), "%.*s", (int)strcspn(b, "."), b);
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], check_crash);
	}
	s->cases++;
	s->case_failed = 0;
	s->len = 0;
	s->out[0] = '\0';
	s->dropped = 0;
	s->skip[0] = '\0';
	snprintf(s->head, sizeof(s->head), "not ok %d - %.63s: %.160s\n", s->cases, s->suite, name);
	fflush(stdout);
	fflush(stderr);
	s->name = name;
	fn();
	s->name = NULL;
	if (s->case_failed)
		s->cases_failed++;
	else if (s->skip[0])
		s->cases_skipped++;
	printf("%s%d - %s: %s", s->case_failed ? "not ok " : "ok ", s->cases, s->suite, name);
	if (!s->case_failed && s->skip[0])
		printf(" # SKIP %s", s->skip);
	putchar('\n');
	fputs(s->out, stdout);
	if (s->dropped)
		printf("# ... and %ld more lines not shown\n", s->dropped);
	fflush(stdout);
}

#define TEST(name) static void test_##name(void)
#define RUN(name) check_run(__FILE__, #name, test_##name)

static inline int check_done(void)
{
	struct check_state *s = &check_st;

	if (s->outside_failed) { /* checks outside any case fail a case of their own */
		s->cases++;
		s->cases_failed++;
		printf("not ok %d - %s: (checks outside any test case)\n", s->cases, s->suite);
	}
	printf("1..%d\n", s->cases);
	printf("# %s: %d passed, %d failed, %d skipped (%ld checks)\n", s->suite,
	       s->cases - s->cases_failed - s->cases_skipped, s->cases_failed, s->cases_skipped, s->checks);
	fflush(stdout);
	return s->cases_failed ? 1 : 0;
}
#define CHECK_DONE() check_done()

#endif
