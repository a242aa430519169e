/* fuzz-protocol.c — libFuzzer target: the worker protocol's decoders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One input is the bytes that arrive on a worker pipe, in either
 * direction. They go through the frame reader (every frame, RESULT
 * payloads decoded as the app does, by hand, and through GVariant: both
 * must read the same), through the worker's HELLO and
 * PARAMS reassembly, and, when they set up a task that costs nothing to
 * run (sleep of 0 s, primes of a few numbers), through the worker's whole
 * serve loop. A CRITICAL or WARNING from GLib is a crash here: the
 * decoders must refuse bad input with a GError, never trip an assertion.
 */
#include "config.h"

#include <stdint.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>

#include "lab-protocol.h"
#include "lab-task.h"
#include "lab-worker-loop.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_CHEAP_JOBS 64
#define MAX_CHEAP_SIZE 2000

static int null_fd = -1;

static void
drop_printerr (const char *text)
{
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  /* The worker says why it stops on stderr: thousands of times here. */
  g_set_printerr_handler (drop_printerr);
  null_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  return 0;
}

/* A descriptor that reads back @data: a memfd, so any size fits. */
static int
input_fd (const uint8_t *data,
          size_t         size)
{
  int fd = memfd_create ("fuzz-input", MFD_CLOEXEC);

  g_assert (fd >= 0);
  g_assert (write (fd, data, size) == (gssize) size);
  g_assert (lseek (fd, 0, SEEK_SET) == 0);
  return fd;
}

static void
log_result (GString            *log,
            const LabJobResult *r)
{
  g_string_append_printf (log, "R %u %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %"
                          G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT
                          " %d %s\n", r->index, r->start_ns, r->end_ns, r->phase_ns, r->cpu_ns, r->worker,
                          r->bytes, r->value, r->status, r->error ? r->error : "(ok)");
}

/* Every frame, as the app's poll loop reads them (@by_hand: RESULT frames
 * without a GVariant, as it does; else every frame through GVariant),
 * written down in @log. */
static void
read_frames (const uint8_t *data,
             size_t         size,
             gboolean       by_hand,
             GString       *log)
{
  int fd = input_fd (data, size);
  g_autoptr(LabFrameReader) reader = lab_frame_reader_new (fd);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) payload = NULL;
      LabJobResult result = { 0 };
      LabFrameType type;

      if (by_hand && lab_frame_reader_next_result (reader, &result, &error))
        {
          log_result (log, &result);
          lab_job_result_clear (&result);
          continue;
        }
      if (error == NULL && lab_frame_reader_next (reader, &type, &payload, &error))
        {
          g_assert (g_variant_is_of_type (payload, lab_frame_type_get_variant_type (type)));
          if (type == LAB_FRAME_RESULT)
            {
              lab_protocol_decode_result (payload, &result);
              log_result (log, &result);
              lab_job_result_clear (&result);
            }
          else
            g_string_append_printf (log, "T %u\n", type);
          continue;
        }
      if (error != NULL)
        g_string_append_printf (log, "E %s\n", error->message);
      if (error != NULL || lab_frame_reader_fill (reader, &error) <= 0)
        break;
    }
  close (fd);
}

/* RESULT frames read by hand are exactly those GVariant takes, with the
 * same values, and the same error for those it refuses. */
static void
read_frames_both_ways (const uint8_t *data,
                       size_t         size)
{
  g_autoptr(GString) by_hand = g_string_new (NULL);
  g_autoptr(GString) by_gvariant = g_string_new (NULL);

  read_frames (data, size, TRUE, by_hand);
  read_frames (data, size, FALSE, by_gvariant);
  g_assert (g_string_equal (by_hand, by_gvariant));
}

/* Whether a task set up from @params runs its jobs in no time. */
static gboolean
is_cheap (const char *task,
          GVariant   *params)
{
  g_autoptr(GVariant) seconds = NULL;
  guint32 jobs = 1;
  guint64 size = G_MAXUINT64;

  if (g_variant_lookup (params, LAB_PARAM_JOBS, "u", &jobs) && jobs > MAX_CHEAP_JOBS)
    return FALSE;

  if (g_str_equal (task, "sleep"))
    {
      const double *values;
      gsize n;

      /* No --seconds is 1 s a job. */
      seconds = g_variant_lookup_value (params, LAB_PARAM_SECONDS, G_VARIANT_TYPE ("ad"));
      if (seconds == NULL)
        return FALSE;
      values = g_variant_get_fixed_array (seconds, &n, sizeof (double));
      for (gsize i = 0; i < n; i++)
        if (!(values[i] == 0.0))
          return FALSE;
      return n <= MAX_CHEAP_JOBS;
    }

  if (g_str_equal (task, "primes"))
    return g_variant_lookup (params, LAB_PARAM_SIZE, "t", &size) && size <= MAX_CHEAP_SIZE;

  /* The others load modules, reach the network or decode images. */
  return FALSE;
}

static void
serve_if_cheap (const uint8_t *data,
                size_t         size)
{
  g_autoptr(LabFrameReader) reader = NULL;
  g_autoptr(GVariant) params = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *task = NULL;
  guint version;
  int fd = input_fd (data, size);
  gboolean ok, cheap;

  reader = lab_frame_reader_new (fd);
  ok = lab_protocol_read_hello (reader, &version, &task, &params, &error);
  g_assert (ok == (error == NULL));
  g_assert (!ok || task != NULL);
  g_assert (!ok || version != LAB_PROTOCOL_VERSION || params != NULL);
  close (fd);

  /* A worker refuses a bad HELLO before it sets anything up. */
  cheap = !ok || version != LAB_PROTOCOL_VERSION || is_cheap (task, params);
  if (cheap)
    {
      int status;

      fd = input_fd (data, size);
      status = lab_worker_serve (fd, null_fd);
      g_assert (status == LAB_WORKER_EXIT_OK || status == LAB_WORKER_EXIT_PROTOCOL);
      close (fd);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  read_frames_both_ways (data, size);
  serve_if_cheap (data, size);
  return 0;
}
