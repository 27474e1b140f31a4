/* writeq.c — a recording's blocks written by a thread of their own (writeq.h). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/writeq.h"

struct block {
	struct block *next;
	size_t len;
	unsigned char data[];
};

struct cv_writeq {
	int fd;
	size_t max_pending;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work;   /* a block queued, or stop */
	pthread_cond_t done;   /* a block written (room, or everything written) */
	struct block *head, *tail;
	size_t pending;        /* bytes queued, the one being written included */
	uint64_t pushed;       /* bytes ever queued */
	bool busy;             /* the thread holds a block it took off the queue */
	bool stopping;
	int error;             /* errno of the failure, 0 none */
};

int cv_write_all(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static void *run(void *arg)
{
	struct cv_writeq *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->work, &q->mu);
		struct block *b = q->head;
		if (!b)
			break; /* stopping, and nothing left */
		q->head = b->next;
		if (!q->head)
			q->tail = NULL;
		q->busy = true;
		bool write_it = q->error == 0;
		pthread_mutex_unlock(&q->mu);
		int rc = write_it ? cv_write_all(q->fd, b->data, b->len) : 0;
		int e = errno;
		pthread_mutex_lock(&q->mu);
		if (write_it && rc != 0 && !q->error)
			q->error = e ? e : EIO;
		q->pending -= b->len;
		q->busy = false;
		free(b);
		pthread_cond_broadcast(&q->done);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct cv_writeq *cv_writeq_start(int fd, size_t max_pending)
{
	struct cv_writeq *q = calloc(1, sizeof(*q));
	sigset_t all, old;
	int rc;

	if (!q)
		return NULL;
	q->fd = fd;
	q->max_pending = max_pending;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->done, NULL);
	/* signals (Ctrl-C) are the session's: its thread must see them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&q->thread, NULL, run, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		pthread_cond_destroy(&q->done);
		pthread_cond_destroy(&q->work);
		pthread_mutex_destroy(&q->mu);
		free(q);
		errno = rc;
		return NULL;
	}
	return q;
}

int cv_writeq_push(struct cv_writeq *q, const void *buf, size_t len)
{
	struct block *b = malloc(sizeof(*b) + len);

	if (b) { /* private until linked: copied before the lock */
		b->next = NULL;
		b->len = len;
		memcpy(b->data, buf, len);
	}
	pthread_mutex_lock(&q->mu);
	if (!b && !q->error)
		q->error = ENOMEM;
	/* room for it, or an empty queue (a block larger than the bound) */
	while (!q->error && q->pending && q->pending + len > q->max_pending)
		pthread_cond_wait(&q->done, &q->mu);
	if (q->error) {
		pthread_mutex_unlock(&q->mu);
		free(b);
		return -1;
	}
	if (q->tail)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->pending += len;
	q->pushed += len;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

int cv_writeq_sync(struct cv_writeq *q)
{
	int rc;

	pthread_mutex_lock(&q->mu);
	while (!q->error && (q->head || q->busy))
		pthread_cond_wait(&q->done, &q->mu);
	rc = q->error ? -1 : 0;
	pthread_mutex_unlock(&q->mu);
	return rc;
}

int cv_writeq_stop(struct cv_writeq *q)
{
	int e;

	if (!q)
		return 0;
	cv_writeq_sync(q);
	pthread_mutex_lock(&q->mu);
	q->stopping = true;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL); /* it frees what a failure left queued */
	e = q->error;
	pthread_cond_destroy(&q->done);
	pthread_cond_destroy(&q->work);
	pthread_mutex_destroy(&q->mu);
	free(q);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

int cv_writeq_error(struct cv_writeq *q)
{
	int e;

	pthread_mutex_lock(&q->mu);
	e = q->error;
	pthread_mutex_unlock(&q->mu);
	return e;
}

uint64_t cv_writeq_pushed(struct cv_writeq *q)
{
	return q->pushed; /* only the pushing thread writes it: no lock */
}
