/* gen_seeds.c — write a seed corpus of valid (and a few damaged) recordings
 * for fuzz_recfile into the directory given as argv[1]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/recfile.h"

static uint64_t ts = 1000000000ull;

static struct cv_rec_writer *create(const char *dir, const char *name, const char *cmd)
{
	char path[512], err[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct cv_rec_meta meta = { .target_pid = 1234, .command = cmd };
	struct cv_rec_writer *w = cv_rec_create(path, true, &meta, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "gen_seeds: %s\n", err);
		exit(1);
	}
	return w;
}

static void one_of_each(struct cv_rec_writer *w, uint32_t tid)
{
	for (uint16_t t = 1; t < CV_EV_TYPE_MAX; t++) {
		struct cv_event ev = { .ts = ts += 1000 + t * 37, .tid = tid, .pid = 1234, .type = t, .cpu = 1 };
		switch (t) {
		case CV_EV_SWITCH:
			ev.flags = CV_SW_PREV_TRACED | CV_SW_NEXT_TRACED | CV_SW_PREV_BLOCKED;
			ev.sw.next_tid = tid + 1;
			ev.sw.next_pid = 1234;
			ev.sw.prev_state = 1;
			ev.sw.block = CV_BLK_FUTEX;
			ev.sw.obj = 0x55d1c0a4e040ull;
			ev.sw.owner_tid = tid + 1;
			break;
		case CV_EV_WAKEUP:
			ev.wake.waker_tid = tid + 1;
			ev.wake.waker_pid = 1234;
			ev.wake.target_cpu = 1;
			break;
		case CV_EV_TASK:
		case CV_EV_COMM:
			memcpy(t == CV_EV_TASK ? ev.task.comm : ev.comm.comm, "worker-1", 8);
			ev.task.parent_tid = 1234;
			break;
		case CV_EV_EXIT:
			ev.exit.exit_code = 256;
			ev.exit.group_dead = 1;
			break;
		case CV_EV_RECV:
			ev.recv.enter_ts = ev.ts - 50000;
			ev.recv.copy_ts = ev.ts - 2000;
			ev.recv.ret = tid % 2 ? 512 : -CV_EAGAIN;
			ev.recv.fd = 5;
			ev.recv.sys = CV_SYS_RECVFROM;
			break;
		case CV_EV_MUX:
			ev.mux.enter_ts = ev.ts - 9000;
			ev.mux.ret = 1;
			ev.mux.sys = CV_SYS_EPOLL_WAIT;
			ev.mux.nfds = 16;
			ev.mux.timeout_ms = -1;
			break;
		case CV_EV_FUTEX:
			ev.futex.enter_ts = ev.ts - 7000;
			ev.futex.addr = 0x55d1c0a4e040ull;
			ev.futex.op = 9;
			ev.futex.sys = CV_SYS_FUTEX;
			ev.futex.owner_tid = tid + 1;
			ev.futex.waker_tid = tid + 1;
			break;
		case CV_EV_URING_ENTER:
			ev.uenter.enter_ts = ev.ts - 3000;
			ev.uenter.ret = 1;
			ev.uenter.to_submit = 1;
			ev.uenter.min_complete = 1;
			break;
		case CV_EV_URING_SUBMIT:
			ev.usubmit.user_data = 42;
			ev.usubmit.req = 0xffff888100a0b000ull;
			ev.usubmit.opcode = 27;
			break;
		case CV_EV_URING_COMPLETE:
			ev.ucomplete.user_data = 42;
			ev.ucomplete.submit_ts = ev.ts - 4000;
			ev.ucomplete.res = 64;
			ev.ucomplete.opcode = 27;
			ev.ucomplete.done_tid = tid;
			break;
		case CV_EV_LOST:
			ev.lost.count = 3;
			break;
		}
		cv_rec_write_event(w, &ev);
	}
}

static void damaged(const char *dir, const char *from, const char *name, long cut, long flip)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, from);
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	static unsigned char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (cut > 0 && (size_t)cut < n)
		n = (size_t)cut;
	if (flip >= 0 && (size_t)flip < n)
		buf[flip] ^= 0x20;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f) {
		fwrite(buf, 1, n, f);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 2;
	}
	const char *dir = argv[1];
	struct cv_rec_writer *w;

	w = create(dir, "empty.cvz", NULL);
	cv_rec_close(w);

	w = create(dir, "each.cvz", "each --all");
	cv_rec_write_start(w, ts);
	cv_rec_write_target(w, 1235, "each --all \"quoted\"");
	one_of_each(w, 1234);
	cv_rec_write_target(w, 1236, NULL);
	cv_rec_write_lock_name(w, 1234, 0x55d1c0a4e040ull, "queue_lock");
	cv_rec_write_target_exit(w, 0);
	cv_rec_close(w);

	w = create(dir, "blocks.cvz", "blocks");
	cv_rec_write_start(w, ts);
	for (uint32_t i = 0; i < 8; i++) {
		one_of_each(w, 1234 + i);
		if (i % 2)
			cv_rec_write_lock_name(w, 1234, 0x1000 + i * 64, "lock\xc3\xa9");
		cv_rec_flush(w);
	}
	cv_rec_write_target_exit(w, 137);
	cv_rec_close(w);

	w = create(dir, "odd.cvz", "odd");
	struct cv_event ev;
	memset(&ev, 0xa5, sizeof(ev));
	ev.type = 0;
	cv_rec_write_event(w, &ev);
	ev.type = 999;
	cv_rec_write_event(w, &ev);
	memset(&ev, 0xff, sizeof(ev));
	for (uint16_t t = 1; t < CV_EV_TYPE_MAX; t++) {
		ev.type = t;
		cv_rec_write_event(w, &ev);
	}
	cv_rec_close(w);

	damaged(dir, "blocks.cvz", "cut.cvz", 700, -1);
	damaged(dir, "each.cvz", "flip.cvz", 0, 120);
	return 0;
}
