/* recfile_codec.c — compact encoding of one record of a concviz recording.
 *
 * An event record is
 *     tag            1 byte: the event type (1..13), or 0x40 + varint type
 *     zigzag(ts - previous ts in the block)         varint
 *     (tid, pid)     through the block's move-to-front pair cache
 *     cpu, flags     varints
 *     mask           varint: bit i set = payload field i present (non-zero)
 *     fields         in schema order, each in its own compact encoding
 * Every byte of the 64-byte event survives (payload bytes no field of the
 * type covers go in a trailing "tail" field), so decode(encode(ev)) == ev.
 * See docs/recording-format.md.
 */
#include <stddef.h>
#include <string.h>
#include <zlib.h>

#include "record/recfile.h"
#include "common/varint.h"

/* The tags are the event ABI numbers of format v1: a change to the enum needs
 * a new format version (and a mapping), not silently different files. */
_Static_assert(CV_EV_SWITCH == 1 && CV_EV_WAKEUP == 2 && CV_EV_TASK == 3 && CV_EV_EXIT == 4 &&
	       CV_EV_COMM == 5 && CV_EV_RECV == 6 && CV_EV_MUX == 7 && CV_EV_FUTEX == 8 &&
	       CV_EV_URING_ENTER == 9 && CV_EV_URING_SUBMIT == 10 && CV_EV_URING_COMPLETE == 11 &&
	       CV_EV_LOST == 12 && CV_EV_END == 13 && CV_EV_FD == 14 && CV_EV_MUX_READY == 15 &&
	       CV_EV_TYPE_MAX == 16,
	       "event type numbers changed: bump CV_REC_VERSION and map old tags");
/* Types past TAG_EV_MAX (CV_EV_FD, CV_EV_MUX_READY) go through the generic record: tag 0x40,
 * the type, the whole payload as TAIL; readers that predate them read them
 * as unknown events, which the model ignores. */

#define TAG_EV_MAX      13
#define TAG_EV_GENERIC  0x40
#define TAG_START       0x50
#define TAG_LOCK_NAME   0x51
#define TAG_TARGET_EXIT 0x52
#define TAG_TARGET      0x53
#define TAG_LOCK_SHARED 0x54
#define TAG_FD_DESC     0x55

enum fkind {
	F_END = 0,
	F_U32,      /* varint */
	F_S32,      /* zigzag varint */
	F_U64,      /* varint */
	F_S64,      /* zigzag varint */
	F_PAIR,     /* u32 tid + u32 pid at off, through the pair cache */
	F_TSREL,    /* u64 timestamp: zigzag(hdr.ts - v) */
	F_ADDR,     /* u64 address: zigzag(v - previous address in the block) */
	F_TIDREL,   /* u32 tid: zigzag(v - hdr.tid) */
	F_COMM,     /* 16 bytes: varint n (<= 16) + n bytes, rest zero */
	F_TAIL,     /* bytes off..63: varint n + n bytes, rest zero */
};

struct field {
	uint8_t kind;
	uint8_t off;
};

#define EVOFF(m) ((uint8_t)offsetof(struct cv_event, m))
#define TAIL(m) { F_TAIL, (uint8_t)(offsetof(struct cv_event, m) + sizeof(((struct cv_event *)0)->m)) }
#define MAXF 8

static const struct field schemas[TAG_EV_MAX + 1][MAXF] = {
	[CV_EV_SWITCH] = { { F_PAIR, EVOFF(sw.next_tid) }, { F_U32, EVOFF(sw.prev_state) },
		{ F_U32, EVOFF(sw.block) }, { F_ADDR, EVOFF(sw.obj) }, { F_TIDREL, EVOFF(sw.owner_tid) },
		{ F_U32, EVOFF(sw.lock_kind) }, TAIL(sw.obj_off) },
	[CV_EV_WAKEUP] = { { F_PAIR, EVOFF(wake.waker_tid) }, { F_U32, EVOFF(wake.target_cpu) },
		{ F_U32, EVOFF(wake.pad) }, TAIL(wake.pad) },
	[CV_EV_TASK] = { { F_PAIR, EVOFF(task.parent_tid) }, { F_COMM, EVOFF(task.comm) },
		{ F_U32, EVOFF(task.seed_block) }, { F_U32, EVOFF(task.seed_sys) },
		{ F_ADDR, EVOFF(task.seed_obj) }, TAIL(task.seed_obj) },
	[CV_EV_EXIT] = { { F_S32, EVOFF(exit.exit_code) }, { F_U32, EVOFF(exit.group_dead) },
		TAIL(exit.group_dead) },
	[CV_EV_COMM] = { { F_COMM, EVOFF(comm.comm) }, TAIL(comm.comm) },
	[CV_EV_RECV] = { { F_TSREL, EVOFF(recv.enter_ts) }, { F_TSREL, EVOFF(recv.copy_ts) },
		{ F_S64, EVOFF(recv.ret) }, { F_U32, EVOFF(recv.fd) }, { F_U32, EVOFF(recv.sys) },
		TAIL(recv.sys) },
	[CV_EV_MUX] = { { F_TSREL, EVOFF(mux.enter_ts) }, { F_S64, EVOFF(mux.ret) },
		{ F_U32, EVOFF(mux.sys) }, { F_U32, EVOFF(mux.nfds) }, { F_S64, EVOFF(mux.timeout_ms) },
		TAIL(mux.timeout_ms) },
	[CV_EV_FUTEX] = { { F_TSREL, EVOFF(futex.enter_ts) }, { F_ADDR, EVOFF(futex.addr) },
		{ F_S64, EVOFF(futex.ret) }, { F_U32, EVOFF(futex.op) } /* op, kind, obj_off */, { F_U32, EVOFF(futex.sys) },
		{ F_TIDREL, EVOFF(futex.owner_tid) }, { F_TIDREL, EVOFF(futex.waker_tid) },
		TAIL(futex.waker_tid) },
	[CV_EV_URING_ENTER] = { { F_TSREL, EVOFF(uenter.enter_ts) }, { F_S64, EVOFF(uenter.ret) },
		{ F_U32, EVOFF(uenter.to_submit) }, { F_U32, EVOFF(uenter.min_complete) },
		{ F_U32, EVOFF(uenter.enter_flags) }, { F_U32, EVOFF(uenter.pad) }, TAIL(uenter.pad) },
	[CV_EV_URING_SUBMIT] = { { F_U64, EVOFF(usubmit.user_data) }, { F_ADDR, EVOFF(usubmit.req) },
		{ F_U32, EVOFF(usubmit.opcode) }, { F_U32, EVOFF(usubmit.pad) }, TAIL(usubmit.pad) },
	[CV_EV_URING_COMPLETE] = { { F_U64, EVOFF(ucomplete.user_data) },
		{ F_TSREL, EVOFF(ucomplete.submit_ts) }, { F_S32, EVOFF(ucomplete.res) },
		{ F_U32, EVOFF(ucomplete.cflags) }, { F_U32, EVOFF(ucomplete.opcode) },
		{ F_TIDREL, EVOFF(ucomplete.done_tid) }, TAIL(ucomplete.done_tid) },
	[CV_EV_LOST] = { { F_U64, EVOFF(lost.count) }, TAIL(lost.count) },
	[CV_EV_END] = { { F_TAIL, EVOFF(raw) } },
};
static const struct field generic_schema[MAXF] = { { F_TAIL, EVOFF(raw) } };

static const struct field *schema_of(uint16_t type)
{
	if (type >= 1 && type <= TAG_EV_MAX)
		return schemas[type];
	return generic_schema;
}

void cv_rec_codec_reset(struct cv_rec_codec *c)
{
	memset(c, 0, sizeof(*c));
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

/* ---- the (tid, pid) move-to-front cache -------------------------------- */

static void mru_touch(struct cv_rec_codec *c, unsigned i, uint32_t tid, uint32_t pid)
{
	if (i >= CV_REC_MRU)
		i = CV_REC_MRU - 1;
	memmove(&c->mru_tid[1], &c->mru_tid[0], i * sizeof(c->mru_tid[0]));
	memmove(&c->mru_pid[1], &c->mru_pid[0], i * sizeof(c->mru_pid[0]));
	c->mru_tid[0] = tid;
	c->mru_pid[0] = pid;
}

static size_t put_pair(struct cv_rec_codec *c, uint8_t *p, uint32_t tid, uint32_t pid)
{
	for (unsigned i = 0; i < CV_REC_MRU; i++) {
		if (c->mru_tid[i] == tid && c->mru_pid[i] == pid) {
			p[0] = (uint8_t)i;
			mru_touch(c, i, tid, pid);
			return 1;
		}
	}
	size_t n = cv_put_uvarint(p, (uint64_t)tid + CV_REC_MRU);
	n += cv_put_uvarint(p + n, cv_zigzag((int64_t)pid - (int64_t)tid));
	mru_touch(c, CV_REC_MRU - 1, tid, pid);
	return n;
}

static size_t get_pair(struct cv_rec_codec *c, const uint8_t *p, size_t len, uint32_t *tid, uint32_t *pid)
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
	if (!n2)
		return 0;
	int64_t pv = (int64_t)v + cv_unzigzag(d);
	if (pv < 0 || pv > (int64_t)UINT32_MAX)
		return 0;
	*tid = (uint32_t)v;
	*pid = (uint32_t)pv;
	mru_touch(c, CV_REC_MRU - 1, *tid, *pid);
	return n + n2;
}

/* ---- encode -------------------------------------------------------------- */

size_t cv_rec_encode_event(struct cv_rec_codec *c, const struct cv_event *ev, uint8_t *out)
{
	const struct field *sch = schema_of(ev->type);
	size_t n = 0;

	if (ev->type >= 1 && ev->type <= TAG_EV_MAX) {
		out[n++] = (uint8_t)ev->type;
	} else {
		out[n++] = TAG_EV_GENERIC;
		n += cv_put_uvarint(out + n, ev->type);
	}
	n += cv_put_uvarint(out + n, cv_zigzag((int64_t)(ev->ts - c->last_ts)));
	c->last_ts = ev->ts;
	n += put_pair(c, out + n, ev->tid, ev->pid);
	n += cv_put_uvarint(out + n, ev->cpu);
	n += cv_put_uvarint(out + n, ev->flags);

	uint64_t mask = 0;
	for (unsigned i = 0; i < MAXF && sch[i].kind != F_END; i++) {
		if (nonzero(ev, sch[i].off, field_end(&sch[i])))
			mask |= 1u << i;
	}
	n += cv_put_uvarint(out + n, mask);

	for (unsigned i = 0; i < MAXF && sch[i].kind != F_END; i++) {
		const struct field *f = &sch[i];
		if (!(mask & (1u << i)))
			continue;
		switch (f->kind) {
		case F_U32:
			n += cv_put_uvarint(out + n, rd32(ev, f->off));
			break;
		case F_S32:
			n += cv_put_uvarint(out + n, cv_zigzag((int32_t)rd32(ev, f->off)));
			break;
		case F_U64:
			n += cv_put_uvarint(out + n, rd64(ev, f->off));
			break;
		case F_S64:
			n += cv_put_uvarint(out + n, cv_zigzag((int64_t)rd64(ev, f->off)));
			break;
		case F_PAIR:
			n += put_pair(c, out + n, rd32(ev, f->off), rd32(ev, f->off + 4u));
			break;
		case F_TSREL:
			n += cv_put_uvarint(out + n, cv_zigzag((int64_t)(ev->ts - rd64(ev, f->off))));
			break;
		case F_ADDR: {
			uint64_t a = rd64(ev, f->off);
			n += cv_put_uvarint(out + n, cv_zigzag((int64_t)(a - c->last_addr)));
			c->last_addr = a;
			break;
		}
		case F_TIDREL:
			n += cv_put_uvarint(out + n, cv_zigzag((int64_t)rd32(ev, f->off) - (int64_t)ev->tid));
			break;
		case F_COMM:
		case F_TAIL: {
			const uint8_t *p = (const uint8_t *)ev + f->off;
			unsigned len = field_end(f) - f->off;
			while (len && !p[len - 1])
				len--;
			n += cv_put_uvarint(out + n, len);
			memcpy(out + n, p, len);
			n += len;
			break;
		}
		}
	}
	return n;
}

/* ---- decode -------------------------------------------------------------- */

#define NEED(cond, msg) do { if (!(cond)) { *why = (msg); return 0; } } while (0)
#define VAR(v) do { size_t k_ = cv_get_uvarint(buf + n, len - n, &(v)); \
	NEED(k_, "bad varint"); n += k_; } while (0)

static size_t decode_event(struct cv_rec_codec *c, const uint8_t *buf, size_t len,
			   struct cv_rec_item *it, const char **why)
{
	struct cv_event *ev = &it->ev;
	uint64_t v, mask;
	size_t n = 1;
	uint16_t type = buf[0];

	memset(ev, 0, sizeof(*ev));
	if (type == TAG_EV_GENERIC) {
		VAR(v);
		NEED(v <= UINT16_MAX, "event type out of range");
		NEED(v < 1 || v > TAG_EV_MAX, "generic record with a known type");
		type = (uint16_t)v;
	}
	ev->type = type;
	VAR(v);
	ev->ts = c->last_ts + (uint64_t)cv_unzigzag(v);
	c->last_ts = ev->ts;
	size_t k = get_pair(c, buf + n, len - n, &ev->tid, &ev->pid);
	NEED(k, "bad tid/pid");
	n += k;
	VAR(v);
	NEED(v <= UINT16_MAX, "cpu out of range");
	ev->cpu = (uint16_t)v;
	VAR(v);
	NEED(v <= UINT32_MAX, "flags out of range");
	ev->flags = (uint32_t)v;
	VAR(mask);

	const struct field *sch = schema_of(type);
	unsigned nf = 0;
	while (nf < MAXF && sch[nf].kind != F_END)
		nf++;
	NEED(mask < (1ull << nf), "unknown field in mask");

	for (unsigned i = 0; i < nf; i++) {
		const struct field *f = &sch[i];
		if (!(mask & (1ull << i)))
			continue;
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
		case F_PAIR: {
			uint32_t t, p;
			k = get_pair(c, buf + n, len - n, &t, &p);
			NEED(k, "bad tid/pid pair");
			n += k;
			wr32(ev, f->off, t);
			wr32(ev, f->off + 4u, p);
			break;
		}
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
			VAR(v);
			int64_t t = (int64_t)ev->tid + cv_unzigzag(v);
			NEED(t >= 0 && t <= (int64_t)UINT32_MAX, "tid field out of range");
			wr32(ev, f->off, (uint32_t)t);
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
		}
	}
	it->kind = CV_REC_EVENT;
	return n;
}

size_t cv_rec_decode_record(struct cv_rec_codec *c, const uint8_t *buf, size_t len,
			    struct cv_rec_item *it, const char **why)
{
	uint64_t v, v2;
	size_t n = 1;

	*why = "empty record";
	if (!len)
		return 0;
	uint8_t tag = buf[0];
	if ((tag >= 1 && tag <= TAG_EV_MAX) || tag == TAG_EV_GENERIC)
		return decode_event(c, buf, len, it, why);

	switch (tag) {
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
	out[n++] = TAG_LOCK_SHARED;
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
	out[n++] = TAG_FD_DESC;
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
	out[n++] = TAG_TARGET;
	n += cv_put_uvarint(out + n, pid);
	n += cv_put_uvarint(out + n, command ? len + 1 : 0);
	if (command)
		memcpy(out + n, command, len);
	return n + len;
}

size_t cv_rec__encode_start(struct cv_rec_codec *c, uint64_t ts, uint8_t *out)
{
	size_t n = 0;
	out[n++] = TAG_START;
	n += cv_put_uvarint(out + n, cv_zigzag((int64_t)(ts - c->last_ts)));
	c->last_ts = ts;
	return n;
}

size_t cv_rec__encode_lock_name(uint32_t pid, uint64_t addr, const char *name, uint8_t *out)
{
	size_t n = 0, len = name ? strnlen(name, CV_REC_MAX_NAME) : 0;
	out[n++] = TAG_LOCK_NAME;
	n += cv_put_uvarint(out + n, pid);
	n += cv_put_uvarint(out + n, addr);
	n += cv_put_uvarint(out + n, len);
	memcpy(out + n, name ? name : "", len);
	return n + len;
}

size_t cv_rec__encode_target_exit(int status, uint8_t *out)
{
	size_t n = 0;
	out[n++] = TAG_TARGET_EXIT;
	n += cv_put_uvarint(out + n, cv_zigzag(status));
	return n;
}

/* CRC-32 (IEEE 802.3): zlib's own, which works on several bytes at a time
 * (a byte-wise table made this 15 % of reading a recording). */
uint32_t cv_rec_crc32(uint32_t crc, const void *buf, size_t len)
{
	return (uint32_t)crc32_z(crc, buf, len);
}
