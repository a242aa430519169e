/* test-pipeline.c — the pipeline task: download a photo, then blur it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lab-error.h"
#include "lab-run.h"
#include "lab-test-server.h"
#include "lab-test-util.h"

static char *tmp_dir;
static char *cache;      /* XDG_CACHE_HOME: nothing of a run may stay there */
static char *downloads;  /* where the task keeps a job's photo meanwhile */

static LabRun *
new_pipeline (const char         *strategy,
              guint               workers,
              const char * const *urls,
              const char         *output)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  LabRun *run;

  if (urls != NULL)
    g_variant_dict_insert_value (&dict, "urls", g_variant_new_strv (urls, -1));
  else
    g_variant_dict_insert (&dict, "jobs", "u", 2);
  g_variant_dict_insert_value (&dict, "output", g_variant_new_bytestring (output));
  config = lab_test_config ("pipeline", strategy, workers, g_variant_dict_end (&dict));
  run = lab_run_new (config, &error);
  g_assert_no_error (error);
  return run;
}

static char *
new_dir (const char *name)
{
  return lab_test_make_dir (tmp_dir, name);
}

/* Each output is the thumbnail of a blurred photo: a whole JPEG whose
 * longer side is 1200 (the server's photos are larger). */
static void
assert_thumbnails (const char *dir,
                   guint       expected)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      guint w = 0, h = 0;

      lab_test_jpeg_size (path, &w, &h);
      g_assert_cmpuint (MAX (w, h), ==, 1200);
      n++;
    }
  g_assert_cmpuint (n, ==, expected);
}

/* Every strategy but async downloads and blurs; async refuses a task
 * with CPU work. No download is left behind. */
static void
test_strategies (void)
{
  g_autoptr(LabImageServer) server = lab_test_server_new (3, 0);
  g_auto(GStrv) urls = lab_test_server_get_photo_urls (server);
  g_autoptr(LabRunConfig) async = lab_test_config ("pipeline", "async", 2, NULL);
  g_autoptr(GError) error = NULL;

  for (const LabStrategy * const *list = lab_strategy_list (NULL); *list != NULL; list++)
    {
      const char *s = (*list)->name;
      g_autofree char *out = NULL;
      g_autoptr(LabRun) run = NULL;

      if ((*list)->event_loop)
        continue;
      out = new_dir (s);
      run = new_pipeline (s, 2, (const char * const *) urls, out);
      g_assert_true (lab_run_execute (run, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (lab_run_get_n_failed (run), ==, 0);
      for (guint i = 0; i < 3; i++)
        {
          const LabJobRecord *job = lab_run_get_job (run, i);
          gint64 phase = lab_job_record_get_phase (job);

          g_assert_cmpuint (job->bytes, >, 100 * 1000);  /* downloaded */
          /* The download, then the blur: two phases, in that order. */
          g_assert_cmpint (phase, >, job->start_ns);
          g_assert_cmpint (phase, <, job->end_ns);
        }
      assert_thumbnails (out, 3);
      lab_test_assert_empty (cache);
    }

  g_assert_null (lab_run_new (async, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED);
}

/* A failed download fails its own job; the photos beside it are blurred. */
static void
test_failures (void)
{
  g_autoptr(LabImageServer) server = lab_test_server_new (2, 0);
  g_auto(GStrv) photos = lab_test_server_get_photo_urls (server);
  g_autofree char *missing = lab_test_server_get_url (server, LAB_IMAGE_SERVER_PATH_404);
  g_autofree char *text = lab_test_server_get_url (server, LAB_IMAGE_SERVER_PATH_NOT_IMAGE);
  const char *urls[] = { photos[0], missing, text, photos[1], "ftp://example.org/x.jpg", NULL };
  g_autofree char *out = new_dir ("failures");
  g_autoptr(LabRun) run = new_pipeline ("process-pool", 2, urls, out);

  g_assert_true (lab_run_execute (run, NULL, NULL));
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 3);
  g_assert_null (lab_run_get_job (run, 0)->error);
  g_assert_nonnull (strstr (lab_run_get_job (run, 1)->error, "404"));
  g_assert_nonnull (strstr (lab_run_get_job (run, 2)->error, "not an image"));
  g_assert_null (lab_run_get_job (run, 3)->error);
  g_assert_nonnull (strstr (lab_run_get_job (run, 4)->error, "http"));
  assert_thumbnails (out, 2);
}

/* URLs whose last parts share a name give as many photos, named apart,
 * in worker processes as in threads. */
static void
test_same_names (gconstpointer data)
{
  const char *strategy = data;
  g_autoptr(LabTestHttp) http = lab_test_http_new ();
  g_autofree char *a = lab_test_http_get_url (http, "/a/photo.jpg");
  g_autofree char *b = lab_test_http_get_url (http, "/b/photo.png");
  g_autofree char *c = lab_test_http_get_url (http, "/c/photo");
  const char *urls[] = { a, b, c, NULL };
  g_autofree char *name = g_strconcat ("same-names-", strategy, NULL);
  g_autofree char *out = new_dir (name);
  g_autoptr(LabRun) run = new_pipeline (strategy, 2, urls, out);
  const char *expected[] = { "photo.jpg", "photo-2.jpg", "photo-3.jpg" };

  g_assert_true (lab_run_execute (run, NULL, NULL));
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 0);
  assert_thumbnails (out, 3);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_build_filename (out, expected[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
}

/* Without URLs the embedded server is started once, in the app; worker
 * processes get its URLs instead of starting servers of their own. */
static void
test_default_server (void)
{
  g_autofree char *out = new_dir ("default");
  g_autoptr(LabRun) run = new_pipeline ("process-pool", 2, NULL, out);

  g_assert_true (lab_run_execute (run, NULL, NULL));
  g_assert_cmpuint (lab_run_get_n_jobs (run), ==, 2);
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 0);
  assert_thumbnails (out, 2);
}

/* Cancelled mid-download, once the jobs are seen running at 1 kB/s (a photo
 * would take a quarter of an hour): the run stops, its workers are gone,
 * and it leaves no file anywhere. */
static void
test_cancel (gconstpointer data)
{
  const char *strategy = data;
  g_autoptr(LabImageServer) server = lab_test_server_new (2, 0);
  g_auto(GStrv) urls = lab_test_server_get_photo_urls (server);
  g_autofree char *name = g_strconcat ("cancel-", strategy, NULL);
  g_autofree char *out = new_dir (name);
  g_autoptr(LabRun) run = new_pipeline (strategy, 2, (const char * const *) urls, out);

  /* Both jobs running: a process pool's second worker may still be
   * coming when the first one's job starts. */
  lab_test_server_set_bandwidth (server, 1000);
  lab_test_run_and_cancel (run, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpstr (lab_run_get_job (run, i)->error, ==, "Cancelled");
  lab_test_assert_workers_gone (run);
  g_assert_cmpuint (lab_test_count_entries (out), ==, 0);
  /* Worker processes killed during a job leave their folders: the app
   * removes the run's. */
  lab_test_assert_empty (cache);
}

/* Cancelled while the embedded server makes its photos (64: seconds of
 * work): nothing of the run stays, not even its empty folders. */
static void
test_setup_cancel (void)
{
  g_autofree char *out = new_dir ("setup-cancel");
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(LabRun) run = NULL;
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  g_variant_dict_insert (&dict, "jobs", "u", 64);
  g_variant_dict_insert_value (&dict, "output", g_variant_new_bytestring (out));
  config = lab_test_config ("pipeline", "process-pool", 2, g_variant_dict_end (&dict));
  run = lab_run_new (config, NULL);

  lab_test_run_and_cancel_when (run, downloads, "run-");
  g_assert_null (lab_run_get_resolved_params (run));
  g_assert_cmpstr (lab_run_get_error (run), ==, "Cancelled");
  lab_test_assert_empty (cache);
  g_assert_cmpuint (lab_test_count_entries (out), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* A cache folder of our own (read by the worker processes too), so the
   * test can see that the task leaves nothing in it. */
  tmp_dir = g_dir_make_tmp ("test-pipeline-XXXXXX", &error);
  g_assert_no_error (error);
  cache = g_build_filename (tmp_dir, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  downloads = g_build_filename (cache, "concurrency-lab", "pipeline-downloads", NULL);

  lab_test_init (&argc, &argv);
  lab_test_hide_info ("VIPS");

  g_test_add_func ("/pipeline/strategies", test_strategies);
  g_test_add_func ("/pipeline/failures", test_failures);
  g_test_add_func ("/pipeline/default-server", test_default_server);
  g_test_add_data_func ("/pipeline/same-names/thread-pool", "thread-pool", test_same_names);
  g_test_add_data_func ("/pipeline/same-names/process-pool", "process-pool", test_same_names);
  g_test_add_data_func ("/pipeline/cancel/thread-pool", "thread-pool", test_cancel);
  g_test_add_data_func ("/pipeline/cancel/process-pool", "process-pool", test_cancel);
  g_test_add_data_func ("/pipeline/cancel/processes", "processes", test_cancel);
  g_test_add_func ("/pipeline/setup-cancel", test_setup_cancel);

  status = g_test_run ();

  if (status == 0)
    lab_test_remove_tree (tmp_dir);
  g_free (downloads);
  g_free (cache);
  g_free (tmp_dir);
  return status;
}
