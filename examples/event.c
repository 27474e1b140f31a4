/*
 * event — an "event" (a flag plus a condition variable broadcast).
 *
 * A traffic-light thread (`light`) turns the light green (sets the event:
 * flag = 1 and pthread_cond_broadcast) for 100 ms, then red (clears it) for
 * 200 ms, over and over.  Several car threads (default 4, `car-1`...) drive
 * past the light: each waits on the event (pthread_cond_wait while red),
 * then "drives" for 20 ms and comes back to the light.
 * The event is the global `light_lock` + `light_changed` + `green`.
 *
 * What to see in concviz: the cars all in lock_wait while the light is red,
 * then all woken at once by `light` (one waker, many wakees) when it turns
 * green, running briefly, and queueing up again.
 */
#include "common.h"

#include <stdio.h>

#define MAX_CARS 64

pthread_mutex_t light_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t light_changed = PTHREAD_COND_INITIALIZER;
int green;                              /* the event flag, under light_lock */

static long ncars = 4;
static long green_ms = 100, red_ms = 200;

static void set_light(struct ex_stats *st, int is_green)
{
	pthread_mutex_lock(&light_lock);
	st->lock_acquisitions++;
	green = is_green;
	if (is_green)
		pthread_cond_broadcast(&light_changed);    /* set the event */
	pthread_mutex_unlock(&light_lock);
}

static void *light(void *arg)
{
	(void)arg;
	struct ex_stats *st = ex_thread_begin("light", "light", EX_F_LOCK);
	long long *cycles = ex_extra(st, "green_phases");

	while (!ex_stopping()) {
		set_light(st, 0);
		ex_nap_ms(red_ms);
		set_light(st, 1);
		(*cycles)++;
		ex_nap_ms(green_ms);
	}
	set_light(st, 1);       /* on stop leave it green so every car gets going */
	ex_thread_end(st);
	return NULL;
}

static void *car(void *arg)
{
	char name[32];
	snprintf(name, sizeof name, "car-%d", (int)(long)arg);
	struct ex_stats *st = ex_thread_begin(name, "car", EX_F_LOCK);
	long long *passes = ex_extra(st, "passes");
	long long *waits = ex_extra(st, "event_waits");

	while (!ex_stopping()) {
		pthread_mutex_lock(&light_lock);
		st->lock_acquisitions++;
		while (!green) {                    /* wait for the event */
			(*waits)++;
			pthread_cond_wait(&light_changed, &light_lock);
		}
		pthread_mutex_unlock(&light_lock);
		(*passes)++;
		ex_sleep_us(20000);                 /* drive around the block */
	}
	ex_thread_end(st);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ex_opt opts[] = {
		{ "cars", EX_OPT_INT, &ncars, 1, MAX_CARS, NULL, "number of car threads (default 4)" },
		{ "green-ms", EX_OPT_INT, &green_ms, 1, 100000, NULL, "green phase in ms (default 100)" },
		{ "red-ms", EX_OPT_INT, &red_ms, 1, 100000, NULL, "red phase in ms (default 200)" },
		EX_OPT_END
	};
	ex_init(argc, argv, "event",
		"Event: a traffic light sets/clears an event, cars wait on it.", 10, opts);

	pthread_t tl = ex_spawn(light, NULL);
	pthread_t t[MAX_CARS];
	for (long i = 0; i < ncars; i++)
		t[i] = ex_spawn(car, (void *)(i + 1));
	ex_wait_for_stop();
	ex_join(tl);
	for (long i = 0; i < ncars; i++)
		ex_join(t[i]);
	ex_print_stats();
	return 0;
}
