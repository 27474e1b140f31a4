/* fuzz_recfile.c — libFuzzer target over the recording reader.
 *
 * Properties checked on every input:
 *   - the reader never crashes, hangs or reads out of bounds (ASan/UBSan);
 *   - open failures and TRUNCATED/CORRUPT items carry a message, and nothing
 *     comes after TRUNCATED/CORRUPT;
 *   - every decoded event survives encode → decode unchanged (the codec is
 *     lossless on anything the decoder accepts);
 *   - the file reader (read(2), via a memfd) yields the same items as the
 *     memory reader.
 * Random bytes rarely pass the CRCs, so the input is also decoded directly as
 * a block payload, and wrapped in a valid header and block frame (correct
 * checksums) and read back: that reaches the record decoder on every run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "record/recfile.h"

static struct cv_rec_item it, it2, rt;

static int same_item(const struct cv_rec_item *a, const struct cv_rec_item *b)
{
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case CV_REC_EVENT: return !memcmp(&a->ev, &b->ev, sizeof(a->ev));
	case CV_REC_START: return a->start_ts == b->start_ts;
	case CV_REC_TARGET_EXIT: return a->exit_status == b->exit_status;
	case CV_REC_LOCK_NAME:
		return a->lock.pid == b->lock.pid && a->lock.addr == b->lock.addr &&
		       !strcmp(a->lock.name, b->lock.name);
	case CV_REC_TARGET:
		return a->target.pid == b->target.pid && !a->target.command == !b->target.command &&
		       (!a->target.command || !strcmp(a->target.command, b->target.command));
	default: return a->offset == b->offset;
	}
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Decode data as one block payload of a file of format version: records
 * until the first error; *used = the bytes they took.  Returns their count. */
static uint32_t decode_payload(const uint8_t *data, size_t size, uint16_t version, size_t *used)
{
	static struct cv_rec_codec dc, enc, dec;
	cv_rec_codec_init(&dc, version);
	cv_rec_codec_init(&enc, CV_REC_VERSION);
	cv_rec_codec_init(&dec, CV_REC_VERSION);
	static uint8_t buf[CV_REC_MAX_RECORD];
	size_t pos = 0;
	uint32_t nrec = 0;
	while (pos < size) {
		const char *why = NULL;
		size_t k = cv_rec_decode_record(&dc, data + pos, size - pos, &it, &why);
		if (!k) {
			if (!why)
				abort();
			break;
		}
		if (k > size - pos)
			abort();
		pos += k;
		nrec++;
		if (it.kind == CV_REC_EVENT) {
			size_t e = cv_rec_encode_event(&enc, &it.ev, buf);
			if (e > CV_REC_MAX_RECORD || cv_rec_decode_record(&dec, buf, e, &rt, &why) != e ||
			    memcmp(&rt.ev, &it.ev, sizeof(it.ev)))
				abort();
		}
	}
	*used = pos;
	return nrec;
}

/* Decode data as one block payload, of a v1 and of a current file. */
static void fuzz_payload(const uint8_t *data, size_t size)
{
	size_t pos;
	uint16_t version = size % 2 ? 1 : CV_REC_VERSION;
	decode_payload(data, size, size % 2 ? CV_REC_VERSION : 1, &pos);
	uint32_t nrec = decode_payload(data, size, version, &pos);

	/* the same bytes framed as a valid recording with one block */
	static uint8_t file[64 + 12 + 16384];
	if (size == 0 || size > 16384)
		return;
	memset(file, 0, 64);
	memcpy(file, CV_REC_MAGIC, 8);
	file[8] = (uint8_t)version;
	const uint32_t hlen = 40 + 4 * 2 + 4;
	put32(file + 12, hlen);
	put32(file + hlen - 4, cv_rec_crc32(0, file, hlen - 4));
	uint8_t *b = file + hlen;
	put32(b, (uint32_t)size);
	put32(b + 4, nrec ? nrec : 1);
	memcpy(b + 12, data, size);
	put32(b + 8, cv_rec_crc32(cv_rec_crc32(0, b, 8), data, size));
	char err[256];
	struct cv_rec_reader *r = cv_rec_open_mem(file, hlen + 12 + size, "framed", err, sizeof(err));
	if (!r)
		abort();
	uint32_t got = 0;
	int stopped = 0;
	while (cv_rec_next(r, &it) == 1) {
		if (it.kind == CV_REC_TRUNCATED)
			abort();
		if (it.kind == CV_REC_CORRUPT) {
			stopped = 1;
			continue;
		}
		got++;
	}
	/* all records decode iff the payload is exactly nrec records */
	if (pos == size && nrec && (got != nrec || stopped))
		abort();
	if (pos != size && !stopped)
		abort();
	cv_rec_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_payload(data, size);

	char err[512] = "", err2[512] = "";
	struct cv_rec_reader *r = cv_rec_open_mem(data, size, "fuzz", err, sizeof(err));

	/* the same bytes through the fd reader */
	struct cv_rec_reader *r2 = NULL;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd >= 0 && write(fd, data, size) == (ssize_t)size) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		r2 = cv_rec_open(path, err2, sizeof(err2));
	}
	if (fd >= 0 && (!r) != (!r2))
		abort();
	if (!r) {
		if (!err[0])
			abort();
		if (fd >= 0)
			close(fd);
		return 0;
	}
	const struct cv_rec_header *h = cv_rec_header(r);
	if (!h->hostname || !h->kernel || !h->concviz_version || !h->command)
		abort();

	static struct cv_rec_codec enc, dec;
	cv_rec_codec_init(&enc, CV_REC_VERSION);
	cv_rec_codec_init(&dec, CV_REC_VERSION);
	static uint8_t buf[CV_REC_MAX_RECORD];
	size_t n = 0;
	while (cv_rec_next(r, &it) == 1) {
		if (r2 && (cv_rec_next(r2, &it2) != 1 || !same_item(&it, &it2)))
			abort();
		if (++n > 10 * size + 10)
			abort(); /* more items than bytes: a loop */
		if (it.kind == CV_REC_TRUNCATED || it.kind == CV_REC_CORRUPT) {
			if (!it.error || !strstr(it.error, "offset"))
				abort();
			if (cv_rec_next(r, &it) != 0)
				abort();
			break;
		}
		if (it.kind == CV_REC_EVENT) {
			size_t k = cv_rec_encode_event(&enc, &it.ev, buf);
			const char *why = NULL;
			if (k > CV_REC_MAX_RECORD || cv_rec_decode_record(&dec, buf, k, &rt, &why) != k ||
			    rt.kind != CV_REC_EVENT || memcmp(&rt.ev, &it.ev, sizeof(it.ev)))
				abort();
		}
	}
	if (r2 && cv_rec_next(r2, &it2) != 0)
		abort();
	cv_rec_reader_close(r);
	cv_rec_reader_close(r2);
	if (fd >= 0)
		close(fd);
	return 0;
}
