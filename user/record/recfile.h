/* recfile.h — the concviz recording file: writer, reader, loader.
 *
 * Format (docs/recording-format.md): a little-endian header (magic, format
 * version, clock base, host, kernel, concviz version, target pid/command,
 * CRC32), then blocks.  A block is a 12-byte frame (payload length, record
 * count, CRC32) around a payload of self-delimiting records: events encoded
 * compactly (a tag byte, a zigzag-varint delta timestamp, threads by their
 * number in the block or as the one running on the CPU, fields that are zero
 * or repeat the previous event's omitted), lock names, trace start and
 * target exit.  Each cv_rec_flush()/cv_rec_close() ends the buffered records
 * as one block, which a thread of the writer's own writes with write(2)
 * (writeq.h: the caller, concviz's consumer, never waits on the disk until
 * CV_REC_QUEUE_MAX bytes are queued).  A killed writer leaves a file
 * readable up to the last block written; at worst that block is cut short,
 * which the reader reports as "truncated" and stops cleanly.  Every block
 * decodes on its own.
 * A feed (cv_rec_feed_until) applies what a reader delivers to a model.
 *
 * The reader never trusts a length: every field is bounded, every block is
 * checksummed, and any input (empty, garbage, truncated, corrupt) gives an
 * error message, never a crash, hang or out-of-bounds read.
 */
#ifndef CONCVIZ_RECFILE_H
#define CONCVIZ_RECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/events.h"

#define CV_REC_MAGIC        "CVZREC\0\1"   /* 8 bytes */
#define CV_REC_VERSION      2              /* format version this code writes; it reads 1 too */
#define CV_REC_MAX_HEADER   65536u         /* header bytes, total */
#define CV_REC_MAX_STRING   16384u         /* one header string */
#define CV_REC_MAX_BLOCK    (1u << 20)     /* block payload bytes */
#define CV_REC_MAX_NAME     1024u          /* lock name bytes */
#define CV_REC_MAX_COMMAND  4096u          /* command bytes in a TARGET record */
#define CV_REC_FLUSH_AT     (64u << 10)    /* writer emits a block at this payload size */
#define CV_REC_QUEUE_MAX    (64u << 20)    /* blocks queued for the disk before a flush waits */

/* ---- writer ---------------------------------------------------------- */

struct cv_rec_writer;

struct cv_rec_meta {
	uint32_t target_pid;
	const char *command;        /* target command line, may be NULL */
	/* host, kernel release, concviz version, clock base: filled by the writer */
};

/* Creates path and writes the header.  Refuses an existing file unless force
 * (err: "PATH: file exists (use --force to overwrite)").  Under sudo (root
 * with SUDO_UID/SUDO_GID set) the file is given to the invoking user.
 * Returns NULL with a one-line message in err on failure. */
struct cv_rec_writer *cv_rec_create(const char *path, bool force, const struct cv_rec_meta *meta,
				    char *err, size_t errlen);
/* All of these return 0, or -1 once the writer failed (see cv_rec_error);
 * after a failure further records are dropped and -1 is returned again. */
int cv_rec_write_start(struct cv_rec_writer *w, uint64_t start_ts);
int cv_rec_write_event(struct cv_rec_writer *w, const struct cv_event *ev);
int cv_rec_write_lock_name(struct cv_rec_writer *w, uint32_t pid, uint64_t addr, const char *name);
int cv_rec_write_target_exit(struct cv_rec_writer *w, int exit_status);
/* The lock object at addr in pid is at byte off of the shared mapping
 * dev:ino (cv_model_set_lock_shared); written before the event that shows it. */
int cv_rec_write_lock_shared(struct cv_rec_writer *w, uint32_t pid, uint64_t addr,
			     uint64_t dev, uint64_t ino, uint64_t off);
/* A descriptor's description (struct cv_fd_desc); desc up to CV_REC_MAX_NAME bytes. */
int cv_rec_write_fd_desc(struct cv_rec_writer *w, uint32_t pid, uint32_t fd, uint64_t ino,
			 uint32_t kind, const char *desc);
/* The target, once known after cv_rec_create (run: the child's pid after
 * fork).  Readers apply it over the header's pid/command; command NULL keeps
 * the header's command. */
int cv_rec_write_target(struct cv_rec_writer *w, uint32_t pid, const char *command);
/* End the buffered records as one block and queue it for the disk; -1 also
 * once an earlier block's write failed. */
int cv_rec_flush(struct cv_rec_writer *w);
int cv_rec_sync(struct cv_rec_writer *w);    /* flush, and wait until all is written */
int cv_rec_close(struct cv_rec_writer *w);   /* flush + write all + close + free; NULL is a no-op */
/* Close and remove the recording: nothing was traced.  Only a regular file
 * is removed (a device or FIFO named by -o stays); NULL is a no-op. */
void cv_rec_discard(struct cv_rec_writer *w);
const char *cv_rec_error(struct cv_rec_writer *w); /* "" if no error */
uint64_t cv_rec_bytes(struct cv_rec_writer *w);    /* file size once all is written (+ buffered);
                                                    * after a failure, what was meant to be */

/* ---- reader ---------------------------------------------------------- */

struct cv_rec_header {
	uint16_t version;
	uint64_t clock_boot_ns;     /* CLOCK_BOOTTIME at open … */
	uint64_t clock_real_ns;     /* … and CLOCK_REALTIME at the same moment */
	uint32_t target_pid;
	const char *hostname;       /* never NULL; owned by the reader */
	const char *kernel;         /* uname release */
	const char *concviz_version;
	const char *command;
	uint32_t header_bytes;
};

enum cv_rec_kind {
	CV_REC_EVENT = 1,
	CV_REC_LOCK_NAME,
	CV_REC_START,
	CV_REC_TARGET_EXIT,
	CV_REC_TARGET,              /* target pid (+ command) known after the header */
	CV_REC_LOCK_SHARED,         /* a lock object in shared memory: its dev:ino:off */
	CV_REC_FD_DESC,             /* what a descriptor is */
	CV_REC_TRUNCATED,           /* the file ends inside a block: stop here */
	CV_REC_CORRUPT,             /* checksum or encoding error: stop here */
};

struct cv_rec_item {
	enum cv_rec_kind kind;
	uint64_t offset;            /* file offset of the record's block; for
				     * TRUNCATED/CORRUPT where the problem is */
	struct cv_event ev;         /* EVENT */
	uint64_t start_ts;          /* START */
	int exit_status;            /* TARGET_EXIT */
	struct {                    /* LOCK_NAME; name points into namebuf */
		uint32_t pid;
		uint64_t addr;
		const char *name;
	} lock;
	struct {                    /* LOCK_SHARED */
		uint32_t pid;
		uint64_t addr, dev, ino, off;
	} shared;
	struct {                    /* TARGET; command NULL = unchanged, else points into namebuf */
		uint32_t pid;
		const char *command;
	} target;
	struct {                    /* FD_DESC; desc points into namebuf */
		uint32_t pid, fd;
		uint64_t ino;
		uint32_t kind;          /* enum cv_fd_kind */
		const char *desc;
	} fd;
	const char *error;          /* TRUNCATED/CORRUPT: one line, mentions the offset;
				     * owned by the reader */
	char namebuf[CV_REC_MAX_COMMAND + 1];
};

struct cv_rec_reader;

/* Open a file / a memory buffer (not copied; must outlive the reader; `name`
 * is used in messages).  NULL with a one-line message in err on: cannot open,
 * empty, not a concviz recording, newer format, truncated or corrupt header. */
struct cv_rec_reader *cv_rec_open(const char *path, char *err, size_t errlen);
struct cv_rec_reader *cv_rec_open_mem(const void *buf, size_t len, const char *name,
				      char *err, size_t errlen);
const struct cv_rec_header *cv_rec_header(const struct cv_rec_reader *r);
/* 1: *it holds the next item (TRUNCATED/CORRUPT are items too, and the last);
 * 0: clean end of the recording. */
int cv_rec_next(struct cv_rec_reader *r, struct cv_rec_item *it);
uint64_t cv_rec_offset(const struct cv_rec_reader *r); /* bytes consumed so far */
void cv_rec_reader_close(struct cv_rec_reader *r);

/* ---- feeding a model ------------------------------------------------- */

/* The one path from a recording into a model, for report, replay and
 * export: the header's target first, then events, lock names, start, target
 * and target exit in file order, up to a time limit.  Set up with
 * cv_rec_feed_init(), then set on_event/ctx if wanted. */
struct cv_model;
struct cv_rec_feed {
	struct cv_rec_reader *r;    /* not owned */
	struct cv_model *m;         /* not owned */
	/* Optional: called once per event, after it is fed and the records that
	 * follow it up to the next event are applied (a recorder writes what an
	 * event taught it, a lock's name, right after that event), and before
	 * the next event is fed.  Returning false ends the feed there. */
	bool (*on_event)(void *ctx, const struct cv_event *ev);
	void *ctx;

	/* read-only for callers */
	bool pending;               /* item.ev is the next event, read but not yet due */
	bool done;                  /* nothing more to feed */
	char error[512];            /* why it ended early (truncated/corrupt), "" otherwise */
	struct cv_rec_item item;
	struct cv_event held;       /* fed, on_event not yet called (when has_held) */
	bool has_held;
};

/* Applies the header's target (pid, command) to m. */
void cv_rec_feed_init(struct cv_rec_feed *f, struct cv_rec_reader *r, struct cv_model *m);
/* Feed every record before the first event later than limit (UINT64_MAX:
 * to the end); returns the events fed.  The model's clock is not advanced
 * past the last event (that is cv_model_advance's). */
uint64_t cv_rec_feed_until(struct cv_rec_feed *f, uint64_t limit);

/* Feed a whole recording file into a model (cv_rec_feed_until to the end).
 * 0 ok; -1 with one line in err (open errors, or truncated/corrupt with the
 * offset; the model then holds everything before it).  file_bytes may be NULL. */
int cv_rec_load(const char *path, struct cv_model *m, uint64_t *file_bytes, char *err, size_t errlen);

/* ---- codec, exposed for tests and the fuzzer ------------------------- */

#define CV_REC_MRU 16           /* v1: the (tid, pid) move-to-front cache */
#define CV_REC_THREADS 4096     /* v2: threads a block numbers; more are written in full */
#define CV_REC_CPUS 256         /* v2: the thread running on each CPU (cpu % CV_REC_CPUS) */
#define CV_REC_TYPES 16         /* v2: the previous event of each type 1 .. 15 */
#define CV_REC_MAX_RECORD (32 + CV_REC_MAX_COMMAND) /* bound on one encoded record */

/* Per-block state (docs/recording-format.md), for the file's format
 * version: cv_rec_codec_init() once, cv_rec_codec_reset() at every block
 * start.  About 90 KiB.  v2 keeps a thread as one number, tid | pid << 32. */
struct cv_rec_codec {
	uint16_t version;
	uint64_t last_ts;
	uint64_t last_addr;
	uint32_t mru_tid[CV_REC_MRU], mru_pid[CV_REC_MRU];        /* v1 */
	/* v2 */
	uint16_t cpu[2];            /* the last two different CPUs, newest first */
	uint64_t lit;               /* the last thread written in full */
	uint32_t nthreads;          /* thread[0 .. nthreads): the block's numbered threads */
	uint64_t thread[CV_REC_THREADS];
	uint64_t oncpu[CV_REC_CPUS];
	/* the previous event of each type: its flags, mask and REPEATS fields */
	uint32_t last_flags[CV_REC_TYPES], last_mask[CV_REC_TYPES];
	uint64_t last_field[CV_REC_TYPES][8];
	/* per type (0: the generic schema): its fields, and those whose absence
	 * means "as predicted" rather than zero (pairs, REPEATS) */
	uint8_t nfields[CV_REC_TYPES];
	uint8_t predicted[CV_REC_TYPES];
	/* encoder: thread -> its number, open addressing; an entry is valid
	 * while its stamp is gen (a block reset is gen++) */
	uint32_t gen;
	uint32_t stamp[2 * CV_REC_THREADS];
	uint16_t number[2 * CV_REC_THREADS];
};
/* version: the file's (1 or CV_REC_VERSION); encoding writes CV_REC_VERSION only. */
void cv_rec_codec_init(struct cv_rec_codec *c, uint16_t version);
void cv_rec_codec_reset(struct cv_rec_codec *c);
/* Encode one event into out (at least CV_REC_MAX_RECORD bytes); returns its size. */
size_t cv_rec_encode_event(struct cv_rec_codec *c, const struct cv_event *ev, uint8_t *out);
/* Decode one record from buf[0..len): returns bytes used, 0 on malformed input
 * (why in *why). */
size_t cv_rec_decode_record(struct cv_rec_codec *c, const uint8_t *buf, size_t len,
			    struct cv_rec_item *it, const char **why);

uint32_t cv_rec_crc32(uint32_t crc, const void *buf, size_t len);

#endif /* CONCVIZ_RECFILE_H */
