/* placement.c — where a real-time concviz should run (placement.h). */
#include <string.h>

#include "live/placement.h"

void cv_placement_init(struct cv_placement *p, int ncpus)
{
	memset(p, 0, sizeof(*p));
	p->ncpus = ncpus < CV_PLACEMENT_MAX_CPUS ? ncpus : CV_PLACEMENT_MAX_CPUS;
	for (int c = 0; c < p->ncpus; c++)
		p->allowed[c] = true;
}

void cv_placement_note(struct cv_placement *p, const struct cv_event *ev)
{
	unsigned cpu = ev->cpu;

	if (ev->type != CV_EV_SWITCH || cpu >= (unsigned)p->ncpus)
		return;
	if (!p->started) {
		p->started = true;
		p->since = ev->ts;
	}
	if ((ev->flags & CV_SW_PREV_TRACED) && p->on[cpu] && ev->ts > p->on_since[cpu])
		p->busy_ns[cpu] += ev->ts - p->on_since[cpu];
	p->on[cpu] = ev->flags & CV_SW_NEXT_TRACED;
	/* an event older than the last look (events arrive late) counts from it */
	if (ev->ts > p->on_since[cpu])
		p->on_since[cpu] = ev->ts;
}

int cv_placement_avoid(struct cv_placement *p, uint64_t now, bool *avoid)
{
	uint64_t span = p->started && now > p->since ? now - p->since : 0;
	int navoid = 0;
	bool room = false;

	for (int c = 0; c < p->ncpus; c++) {
		avoid[c] = false;
		/* a thread still on a CPU counts up to now */
		if (p->on[c] && now > p->on_since[c]) {
			p->busy_ns[c] += now - p->on_since[c];
			p->on_since[c] = now;
		}
	}
	for (int c = 0; span && c < p->ncpus; c++) {
		if (!p->allowed[c])
			continue;
		if (p->busy_ns[c] * 2 >= span) {
			avoid[c] = true;
			navoid++;
		} else if (p->busy_ns[c] * 4 <= span) {
			room = true;
		}
	}
	if (!room) {
		for (int c = 0; c < p->ncpus; c++)
			avoid[c] = false;
		navoid = 0;
	}
	memset(p->busy_ns, 0, sizeof(p->busy_ns[0]) * (size_t)(p->ncpus > 0 ? p->ncpus : 0));
	p->since = now;
	p->started = true;
	return navoid;
}
