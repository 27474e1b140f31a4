/* recfile_codec.c — compact encoding of one record of a concviz recording.
 *
 * Format v2 (written), an event record is
 *     tag            1 byte: the event type (1..15) in the low 4 bits, and how
 *                    the CPU, the thread and the flags/mask are given
 *     [cpu]          varint, when not one of the last two CPUs
 *     zigzag(ts - previous ts in the block)         varint
 *     [thread]       when not the one running on the CPU: its number in the
 *                    block, or written in full the first time
 *     [flags, mask]  varints, when not as in the previous event of the type
 *     fields         the mask's, in schema order, each in its own encoding
 * A mask bit is clear when its field is predicted: zero, or (fields marked
 * REPEATS) as in the previous event of the type in the block, or (a thread
 * pair) the thread running on the event's CPU.  Format v1 (read only): tag
 * = type, a 16-entry move-to-front cache of threads, cpu, flags and mask
 * always, mask bit = field non-zero.  Every byte of the 64-byte event
 * survives (payload bytes no field of the type covers go in a trailing
 * "tail" field), so decode(encode(ev)) == ev.  See docs/recording-format.md.
 */
#include <stddef.h>
#include <string.h>
#include <zlib.h>

#include "record/recfile.h"
#include "common/varint.h"

/* The tags are the event ABI numbers: a change to the enum needs a new
 * format version (and a mapping), not silently different files. */
_Static_assert(CV_EV_SWITCH == 1 && CV_EV_WAKEUP == 2 && CV_EV_TASK == 3 && CV_EV_EXIT == 4 &&
	       CV_EV_COMM == 5 && CV_EV_RECV == 6 && CV_EV_MUX == 7 && CV_EV_FUTEX == 8 &&
	       CV_EV_URING_ENTER == 9 && CV_EV_URING_SUBMIT == 10 && CV_EV_URING_COMPLETE == 11 &&
	       CV_EV_LOST == 12 && CV_EV_END == 13 && CV_EV_FD == 14 && CV_EV_MUX_READY == 15 &&
	       CV_EV_TYPE_MAX == 16,
	       "event type numbers changed: bump CV_REC_VERSION and map old tags");
_Static_assert(CV_REC_TYPES == 16, "v2 event tags hold the type in 4 bits");

/* v1: types 1..13 are their own tag; others (FD, MUX_READY, future ones) go
 * through the generic record: tag 0x40, the type, the whole payload as
 * TAIL; readers that predate a type read it as an unknown event, which the
 * model ignores. */
#define V1_EV_MAX      13
#define V1_EV_GENERIC  0x40

/* v2 tags: an event when the low 4 bits are not 0 (the type) … */
#define V2_TYPE        0x0f
#define V2_CPU_SHIFT   4        /* 2 bits: */
#define V2_CPU_SAME    0        /*   the previous event's CPU */
#define V2_CPU_OTHER   1        /*   the other of the last two */
#define V2_CPU_GIVEN   2        /*   a varint follows */
#define V2_ONCPU       0x40     /* the thread is the one running on the CPU */
#define V2_SHAPE       0x80     /* flags and mask as in the previous event of the type */
/* … else another record: tag_byte (events of types 0 and past 15: 0x70). */

enum rec_tag {                  /* the records that are not events */
	TAG_EV_GENERIC, TAG_START, TAG_LOCK_NAME, TAG_TARGET_EXIT, TAG_TARGET,
	TAG_LOCK_SHARED, TAG_FD_DESC, TAG_COUNT
};
static const uint8_t tag_byte[3][TAG_COUNT] = {
	[1] = { V1_EV_GENERIC, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55 },
	[2] = { 0x70, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60 },
};
_Static_assert(CV_REC_VERSION == 2, "tag_byte has a row per version");

static int tag_of(uint16_t version, uint8_t byte)
{
	for (int t = 0; t < TAG_COUNT; t++)
		if (tag_byte[version][t] == byte)
			return t;
	return -1;
}

enum fkind {
	F_END = 0,
	F_U32,      /* varint */
	F_S32,      /* zigzag varint */
	F_U64,      /* varint */
	F_S64,      /* zigzag varint */
	F_PAIR,     /* u32 tid + u32 pid at off: a thread reference */
	F_TSREL,    /* u64 timestamp: zigzag(hdr.ts - v) */
	F_ADDR,     /* u64 address: zigzag(v - previous address in the block) */
	F_TIDREL,   /* u32 tid: zigzag(v - hdr.tid) */
	F_COMM,     /* 16 bytes: varint n (<= 16) + n bytes, rest zero */
	F_TAIL,     /* bytes off..63: varint n + n bytes, rest zero */
};

struct field {
	uint8_t kind;
	uint8_t off;
	uint8_t repeats;    /* v2: predicted as in the previous event of the type, not zero
			     * (4- and 8-byte number kinds only) */
};

/* One table for both versions: the fields of a type, in mask-bit order.  A
 * field must not move or change kind while files that used it are read:
 * a new field is a new format version. */
#define EVOFF(m) ((uint8_t)offsetof(struct cv_event, m))
#define TAIL(m) { F_TAIL, (uint8_t)(offsetof(struct cv_event, m) + sizeof(((struct cv_event *)0)->m)), 0 }
#define REPEATS 1
#define MAXF 8

static const struct field schemas[CV_REC_TYPES][MAXF] = {
	[CV_EV_SWITCH] = { { F_PAIR, EVOFF(sw.next_tid), 0 }, { F_U32, EVOFF(sw.prev_state), REPEATS },
		{ F_U32, EVOFF(sw.block), 0 }, { F_ADDR, EVOFF(sw.obj), 0 },
		{ F_TIDREL, EVOFF(sw.owner_tid), 0 }, { F_U32, EVOFF(sw.lock_kind), 0 },
		TAIL(sw.obj_off) },
	[CV_EV_WAKEUP] = { { F_PAIR, EVOFF(wake.waker_tid), 0 }, { F_U32, EVOFF(wake.target_cpu), REPEATS },
		{ F_U32, EVOFF(wake.pad), 0 }, TAIL(wake.pad) },
	[CV_EV_TASK] = { { F_PAIR, EVOFF(task.parent_tid), 0 }, { F_COMM, EVOFF(task.comm), 0 },
		{ F_U32, EVOFF(task.seed_block), 0 }, { F_U32, EVOFF(task.seed_sys), 0 },
		{ F_ADDR, EVOFF(task.seed_obj), 0 }, TAIL(task.seed_obj) },
	[CV_EV_EXIT] = { { F_S32, EVOFF(exit.exit_code), 0 }, { F_U32, EVOFF(exit.group_dead), 0 },
		TAIL(exit.group_dead) },
	[CV_EV_COMM] = { { F_COMM, EVOFF(comm.comm), 0 }, TAIL(comm.comm) },
	[CV_EV_RECV] = { { F_TSREL, EVOFF(recv.enter_ts), 0 }, { F_TSREL, EVOFF(recv.copy_ts), 0 },
		{ F_S64, EVOFF(recv.ret), REPEATS }, { F_U32, EVOFF(recv.fd), REPEATS },
		{ F_U32, EVOFF(recv.sys), REPEATS }, TAIL(recv.sys) },
	[CV_EV_MUX] = { { F_TSREL, EVOFF(mux.enter_ts), 0 }, { F_S64, EVOFF(mux.ret), REPEATS },
		{ F_U32, EVOFF(mux.sys), REPEATS }, { F_U32, EVOFF(mux.nfds), REPEATS },
		{ F_S64, EVOFF(mux.timeout_ms), REPEATS }, TAIL(mux.timeout_ms) },
	[CV_EV_FUTEX] = { { F_TSREL, EVOFF(futex.enter_ts), 0 }, { F_ADDR, EVOFF(futex.addr), 0 },
		{ F_S64, EVOFF(futex.ret), 0 },
		{ F_U32, EVOFF(futex.op), REPEATS } /* op, kind, obj_off */,
		{ F_U32, EVOFF(futex.sys), REPEATS }, { F_TIDREL, EVOFF(futex.owner_tid), 0 },
		{ F_TIDREL, EVOFF(futex.waker_tid), 0 }, TAIL(futex.waker_tid) },
	[CV_EV_URING_ENTER] = { { F_TSREL, EVOFF(uenter.enter_ts), 0 }, { F_S64, EVOFF(uenter.ret), REPEATS },
		{ F_U32, EVOFF(uenter.to_submit), REPEATS }, { F_U32, EVOFF(uenter.min_complete), REPEATS },
		{ F_U32, EVOFF(uenter.enter_flags), REPEATS }, { F_U32, EVOFF(uenter.pad), 0 },
		TAIL(uenter.pad) },
	[CV_EV_URING_SUBMIT] = { { F_U64, EVOFF(usubmit.user_data), 0 }, { F_ADDR, EVOFF(usubmit.req), 0 },
		{ F_U32, EVOFF(usubmit.opcode), REPEATS }, { F_U32, EVOFF(usubmit.pad), 0 },
		TAIL(usubmit.pad) },
	[CV_EV_URING_COMPLETE] = { { F_U64, EVOFF(ucomplete.user_data), 0 },
		{ F_TSREL, EVOFF(ucomplete.submit_ts), 0 }, { F_S32, EVOFF(ucomplete.res), REPEATS },
		{ F_U32, EVOFF(ucomplete.cflags), REPEATS }, { F_U32, EVOFF(ucomplete.opcode), REPEATS },
		{ F_TIDREL, EVOFF(ucomplete.done_tid), 0 }, TAIL(ucomplete.done_tid) },
	[CV_EV_LOST] = { { F_U64, EVOFF(lost.count), 0 }, TAIL(lost.count) },
	[CV_EV_END] = { { F_TAIL, EVOFF(raw), 0 } },
	[CV_EV_FD] = { { F_TAIL, EVOFF(raw), 0 } },
	[CV_EV_MUX_READY] = { { F_TAIL, EVOFF(raw), 0 } },
};
static const struct field generic_schema[MAXF] = { { F_TAIL, EVOFF(raw), 0 } };

/* v1 gave types 1..13 their fields; FD and MUX_READY were generic (the
 * same single TAIL). */
static const struct field *schema_of(uint16_t type)
{
	if (type >= 1 && type < CV_REC_TYPES)
		return schemas[type];
	return generic_schema;
}

static unsigned nfields(const struct field *sch)
{
	unsigned n = 0;
	while (n < MAXF && sch[n].kind != F_END)
		n++;
	return n;
}

void cv_rec_codec_init(struct cv_rec_codec *c, uint16_t version)
{
	memset(c, 0, sizeof(*c));
	c->version = version;
	for (uint16_t t = 0; t < CV_REC_TYPES; t++) {
		const struct field *sch = schema_of(t);
		c->nfields[t] = (uint8_t)nfields(sch);
		for (unsigned i = 0; i < c->nfields[t]; i++)
			if (sch[i].kind == F_PAIR || sch[i].repeats)
				c->predicted[t] |= (uint8_t)(1u << i);
	}
	cv_rec_codec_reset(c);
}

void cv_rec_codec_reset(struct cv_rec_codec *c)
{
	c->last_ts = 0;
	c->last_addr = 0;
	memset(c->mru_tid, 0, sizeof(c->mru_tid));
	memset(c->mru_pid, 0, sizeof(c->mru_pid));
	c->cpu[0] = 0;
	c->cpu[1] = 1;
	c->lit = 0;
	c->nthreads = 0;
	memset(c->oncpu, 0, sizeof(c->oncpu));
	memset(c->last_flags, 0, sizeof(c->last_flags));
	memset(c->last_mask, 0, sizeof(c->last_mask));
	memset(c->last_field, 0, sizeof(c->last_field));
	if (++c->gen == 0) { /* wrapped: no stale stamp may match */
		memset(c->stamp, 0, sizeof(c->stamp));
		c->gen = 1;
	}
}

static uint32_t rd32(const struct cv_event *ev, unsigned off)
{
	uint32_t v;
	memcpy(&v, (const uint8_t *)ev + off, 4);
	return v;
}

static uint64_t rd64(const struct cv_event *ev, unsigned off)
{
	uint64_t v;
	memcpy(&v, (const uint8_t *)ev + off, 8);
	return v;
}

static void wr32(struct cv_event *ev, unsigned off, uint32_t v)
{
	memcpy((uint8_t *)ev + off, &v, 4);
}

static void wr64(struct cv_event *ev, unsigned off, uint64_t v)
{
	memcpy((uint8_t *)ev + off, &v, 8);
}

static unsigned field_end(const struct field *f)
{
	switch (f->kind) {
	case F_U32: case F_S32: case F_TIDREL: return f->off + 4u;
	case F_U64: case F_S64: case F_TSREL: case F_ADDR: case F_PAIR: return f->off + 8u;
	case F_COMM: return f->off + CV_COMM_LEN;
	default: return sizeof(struct cv_event);
	}
}

static bool nonzero(const struct cv_event *ev, unsigned from, unsigned to)
{
	const uint8_t *p = (const uint8_t *)ev;
	for (unsigned i = from; i < to; i++)
		if (p[i])
			return true;
	return false;
}

/* base + zigzag delta as a u32, false if out of range (no overflow on the way) */
static bool add_u32(uint32_t base, uint64_t zz, uint32_t *out)
{
	int64_t d = cv_unzigzag(zz);

	if (d < -(int64_t)UINT32_MAX || d > (int64_t)UINT32_MAX)
		return false;
	d += base;
	if (d < 0 || d > (int64_t)UINT32_MAX)
		return false;
	*out = (uint32_t)d;
	return true;
}

/* ---- v1: the (tid, pid) move-to-front cache ----------------------------- */

static void mru_touch(struct cv_rec_codec *c, unsigned i, uint32_t tid, uint32_t pid)
{
	if (i >= CV_REC_MRU)
		i = CV_REC_MRU - 1;
	memmove(&c->mru_tid[1], &c->mru_tid[0], i * sizeof(c->mru_tid[0]));
	memmove(&c->mru_pid[1], &c->mru_pid[0], i * sizeof(c->mru_pid[0]));
	c->mru_tid[0] = tid;
	c->mru_pid[0] = pid;
}

/* cache hit: the index; miss: varint (tid + 16), zigzag(pid - tid) */
static size_t get_pair_v1(struct cv_rec_codec *c, const uint8_t *p, size_t len,
			  uint32_t *tid, uint32_t *pid)
{
	uint64_t v, d;
	size_t n = cv_get_uvarint(p, len, &v);
	if (!n)
		return 0;
	if (v < CV_REC_MRU) {
		*tid = c->mru_tid[v];
		*pid = c->mru_pid[v];
		mru_touch(c, (unsigned)v, *tid, *pid);
		return n;
	}
	v -= CV_REC_MRU;
	if (v > UINT32_MAX)
		return 0;
	size_t n2 = cv_get_uvarint(p + n, len - n, &d);
	if (!n2 || !add_u32((uint32_t)v, d, pid))
		return 0;
	*tid = (uint32_t)v;
	mru_touch(c, CV_REC_MRU - 1, *tid, *pid);
	return n + n2;
}

/* ---- v2: threads by number ----------------------------------------------- */

/* A thread reference is a varint code:
 *   0       written in full, with the pid of the last thread written in full:
 *           zigzag(tid - that tid)
 *   1       written in full: zigzag(tid - last tid in full), zigzag(pid - tid)
 *   2 + k   the block's thread number k
 * A thread written in full gets the next number, while there are fewer than
 * CV_REC_THREADS. */
#define REF_SAME_PID 0
#define REF_PID      1
#define REF_NUMBER   2

#define THREAD_SLOTS (2 * CV_REC_THREADS)
_Static_assert(THREAD_SLOTS == 1 << 13, "thread_hash makes 13 bits");

static uint64_t thread_of(uint32_t tid, uint32_t pid)
{
	return tid | (uint64_t)pid << 32;
}

static uint32_t tid_of(uint64_t t) { return (uint32_t)t; }
static uint32_t pid_of(uint64_t t) { return (uint32_t)(t >> 32); }

static uint32_t thread_hash(uint64_t t)
{
	return (uint32_t)((t * 0x9e3779b97f4a7c15ull) >> 51);
}

/* Where t is in the encoder's table, or the free slot for it (the table is
 * at most half full). */
static uint32_t thread_slot(const struct cv_rec_codec *c, uint64_t t)
{
	uint32_t h = thread_hash(t);

	while (c->stamp[h] == c->gen && c->thread[c->number[h]] != t)
		h = (h + 1) & (THREAD_SLOTS - 1);
	return h;
}

static void number_thread(struct cv_rec_codec *c, uint64_t t)
{
	c->lit = t;
	if (c->nthreads < CV_REC_THREADS)
		c->thread[c->nthreads++] = t;
}

static size_t put_ref(struct cv_rec_codec *c, uint8_t *p, uint64_t t)
{
	uint32_t h = thread_slot(c, t);
	size_t n = 1;

	if (c->stamp[h] == c->gen)
		return cv_put_uvarint(p, REF_NUMBER + (uint64_t)c->number[h]);
	p[0] = pid_of(t) == pid_of(c->lit) ? REF_SAME_PID : REF_PID;
	n += cv_put_uvarint(p + n, cv_zigzag((int64_t)tid_of(t) - (int64_t)tid_of(c->lit)));
	if (p[0] == REF_PID)
		n += cv_put_uvarint(p + n, cv_zigzag((int64_t)pid_of(t) - (int64_t)tid_of(t)));
	if (c->nthreads < CV_REC_THREADS) {
		c->stamp[h] = c->gen;
		c->number[h] = (uint16_t)c->nthreads;
	}
	number_thread(c, t);
	return n;
}

static size_t get_ref(struct cv_rec_codec *c, const uint8_t *p, size_t len, uint64_t *t)
{
	uint64_t code, d;
	uint32_t tid, pid = pid_of(c->lit);
	size_t n, k;

	if (len && p[0] >= REF_NUMBER && p[0] < 0x80) { /* the common case */
		if ((uint32_t)(p[0] - REF_NUMBER) >= c->nthreads)
			return 0;
		*t = c->thread[p[0] - REF_NUMBER];
		return 1;
	}
	if (!(n = cv_get_uvarint(p, len, &code)))
		return 0;
	if (code >= REF_NUMBER) {
		if (code - REF_NUMBER >= c->nthreads)
			return 0;
		*t = c->thread[code - REF_NUMBER];
		return n;
	}
	if (!(k = cv_get_uvarint(p + n, len - n, &d)) || !add_u32(tid_of(c->lit), d, &tid))
		return 0;
	n += k;
	if (code == REF_PID) {
		if (!(k = cv_get_uvarint(p + n, len - n, &d)) || !add_u32(tid, d, &pid))
			return 0;
		n += k;
	}
	*t = thread_of(tid, pid);
	number_thread(c, *t);
	return n;
}

/* ---- fields ----------------------------------------------------------------- */

static uint64_t pair_at(const struct cv_event *ev, unsigned off)
{
	return rd64(ev, off); /* tid, then pid: little endian */
}

/* A REPEATS field's value (4 or 8 bytes). */
static uint64_t value_at(const struct cv_event *ev, const struct field *f)
{
	return field_end(f) - f->off == 4 ? rd32(ev, f->off) : rd64(ev, f->off);
}

static void set_value(struct cv_event *ev, const struct field *f, uint64_t v)
{
	if (field_end(f) - f->off == 4)
		wr32(ev, f->off, (uint32_t)v);
	else
		wr64(ev, f->off, v);
}

/* v2: does field f need writing, i.e. differ from its prediction? */
static bool differs(const struct cv_event *ev, uint64_t last, uint64_t running, const struct field *f)
{
	if (f->kind == F_PAIR)
		return pair_at(ev, f->off) != running;
	if (f->repeats)
		return value_at(ev, f) != last;
	return nonzero(ev, f->off, field_end(f));
}

/* A field's bytes, in the encoding of its kind (F_PAIR is the caller's). */
static size_t put_field(struct cv_rec_codec *c, const struct cv_event *ev, const struct field *f,
			uint8_t *out)
{
	switch (f->kind) {
	case F_U32:
		return cv_put_uvarint(out, rd32(ev, f->off));
	case F_S32:
		return cv_put_uvarint(out, cv_zigzag((int32_t)rd32(ev, f->off)));
	case F_U64:
		return cv_put_uvarint(out, rd64(ev, f->off));
	case F_S64:
		return cv_put_uvarint(out, cv_zigzag((int64_t)rd64(ev, f->off)));
	case F_TSREL:
		return cv_put_uvarint(out, cv_zigzag((int64_t)(ev->ts - rd64(ev, f->off))));
	case F_ADDR: {
		uint64_t a = rd64(ev, f->off);
		size_t n = cv_put_uvarint(out, cv_zigzag((int64_t)(a - c->last_addr)));
		c->last_addr = a;
		return n;
	}
	case F_TIDREL:
		return cv_put_uvarint(out, cv_zigzag((int64_t)rd32(ev, f->off) - (int64_t)ev->tid));
	case F_COMM:
	case F_TAIL: {
		const uint8_t *p = (const uint8_t *)ev + f->off;
		unsigned len = field_end(f) - f->off;
		while (len && !p[len - 1])
			len--;
		size_t n = cv_put_uvarint(out, len);
		memcpy(out + n, p, len);
		return n + len;
	}
	}
	return 0;
}

#define NEED(cond, msg) do { if (!(cond)) { *why = (msg); return 0; } } while (0)
#define VAR(v) do { if (n < len && buf[n] < 0x80) { (v) = buf[n++]; break; } \
	size_t k_ = cv_get_uvarint(buf + n, len - n, &(v)); \
	NEED(k_, "bad varint"); n += k_; } while (0)

/* The inverse of put_field into ev (header already decoded). */
static size_t get_field(struct cv_rec_codec *c, const uint8_t *buf, size_t len, const struct field *f,
			struct cv_event *ev, const char **why)
{
	uint64_t v;
	size_t n = 0;

	switch (f->kind) {
	case F_U32:
		VAR(v);
		NEED(v <= UINT32_MAX, "u32 field out of range");
		wr32(ev, f->off, (uint32_t)v);
		break;
	case F_S32: {
		VAR(v);
		int64_t s = cv_unzigzag(v);
		NEED(s >= INT32_MIN && s <= INT32_MAX, "s32 field out of range");
		wr32(ev, f->off, (uint32_t)(int32_t)s);
		break;
	}
	case F_U64:
		VAR(v);
		wr64(ev, f->off, v);
		break;
	case F_S64:
		VAR(v);
		wr64(ev, f->off, (uint64_t)cv_unzigzag(v));
		break;
	case F_TSREL:
		VAR(v);
		wr64(ev, f->off, ev->ts - (uint64_t)cv_unzigzag(v));
		break;
	case F_ADDR:
		VAR(v);
		c->last_addr += (uint64_t)cv_unzigzag(v);
		wr64(ev, f->off, c->last_addr);
		break;
	case F_TIDREL: {
		uint32_t t;
		VAR(v);
		NEED(add_u32(ev->tid, v, &t), "tid field out of range");
		wr32(ev, f->off, t);
		break;
	}
	case F_COMM:
	case F_TAIL:
		VAR(v);
		NEED(v <= field_end(f) - f->off, "byte field too long");
		NEED(v <= len - n, "byte field past the record");
		memcpy((uint8_t *)ev + f->off, buf + n, (size_t)v);
		n += (size_t)v;
		break;
	default:
		NEED(0, "bad schema");
	}
	return n;
}

/* ---- v2 events ------------------------------------------------------------ */

static unsigned cpu_code(struct cv_rec_codec *c, uint16_t cpu)
{
	if (cpu == c->cpu[0])
		return V2_CPU_SAME;
	if (cpu == c->cpu[1]) {
		c->cpu[1] = c->cpu[0];
		c->cpu[0] = cpu;
		return V2_CPU_OTHER;
	}
	c->cpu[1] = c->cpu[0];
	c->cpu[0] = cpu;
	return V2_CPU_GIVEN;
}

size_t cv_rec_encode_event(struct cv_rec_codec *c, const struct cv_event *ev, uint8_t *out)
{
	bool compact = ev->type >= 1 && ev->type < CV_REC_TYPES;
	unsigned type = compact ? ev->type : 0;
	const struct field *sch = schema_of(ev->type);
	unsigned nf = c->nfields[type];
	uint64_t *running = &c->oncpu[ev->cpu % CV_REC_CPUS], *last = c->last_field[type];
	uint64_t self = thread_of(ev->tid, ev->pid), ran = self;
	uint32_t mask = 0;
	size_t n = 0;

	for (unsigned i = 0; i < nf; i++)
		if (differs(ev, last[i], *running, &sch[i]))
			mask |= 1u << i;
	unsigned cc = cpu_code(c, ev->cpu);
	bool oncpu = compact && self == *running;
	bool shape = compact && ev->flags == c->last_flags[type] && mask == c->last_mask[type];
	if (compact) {
		out[n++] = (uint8_t)(type | cc << V2_CPU_SHIFT | (oncpu ? V2_ONCPU : 0) |
				     (shape ? V2_SHAPE : 0));
	} else {
		out[n++] = tag_byte[2][TAG_EV_GENERIC];
		n += cv_put_uvarint(out + n, ev->type);
		cc = V2_CPU_GIVEN;
	}
	if (cc == V2_CPU_GIVEN)
		n += cv_put_uvarint(out + n, ev->cpu);
	n += cv_put_uvarint(out + n, cv_zigzag((int64_t)(ev->ts - c->last_ts)));
	c->last_ts = ev->ts;
	if (!oncpu)
		n += put_ref(c, out + n, self);
	if (!shape) {
		n += cv_put_uvarint(out + n, ev->flags);
		n += cv_put_uvarint(out + n, mask);
	}
	for (unsigned i = 0; i < nf; i++) {
		const struct field *f = &sch[i];
		if (f->kind == F_PAIR)
			ran = pair_at(ev, f->off);
		else if (f->repeats)
			last[i] = value_at(ev, f);
		if (!(mask & (1u << i)))
			continue;
		n += f->kind == F_PAIR ? put_ref(c, out + n, ran) : put_field(c, ev, f, out + n);
	}
	if (compact) {
		*running = ran;
		c->last_flags[type] = ev->flags;
		c->last_mask[type] = mask;
	}
	return n;
}

static size_t decode_v2(struct cv_rec_codec *c, const uint8_t *buf, size_t len,
			struct cv_rec_item *it, const char **why)
{
	struct cv_event *ev = &it->ev;
	uint8_t tag = buf[0];
	uint16_t type = tag & V2_TYPE;
	bool compact = type != 0;
	unsigned cc = compact ? (tag >> V2_CPU_SHIFT) & 3u : V2_CPU_GIVEN;
	uint64_t v, mask;
	size_t n = 1, k;

	memset(ev, 0, sizeof(*ev));
	if (!compact) {
		VAR(v);
		NEED(v <= UINT16_MAX, "event type out of range");
		NEED(v == 0 || v >= CV_REC_TYPES, "generic record with a known type");
		ev->type = (uint16_t)v;
	} else {
		ev->type = type;
	}
	if (cc == V2_CPU_SAME) {
		ev->cpu = c->cpu[0];
	} else if (cc == V2_CPU_OTHER) {
		ev->cpu = c->cpu[1];
	} else {
		NEED(cc == V2_CPU_GIVEN, "bad cpu code");
		VAR(v);
		NEED(v <= UINT16_MAX, "cpu out of range");
		ev->cpu = (uint16_t)v;
	}
	cpu_code(c, ev->cpu);
	VAR(v);
	ev->ts = c->last_ts + (uint64_t)cv_unzigzag(v);
	c->last_ts = ev->ts;

	uint64_t *running = &c->oncpu[ev->cpu % CV_REC_CPUS], *last = c->last_field[type];
	uint64_t self = *running;
	if (!compact || !(tag & V2_ONCPU)) {
		NEED(k = get_ref(c, buf + n, len - n, &self), "bad thread");
		n += k;
	}
	ev->tid = tid_of(self);
	ev->pid = pid_of(self);
	if (compact && (tag & V2_SHAPE)) {
		ev->flags = c->last_flags[type];
		mask = c->last_mask[type];
	} else {
		VAR(v);
		NEED(v <= UINT32_MAX, "flags out of range");
		ev->flags = (uint32_t)v;
		VAR(mask);
	}

	const struct field *sch = schema_of(ev->type);
	NEED(mask < (1ull << c->nfields[type]), "unknown field in mask");
	uint64_t ran = self;
	for (uint32_t todo = (uint32_t)mask | c->predicted[type]; todo; todo &= todo - 1) {
		unsigned i = (unsigned)__builtin_ctz(todo);
		const struct field *f = &sch[i];
		bool present = mask & (1u << i);
		if (f->kind == F_PAIR) {
			ran = *running;
			if (present) {
				NEED(k = get_ref(c, buf + n, len - n, &ran), "bad thread pair");
				n += k;
			}
			wr64(ev, f->off, ran);
		} else if (present) {
			NEED(k = get_field(c, buf + n, len - n, f, ev, why), *why);
			n += k;
			if (f->repeats)
				last[i] = value_at(ev, f);
		} else {
			set_value(ev, f, last[i]);
		}
	}
	if (compact) {
		*running = ran;
		c->last_flags[type] = ev->flags;
		c->last_mask[type] = (uint32_t)mask;
	}
	it->kind = CV_REC_EVENT;
	return n;
}

/* ---- v1 events (read only) -------------------------------------------------- */

static size_t decode_v1(struct cv_rec_codec *c, const uint8_t *buf, size_t len,
			struct cv_rec_item *it, const char **why)
{
	struct cv_event *ev = &it->ev;
	uint32_t tid, pid;
	uint64_t v, mask;
	size_t n = 1, k;
	uint16_t type = buf[0];

	memset(ev, 0, sizeof(*ev));
	if (type == V1_EV_GENERIC) {
		VAR(v);
		NEED(v <= UINT16_MAX, "event type out of range");
		NEED(v < 1 || v > V1_EV_MAX, "generic record with a known type");
		type = (uint16_t)v;
	}
	ev->type = type;
	VAR(v);
	ev->ts = c->last_ts + (uint64_t)cv_unzigzag(v);
	c->last_ts = ev->ts;
	NEED(k = get_pair_v1(c, buf + n, len - n, &ev->tid, &ev->pid), "bad tid/pid");
	n += k;
	VAR(v);
	NEED(v <= UINT16_MAX, "cpu out of range");
	ev->cpu = (uint16_t)v;
	VAR(v);
	NEED(v <= UINT32_MAX, "flags out of range");
	ev->flags = (uint32_t)v;
	VAR(mask);

	const struct field *sch = schema_of(type);
	unsigned nf = nfields(sch);
	NEED(mask < (1ull << nf), "unknown field in mask");
	for (unsigned i = 0; i < nf; i++) {
		const struct field *f = &sch[i];
		if (!(mask & (1ull << i)))
			continue;
		if (f->kind == F_PAIR) {
			NEED(k = get_pair_v1(c, buf + n, len - n, &tid, &pid), "bad tid/pid pair");
			wr32(ev, f->off, tid);
			wr32(ev, f->off + 4u, pid);
		} else {
			NEED(k = get_field(c, buf + n, len - n, f, ev, why), *why);
		}
		n += k;
	}
	it->kind = CV_REC_EVENT;
	return n;
}

/* ---- every record -------------------------------------------------------- */

size_t cv_rec_decode_record(struct cv_rec_codec *c, const uint8_t *buf, size_t len,
			    struct cv_rec_item *it, const char **why)
{
	uint64_t v, v2;
	size_t n = 1;

	*why = "empty record";
	if (!len)
		return 0;
	uint8_t tag = buf[0];
	if (c->version >= 2 && (tag & V2_TYPE))
		return decode_v2(c, buf, len, it, why);
	if (c->version == 1 && tag >= 1 && tag <= V1_EV_MAX)
		return decode_v1(c, buf, len, it, why);

	switch (tag_of(c->version == 1 ? 1 : 2, tag)) {
	case TAG_EV_GENERIC:
		return c->version == 1 ? decode_v1(c, buf, len, it, why) : decode_v2(c, buf, len, it, why);
	case TAG_START:
		VAR(v);
		it->start_ts = c->last_ts + (uint64_t)cv_unzigzag(v);
		c->last_ts = it->start_ts;
		it->kind = CV_REC_START;
		return n;
	case TAG_LOCK_NAME:
		VAR(v);
		NEED(v <= UINT32_MAX, "lock pid out of range");
		VAR(v2);
		it->lock.pid = (uint32_t)v;
		it->lock.addr = v2;
		VAR(v);
		NEED(v <= CV_REC_MAX_NAME, "lock name too long");
		NEED(v <= len - n, "lock name past the record");
		memcpy(it->namebuf, buf + n, (size_t)v);
		it->namebuf[v] = 0;
		NEED(strlen(it->namebuf) == v, "NUL in lock name");
		n += (size_t)v;
		it->lock.name = it->namebuf;
		it->kind = CV_REC_LOCK_NAME;
		return n;
	case TAG_LOCK_SHARED:
		VAR(v);
		NEED(v <= UINT32_MAX, "lock pid out of range");
		it->shared.pid = (uint32_t)v;
		VAR(it->shared.addr);
		VAR(it->shared.dev);
		VAR(it->shared.ino);
		VAR(it->shared.off);
		it->kind = CV_REC_LOCK_SHARED;
		return n;
	case TAG_TARGET_EXIT: {
		VAR(v);
		int64_t s = cv_unzigzag(v);
		NEED(s >= INT32_MIN && s <= INT32_MAX, "exit status out of range");
		it->exit_status = (int)s;
		it->kind = CV_REC_TARGET_EXIT;
		return n;
	}
	case TAG_TARGET:
		VAR(v);
		NEED(v <= UINT32_MAX, "target pid out of range");
		it->target.pid = (uint32_t)v;
		VAR(v);
		it->target.command = NULL;
		if (v) {
			v--;
			NEED(v <= CV_REC_MAX_COMMAND, "command too long");
			NEED(v <= len - n, "command past the record");
			memcpy(it->namebuf, buf + n, (size_t)v);
			it->namebuf[v] = 0;
			NEED(strlen(it->namebuf) == v, "NUL in command");
			n += (size_t)v;
			it->target.command = it->namebuf;
		}
		it->kind = CV_REC_TARGET;
		return n;
	case TAG_FD_DESC:
		VAR(v);
		NEED(v <= UINT32_MAX, "fd pid out of range");
		it->fd.pid = (uint32_t)v;
		VAR(v);
		NEED(v <= UINT32_MAX, "fd out of range");
		it->fd.fd = (uint32_t)v;
		VAR(v);
		it->fd.ino = v;
		VAR(v);
		NEED(v <= UINT32_MAX, "fd kind out of range");
		it->fd.kind = (uint32_t)v;
		VAR(v);
		NEED(v <= CV_REC_MAX_NAME, "fd description too long");
		NEED(v <= len - n, "fd description past the record");
		memcpy(it->namebuf, buf + n, (size_t)v);
		it->namebuf[v] = 0;
		NEED(strlen(it->namebuf) == v, "NUL in fd description");
		n += (size_t)v;
		it->fd.desc = it->namebuf;
		it->kind = CV_REC_FD_DESC;
		return n;
	default:
		*why = "unknown record tag";
		return 0;
	}
}

/* Encoders for the non-event records (used by the writer). */
size_t cv_rec__encode_start(struct cv_rec_codec *c, uint64_t ts, uint8_t *out);
size_t cv_rec__encode_lock_name(uint32_t pid, uint64_t addr, const char *name, uint8_t *out);
size_t cv_rec__encode_target_exit(int status, uint8_t *out);
size_t cv_rec__encode_target(uint32_t pid, const char *command, uint8_t *out);
size_t cv_rec__encode_lock_shared(uint32_t pid, uint64_t addr, uint64_t dev, uint64_t ino,
				  uint64_t off, uint8_t *out);

size_t cv_rec__encode_lock_shared(uint32_t pid, uint64_t addr, uint64_t dev, uint64_t ino,
				  uint64_t off, uint8_t *out)
{
	size_t n = 0;
	out[n++] = tag_byte[CV_REC_VERSION][TAG_LOCK_SHARED];
	n += cv_put_uvarint(out + n, pid);
	n += cv_put_uvarint(out + n, addr);
	n += cv_put_uvarint(out + n, dev);
	n += cv_put_uvarint(out + n, ino);
	n += cv_put_uvarint(out + n, off);
	return n;
}

size_t cv_rec__encode_fd_desc(uint32_t pid, uint32_t fd, uint64_t ino, uint32_t kind,
			      const char *desc, uint8_t *out);

size_t cv_rec__encode_fd_desc(uint32_t pid, uint32_t fd, uint64_t ino, uint32_t kind,
			      const char *desc, uint8_t *out)
{
	size_t n = 0, len = desc ? strnlen(desc, CV_REC_MAX_NAME) : 0;
	out[n++] = tag_byte[CV_REC_VERSION][TAG_FD_DESC];
	n += cv_put_uvarint(out + n, pid);
	n += cv_put_uvarint(out + n, fd);
	n += cv_put_uvarint(out + n, ino);
	n += cv_put_uvarint(out + n, kind);
	n += cv_put_uvarint(out + n, len);
	memcpy(out + n, desc ? desc : "", len);
	return n + len;
}

size_t cv_rec__encode_target(uint32_t pid, const char *command, uint8_t *out)
{
	size_t n = 0, len = command ? strnlen(command, CV_REC_MAX_COMMAND) : 0;
	out[n++] = tag_byte[CV_REC_VERSION][TAG_TARGET];
	n += cv_put_uvarint(out + n, pid);
	n += cv_put_uvarint(out + n, command ? len + 1 : 0);
	if (command)
		memcpy(out + n, command, len);
	return n + len;
}

size_t cv_rec__encode_start(struct cv_rec_codec *c, uint64_t ts, uint8_t *out)
{
	size_t n = 0;
	out[n++] = tag_byte[CV_REC_VERSION][TAG_START];
	n += cv_put_uvarint(out + n, cv_zigzag((int64_t)(ts - c->last_ts)));
	c->last_ts = ts;
	return n;
}

size_t cv_rec__encode_lock_name(uint32_t pid, uint64_t addr, const char *name, uint8_t *out)
{
	size_t n = 0, len = name ? strnlen(name, CV_REC_MAX_NAME) : 0;
	out[n++] = tag_byte[CV_REC_VERSION][TAG_LOCK_NAME];
	n += cv_put_uvarint(out + n, pid);
	n += cv_put_uvarint(out + n, addr);
	n += cv_put_uvarint(out + n, len);
	memcpy(out + n, name ? name : "", len);
	return n + len;
}

size_t cv_rec__encode_target_exit(int status, uint8_t *out)
{
	size_t n = 0;
	out[n++] = tag_byte[CV_REC_VERSION][TAG_TARGET_EXIT];
	n += cv_put_uvarint(out + n, cv_zigzag(status));
	return n;
}

/* CRC-32 (IEEE 802.3): zlib's own, which works on several bytes at a time
 * (a byte-wise table made this 15 % of reading a recording). */
uint32_t cv_rec_crc32(uint32_t crc, const void *buf, size_t len)
{
	return (uint32_t)crc32_z(crc, buf, len);
}
