/* lab-protocol.c — frames on the worker pipes, both ends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-protocol"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-protocol.h"

#define READ_CHUNK (64 * 1024)

struct _LabFrameReader
{
  int     fd;
  guint8 *data;
  gsize   size;    /* allocated */
  gsize   start;   /* first unread byte */
  gsize   end;     /* one past the last byte read */
  GArray *fds;     /* a socket's: descriptors received, not yet taken */
};

struct _LabFrameWriter
{
  int         fd;
  GByteArray *buf;
  gsize       sent;  /* bytes of buf already written */
};

/* A RESULT payload, (uxxxxxtxibs), as GVariant lays it out in normal
 * form: the fixed members at their natural alignment in the host's byte
 * order, zeros in the padding after the index, then the error text and
 * its NUL. Only the last member has a variable size, so the tuple has no
 * framing offsets. A worker writes one per job and the app reads one:
 * by hand, that costs no GVariant, no type-info look-up and no
 * allocation, which a child forked for a single job would pay in page
 * faults and a busy process pool in CPU time. */
#define RESULT_TEXT_OFFSET 69

const GVariantType *
lab_frame_type_get_variant_type (LabFrameType type)
{
  switch (type)
    {
    case LAB_FRAME_HELLO:  return G_VARIANT_TYPE ("(ust)");
    case LAB_FRAME_PARAMS: return G_VARIANT_TYPE_BYTESTRING;
    case LAB_FRAME_JOB:    return G_VARIANT_TYPE_UINT32;
    case LAB_FRAME_READY:  return G_VARIANT_TYPE_INT64;
    case LAB_FRAME_RESULT: return G_VARIANT_TYPE ("(uxxxxxtxibs)");
    case LAB_FRAME_FATAL:  return G_VARIANT_TYPE_STRING;
    case LAB_FRAME_WORKER: return G_VARIANT_TYPE_UINT32;
    case LAB_FRAME_SPAWNED: return G_VARIANT_TYPE ("(uxu)");
    case LAB_FRAME_EXITED: return G_VARIANT_TYPE ("(xi)");
    default:               return NULL;
    }
}

LabFrameReader *
lab_frame_reader_new (int fd)
{
  LabFrameReader *self = g_new0 (LabFrameReader, 1);

  self->fd = fd;
  self->size = READ_CHUNK;
  self->data = g_malloc (self->size);

  return self;
}

/**
 * lab_frame_reader_new_for_socket:
 * @fd: a Unix stream socket
 *
 * A reader that also receives the descriptors sent with the bytes
 * (SCM_RIGHTS), for lab_frame_reader_take_fds(). The kernel hands a
 * frame's descriptors over with its first byte at the latest, so once a
 * frame is whole, those sent with it have come.
 */
LabFrameReader *
lab_frame_reader_new_for_socket (int fd)
{
  LabFrameReader *self = lab_frame_reader_new (fd);

  self->fds = g_array_new (FALSE, FALSE, sizeof (int));
  return self;
}

/**
 * lab_frame_reader_take_fds:
 * @fds: (out caller-allocates) (array length=n_fds): where they go
 *
 * Takes the @n_fds descriptors received first and not yet taken; the
 * caller owns them. Those never taken are closed with the reader.
 *
 * Returns: how many there were, at most @n_fds
 */
guint
lab_frame_reader_take_fds (LabFrameReader *self,
                           int            *fds,
                           guint           n_fds)
{
  guint n = self->fds != NULL ? MIN (n_fds, self->fds->len) : 0;

  memcpy (fds, self->fds->data, n * sizeof (int));
  if (n > 0)
    g_array_remove_range (self->fds, 0, n);
  return n;
}

void
lab_frame_reader_free (LabFrameReader *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; self->fds != NULL && i < self->fds->len; i++)
    close (g_array_index (self->fds, int, i));
  g_clear_pointer (&self->fds, g_array_unref);
  g_free (self->data);
  g_free (self);
}

/* One read; a socket's descriptors go to self->fds (a message with more
 * than LAB_PROTOCOL_MAX_FDS has the rest closed by the kernel). */
static gssize
read_some (LabFrameReader *self)
{
  union {
    struct cmsghdr align;
    char           buf[CMSG_SPACE (LAB_PROTOCOL_MAX_FDS * sizeof (int))];
  } control;
  struct iovec iov = { self->data + self->end, self->size - self->end };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  gssize n;

  if (self->fds == NULL)
    return read (self->fd, self->data + self->end, self->size - self->end);

  n = recvmsg (self->fd, &msg, MSG_CMSG_CLOEXEC);
  for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR (&msg) : NULL; c != NULL; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      g_array_append_vals (self->fds, CMSG_DATA (c), (c->cmsg_len - CMSG_LEN (0)) / sizeof (int));
  return n;
}

/**
 * lab_frame_reader_fill:
 *
 * Reads once from the descriptor (which may be non-blocking).
 *
 * Returns: bytes read, 0 at end of file, -1 with @error set on failure,
 *   or -1 without error when a non-blocking read would block
 */
gssize
lab_frame_reader_fill (LabFrameReader  *self,
                       GError         **error)
{
  gssize n;

  if (self->start > 0 && self->start == self->end)
    self->start = self->end = 0;

  /* Keep room for a whole frame at the end of the buffer. */
  if (self->size - self->end < READ_CHUNK)
    {
      memmove (self->data, self->data + self->start, self->end - self->start);
      self->end -= self->start;
      self->start = 0;
      if (self->size - self->end < READ_CHUNK)
        {
          self->size = self->end + READ_CHUNK;
          self->data = g_realloc (self->data, self->size);
        }
    }

  do
    n = read_some (self);
  while (n < 0 && errno == EINTR);

  if (n < 0)
    {
      int saved = errno;
      if (saved == EAGAIN || saved == EWOULDBLOCK)
        return -1;
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   _("Could not read from the worker pipe: %s"), g_strerror (saved));
      return -1;
    }

  self->end += n;
  return n;
}

/**
 * lab_frame_reader_next:
 * @payload: (out) (transfer full): the frame's payload
 *
 * Takes one whole frame from what has been read so far.
 *
 * Returns: %TRUE with a frame; %FALSE without @error when more bytes are
 *   needed; %FALSE with @error when the bytes are not a valid frame
 */
gboolean
lab_frame_reader_next (LabFrameReader  *self,
                       LabFrameType    *type,
                       GVariant       **payload,
                       GError         **error)
{
  const guint8 *h = self->data + self->start;
  const GVariantType *vtype;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint32 len;

  if (self->end - self->start < LAB_PROTOCOL_HEADER)
    return FALSE;

  len = (guint32) h[0] | (guint32) h[1] << 8 | (guint32) h[2] << 16 | (guint32) h[3] << 24;
  vtype = lab_frame_type_get_variant_type (h[4]);

  if (vtype == NULL || h[5] != 0 || h[6] != 0 || h[7] != 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   _("Malformed frame header (type %u)"), h[4]);
      return FALSE;
    }

  if (len > LAB_PROTOCOL_MAX_FRAME)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   _("Frame of %u bytes is longer than the limit of %u"),
                   len, (guint) LAB_PROTOCOL_MAX_FRAME);
      return FALSE;
    }

  if (self->end - self->start - LAB_PROTOCOL_HEADER < len)
    {
      if (self->size - self->start < LAB_PROTOCOL_HEADER + (gsize) len)
        {
          gsize needed = self->end - self->start + len + READ_CHUNK;
          memmove (self->data, self->data + self->start, self->end - self->start);
          self->end -= self->start;
          self->start = 0;
          if (self->size < needed)
            self->data = g_realloc (self->data, self->size = needed);
        }
      return FALSE;
    }

  bytes = g_bytes_new (h + LAB_PROTOCOL_HEADER, len);
  value = g_variant_ref_sink (g_variant_new_from_bytes (vtype, bytes, FALSE));
  if (!g_variant_is_normal_form (value))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   _("Malformed %u-byte payload in a frame of type %u"), len, h[4]);
      return FALSE;
    }

  *type = h[4];
  *payload = g_steal_pointer (&value);
  self->start += LAB_PROTOCOL_HEADER + len;
  return TRUE;
}

/**
 * lab_frame_reader_next_job:
 * @index: (out): the job's index
 *
 * A worker's hot path: takes the next frame when it is a whole JOB frame,
 * without a GVariant for its four bytes (any four bytes are a "u" in
 * normal form). Reads them as lab_frame_writer_append_job() writes them.
 *
 * Returns: %TRUE with @index; %FALSE, taking nothing, when the next frame
 *   is not a whole JOB frame (lab_frame_reader_next() says what it is)
 */
gboolean
lab_frame_reader_next_job (LabFrameReader *self,
                           guint          *index)
{
  static const guint8 header[LAB_PROTOCOL_HEADER] = { 4, 0, 0, 0, LAB_FRAME_JOB, 0, 0, 0 };
  const guint8 *h = self->data + self->start;
  guint32 le;

  if (self->end - self->start < sizeof header + sizeof le || memcmp (h, header, sizeof header) != 0)
    return FALSE;
  memcpy (&le, h + sizeof header, sizeof le);
  *index = GUINT32_FROM_LE (le);
  self->start += sizeof header + sizeof le;
  return TRUE;
}

static gboolean
result_payload_is_normal (const guint8 *p,
                          gsize         len)
{
  const char *text = (const char *) p + RESULT_TEXT_OFFSET;
  gsize text_len = len - RESULT_TEXT_OFFSET - 1;
  static const guint8 zeros[4];

  return len > RESULT_TEXT_OFFSET && memcmp (p + 4, zeros, sizeof zeros) == 0 && p[68] <= 1 &&
         p[len - 1] == '\0' && memchr (text, '\0', text_len) == NULL && g_utf8_validate (text, text_len, NULL);
}

/**
 * lab_frame_reader_next_result:
 * @result: (out caller-allocates): the job's result; its error is a new
 *   string, for lab_job_result_clear()
 *
 * The app's hot path: takes the next frame when it is a whole RESULT
 * frame, decoding it by hand as lab_protocol_decode_result() does, after
 * the checks of normal form GVariant would make (zero padding, a
 * boolean of 0 or 1, a string of valid UTF-8 ending in its only NUL).
 *
 * Returns: %TRUE with @result; %FALSE with @error when the RESULT frame
 *   is malformed; %FALSE without, taking nothing, when the next frame is
 *   not a whole RESULT frame (lab_frame_reader_next() says what it is)
 */
gboolean
lab_frame_reader_next_result (LabFrameReader  *self,
                              LabJobResult    *result,
                              GError         **error)
{
  const guint8 *h = self->data + self->start;
  const guint8 *p = h + LAB_PROTOCOL_HEADER;
  gsize avail = self->end - self->start;
  guint32 len;

  if (avail < LAB_PROTOCOL_HEADER || h[4] != LAB_FRAME_RESULT || h[5] != 0 || h[6] != 0 || h[7] != 0)
    return FALSE;
  len = (guint32) h[0] | (guint32) h[1] << 8 | (guint32) h[2] << 16 | (guint32) h[3] << 24;
  if (len > LAB_PROTOCOL_MAX_FRAME || avail - LAB_PROTOCOL_HEADER < len)
    return FALSE;

  if (!result_payload_is_normal (p, len))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   _("Malformed %u-byte payload in a frame of type %u"), len, h[4]);
      return FALSE;
    }

  memcpy (&result->index, p, 4);
  memcpy (&result->start_ns, p + 8, 8);
  memcpy (&result->end_ns, p + 16, 8);
  memcpy (&result->phase_ns, p + 24, 8);
  memcpy (&result->cpu_ns, p + 32, 8);
  memcpy (&result->worker, p + 40, 8);
  memcpy (&result->bytes, p + 48, 8);
  memcpy (&result->value, p + 56, 8);
  memcpy (&result->status, p + 64, 4);
  g_free (result->error);
  result->error = NULL;
  if (p[68] == 0)
    result->error = g_strdup (p[RESULT_TEXT_OFFSET] != '\0' ? (const char *) p + RESULT_TEXT_OFFSET
                                                              : _("The job failed"));
  self->start += LAB_PROTOCOL_HEADER + len;
  return TRUE;
}

gsize
lab_frame_reader_get_buffered (LabFrameReader *self)
{
  return self->end - self->start;
}

/**
 * lab_frame_reader_discard:
 *
 * Forgets the bytes read and not taken: a process forked from a fork
 * server reads its own input with the server's reader, allocating
 * nothing (each page it allocated in would cost a page fault).
 */
void
lab_frame_reader_discard (LabFrameReader *self)
{
  self->start = self->end = 0;
}

/**
 * lab_frame_reader_read:
 *
 * Blocking read of the next frame.
 *
 * Returns: %TRUE with a frame; %FALSE without @error at a clean end of
 *   file; %FALSE with @error otherwise
 */
gboolean
lab_frame_reader_read (LabFrameReader  *self,
                       LabFrameType    *type,
                       GVariant       **payload,
                       GError         **error)
{
  GError *local_error = NULL;

  while (!lab_frame_reader_next (self, type, payload, &local_error))
    {
      gssize n;

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }

      n = lab_frame_reader_fill (self, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          if (self->end != self->start)
            g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                         _("The pipe closed in the middle of a frame"));
          return FALSE;
        }
    }

  return TRUE;
}

LabFrameWriter *
lab_frame_writer_new (int fd)
{
  LabFrameWriter *self = g_new0 (LabFrameWriter, 1);

  self->fd = fd;
  self->buf = g_byte_array_sized_new (4096);

  return self;
}

void
lab_frame_writer_free (LabFrameWriter *self)
{
  if (self == NULL)
    return;

  g_byte_array_unref (self->buf);
  g_free (self);
}

static void
append_header (LabFrameWriter *self,
               LabFrameType    type,
               guint32         len)
{
  guint8 h[LAB_PROTOCOL_HEADER] = {
    len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, (len >> 24) & 0xff, type, 0, 0, 0
  };

  g_byte_array_append (self->buf, h, sizeof h);
}

/* Takes ownership of @payload (a floating reference or a full one). */
void
lab_frame_writer_append (LabFrameWriter *self,
                         LabFrameType    type,
                         GVariant       *payload)
{
  g_autoptr(GVariant) normal = NULL;
  gsize len;

  g_return_if_fail (g_variant_is_of_type (payload, lab_frame_type_get_variant_type (type)));

  g_variant_take_ref (payload);
  normal = g_variant_get_normal_form (payload);
  g_variant_unref (payload);
  len = g_variant_get_size (normal);
  g_return_if_fail (len <= LAB_PROTOCOL_MAX_FRAME);

  /* g_variant_store() wants aligned memory; frames in the buffer are not. */
  append_header (self, type, len);
  g_byte_array_append (self->buf, g_variant_get_data (normal), len);
}

/* The hot path of a process pool: no GVariant for a 4-byte job frame.
 * GVariant serializes a "u" as its little-endian (native) bytes. */
void
lab_frame_writer_append_job (LabFrameWriter *self,
                             guint           index)
{
  guint32 le = GUINT32_TO_LE (index);

  append_header (self, LAB_FRAME_JOB, sizeof le);
  g_byte_array_append (self->buf, (const guint8 *) &le, sizeof le);
}

/**
 * lab_protocol_serialize_params:
 * @params: (nullable): the task's parameters, an a{sv}; a floating
 *   reference is sunk
 *
 * Returns: (transfer full): @params in normal form, as PARAMS frames
 *   carry them (empty for %NULL)
 */
GBytes *
lab_protocol_serialize_params (GVariant *params)
{
  g_autoptr(GVariant) normal = NULL;

  g_return_val_if_fail (params == NULL || g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT), NULL);

  if (params == NULL)
    return g_bytes_new (NULL, 0);
  g_variant_ref_sink (params);
  normal = g_variant_get_normal_form (params);
  g_variant_unref (params);
  return g_variant_get_data_as_bytes (normal);
}

/**
 * lab_frame_writer_append_hello_start:
 * @params: from lab_protocol_serialize_params()
 *
 * Appends HELLO alone; the caller then appends the PARAMS frames with
 * lab_frame_writer_append_params(), as fast as the pipe takes them.
 */
void
lab_frame_writer_append_hello_start (LabFrameWriter *self,
                                     const char     *task,
                                     GBytes         *params)
{
  g_return_if_fail (g_bytes_get_size (params) <= LAB_PROTOCOL_MAX_PARAMS);

  lab_frame_writer_append (self, LAB_FRAME_HELLO,
                           g_variant_new ("(ust)", LAB_PROTOCOL_VERSION, task,
                                          (guint64) g_bytes_get_size (params)));
}

/**
 * lab_frame_writer_append_params:
 * @offset: how much of @params has been appended so far
 *
 * Appends the next PARAMS frame, up to %LAB_PROTOCOL_PARAMS_CHUNK bytes
 * of @params from @offset.
 *
 * Returns: the offset after it; the size of @params once all is appended
 */
gsize
lab_frame_writer_append_params (LabFrameWriter *self,
                                GBytes         *params,
                                gsize           offset)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (params, &size);
  gsize len;

  g_return_val_if_fail (offset <= size, size);

  /* An "ay" is serialized as its bytes: no GVariant per piece. */
  len = MIN (size - offset, LAB_PROTOCOL_PARAMS_CHUNK);
  if (len == 0)
    return size;
  append_header (self, LAB_FRAME_PARAMS, len);
  g_byte_array_append (self->buf, data + offset, len);
  return offset + len;
}

/**
 * lab_frame_writer_append_hello:
 * @params: (nullable): the task's parameters, an a{sv}; a floating
 *   reference is sunk
 *
 * Appends HELLO for @task and every PARAMS frame of @params at once.
 */
void
lab_frame_writer_append_hello (LabFrameWriter *self,
                               const char     *task,
                               GVariant       *params)
{
  g_autoptr(GBytes) bytes = lab_protocol_serialize_params (params);
  gsize sent = 0;

  lab_frame_writer_append_hello_start (self, task, bytes);
  while (sent < g_bytes_get_size (bytes))
    sent = lab_frame_writer_append_params (self, bytes, sent);
}

/**
 * lab_frame_writer_append_ready:
 *
 * Appends READY for @pid: the bytes lab_frame_writer_append() makes of
 * g_variant_new_int64() (an "x" is its eight bytes in the host's order),
 * without a GVariant, as a forked worker's first frame.
 */
void
lab_frame_writer_append_ready (LabFrameWriter *self,
                               gint64          pid)
{
  append_header (self, LAB_FRAME_READY, sizeof pid);
  g_byte_array_append (self->buf, (const guint8 *) &pid, sizeof pid);
}

/**
 * lab_frame_writer_send_spawned:
 * @fds: (array length=n_fds): the worker's descriptors, sent with it
 *
 * Writes what is pending, then a SPAWNED frame for the worker @pid forked
 * for @tag with @fds attached to it (SCM_RIGHTS), blocking: the writer's
 * descriptor must be a Unix socket. The frame is built on the stack, as
 * GVariant lays out (uxu): a fork server writes to no other memory
 * between two forks. The caller keeps @fds (the peer gets copies).
 *
 * Returns: %FALSE with @error when the socket failed
 */
gboolean
lab_frame_writer_send_spawned (LabFrameWriter  *self,
                               guint32          tag,
                               gint64           pid,
                               const int       *fds,
                               guint            n_fds,
                               GError         **error)
{
  union {
    struct cmsghdr align;
    char           buf[CMSG_SPACE (LAB_PROTOCOL_MAX_FDS * sizeof (int))];
  } control = { 0 };
  guint8 frame[LAB_PROTOCOL_HEADER + 24] = { 24, 0, 0, 0, LAB_FRAME_SPAWNED };
  struct iovec iov = { frame, sizeof frame };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = CMSG_SPACE (n_fds * sizeof (int)) };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  gsize sent = 0;

  g_return_val_if_fail (n_fds > 0 && n_fds <= LAB_PROTOCOL_MAX_FDS, FALSE);

  if (!lab_frame_writer_flush (self, TRUE, error))
    return FALSE;

  memcpy (frame + LAB_PROTOCOL_HEADER, &tag, 4);
  memcpy (frame + LAB_PROTOCOL_HEADER + 8, &pid, 8);
  memcpy (frame + LAB_PROTOCOL_HEADER + 16, &n_fds, 4);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (n_fds * sizeof (int));
  memcpy (CMSG_DATA (c), fds, n_fds * sizeof (int));

  /* The descriptors go with the first byte; what the socket did not take
   * at once follows as plain bytes. */
  while (sent < sizeof frame)
    {
      gssize n = sent == 0 ? sendmsg (self->fd, &msg, MSG_NOSIGNAL)
                           : send (self->fd, frame + sent, sizeof frame - sent, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                       _("Could not write to the worker pipe: %s"), g_strerror (saved));
          return FALSE;
        }
      sent += n;
    }
  return TRUE;
}

gsize
lab_frame_writer_pending (LabFrameWriter *self)
{
  return self->buf->len - self->sent;
}

/**
 * lab_frame_writer_discard:
 *
 * Forgets what is pending, unwritten (see lab_frame_reader_discard()).
 */
void
lab_frame_writer_discard (LabFrameWriter *self)
{
  g_byte_array_set_size (self->buf, 0);
  self->sent = 0;
}

/**
 * lab_frame_writer_flush:
 * @blocking: whether to wait until everything is written
 *
 * Returns: %FALSE with @error set when the pipe failed (e.g. the peer
 *   exited); %TRUE otherwise, even if a non-blocking write left bytes
 *   pending (see lab_frame_writer_pending())
 */
gboolean
lab_frame_writer_flush (LabFrameWriter  *self,
                        gboolean         blocking,
                        GError         **error)
{
  /* Nothing written to the writer either: a fork server flushes before
   * each worker it forks, and each page it wrote to would be copied. */
  if (self->buf->len == 0)
    return TRUE;

  while (self->sent < self->buf->len)
    {
      gssize n = write (self->fd, self->buf->data + self->sent, self->buf->len - self->sent);

      if (n < 0)
        {
          int saved = errno;
          if (saved == EINTR)
            continue;
          if (!blocking && (saved == EAGAIN || saved == EWOULDBLOCK))
            return TRUE;
          g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                       _("Could not write to the worker pipe: %s"), g_strerror (saved));
          return FALSE;
        }
      self->sent += n;
    }

  g_byte_array_set_size (self->buf, 0);
  self->sent = 0;
  return TRUE;
}

static gboolean
read_frame (LabFrameReader  *self,
            LabFrameType     expected,
            GVariant       **payload,
            GError         **error)
{
  GError *local_error = NULL;
  LabFrameType type;

  if (!lab_frame_reader_read (self, &type, payload, &local_error))
    {
      if (local_error == NULL)
        local_error = g_error_new (LAB_ERROR, LAB_ERROR_PROTOCOL,
                                   expected == LAB_FRAME_HELLO ? _("No HELLO frame before end of input")
                                                               : _("The input ended before the task's parameters"));
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (type != expected)
    {
      g_clear_pointer (payload, g_variant_unref);
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   expected == LAB_FRAME_HELLO ? _("Expected a HELLO frame, got type %u")
                                               : _("Expected a PARAMS frame, got type %u"),
                   type);
      return FALSE;
    }
  return TRUE;
}

/**
 * lab_protocol_read_hello:
 * @version: (out): the app's protocol version
 * @task: (out) (transfer full): the task's name
 * @params: (out) (transfer full): its parameters, an a{sv}
 *
 * Blocking read of HELLO and the PARAMS frames after it (the worker's
 * side of lab_frame_writer_append_hello()). A HELLO of another version
 * is returned as it is, without its parameters: the caller refuses it.
 *
 * Returns: %FALSE with @error when the frames are not a valid HELLO
 */
gboolean
lab_protocol_read_hello (LabFrameReader  *self,
                         guint           *version,
                         char           **task,
                         GVariant       **params,
                         GError         **error)
{
  g_autoptr(GVariant) hello = NULL;
  g_autoptr(GByteArray) data = NULL;
  g_autoptr(GVariant) dict = NULL;
  const char *name;
  guint64 size;

  if (!read_frame (self, LAB_FRAME_HELLO, &hello, error))
    return FALSE;
  g_variant_get (hello, "(u&st)", version, &name, &size);
  if (*version != LAB_PROTOCOL_VERSION)
    {
      *task = g_strdup (name);
      *params = NULL;
      return TRUE;
    }
  if (size > LAB_PROTOCOL_MAX_PARAMS)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   _("Task parameters of %llu bytes are longer than the limit of %u"),
                   (unsigned long long) size, (guint) LAB_PROTOCOL_MAX_PARAMS);
      return FALSE;
    }

  /* Grown as pieces come, never to a size only claimed. */
  data = g_byte_array_new ();
  while (data->len < size)
    {
      g_autoptr(GVariant) piece = NULL;
      const guint8 *bytes;
      gsize len;

      if (!read_frame (self, LAB_FRAME_PARAMS, &piece, error))
        return FALSE;
      bytes = g_variant_get_fixed_array (piece, &len, 1);
      if (len > size - data->len)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                       _("A PARAMS frame goes past the %llu bytes that HELLO announced"),
                       (unsigned long long) size);
          return FALSE;
        }
      g_byte_array_append (data, bytes, len);
    }

  dict = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT,
                                                       g_byte_array_free_to_bytes (g_steal_pointer (&data)),
                                                       FALSE));
  if (!g_variant_is_normal_form (dict))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL,
                   _("Malformed task parameters (%llu bytes)"), (unsigned long long) size);
      return FALSE;
    }

  *task = g_strdup (name);
  *params = g_steal_pointer (&dict);
  return TRUE;
}

static const char *
result_text (const LabJobResult  *r,
             char               **made)
{
  /* An "s" must be UTF-8: a task's message that is not is repaired. */
  if (r->error == NULL)
    return "";
  if (g_utf8_validate (r->error, -1, NULL))
    return r->error;
  return *made = g_utf8_make_valid (r->error, -1);
}

static void
put_result_payload (guint8             *p,
                    const LabJobResult *r,
                    const char         *text,
                    gsize               text_len)
{
  const guint8 ok = r->error == NULL;

  memset (p, 0, 8);
  memcpy (p, &r->index, 4);
  memcpy (p + 8, &r->start_ns, 8);
  memcpy (p + 16, &r->end_ns, 8);
  memcpy (p + 24, &r->phase_ns, 8);
  memcpy (p + 32, &r->cpu_ns, 8);
  memcpy (p + 40, &r->worker, 8);
  memcpy (p + 48, &r->bytes, 8);
  memcpy (p + 56, &r->value, 8);
  memcpy (p + 64, &r->status, 4);
  p[68] = ok;
  if (text_len > 0)
    memcpy (p + RESULT_TEXT_OFFSET, text, text_len);
  p[RESULT_TEXT_OFFSET + text_len] = '\0';
}

/**
 * lab_frame_writer_append_result:
 *
 * Appends a RESULT frame for @result: the same bytes as
 * lab_frame_writer_append() of lab_protocol_encode_result(), built
 * without a GVariant.
 */
void
lab_frame_writer_append_result (LabFrameWriter     *self,
                                const LabJobResult *result)
{
  g_autofree char *made = NULL;
  const char *text = result_text (result, &made);
  gsize text_len = strlen (text);
  gsize len = RESULT_TEXT_OFFSET + text_len + 1;
  guint at;

  g_return_if_fail (len <= LAB_PROTOCOL_MAX_FRAME);

  append_header (self, LAB_FRAME_RESULT, len);
  at = self->buf->len;
  g_byte_array_set_size (self->buf, at + len);
  put_result_payload (self->buf->data + at, result, text, text_len);
}

/**
 * lab_protocol_encode_result_frame:
 * @buf: (out caller-allocates): where the frame goes
 * @size: the room in @buf
 *
 * Writes a whole RESULT frame for @result into @buf, as
 * lab_frame_writer_append_result() would append it, allocating nothing
 * unless the error text has to be made valid UTF-8. An error text too
 * long for @size is cut at a character boundary. For a job that
 * succeeded it calls no function of libc or GLib: in a child forked for
 * one job, each one's page of code would cost a page fault.
 *
 * Returns: the frame's length, or 0 when @size cannot hold even a RESULT
 *   without its text
 */
gsize
lab_protocol_encode_result_frame (const LabJobResult *result,
                                  guint8             *buf,
                                  gsize               size)
{
  char *made = NULL;
  const char *text = "";
  gsize room, text_len = 0;
  guint32 len;

  if (size < LAB_PROTOCOL_HEADER + RESULT_TEXT_OFFSET + 1)
    return 0;
  room = MIN (size, LAB_PROTOCOL_HEADER + (gsize) LAB_PROTOCOL_MAX_FRAME) - LAB_PROTOCOL_HEADER - RESULT_TEXT_OFFSET - 1;
  if (result->error != NULL)
    {
      text = result_text (result, &made);
      text_len = strlen (text);
    }
  if (text_len > room)
    text_len = g_utf8_find_prev_char (text, text + room + 1) - text;

  len = RESULT_TEXT_OFFSET + text_len + 1;
  buf[0] = len & 0xff;
  buf[1] = (len >> 8) & 0xff;
  buf[2] = (len >> 16) & 0xff;
  buf[3] = (len >> 24) & 0xff;
  buf[4] = LAB_FRAME_RESULT;
  buf[5] = buf[6] = buf[7] = 0;
  put_result_payload (buf + LAB_PROTOCOL_HEADER, result, text, text_len);
  if (made != NULL)
    g_free (made);
  return LAB_PROTOCOL_HEADER + len;
}

GVariant *
lab_protocol_encode_result (const LabJobResult *r)
{
  /* An "s" must be UTF-8: a task's message that is not would abort. */
  g_autofree char *error = g_utf8_make_valid (r->error ? r->error : "", -1);

  return g_variant_new ("(uxxxxxtxibs)",
                        r->index, r->start_ns, r->end_ns, r->phase_ns, r->cpu_ns, r->worker,
                        r->bytes, r->value, r->status,
                        r->error == NULL, error);
}

/* Fills @result from a RESULT payload; the caller checks the index. */
void
lab_protocol_decode_result (GVariant     *payload,
                            LabJobResult *r)
{
  const char *error;
  gboolean ok;

  g_variant_get (payload, "(uxxxxxtxib&s)",
                 &r->index, &r->start_ns, &r->end_ns, &r->phase_ns, &r->cpu_ns, &r->worker,
                 &r->bytes, &r->value, &r->status, &ok, &error);
  g_free (r->error);
  r->error = ok ? NULL : g_strdup (error[0] ? error : _("The job failed"));
}
