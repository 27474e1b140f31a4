/* locks_prog.c — e2e ground truth for lock kinds, shared locks and possible
 * deadlocks (tests/e2e/locks.bats).  One mode per run (argv[1]):
 *
 *   sem-deadlock [HOLD_MS]  two threads take two global semaphores, sem_a and
 *       sem_b (sem_t, 1 permit each), in opposite order: taker-ab holds
 *       sem_a and waits for sem_b, taker-ba holds sem_b and waits for sem_a.
 *       Neither can go on; each gives up after HOLD_MS (default 2000) with
 *       sem_timedwait.  A sem_t records no owner: this deadlock is only
 *       visible from the wait pattern.
 *   shared-mutex [CHILDREN] [MS]  one process-shared pthread mutex in
 *       MAP_SHARED anonymous memory, taken by CHILDREN (default 4) forked
 *       processes for MS (default 1000) ms each, held ~50 µs per take.
 *   fork-named [MS] [LINGER_MS]  a forked child whose two threads contend on
 *       the global mutex child_lock for MS (default 1000) ms: the child's
 *       copy of the object keeps its symbol's name, also when the child is
 *       gone before its events are read (a short MS) while the parent stays
 *       LINGER_MS (default 0) ms after it, as a worker pool's parent does.
 *   shm-threads [THREADS] [HOLD_MS] [MS]  a process-shared mutex in a named
 *       POSIX shared memory object (/dev/shm/concviz-locks-PID, removed at
 *       the end): main holds it HOLD_MS (default 800) ms while THREADS
 *       (default 3) threads block on it, then they take it for MS (default
 *       800) ms more.  Attached during the hold, a tracer first sees the lock
 *       in the blocked threads' state and learns its name (the file) later,
 *       from their waits.  example-stats has "shm": the file's path.
 *
 * Each counts what it does and prints, as its last stderr line,
 * `example-stats {JSON}` with a `threads` list (tid, pid, role and counters:
 * lock_acquisitions, contended (a trylock failed first), gave_up). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 16

struct tstat {                  /* one thread's counts */
	int tid, pid;
	const char *role;
	long long lock_acquisitions, contended, gave_up;
};

sem_t sem_a, sem_b;             /* global: their symbols name the locks */
pthread_mutex_t child_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold;
static long hold_ms = 2000, run_ms = 1000, linger_ms;

static void die(const char *what)
{
	fprintf(stderr, "locks_prog: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int gettid_(void)
{
	return (int)syscall(SYS_gettid);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void spin_us(long us)
{
	double end = now_s() + us / 1e6;

	while (now_s() < end)
		;
}

static void print_stats(const char *mode, const struct tstat *t, int n)
{
	fprintf(stderr, "example-stats {\"example\":\"locks_prog\",\"mode\":\"%s\",\"pid\":%d,\"threads\":[",
		mode, (int)getpid());
	for (int i = 0; i < n; i++)
		fprintf(stderr, "%s{\"tid\":%d,\"pid\":%d,\"role\":\"%s\",\"lock_acquisitions\":%lld,"
			"\"contended\":%lld,\"gave_up\":%lld}", i ? "," : "", t[i].tid, t[i].pid,
			t[i].role, t[i].lock_acquisitions, t[i].contended, t[i].gave_up);
	fprintf(stderr, "]}\n");
}

/* ---- sem-deadlock ---------------------------------------------------------- */

struct taker {
	sem_t *first, *second;
	struct tstat st;
};

static void *take_two(void *arg)
{
	struct taker *k = arg;
	struct timespec until;

	k->st.tid = gettid_();
	k->st.pid = getpid();
	if (sem_wait(k->first))
		die("sem_wait");
	k->st.lock_acquisitions++;
	pthread_barrier_wait(&both_hold); /* both hold their first: neither can go on */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += hold_ms / 1000;
	until.tv_nsec += (hold_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (sem_timedwait(k->second, &until)) {
		if (errno == EINTR)
			continue;
		if (errno != ETIMEDOUT)
			die("sem_timedwait");
		k->st.gave_up++;
		fprintf(stderr, "%s: deadlock: holding %s, gave up waiting for %s after %ld ms\n",
			k->st.role, k->first == &sem_a ? "sem_a" : "sem_b",
			k->second == &sem_a ? "sem_a" : "sem_b", hold_ms);
		break;
	}
	if (!k->st.gave_up) {
		k->st.lock_acquisitions++;
		sem_post(k->second);
	}
	sem_post(k->first);
	return NULL;
}

static void sem_deadlock(void)
{
	struct taker k[2] = {
		{ &sem_a, &sem_b, { .role = "taker-ab" } },
		{ &sem_b, &sem_a, { .role = "taker-ba" } },
	};
	pthread_t th[2];

	if (sem_init(&sem_a, 0, 1) || sem_init(&sem_b, 0, 1))
		die("sem_init");
	pthread_barrier_init(&both_hold, NULL, 2);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, take_two, &k[i]))
			die("pthread_create");
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	print_stats("sem-deadlock", (struct tstat[]){ k[0].st, k[1].st }, 2);
}

/* ---- shared-mutex and fork-named ------------------------------------------- */

/* Take m until `end`, holding it hold_us each time; counts into st. */
static void take_until(pthread_mutex_t *m, double end, long hold_us, struct tstat *st)
{
	while (now_s() < end) {
		if (pthread_mutex_trylock(m)) {
			st->contended++;
			pthread_mutex_lock(m);
		}
		st->lock_acquisitions++;
		spin_us(hold_us);
		pthread_mutex_unlock(m);
		spin_us(hold_us / 5);
	}
}

struct shared {
	pthread_mutex_t lock;
	struct tstat st[MAX_CHILDREN];
};

static void shared_mutex(int nchildren)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t a;
	pid_t pids[MAX_CHILDREN];

	if (sh == MAP_FAILED)
		die("mmap");
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->lock, &a);
	double end = now_s() + run_ms / 1e3;
	for (int i = 0; i < nchildren; i++) {
		if ((pids[i] = fork()) < 0)
			die("fork");
		if (!pids[i]) {
			struct tstat *st = &sh->st[i];
			st->tid = gettid_();
			st->pid = getpid();
			take_until(&sh->lock, end, 50, st);
			_exit(0);
		}
	}
	for (int i = 0; i < nchildren; i++) {
		waitpid(pids[i], NULL, 0);
		sh->st[i].role = "child";
	}
	print_stats("shared-mutex", sh->st, nchildren);
}

static void *child_worker(void *arg)
{
	struct tstat *st = arg;

	st->tid = gettid_();
	st->pid = getpid();
	take_until(&child_lock, now_s() + run_ms / 1e3, 100, st);
	return NULL;
}

static void fork_named(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid) {
		int status;
		waitpid(pid, &status, 0);
		usleep(linger_ms * 1000);
		exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
	struct tstat st[2] = { { .role = "child-worker" }, { .role = "child-worker" } };
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, child_worker, &st[i]))
			die("pthread_create");
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	print_stats("fork-named", st, 2);
	_exit(0);
}

/* ---- shm-threads ------------------------------------------------------------ */

struct shm_worker {
	pthread_mutex_t *lock;
	double end;
	struct tstat st;
};

static void *shm_worker(void *arg)
{
	struct shm_worker *w = arg;

	w->st.tid = gettid_();
	w->st.pid = getpid();
	take_until(w->lock, w->end, 50, &w->st);
	return NULL;
}

static void shm_threads(int n)
{
	char name[64];
	pthread_mutexattr_t a;
	struct shm_worker w[MAX_CHILDREN];
	pthread_t th[MAX_CHILDREN];

	snprintf(name, sizeof(name), "/concviz-locks-%d", (int)getpid());
	int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, 4096))
		die("shm_open");
	pthread_mutex_t *lock = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (lock == MAP_FAILED)
		die("mmap");
	close(fd);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(lock, &a);
	pthread_mutex_lock(lock);
	double end = now_s() + (hold_ms + run_ms) / 1e3;
	for (int i = 0; i < n; i++) {
		w[i] = (struct shm_worker){ lock, end, { .role = "worker" } };
		if (pthread_create(&th[i], NULL, shm_worker, &w[i]))
			die("pthread_create");
	}
	usleep(hold_ms * 1000);
	pthread_mutex_unlock(lock);
	struct tstat st[MAX_CHILDREN];
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		st[i] = w[i].st;
	}
	shm_unlink(name);
	fprintf(stderr, "shm /dev/shm%s\n", name);
	print_stats("shm-threads", st, n);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (strcmp(mode, "sem-deadlock") == 0) {
		if (argc > 2)
			hold_ms = atol(argv[2]);
		sem_deadlock();
	} else if (strcmp(mode, "shared-mutex") == 0) {
		int n = argc > 2 ? atoi(argv[2]) : 4;
		if (argc > 3)
			run_ms = atol(argv[3]);
		if (n < 1 || n > MAX_CHILDREN) {
			fprintf(stderr, "locks_prog: shared-mutex: 1 to %d children\n", MAX_CHILDREN);
			return 2;
		}
		shared_mutex(n);
	} else if (strcmp(mode, "shm-threads") == 0) {
		int n = argc > 2 ? atoi(argv[2]) : 3;
		hold_ms = argc > 3 ? atol(argv[3]) : 800;
		run_ms = argc > 4 ? atol(argv[4]) : 800;
		if (n < 1 || n > MAX_CHILDREN) {
			fprintf(stderr, "locks_prog: shm-threads: 1 to %d threads\n", MAX_CHILDREN);
			return 2;
		}
		shm_threads(n);
	} else if (strcmp(mode, "fork-named") == 0) {
		if (argc > 2)
			run_ms = atol(argv[2]);
		if (argc > 3)
			linger_ms = atol(argv[3]);
		fork_named();
	} else {
		fprintf(stderr, "usage: locks_prog sem-deadlock [HOLD_MS] | shared-mutex [CHILDREN] [MS] | "
			"fork-named [MS] [LINGER_MS] | shm-threads [THREADS] [HOLD_MS] [MS]\n");
		return 2;
	}
	return 0;
}
