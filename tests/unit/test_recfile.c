/* test_recfile.c — the recording format: exact round trip of every event
 * type, size per event, truncation at every offset, bit flips, header errors,
 * --force semantics, and cv_rec_load into a model. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "common/version.h"
#include "model/model.h"
#include "output/report.h"
#include "record/recfile.h"
#include "source/replay.h"

static char dir[] = "/tmp/cvz-test-recfile-XXXXXX";
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* A value of a random magnitude: 0, small, medium or full width. */
static uint64_t rval(void)
{
	switch (rnd() % 5) {
	case 0: return 0;
	case 1: return rnd() % 16;
	case 2: return rnd() % 100000;
	case 3: return (uint64_t)-(int64_t)(rnd() % 1000);
	default: return rnd();
	}
}

static void random_event(struct cv_event *ev, uint16_t type, uint64_t *ts)
{
	uint8_t *p = (uint8_t *)ev;
	memset(ev, 0, sizeof(*ev));
	for (size_t i = 0; i < sizeof(*ev); i += 8) {
		uint64_t v = rval();
		memcpy(p + i, &v, 8);
	}
	*ts += rnd() % 3 ? rnd() % 100000 : rnd();  /* sometimes wild, sometimes backwards */
	ev->ts = *ts;
	ev->type = type;
	if (rnd() % 2) {  /* realistic ids half of the time */
		ev->tid = 1000 + (uint32_t)(rnd() % 8);
		ev->pid = 1000;
	}
}

static char *path_in_dir(const char *name)
{
	static char buf[8][256];
	static int k;
	char *b = buf[k++ % 8];
	snprintf(b, 256, "%s/%s", dir, name);
	return b;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(n ? (size_t)n : 1);
	*len = fread(b, 1, (size_t)n, f);
	fclose(f);
	return b;
}

static void spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	fwrite(buf, 1, len, f);
	fclose(f);
}

/* A file that is not a recording: $dir/garbage.cvz */
static void write_garbage(void)
{
	const char *garbage = "#!/bin/sh\necho this is not a recording at all\n";
	spit(path_in_dir("garbage.cvz"), garbage, strlen(garbage));
}

/* ---- expected items ----------------------------------------------------- */

struct exp_item {
	enum cv_rec_kind kind;
	struct cv_event ev;
	uint64_t start_ts;
	int exit_status;
	uint32_t pid;
	uint64_t addr;
	uint64_t key[3];            /* LOCK_SHARED: dev, ino, off */
	char name[64];
};

static bool item_eq(const struct exp_item *e, const struct cv_rec_item *it)
{
	if (e->kind != it->kind)
		return false;
	switch (e->kind) {
	case CV_REC_EVENT: return memcmp(&e->ev, &it->ev, sizeof(e->ev)) == 0;
	case CV_REC_START: return e->start_ts == it->start_ts;
	case CV_REC_TARGET_EXIT: return e->exit_status == it->exit_status;
	case CV_REC_LOCK_NAME:
		return e->pid == it->lock.pid && e->addr == it->lock.addr && !strcmp(e->name, it->lock.name);
	case CV_REC_LOCK_SHARED:
		return e->pid == it->shared.pid && e->addr == it->shared.addr &&
		       e->key[0] == it->shared.dev && e->key[1] == it->shared.ino &&
		       e->key[2] == it->shared.off;
	case CV_REC_TARGET:
		if (e->pid != it->target.pid)
			return false;
		if (!e->name[0])
			return it->target.command == NULL;
		return it->target.command && !strcmp(e->name + 1, it->target.command);
	default: return false;
	}
}

#define MAXEXP 20000
static struct exp_item exp_items[MAXEXP];
static size_t nexp;

/* Writes a recording of random records of every kind; returns its path. */
static const char *write_random(const char *name, size_t nrecords, int flush_every)
{
	const char *path = path_in_dir(name);
	char err[256];
	struct cv_rec_meta meta = { .target_pid = 4242, .command = "blocking --port 9000" };
	struct cv_rec_writer *w = cv_rec_create(path, true, &meta, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return path;
	uint64_t ts = 1000000000ull;
	nexp = 0;
	for (size_t i = 0; i < nrecords && nexp < MAXEXP; i++) {
		struct exp_item *e = &exp_items[nexp++];
		memset(e, 0, sizeof(*e));
		unsigned what = (unsigned)(rnd() % 20);
		if (what == 0) {
			e->kind = CV_REC_START;
			e->start_ts = ts + rnd() % 1000;
			CHECK_EQ(cv_rec_write_start(w, e->start_ts), 0);
		} else if (what == 1) {
			e->kind = CV_REC_LOCK_NAME;
			e->pid = (uint32_t)rval();
			e->addr = rval();
			snprintf(e->name, sizeof(e->name), "lock_%u", (unsigned)(rnd() % 1000));
			CHECK_EQ(cv_rec_write_lock_name(w, e->pid, e->addr, e->name), 0);
		} else if (what == 2) {
			e->kind = CV_REC_TARGET_EXIT;
			e->exit_status = (int)(uint32_t)rval();
			CHECK_EQ(cv_rec_write_target_exit(w, e->exit_status), 0);
		} else if (what == 3) {
			e->kind = CV_REC_TARGET;
			e->pid = (uint32_t)rval();
			if (rnd() % 2) /* name[0] != 0: a command follows in name + 1 */
				snprintf(e->name, sizeof(e->name), "+cmd %u \"x\"", (unsigned)(rnd() % 1000));
			CHECK_EQ(cv_rec_write_target(w, e->pid, e->name[0] ? e->name + 1 : NULL), 0);
		} else if (what == 4) {
			e->kind = CV_REC_LOCK_SHARED;
			e->pid = (uint32_t)rval();
			e->addr = rval();
			for (int k = 0; k < 3; k++)
				e->key[k] = rval();
			CHECK_EQ(cv_rec_write_lock_shared(w, e->pid, e->addr, e->key[0], e->key[1],
							  e->key[2]), 0);
		} else {
			e->kind = CV_REC_EVENT;
			uint16_t type = (uint16_t)(1 + rnd() % (CV_EV_TYPE_MAX - 1));
			if (rnd() % 50 == 0)
				type = (uint16_t)(rnd() % 3 == 0 ? 0 : CV_EV_TYPE_MAX + rnd() % 60000);
			random_event(&e->ev, type, &ts);
			CHECK_EQ(cv_rec_write_event(w, &e->ev), 0);
		}
		if (flush_every && (i + 1) % (size_t)flush_every == 0)
			CHECK_EQ(cv_rec_flush(w), 0);
	}
	CHECK_EQ(cv_rec_close(w), 0);
	return path;
}

/* Reads `path`/buffer and compares with exp_items.  Returns the stop kind:
 * 0 clean end, CV_REC_TRUNCATED or CV_REC_CORRUPT; *nok = items matched. */
static int read_compare(struct cv_rec_reader *r, size_t *nok, bool *wrong)
{
	static struct cv_rec_item it;
	size_t i = 0;
	*wrong = false;
	while (cv_rec_next(r, &it) == 1) {
		if (it.kind == CV_REC_TRUNCATED || it.kind == CV_REC_CORRUPT) {
			*nok = i;
			return it.kind;
		}
		if (i >= nexp || !item_eq(&exp_items[i], &it))
			*wrong = true;
		i++;
	}
	*nok = i;
	return 0;
}

/* Random records of every kind, written with periodic flushes, read back exactly. */
TEST(round_trip_every_record_kind)
{
	const char *path = write_random("rt.cvz", 12000, 997);
	char err[256] = "";
	struct cv_rec_reader *r = cv_rec_open(path, err, sizeof(err));
	CHECK(r != NULL);
	if (!r) {
		CHECK_NOTE("open: %s", err);
		return;
	}
	const struct cv_rec_header *h = cv_rec_header(r);
	CHECK_EQ(h->version, CV_REC_VERSION);
	CHECK_EQ(h->target_pid, 4242);
	CHECK_STR(h->command, "blocking --port 9000");
	CHECK_STR(h->concviz_version, CONCVIZ_VERSION); /* the one version string */
	CHECK(h->kernel[0] != 0);
	CHECK(h->clock_boot_ns > 0 && h->clock_real_ns > h->clock_boot_ns);
	size_t nok;
	bool wrong;
	int stopk = read_compare(r, &nok, &wrong);
	CHECK_EQ(stopk, 0);
	CHECK(!wrong);
	CHECK_EQ(nok, nexp);
	cv_rec_reader_close(r);

	/* every type appears */
	int seen[CV_EV_TYPE_MAX] = { 0 };
	for (size_t i = 0; i < nexp; i++)
		if (exp_items[i].kind == CV_REC_EVENT && exp_items[i].ev.type < CV_EV_TYPE_MAX)
			seen[exp_items[i].ev.type]++;
	for (int t = 1; t < CV_EV_TYPE_MAX; t++)
		CHECK(seen[t] > 100);
	int kinds[CV_REC_CORRUPT + 1] = { 0 };
	for (size_t i = 0; i < nexp; i++)
		kinds[exp_items[i].kind]++;
	CHECK(kinds[CV_REC_START] > 100 && kinds[CV_REC_LOCK_NAME] > 100 && kinds[CV_REC_TARGET] > 100 &&
	      kinds[CV_REC_TARGET_EXIT] > 100 && kinds[CV_REC_LOCK_SHARED] > 100);
}

/* The codec alone: fresh state each time, including all-ones events. */
TEST(codec_all_ones_events)
{
	static struct cv_rec_codec enc, dec;
	cv_rec_codec_init(&enc, CV_REC_VERSION);
	cv_rec_codec_init(&dec, CV_REC_VERSION);
	static uint8_t buf[CV_REC_MAX_RECORD];
	static struct cv_rec_item it;
	int bad = 0;
	for (int t = 0; t < CV_EV_TYPE_MAX + 2; t++) {
		struct cv_event ev;
		memset(&ev, 0xff, sizeof(ev));
		ev.type = (uint16_t)t;
		size_t n = cv_rec_encode_event(&enc, &ev, buf);
		const char *why;
		size_t m = cv_rec_decode_record(&dec, buf, n, &it, &why);
		if (m != n || it.kind != CV_REC_EVENT || memcmp(&it.ev, &ev, sizeof(ev)))
			bad++;
		if (n > CV_REC_MAX_RECORD)
			bad++;
	}
	CHECK_EQ(bad, 0);
}

TEST(crc32_check_value)
{
	CHECK_EQ(cv_rec_crc32(0, "123456789", 9), 0xcbf43926u); /* the CRC-32 check value */
}

/* A trace dominated by context switches and wakeups, like real ones. */
TEST(bytes_per_event)
{
	const char *path = path_in_dir("size.cvz");
	char err[256];
	struct cv_rec_meta meta = { .target_pid = 31337, .command = "mutex" };
	struct cv_rec_writer *w = cv_rec_create(path, false, &meta, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return;
	uint64_t ts = 123456789012345ull;
	const uint32_t pid = 31337;
	uint32_t kworker = 2871;
	size_t nev = 0, nswitch = 0;
	uint64_t before = cv_rec_bytes(w);
	for (int i = 0; i < 200000; i++) {
		struct cv_event ev = { 0 };
		ts += 500 + rnd() % 40000;
		ev.ts = ts;
		uint32_t a = pid + (uint32_t)(rnd() % 6), b = pid + (uint32_t)(rnd() % 6);
		ev.cpu = (uint16_t)(rnd() % 2);
		unsigned r = (unsigned)(rnd() % 100);
		if (r < 60) {
			ev.type = CV_EV_SWITCH;
			ev.tid = a;
			ev.pid = pid;
			bool idle = rnd() % 3 == 0, other = rnd() % 8 == 0;
			ev.sw.next_tid = idle ? 0 : other ? kworker : b;
			ev.sw.next_pid = idle ? 0 : other ? kworker : pid;
			ev.flags = CV_SW_PREV_TRACED | (idle || other ? 0 : CV_SW_NEXT_TRACED);
			if (rnd() % 4 == 0) {
				ev.flags |= CV_SW_PREEMPT;
			} else {
				ev.flags |= CV_SW_PREV_BLOCKED;
				ev.sw.prev_state = 1;
				ev.sw.block = (uint32_t)(rnd() % 5);
				if (ev.sw.block == CV_BLK_FUTEX) {
					ev.sw.obj = 0x55d1c0a4e040ull + (rnd() % 4) * 64;
					ev.sw.owner_tid = b;
				}
			}
			nswitch++;
		} else if (r < 90) {
			ev.type = CV_EV_WAKEUP;
			ev.tid = a;
			ev.pid = pid;
			ev.wake.waker_tid = rnd() % 4 ? b : 0;
			ev.wake.waker_pid = ev.wake.waker_tid ? pid : 0;
			ev.wake.target_cpu = (uint32_t)(rnd() % 2);
		} else if (r < 95) {
			ev.type = CV_EV_FUTEX;
			ev.tid = a;
			ev.pid = pid;
			ev.futex.enter_ts = ts - rnd() % 100000;
			ev.futex.addr = 0x55d1c0a4e040ull + (rnd() % 4) * 64;
			ev.futex.op = 9;
			ev.futex.sys = CV_SYS_FUTEX;
			ev.futex.owner_tid = b;
			ev.futex.waker_tid = b;
			ev.flags = CV_CALL_BLOCKED | CV_CALL_IS_MUTEX;
		} else {
			ev.type = CV_EV_RECV;
			ev.tid = a;
			ev.pid = pid;
			ev.recv.enter_ts = ts - rnd() % 1000000;
			ev.recv.copy_ts = ts - rnd() % 3000;
			ev.recv.ret = 1 + (int64_t)(rnd() % 4096);
			ev.recv.fd = 5;
			ev.recv.sys = CV_SYS_RECVFROM;
		}
		CHECK_EQ(cv_rec_write_event(w, &ev), 0);
		nev++;
		if (i % 2000 == 1999)
			cv_rec_flush(w);
	}
	CHECK_EQ(cv_rec_close(w), 0);
	struct stat st;
	stat(path, &st);
	double per = (double)((uint64_t)st.st_size - before) / (double)nev;
	fprintf(stderr, "size: %zu events (%zu switches), %lld bytes, %.2f bytes/event\n",
		nev, nswitch, (long long)st.st_size, per);
	CHECK(per <= 32.0);
	CHECK(per <= 10.0);   /* 8.6 at this writing (format v1: 13); guards against regressions */
}

/* A pure switch stream: ~7 bytes each (format v1: 10-14). */
TEST(switch_record_size)
{
	const uint32_t pid = 31337;
	static struct cv_rec_codec c;
	cv_rec_codec_init(&c, CV_REC_VERSION);
	uint8_t buf[CV_REC_MAX_RECORD];
	size_t total = 0;
	uint64_t t = 987654321000ull;
	for (int i = 0; i < 1000; i++) {
		struct cv_event ev = { .type = CV_EV_SWITCH, .tid = pid + (uint32_t)(i % 4), .pid = pid,
				       .cpu = (uint16_t)(i % 2) };
		t += 2000 + rnd() % 60000;
		ev.ts = t;
		ev.flags = CV_SW_PREV_TRACED | CV_SW_NEXT_TRACED | CV_SW_PREV_BLOCKED;
		ev.sw.next_tid = pid + (uint32_t)((i + 1) % 4);
		ev.sw.next_pid = pid;
		ev.sw.prev_state = 1;
		ev.sw.block = CV_BLK_RECV;
		total += cv_rec_encode_event(&c, &ev, buf);
	}
	fprintf(stderr, "size: switch record %.2f bytes\n", total / 1000.0);
	CHECK(total <= 8 * 1000);
}

/* Every prefix of a file: a clean end at block boundaries, else "truncated". */
TEST(truncation_at_every_offset)
{
	const char *path = write_random("small.cvz", 60, 17);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	CHECK(buf != NULL);
	if (!buf)
		return;
	char err[256];
	int opened = 0, clean = 0, truncated = 0, corrupt = 0, wrong = 0, header_err = 0;
	for (size_t cut = 0; cut < len; cut++) {
		struct cv_rec_reader *r = cv_rec_open_mem(buf, cut, "cut", err, sizeof(err));
		if (!r) {
			header_err++;
			if (!strstr(err, "empty") && !strstr(err, "truncated header"))
				wrong++;
			continue;
		}
		opened++;
		size_t nok;
		bool w;
		int k = read_compare(r, &nok, &w);
		if (w)
			wrong++;
		if (k == 0)
			clean++;
		else if (k == CV_REC_TRUNCATED)
			truncated++;
		else
			corrupt++;
		cv_rec_reader_close(r);
	}
	/* clean ends happen exactly at block boundaries: header end + 4 flushes */
	CHECK_EQ(wrong, 0);
	CHECK_EQ(corrupt, 0);
	CHECK(header_err > 40);
	CHECK_EQ(clean, 60 / 17 + 1);
	CHECK_EQ(opened, clean + truncated);

	/* same through a real file, and the loader's error names the offset */
	const char *tp = path_in_dir("trunc.cvz");
	spit(tp, buf, len - 3);
	struct cv_model *m = cv_model_new(NULL);
	uint64_t fb = 0;
	CHECK_EQ(cv_rec_load(tp, m, &fb, err, sizeof(err)), -1);
	CHECK(strstr(err, "truncated at offset") != NULL);
	CHECK(cv_model_events(m) > 0); /* the prefix was fed */
	cv_model_free(m);
	free(buf);
}

/* Every single-bit flip is detected, nothing wrong is read before it. */
TEST(bit_flips_detected)
{
	const char *path = write_random("flip.cvz", 40, 13);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	CHECK(buf != NULL);
	if (!buf)
		return;
	char err[256];
	int undetected = 0, wrong_before = 0, header_ok = 0;
	uint32_t hlen = buf[12] | buf[13] << 8;
	for (size_t bit = 0; bit < len * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		struct cv_rec_reader *r = cv_rec_open_mem(buf, len, "flip", err, sizeof(err));
		if (r) {
			if (bit / 8 < hlen)
				header_ok++;
			size_t nok;
			bool w;
			int k = read_compare(r, &nok, &w);
			if (k == 0)
				undetected++;
			if (w)
				wrong_before++;
			cv_rec_reader_close(r);
		}
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	CHECK_EQ(undetected, 0);
	CHECK_EQ(wrong_before, 0);
	CHECK_EQ(header_ok, 0);
	free(buf);
}

TEST(header_errors)
{
	char err[256];
	struct cv_rec_reader *r;

	r = cv_rec_open(path_in_dir("does-not-exist.cvz"), err, sizeof(err));
	CHECK(r == NULL);
	CHECK(strstr(err, "cannot open") != NULL);

	spit(path_in_dir("empty.cvz"), "", 0);
	r = cv_rec_open(path_in_dir("empty.cvz"), err, sizeof(err));
	CHECK(r == NULL);
	CHECK(strstr(err, "empty") != NULL);

	write_garbage();
	r = cv_rec_open(path_in_dir("garbage.cvz"), err, sizeof(err));
	CHECK(r == NULL);
	CHECK(strstr(err, "not a concviz recording") != NULL);

	r = cv_rec_open(dir, err, sizeof(err));
	CHECK(r == NULL);

	const char *path = write_random("hdr.cvz", 10, 0);
	size_t len;
	uint8_t *buf = slurp(path, &len);
	CHECK(buf != NULL);
	if (!buf)
		return;
	char newer[64];
	snprintf(newer, sizeof(newer), "recorded by a newer concviz (format v%d)", CV_REC_VERSION + 1);
	buf[8] = CV_REC_VERSION + 1;
	spit(path_in_dir("newer.cvz"), buf, len);
	r = cv_rec_open(path_in_dir("newer.cvz"), err, sizeof(err));
	CHECK(r == NULL);
	CHECK(strstr(err, newer) != NULL);
	buf[8] = CV_REC_VERSION;
	spit(path_in_dir("thdr.cvz"), buf, 30);
	r = cv_rec_open(path_in_dir("thdr.cvz"), err, sizeof(err));
	CHECK(r == NULL);
	CHECK(strstr(err, "truncated header") != NULL);
	buf[20] ^= 0x10;
	r = cv_rec_open_mem(buf, len, "x", err, sizeof(err));
	CHECK(r == NULL);
	CHECK(strstr(err, "corrupt header") != NULL);
	buf[20] ^= 0x10;
	r = cv_rec_open_mem(buf, len, "x", err, sizeof(err));
	CHECK(r != NULL);
	cv_rec_reader_close(r);
	free(buf);

	/* loader: open errors come through */
	struct cv_model *m = cv_model_new(NULL);
	CHECK_EQ(cv_rec_load(path_in_dir("garbage.cvz"), m, NULL, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a concviz recording") != NULL);
	cv_model_free(m);
}

TEST(force_overwrite)
{
	const char *path = path_in_dir("exists.cvz");
	char err[256] = "";
	spit(path, "precious", 8);
	struct cv_rec_meta meta = { .target_pid = 1, .command = NULL };
	struct cv_rec_writer *w = cv_rec_create(path, false, &meta, err, sizeof(err));
	CHECK(w == NULL);
	CHECK(strstr(err, "exists.cvz: file exists (use --force to overwrite)") != NULL);
	/* a directory is no file to overwrite, --force or not */
	const char *dir = path_in_dir("a-dir");
	CHECK(mkdir(dir, 0755) == 0);
	for (int force = 0; force < 2; force++) {
		CHECK(cv_rec_create(dir, force, &meta, err, sizeof(err)) == NULL);
		CHECK(strstr(err, "a-dir: it is a directory") != NULL);
	}
	size_t len;
	uint8_t *b = slurp(path, &len);
	CHECK(b && len == 8 && !memcmp(b, "precious", 8));
	free(b);

	w = cv_rec_create(path, true, &meta, err, sizeof(err));
	CHECK(w != NULL);
	struct cv_event ev = { .ts = 5, .tid = 7, .pid = 7, .type = CV_EV_END };
	CHECK_EQ(cv_rec_write_event(w, &ev), 0);
	CHECK_EQ(cv_rec_sync(w), 0);
	CHECK_STR(cv_rec_error(w), "");
	struct stat st;
	stat(path, &st);
	CHECK_EQ((uint64_t)st.st_size, cv_rec_bytes(w));
	CHECK_EQ(cv_rec_close(w), 0);
	struct cv_rec_reader *r = cv_rec_open(path, err, sizeof(err));
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(cv_rec_header(r)->command, "");
		static struct cv_rec_item it;
		CHECK_EQ(cv_rec_next(r, &it), 1);
		CHECK(it.kind == CV_REC_EVENT && !memcmp(&it.ev, &ev, sizeof(ev)));
		CHECK_EQ(cv_rec_next(r, &it), 0);
		cv_rec_reader_close(r);
	}
}

/* A full disk: the error names the cause. */
TEST(full_disk_error)
{
	char err[256] = "";
	struct cv_rec_meta meta = { .target_pid = 1, .command = NULL };
	struct cv_rec_writer *w;

	if (access("/dev/full", W_OK) == 0) {
		w = cv_rec_create("/dev/full", true, &meta, err, sizeof(err));
		CHECK(w == NULL);
		CHECK(strstr(err, "No space left on device") != NULL);
		/* a device written with --force is never removed nor re-owned */
		struct stat dst;
		CHECK(stat("/dev/full", &dst) == 0 && S_ISCHR(dst.st_mode) && dst.st_uid == 0);
	}
}

/* A recording to a new FIFO `name` in the test directory, with *rd its read
 * end (opened first, non-blocking, so the writer's open does not wait), and
 * alarm(20) armed: a test that hangs on the FIFO ends there.  NULL (checks
 * failed) if either cannot be had. */
static struct cv_rec_writer *fifo_recording(const char *name, int *rd)
{
	const char *path = path_in_dir(name);
	char err[256];
	struct cv_rec_meta meta = { .target_pid = 9, .command = name };
	struct cv_rec_writer *w;

	CHECK(mkfifo(path, 0600) == 0);
	*rd = open(path, O_RDONLY | O_NONBLOCK);
	CHECK(*rd >= 0);
	if (*rd < 0)
		return NULL;
	alarm(20);
	w = cv_rec_create(path, true, &meta, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		close(*rd);
	return w;
}

/* The recording's writes are not the caller's: a FIFO nobody reads (a disk
 * that does not keep up) holds up no flush until CV_REC_QUEUE_MAX bytes are
 * queued, and what the writer thread then writes is the whole recording. */
TEST(flush_does_not_wait_for_the_disk)
{
	const char *path = path_in_dir("stalled.fifo");
	char err[256];
	int rd;
	/* a synchronous flush would block on the full pipe: the alarm ends it */
	struct cv_rec_writer *w = fifo_recording("stalled.fifo", &rd);

	if (!w)
		return;
	const int n = 400000; /* ~4 MB: 60 times the pipe's 64 KiB */
	for (int i = 0; i < n; i++) {
		struct cv_event ev = { .ts = 1000 + (uint64_t)i * 700, .tid = 10 + i % 7, .pid = 10,
				       .type = CV_EV_WAKEUP };
		ev.wake.waker_tid = 10 + (i + 3) % 7;
		ev.wake.waker_pid = 10;
		CHECK_EQ(cv_rec_write_event(w, &ev), 0);
		if (i % 1000 == 999)
			CHECK_EQ(cv_rec_flush(w), 0);
	}
	CHECK_EQ(cv_rec_flush(w), 0);
	uint64_t total = cv_rec_bytes(w);
	CHECK(total > (1u << 20));
	/* now the disk catches up: read it all */
	int fl = fcntl(rd, F_GETFL);
	fcntl(rd, F_SETFL, fl & ~O_NONBLOCK);
	uint8_t *buf = malloc(total);
	size_t got = 0;
	while (buf && got < total) {
		ssize_t k = read(rd, buf + got, total - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	CHECK_EQ(got, total);
	CHECK_EQ(cv_rec_close(w), 0);
	alarm(0);
	close(rd);
	struct cv_rec_reader *r = buf ? cv_rec_open_mem(buf, got, "stalled", err, sizeof(err)) : NULL;
	CHECK(r != NULL);
	struct cv_rec_item it;
	int events = 0, in_order = 1;
	uint64_t last = 0;
	while (r && cv_rec_next(r, &it) == 1) {
		if (it.kind != CV_REC_EVENT || it.ev.type != CV_EV_WAKEUP)
			continue;
		in_order &= it.ev.ts == 1000 + (uint64_t)events * 700 && it.ev.ts >= last;
		last = it.ev.ts;
		events++;
	}
	CHECK_EQ(events, n);
	CHECK(in_order); /* the blocks went out in the order they were flushed */
	cv_rec_reader_close(r);
	free(buf);
	unlink(path);
}

/* A write that fails after the start (the reader went away: EPIPE) fails
 * a later flush or the close with the error, once, and nothing hangs. */
TEST(late_write_error_reported)
{
	const char *path = path_in_dir("gone.fifo");
	int rd;
	struct cv_rec_writer *w = fifo_recording("gone.fifo", &rd);

	if (!w)
		return;
	close(rd); /* the disk is gone */
	/* the writer thread gets EPIPE (its SIGPIPE is blocked); this thread's
	 * flushes see the failure once the thread has written */
	int failed_at = -1;
	for (int i = 0; i < 200000 && failed_at < 0; i++) {
		struct cv_event ev = { .ts = 1000 + (uint64_t)i, .tid = 10, .pid = 10, .type = CV_EV_WAKEUP };
		if (cv_rec_write_event(w, &ev) != 0 || (i % 100 == 99 && cv_rec_flush(w) != 0))
			failed_at = i;
		if (i % 100 == 99)
			usleep(100);
	}
	CHECK(failed_at >= 0);
	CHECK(strstr(cv_rec_error(w), "Broken pipe") != NULL);
	CHECK(strstr(cv_rec_error(w), "gone.fifo") != NULL);
	CHECK_EQ(cv_rec_close(w), -1);
	alarm(0);
	unlink(path);
}

/* A write of the last block, the one before close, that fails (the file's
 * size limit: EFBIG, the writer thread's SIGXFSZ blocked) is reported by
 * cv_rec_sync with its error, as the session's finish reports it. */
TEST(last_block_error_reported_by_sync)
{
	const char *path = path_in_dir("limited.cvz");
	char err[256];
	struct cv_rec_meta meta = { .target_pid = 9, .command = NULL };
	struct rlimit old, lim;

	alarm(20);
	struct cv_rec_writer *w = cv_rec_create(path, false, &meta, err, sizeof(err));
	CHECK(w != NULL);
	if (!w || getrlimit(RLIMIT_FSIZE, &old) != 0)
		return;
	lim = old;
	lim.rlim_cur = cv_rec_bytes(w) + 100; /* the header and not one block */
	CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	for (int i = 0; i < 1000; i++) {
		struct cv_event ev = { .ts = 1000 + (uint64_t)i, .tid = 10, .pid = 10, .type = CV_EV_WAKEUP };
		CHECK_EQ(cv_rec_write_event(w, &ev), 0);
	}
	CHECK_EQ(cv_rec_flush(w), 0); /* queued: not written yet, no error yet */
	CHECK_EQ(cv_rec_sync(w), -1);
	CHECK(strstr(cv_rec_error(w), "cannot write recording") != NULL);
	CHECK(strstr(cv_rec_error(w), "File too large") != NULL);
	CHECK_EQ(cv_rec_close(w), -1);
	setrlimit(RLIMIT_FSIZE, &old);
	alarm(0);
	unlink(path);
}

/* cv_rec_load feeds a model: a tiny consistent trace. */
TEST(load_into_model)
{
	const char *path = path_in_dir("load.cvz");
	char err[256];
	struct cv_rec_meta meta = { .target_pid = 500, .command = "./srv -x" };
	struct cv_rec_writer *w = cv_rec_create(path, false, &meta, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return;
	uint64_t t0 = 1000000;
	cv_rec_write_start(w, t0);
	struct cv_event ev = { .ts = t0 + 10, .tid = 500, .pid = 500, .type = CV_EV_TASK };
	memcpy(ev.task.comm, "srv", 4);
	ev.flags = CV_TASK_PROCESS;
	cv_rec_write_event(w, &ev);
	cv_rec_write_lock_name(w, 500, 0x1000, "big_lock");
	struct cv_event rv = { .ts = t0 + 5000, .tid = 500, .pid = 500, .type = CV_EV_RECV };
	rv.recv.enter_ts = t0 + 100;
	rv.recv.copy_ts = t0 + 4000;
	rv.recv.ret = 10;
	rv.recv.sys = CV_SYS_RECVFROM;
	cv_rec_write_event(w, &rv);
	/* a multiplexer's ready descriptors (a generic record, type 15): fd 7
	 * described as a pipe, fds 7 and 9 ready, 2 more not listed */
	struct cv_event fd = { .ts = t0 + 5100, .tid = 500, .pid = 500, .type = CV_EV_FD };
	fd.fd.fd = 7;
	fd.fd.ino = 77;
	fd.fd.kind = CV_FD_PIPE;
	cv_rec_write_event(w, &fd);
	struct cv_event mr = { .ts = t0 + 5200, .tid = 500, .pid = 500, .type = CV_EV_MUX_READY,
			       .flags = CV_MUXR_EPOLL };
	mr.mux_ready.n = 2;
	mr.mux_ready.overflow = 2;
	mr.mux_ready.fd[0] = 7;
	mr.mux_ready.fd[1] = 9;
	uint64_t before_mr = cv_rec_bytes(w);
	cv_rec_write_event(w, &mr);
	/* tag, type, ts, pair, flags, mask, tail length and its 10 bytes */
	CHECK(cv_rec_bytes(w) - before_mr <= 20);
	/* one shared lock at different addresses in two processes */
	for (uint32_t k = 0; k < 2; k++) {
		struct cv_event fx = { .ts = t0 + 6000 + k, .tid = 500 + 2 * k, .pid = 500 + 2 * k,
				       .type = CV_EV_FUTEX, .flags = CV_CALL_SHARED };
		fx.futex.enter_ts = t0 + 5500;
		fx.futex.addr = (k ? 0x7000 : 0x2000) + 4;
		fx.futex.obj_off = 4;
		fx.futex.kind = CV_LK_MUTEX;
		cv_rec_write_lock_shared(w, fx.pid, fx.futex.addr - 4, 8, 99, 64);
		cv_rec_write_event(w, &fx);
	}
	struct cv_event end = { .ts = t0 + 10000, .type = CV_EV_END };
	cv_rec_write_event(w, &end);
	cv_rec_write_target(w, 501, NULL); /* pid known late; command from the header */
	cv_rec_write_target_exit(w, 3);
	CHECK_EQ(cv_rec_close(w), 0);

	struct cv_model *m = cv_model_new(NULL);
	uint64_t fb = 0;
	CHECK_EQ(cv_rec_load(path, m, &fb, err, sizeof(err)), 0);
	struct stat st;
	stat(path, &st);
	CHECK_EQ(fb, (uint64_t)st.st_size);
	CHECK_EQ(cv_model_target_pid(m), 501);
	CHECK_STR(cv_model_target_command(m), "./srv -x");
	int code = -1;
	CHECK(cv_model_target_exited(m, &code));
	CHECK_EQ(code, 3);
	CHECK_EQ(cv_model_start(m), t0);
	const struct cv_thread *t = cv_model_find_thread(m, 500);
	CHECK(t != NULL);
	if (t) {
		CHECK_EQ(t->recv.calls, 1);
		CHECK_EQ(t->mux.ready_unlisted, 2);
		CHECK_EQ(cv_model_thread_fd_count(m, t), 3);
		const struct cv_fd_stats *f = cv_model_thread_fd(m, t, 1);
		CHECK(f && f->fd == 7 && f->ino == 77 && f->mux_ready == 1 && f->mux_ready_epoll == 1);
		f = cv_model_thread_fd(m, t, 2);
		CHECK(f && f->fd == 9 && f->ino == 0 && f->mux_ready == 1);
	}
	const struct cv_lock *l = cv_model_find_lock(m, 500, 0x2000);
	CHECK(l != NULL && l == cv_model_find_lock(m, 502, 0x7000));
	if (l) {
		CHECK(l->shared);
		CHECK_EQ(l->waits, 2);
		CHECK_EQ(l->npids, 2);
		CHECK_EQ(l->kind, CV_LK_MUTEX);
	}
	cv_model_free(m);
}

/* ---- format v1 files and the v2 codec at scale ------------------------- */

/* CRC of one item's content in a fixed layout: what a reader delivers. */
static uint32_t item_crc(uint32_t crc, const struct cv_rec_item *it)
{
	uint8_t b[64 + 8 * 6];
	size_t n = 0;
#define PUT(v) do { uint64_t v_ = (uint64_t)(v); memcpy(b + n, &v_, 8); n += 8; } while (0)
	PUT(it->kind);
	switch (it->kind) {
	case CV_REC_EVENT: memcpy(b + n, &it->ev, 64); n += 64; break;
	case CV_REC_START: PUT(it->start_ts); break;
	case CV_REC_TARGET_EXIT: PUT(it->exit_status); break;
	case CV_REC_LOCK_NAME: PUT(it->lock.pid); PUT(it->lock.addr); break;
	case CV_REC_LOCK_SHARED: PUT(it->shared.pid); PUT(it->shared.addr); PUT(it->shared.dev);
		PUT(it->shared.ino); PUT(it->shared.off); break;
	case CV_REC_TARGET: PUT(it->target.pid); PUT(it->target.command != NULL); break;
	case CV_REC_FD_DESC: PUT(it->fd.pid); PUT(it->fd.fd); PUT(it->fd.ino); PUT(it->fd.kind); break;
	default: break;
	}
#undef PUT
	crc = cv_rec_crc32(crc, b, n);
	const char *s = it->kind == CV_REC_LOCK_NAME ? it->lock.name : it->kind == CV_REC_FD_DESC ? it->fd.desc :
			it->kind == CV_REC_TARGET && it->target.command ? it->target.command : "";
	return cv_rec_crc32(crc, s, strlen(s) + 1);
}

/* Writes item it (as read from a recording) to w. */
static int write_item(struct cv_rec_writer *w, const struct cv_rec_item *it)
{
	switch (it->kind) {
	case CV_REC_EVENT: return cv_rec_write_event(w, &it->ev);
	case CV_REC_START: return cv_rec_write_start(w, it->start_ts);
	case CV_REC_TARGET_EXIT: return cv_rec_write_target_exit(w, it->exit_status);
	case CV_REC_LOCK_NAME: return cv_rec_write_lock_name(w, it->lock.pid, it->lock.addr, it->lock.name);
	case CV_REC_LOCK_SHARED:
		return cv_rec_write_lock_shared(w, it->shared.pid, it->shared.addr, it->shared.dev,
						it->shared.ino, it->shared.off);
	case CV_REC_TARGET: return cv_rec_write_target(w, it->target.pid, it->target.command);
	case CV_REC_FD_DESC:
		return cv_rec_write_fd_desc(w, it->fd.pid, it->fd.fd, it->fd.ino, it->fd.kind, it->fd.desc);
	default: return -1;
	}
}

/* path's items: their count, CRC and kinds; -1 if it did not read cleanly */
static long read_all(const char *path, uint16_t *version, uint32_t *crc, long kinds[CV_REC_CORRUPT + 1])
{
	static struct cv_rec_item it;
	char err[256];
	long n = 0;
	struct cv_rec_reader *r = cv_rec_open(path, err, sizeof(err));

	if (!r) {
		CHECK_NOTE("%s", err);
		return -1;
	}
	*version = cv_rec_header(r)->version;
	*crc = 0;
	while (cv_rec_next(r, &it) == 1) {
		kinds[it.kind]++;
		*crc = item_crc(*crc, &it);
		n++;
	}
	cv_rec_reader_close(r);
	return kinds[CV_REC_TRUNCATED] || kinds[CV_REC_CORRUPT] ? -1 : n;
}

/* The JSON report of a recording, malloc'ed. */
static char *report_of(const char *path)
{
	char err[256], *buf = NULL;
	size_t len = 0;
	struct cv_model *m = cv_model_new(NULL);
	FILE *f = open_memstream(&buf, &len);

	CHECK_EQ(cv_rec_load(path, m, NULL, err, sizeof(err)), 0);
	cv_report_json(f, m, NULL);
	fclose(f);
	cv_model_free(m);
	return buf;
}

/* tests/data/v1-mixed.cvz was recorded by concviz 8912656 (format v1): tour,
 * ipc, ipc_recv, mp_lock.py (a shared lock) and prodcons under one sh.  Its
 * items are what that concviz's reader delivered (count and CRC measured
 * with it); written again they make a v2 file that reads back the same and
 * reports the same. */
TEST(v1_recording_reads_as_recorded)
{
	char fixture[600], self[512];
	ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[k > 0 ? k : 0] = '\0';
	char *cut = strstr(self, "/build/tests/");
	if (cut)
		*cut = '\0';
	snprintf(fixture, sizeof(fixture), "%s/tests/data/v1-mixed.cvz", cut ? self : ".");

	long kinds[CV_REC_CORRUPT + 1] = { 0 }, kinds2[CV_REC_CORRUPT + 1] = { 0 };
	uint16_t version = 0, version2 = 0;
	uint32_t crc = 0, crc2 = 0;
	long n = read_all(fixture, &version, &crc, kinds);
	CHECK_EQ(version, 1);
	CHECK_EQ(n, 10854);
	CHECK_EQ(crc, 0x6595e2aeu);
	for (int kind = CV_REC_EVENT; kind <= CV_REC_FD_DESC; kind++)
		CHECK(kinds[kind] > 0);

	static struct cv_rec_item it;
	char err[256];
	const char *v2 = path_in_dir("from-v1.cvz");
	struct cv_rec_reader *r = cv_rec_open(fixture, err, sizeof(err));
	struct cv_rec_meta meta = { 0 };
	struct cv_rec_writer *w = NULL;
	if (r) {
		meta.target_pid = cv_rec_header(r)->target_pid;
		meta.command = cv_rec_header(r)->command;
		w = cv_rec_create(v2, true, &meta, err, sizeof(err));
	}
	CHECK(r && w);
	if (!r || !w)
		return;
	uint64_t blk = 0;
	while (cv_rec_next(r, &it) == 1) {
		if (it.offset != blk) /* the same blocks */
			CHECK_EQ(cv_rec_flush(w), 0);
		blk = it.offset;
		CHECK_EQ(write_item(w, &it), 0);
	}
	CHECK_EQ(cv_rec_close(w), 0);
	cv_rec_reader_close(r);
	CHECK_EQ(read_all(v2, &version2, &crc2, kinds2), n);
	CHECK_EQ(version2, CV_REC_VERSION);
	CHECK_EQ(crc2, crc);

	char *a = report_of(fixture), *b = report_of(v2);
	CHECK(a && b && strlen(a) > 10000);
	CHECK(a && b && !strcmp(a, b));
	free(a);
	free(b);
}

/* CV_EV_LOST.where travels in LOST's TAIL, so both versions carry it with
 * no format change: a LOST as concviz wrote it before it said where (v1
 * here, its payload the count alone) reads as where not said, and a v2 LOST
 * keeps its where. */
TEST(lost_where_old_and_new)
{
	static struct cv_rec_codec c;
	static struct cv_rec_item it;
	static uint8_t buf[CV_REC_MAX_RECORD];
	const char *why = "";
	/* tag 12, zigzag ts delta 1000, thread (0, 0) as a cache miss, cpu 0,
	 * flags 0, mask: the count, count 7 */
	static const uint8_t v1_lost[] = { 12, 0xd0, 0x0f, 16, 0, 0, 0, 1, 7 };

	cv_rec_codec_init(&c, 1);
	CHECK_EQ(cv_rec_decode_record(&c, v1_lost, sizeof(v1_lost), &it, &why), sizeof(v1_lost));
	CHECK_EQ(it.kind, CV_REC_EVENT);
	CHECK_EQ(it.ev.type, CV_EV_LOST);
	CHECK_EQ(it.ev.ts, 1000);
	CHECK_EQ(it.ev.lost.count, 7);
	CHECK_EQ(it.ev.lost.where, CV_LOST_UNKNOWN);
	struct cv_model *m = cv_model_new(NULL);
	CHECK(m != NULL);
	if (m) {
		cv_model_feed(m, &it.ev);
		CHECK_EQ(cv_model_dropped(m), 7);
		CHECK_EQ(cv_model_dropped_where(m, CV_LOST_UNKNOWN), 7);
		CHECK_EQ(cv_model_dropped_where(m, CV_LOST_RING), 0);
		cv_model_free(m);
	}

	for (uint32_t w = CV_LOST_RING; w < CV_LOST_WHERE_COUNT; w++) {
		static struct cv_rec_codec enc, dec;
		struct cv_event ev = { .ts = 5000, .type = CV_EV_LOST };

		ev.lost.count = 123456;
		ev.lost.where = w;
		cv_rec_codec_init(&enc, CV_REC_VERSION);
		cv_rec_codec_init(&dec, CV_REC_VERSION);
		size_t n = cv_rec_encode_event(&enc, &ev, buf);
		CHECK_EQ(cv_rec_decode_record(&dec, buf, n, &it, &why), n);
		CHECK_EQ(it.ev.lost.where, w);
		CHECK_EQ(it.ev.lost.count, 123456);
		CHECK(!memcmp(&it.ev, &ev, sizeof(ev)));
	}
}

/* Encode and decode a stream of events in one codec pair, checking each;
 * returns the bytes written.  resets: reset both every this many events. */
static size_t stream_round_trip(const struct cv_event *evs, size_t n, size_t resets, int *bad)
{
	static struct cv_rec_codec enc, dec;
	static uint8_t buf[CV_REC_MAX_RECORD];
	static struct cv_rec_item it;
	size_t total = 0;

	cv_rec_codec_init(&enc, CV_REC_VERSION);
	cv_rec_codec_init(&dec, CV_REC_VERSION);
	for (size_t i = 0; i < n; i++) {
		if (resets && i % resets == 0) {
			cv_rec_codec_reset(&enc);
			cv_rec_codec_reset(&dec);
		}
		const char *why = "";
		size_t k = cv_rec_encode_event(&enc, &evs[i], buf);
		size_t m = cv_rec_decode_record(&dec, buf, k, &it, &why);
		if (k > CV_REC_MAX_RECORD || m != k || it.kind != CV_REC_EVENT ||
		    memcmp(&it.ev, &evs[i], sizeof(it.ev))) {
			if (!*bad)
				CHECK_NOTE("event %zu (type %u): %zu bytes, decoded %zu (%s)", i,
					   evs[i].type, k, m, why);
			++*bad;
		}
		total += k;
	}
	return total;
}

#define NSTREAM 200000
static struct cv_event stream[NSTREAM];

/* 1,000 threads in 500 pairs on 2 CPUs, as bench/pingpong: switches between
 * them, wakeups of partners and futex waits, blocks of ~4,000 events.  Then
 * the same with 6,000 threads (more than a block numbers), CPUs past
 * CV_REC_CPUS (which share a slot) and random garbage in every field. */
TEST(codec_round_trip_thousands_of_threads)
{
	const uint32_t pid = 40000;
	uint32_t running[2] = { pid, pid };
	uint64_t ts = 5000000000ull;
	for (size_t i = 0; i < NSTREAM; i++) {
		struct cv_event *ev = &stream[i];
		uint16_t cpu = (uint16_t)(rnd() % 2);
		uint32_t a = pid + 1 + (uint32_t)(rnd() % 1000), partner = pid + 1 + ((a - pid - 1) ^ 1);
		unsigned r = (unsigned)(rnd() % 100);
		memset(ev, 0, sizeof(*ev));
		ev->ts = ts += 200 + rnd() % 2000;
		ev->cpu = cpu;
		ev->pid = pid;
		if (r < 47) {
			ev->type = CV_EV_SWITCH;
			ev->tid = running[cpu];
			ev->sw.next_tid = running[cpu] = a;
			ev->sw.next_pid = pid;
			ev->flags = CV_SW_PREV_TRACED | CV_SW_NEXT_TRACED | CV_SW_PREV_BLOCKED |
				    CV_SW_KCLOCK;
			ev->sw.prev_state = 0x2001;
			/* the kernel's run-queue delay: none (a skipped clock) or
			 * up to a few ms behind 999 others */
			if (rnd() % 4)
				ev->sw.next_run_delay = rnd() % 4000000;
			if (rnd() % 5 == 0) {
				ev->sw.block = CV_BLK_FUTEX;
				ev->sw.obj = 0x55d1c0a4e040ull + (a - pid) / 2 * 128;
				ev->sw.lock_kind = CV_LK_CONDVAR;
				ev->sw.obj_off = 40;
			}
		} else if (r < 90) {
			ev->type = CV_EV_WAKEUP;
			ev->tid = partner;
			ev->wake.waker_tid = running[cpu];
			ev->wake.waker_pid = pid;
			ev->wake.target_cpu = (uint32_t)(rnd() % 2);
		} else {
			ev->type = CV_EV_FUTEX;
			ev->tid = running[cpu];
			ev->futex.enter_ts = ts - rnd() % 1000000;
			ev->futex.addr = 0x55d1c0a4e040ull + (a - pid) / 2 * 128;
			ev->futex.kind = CV_LK_CONDVAR;
			ev->futex.obj_off = 40;
			ev->futex.sys = CV_SYS_FUTEX;
			ev->futex.waker_tid = partner;
			ev->flags = CV_CALL_BLOCKED;
		}
	}
	int bad = 0;
	size_t bytes = stream_round_trip(stream, NSTREAM, 4000, &bad);
	CHECK_EQ(bad, 0);
	fprintf(stderr, "size: 1,000 threads: %.2f bytes/event\n", (double)bytes / NSTREAM);
	/* 9.0 at this writing (7.5 before switches carried the kernel's
	 * run-queue delay); 14 in format v1 */
	CHECK(bytes <= 10 * (size_t)NSTREAM);

	/* 6,000 threads in one block, 300 CPUs, any field anything */
	for (size_t i = 0; i < NSTREAM; i++) {
		struct cv_event *ev = &stream[i];
		uint16_t type = (uint16_t)(rnd() % 20 ? 1 + rnd() % (CV_EV_TYPE_MAX - 1) : rnd() % 70000);
		random_event(ev, type, &ts);
		ev->tid = pid + (uint32_t)(rnd() % 6000);
		ev->pid = rnd() % 10 ? pid : (uint32_t)rnd();
		ev->cpu = (uint16_t)(rnd() % 8 ? rnd() % 300 : rnd());
		if (type == CV_EV_SWITCH && rnd() % 2) {
			ev->sw.next_tid = pid + (uint32_t)(rnd() % 6000);
			ev->sw.next_pid = pid;
		}
	}
	bad = 0;
	stream_round_trip(stream, NSTREAM, 0, &bad);
	CHECK_EQ(bad, 0);
	bad = 0;
	stream_round_trip(stream, NSTREAM, 777, &bad);
	CHECK_EQ(bad, 0);
}

/* The replay tests' recording (written once): 202 events, one per ms. */
static const char *replay_recording(void)
{
	static bool written;
	const char *path = path_in_dir("replay.cvz");
	char err[256];
	if (written)
		return path;
	written = true;
	struct cv_rec_meta meta = { .target_pid = 700, .command = "tour" };
	struct cv_rec_writer *w = cv_rec_create(path, false, &meta, err, sizeof(err));
	CHECK(w != NULL);
	if (!w)
		return path;
	const uint64_t t0 = 10000000000ull, ms = 1000000;
	cv_rec_write_start(w, t0);
	cv_rec_write_target(w, 701, "tour --fast");
	struct cv_event ev = { .ts = t0, .tid = 700, .pid = 700, .type = CV_EV_TASK };
	memcpy(ev.task.comm, "tour", 5);
	cv_rec_write_event(w, &ev);
	/* events at t0 + 1 ms … t0 + 200 ms, one per ms */
	for (int i = 1; i <= 200; i++) {
		struct cv_event s = { .ts = t0 + (uint64_t)i * ms, .tid = 700, .pid = 700, .type = CV_EV_WAKEUP };
		s.wake.target_cpu = 1;
		cv_rec_write_event(w, &s);
		if (i == 100)
			cv_rec_write_lock_name(w, 700, 0x4000, "m");
	}
	struct cv_event end = { .ts = t0 + 201 * ms, .type = CV_EV_END };
	cv_rec_write_event(w, &end);
	cv_rec_write_target_exit(w, 0);
	CHECK_EQ(cv_rec_close(w), 0);
	return path;
}

/* The replay source: pacing, pause, step, seek (backwards rebuilds), end. */
TEST(replay_controls)
{
	const char *path = replay_recording();
	char err[256];
	const uint64_t t0 = 10000000000ull, ms = 1000000;
	struct cv_replay *rp = cv_replay_open(path, err, sizeof(err));
	CHECK(rp != NULL);
	if (!rp)
		return;
	struct cv_source src;
	cv_replay_fill_source(rp, &src);
	CHECK(src.timeshift && src.timeshift->control && src.pump && src.model);
	CHECK(strstr(src.title, "replay.cvz") != NULL);
	CHECK(strstr(src.title, "pid 701  tour --fast") != NULL);
	CHECK(cv_replay_warning(rp) == NULL);
	CHECK_EQ(cv_replay_event_count(rp), 202);
	CHECK_EQ(src.timeshift->length_ns(src.ctx), 201 * ms);
	src.timeshift->control(src.ctx, CV_TS_PAUSE, 1);
	CHECK(src.timeshift->paused(src.ctx));
	CHECK_EQ(src.pump(src.ctx, 0), 0);
	CHECK(src.timeshift->position_ns(src.ctx) < ms); /* it was playing until paused */
	CHECK_EQ(cv_model_events(src.model(src.ctx)), 1);
	CHECK_EQ(cv_model_target_pid(src.model(src.ctx)), 701);
	CHECK_STR(cv_model_target_command(src.model(src.ctx)), "tour --fast");

	src.timeshift->control(src.ctx, CV_TS_SEEK, 100.5 * ms);
	CHECK_EQ(src.pump(src.ctx, 0), 0);
	CHECK_EQ(cv_model_events(src.model(src.ctx)), 101);
	CHECK_EQ(src.timeshift->position_ns(src.ctx), 100 * ms + ms / 2);
	struct cv_model *before = src.model(src.ctx);
	src.timeshift->control(src.ctx, CV_TS_SEEK, 50 * ms);   /* backwards: a fresh model */
	CHECK_EQ(src.pump(src.ctx, 0), 0);
	CHECK(src.model(src.ctx) != before);
	CHECK_EQ(cv_model_events(src.model(src.ctx)), 51);
	src.timeshift->control(src.ctx, CV_TS_STEP, 10 * ms);
	CHECK_EQ(cv_model_events(src.model(src.ctx)), 61);
	src.timeshift->control(src.ctx, CV_TS_STEP, -20 * (double)ms);
	CHECK_EQ(cv_model_events(src.model(src.ctx)), 41);
	CHECK(src.timeshift->paused(src.ctx));
	src.timeshift->control(src.ctx, CV_TS_SPEED, 100);
	CHECK(src.timeshift->speed(src.ctx) == 16.0);
	src.timeshift->control(src.ctx, CV_TS_SPEED, 0.01);
	CHECK(src.timeshift->speed(src.ctx) == 0.25);
	src.timeshift->control(src.ctx, CV_TS_SPEED, 16);

	/* paused: time does not move */
	usleep(20000);
	CHECK_EQ(src.pump(src.ctx, 5), 0);
	CHECK_EQ(src.timeshift->position_ns(src.ctx), 40 * ms);

	/* resume at 16x: 161 ms of trace left = ~10 ms of wall time */
	src.timeshift->control(src.ctx, CV_TS_PAUSE, 0);
	int rc = 0, pumps = 0;
	while (rc == 0 && pumps < 400) {
		rc = src.pump(src.ctx, 25);
		pumps++;
	}
	CHECK_EQ(rc, 1);
	CHECK(pumps > 1);
	CHECK_EQ(src.timeshift->position_ns(src.ctx), 201 * ms);
	CHECK_EQ(cv_model_events(src.model(src.ctx)), 201);
	CHECK(cv_model_end(src.model(src.ctx)) == t0 + 201 * ms);
	CHECK(cv_model_target_exited(src.model(src.ctx), NULL) || 1);
	CHECK_EQ(src.pump(src.ctx, 0), 1);  /* stays finished */
	src.timeshift->control(src.ctx, CV_TS_SEEK, 0);
	CHECK_EQ(src.pump(src.ctx, 0), 0);  /* … until a seek back */
	cv_replay_close(rp);
}

/* A truncated recording replays up to the cut, with a warning. */
TEST(replay_truncated_warns)
{
	const char *path = replay_recording();
	char err[256];
	struct cv_replay *rp;
	size_t len;
	uint8_t *buf = slurp(path, &len);
	if (buf) {
		spit(path_in_dir("replay-cut.cvz"), buf, len - 2);
		free(buf);
	}
	rp = cv_replay_open(path_in_dir("replay-cut.cvz"), err, sizeof(err));
	CHECK(rp != NULL);
	if (rp) {
		CHECK(cv_replay_warning(rp) && strstr(cv_replay_warning(rp), "truncated at offset"));
		cv_replay_close(rp);
	}
}

TEST(replay_garbage_fails)
{
	char err[256];
	struct cv_replay *rp;

	write_garbage();
	rp = cv_replay_open(path_in_dir("garbage.cvz"), err, sizeof(err));
	CHECK(rp == NULL);
	CHECK(strstr(err, "not a concviz recording") != NULL);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(round_trip_every_record_kind);
	RUN(codec_all_ones_events);
	RUN(crc32_check_value);
	RUN(bytes_per_event);
	RUN(switch_record_size);
	RUN(truncation_at_every_offset);
	RUN(bit_flips_detected);
	RUN(header_errors);
	RUN(force_overwrite);
	RUN(full_disk_error);
	RUN(flush_does_not_wait_for_the_disk);
	RUN(late_write_error_reported);
	RUN(last_block_error_reported_by_sync);
	RUN(load_into_model);
	RUN(replay_controls);
	RUN(replay_truncated_warns);
	RUN(replay_garbage_fails);
	RUN(v1_recording_reads_as_recorded);
	RUN(lost_where_old_and_new);
	RUN(codec_round_trip_thousands_of_threads);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return CHECK_DONE();
}
