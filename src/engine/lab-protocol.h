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
 *   HELLO   app → worker  (u version, s task, @a{sv} params)
 *   JOB     app → worker  u index; the app keeps several in flight
 *   READY   worker → app  x pid, once the task is set up
 *   RESULT  worker → app  (u index, x start_ns, x end_ns, x cpu_ns,
 *                          x worker, t bytes, x value, i status,
 *                          b ok, s error)
 *   FATAL   worker → app  s message; the worker then exits with status 3
 *
 * The app closes the worker's stdin to ask it to finish; the worker then
 * exits 0 once every result is written. Cancel is SIGTERM, then SIGKILL.
 */
#define LAB_PROTOCOL_VERSION    1
#define LAB_PROTOCOL_HEADER     8
#define LAB_PROTOCOL_MAX_FRAME  (1024 * 1024)

typedef enum {
  LAB_FRAME_HELLO  = 1,
  LAB_FRAME_JOB    = 2,
  LAB_FRAME_READY  = 3,
  LAB_FRAME_RESULT = 4,
  LAB_FRAME_FATAL  = 5,
} LabFrameType;

const GVariantType *lab_frame_type_get_variant_type (LabFrameType type);

typedef struct _LabFrameReader LabFrameReader;
typedef struct _LabFrameWriter LabFrameWriter;

LabFrameReader *lab_frame_reader_new      (int              fd);
void            lab_frame_reader_free     (LabFrameReader  *reader);
gssize          lab_frame_reader_fill     (LabFrameReader  *reader,
                                           GError         **error);
gboolean        lab_frame_reader_next     (LabFrameReader  *reader,
                                           LabFrameType    *type,
                                           GVariant       **payload,
                                           GError         **error);
gsize           lab_frame_reader_get_buffered (LabFrameReader *reader);
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
gboolean        lab_frame_writer_flush    (LabFrameWriter  *writer,
                                           gboolean         blocking,
                                           GError         **error);
gsize           lab_frame_writer_pending  (LabFrameWriter  *writer);

GVariant       *lab_protocol_encode_result (const LabJobResult *result);
void            lab_protocol_decode_result (GVariant           *payload,
                                            LabJobResult       *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabFrameReader, lab_frame_reader_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabFrameWriter, lab_frame_writer_free)

G_END_DECLS
