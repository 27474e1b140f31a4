/*
 * prodcons — producer/consumer over a bounded queue.
 *
 * Producers (`producer-1`...) make items (~200 µs of CPU work each) and put
 * them in a ring buffer of 8 slots; consumers (`consumer-1`...) take items
 * and handle them (~1 ms, sleeping as if writing them out).  The queue is
 * guarded by the global mutex `queue_lock`, with two condition variables:
 * producers wait on `not_full` when the queue is full, consumers wait on
 * `not_empty` when it is empty.  Consumers are slower, so the queue fills
 * up and producers spend time waiting for room (back-pressure).
 *
 * What to see in concviz: lock_wait on `not_full` for the producers, short
 * waits on `queue_lock`, consumers alternating sleep and a little running,
 * and wake-ups of producers by consumers (and vice versa).
 */
#include "common.h"

#include <stdio.h>

#define QCAP 8
#define MAX_THREADS 32

pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;

static long queue[QCAP];
static int q_head, q_len;
static int producers_left;              /* under queue_lock */

static long nprod = 2, ncons = 2;
static long produce_us = 200, consume_us = 1000;

static void *producer(void *arg)
{
	char name[32];
	snprintf(name, sizeof name, "producer-%d", (int)(long)arg);
	struct ex_stats *st = ex_thread_begin(name, "producer", EX_F_LOCK);
	long long *produced = ex_extra(st, "items_produced");
	long long *waits = ex_extra(st, "cond_waits");

	while (!ex_stopping()) {
		long item = (long)ex_work_us(produce_us);      /* make an item */
		pthread_mutex_lock(&queue_lock);
		st->lock_acquisitions++;
		while (q_len == QCAP) {                         /* full: wait for room */
			(*waits)++;
			pthread_cond_wait(&not_full, &queue_lock);
		}
		queue[(q_head + q_len++) % QCAP] = item;
		(*produced)++;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&queue_lock);
	}
	pthread_mutex_lock(&queue_lock);                        /* say goodbye */
	st->lock_acquisitions++;
	producers_left--;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&queue_lock);
	ex_thread_end(st);
	return NULL;
}

static void *consumer(void *arg)
{
	char name[32];
	snprintf(name, sizeof name, "consumer-%d", (int)(long)arg);
	struct ex_stats *st = ex_thread_begin(name, "consumer", EX_F_LOCK);
	long long *consumed = ex_extra(st, "items_consumed");
	long long *waits = ex_extra(st, "cond_waits");

	for (;;) {
		pthread_mutex_lock(&queue_lock);
		st->lock_acquisitions++;
		while (q_len == 0 && producers_left > 0) {      /* empty: wait for an item */
			(*waits)++;
			pthread_cond_wait(&not_empty, &queue_lock);
		}
		if (q_len == 0) {                               /* empty and no producers */
			pthread_mutex_unlock(&queue_lock);
			break;
		}
		long item = queue[q_head];
		q_head = (q_head + 1) % QCAP;
		q_len--;
		(*consumed)++;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&queue_lock);
		(void)item;
		ex_sleep_us(consume_us);                        /* handle the item */
	}
	ex_thread_end(st);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "producers", EX_OPT_INT, &nprod, 1, MAX_THREADS / 2, NULL,
		  "number of producer threads (default 2)" },
		{ "consumers", EX_OPT_INT, &ncons, 1, MAX_THREADS / 2, NULL,
		  "number of consumer threads (default 2)" },
		{ "produce-us", EX_OPT_INT, &produce_us, 0, 1000000, NULL,
		  "CPU work to make one item, in µs (default 200)" },
		{ "consume-us", EX_OPT_INT, &consume_us, 0, 1000000, NULL,
		  "time to handle one item, in µs (default 1000)" },
		EX_OPT_END
	};
	ex_init(argc, argv, "prodcons",
		"Producer/consumer: a bounded queue with queue_lock, not_full, not_empty.", 10, opts);

	producers_left = (int)nprod;
	pthread_t t[MAX_THREADS];
	int n = 0;
	for (long i = 0; i < nprod; i++)
		t[n++] = ex_spawn(producer, (void *)(i + 1));
	for (long i = 0; i < ncons; i++)
		t[n++] = ex_spawn(consumer, (void *)(i + 1));
	ex_wait_for_stop();
	for (int i = 0; i < n; i++)
		ex_join(t[i]);
	ex_print_stats();
	return 0;
}
