/* test-blur.c — the blur task: geometry, Pillow's result, bad files, one
 * core, cancel, every strategy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Test photos and the reference are made by tests/blur-pillow.py with
 * Pillow (python3-pil), doing the seed's exact steps.
 */
#include "config.h"

#include <unistd.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "lab-error.h"
#include "lab-run.h"
#include "lab-task.h"
#include "lab-test-util.h"

/* Sanitizers bring allocators of their own, which map and unmap as they
 * please: page fault counts then say nothing of the blur's. */
#if defined (__SANITIZE_ADDRESS__) || defined (__SANITIZE_THREAD__)
#define OWN_ALLOCATOR 1
#elif defined (__has_feature)
#if __has_feature (address_sanitizer) || __has_feature (thread_sanitizer) || __has_feature (memory_sanitizer)
#define OWN_ALLOCATOR 1
#endif
#endif

static char *tmp_dir;
static char *photos;     /* land.jpg 1800×1200, port.png 900×1500 */
static char *reference;  /* Pillow's results */
static char *python;

/* --- helpers ------------------------------------------------------------ */

static char *
find_python_with_pil (void)
{
  const char *candidates[] = { "/usr/bin/python3", "python3" };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *path = g_find_program_in_path (candidates[i]);
      const char *argv[] = { path, "-c", "import PIL", NULL };
      int status = -1;

      if (path != NULL &&
          g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                        NULL, NULL, &status, NULL) &&
          g_spawn_check_wait_status (status, NULL))
        return g_steal_pointer (&path);
    }

  g_error ("No python3 with Pillow (install python3-pil)");
}

/* Runs tests/blur-pillow.py and returns what it printed. */
static char *
pillow (const char *command,
        ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  const char *arg;
  int status;
  va_list args;

  g_ptr_array_add (argv, g_strdup (python));
  g_ptr_array_add (argv, g_build_filename (g_getenv ("LAB_SOURCE_DIR"), "tests", "blur-pillow.py", NULL));
  g_ptr_array_add (argv, g_strdup (command));
  va_start (args, command);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("blur-pillow.py %s failed: %s", command, err);
  return out;
}

static LabRunConfig *
blur_config (const char  *strategy,
             guint        workers,
             const char  *images,
             const char  *output,
             guint        jobs)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "images", g_variant_new_bytestring (images));
  g_variant_dict_insert_value (&dict, "output", g_variant_new_bytestring (output));
  if (jobs > 0)
    g_variant_dict_insert (&dict, "jobs", "u", jobs);
  return lab_test_config ("blur", strategy, workers, g_variant_dict_end (&dict));
}

static LabRun *
run_blur (const char  *strategy,
          guint        workers,
          const char  *images,
          const char  *output,
          guint        jobs)
{
  g_autoptr(LabRunConfig) config = blur_config (strategy, workers, images, output, jobs);
  g_autoptr(GError) error = NULL;
  g_autoptr(LabRun) run = lab_run_new (config, &error);

  g_assert_no_error (error);
  lab_run_execute (run, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
  return g_steal_pointer (&run);
}

static char *
new_dir (const char *name)
{
  return lab_test_make_dir (tmp_dir, name);
}

/* --- tests -------------------------------------------------------------- */

static void
test_geometry (void)
{
  g_autofree char *out = new_dir ("geometry");
  g_autofree char *land = g_build_filename (out, "land.jpg", NULL);
  g_autofree char *port = g_build_filename (out, "port.jpg", NULL);
  g_autoptr(LabRun) run = run_blur ("sequential", 1, photos, out, 0);
  guint w = 0, h = 0;

  g_assert_cmpuint (lab_run_get_n_jobs (run), ==, 2);
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_null (lab_run_get_job (run, i)->error);
      g_assert_cmpuint (lab_run_get_job (run, i)->bytes, >, 1000);
    }

  lab_test_jpeg_size (land, &w, &h);
  g_assert_cmpuint (w, ==, 1200);
  g_assert_cmpuint (h, ==, 800);
  lab_test_jpeg_size (port, &w, &h);
  g_assert_cmpuint (w, ==, 720);
  g_assert_cmpuint (h, ==, 1200);
}

/* Same size as Pillow's and a small mean absolute difference (0-255). */
static void
test_like_pillow (void)
{
  g_autofree char *out = new_dir ("like-pillow");
  g_autoptr(LabRun) run = run_blur ("sequential", 1, photos, out, 0);
  g_autofree char *report = pillow ("compare", reference, out, NULL);
  g_auto(GStrv) lines = g_strsplit (g_strstrip (report), "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (lines[i], " ", -1);
      double mad;

      g_test_message ("%s", lines[i]);
      g_assert_cmpstr (words[1], ==, "mad");
      mad = g_ascii_strtod (words[2], NULL);
      g_assert_cmpfloat (mad, <, 2.0);
    }
}

/* PNG's CRC-32 (the zlib one), bit by bit: 17 bytes do not need a table. */
static guint32
png_crc (const guchar *data,
         gsize         len)
{
  guint32 crc = 0xFFFFFFFF;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xEDB88320 & -(crc & 1));
    }
  return ~crc;
}

/* Appends a PNG chunk: length, type, data, CRC of type and data. */
static void
png_chunk (GByteArray   *png,
           const char   *type,
           const guchar *data,
           guint32       len)
{
  guchar be[4] = { len >> 24, len >> 16, len >> 8, len };
  guint start;
  guint32 crc;

  g_byte_array_append (png, be, 4);
  start = png->len;
  g_byte_array_append (png, (const guchar *) type, 4);
  g_byte_array_append (png, data, len);
  crc = png_crc (png->data + start, len + 4);
  be[0] = crc >> 24, be[1] = crc >> 16, be[2] = crc >> 8, be[3] = crc;
  g_byte_array_append (png, be, 4);
}

/* A valid PNG claiming 20000×20000 pixels, with almost no pixel data. */
static void
write_huge_png (const char *path)
{
  static const guchar signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
  static const guchar ihdr[13] = { 0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20, 8, 2, 0, 0, 0 };
  static const guchar idat[8] = { 0x78, 0x9C, 0x03, 0, 0, 0, 0, 1 };  /* zlib, empty */
  g_autoptr(GByteArray) png = g_byte_array_new ();

  g_byte_array_append (png, signature, sizeof signature);
  png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  png_chunk (png, "IDAT", idat, sizeof idat);
  png_chunk (png, "IEND", NULL, 0);
  g_assert_true (g_file_set_contents (path, (char *) png->data, png->len, NULL));
}

static void
write_file (const char *dir,
            const char *name,
            const char *data,
            gssize      len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, len, NULL));
}

/* Sorted by name, so job i is file i: a good photo, then four bad files. */
static char *
make_bad_folder (void)
{
  g_autofree char *good = g_build_filename (photos, "land.jpg", NULL);
  g_autofree char *data = NULL;
  char *dir = new_dir ("bad");
  g_autofree char *huge = g_build_filename (dir, "e_huge.png", NULL);
  gsize len;

  g_assert_true (g_file_get_contents (good, &data, &len, NULL));
  write_file (dir, "a_good.jpg", data, len);
  write_file (dir, "b_text.jpg", "Hello, I am not a photo.\n", -1);
  write_file (dir, "c_empty.jpg", "", 0);
  write_file (dir, "d_truncated.jpg", data, len / 2);
  write_huge_png (huge);
  return dir;
}

static void
check_bad_run (LabRun *run)
{
  static const char * const expected[] = {
    NULL,
    "b_text.jpg: not an image",
    "c_empty.jpg: empty file (0 bytes)",
    "d_truncated.jpg: truncated JPEG",
    "e_huge.png: too large: 20000×20000",
  };

  g_assert_cmpuint (lab_run_get_n_jobs (run), ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, G_N_ELEMENTS (expected) - 1);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const LabJobRecord *job = lab_run_get_job (run, i);

      if (expected[i] == NULL)
        g_assert_cmpint (job->state, ==, LAB_JOB_OK);
      else if (job->error == NULL || !g_str_has_prefix (job->error, expected[i]))
        g_error ("job %u: “%s”, expected “%s…”", i, job->error, expected[i]);
    }
}

/* Each bad file fails its own job; the good one beside them is done,
 * in the app's threads and in worker processes alike. */
static void
test_bad_files (void)
{
  g_autofree char *dir = make_bad_folder ();
  const char * const strategies[] = { "sequential", "process-pool" };

  for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
    {
      g_autofree char *out = new_dir (s ? "bad-out-processes" : "bad-out-threads");
      g_autofree char *made = g_build_filename (out, "a_good.jpg", NULL);
      g_autoptr(LabRun) run = run_blur (strategies[s], 2, dir, out, 0);

      check_bad_run (run);
      g_assert_true (g_file_test (made, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpuint (lab_test_count_entries (out), ==, 1);  /* no partial file */
    }
}

/* The first half of @name in @src, as @cut in @dir; with @end, a JPEG
 * end marker after it, as a cut file that pretends to be whole has. */
static void
write_half (const char *src,
            const char *dir,
            const char *cut,
            gboolean    end)
{
  g_autofree char *data = NULL;
  g_autoptr(GByteArray) half = g_byte_array_new ();
  gsize len;

  g_assert_true (g_file_get_contents (src, &data, &len, NULL));
  g_byte_array_append (half, (guint8 *) data, len / 2);
  if (end)
    g_byte_array_append (half, (const guint8 *) "\xFF\xD9", 2);
  write_file (dir, cut, (const char *) half->data, half->len);
}

/* A good photo and files that libvips fails on halfway, each its own way;
 * small, as the test blurs them many times. */
static char *
make_damaged_folder (void)
{
  g_autofree char *small = g_build_filename (tmp_dir, "small", NULL);
  g_autofree char *tiff = g_build_filename (small, "land.tif", NULL);
  g_autofree char *land = g_build_filename (small, "land.jpg", NULL);
  g_autofree char *port = g_build_filename (small, "port.png", NULL);
  g_autofree char *data = NULL;
  char *dir = new_dir ("damaged");
  gsize len;

  g_free (pillow ("photos", small, "land.jpg:480x320", "port.png:240x400", "land.tif:480x320", NULL));
  g_assert_true (g_file_get_contents (land, &data, &len, NULL));
  write_file (dir, "a_good.jpg", data, len);
  write_half (land, dir, "b_cut.jpg", TRUE);
  write_half (port, dir, "c_cut.png", FALSE);
  write_half (tiff, dir, "d_cut.tif", FALSE);
  return dir;
}

/* A message names its file, says what is wrong, and nothing of the
 * other files' troubles. */
static void
check_damaged_job (const LabJobRecord *job,
                   guint               file)
{
  static const struct { const char *prefix; const char *has; const char *lacks[2]; } expected[] = {
    { NULL },
    { "b_cut.jpg: truncated JPEG", NULL, { "png", "TIFF" } },
    { "c_cut.png: damaged image: ", "png", { "Jpeg", "TIFF" } },
    { "d_cut.tif: damaged image: ", "TIFF", { "png", "Jpeg" } },
  };

  if (expected[file].prefix == NULL)
    {
      g_assert_cmpint (job->state, ==, LAB_JOB_OK);
      return;
    }
  if (job->error == NULL || !g_str_has_prefix (job->error, expected[file].prefix) ||
      (expected[file].has != NULL && strstr (job->error, expected[file].has) == NULL) ||
      strstr (job->error, expected[file].lacks[0]) != NULL || strstr (job->error, expected[file].lacks[1]) != NULL)
    g_error ("“%s” is not the message of %s", job->error, expected[file].prefix);
}

static gboolean
vips_warnings_not_fatal_cb (const char     *log_domain,
                            GLogLevelFlags  level,
                            const char     *message,
                            gpointer        data)
{
  return !(g_strcmp0 (log_domain, "VIPS") == 0 && (level & G_LOG_LEVEL_WARNING));
}

/* libvips's error buffer is the process's: four threads failing on
 * different files, many times, each job still gets its own message. */
static void
test_damaged_files_threads (void)
{
  g_autofree char *dir = make_damaged_folder ();
  g_autofree char *out = new_dir ("damaged-out");

  /* The module drops libvips's warnings; G_DEBUG=fatal-warnings would
   * abort on them all the same. */
  g_test_log_set_fatal_handler (vips_warnings_not_fatal_cb, NULL);
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(LabRun) run = run_blur ("thread-pool", 4, dir, out, 32);

      g_assert_cmpuint (lab_run_get_n_failed (run), ==, 24);
      for (guint i = 0; i < 32; i++)
        check_damaged_job (lab_run_get_job (run, i), i % 4);
    }
  g_assert_cmpuint (lab_test_count_entries (out), ==, 1);
  g_test_log_set_fatal_handler (NULL, NULL);
}

/* What libvips says of damaged files reaches the jobs' messages, not
 * stderr, in the app's threads as in worker processes. */
static void
test_damaged_files_quiet (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "damaged", NULL);
  g_autofree char *out = g_build_filename (tmp_dir, "damaged-quiet", NULL);
  g_autofree char *images_arg = g_strconcat ("--images=", dir, NULL);
  g_autofree char *output_arg = g_strconcat ("--output=", out, NULL);
  const char *strategies[] = { "--strategy=thread-pool", "--strategy=process-pool" };
  const char *env[] = { "G_DEBUG=", NULL };

  for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
    {
      const char *argv[] = { "run", "--task=blur", strategies[s], images_arg, output_arg, "--format=json", NULL };
      g_autofree char *stdout_text = NULL, *err = NULL;

      g_assert_cmpint (lab_test_run_cli (argv, env, &stdout_text, &err), ==, 1);
      g_assert_cmpstr (err, ==, "");
      g_assert_nonnull (strstr (stdout_text, "b_cut.jpg: truncated JPEG"));
      g_assert_nonnull (strstr (stdout_text, "\"failed\" : 3"));
    }
}

/* libvips's own thread pool would spread one job over both cores: the
 * task asks it for one thread, so a sequential run uses one core. */
static void
test_one_core (void)
{
  g_autofree char *out = new_dir ("one-core");
  g_autoptr(LabRun) run = run_blur ("sequential", 1, photos, out, 4);
  LabRunSummary summary;
  double ratio;

  lab_run_get_summary (run, &summary);
  ratio = (double) (summary.user_ns + summary.sys_ns) / summary.wall_ns;
  g_test_message ("CPU %.3f s over %.3f s: %.2f", (summary.user_ns + summary.sys_ns) / 1e9,
                  summary.wall_ns / 1e9, ratio);
  g_assert_cmpuint (summary.n_failed, ==, 0);
  g_assert_cmpfloat (ratio, <=, 1.15);

  /* The job's work is on its own thread's clock. */
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (lab_run_get_job (run, i)->cpu_ns, >, 10 * G_TIME_SPAN_MILLISECOND);
}

/* Cancelled once its one job is seen running: a 24-megapixel photo,
 * seconds of work on any machine, so that the cancel lands while it is
 * blurred however slow this one is. The job stops between strips, says
 * so, and leaves no file; its thread is gone. */
static void
test_cancel (void)
{
  g_autofree char *big = new_dir ("cancel-photo");
  g_autofree char *out = new_dir ("cancel");
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabRun) run = NULL;

  g_free (pillow ("photos", big, "large.jpg:6000x4000", NULL));
  config = blur_config ("sequential", 1, big, out, 1);
  run = lab_run_new (config, &error);
  g_assert_no_error (error);

  lab_test_run_and_cancel (run, 1);
  g_assert_cmpstr (lab_run_get_job (run, 0)->error, ==, "Cancelled");
  g_assert_cmpuint (lab_test_count_entries (out), ==, 0);
  lab_test_assert_workers_gone (run);
}

/* Minor page faults of the process while job 0 runs: pages it touched
 * for the first time (libvips encodes on a thread of its own). */
static glong
job_faults (const LabTaskClass *klass,
            gpointer            plan,
            gpointer            state)
{
  g_autoptr(GError) error = NULL;
  LabJobResult result = { 0 };
  struct rusage before, after;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &before), ==, 0);
  g_assert_true (klass->run_job (plan, state, 0, &result, NULL, &error));
  g_assert_cmpint (getrusage (RUSAGE_SELF, &after), ==, 0);
  g_assert_no_error (error);
  lab_job_result_clear (&result);
  return after.ru_minflt - before.ru_minflt;
}

#define LATER_PHOTOS 4

typedef struct {
  const LabTaskClass *klass;
  gpointer            plan;
  glong               first;   /* faults during a worker's first photo */
  glong               later;   /* during the LATER_PHOTOS after it, together */
} Faults;

/* One worker blurs the same photo again and again, as a pool thread or
 * a worker process does one photo after another. */
static gpointer
count_faults (gpointer data)
{
  Faults *faults = data;
  gpointer state = faults->klass->worker_init (faults->plan);

  faults->first = job_faults (faults->klass, faults->plan, state);
  faults->later = 0;
  for (guint i = 0; i < LATER_PHOTOS; i++)
    faults->later += job_faults (faults->klass, faults->plan, state);
  faults->klass->worker_free (state);
  return NULL;
}

static void
check_faults (const char   *where,
              const Faults *faults,
              glong         photo_pages)
{
  g_printerr ("# %s: %ld page faults for the first photo, %ld for the %d after it "
              "(%ld pages decoded)\n", where, faults->first, faults->later, LATER_PHOTOS, photo_pages);
  g_assert_cmpint (faults->first, <, 4 * photo_pages);
  g_assert_cmpint (faults->later, <, photo_pages);
  g_assert_cmpint (faults->later / LATER_PHOTOS, <, faults->first / 10);
}

/* Photos after a worker's first map next to no fresh memory: the worker
 * keeps the decoded photo's memory, and the allocator the blocks libvips
 * frees (before, a worker process's main heap shrank and grew again by
 * 1 800 pages a photo). Nor does the first photo map several times its
 * size (before, 41 000 pages on a thread, as glibc learned its mmap
 * threshold).
 * Counts, not times; in a new process, so that the first photo is the
 * first there, on a thread (a pool's) and then on the main thread (a
 * worker process's), which have heaps of their own. */
static void
test_reuses_memory (void)
{
  const glong photo_pages = 2400 * 1600 * 3 / 4096;
  g_autofree char *folder = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GVariant) params = NULL;
  g_autoptr(GError) error = NULL;
  Faults faults = { 0 };
  GVariantDict dict;

#ifdef OWN_ALLOCATOR
  g_test_skip ("a sanitizer's allocator maps memory its own way");
  return;
#endif
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  folder = new_dir ("reuses-memory-photo");
  out = new_dir ("reuses-memory");
  g_free (pillow ("photos", folder, "photo.jpg:2400x1600", NULL));
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "images", g_variant_new_bytestring (folder));
  g_variant_dict_insert_value (&dict, "output", g_variant_new_bytestring (out));
  params = g_variant_ref_sink (g_variant_dict_end (&dict));
  faults.klass = lab_task_lookup ("blur", &error);
  g_assert_no_error (error);
  faults.plan = faults.klass->setup (params, NULL, &error);
  g_assert_no_error (error);

  g_thread_join (g_thread_new ("lab-test-blur", count_faults, &faults));
  check_faults ("a thread", &faults, photo_pages);
  count_faults (&faults);
  check_faults ("the main thread", &faults, photo_pages);

  faults.klass->plan_free (faults.plan);
}

/* Every strategy but async blurs; async refuses a CPU task. */
static void
test_strategies (void)
{
  g_autoptr(LabRunConfig) async = lab_test_config ("blur", "async", 2, NULL);
  g_autoptr(GError) error = NULL;

  for (const LabStrategy * const *list = lab_strategy_list (NULL); *list != NULL; list++)
    {
      const char *s = (*list)->name;
      g_autofree char *out = NULL;
      g_autofree char *made = NULL;
      g_autoptr(LabRun) run = NULL;

      if ((*list)->event_loop)
        continue;
      out = new_dir (s);
      made = g_build_filename (out, "port.jpg", NULL);
      run = run_blur (s, 2, photos, out, 0);
      g_assert_cmpuint (lab_run_get_n_failed (run), ==, 0);
      g_assert_true (g_file_test (made, G_FILE_TEST_IS_REGULAR));
    }

  g_assert_null (lab_run_new (async, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED);
}

static void
expect_setup_error (const char *images,
                    const char *output,
                    const char *needle)
{
  g_autoptr(LabRunConfig) config = blur_config ("sequential", 1, images, output, 0);

  lab_test_expect_setup_error (config, LAB_ERROR_INVALID_ARGUMENT, needle);
}

/* Folders that cannot work are refused before any job runs (exit 2). */
static void
test_bad_folders (void)
{
  g_autofree char *empty = new_dir ("no-images");
  g_autofree char *missing = g_build_filename (tmp_dir, "missing", NULL);
  g_autofree char *file = g_build_filename (photos, "land.jpg", NULL);
  g_autofree char *under_file = g_build_filename (file, "out", NULL);
  g_autofree char *arg = g_strconcat ("--images=", missing, NULL);
  const char *argv[] = { "run", "--task=blur", "--strategy=sequential", arg, NULL };
  g_autofree char *err = NULL;

  expect_setup_error (empty, tmp_dir, "No JPEG, PNG, WebP or TIFF files in");
  expect_setup_error (missing, tmp_dir, "Cannot read the image folder");
  expect_setup_error (photos, under_file, "Cannot write to the output folder");

  g_assert_cmpint (lab_test_run_cli (argv, NULL, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "Cannot read the image folder"));
}

/* Without --images: sample photos, made once in the cache (not the
 * folder the download task filled last, which is gone with its run). */
static void
test_default_images (void)
{
  g_autofree char *parent = g_build_filename (g_get_user_cache_dir (), "concurrency-lab", NULL);
  g_autofree char *old = lab_test_make_dir (parent, "downloads-20250101-090000-AAAAAA");
  g_autofree char *samples = g_build_filename (parent, "photos", NULL);
  g_autofree char *source = g_build_filename (photos, "land.jpg", NULL);
  g_autofree char *out = new_dir ("default-images");
  g_autofree char *data = NULL;
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GError) error = NULL;
  GVariantDict dict;
  gsize len;

  g_assert_true (g_file_get_contents (source, &data, &len, NULL));
  write_file (old, "old-1.jpg", data, len);

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "output", g_variant_new_bytestring (out));
  g_variant_dict_insert (&dict, "jobs", "u", 2);
  config = lab_test_config ("blur", "process-pool", 2, g_variant_dict_end (&dict));
  run = lab_run_new (config, &error);
  g_assert_no_error (error);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lab_run_get_n_jobs (run), ==, 2);
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 0);
  g_assert_cmpuint (lab_test_count_entries (samples), ==, 8);
  g_assert_cmpuint (lab_test_count_entries (out), ==, 2);
  lab_test_remove_tree (old);
}

/* Cancelled while it makes the sample photos (seconds, the first time):
 * set-up stops and leaves nothing, not half a set. */
static void
test_default_images_cancel (void)
{
  g_autofree char *cache = g_strdup (g_get_user_cache_dir ());
  g_autofree char *parent = g_build_filename (cache, "concurrency-lab", NULL);
  g_autofree char *out = new_dir ("default-images-cancel");
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, "output", g_variant_new_bytestring (out));
  config = lab_test_config ("blur", "sequential", 1, g_variant_dict_end (&dict));
  run = lab_run_new (config, NULL);

  lab_test_run_and_cancel_when (run, parent, ".photos-");
  g_assert_cmpstr (lab_run_get_error (run), ==, "Cancelled");
  lab_test_assert_empty (cache);
  g_assert_cmpuint (lab_test_count_entries (out), ==, 0);
}

/* Names that would give the same output are told apart: a-3.jpg,
 * a.jpg and a.png give three photos, not two. */
static void
test_same_names (void)
{
  g_autofree char *images = new_dir ("same-names");
  g_autofree char *out = new_dir ("same-names-out");
  g_autofree char *source = g_build_filename (photos, "land.jpg", NULL);
  g_autofree char *data = NULL;
  const char *names[] = { "a-3.jpg", "a.jpg", "a.png" };
  const char *expected[] = { "a-3.jpg", "a.jpg", "a-2.jpg" };
  g_autoptr(LabRun) run = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (source, &data, &len, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    write_file (images, names[i], data, len);
  run = run_blur ("process-pool", 2, images, out, 0);
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 0);
  g_assert_cmpuint (lab_test_count_entries (out), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_build_filename (out, expected[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
}

/* An output folder that set-up made and no job filled goes with the run;
 * one that was there stays. */
static void
test_unfilled_output (void)
{
  g_autofree char *images = new_dir ("only-bad");
  g_autofree char *made = g_build_filename (tmp_dir, "made", NULL);
  g_autofree char *output = g_build_filename (made, "deeper", NULL);
  g_autoptr(LabRun) run = NULL;

  write_file (images, "text.jpg", "Hello, I am not a photo.\n", -1);
  run = run_blur ("thread-pool", 2, images, output, 0);
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 1);
  g_assert_false (g_file_test (made, G_FILE_TEST_EXISTS));

  g_clear_object (&run);
  run = run_blur ("thread-pool", 2, images, images, 0);
  g_assert_true (g_file_test (images, G_FILE_TEST_IS_DIR));
}

/* Folder names are bytes: ones that are not UTF-8 are read and written
 * as they are, by worker processes too. */
static void
test_non_utf8_folders (void)
{
  g_autofree char *images = new_dir ("d-\xff");
  g_autofree char *output = g_build_filename (tmp_dir, "o-\xff", NULL);
  g_autofree char *source = g_build_filename (photos, "land.jpg", NULL);
  g_autofree char *made = g_build_filename (output, "land.jpg", NULL);
  g_autofree char *images_arg = g_strconcat ("--images=", images, NULL);
  g_autofree char *output_arg = g_strconcat ("--output=", output, NULL);
  g_autofree char *missing_arg = g_strconcat ("--images=", tmp_dir, "/missing-\xff", NULL);
  g_autofree char *data = NULL;
  const char *argv[] = { "run", "--task=blur", "--strategy=process-pool", images_arg, output_arg, NULL };
  g_autofree char *err = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (source, &data, &len, NULL));
  write_file (images, "land.jpg", data, len);
  g_assert_cmpint (lab_test_run_cli (argv, NULL, NULL, &err), ==, 0);
  g_assert_true (g_file_test (made, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (lab_test_count_entries (output), ==, 1);

  /* A missing one is named, as well as a name that is not UTF-8 can be. */
  g_clear_pointer (&err, g_free);
  argv[3] = missing_arg;
  g_assert_cmpint (lab_test_run_cli (argv, NULL, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "Cannot read the image folder"));
  g_assert_nonnull (strstr (err, "missing-\xef\xbf\xbd: No such file or directory"));
}

/* The worker executable starts with GLib alone; libvips comes with the
 * module, when the first blur job arrives. */
static void
test_worker_links_glib_only (void)
{
  const char *argv[] = { "ldd", g_getenv ("LAB_WORKER_PATH"), NULL };
  g_autofree char *out = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, &status, NULL));
  g_assert_nonnull (strstr (out, "libglib-2.0"));
  g_assert_null (strstr (out, "libvips"));
}

/* libvips's optional loaders (HEIF, PDF, JPEG XL…) are modules it loads
 * as it starts, some 50 libraries that cost every process that blurs
 * about 40 ms; the blur opens none of their formats, so the program
 * points libvips at a folder without them (_lab_prepare_environment()).
 * LD_DEBUG=files names every library a process, or its workers, loads.
 * The check first shows that the modules are there to be loaded: with a
 * VIPSHOME whose lib/ holds them, they are. */
static void
test_no_optional_vips_modules (void)
{
  const char *modules = g_getenv ("LAB_VIPS_MODULES_DIR");
  g_autofree char *home = new_dir ("vips-home");
  g_autofree char *base = NULL, *link = NULL, *home_env = NULL, *libdir = NULL, *lib = NULL;
  g_autofree char *images = new_dir ("one-photo");
  g_autofree char *source = g_build_filename (photos, "land.jpg", NULL);
  g_autofree char *images_arg = g_strconcat ("--images=", images, NULL);
  g_autofree char *output_arg = g_strconcat ("--output=", tmp_dir, "/no-modules-out", NULL);
  g_autofree char *data = NULL;
  const char *argv[] = { "run", "--task=blur", "--strategy=process-pool", "--workers=1",
                         images_arg, output_arg, NULL };
  /* Unset: this process started libvips, which set VIPSHOME to its prefix. */
  const char *debug_env[] = { "LD_DEBUG=files", "VIPSHOME", NULL };
  const char *home_envs[] = { "LD_DEBUG=files", NULL, NULL };
  g_autofree char *err = NULL;
  gsize len;

  if (modules == NULL || !g_file_test (modules, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("this libvips has no optional modules to load");
      return;
    }

  g_assert_true (g_file_get_contents (source, &data, &len, NULL));
  write_file (images, "land.jpg", data, len);
  /* libvips looks in $VIPSHOME/<the last part of its libdir>. */
  base = g_path_get_basename (modules);
  libdir = g_path_get_dirname (modules);
  lib = g_build_filename (home, strrchr (libdir, '/') + 1, NULL);
  link = g_build_filename (lib, base, NULL);
  g_assert_cmpint (g_mkdir (lib, 0755), ==, 0);
  g_assert_cmpint (symlink (modules, link), ==, 0);

  home_env = g_strconcat ("VIPSHOME=", home, NULL);
  home_envs[1] = home_env;
  g_assert_cmpint (lab_test_run_cli (argv, home_envs, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, base));

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (lab_test_run_cli (argv, debug_env, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, "liblab-tasks-vips.so"));   /* the blur did load libvips */
  g_assert_null (strstr (err, base));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *done = NULL;
  g_autofree char *cache = NULL;
  int status;

  /* A cache folder of our own, for the default folders; set before any
   * thread starts, read by the worker processes too. */
  tmp_dir = g_dir_make_tmp ("test-blur-XXXXXX", &error);
  g_assert_no_error (error);
  cache = g_build_filename (tmp_dir, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);

  lab_test_init (&argc, &argv);
  lab_test_hide_info ("VIPS");
  python = find_python_with_pil ();
  photos = g_build_filename (tmp_dir, "photos", NULL);
  reference = g_build_filename (tmp_dir, "reference", NULL);
  g_free (pillow ("photos", photos, "land.jpg:1800x1200", "port.png:900x1500", NULL));
  done = pillow ("seed", photos, reference, NULL);

  g_test_add_func ("/blur/geometry", test_geometry);
  g_test_add_func ("/blur/like-pillow", test_like_pillow);
  g_test_add_func ("/blur/bad-files", test_bad_files);
  g_test_add_func ("/blur/damaged-files/threads", test_damaged_files_threads);
  g_test_add_func ("/blur/damaged-files/quiet", test_damaged_files_quiet);
  g_test_add_func ("/blur/one-core", test_one_core);
  g_test_add_func ("/blur/cancel", test_cancel);
  g_test_add_func ("/blur/reuses-memory", test_reuses_memory);
  g_test_add_func ("/blur/strategies", test_strategies);
  g_test_add_func ("/blur/bad-folders", test_bad_folders);
  g_test_add_func ("/blur/default-images-cancel", test_default_images_cancel);
  g_test_add_func ("/blur/default-images", test_default_images);
  g_test_add_func ("/blur/unfilled-output", test_unfilled_output);
  g_test_add_func ("/blur/same-names", test_same_names);
  g_test_add_func ("/blur/non-utf8-folders", test_non_utf8_folders);
  g_test_add_func ("/blur/worker-links-glib-only", test_worker_links_glib_only);
  g_test_add_func ("/blur/no-optional-vips-modules", test_no_optional_vips_modules);

  status = g_test_run ();

  if (status == 0)
    lab_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
