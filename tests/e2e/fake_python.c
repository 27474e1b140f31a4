/* fake_python.c — a program that looks like a CPython this concviz cannot
 * read: it defines `_PyRuntime` and a `Py_Version` of 3.12, and two threads
 * contend for a mutex that lies inside that _PyRuntime, twice.  concviz
 * must say once that it cannot read this Python, and name the lock as
 * unsupported interpreter state instead of "_PyRuntime+N"
 * (tests/e2e/python.bats). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

struct fake_runtime {
	char before[512];
	pthread_mutex_t lock;
	char after[512];
};

struct fake_runtime _PyRuntime = { .lock = PTHREAD_MUTEX_INITIALIZER };
const uint32_t Py_Version = 0x030c00f0; /* 3.12.0 final */

static void *holder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2; i++) {
		pthread_mutex_lock(&_PyRuntime.lock);
		usleep(100000);
		pthread_mutex_unlock(&_PyRuntime.lock);
		usleep(100000);
	}
	return NULL;
}

int main(void)
{
	pthread_t t;
	int contended = 0;

	pthread_create(&t, NULL, holder, NULL);
	for (int i = 0; i < 2; i++) {
		usleep(50000); /* the holder is inside */
		if (pthread_mutex_trylock(&_PyRuntime.lock) != 0) {
			contended++;
			pthread_mutex_lock(&_PyRuntime.lock);
		}
		pthread_mutex_unlock(&_PyRuntime.lock);
		usleep(100000);
	}
	pthread_join(t, NULL);
	fprintf(stderr, "example-stats {\"contended\": %d}\n", contended);
	return 0;
}
