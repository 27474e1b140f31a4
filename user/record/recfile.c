/* recfile.c — recording writer and reader (framing: header and blocks).
 * The record encoding is in recfile_codec.c, feeding a model in
 * recfile_load.c.  Layout: docs/recording-format.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/clock.h"
#include "common/outfile.h"
#include "common/varint.h"
#include "common/version.h"
#include "record/recfile.h"
#include "record/writeq.h"

#define HDR_FIXED   40          /* bytes before the strings */
#define BLOCK_HDR   12          /* payload length, record count, crc */
#define NSTRINGS    4

size_t cv_rec__encode_start(struct cv_rec_codec *c, uint64_t ts, uint8_t *out);
size_t cv_rec__encode_lock_name(uint32_t pid, uint64_t addr, const char *name, uint8_t *out);
size_t cv_rec__encode_fd_desc(uint32_t pid, uint32_t fd, uint64_t ino, uint32_t kind,
			      const char *desc, uint8_t *out);
size_t cv_rec__encode_target_exit(int status, uint8_t *out);
size_t cv_rec__encode_target(uint32_t pid, const char *command, uint8_t *out);
size_t cv_rec__encode_lock_shared(uint32_t pid, uint64_t addr, uint64_t dev, uint64_t ino,
				  uint64_t off, uint8_t *out);


/* ==== writer ============================================================= */

struct cv_rec_writer {
	int fd;
	char *path;
	uint8_t *buf;               /* BLOCK_HDR reserved, then the payload */
	size_t len, cap;            /* len includes BLOCK_HDR */
	uint32_t nrec;
	struct cv_rec_codec codec;
	uint64_t header_bytes;      /* written at create; the blocks go through q */
	struct cv_writeq *q;
	bool failed;
	char err[512];
};

static size_t put_str(uint8_t *p, const char *s)
{
	size_t n = s ? strnlen(s, CV_REC_MAX_STRING - 1) : 0;
	cv_put_le16(p, (uint16_t)n);
	memcpy(p + 2, s ? s : "", n);
	return n + 2;
}

struct cv_rec_writer *cv_rec_create(const char *path, bool force, const struct cv_rec_meta *meta,
				    char *err, size_t errlen)
{
	bool created;
	int fd = cv_outfile_create(path, force, "recording", &created, err, errlen);
	if (fd < 0)
		return NULL;

	struct cv_rec_writer *w = calloc(1, sizeof(*w));
	uint8_t *h = malloc(CV_REC_MAX_HEADER);
	if (w)
		w->path = strdup(path);
	if (!w || !h || !w->path) {
		cv_errorf(err, errlen, "cannot create recording %s: out of memory", path);
		goto fail;
	}
	w->fd = fd;
	w->cap = BLOCK_HDR + CV_REC_FLUSH_AT + CV_REC_MAX_RECORD;
	w->buf = malloc(w->cap);
	if (!w->buf) {
		cv_errorf(err, errlen, "cannot create recording %s: out of memory", path);
		goto fail;
	}
	w->len = BLOCK_HDR;
	cv_rec_codec_init(&w->codec, CV_REC_VERSION);

	/* clock base: boottime sampled around realtime */
	uint64_t b1 = cv_clock_ns(CLOCK_BOOTTIME);
	uint64_t rt = cv_clock_ns(CLOCK_REALTIME);
	uint64_t b2 = cv_clock_ns(CLOCK_BOOTTIME);
	struct utsname un;
	if (uname(&un) != 0)
		memset(&un, 0, sizeof(un));

	memcpy(h, CV_REC_MAGIC, 8);
	cv_put_le16(h + 8, CV_REC_VERSION);
	cv_put_le16(h + 10, 0);
	cv_put_le64(h + 16, b1 + (b2 - b1) / 2);
	cv_put_le64(h + 24, rt);
	cv_put_le32(h + 32, meta ? meta->target_pid : 0);
	cv_put_le32(h + 36, 0);
	size_t n = HDR_FIXED;
	n += put_str(h + n, un.nodename);
	n += put_str(h + n, un.release);
	n += put_str(h + n, CONCVIZ_VERSION);
	n += put_str(h + n, meta ? meta->command : NULL);
	n += 4;
	cv_put_le32(h + 12, (uint32_t)n);
	cv_put_le32(h + n - 4, cv_rec_crc32(0, h, n - 4));
	if (cv_write_all(fd, h, n) != 0) {
		cv_errorf(err, errlen, "cannot write recording %s: %s", path, strerror(errno));
		cv_outfile_discard(path, created);
		goto fail;
	}
	w->header_bytes = n;
	if (!(w->q = cv_writeq_start(fd, CV_REC_QUEUE_MAX))) {
		cv_errorf(err, errlen, "cannot start the writer of recording %s: %s", path,
			  strerror(errno));
		cv_outfile_discard(path, created);
		goto fail;
	}
	free(h);
	return w;
fail:
	close(fd);
	free(h);
	if (w) {
		free(w->buf);
		free(w->path);
		free(w);
	}
	return NULL;
}

static int wfail(struct cv_rec_writer *w, const char *what, int e)
{
	if (!w->failed)
		snprintf(w->err, sizeof(w->err), "%s %s: %s", what, w->path, strerror(e));
	w->failed = true;
	return -1;
}

int cv_rec_flush(struct cv_rec_writer *w)
{
	int e;

	if (!w)
		return -1;
	if (w->failed)
		return -1;
	if ((e = cv_writeq_error(w->q))) /* an earlier block's write */
		return wfail(w, "cannot write recording", e);
	if (w->nrec == 0)
		return 0;
	size_t payload = w->len - BLOCK_HDR;
	cv_put_le32(w->buf, (uint32_t)payload);
	cv_put_le32(w->buf + 4, w->nrec);
	uint32_t crc = cv_rec_crc32(0, w->buf, 8);
	crc = cv_rec_crc32(crc, w->buf + BLOCK_HDR, payload);
	cv_put_le32(w->buf + 8, crc);
	if (cv_writeq_push(w->q, w->buf, w->len) != 0)
		return wfail(w, "cannot write recording", cv_writeq_error(w->q));
	w->len = BLOCK_HDR;
	w->nrec = 0;
	cv_rec_codec_reset(&w->codec);
	return 0;
}

/* Room for one more record; flushes a full block first. */
static uint8_t *reserve(struct cv_rec_writer *w)
{
	if (!w || w->failed)
		return NULL;
	if (w->len - BLOCK_HDR >= CV_REC_FLUSH_AT && cv_rec_flush(w) != 0)
		return NULL;
	return w->buf + w->len;
}

static int commit(struct cv_rec_writer *w, size_t n)
{
	w->len += n;
	w->nrec++;
	return 0;
}

int cv_rec_write_event(struct cv_rec_writer *w, const struct cv_event *ev)
{
	uint8_t *p = reserve(w);
	if (!p)
		return -1;
	return commit(w, cv_rec_encode_event(&w->codec, ev, p));
}

int cv_rec_write_start(struct cv_rec_writer *w, uint64_t start_ts)
{
	uint8_t *p = reserve(w);
	if (!p)
		return -1;
	return commit(w, cv_rec__encode_start(&w->codec, start_ts, p));
}

int cv_rec_write_lock_name(struct cv_rec_writer *w, uint32_t pid, uint64_t addr, const char *name)
{
	uint8_t *p = reserve(w);
	if (!p)
		return -1;
	return commit(w, cv_rec__encode_lock_name(pid, addr, name, p));
}

int cv_rec_write_lock_shared(struct cv_rec_writer *w, uint32_t pid, uint64_t addr,
			     uint64_t dev, uint64_t ino, uint64_t off)
{
	uint8_t *p = reserve(w);
	if (!p)
		return -1;
	return commit(w, cv_rec__encode_lock_shared(pid, addr, dev, ino, off, p));
}

int cv_rec_write_fd_desc(struct cv_rec_writer *w, uint32_t pid, uint32_t fd, uint64_t ino,
			 uint32_t kind, const char *desc)
{
	uint8_t *p = reserve(w);
	if (!p)
		return -1;
	return commit(w, cv_rec__encode_fd_desc(pid, fd, ino, kind, desc, p));
}

int cv_rec_write_target_exit(struct cv_rec_writer *w, int exit_status)
{
	uint8_t *p = reserve(w);
	if (!p)
		return -1;
	return commit(w, cv_rec__encode_target_exit(exit_status, p));
}

int cv_rec_write_target(struct cv_rec_writer *w, uint32_t pid, const char *command)
{
	uint8_t *p = reserve(w);
	if (!p)
		return -1;
	return commit(w, cv_rec__encode_target(pid, command, p));
}

int cv_rec_sync(struct cv_rec_writer *w)
{
	if (cv_rec_flush(w) != 0)
		return -1;
	if (cv_writeq_sync(w->q) != 0)
		return wfail(w, "cannot write recording", cv_writeq_error(w->q));
	return 0;
}

void cv_rec_discard(struct cv_rec_writer *w)
{
	struct stat st;
	char *path;

	if (!w)
		return;
	/* only a regular file (created or truncated by this run) holds nothing
	 * but what this run wrote: a device, a FIFO is never removed */
	bool regular = fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode);
	path = w->path ? strdup(w->path) : NULL;
	cv_rec_close(w);
	if (regular && path)
		unlink(path);
	free(path);
}

int cv_rec_close(struct cv_rec_writer *w)
{
	if (!w)
		return 0;
	int rc = cv_rec_flush(w);
	if (cv_writeq_stop(w->q) != 0 && rc == 0)
		rc = wfail(w, "cannot write recording", errno);
	if (close(w->fd) != 0 && rc == 0)
		rc = wfail(w, "cannot close recording", errno);
	free(w->buf);
	free(w->path);
	free(w);
	return rc;
}

const char *cv_rec_error(struct cv_rec_writer *w)
{
	return w && w->failed ? w->err : "";
}

uint64_t cv_rec_bytes(struct cv_rec_writer *w)
{
	if (!w)
		return 0;
	return w->header_bytes + cv_writeq_pushed(w->q) + (w->nrec ? w->len : 0);
}

/* ==== reader ============================================================= */

struct cv_rec_reader {
	char *name;
	int fd;                     /* -1: memory */
	const uint8_t *mem;
	size_t memlen;
	uint64_t off;               /* next byte to read */
	struct cv_rec_header hdr;
	char *strings[NSTRINGS];

	uint8_t *blk;               /* file mode: block payload buffer … */
	size_t blkcap;              /* … grown to the largest block seen */
	const uint8_t *payload;     /* current block payload */
	size_t plen, ppos;
	uint32_t nrec, irec;
	uint64_t blk_off;
	struct cv_rec_codec codec;
	bool done;
	char msg[512];
};

/* Read up to n bytes at the current offset; returns bytes read or -1. */
static ssize_t rd(struct cv_rec_reader *r, uint8_t *dst, size_t n, const uint8_t **direct)
{
	if (r->fd < 0) {
		size_t avail = r->off < r->memlen ? r->memlen - (size_t)r->off : 0;
		if (n > avail)
			n = avail;
		*direct = r->mem + r->off;
		r->off += n;
		return (ssize_t)n;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(r->fd, dst + got, n - got);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	r->off += got;
	*direct = dst;
	return (ssize_t)got;
}

static struct cv_rec_reader *reader_fail(struct cv_rec_reader *r, uint8_t *h)
{
	free(h);
	cv_rec_reader_close(r);
	return NULL;
}

static struct cv_rec_reader *open_common(struct cv_rec_reader *r, char *err, size_t errlen)
{
	const char *nm = r->name;
	uint8_t *h = malloc(64);
	const uint8_t *p;
	if (!h) {
		cv_errorf(err, errlen, "%s: out of memory", nm);
		return reader_fail(r, h);
	}
	ssize_t got = rd(r, h, 16, &p);
	if (got < 0) {
		cv_errorf(err, errlen, "cannot read %s: %s", nm, strerror(errno));
		return reader_fail(r, h);
	}
	if (got == 0) {
		cv_errorf(err, errlen, "%s: empty file, not a concviz recording", nm);
		return reader_fail(r, h);
	}
	size_t cmp = (size_t)got < 8 ? (size_t)got : 8;
	if (memcmp(p, CV_REC_MAGIC, cmp) != 0) {
		cv_errorf(err, errlen, "%s: not a concviz recording (wrong magic)", nm);
		return reader_fail(r, h);
	}
	if (got < 16) {
		cv_errorf(err, errlen, "%s: truncated header (%zd bytes)", nm, got);
		return reader_fail(r, h);
	}
	if (p != h)
		memcpy(h, p, 16);
	uint16_t version = cv_get_le16(h + 8);
	if (version > CV_REC_VERSION) {
		cv_errorf(err, errlen, "%s: recorded by a newer concviz (format v%u); this concviz reads "
		       "format v%u, upgrade concviz", nm, version, CV_REC_VERSION);
		return reader_fail(r, h);
	}
	uint32_t hlen = cv_get_le32(h + 12);
	if (version == 0 || hlen < HDR_FIXED + 2 * NSTRINGS + 4 || hlen > CV_REC_MAX_HEADER) {
		cv_errorf(err, errlen, "%s: corrupt header (version %u, length %u)", nm, version, hlen);
		return reader_fail(r, h);
	}
	uint8_t *nh = realloc(h, hlen);
	if (!nh) {
		cv_errorf(err, errlen, "%s: out of memory", nm);
		return reader_fail(r, h);
	}
	h = nh;
	got = rd(r, h + 16, hlen - 16, &p);
	if (got < 0) {
		cv_errorf(err, errlen, "cannot read %s: %s", nm, strerror(errno));
		return reader_fail(r, h);
	}
	if ((size_t)got < hlen - 16) {
		cv_errorf(err, errlen, "%s: truncated header (%zd of %u bytes)", nm, got + 16, hlen);
		return reader_fail(r, h);
	}
	if (p != h + 16)
		memcpy(h + 16, p, hlen - 16);
	if (cv_get_le32(h + hlen - 4) != cv_rec_crc32(0, h, hlen - 4)) {
		cv_errorf(err, errlen, "%s: corrupt header (checksum mismatch)", nm);
		return reader_fail(r, h);
	}
	size_t pos = HDR_FIXED, end = hlen - 4;
	for (int i = 0; i < NSTRINGS; i++) {
		if (end - pos < 2) {
			cv_errorf(err, errlen, "%s: corrupt header (strings)", nm);
			return reader_fail(r, h);
		}
		size_t sl = cv_get_le16(h + pos);
		pos += 2;
		if (sl > end - pos || sl >= CV_REC_MAX_STRING) {
			cv_errorf(err, errlen, "%s: corrupt header (string length)", nm);
			return reader_fail(r, h);
		}
		r->strings[i] = malloc(sl + 1);
		if (!r->strings[i]) {
			cv_errorf(err, errlen, "%s: out of memory", nm);
			return reader_fail(r, h);
		}
		memcpy(r->strings[i], h + pos, sl);
		r->strings[i][sl] = 0;
		pos += sl;
	}
	r->hdr.version = version;
	cv_rec_codec_init(&r->codec, version);
	r->hdr.clock_boot_ns = cv_get_le64(h + 16);
	r->hdr.clock_real_ns = cv_get_le64(h + 24);
	r->hdr.target_pid = cv_get_le32(h + 32);
	r->hdr.hostname = r->strings[0];
	r->hdr.kernel = r->strings[1];
	r->hdr.concviz_version = r->strings[2];
	r->hdr.command = r->strings[3];
	r->hdr.header_bytes = hlen;
	free(h);
	return r;
}

struct cv_rec_reader *cv_rec_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cv_errorf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		cv_errorf(err, errlen, "cannot read %s: is a directory", path);
		close(fd);
		return NULL;
	}
	struct cv_rec_reader *r = calloc(1, sizeof(*r));
	if (!r || !(r->name = strdup(path))) {
		cv_errorf(err, errlen, "%s: out of memory", path);
		close(fd);
		if (r) {
			r->fd = -1;
			cv_rec_reader_close(r);
		}
		return NULL;
	}
	r->fd = fd;
	return open_common(r, err, errlen);
}

struct cv_rec_reader *cv_rec_open_mem(const void *buf, size_t len, const char *name,
				      char *err, size_t errlen)
{
	struct cv_rec_reader *r = calloc(1, sizeof(*r));
	if (!name)
		name = "recording";
	if (!r || !(r->name = strdup(name))) {
		cv_errorf(err, errlen, "%s: out of memory", name);
		free(r);
		return NULL;
	}
	r->fd = -1;
	r->mem = buf;
	r->memlen = len;
	return open_common(r, err, errlen);
}

const struct cv_rec_header *cv_rec_header(const struct cv_rec_reader *r)
{
	return &r->hdr;
}

uint64_t cv_rec_offset(const struct cv_rec_reader *r)
{
	return r->off;
}

static int stop(struct cv_rec_reader *r, struct cv_rec_item *it, enum cv_rec_kind kind, uint64_t off)
{
	r->done = true;
	it->kind = kind;
	it->offset = off;
	it->error = r->msg;
	return 1;
}

/* Load the next block; 1 ok, 0 clean end, -1 stop item filled. */
static int next_block(struct cv_rec_reader *r, struct cv_rec_item *it)
{
	uint8_t bh[BLOCK_HDR];
	const uint8_t *p;
	uint64_t off = r->off;
	ssize_t got = rd(r, bh, BLOCK_HDR, &p);
	if (got < 0) {
		snprintf(r->msg, sizeof(r->msg), "%s: read error at offset %llu: %s", r->name,
			 (unsigned long long)off, strerror(errno));
		return stop(r, it, CV_REC_CORRUPT, off), -1;
	}
	if (got == 0)
		return 0;
	if (got < BLOCK_HDR) {
		snprintf(r->msg, sizeof(r->msg), "%s: truncated at offset %llu (block header cut "
			 "short: %zd of %d bytes); the recording ends here", r->name,
			 (unsigned long long)off, got, BLOCK_HDR);
		return stop(r, it, CV_REC_TRUNCATED, off), -1;
	}
	if (p != bh)
		memcpy(bh, p, BLOCK_HDR);
	uint32_t plen = cv_get_le32(bh), nrec = cv_get_le32(bh + 4), crc = cv_get_le32(bh + 8);
	if (plen == 0 || plen > CV_REC_MAX_BLOCK || nrec == 0 || nrec > plen) {
		snprintf(r->msg, sizeof(r->msg), "%s: corrupt data at offset %llu (bad block header: "
			 "%u bytes, %u records)", r->name, (unsigned long long)off, plen, nrec);
		return stop(r, it, CV_REC_CORRUPT, off), -1;
	}
	if (r->fd >= 0 && plen > r->blkcap) {
		size_t cap = r->blkcap ? r->blkcap : 4096;
		while (cap < plen)
			cap *= 2;
		uint8_t *nb = realloc(r->blk, cap);
		if (!nb) {
			snprintf(r->msg, sizeof(r->msg), "%s: out of memory reading the block at offset %llu",
				 r->name, (unsigned long long)off);
			return stop(r, it, CV_REC_CORRUPT, off), -1;
		}
		r->blk = nb;
		r->blkcap = cap;
	}
	got = rd(r, r->blk, plen, &p);
	if (got < 0) {
		snprintf(r->msg, sizeof(r->msg), "%s: read error at offset %llu: %s", r->name,
			 (unsigned long long)off, strerror(errno));
		return stop(r, it, CV_REC_CORRUPT, off), -1;
	}
	if ((size_t)got < plen) {
		snprintf(r->msg, sizeof(r->msg), "%s: truncated at offset %llu (last block cut short: "
			 "%zd of %u bytes); the recording ends here", r->name, (unsigned long long)off,
			 got + BLOCK_HDR, plen + BLOCK_HDR);
		return stop(r, it, CV_REC_TRUNCATED, off), -1;
	}
	uint32_t c = cv_rec_crc32(0, bh, 8);
	c = cv_rec_crc32(c, p, plen);
	if (c != crc) {
		snprintf(r->msg, sizeof(r->msg), "%s: corrupt data at offset %llu (block checksum "
			 "mismatch)", r->name, (unsigned long long)off);
		return stop(r, it, CV_REC_CORRUPT, off), -1;
	}
	r->payload = p;
	r->plen = plen;
	r->ppos = 0;
	r->nrec = nrec;
	r->irec = 0;
	r->blk_off = off;
	cv_rec_codec_reset(&r->codec);
	return 1;
}

int cv_rec_next(struct cv_rec_reader *r, struct cv_rec_item *it)
{
	if (!r || r->done)
		return 0;
	it->error = NULL;
	if (r->irec >= r->nrec) {
		if (r->payload && r->ppos != r->plen) {
			snprintf(r->msg, sizeof(r->msg), "%s: corrupt data at offset %llu (%zu stray "
				 "bytes after the last record of a block)", r->name,
				 (unsigned long long)(r->blk_off + BLOCK_HDR + r->ppos), r->plen - r->ppos);
			return stop(r, it, CV_REC_CORRUPT, r->blk_off + BLOCK_HDR + r->ppos);
		}
		int b = next_block(r, it);
		if (b == 0) {
			r->done = true;
			return 0;
		}
		if (b < 0)
			return 1;
	}
	const char *why = "";
	size_t n = cv_rec_decode_record(&r->codec, r->payload + r->ppos, r->plen - r->ppos, it, &why);
	if (!n) {
		uint64_t off = r->blk_off + BLOCK_HDR + r->ppos;
		snprintf(r->msg, sizeof(r->msg), "%s: corrupt data at offset %llu (%s)", r->name,
			 (unsigned long long)off, why);
		return stop(r, it, CV_REC_CORRUPT, off);
	}
	it->offset = r->blk_off;
	r->ppos += n;
	r->irec++;
	return 1;
}

void cv_rec_reader_close(struct cv_rec_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	for (int i = 0; i < NSTRINGS; i++)
		free(r->strings[i]);
	free(r->blk);
	free(r->name);
	free(r);
}
