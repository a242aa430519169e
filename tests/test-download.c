/* test-download.c — the embedded image server, the download task, async
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gmodule.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "lab-error.h"
#include "lab-run.h"
#include "lab-test-server.h"
#include "lab-test-util.h"

static const char * const all_strategies[] = {
  "sequential", "threads", "thread-pool",
  "processes", "process-pool", "async",
};

static LabRun *
new_run (const char  *strategy,
         guint        workers,
         GVariant    *params)
{
  g_autoptr(LabRunConfig) config = lab_test_config ("download", strategy, workers, params);
  g_autoptr(GError) error = NULL;
  LabRun *run = lab_run_new (config, &error);

  g_assert_no_error (error);
  return run;
}

static GVariant *
params_for (const char * const *urls,
            const char         *output,
            double              timeout)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);

  if (urls != NULL)
    g_variant_dict_insert_value (&dict, "urls", g_variant_new_strv (urls, -1));
  g_variant_dict_insert_value (&dict, "output", g_variant_new_bytestring (output));
  if (timeout > 0)
    g_variant_dict_insert (&dict, "timeout", "d", timeout);
  return g_variant_dict_end (&dict);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
assert_file_equals (const char *dir,
                    const char *name,
                    GBytes     *expected)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("lab-download-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

/* --- the server ------------------------------------------------------------ */

static GBytes *
fetch (const char *url,
       guint      *status,
       char      **content_type)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  GBytes *body = soup_session_send_and_read (session, msg, NULL, &error);

  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (content_type != NULL)
    *content_type = g_strdup (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  return body;
}

static void
test_server_photos (void)
{
  g_autoptr(LabImageServer) server = lab_test_server_new (3, 0);
  g_auto(GStrv) urls = lab_test_server_get_photo_urls (server);
  g_autoptr(GBytes) again = lab_test_generate_photo (1);

  g_assert_cmpuint (g_strv_length (urls), ==, 3);
  g_assert_cmpuint (lab_test_server_get_port (server), >, 0);
  g_assert_true (g_str_has_prefix (urls[0], "http://127.0.0.1:"));

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) expected = lab_test_server_get_photo (server, i);
      g_autofree char *type = NULL;
      guint status;
      g_autoptr(GBytes) body = fetch (urls[i], &status, &type);
      const guchar *data = g_bytes_get_data (body, NULL);

      g_assert_cmpuint (status, ==, 200);
      g_assert_cmpstr (type, ==, "image/jpeg");
      g_assert_true (g_bytes_equal (body, expected));
      /* Photo-like: a real JPEG of about 1–3 MB. */
      g_assert_cmpuint (g_bytes_get_size (body), >=, 1000 * 1000);
      g_assert_cmpuint (g_bytes_get_size (body), <=, 3 * 1000 * 1000);
      g_assert_true (data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff);
    }

  /* Deterministic: the same index gives the same bytes. */
  {
    g_autoptr(GBytes) served = lab_test_server_get_photo (server, 1);
    g_assert_true (g_bytes_equal (served, again));
  }
}

static void
test_server_failures (void)
{
  g_autoptr(LabImageServer) server = lab_test_server_new (1, 0);
  static const struct { const char *path; guint status; const char *type; } cases[] = {
    { LAB_IMAGE_SERVER_PATH_404, 404, "text/html" },
    { LAB_IMAGE_SERVER_PATH_500, 500, "text/html" },
    { LAB_IMAGE_SERVER_PATH_NOT_IMAGE, 200, "text/html" },
    { "/photos/photo-02.jpg", 404, "text/html" },   /* only one photo */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = lab_test_server_get_url (server, cases[i].path);
      g_autofree char *type = NULL;
      guint status;
      g_autoptr(GBytes) body = fetch (url, &status, &type);

      g_assert_cmpuint (status, ==, cases[i].status);
      g_assert_cmpstr (type, ==, cases[i].type);
    }
}

static void
test_server_latency_and_bandwidth (void)
{
  g_autoptr(LabImageServer) server = lab_test_server_new (1, 200);
  g_auto(GStrv) urls = lab_test_server_get_photo_urls (server);
  g_autoptr(GBytes) photo = lab_test_server_get_photo (server, 0);
  gint64 t0 = g_get_monotonic_time ();
  guint status;
  g_autoptr(GBytes) body = fetch (urls[0], &status, NULL);
  gint64 fast_us = g_get_monotonic_time () - t0;
  g_autoptr(GBytes) slow = NULL;
  guint64 bandwidth = g_bytes_get_size (photo) * 2;   /* half a second */

  /* Delays the server adds on purpose are the behaviour under test: only
   * lower bounds, which a busy machine can only make longer. */
  g_assert_cmpint (fast_us, >=, 200 * 1000);
  g_assert_true (g_bytes_equal (body, photo));

  lab_test_server_set_latency (server, 0);
  lab_test_server_set_bandwidth (server, bandwidth);
  t0 = g_get_monotonic_time ();
  slow = fetch (urls[0], &status, NULL);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 400 * 1000);
  g_assert_true (g_bytes_equal (slow, photo));
}

/* The NEEDED entries of an ELF file: the libraries it links itself. */
static char *
needed_libraries (const char *path)
{
  const char *argv[] = { "readelf", "-d", path, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  GString *needed = g_string_new (NULL);
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "(NEEDED)") != NULL)
      g_string_append_printf (needed, "%s\n", lines[i]);
  return g_string_free (needed, FALSE);
}

/* The engine links neither libsoup nor libjpeg: the server and the
 * download task bring them in their module, when a download starts. */
static void
test_engine_links_no_soup (void)
{
  const char *programs[] = { g_getenv ("LAB_WORKER_PATH"), g_getenv ("LAB_CLI_PATH") };
  g_autofree char *module = g_module_build_path (g_getenv ("LAB_MODULE_DIR"), "lab-tasks-net");
  g_autofree char *module_needs = needed_libraries (module);

  /* The check sees them where they are. */
  g_assert_nonnull (strstr (module_needs, "libsoup-3.0"));
  g_assert_nonnull (strstr (module_needs, "libjpeg"));
  for (guint i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *needs = needed_libraries (programs[i]);

      g_test_message ("%s:\n%s", programs[i], needs);
      g_assert_nonnull (strstr (needs, "libglib-2.0"));
      g_assert_null (strstr (needs, "libsoup"));
      g_assert_null (strstr (needs, "libjpeg"));
    }
}

/* --- every strategy, the same bytes ------------------------------------------ */

static void
test_strategies_identical (void)
{
  g_autoptr(LabImageServer) server = lab_test_server_new (4, 20);
  g_auto(GStrv) urls = lab_test_server_get_photo_urls (server);

  for (guint s = 0; s < G_N_ELEMENTS (all_strategies); s++)
    {
      g_autofree char *dir = make_temp_dir ();
      g_autoptr(LabRun) run = new_run (all_strategies[s], 3, params_for ((const char * const *) urls, dir, 0));
      g_autoptr(GError) error = NULL;
      LabRunSummary sum;

      g_test_message ("%s", all_strategies[s]);
      g_assert_true (lab_run_execute (run, NULL, &error));
      g_assert_no_error (error);
      lab_run_get_summary (run, &sum);
      g_assert_cmpuint (sum.n_failed, ==, 0);
      g_assert_cmpuint (sum.n_done, ==, 4);

      for (guint i = 0; i < 4; i++)
        {
          g_autoptr(GBytes) photo = lab_test_server_get_photo (server, i);
          g_autofree char *name = g_path_get_basename (urls[i]);
          const LabJobRecord *job = lab_run_get_job (run, i);

          assert_file_equals (dir, name, photo);
          g_assert_cmpuint (job->bytes, ==, g_bytes_get_size (photo));
          g_assert_cmpint (job->status, ==, 200);
        }
      g_assert_cmpuint (count_entries (dir), ==, 4);   /* no temporary file left */
      remove_dir (dir);
    }
}

/* With no URLs the app starts the server; worker processes get its URLs
 * (they must not start servers of their own) and the output folder. */
static void
test_default_server_processes (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(LabRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **resolved = NULL;
  const char *output = NULL;

  g_variant_dict_insert (&dict, "jobs", "u", 3);
  g_variant_dict_insert_value (&dict, "output", g_variant_new_bytestring (dir));
  run = new_run ("process-pool", 2, g_variant_dict_end (&dict));
  g_assert_true (lab_run_execute (run, NULL, &error));

  g_assert_true (g_variant_lookup (lab_run_get_resolved_params (run), "urls", "^a&s", &resolved));
  g_assert_true (g_variant_lookup (lab_run_get_resolved_params (run), "output", "^&ay", &output));
  g_assert_cmpstr (output, ==, dir);
  g_assert_false (g_variant_lookup (lab_run_get_resolved_params (run), "jobs", "u", NULL));
  /* The config keeps what the user asked for. */
  g_assert_false (g_variant_lookup (lab_run_get_config (run)->params, "urls", "^a&s", NULL));
  g_assert_cmpuint (g_strv_length ((char **) resolved), ==, 3);
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) photo = lab_test_generate_photo (i);
      g_autofree char *name = g_strdup_printf ("photo-%02u.jpg", i + 1);
      assert_file_equals (dir, name, photo);
    }
  remove_dir (dir);
}

static void
test_unique_names (void)
{
  g_autoptr(LabImageServer) server = lab_test_server_new (1, 0);
  g_auto(GStrv) urls = lab_test_server_get_photo_urls (server);
  g_autofree char *with_query = g_strconcat (urls[0], "?size=large", NULL);
  const char *list[] = { urls[0], urls[0], with_query, NULL };
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(LabRun) run = new_run ("threads", 0, params_for (list, dir, 0));
  g_autoptr(GBytes) photo = lab_test_server_get_photo (server, 0);

  g_assert_true (lab_run_execute (run, NULL, NULL));
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 0);
  assert_file_equals (dir, "photo-01.jpg", photo);
  assert_file_equals (dir, "photo-01-2.jpg", photo);
  assert_file_equals (dir, "photo-01-3.jpg", photo);
  remove_dir (dir);
}

/* --- failures ------------------------------------------------------------------- */

static guint16
refused_port (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  /* A port that was free a moment ago: nothing listens there. */
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  close (fd);
  return ntohs (addr.sin_port);
}

typedef struct {
  const char *path;     /* on the test server, or a whole URL */
  const char *error;    /* expected words, NULL for a good photo */
} Case;

static const Case mixed_cases[] = {
  { "/photos/photo-01.jpg", NULL },
  { LAB_IMAGE_SERVER_PATH_404, "HTTP 404 Not Found" },
  { "/photos/photo-02.jpg", NULL },
  { LAB_IMAGE_SERVER_PATH_500, "HTTP 500 Internal Server Error" },
  { LAB_IMAGE_SERVER_PATH_NOT_IMAGE, "not an image (text/html)" },
  { LAB_IMAGE_SERVER_PATH_TRUNCATED, "truncated" },
  { "refused", "connection refused" },
  { "ftp://127.0.0.1/photo.jpg", "only http and https URLs are supported" },
  { "not a url", "only http and https URLs are supported" },
  { LAB_IMAGE_SERVER_PATH_STALL, "no response in 1 s" },
  { "/photos/photo-03.jpg", NULL },
};

static GStrv
mixed_urls (LabImageServer *server)
{
  GStrv urls = g_new0 (char *, G_N_ELEMENTS (mixed_cases) + 1);

  for (guint i = 0; i < G_N_ELEMENTS (mixed_cases); i++)
    {
      const char *path = mixed_cases[i].path;

      if (g_str_equal (path, "refused"))
        urls[i] = g_strdup_printf ("http://127.0.0.1:%u/photo.jpg", refused_port ());
      else if (path[0] == '/')
        urls[i] = lab_test_server_get_url (server, path);
      else
        urls[i] = g_strdup (path);
    }
  return urls;
}

static void
test_failures_mixed (gconstpointer data)
{
  const char *strategy = data;
  g_autoptr(LabImageServer) server = lab_test_server_new (3, 0);
  g_auto(GStrv) urls = mixed_urls (server);
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(LabRun) run = new_run (strategy, 0, params_for ((const char * const *) urls, dir, 1));
  g_autoptr(GError) error = NULL;
  LabTestWatchdog *dog = lab_test_watchdog_new (LAB_TEST_DEADLINE_S, "A run with a stalled server");

  /* A failing job never fails the run, and a server that never answers
   * does not hold it: its job fails with the 1 s timeout's message. */
  g_assert_true (lab_run_execute (run, NULL, &error));
  lab_test_watchdog_free (dog);
  g_assert_no_error (error);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 8);

  for (guint i = 0; i < G_N_ELEMENTS (mixed_cases); i++)
    {
      const LabJobRecord *job = lab_run_get_job (run, i);

      if (mixed_cases[i].error == NULL)
        g_assert_null (job->error);
      else
        {
          g_assert_nonnull (job->error);
          if (strstr (job->error, mixed_cases[i].error) == NULL)
            g_error ("job %u: “%s” does not say “%s”", i, job->error, mixed_cases[i].error);
        }
    }
  g_assert_cmpint (lab_run_get_job (run, 1)->status, ==, 404);

  /* Only the three photos: nothing of the failed jobs, no temporary file. */
  g_assert_cmpuint (count_entries (dir), ==, 3);
  remove_dir (dir);
}

static void
test_max_bytes (void)
{
  g_autoptr(LabImageServer) server = lab_test_server_new (1, 0);
  g_auto(GStrv) urls = lab_test_server_get_photo_urls (server);
  g_autofree char *dir = make_temp_dir ();
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(LabRun) run = NULL;

  g_variant_dict_insert_value (&dict, "urls", g_variant_new_strv ((const char * const *) urls, -1));
  g_variant_dict_insert_value (&dict, "output", g_variant_new_bytestring (dir));
  g_variant_dict_insert (&dict, "max-bytes", "t", (guint64) 1000 * 1000);
  run = new_run ("sequential", 0, g_variant_dict_end (&dict));

  g_assert_true (lab_run_execute (run, NULL, NULL));
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 1);
  g_assert_nonnull (strstr (lab_run_get_job (run, 0)->error, "larger than 1 MB"));
  g_assert_cmpuint (count_entries (dir), ==, 0);
  remove_dir (dir);
}

/* A URL with a percent-escape that is not UTF-8 is fetched, into a file
 * name that is; an empty body is no photo; a gzip body is whole although
 * fewer bytes came than it has. */
static void
test_odd_bodies (gconstpointer data)
{
  const char *strategy = data;
  g_autoptr(LabTestHttp) http = lab_test_http_new ();
  g_autofree char *latin1 = lab_test_http_get_url (http, "/caf%E9.jpg");
  g_autofree char *empty = lab_test_http_get_url (http, "/empty.jpg");
  g_autofree char *gzipped = lab_test_http_get_url (http, "/gzip/photo.jpg");
  const char *urls[] = { latin1, empty, gzipped, NULL };
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(LabRun) run = new_run (strategy, 0, params_for (urls, dir, 10));
  g_autoptr(GBytes) photo = lab_test_generate_photo (0);

  g_assert_true (lab_run_execute (run, NULL, NULL));
  g_assert_null (lab_run_get_job (run, 0)->error);
  g_assert_cmpstr (lab_run_get_job (run, 1)->error, ==, "empty response (0 bytes)");
  g_assert_null (lab_run_get_job (run, 2)->error);
  g_assert_cmpuint (lab_run_get_job (run, 2)->bytes, ==, g_bytes_get_size (photo));
  assert_file_equals (dir, "caf\xef\xbf\xbd.jpg", photo);
  assert_file_equals (dir, "photo.jpg", photo);
  g_assert_cmpuint (count_entries (dir), ==, 2);
  remove_dir (dir);
}

/* Lists that cannot be used are refused before any job, quickly, and a
 * line that is not UTF-8 fails as its own job, shown escaped, in valid
 * JSON, in worker processes as in threads. */
static void
test_cli_url_lists (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *output_arg = g_strconcat ("--output=", dir, "/out", NULL);
  static const struct { const char *name; const char *data; gssize len; int status; const char *message; } lists[] = {
    { "/dev/zero", NULL, 0, 2, "line 1 contains a NUL byte" },
    { "nul.txt", "http://a/1.jpg\nhttp://a/\0.jpg\nhttp://a/3.jpg\n", 41, 2, "line 2 contains a NUL byte" },
    { "empty.txt", "# nothing\n", -1, 2, "must have between 1 and" },
    { "missing.txt", NULL, 0, 2, "missing.txt: No such file or directory" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_autofree char *path = lists[i].name[0] == '/' ? g_strdup (lists[i].name)
                                                      : g_build_filename (dir, lists[i].name, NULL);
      g_autofree char *urls_arg = g_strconcat ("--urls=", path, NULL);
      const char *argv[] = { "run", "--task=download", "--strategy=threads", urls_arg, output_arg, NULL };
      g_autofree char *out = NULL, *err = NULL;

      if (lists[i].data != NULL)
        g_assert_true (g_file_set_contents (path, lists[i].data, lists[i].len, NULL));
      g_assert_cmpint (lab_test_run_cli (argv, NULL, &out, &err), ==, lists[i].status);
      if (strstr (err, lists[i].message) == NULL)
        g_error ("%s: “%s” does not say “%s”", lists[i].name, err, lists[i].message);
    }

  /* More URLs than one frame holds (1.1 MB): the worker processes get the
   * list in PARAMS frames, and every job runs (here, refused at once), with
   * no GLib-CRITICAL and no protocol error. */
  {
    g_autofree char *path = g_build_filename (dir, "many.txt", NULL);
    g_autofree char *urls_arg = g_strconcat ("--urls=", path, NULL);
    const char *argv[] = { "run", "--task=download", "--strategy=process-pool", "--workers=2", "--timeout=5",
                           urls_arg, output_arg, "--format=json", NULL };
    g_autoptr(GString) many = g_string_new (NULL);
    g_autofree char *out = NULL, *err = NULL;

    for (guint i = 0; i < 30000; i++)
      g_string_append_printf (many, "http://127.0.0.1:1/photo-%05u.jpg\n", i);
    g_assert_cmpuint (many->len, >, 1024 * 1024);
    g_assert_true (g_file_set_contents (path, many->str, many->len, NULL));
    g_assert_cmpint (lab_test_run_cli (argv, NULL, &out, &err), ==, 1);
    g_assert_nonnull (strstr (out, "\"jobs\" : 30000"));
    g_assert_nonnull (strstr (out, "\"failed\" : 30000"));
    g_assert_nonnull (strstr (out, "connection refused"));
    g_assert_null (strstr (err, "CRITICAL"));
    g_assert_null (strstr (out, "HELLO"));
  }

  for (guint s = 0; s < G_N_ELEMENTS (all_strategies); s++)
    {
      g_autofree char *path = g_build_filename (dir, "bytes.txt", NULL);
      g_autofree char *urls_arg = g_strconcat ("--urls=", path, NULL);
      g_autofree char *strategy_arg = g_strconcat ("--strategy=", all_strategies[s], NULL);
      const char *argv[] = { "run", "--task=download", strategy_arg, urls_arg, output_arg, "--format=json", NULL };
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_set_contents (path, "http://127.0.0.1:1/\xff.jpg\n", -1, NULL));
      g_assert_cmpint (lab_test_run_cli (argv, NULL, &out, &err), ==, 1);
      g_assert_cmpstr (err, ==, "");
      root = json_from_string (out, &error);
      g_assert_no_error (error);
      g_assert_nonnull (strstr (out, "line 1 is not valid UTF-8: “http://127.0.0.1:1/\\\\xFF.jpg”"));
    }
  lab_test_remove_tree (dir);
}

/* --- cancel ------------------------------------------------------------------------ */

/* Cancelled once as many downloads as can run at once are seen under way,
 * at 1 kB/s (each photo would take a quarter of an hour): the run ends
 * cancelled, no job succeeded, no file or part of one is left, and its
 * workers are gone. As many as can run: a thread may not have started, a
 * process pool's later worker may still be coming, when the first job
 * runs. A job handed out was cancelled; one a pool had not handed out
 * (its workers' queues full) never started. */
static void
test_cancel (gconstpointer data)
{
  const char *strategy = data;
  guint at_once = MIN (4, lab_strategy_default_workers (lab_strategy_lookup (strategy), 4));
  g_autoptr(LabImageServer) server = lab_test_server_new (4, 0);
  g_auto(GStrv) urls = lab_test_server_get_photo_urls (server);
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(LabRun) run = new_run (strategy, 0, params_for ((const char * const *) urls, dir, 0));
  guint n_started = 0;

  lab_test_server_set_bandwidth (server, 1000);
  lab_test_run_and_cancel (run, at_once);

  for (guint i = 0; i < 4; i++)
    {
      const LabJobRecord *job = lab_run_get_job (run, i);

      g_assert_cmpint (job->state, !=, LAB_JOB_OK);
      if (job->state == LAB_JOB_PENDING)
        continue;
      g_assert_cmpstr (job->error, ==, "Cancelled");
      n_started++;
    }
  g_assert_cmpuint (n_started, >=, at_once);
  g_assert_cmpuint (count_entries (dir), ==, 0);
  lab_test_assert_workers_gone (run);
  g_assert_cmpuint (lab_test_count_children (), ==, 0);
  remove_dir (dir);
}

/* --- nothing left behind ------------------------------------------------------------ */

static char *cache_dir;   /* XDG_CACHE_HOME, the test's own */

/* Without --output the downloads go to a temporary folder: gone with
 * the run, whether it finished or was cancelled during a job (one at
 * 1 kB/s, seen running: it cannot have ended first). */
static void
test_temporary_output (gconstpointer data)
{
  const char *strategy = data;
  GVariant *params = g_variant_parse (G_VARIANT_TYPE_VARDICT, "{'jobs': <uint32 3>}", NULL, NULL, NULL);
  g_autoptr(LabRun) finished = new_run (strategy, 0, params);
  g_autoptr(LabImageServer) server = lab_test_server_new (3, 0);
  g_auto(GStrv) urls = lab_test_server_get_photo_urls (server);
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (NULL);
  g_autoptr(LabRun) cancelled = NULL;

  g_assert_true (lab_run_execute (finished, NULL, NULL));
  g_assert_cmpuint (lab_run_get_n_failed (finished), ==, 0);
  lab_test_assert_empty (cache_dir);

  lab_test_server_set_bandwidth (server, 1000);
  g_variant_dict_insert_value (&dict, "urls", g_variant_new_strv ((const char * const *) urls, -1));
  cancelled = new_run (strategy, 0, g_variant_dict_end (&dict));
  lab_test_run_and_cancel (cancelled, 1);
  g_assert_cmpuint (lab_run_get_n_done (cancelled) - lab_run_get_n_failed (cancelled), ==, 0);
  lab_test_assert_empty (cache_dir);
}

/* Cancelled while the embedded server makes its photos (64: seconds of
 * work): set-up stops, says so, and removes the folder it made. */
static void
test_setup_cancel (void)
{
  g_autofree char *parent = g_build_filename (cache_dir, "concurrency-lab", NULL);
  GVariant *params = g_variant_parse (G_VARIANT_TYPE_VARDICT, "{'jobs': <uint32 64>}", NULL, NULL, NULL);
  g_autoptr(LabRun) run = new_run ("thread-pool", 0, params);

  lab_test_run_and_cancel_when (run, parent, "downloads-");
  g_assert_null (lab_run_get_resolved_params (run));   /* never set up */
  g_assert_cmpstr (lab_run_get_error (run), ==, "Cancelled");
  lab_test_assert_empty (cache_dir);
}

/* --- async with the sleep task ----------------------------------------------------- */

static LabRun *
async_sleep_run (guint       workers,
                 const char *params_text)
{
  GVariant *params = g_variant_parse (G_VARIANT_TYPE_VARDICT, params_text, NULL, NULL, NULL);
  g_autoptr(LabRunConfig) config = lab_test_config ("sleep", "async", workers, params);
  g_autoptr(GError) error = NULL;
  LabRun *run = lab_run_new (config, &error);

  g_assert_no_error (error);
  return run;
}

static void
test_async_sleep (void)
{
  g_autoptr(LabRun) run = async_sleep_run (0, "{'jobs': <uint32 20>, 'seconds': <[0.3]>}");
  g_autoptr(GError) error = NULL;
  LabRunSummary sum;
  gint64 tid;

  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  lab_run_get_summary (run, &sum);

  g_assert_cmpuint (sum.n_failed, ==, 0);
  tid = lab_run_get_job (run, 0)->worker;
  for (guint i = 0; i < 20; i++)
    g_assert_cmpint (lab_run_get_job (run, i)->worker, ==, tid);
}

/* Twenty waits of an hour are seen running at once, all on one thread. */
static void
test_async_sleep_overlap (void)
{
  g_autoptr(LabRun) run = async_sleep_run (0, "{'jobs': <uint32 20>, 'seconds': <[3600.0]>}");
  gint64 tid;

  lab_test_run_and_cancel (run, 20);
  tid = lab_run_get_job (run, 0)->worker;
  g_assert_cmpint (tid, >, 0);
  for (guint i = 0; i < 20; i++)
    {
      g_assert_cmpint (lab_run_get_job (run, i)->worker, ==, tid);
      g_assert_cmpstr (lab_run_get_job (run, i)->error, ==, "Cancelled");
    }
  lab_test_assert_workers_gone (run);
}

/* Four at a time: cancelled once four wait, those four are cancelled and
 * the other four never start. */
static void
test_async_sleep_cancel (void)
{
  g_autoptr(LabRun) run = async_sleep_run (4, "{'jobs': <uint32 8>, 'seconds': <[3600.0]>}");

  lab_test_run_and_cancel (run, 4);
  g_assert_cmpuint (lab_run_get_n_done (run), ==, 4);
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 4);
  for (guint i = 0; i < 8; i++)
    {
      const LabJobRecord *job = lab_run_get_job (run, i);

      if (job->state == LAB_JOB_FAILED)
        g_assert_cmpstr (job->error, ==, "Cancelled");
      else
        g_assert_cmpint (job->state, ==, LAB_JOB_PENDING);
    }
  g_assert_cmpint (lab_run_get_job (run, 7)->state, ==, LAB_JOB_PENDING);
  lab_test_assert_workers_gone (run);
}

/* --- the command line ----------------------------------------------------------------- */

static void
test_cli_unwritable_output (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);
  g_autofree char *output = g_build_filename (file, "photos", NULL);
  g_autofree char *output_arg = g_strconcat ("--output=", output, NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { "run", "--task=download", "--strategy=thread-pool", "--jobs=2",
                         output_arg, NULL };

  g_assert_true (g_file_set_contents (file, "not a folder", -1, NULL));
  g_assert_cmpint (lab_test_run_cli (argv, NULL, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "Cannot write to the output folder"));
  g_assert_nonnull (strstr (err, output));
  g_assert_cmpstr (out, ==, "");
  remove_dir (dir);
}

static void
test_cli_url_file (void)
{
  g_autoptr(LabImageServer) server = lab_test_server_new (3, 0);
  g_auto(GStrv) urls = mixed_urls (server);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *list = g_build_filename (dir, "urls.txt", NULL);
  g_autofree char *output = g_build_filename (dir, "out", NULL);
  g_autofree char *joined = g_strjoinv ("\n", urls);
  g_autofree char *contents = g_strdup_printf ("# photos and failures\n\n%s\n", joined);
  g_autofree char *urls_arg = g_strconcat ("--urls=", list, NULL);
  g_autofree char *output_arg = g_strconcat ("--output=", output, NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { "run", "--task=download", "--strategy=async", "--timeout=1",
                         urls_arg, output_arg, "--format=json", NULL };

  g_assert_true (g_file_set_contents (list, contents, -1, NULL));
  g_assert_cmpint (lab_test_run_cli (argv, NULL, &out, &err), ==, 1);
  g_assert_nonnull (strstr (out, "\"failed\" : 8"));
  g_assert_nonnull (strstr (out, "\"mb_per_s\""));
  g_assert_cmpuint (count_entries (output), ==, 3);
  remove_dir (output);
  remove_dir (dir);
}

/* A folder name is bytes: one that is not UTF-8 is used as it is, by
 * the app and by its worker processes. */
static void
test_cli_non_utf8_output (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *output = g_build_filename (dir, "o-\xff", NULL);
  g_autofree char *output_arg = g_strconcat ("--output=", output, NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { "run", "--task=download", "--strategy=process-pool", "--jobs=2",
                         output_arg, NULL };

  g_assert_cmpint (lab_test_run_cli (argv, NULL, &out, &err), ==, 0);
  g_assert_cmpuint (count_entries (output), ==, 2);
  g_assert_cmpuint (count_entries (dir), ==, 1);   /* nothing beside it */
  remove_dir (output);
  remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  static const char * const failure_strategies[] = {
    "thread-pool", "process-pool", "async",
  };
  static const char * const cancel_strategies[] = {
    "threads", "process-pool", "async",
  };
  char *tmp;
  int status;

  /* A cache folder of our own (read by the worker processes too), so the
   * tests can see that downloads leave nothing in it. */
  tmp = g_dir_make_tmp ("test-download-XXXXXX", NULL);
  cache_dir = g_build_filename (tmp, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache_dir, TRUE);

  lab_test_init (&argc, &argv);
  g_assert_nonnull (g_getenv ("LAB_MODULE_DIR"));

  g_test_add_func ("/download/server/photos", test_server_photos);
  g_test_add_func ("/download/server/failures", test_server_failures);
  g_test_add_func ("/download/server/latency-bandwidth", test_server_latency_and_bandwidth);
  g_test_add_func ("/download/engine-links-no-soup", test_engine_links_no_soup);
  g_test_add_func ("/download/strategies/identical", test_strategies_identical);
  g_test_add_func ("/download/default-server/processes", test_default_server_processes);
  g_test_add_func ("/download/unique-names", test_unique_names);
  for (guint i = 0; i < G_N_ELEMENTS (failure_strategies); i++)
    {
      g_autofree char *path = g_strdup_printf ("/download/failures/%s", failure_strategies[i]);
      g_test_add_data_func (path, failure_strategies[i], test_failures_mixed);
    }
  g_test_add_func ("/download/max-bytes", test_max_bytes);
  for (guint i = 0; i < G_N_ELEMENTS (failure_strategies); i++)
    {
      g_autofree char *path = g_strdup_printf ("/download/odd-bodies/%s", failure_strategies[i]);
      g_test_add_data_func (path, failure_strategies[i], test_odd_bodies);
    }
  for (guint i = 0; i < G_N_ELEMENTS (cancel_strategies); i++)
    {
      g_autofree char *path = g_strdup_printf ("/download/cancel/%s", cancel_strategies[i]);
      g_test_add_data_func (path, cancel_strategies[i], test_cancel);
    }
  g_test_add_func ("/download/setup-cancel", test_setup_cancel);
  for (guint i = 0; i < G_N_ELEMENTS (cancel_strategies); i++)
    {
      g_autofree char *path = g_strdup_printf ("/download/temporary-output/%s", cancel_strategies[i]);
      g_test_add_data_func (path, cancel_strategies[i], test_temporary_output);
    }
  g_test_add_func ("/async/sleep", test_async_sleep);
  g_test_add_func ("/async/sleep-overlap", test_async_sleep_overlap);
  g_test_add_func ("/async/sleep-cancel", test_async_sleep_cancel);
  g_test_add_func ("/download/cli/unwritable-output", test_cli_unwritable_output);
  g_test_add_func ("/download/cli/url-file", test_cli_url_file);
  g_test_add_func ("/download/cli/non-utf8-output", test_cli_non_utf8_output);
  g_test_add_func ("/download/cli/url-lists", test_cli_url_lists);

  status = g_test_run ();
  if (status == 0)
    lab_test_remove_tree (tmp);
  g_free (cache_dir);
  g_free (tmp);
  return status;
}
