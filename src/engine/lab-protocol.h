/* lab-protocol.h — the pipe protocol between the app and its worker processes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-types.h"

G_BEGIN_DECLS

/*
 * Every frame is an 8-byte header followed by a payload:
 *
 *   bytes 0-3  payload length, unsigned little-endian, at most
 *              LAB_PROTOCOL_MAX_FRAME
 *   byte  4    frame type (LabFrameType)
 *   bytes 5-7  zero
 *
 * The payload is a serialized GVariant in normal form whose type is fixed
 * by the frame type. Anything else (unknown type, non-zero padding, too
 * long, wrong or non-normal payload) is a protocol error: the reader stops
 * and says why; nothing is trusted past it.
 *
 *   HELLO   app → worker  (u version, s task, t params_size)
 *   PARAMS  app → worker  ay: the next piece of the task's parameters
 *   JOB     app → worker  u index; the app keeps several in flight
 *   READY   worker → app  x pid, once the task is set up
 *   RESULT  worker → app  (u index, x start_ns, x end_ns, x phase_ns,
 *                          x cpu_ns, x worker, t bytes, x value,
 *                          i status, b ok, s error); phase_ns is when the
 *                          job's first phase ended (0: one phase);
 *                          cpu_ns is the worker thread's CPU time from
 *                          the end of its previous job (or from when it
 *                          began serving) to the end of this one, a
 *                          forked child's CPU time since it started:
 *                          one clock reading per job
 *   FATAL   worker → app  s message; the worker then exits with status 3
 *   WORKER  app → server  u tag: fork a worker for a process pool
 *   SPAWNED server → app  (u tag, x pid, u n_fds): the worker forked for
 *                          the WORKER frame of that tag, with n_fds
 *                          descriptors attached (SCM_RIGHTS): the
 *                          worker's stdin to write JOB frames to, its
 *                          stdout to read READY and RESULT frames from,
 *                          and a pidfd of it when the kernel has them
 *   EXITED  server → app  (x pid, i status): a worker it forked has
 *                          exited, with that wait status
 *
 * A fork server (concurrency-lab-worker --fork) reads HELLO and the
 * PARAMS, sets the task up once and says READY; then each JOB frame gets
 * a child that runs that one job and writes its RESULT to the server's
 * stdout (the processes strategy), and each WORKER frame a child that
 * serves jobs on pipes of its own, as a worker started with HELLO would,
 * beginning with READY (the process pool). For the latter, the server's
 * stdout is a Unix socket, which carries the new worker's pipes.
 * The task's parameters (an a{sv}, serialized in normal form) can be far
 * larger than a frame: a download of the documented limit of 1 000 000
 * URLs carries them all, tens of megabytes. So HELLO gives their size,
 * at most LAB_PROTOCOL_MAX_PARAMS, and PARAMS frames of at most
 * LAB_PROTOCOL_PARAMS_CHUNK bytes each follow it, in order, until that
 * many bytes have come (none when the size is 0, an empty dictionary);
 * only then does the worker set the task up. A PARAMS frame past the
 * size, any other frame before the end, or bytes that are not a normal
 * a{sv} are a protocol error. Each worker holds the parameters once, as
 * the app does; the frame limit stays at 1 MiB, so that a reader never
 * buffers more than that of one frame.
 *
 * Version 1 sent the parameters in HELLO itself, (u, s, a{sv}), and
 * failed any run whose parameters were over 1 MiB; a version 1 HELLO is
 * a malformed frame to this version. Version 2 had no phase_ns in RESULT;
 * version 3 had no WORKER, SPAWNED nor EXITED.
 *
 * The app closes the worker's stdin to ask it to finish; the worker then
 * exits 0 once every result is written. Cancel is SIGTERM, then SIGKILL.
 */
#define LAB_PROTOCOL_VERSION      4
#define LAB_PROTOCOL_HEADER       8
#define LAB_PROTOCOL_MAX_FRAME    (1024 * 1024)
#define LAB_PROTOCOL_PARAMS_CHUNK (256 * 1024)
#define LAB_PROTOCOL_MAX_PARAMS   (256 * 1024 * 1024)

typedef enum {
  LAB_FRAME_HELLO  = 1,
  LAB_FRAME_JOB    = 2,
  LAB_FRAME_READY  = 3,
  LAB_FRAME_RESULT = 4,
  LAB_FRAME_FATAL  = 5,
  LAB_FRAME_PARAMS = 6,
  LAB_FRAME_WORKER = 7,
  LAB_FRAME_SPAWNED = 8,
  LAB_FRAME_EXITED = 9,
} LabFrameType;

/* At most this many descriptors come with one frame. */
#define LAB_PROTOCOL_MAX_FDS 3

const GVariantType *lab_frame_type_get_variant_type (LabFrameType type);

typedef struct _LabFrameReader LabFrameReader;
typedef struct _LabFrameWriter LabFrameWriter;

LabFrameReader *lab_frame_reader_new      (int              fd);
LabFrameReader *lab_frame_reader_new_for_socket (int          fd);
guint           lab_frame_reader_take_fds (LabFrameReader  *reader,
                                           int             *fds,
                                           guint            n_fds);
void            lab_frame_reader_free     (LabFrameReader  *reader);
gssize          lab_frame_reader_fill     (LabFrameReader  *reader,
                                           GError         **error);
gboolean        lab_frame_reader_next     (LabFrameReader  *reader,
                                           LabFrameType    *type,
                                           GVariant       **payload,
                                           GError         **error);
gboolean        lab_frame_reader_next_job (LabFrameReader  *reader,
                                           guint           *index);
gboolean        lab_frame_reader_next_result (LabFrameReader *reader,
                                           LabJobResult    *result,
                                           GError         **error);
gsize           lab_frame_reader_get_buffered (LabFrameReader *reader);
void            lab_frame_reader_discard  (LabFrameReader  *reader);
gboolean        lab_frame_reader_read     (LabFrameReader  *reader,
                                           LabFrameType    *type,
                                           GVariant       **payload,
                                           GError         **error);

LabFrameWriter *lab_frame_writer_new      (int              fd);
void            lab_frame_writer_free     (LabFrameWriter  *writer);
void            lab_frame_writer_append   (LabFrameWriter  *writer,
                                           LabFrameType     type,
                                           GVariant        *payload);
void            lab_frame_writer_append_job (LabFrameWriter *writer,
                                           guint            index);
void            lab_frame_writer_append_hello (LabFrameWriter *writer,
                                           const char      *task,
                                           GVariant        *params);
void            lab_frame_writer_append_hello_start (LabFrameWriter *writer,
                                           const char      *task,
                                           GBytes          *params);
gsize           lab_frame_writer_append_params (LabFrameWriter *writer,
                                           GBytes          *params,
                                           gsize            offset);
void            lab_frame_writer_append_ready (LabFrameWriter *writer,
                                           gint64           pid);
gboolean        lab_frame_writer_send_spawned (LabFrameWriter *writer,
                                           guint32          tag,
                                           gint64           pid,
                                           const int       *fds,
                                           guint            n_fds,
                                           GError         **error);
gboolean        lab_frame_writer_flush    (LabFrameWriter  *writer,
                                           gboolean         blocking,
                                           GError         **error);
gsize           lab_frame_writer_pending  (LabFrameWriter  *writer);
void            lab_frame_writer_discard  (LabFrameWriter  *writer);

GBytes         *lab_protocol_serialize_params (GVariant        *params);
gboolean        lab_protocol_read_hello    (LabFrameReader     *reader,
                                            guint              *version,
                                            char              **task,
                                            GVariant          **params,
                                            GError            **error);

GVariant       *lab_protocol_encode_result (const LabJobResult *result);
void            lab_frame_writer_append_result (LabFrameWriter *writer,
                                            const LabJobResult *result);
gsize           lab_protocol_encode_result_frame (const LabJobResult *result,
                                            guint8             *buf,
                                            gsize               size);
void            lab_protocol_decode_result (GVariant           *payload,
                                            LabJobResult       *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabFrameReader, lab_frame_reader_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabFrameWriter, lab_frame_writer_free)

G_END_DECLS
