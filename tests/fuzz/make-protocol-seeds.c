/* make-protocol-seeds.c — writes the seed corpus of fuzz-protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real frames, made by the protocol's own writer: what the app sends a
 * worker and what a worker answers, plus the malformed frames of
 * test-protocol. Run it when the protocol changes:
 *
 *   ninja -C _build tests/make-protocol-seeds
 *   _build/tests/make-protocol-seeds tests/fuzz/corpus/protocol
 */
#include "config.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lab-protocol.h"
#include "lab-task.h"

typedef void (*FillFunc) (LabFrameWriter *writer);

static void
save (const char *dir,
      const char *name,
      FillFunc    fill)
{
  int fd = memfd_create ("seed", MFD_CLOEXEC);
  g_autoptr(LabFrameWriter) writer = lab_frame_writer_new (fd);
  g_autoptr(GByteArray) all = g_byte_array_new ();
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  guint8 buf[65536];
  gssize n;

  fill (writer);
  g_assert_true (lab_frame_writer_flush (writer, TRUE, NULL));
  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_byte_array_append (all, buf, n);
  close (fd);
  if (!g_file_set_contents (path, (const char *) all->data, all->len, &error))
    g_error ("%s", error->message);
}

static void
save_raw (const char   *dir,
          const char   *name,
          const guint8 *data,
          gsize         len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, (const char *) data, len, NULL));
}

static GVariant *
sleep_params (guint n_jobs)
{
  GVariantDict dict;
  const double zeros[] = { 0.0, 0.0 };

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, LAB_PARAM_SECONDS,
                               g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, zeros, 2, sizeof (double)));
  g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", n_jobs);
  return g_variant_dict_end (&dict);
}

static void
fill_sleep (LabFrameWriter *w)
{
  lab_frame_writer_append_hello (w, "sleep", sleep_params (3));
  for (guint i = 0; i < 3; i++)
    lab_frame_writer_append_job (w, i);
}

static void
fill_primes (LabFrameWriter *w)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, LAB_PARAM_SIZE, "t", (guint64) 500);
  g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", 2);
  lab_frame_writer_append_hello (w, "primes", g_variant_dict_end (&dict));
  lab_frame_writer_append_job (w, 1);
  lab_frame_writer_append_job (w, 0);
}

static void
fill_download (LabFrameWriter *w)
{
  const char *urls[] = { "http://127.0.0.1:1/a.jpg", "https://example.org/b.jpg", NULL };
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, LAB_PARAM_URLS, g_variant_new_strv (urls, -1));
  g_variant_dict_insert (&dict, LAB_PARAM_OUTPUT, "s", "/nonexistent/out");
  g_variant_dict_insert (&dict, LAB_PARAM_TIMEOUT, "d", 5.0);
  g_variant_dict_insert (&dict, LAB_PARAM_MAX_BYTES, "t", (guint64) 1 << 20);
  lab_frame_writer_append_hello (w, "download", g_variant_dict_end (&dict));
  lab_frame_writer_append_job (w, 0);
}

static void
fill_empty_params (LabFrameWriter *w)
{
  lab_frame_writer_append_hello (w, "sleep", NULL);
  lab_frame_writer_append_job (w, 0);
}

/* The same dictionary in three PARAMS pieces: the reader takes any cut. */
static void
fill_split_params (LabFrameWriter *w)
{
  g_autoptr(GVariant) params = g_variant_ref_sink (sleep_params (2));
  const guint8 *data = g_variant_get_data (params);
  gsize size = g_variant_get_size (params), cut1 = size / 3, cut2 = 2 * size / 3;

  lab_frame_writer_append (w, LAB_FRAME_HELLO, g_variant_new ("(ust)", LAB_PROTOCOL_VERSION, "sleep", (guint64) size));
  lab_frame_writer_append (w, LAB_FRAME_PARAMS, g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, cut1, 1));
  lab_frame_writer_append (w, LAB_FRAME_PARAMS, g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data + cut1, cut2 - cut1, 1));
  lab_frame_writer_append (w, LAB_FRAME_PARAMS, g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data + cut2, size - cut2, 1));
  lab_frame_writer_append_job (w, 1);
}

static void
fill_answers (LabFrameWriter *w)
{
  LabJobResult ok = { .index = 0, .start_ns = 100, .end_ns = 250, .cpu_ns = 120, .worker = 4242,
                      .bytes = 1 << 20, .value = 9592, .status = 200 };
  LabJobResult failed = { .index = 1, .start_ns = 300, .end_ns = 301, .worker = 4243,
                          .status = 404, .error = (char *) "HTTP 404 Not Found" };

  lab_frame_writer_append_ready (w, 4242);
  lab_frame_writer_append_result (w, &ok);
  lab_frame_writer_append_result (w, &failed);
  lab_frame_writer_append (w, LAB_FRAME_FATAL, g_variant_new_string ("Job index out of range"));
}

/* What a process pool's fork server says (its descriptors, which go with
 * SPAWNED, cannot be in a file). */
static void
fill_server_answers (LabFrameWriter *w)
{
  lab_frame_writer_append_ready (w, 4241);
  lab_frame_writer_append (w, LAB_FRAME_SPAWNED, g_variant_new ("(uxu)", 0, G_GINT64_CONSTANT (4242), 3));
  lab_frame_writer_append (w, LAB_FRAME_SPAWNED, g_variant_new ("(uxu)", 1, G_GINT64_CONSTANT (0), 0));
  lab_frame_writer_append (w, LAB_FRAME_EXITED, g_variant_new ("(xi)", G_GINT64_CONSTANT (4242), 0));
}

/* A worker asked for workers, which only a fork server makes. */
static void
fill_worker_requests (LabFrameWriter *w)
{
  lab_frame_writer_append_hello (w, "sleep", sleep_params (2));
  lab_frame_writer_append (w, LAB_FRAME_WORKER, g_variant_new_uint32 (0));
  lab_frame_writer_append_job (w, 1);
}

int
main (int    argc,
      char **argv)
{
  const guint8 unknown_type[] = { 4, 0, 0, 0, 99, 0, 0, 0, 1, 2, 3, 4 };
  const guint8 too_long[] = { 0xff, 0xff, 0xff, 0x7f, LAB_FRAME_JOB, 0, 0, 0 };
  const guint8 truncated[] = { 40, 0, 0, 0, LAB_FRAME_RESULT, 0, 0, 0, 1, 2 };
  const char *dir;

  if (argc != 2)
    {
      g_printerr ("usage: make-protocol-seeds DIR\n");
      return 2;
    }
  dir = argv[1];
  g_mkdir_with_parents (dir, 0755);

  save (dir, "hello-sleep", fill_sleep);
  save (dir, "hello-primes", fill_primes);
  save (dir, "hello-download", fill_download);
  save (dir, "hello-empty-params", fill_empty_params);
  save (dir, "hello-split-params", fill_split_params);
  save (dir, "answers", fill_answers);
  save (dir, "server-answers", fill_server_answers);
  save (dir, "hello-worker-request", fill_worker_requests);
  save_raw (dir, "unknown-type", unknown_type, sizeof unknown_type);
  save_raw (dir, "too-long", too_long, sizeof too_long);
  save_raw (dir, "truncated", truncated, sizeof truncated);
  return 0;
}
