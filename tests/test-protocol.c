/* test-protocol.c — frames on the worker pipe, both ends, and bad input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab-error.h"
#include "lab-protocol.h"
#include "lab-test-util.h"
#include "lab-worker-loop.h"

static void
make_pipe (int fds[2])
{
  g_assert_cmpint (pipe2 (fds, O_CLOEXEC), ==, 0);
}

static void
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  g_assert_cmpint (write (fd, data, len), ==, (gssize) len);
}

static void
test_roundtrip (void)
{
  int fds[2];
  g_autoptr(LabFrameWriter) writer = NULL;
  g_autoptr(LabFrameReader) reader = NULL;
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(GError) error = NULL;
  LabJobResult in = { 0 }, out = { 0 };
  LabFrameType type;

  make_pipe (fds);
  writer = lab_frame_writer_new (fds[1]);
  reader = lab_frame_reader_new (fds[0]);

  in = (LabJobResult) { .index = 7, .start_ns = 10, .end_ns = 25, .phase_ns = 18, .cpu_ns = 12, .worker = 4242,
                        .bytes = 1 << 20, .value = -3, .status = 404, .error = g_strdup ("HTTP 404 Not Found") };
  lab_frame_writer_append_hello (writer, "sleep", g_variant_new ("a{sv}", NULL));
  lab_frame_writer_append_job (writer, 123456);
  lab_frame_writer_append (writer, LAB_FRAME_RESULT, lab_protocol_encode_result (&in));
  g_assert_true (lab_frame_writer_flush (writer, TRUE, &error));
  g_assert_no_error (error);
  close (fds[1]);

  g_assert_true (lab_frame_reader_read (reader, &type, &payload, &error));
  g_assert_cmpint (type, ==, LAB_FRAME_HELLO);
  /* An empty dictionary is zero bytes: no PARAMS frame follows. */
  g_assert_cmpuint (g_variant_get_uint64 (g_variant_get_child_value (payload, 2)), ==, 0);
  g_clear_pointer (&payload, g_variant_unref);

  g_assert_true (lab_frame_reader_read (reader, &type, &payload, &error));
  g_assert_cmpint (type, ==, LAB_FRAME_JOB);
  g_assert_cmpuint (g_variant_get_uint32 (payload), ==, 123456);
  g_clear_pointer (&payload, g_variant_unref);

  g_assert_true (lab_frame_reader_read (reader, &type, &payload, &error));
  g_assert_cmpint (type, ==, LAB_FRAME_RESULT);
  lab_protocol_decode_result (payload, &out);
  g_assert_cmpuint (out.index, ==, 7);
  g_assert_cmpint (out.end_ns, ==, 25);
  g_assert_cmpint (out.phase_ns, ==, 18);
  g_assert_cmpint (out.worker, ==, 4242);
  g_assert_cmpuint (out.bytes, ==, 1 << 20);
  g_assert_cmpint (out.value, ==, -3);
  g_assert_cmpint (out.status, ==, 404);
  g_assert_cmpstr (out.error, ==, "HTTP 404 Not Found");

  /* A clean end of input: FALSE without an error. */
  g_clear_pointer (&payload, g_variant_unref);
  g_assert_false (lab_frame_reader_read (reader, &type, &payload, &error));
  g_assert_no_error (error);

  lab_job_result_clear (&in);
  lab_job_result_clear (&out);
  close (fds[0]);
}

static GBytes *encode_jobs (guint n);

/* Frames that arrive split at odd places come out whole and in order. */
static void
test_split_frames (void)
{
  g_autoptr(GBytes) bytes = encode_jobs (3000);
  g_autoptr(LabFrameReader) reader = NULL;
  const guint8 *data;
  gsize len, sent = 0;
  guint next = 0;
  int fds[2];

  make_pipe (fds);
  reader = lab_frame_reader_new (fds[0]);
  data = g_bytes_get_data (bytes, &len);
  g_assert_cmpuint (len, ==, 3000 * 12);

  while (sent < len)
    {
      gsize chunk = MIN (7, len - sent);
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) payload = NULL;
      LabFrameType type;

      write_all (fds[1], data + sent, chunk);
      sent += chunk;
      g_assert_cmpint (lab_frame_reader_fill (reader, &error), ==, (gssize) chunk);

      /* Every other job through the worker's shortcut. */
      for (;;)
        {
          guint index;

          if (next % 2 == 0 && lab_frame_reader_next_job (reader, &index))
            g_assert_cmpuint (index, ==, next);
          else if (next % 2 == 1 && lab_frame_reader_next (reader, &type, &payload, &error))
            {
              g_assert_cmpint (type, ==, LAB_FRAME_JOB);
              g_assert_cmpuint (g_variant_get_uint32 (payload), ==, next);
              g_clear_pointer (&payload, g_variant_unref);
            }
          else
            break;
          next++;
        }
      g_assert_no_error (error);
    }

  g_assert_cmpuint (next, ==, 3000);
  g_assert_cmpuint (lab_frame_reader_get_buffered (reader), ==, 0);
  close (fds[0]);
  close (fds[1]);
}

static void
expect_malformed (const guint8 *data,
                  gsize         len,
                  const char   *needle)
{
  g_autoptr(LabFrameReader) reader = NULL;
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(GError) error = NULL;
  LabFrameType type;
  int fds[2];

  make_pipe (fds);
  write_all (fds[1], data, len);
  close (fds[1]);
  reader = lab_frame_reader_new (fds[0]);

  g_assert_false (lab_frame_reader_read (reader, &type, &payload, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, needle));
  g_assert_null (payload);
  close (fds[0]);
}

static void
test_malformed (void)
{
  const guint8 unknown_type[] = { 4, 0, 0, 0, 99, 0, 0, 0, 1, 2, 3, 4 };
  const guint8 padding[] = { 4, 0, 0, 0, LAB_FRAME_JOB, 0, 1, 0, 1, 2, 3, 4 };
  const guint8 too_long[] = { 0xff, 0xff, 0xff, 0x7f, LAB_FRAME_JOB, 0, 0, 0 };
  const guint8 wrong_size[] = { 3, 0, 0, 0, LAB_FRAME_JOB, 0, 0, 0, 1, 2, 3 };
  const guint8 truncated[] = { 40, 0, 0, 0, LAB_FRAME_RESULT, 0, 0, 0, 1, 2 };
  const guint8 short_header[] = { 4, 0, 0 };
  /* A RESULT whose string has no terminating NUL: not normal form. */
  guint8 bad_string[8 + 70];

  /* The worker's shortcut takes JOB frames only, and leaves the rest to
   * lab_frame_reader_next () to refuse. */
  {
    const guint8 *cases[] = { unknown_type, padding, wrong_size, truncated };
    const gsize sizes[] = { sizeof unknown_type, sizeof padding, sizeof wrong_size, sizeof truncated };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(LabFrameReader) reader = NULL;
        guint index;
        int fds[2];

        make_pipe (fds);
        write_all (fds[1], cases[i], sizes[i]);
        reader = lab_frame_reader_new (fds[0]);
        g_assert_cmpint (lab_frame_reader_fill (reader, NULL), ==, (gssize) sizes[i]);
        g_assert_false (lab_frame_reader_next_job (reader, &index));
        g_assert_cmpuint (lab_frame_reader_get_buffered (reader), ==, sizes[i]);
        close (fds[0]);
        close (fds[1]);
      }
  }

  expect_malformed (unknown_type, sizeof unknown_type, "header");
  expect_malformed (padding, sizeof padding, "header");
  expect_malformed (too_long, sizeof too_long, "limit");
  expect_malformed (wrong_size, sizeof wrong_size, "payload");
  expect_malformed (truncated, sizeof truncated, "middle of a frame");
  expect_malformed (short_header, sizeof short_header, "middle of a frame");

  memset (bad_string, 0xab, sizeof bad_string);
  bad_string[0] = 70; bad_string[1] = bad_string[2] = bad_string[3] = 0;
  bad_string[4] = LAB_FRAME_RESULT; bad_string[5] = bad_string[6] = bad_string[7] = 0;
  expect_malformed (bad_string, sizeof bad_string, "payload");
}

typedef struct {
  int in_fd;
  int out_fd;
  int status;
} ServeData;

static gpointer
serve_thread (gpointer data)
{
  ServeData *sd = data;

  sd->status = lab_worker_serve (sd->in_fd, sd->out_fd);
  close (sd->out_fd);
  return NULL;
}

/* Runs the worker loop in a thread, feeding it @input; returns the frames
 * it answered with. */
static GPtrArray *
serve (const guint8 *input,
       gsize         len,
       int          *status)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(LabFrameReader) reader = NULL;
  int to_worker[2], from_worker[2];
  ServeData sd;
  GThread *thread;

  make_pipe (to_worker);
  make_pipe (from_worker);
  sd = (ServeData) { to_worker[0], from_worker[1], -1 };
  thread = g_thread_new ("serve", serve_thread, &sd);
  write_all (to_worker[1], input, len);
  close (to_worker[1]);

  reader = lab_frame_reader_new (from_worker[0]);
  for (;;)
    {
      g_autoptr(GVariant) payload = NULL;
      g_autoptr(GError) error = NULL;
      LabFrameType type;

      if (!lab_frame_reader_read (reader, &type, &payload, &error))
        {
          g_assert_no_error (error);
          break;
        }
      g_ptr_array_add (frames, g_variant_new ("(uv)", type, payload));
    }

  g_thread_join (thread);
  close (to_worker[0]);
  close (from_worker[0]);
  *status = sd.status;
  return frames;
}

/* What @writer wrote to its file (a memfd: no pipe buffer to fill). */
static GBytes *
take_written (LabFrameWriter *writer,
              int             fd)
{
  g_autoptr(GByteArray) all = g_byte_array_new ();
  guint8 buf[65536];
  gssize n;

  g_assert_true (lab_frame_writer_flush (writer, TRUE, NULL));
  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_byte_array_append (all, buf, n);
  close (fd);
  return g_byte_array_free_to_bytes (g_steal_pointer (&all));
}

static GBytes *
encode (LabFrameType  type,
        GVariant     *payload)
{
  int fd = memfd_create ("frames", MFD_CLOEXEC);
  g_autoptr(LabFrameWriter) writer = lab_frame_writer_new (fd);

  lab_frame_writer_append (writer, type, payload);
  return take_written (writer, fd);
}

static GBytes *
encode_jobs (guint n)
{
  g_autoptr(LabFrameWriter) writer = NULL;
  g_autoptr(GByteArray) all = g_byte_array_new ();
  int fds[2];
  guint8 buf[65536];
  gssize r;

  make_pipe (fds);
  writer = lab_frame_writer_new (fds[1]);
  for (guint i = 0; i < n; i++)
    lab_frame_writer_append_job (writer, i);
  g_assert_true (lab_frame_writer_flush (writer, TRUE, NULL));
  close (fds[1]);
  while ((r = read (fds[0], buf, sizeof buf)) > 0)
    g_byte_array_append (all, buf, r);
  close (fds[0]);
  return g_byte_array_free_to_bytes (g_steal_pointer (&all));
}

static GBytes *
hello (const char *task,
       GVariant   *params)
{
  int fd = memfd_create ("frames", MFD_CLOEXEC);
  g_autoptr(LabFrameWriter) writer = lab_frame_writer_new (fd);

  lab_frame_writer_append_hello (writer, task, params);
  return take_written (writer, fd);
}

static void
concat (GByteArray *out,
        GBytes     *bytes)
{
  g_byte_array_append (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_bytes_unref (bytes);
}

/* The RESULT frames built by hand are the bytes GVariant makes. */
static void
test_result_by_hand (void)
{
  g_autofree char *long_text = g_strnfill (5000, 'x');
  LabJobResult results[] = {
    { .index = 7, .start_ns = 10, .end_ns = 25, .phase_ns = 18, .cpu_ns = 12, .worker = 4242,
      .bytes = G_MAXUINT64, .value = -3, .status = 404, .error = (char *) "HTTP 404 Not Found" },
    { .index = G_MAXUINT32, .start_ns = G_MININT64, .end_ns = G_MAXINT64, .worker = -1, .status = G_MININT32 },
    { .index = 1, .error = (char *) "caf\xc3\xa9 \xff\xfe not UTF-8" },
    { .index = 2, .error = (char *) "" },
    { .index = 3, .error = long_text },
  };

  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(GBytes) reference = encode (LAB_FRAME_RESULT, lab_protocol_encode_result (&results[i]));
      int fd = memfd_create ("frames", MFD_CLOEXEC);
      g_autoptr(LabFrameWriter) writer = lab_frame_writer_new (fd);
      g_autoptr(GBytes) by_hand = NULL;
      guint8 frame[4096];
      gsize len;

      lab_frame_writer_append_result (writer, &results[i]);
      by_hand = take_written (writer, fd);
      g_assert_true (g_bytes_equal (by_hand, reference));

      len = lab_protocol_encode_result_frame (&results[i], frame, sizeof frame);
      if (g_bytes_get_size (reference) <= sizeof frame)
        g_assert_cmpmem (frame, len, g_bytes_get_data (reference, NULL), g_bytes_get_size (reference));
    }

  /* A text too long for the room is cut at a character boundary, and the
   * frame is still one a reader takes. */
  for (gsize room = 78; room < 90; room++)
    {
      LabJobResult r = { .index = 9, .error = (char *) "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" };
      g_autoptr(LabFrameReader) reader = NULL;
      g_autoptr(GVariant) payload = NULL;
      g_autoptr(GError) error = NULL;
      LabJobResult out = { 0 };
      LabFrameType type;
      guint8 frame[128];
      gsize len = lab_protocol_encode_result_frame (&r, frame, room);
      int fd = memfd_create ("frames", MFD_CLOEXEC);

      g_assert_cmpuint (len, >, 0);
      g_assert_cmpuint (len, <=, room);
      write_all (fd, frame, len);
      g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
      reader = lab_frame_reader_new (fd);
      g_assert_true (lab_frame_reader_read (reader, &type, &payload, &error));
      g_assert_no_error (error);
      lab_protocol_decode_result (payload, &out);
      g_assert_cmpuint (out.index, ==, 9);
      /* Whole characters of two bytes each; none at all reads as a bare failure. */
      if (len == LAB_PROTOCOL_HEADER + 70)
        g_assert_cmpstr (out.error, ==, "The job failed");
      else
        {
          g_assert_cmpuint (strlen (out.error), ==, len - LAB_PROTOCOL_HEADER - 70);
          g_assert_cmpuint (strlen (out.error) % 2, ==, 0);
          g_assert_true (g_str_has_prefix (r.error, out.error));
        }
      lab_job_result_clear (&out);
      close (fd);
    }
  g_assert_cmpuint (lab_protocol_encode_result_frame (&results[0], (guint8[64]) { 0 }, 64), ==, 0);
}

/* Reads one frame from @data the app's way: RESULT by hand, else through
 * GVariant (@by_hand FALSE: always through GVariant). Returns whether it
 * was a valid RESULT, filling @out. */
static gboolean
read_result (const guint8  *data,
             gsize          len,
             gboolean       by_hand,
             LabJobResult  *out)
{
  int fd = memfd_create ("frames", MFD_CLOEXEC);
  g_autoptr(LabFrameReader) reader = NULL;
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(GError) error = NULL;
  LabFrameType type;
  gboolean ok;

  write_all (fd, data, len);
  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  reader = lab_frame_reader_new (fd);
  g_assert_cmpint (lab_frame_reader_fill (reader, NULL), ==, (gssize) len);
  if (by_hand && lab_frame_reader_next_result (reader, out, &error))
    ok = TRUE;
  else if (error == NULL && lab_frame_reader_next (reader, &type, &payload, &error))
    {
      ok = type == LAB_FRAME_RESULT;
      if (ok)
        lab_protocol_decode_result (payload, out);
    }
  else
    ok = FALSE;
  if (!ok && error != NULL)
    g_assert_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL);
  close (fd);
  return ok;
}

/* The app reads RESULT frames by hand: it takes exactly the frames
 * GVariant takes in normal form, and reads the same values, whatever
 * byte of a frame is changed to whatever value. */
static void
test_result_read_by_hand (void)
{
  LabJobResult in = { .index = 7, .start_ns = 10, .end_ns = 25, .phase_ns = 18, .cpu_ns = 12, .worker = 4242,
                      .bytes = 1 << 20, .value = -3, .status = 404, .error = (char *) "caf\xc3\xa9 404" };
  const guint8 values[] = { 0x00, 0x01, 0x02, 0x41, 0x7f, 0x80, 0xa9, 0xc3, 0xff };
  guint8 frame[256];
  gsize len = lab_protocol_encode_result_frame (&in, frame, sizeof frame);
  guint n_valid = 0, n_refused = 0;

  for (gsize at = 0; at <= len; at++)
    for (guint v = 0; v < G_N_ELEMENTS (values) + 1; v++)
      {
        guint8 changed[256];
        gsize changed_len = len;
        LabJobResult a = { 0 }, b = { 0 };
        gboolean ok_a, ok_b;

        memcpy (changed, frame, len);
        /* Past the last value: the frame cut short by a byte, its header saying so. */
        if (v == G_N_ELEMENTS (values))
          {
            if (at < LAB_PROTOCOL_HEADER + 1 || at == len)
              continue;
            changed_len = at;
            changed[0] = at - LAB_PROTOCOL_HEADER;
          }
        else if (at < len)
          changed[at] = values[v];
        else
          continue;

        ok_a = read_result (changed, changed_len, TRUE, &a);
        ok_b = read_result (changed, changed_len, FALSE, &b);
        if (ok_a != ok_b)
          g_error ("byte %" G_GSIZE_FORMAT " = 0x%02x: by hand %d, GVariant %d", at, values[MIN (v, G_N_ELEMENTS (values) - 1)], ok_a, ok_b);
        if (ok_a)
          {
            g_assert_cmpmem (&a, G_STRUCT_OFFSET (LabJobResult, error), &b, G_STRUCT_OFFSET (LabJobResult, error));
            g_assert_cmpuint (a.index, ==, b.index);
            g_assert_cmpint (a.status, ==, b.status);
            g_assert_cmpstr (a.error, ==, b.error);
            n_valid++;
          }
        else
          n_refused++;
        lab_job_result_clear (&a);
        lab_job_result_clear (&b);
      }
  g_assert_cmpuint (n_valid, >, 0);
  g_assert_cmpuint (n_refused, >, 0);
}

static void
test_worker_serves_jobs (void)
{
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GPtrArray) frames = NULL;
  GVariantDict dict;
  int status;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "jobs", "u", 3);
  g_variant_dict_insert (&dict, "size", "t", (guint64) 100);
  concat (input, hello ("primes", g_variant_dict_end (&dict)));
  for (guint i = 0; i < 3; i++)
    concat (input, encode (LAB_FRAME_JOB, g_variant_new_uint32 (2 - i)));

  frames = serve (input->data, input->len, &status);
  g_assert_cmpint (status, ==, LAB_WORKER_EXIT_OK);
  g_assert_cmpuint (frames->len, ==, 4);

  for (guint i = 0; i < frames->len; i++)
    {
      g_autoptr(GVariant) payload = NULL;
      LabJobResult r = { 0 };
      guint type;

      g_variant_get (g_ptr_array_index (frames, i), "(uv)", &type, &payload);
      if (i == 0)
        {
          g_assert_cmpuint (type, ==, LAB_FRAME_READY);
          g_assert_cmpint (g_variant_get_int64 (payload), ==, getpid ());
          continue;
        }
      g_assert_cmpuint (type, ==, LAB_FRAME_RESULT);
      lab_protocol_decode_result (payload, &r);
      g_assert_cmpuint (r.index, ==, 3 - i);
      g_assert_null (r.error);
      g_assert_cmpint (r.end_ns, >=, r.start_ns);
      g_assert_cmpint (r.value, >, 0);
      lab_job_result_clear (&r);
    }
}

static void
expect_fatal (GByteArray *input,
              const char *needle)
{
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GVariant) payload = NULL;
  guint type;
  int status;

  frames = serve (input->data, input->len, &status);
  g_assert_cmpint (status, ==, LAB_WORKER_EXIT_PROTOCOL);
  g_assert_cmpuint (frames->len, >=, 1);
  g_variant_get (g_ptr_array_index (frames, frames->len - 1), "(uv)", &type, &payload);
  g_assert_cmpuint (type, ==, LAB_FRAME_FATAL);
  if (!strstr (g_variant_get_string (payload, NULL), needle))
    g_error ("“%s” does not contain “%s”", g_variant_get_string (payload, NULL), needle);
}

static void
test_worker_refuses_bad_input (void)
{
  const guint8 garbage[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    expect_fatal (input, "No HELLO");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    g_byte_array_append (input, garbage, sizeof garbage - 1);
    expect_fatal (input, "header");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    concat (input, encode (LAB_FRAME_JOB, g_variant_new_uint32 (0)));
    expect_fatal (input, "HELLO");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    concat (input, hello ("no-such-task", NULL));
    expect_fatal (input, "Unknown task");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    concat (input, encode (LAB_FRAME_HELLO, g_variant_new ("(ust)", 99, "sleep", (guint64) 0)));
    expect_fatal (input, "version");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    GVariantDict dict;
    g_variant_dict_init (&dict, NULL);
    g_variant_dict_insert (&dict, "seconds", "ad", NULL);
    g_variant_dict_insert_value (&dict, "seconds", g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, (double[]) { -1.0 }, 1, sizeof (double)));
    concat (input, hello ("sleep", g_variant_dict_end (&dict)));
    expect_fatal (input, "--seconds");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    concat (input, hello ("sleep", NULL));
    concat (input, encode (LAB_FRAME_JOB, g_variant_new_uint32 (5)));
    expect_fatal (input, "out of range");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    concat (input, hello ("sleep", NULL));
    concat (input, encode (LAB_FRAME_FATAL, g_variant_new_string ("x")));
    expect_fatal (input, "JOB");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    const guint8 half[] = { 4, 0, 0, 0, LAB_FRAME_JOB, 0 };
    concat (input, hello ("sleep", NULL));
    g_byte_array_append (input, half, sizeof half);
    expect_fatal (input, "middle of a frame");
  }
}

/* 200 000 URLs, about 6 MB: far over a frame, yet a HELLO like any. */
static GVariant *
many_urls (guint n)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  GVariantDict dict;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (urls, g_strdup_printf ("http://127.0.0.1:1/photos/%07u.jpg", i));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "urls", g_variant_new_strv ((const char * const *) urls->pdata, urls->len));
  g_variant_dict_insert (&dict, "timeout", "d", 5.0);
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static void
test_hello_large_params (void)
{
  g_autoptr(GVariant) params = many_urls (200000);
  g_autoptr(GBytes) bytes = hello ("download", g_variant_ref (params));
  g_autoptr(LabFrameReader) reader = NULL;
  g_autoptr(GVariant) got = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *task = NULL;
  const guint8 *data;
  gsize len, at = 0;
  guint version, n_params = 0;
  int fd;

  g_assert_cmpuint (g_variant_get_size (params), >, LAB_PROTOCOL_MAX_FRAME);
  /* Every frame is within the limit; the pieces are PARAMS frames. */
  data = g_bytes_get_data (bytes, &len);
  while (at < len)
    {
      guint32 size = data[at] | data[at + 1] << 8 | data[at + 2] << 16 | (guint32) data[at + 3] << 24;

      g_assert_cmpuint (size, <=, LAB_PROTOCOL_PARAMS_CHUNK);
      n_params += data[at + 4] == LAB_FRAME_PARAMS;
      at += LAB_PROTOCOL_HEADER + size;
    }
  g_assert_cmpuint (at, ==, len);
  g_assert_cmpuint (n_params, ==, (g_variant_get_size (params) + LAB_PROTOCOL_PARAMS_CHUNK - 1) / LAB_PROTOCOL_PARAMS_CHUNK);

  fd = memfd_create ("hello", MFD_CLOEXEC);
  g_assert_cmpint (write (fd, data, len), ==, (gssize) len);
  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  reader = lab_frame_reader_new (fd);
  g_assert_true (lab_protocol_read_hello (reader, &version, &task, &got, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (version, ==, LAB_PROTOCOL_VERSION);
  g_assert_cmpstr (task, ==, "download");
  g_assert_true (g_variant_equal (got, params));
  close (fd);
}

static void
expect_bad_hello (GByteArray *input,
                  const char *needle)
{
  g_autoptr(LabFrameReader) reader = NULL;
  g_autoptr(GVariant) params = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *task = NULL;
  guint version;
  int fd = memfd_create ("hello", MFD_CLOEXEC);

  g_assert_cmpint (write (fd, input->data, input->len), ==, (gssize) input->len);
  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  reader = lab_frame_reader_new (fd);
  g_assert_false (lab_protocol_read_hello (reader, &version, &task, &params, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL);
  if (!strstr (error->message, needle))
    g_error ("“%s” does not contain “%s”", error->message, needle);
  g_assert_null (params);
  g_assert_null (task);
  close (fd);
}

static GBytes *
params_piece (const char *text)
{
  return encode (LAB_FRAME_PARAMS, g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, text, strlen (text), 1));
}

static GBytes *
raw_hello (guint64 size)
{
  return encode (LAB_FRAME_HELLO, g_variant_new ("(ust)", LAB_PROTOCOL_VERSION, "sleep", size));
}

/* The parameters' pieces can be wrong in every way; each is refused. */
static void
test_hello_bad_params (void)
{
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    concat (input, raw_hello ((guint64) LAB_PROTOCOL_MAX_PARAMS + 1));
    expect_bad_hello (input, "longer than the limit");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    concat (input, raw_hello (4));
    concat (input, params_piece ("12345678"));
    expect_bad_hello (input, "goes past");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    concat (input, raw_hello (16));
    concat (input, params_piece ("12345678"));
    expect_bad_hello (input, "ended before");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    concat (input, raw_hello (16));
    concat (input, encode (LAB_FRAME_JOB, g_variant_new_uint32 (0)));
    expect_bad_hello (input, "Expected a PARAMS frame");
  }
  {
    /* 8 bytes that are no a{sv} in normal form. */
    g_autoptr(GByteArray) input = g_byte_array_new ();
    concat (input, raw_hello (8));
    concat (input, params_piece ("\377\377\377\377\377\377\377\377"));
    expect_bad_hello (input, "Malformed task parameters");
  }
  {
    g_autoptr(GByteArray) input = g_byte_array_new ();
    concat (input, params_piece ("12345678"));
    expect_bad_hello (input, "Expected a HELLO frame");
  }
  {
    /* Version 1's HELLO carried the dictionary: malformed to version 2. */
    g_autoptr(GByteArray) input = g_byte_array_new ();
    g_autoptr(GVariant) v1 = g_variant_ref_sink (g_variant_new ("(usa{sv})", 1, "sleep", NULL));
    guint8 header[LAB_PROTOCOL_HEADER] = { g_variant_get_size (v1), 0, 0, 0, LAB_FRAME_HELLO };

    g_byte_array_append (input, header, sizeof header);
    g_byte_array_append (input, g_variant_get_data (v1), g_variant_get_size (v1));
    expect_bad_hello (input, "Malformed");
  }
}

/* The worker sets its task up from parameters over a frame long: 150 000
 * values of --seconds (1.2 MB) for three quick jobs. */
static void
test_worker_large_params (void)
{
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GPtrArray) frames = NULL;
  g_autofree double *zeros = g_new0 (double, 150000);
  GVariantDict dict;
  int status;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "seconds", g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, zeros, 150000, sizeof (double)));
  g_variant_dict_insert (&dict, "jobs", "u", 3);
  concat (input, hello ("sleep", g_variant_dict_end (&dict)));
  for (guint i = 0; i < 3; i++)
    concat (input, encode (LAB_FRAME_JOB, g_variant_new_uint32 (i)));
  g_assert_cmpuint (input->len, >, LAB_PROTOCOL_MAX_FRAME);

  frames = serve (input->data, input->len, &status);
  g_assert_cmpint (status, ==, LAB_WORKER_EXIT_OK);
  g_assert_cmpuint (frames->len, ==, 4);
  for (guint i = 1; i < frames->len; i++)
    {
      g_autoptr(GVariant) payload = NULL;
      LabJobResult r = { 0 };
      guint type;

      g_variant_get (g_ptr_array_index (frames, i), "(uv)", &type, &payload);
      g_assert_cmpuint (type, ==, LAB_FRAME_RESULT);
      lab_protocol_decode_result (payload, &r);
      g_assert_cmpuint (r.index, ==, i - 1);
      g_assert_null (r.error);
      lab_job_result_clear (&r);
    }
}

/* The real executable: garbage in, a clear message and status 3 out. */
static void
test_worker_executable (void)
{
  const char *worker = g_getenv ("LAB_WORKER_PATH");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GBytes) in = g_bytes_new_static ("\xff\xff\xff\xff garbage", 13);
  g_autoptr(GError) error = NULL;
  const char *err_text;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, worker, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, in, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, LAB_WORKER_EXIT_PROTOCOL);
  err_text = g_bytes_get_data (err, NULL);
  g_assert_nonnull (err_text);
  g_assert_true (g_str_has_prefix (err_text, "concurrency-lab-worker: "));
  g_assert_cmpuint (g_bytes_get_size (out), >, LAB_PROTOCOL_HEADER);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (out, NULL))[4], ==, LAB_FRAME_FATAL);

  /* And it refuses arguments with a usage status. */
  g_clear_object (&proc);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, worker, "--what", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, LAB_WORKER_EXIT_USAGE);
}

/* The fork server: a child per job, results in the order jobs end. */
static void
test_worker_fork_server (void)
{
  const char *worker = g_getenv ("LAB_WORKER_PATH");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabFrameReader) reader = NULL;
  GVariantDict dict;
  gint64 server_pid = 0, spawned_pid, pids[2] = { 0 };
  guint order[2], n_results = 0;
  int fds[2];

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "seconds", g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, (double[]) { 0.3, 0.0 }, 2, sizeof (double)));
  concat (input, hello ("sleep", g_variant_dict_end (&dict)));
  concat (input, encode (LAB_FRAME_JOB, g_variant_new_uint32 (0)));
  concat (input, encode (LAB_FRAME_JOB, g_variant_new_uint32 (1)));
  in = g_byte_array_free_to_bytes (g_steal_pointer (&input));

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           worker, "--fork", NULL);
  g_assert_no_error (error);
  spawned_pid = atoll (g_subprocess_get_identifier (proc));
  g_subprocess_communicate (proc, in, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, LAB_WORKER_EXIT_OK);

  make_pipe (fds);
  write_all (fds[1], g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  close (fds[1]);
  reader = lab_frame_reader_new (fds[0]);
  for (;;)
    {
      g_autoptr(GVariant) payload = NULL;
      LabJobResult r = { 0 };
      LabFrameType type;

      if (!lab_frame_reader_read (reader, &type, &payload, &error))
        break;
      if (type == LAB_FRAME_READY)
        {
          server_pid = g_variant_get_int64 (payload);
          continue;
        }
      g_assert_cmpint (type, ==, LAB_FRAME_RESULT);
      lab_protocol_decode_result (payload, &r);
      g_assert_null (r.error);
      g_assert_cmpuint (n_results, <, 2);
      order[n_results++] = r.index;
      pids[r.index] = r.worker;
    }
  g_assert_no_error (error);
  close (fds[0]);

  /* The quick job ends first; each ran in its own child of the server. */
  g_assert_cmpuint (n_results, ==, 2);
  g_assert_cmpuint (order[0], ==, 1);
  g_assert_cmpuint (order[1], ==, 0);
  g_assert_cmpint (server_pid, ==, spawned_pid);
  g_assert_cmpint (pids[0], !=, server_pid);
  g_assert_cmpint (pids[1], !=, server_pid);
  g_assert_cmpint (pids[0], !=, pids[1]);
}

static gboolean
read_one (LabFrameReader  *reader,
          LabFrameType     expected,
          GVariant       **payload)
{
  g_autoptr(GError) error = NULL;
  LabFrameType type;

  if (!lab_frame_reader_read (reader, &type, payload, &error))
    {
      g_assert_no_error (error);
      return FALSE;
    }
  g_assert_cmpint (type, ==, expected);
  return TRUE;
}

/* A fork server asked for a pool's worker: SPAWNED comes with the worker's
 * pipes and a pidfd; the worker says READY and serves jobs on them; once
 * its input ends it exits, and the server says so (EXITED), then exits
 * itself once its own input ends. */
static void
test_worker_fork_server_workers (void)
{
  const char *worker = g_getenv ("LAB_WORKER_PATH");
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(LabFrameReader) server = NULL;
  g_autoptr(LabFrameReader) from_worker = NULL;
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;
  int to_server[2], from_server[2], fds[3];
  guint32 tag, n_fds;
  gint64 server_pid = 0, pid;
  LabJobResult r = { 0 };
  int status;
  GPid spawned;

  make_pipe (to_server);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, from_server), ==, 0);
  g_assert_true (g_spawn_async_with_fds (NULL, (char *[]) { (char *) worker, (char *) "--fork", NULL }, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &spawned,
                                         to_server[0], from_server[1], -1, &error));
  g_assert_no_error (error);
  close (to_server[0]);
  close (from_server[1]);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "jobs", "u", 3);
  g_variant_dict_insert (&dict, "size", "t", (guint64) 100);
  concat (input, hello ("primes", g_variant_dict_end (&dict)));
  concat (input, encode (LAB_FRAME_WORKER, g_variant_new_uint32 (5)));
  write_all (to_server[1], input->data, input->len);

  server = lab_frame_reader_new_for_socket (from_server[0]);
  g_assert_true (read_one (server, LAB_FRAME_READY, &payload));
  server_pid = g_variant_get_int64 (payload);
  g_assert_cmpint (server_pid, ==, spawned);
  g_clear_pointer (&payload, g_variant_unref);

  g_assert_true (read_one (server, LAB_FRAME_SPAWNED, &payload));
  g_variant_get (payload, "(uxu)", &tag, &pid, &n_fds);
  g_clear_pointer (&payload, g_variant_unref);
  g_assert_cmpuint (tag, ==, 5);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (pid, !=, server_pid);
  g_assert_cmpuint (n_fds, >=, 2);
  g_assert_cmpuint (lab_frame_reader_take_fds (server, fds, n_fds), ==, n_fds);

  /* The worker: READY, then the job it is sent. */
  write_all (fds[0], g_bytes_get_data (encode (LAB_FRAME_JOB, g_variant_new_uint32 (2)), NULL), 12);
  close (fds[0]);
  from_worker = lab_frame_reader_new (fds[1]);
  g_assert_true (read_one (from_worker, LAB_FRAME_READY, &payload));
  g_assert_cmpint (g_variant_get_int64 (payload), ==, pid);
  g_clear_pointer (&payload, g_variant_unref);
  g_assert_true (read_one (from_worker, LAB_FRAME_RESULT, &payload));
  lab_protocol_decode_result (payload, &r);
  g_clear_pointer (&payload, g_variant_unref);
  g_assert_cmpuint (r.index, ==, 2);
  g_assert_cmpint (r.worker, ==, pid);
  g_assert_null (r.error);
  /* Its input closed, it ends: nothing more comes. */
  g_assert_false (read_one (from_worker, LAB_FRAME_RESULT, &payload));
  close (fds[1]);
  if (n_fds > 2)
    close (fds[2]);

  g_assert_true (read_one (server, LAB_FRAME_EXITED, &payload));
  g_variant_get (payload, "(xi)", &pid, &status);
  g_clear_pointer (&payload, g_variant_unref);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, LAB_WORKER_EXIT_OK);

  close (to_server[1]);
  g_assert_false (read_one (server, LAB_FRAME_EXITED, &payload));
  g_assert_cmpint (waitpid (spawned, &status, 0), ==, spawned);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, LAB_WORKER_EXIT_OK);
  close (from_server[0]);
}

/* Asked for a worker when its output is no socket, a fork server cannot
 * hand the worker's pipes over: it says so, and stops. */
static void
test_worker_fork_server_needs_socket (void)
{
  const char *worker = g_getenv ("LAB_WORKER_PATH");
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GByteArray) input = g_byte_array_new ();
  g_autoptr(GBytes) in = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  concat (input, hello ("sleep", g_variant_new ("a{sv}", NULL)));
  concat (input, encode (LAB_FRAME_WORKER, g_variant_new_uint32 (0)));
  in = g_byte_array_free_to_bytes (g_steal_pointer (&input));
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, worker, "--fork", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, in, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, LAB_WORKER_EXIT_PROTOCOL);
  g_assert_nonnull (memmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "socket", 6));
}

int
main (int    argc,
      char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/protocol/roundtrip", test_roundtrip);
  g_test_add_func ("/protocol/result-by-hand", test_result_by_hand);
  g_test_add_func ("/protocol/result-read-by-hand", test_result_read_by_hand);
  g_test_add_func ("/protocol/split-frames", test_split_frames);
  g_test_add_func ("/protocol/malformed", test_malformed);
  g_test_add_func ("/protocol/hello/large-params", test_hello_large_params);
  g_test_add_func ("/protocol/hello/bad-params", test_hello_bad_params);
  g_test_add_func ("/protocol/worker/serves-jobs", test_worker_serves_jobs);
  g_test_add_func ("/protocol/worker/large-params", test_worker_large_params);
  g_test_add_func ("/protocol/worker/refuses-bad-input", test_worker_refuses_bad_input);
  g_test_add_func ("/protocol/worker/executable", test_worker_executable);
  g_test_add_func ("/protocol/worker/fork-server", test_worker_fork_server);
  g_test_add_func ("/protocol/worker/fork-server-workers", test_worker_fork_server_workers);
  g_test_add_func ("/protocol/worker/fork-server-needs-socket", test_worker_fork_server_needs_socket);

  return g_test_run ();
}
