/*
 * journal.h - an append-only file of framed records: the study's changes
 * between two snapshots (study_store.c).
 *
 * Each record is one line of text, framed so that a reader can tell a whole
 * record from a torn one without trusting anything after it:
 *
 *     LLLLLLLL CCCCCCCC <payload>\n
 *
 * where L is the payload's length and C its CRC-32, both as 8 hex digits.
 * The first record is a header, {"wjr_journal":1,"epoch":E}: it ties the
 * journal to the snapshot of the same epoch, so that a journal left behind
 * by a crash in the middle of a compaction is recognised as stale.
 *
 * One process appends (the study lock's holder); any number read. A record
 * goes out in one write() and is fdatasync'd before append returns, so a
 * reader sees a prefix of whole records, perhaps followed by one torn
 * record, which it drops. The file is never rewritten in place: compaction
 * makes a new journal beside it and renames it over (wjr_journal_create).
 *
 * Ownership: a wjr_journal is owned by whoever opened it and released with
 * wjr_journal_close(). Payloads passed to the callbacks are borrowed for the
 * call only.
 */
#ifndef WJR_JOURNAL_H
#define WJR_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct wjr_journal wjr_journal;

/* Called for each whole record after the header, in order; a non-zero
 * return stops the reading and is returned by wjr_journal_read(). */
typedef int (*wjr_journal_fn)(const char *payload, size_t len, void *arg);

typedef struct wjr_journal_scan {
    uint64_t epoch;    /* the header's epoch */
    int stale;         /* the epoch is not the one asked for: no record was read */
    size_t records;    /* whole records read after the header */
    uint64_t good_end; /* byte offset just after the last whole record */
    uint64_t size;     /* the file's size when it was read */
    int torn;          /* a torn last record was found and dropped */
} wjr_journal_scan;

/* CRC-32 (IEEE 802.3, as zlib's crc32) of len bytes. */
uint32_t wjr_crc32(const void *data, size_t len);

/*
 * Read the journal at path: its header, then fn for each whole record.
 *  - WJR_ENOTFOUND when there is no file.
 *  - A header of another epoch than `epoch`: 0, with scan->stale set.
 *  - A torn tail (a record cut short, or with a bad checksum, that no whole
 *    record follows) is dropped: scan->torn, and scan->good_end says where
 *    the whole records end.
 *  - Damage followed by whole records, or a bad header: WJR_EINVALID with
 *    the byte offset; nothing after the damage is trusted.
 */
int wjr_journal_read(const char *path, uint64_t epoch, wjr_journal_fn fn, void *arg,
                     wjr_journal_scan *scan);

/*
 * Read only the header and the last whole record of the journal at path,
 * from its end, at a cost that does not grow with the journal: into
 * `last` (empty when the journal holds no record). scan->good_end and
 * scan->torn as wjr_journal_read() gives them when the file ends in whole
 * records or one torn record; damage further back is not looked for (a
 * full read finds it).
 */
int wjr_journal_read_last(wjr_buf *last, const char *path, uint64_t epoch, wjr_journal_scan *scan);

/* Make a new, empty journal of `epoch` at path (temp file, fsync, rename,
 * fsync of the folder) and open it for appending. */
int wjr_journal_create(wjr_journal **out, const char *path, uint64_t epoch);

/* Open an existing journal for appending after its last whole record
 * (good_end from wjr_journal_read): a torn tail is cut off first. */
int wjr_journal_open(wjr_journal **out, const char *path, uint64_t good_end);

/* Append one record and make it durable (fdatasync). On failure (a full
 * disk, an I/O error) the file is cut back to where it was, the error names
 * the path and the system's reason, and the journal refuses further
 * appends: the caller must stop and recover from the files. */
int wjr_journal_append(wjr_journal *j, const char *payload, size_t len);

/* Bytes in the journal, header included. */
uint64_t wjr_journal_size(const wjr_journal *j);

void wjr_journal_close(wjr_journal *j);

#endif
