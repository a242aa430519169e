/* test-catalogue.c — the bad-input catalogue: every row a command, its exit status and message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each row runs the real binary once, in a private XDG data and cache
 * home, and checks the exit status (0 done, 1 the run or the output
 * failed, 2 bad usage), a fragment of what it wrote to stderr (and, when
 * given, to stdout), and that it left nothing behind: no download or
 * pipeline folder in the cache, no worker still alive. Every problem found
 * by hand or by a fuzzer becomes a row; keep it growing.
 *
 * In the arguments, @DIR@ is a folder of fixtures made below and @FF@ the
 * byte 0xFF (paths are bytes, not UTF-8).
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "lab-test-util.h"

typedef struct {
  const char *args;      /* split as a shell would; @DIR@ and @FF@ replaced */
  int         status;    /* the exit status */
  const char *err;       /* a fragment of stderr, or NULL for an empty stderr */
  const char *out;       /* a fragment of stdout, or NULL for no check */
  const char *env;       /* "NAME=value", or NULL */
  const char *stdout_to; /* a file stdout goes to instead of a pipe: "/dev/full" */
  const char *not_out;   /* a fragment stdout must not have */
  gboolean    worker;    /* runs the worker executable, not the app */
} Row;

static const Row rows[] = {
  /* Commands and options */
  { "frobnicate", 2, "unknown command “frobnicate”" },
  { "--bogus", 2, "unknown option “--bogus”" },
  { "run --bogus", 2, "Unknown option --bogus" },
  { "run extra-arg --task=sleep --strategy=threads", 2, "Unexpected argument “extra-arg”" },
  { "run --task=sleep", 2, "Missing --strategy" },
  { "run --strategy=threads", 2, "Missing --task" },

  /* Empty values are bad usage, not an empty run */
  { "run --task= --strategy=threads", 2, "--task needs a value" },
  { "run --task=sleep --strategy=", 2, "--strategy needs a value" },
  { "run --task=sleep --strategy=threads --workers=", 2, "--workers needs a value" },
  { "run --task=sleep --strategy=threads --jobs=", 2, "--jobs needs a value" },
  { "run --task=sleep --strategy=threads --seconds=", 2, "--seconds needs a value" },
  { "run --lesson=", 2, "--lesson needs a value" },
  { "run --task=sleep --strategy=threads --format=", 2, "--format must be table, json or csv, not “”" },

  /* Names */
  { "run --task=nope --strategy=threads", 2, "Unknown task “nope”" },
  { "run --task=sleep --strategy=nope", 2, "Unknown strategy “nope”" },
  { "run --task=sleep --strategy=threads,nope", 2, "Unknown strategy “nope”" },
  { "run --task=sleep --strategy=threads,", 2, "Unknown strategy “”" },
  { "run --task=primes --strategy=async", 2, "cannot run the CPU-bound Count Primes task" },
  { "run --task=primes --strategy=threads,async", 2, "cannot run the CPU-bound" },
  { "run --lesson=nope", 2, "Unknown lesson “nope”" },
  { "run --lesson=two-threads --task=primes", 2, "--lesson sets the task" },
  { "run --lesson=two-threads --strategy=threads", 2, "--lesson sets the task" },
  { "run --task=sleep --strategy=threads --format=xml", 2, "not “xml”" },
  /* Found by fuzz-options: bytes that are not text are said, as UTF-8. */
  { "run --task=sl@FF@eep --strategy=threads", 2, "Invalid byte sequence" },
  { "run --task=sleep --strategy=thr@FF@eads --lesson=x", 2, "Invalid byte sequence" },
  { "run --j@FF@bs=3 --task=sleep --strategy=threads", 2, "Unknown option --j\357\277\275bs=3" },

  /* Numbers */
  { "run --task=sleep --strategy=threads --seconds=abc", 2, "not “abc”" },
  { "run --task=sleep --strategy=threads --seconds=-1", 2, "not “-1”" },
  { "run --task=sleep --strategy=threads --seconds=nan", 2, "not “nan”" },
  { "run --task=sleep --strategy=threads --seconds=inf", 2, "not “inf”" },
  { "run --task=sleep --strategy=threads --seconds=1e9", 2, "between 0 and 3600" },
  { "run --task=sleep --strategy=threads --seconds=1,,2", 2, "not “”" },
  { "run --task=sleep --strategy=threads --jobs=0", 2, "--jobs must be a whole number from 1 to 1000000, not “0”" },
  { "run --task=sleep --strategy=threads --jobs=-3", 2, "not “-3”" },
  { "run --task=sleep --strategy=threads --jobs=1.5", 2, "not “1.5”" },
  { "run --task=sleep --strategy=threads --jobs=99999999999999999999", 2, "not “99999999999999999999”" },
  { "run --task=sleep --strategy=threads --jobs=1000001", 2, "from 1 to 1000000" },
  { "run --task=sleep --strategy=threads --workers=0", 2, "--workers must be a whole number from 1 to 256, not “0”" },
  { "run --task=sleep --strategy=threads --workers=257", 2, "from 1 to 256, not “257”" },
  { "run --task=sleep --strategy=threads --workers=abc", 2, "not “abc”" },
  { "run --task=sleep --strategy=threads --workers=2,,4", 2, "not “”" },
  { "run --task=sleep --strategy=threads --repeat=0", 2, "--repeat must be a whole number from 1 to 100, not “0”" },
  { "run --task=sleep --strategy=threads --repeat=101", 2, "from 1 to 100" },
  { "run --task=sleep --strategy=threads --warmup=-1", 2, "--warmup must be a whole number from 0 to 100" },
  { "run --task=primes --strategy=threads --size=0", 2, "--size must be between 1" },
  { "run --task=primes --strategy=threads --size=abc", 2, "not “abc”" },
  { "run --task=primes --strategy=threads --size=1e-9", 2, "from 2 µs to 1 s of work, not “1e-9”" },
  { "run --task=primes --strategy=threads --size=1e-5,2", 2, "from 2 µs to 1 s of work, not “2”" },
  { "run --task=primes --strategy=threads --size=1e-5,,1e-3", 2, "not “”" },
  { "run --task=primes --strategy=threads --size=1ms,fast", 2, "not “fast”" },
  { "run --task=primes --strategy=threads --size=-1e-3", 2, "not “-1e-3”" },
  { "run --task=primes --strategy=threads --size=nan", 2, "not “nan”" },
  { "run --task=primes --strategy=threads --size=swep", 2, "“sweep”, or job sizes in seconds" },
  { "run --task=sleep --strategy=threads --size=sweep", 2, "are for the primes task, not sleep" },
  { "run --task=primes --strategy=threads --size=sweep --workers=sweep", 2, "runs each strategy on one worker count" },
  { "run --task=primes --strategy=threads --size=1ms,2ms --workers=1,2", 2, "give --workers one count" },
  { "machine --format=xml", 2, "--format must be table or json, not “xml”" },
  { "machine now", 2, "unexpected argument “now”" },
  { "machine --bogus", 2, "--bogus" },
  { "run --task=download --strategy=threads --timeout=abc", 2, "not “abc”" },
  { "run --task=download --strategy=threads --timeout=0 --urls=@DIR@/refused.txt", 2, "--timeout must be more than 0" },

  /* Options that do not belong to the task */
  { "run --task=primes --strategy=threads --seconds=1", 2, "--seconds does not apply to the primes task" },
  { "run --task=sleep --strategy=threads --size=10", 2, "--size does not apply to the sleep task" },
  { "run --task=sleep --strategy=threads --output=@DIR@/out", 2, "--output does not apply to the sleep task" },
  { "run --task=sleep --strategy=threads --timeout=3", 2, "--timeout does not apply to the sleep task" },
  { "run --task=download --strategy=threads --jobs=3 --urls=@DIR@/refused.txt", 2, "with --urls each line is a job" },

  /* Files that are not what they should be */
  { "run --task=download --strategy=threads --urls=@DIR@/missing.txt", 2, "Cannot read the URL list" },
  { "run --task=download --strategy=threads --urls=@DIR@", 2, "Cannot read the URL list" },
  { "run --task=download --strategy=threads --urls=@DIR@/empty.txt", 2, "must have between 1 and 1000000 URLs" },
  { "run --task=download --strategy=threads --urls=/dev/null", 2, "must have between 1 and 1000000 URLs" },
  { "run --task=blur --strategy=threads --images=@DIR@/missing", 2, "Cannot read the image folder" },
  { "run --task=blur --strategy=threads --images=@DIR@/empty.txt", 2, "Not a directory" },

  /* Jobs that fail: the run goes on, every failure is told, exit 1 */
  { "run --task=download --strategy=threads --urls=@DIR@/refused.txt", 1, NULL, "connection refused" },
  { "run --task=download --strategy=process-pool --workers=1 --urls=@DIR@/refused.txt", 1, NULL, "connection refused" },

  /* Output that cannot be written is an error, never a silent exit 0 */
  { "run --task=sleep --strategy=threads --seconds=0 --jobs=2", 1, "Could not write the output", NULL, NULL, "/dev/full" },
  { "run --task=sleep --strategy=process-pool --workers=1 --seconds=0 --jobs=2 --format=json", 1,
    "Could not write the output", NULL, NULL, "/dev/full" },
  { "history", 1, "Could not write the output", NULL, NULL, "/dev/full" },

  /* Numbers in CSV and JSON do not follow the locale: the speedup, 0
   * without a loop to compare with (a time's first digits depend on how
   * busy the machine is) */
  { "run --task=sleep --strategy=threads --seconds=0.01 --jobs=2 --format=csv", 0, NULL, ",0.000,",
    "LC_ALL=de_DE.UTF-8", NULL, ",0,000," },
  { "run --task=sleep --strategy=threads --seconds=0.01 --jobs=2 --format=json", 0, NULL, "\"speedup\" : 0.0",
    "LC_ALL=de_DE.UTF-8", NULL, "\"speedup\" : 0," },

  /* History */
  { "history --delete=0", 2, "--delete needs the number of a run in the history (1 or more), not “0”" },
  { "history --delete=abc", 2, "not “abc”" },
  { "history --delete=99999", 1, "No run 99999 in the history" },
  { "history --format=xml", 2, "not “xml”" },
  { "history --bogus", 2, "Unknown option --bogus" },
  { "export", 2, "--run is needed" },
  { "export 12", 2, "Unexpected argument “12”" },
  { "export --run=99999", 1, "No run 99999 in the history" },
  { "export --run=abc", 2, "not “abc”" },
  { "export --run=1 --format=table", 2, "--format must be json or csv, not “table”" },
  { "history --pin=0", 2, "--pin needs the number of a run in the history (1 or more), not “0”" },
  { "history --unpin=-4", 2, "not “-4”" },
  { "history --pin=99999", 1, "No run 99999 in the history" },
  { "history --pin=1 --delete=1", 2, "Only one of --delete, --pin and --unpin at a time" },
  { "history --task=nope", 2, "Unknown task “nope”" },
  { "history --strategy=nope", 2, "Unknown strategy “nope”" },
  { "history --task=sleep --search=nothing-like-it", 0, NULL, "" },
  { "run --task=sleep --strategy=threads --baseline=abc", 2, "--baseline needs the number of a run in the history (1 or more), not “abc”" },
  { "run --task=sleep --strategy=threads --baseline=0", 2, "not “0”" },
  { "run --task=sleep --strategy=threads --baseline=99999", 2, "--baseline: no run 99999 in the history" },
  { "history", 0, NULL, "" },

  /* URL lists: bytes, sizes and lines that are not URLs */
  { "run --task=download --strategy=threads --urls=/dev/zero", 2, "line 1 contains a NUL byte" },
  { "run --task=download --strategy=threads --urls=@DIR@/nul.txt", 2, "line 2 contains a NUL byte" },
  { "run --task=download --strategy=threads --urls=@DIR@/long.txt", 2, "line 1 is longer than 64 KiB" },
  { "run --task=download --strategy=threads --urls=@DIR@/big.txt", 2, "larger than 256 MiB" },
  { "run --task=download --strategy=threads --urls=@DIR@/comments.txt", 2, "must have between 1 and 1000000 URLs" },
  { "run --task=download --strategy=process-pool --workers=1 --urls=@DIR@/not-utf8.txt --output=@DIR@/out", 1,
    NULL, "line 1 is not valid UTF-8" },
  { "run --task=download --strategy=threads --urls=@DIR@/not-utf8.txt --format=json", 1,
    NULL, "line 1 is not valid UTF-8" },
  { "run --task=download --strategy=processes --workers=1 --urls=@DIR@/not-a-url.txt", 1, NULL, "not a URL" },

  /* Paths are bytes */
  { "run --task=blur --strategy=threads --images=@DIR@/missing-@FF@", 2, "Cannot read the image folder" },
  { "run --task=download --strategy=thread-pool --jobs=2 --output=@DIR@/out-@FF@", 0, NULL, "download" },

  /* Task modules from another version */
  { "run --task=download --strategy=threads", 2, "has no download task (symbol lab_task_download)",
    NULL, "LAB_MODULE_DIR=@BUILD@/tests" },

  /* Workers that misbehave cannot wedge a run */
  { "run --task=sleep --seconds=0 --jobs=3 --strategy=process-pool --workers=1", 1,
    NULL, "it closed its output but did not exit", "LAB_WORKER_PATH=@DIR@/closes-and-lingers" },
  { "run --task=sleep --seconds=0 --jobs=3 --strategy=processes --workers=1", 1,
    NULL, "it closed its output but did not exit", "LAB_WORKER_PATH=@DIR@/closes-and-lingers" },
  { "run --task=sleep --seconds=0 --jobs=2 --strategy=process-pool --workers=1", 1,
    NULL, "Could not start the worker", "LAB_WORKER_PATH=@DIR@/missing-worker" },
  /* A worker whose parent is not the one it was told of exits at once. */
  { "", 4, NULL, NULL, "LAB_WORKER_PARENT_PID=1", NULL, NULL, TRUE },
};

static char *fixtures;   /* @DIR@ */
static char *home;       /* XDG_DATA_HOME and XDG_CACHE_HOME of every row */

static void
make_fixtures (void)
{
  g_autofree char *refused = g_build_filename (fixtures, "refused.txt", NULL);
  g_autofree char *empty = g_build_filename (fixtures, "empty.txt", NULL);

  g_autofree char *nul = g_build_filename (fixtures, "nul.txt", NULL);
  g_autofree char *long_line = g_build_filename (fixtures, "long.txt", NULL);
  g_autofree char *big = g_build_filename (fixtures, "big.txt", NULL);
  g_autofree char *comments = g_build_filename (fixtures, "comments.txt", NULL);
  g_autofree char *not_utf8 = g_build_filename (fixtures, "not-utf8.txt", NULL);
  g_autofree char *not_url = g_build_filename (fixtures, "not-a-url.txt", NULL);
  g_autofree char *lingers = g_build_filename (fixtures, "closes-and-lingers", NULL);
  g_autofree char *a_line = g_strnfill (70000, 'a');
  int fd;

  g_assert_true (g_file_set_contents (refused, "http://127.0.0.1:1/photo.jpg\n", -1, NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (nul, "http://a/1.jpg\nhttp://a/\0.jpg\n", 30, NULL));
  g_assert_true (g_file_set_contents (long_line, a_line, -1, NULL));
  g_assert_true (g_file_set_contents (comments, "# nothing here\n\n", -1, NULL));
  g_assert_true (g_file_set_contents (not_utf8, "http://127.0.0.1:1/\xff.jpg\n", -1, NULL));
  g_assert_true (g_file_set_contents (not_url, "photo.jpg\n", -1, NULL));
  /* 300 MB that take no room: a sparse file. */
  fd = g_open (big, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 300 * 1024 * 1024), ==, 0);
  close (fd);
  /* A worker that closes its output, shrugs off SIGTERM and stays. */
  g_assert_true (g_file_set_contents (lingers, "#!/bin/sh\nexec >&-\ntrap '' TERM\nexec sleep 3600\n", -1, NULL));
  g_assert_cmpint (g_chmod (lingers, 0755), ==, 0);
}

/* The row's arguments, @DIR@ and @FF@ replaced. */
static GStrv
row_argv (const Row *row)
{
  g_autoptr(GString) line = g_string_new (row->args);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(GStrv) parsed = NULL;

  g_string_replace (line, "@DIR@", fixtures, 0);
  if (line->len > 0)
    {
      g_assert_true (g_shell_parse_argv (line->str, NULL, &parsed, &error));
      g_assert_no_error (error);
    }
  g_ptr_array_add (args, g_strdup (g_getenv (row->worker ? "LAB_WORKER_PATH" : "LAB_CLI_PATH")));
  for (guint i = 0; parsed != NULL && parsed[i] != NULL; i++)
    {
      g_autoptr(GString) arg = g_string_new (parsed[i]);

      g_string_replace (arg, "@FF@", "\xff", 0);
      g_ptr_array_add (args, g_string_free (g_steal_pointer (&arg), FALSE));
    }
  g_ptr_array_add (args, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&args), FALSE);
}

typedef struct {
  GSubprocess *process;
  const Row   *row;
} Running;

/* A hang guard, under meson's own timeout so that it can say which row. */
static gboolean
kill_hung (gpointer data)
{
  Running *running = data;

  g_subprocess_force_exit (running->process);
  g_error ("“%s” did not end within %u s", running->row->args, LAB_TEST_CLI_DEADLINE_S);
  return G_SOURCE_REMOVE;
}

static void
communicated_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  GBytes **outputs = data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &outputs[0], &outputs[1], &error);
  g_assert_no_error (error);
  outputs[2] = (GBytes *) source;
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize size = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;

  return size > 0 ? g_strndup (data, size) : g_strdup ("");
}

/* Runs @row; its stdout and stderr, NUL-terminated, and the exit status
 * (-1 for a signal). */
static int
run_row (const Row  *row,
         char      **out,
         char      **err)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT |
                                                                         G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                                                         (row->stdout_to ? 0 : G_SUBPROCESS_FLAGS_STDOUT_PIPE));
  g_auto(GStrv) argv = row_argv (row);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *outputs[3] = { NULL };
  Running running = { NULL, row };
  guint timeout;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", home, TRUE);
  if (row->env != NULL)
    {
      g_autoptr(GString) env = g_string_new (row->env);
      g_auto(GStrv) kv = NULL;

      g_string_replace (env, "@DIR@", fixtures, 0);
      g_string_replace (env, "@BUILD@", g_getenv ("LAB_BUILD_DIR"), 0);
      kv = g_strsplit (env->str, "=", 2);
      g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
    }
  if (row->stdout_to != NULL)
    g_subprocess_launcher_set_stdout_file_path (launcher, row->stdout_to);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);

  running.process = process;
  timeout = g_timeout_add_seconds (LAB_TEST_CLI_DEADLINE_S, kill_hung, &running);
  g_subprocess_communicate_async (process, NULL, NULL, communicated_cb, outputs);
  while (outputs[2] == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);

  *out = bytes_to_string (outputs[0]);
  *err = bytes_to_string (outputs[1]);
  g_clear_pointer (&outputs[0], g_bytes_unref);
  g_clear_pointer (&outputs[1], g_bytes_unref);
  g_subprocess_wait (process, NULL, NULL);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

/* What a run may leave in the cache: the sample photos it made once.
 * Downloads, pipeline folders and anything half made must be gone. */
static void
assert_nothing_left (const Row *row)
{
  g_autofree char *cache = g_build_filename (home, "concurrency-lab", NULL);
  g_autoptr(GDir) dir = g_dir_open (cache, 0, NULL);
  const char *name;

  gint64 deadline = g_get_monotonic_time () + LAB_TEST_DEADLINE_S * G_USEC_PER_SEC;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, "history.db") && !g_str_has_prefix (name, "history.db-") &&
        !g_str_equal (name, "photos") && !g_str_equal (name, "blurred"))
      g_error ("“%s” left %s/%s behind", row->args, cache, name);

  /* Workers die with the run: this process is their subreaper, so any
   * that outlived it are its children now. */
  while (g_get_monotonic_time () < deadline)
    {
      while (waitpid (-1, NULL, WNOHANG) > 0)
        ;
      if (lab_test_count_children () == 0)
        return;
      g_usleep (10000);
    }
  g_error ("“%s” left %u processes running after %u s", row->args, lab_test_count_children (), LAB_TEST_DEADLINE_S);
}

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  g_autofree char *out = NULL, *err = NULL;
  int status = run_row (row, &out, &err);

  g_test_message ("%s → %d\nstderr: %s", row->args, status, err);
  if (status != row->status)
    g_error ("“%s” exited %d, not %d; stderr: %s", row->args, status, row->status, err);
  if (row->err == NULL)
    {
      if (row->status == 0 && err[0] != '\0')
        g_error ("“%s” wrote to stderr: %s", row->args, err);
    }
  else if (strstr (err, row->err) == NULL)
    g_error ("“%s” did not say “%s”; stderr: %s", row->args, row->err, err);
  /* No GLib warning or critical, no crash report, whatever the input. */
  g_assert_null (strstr (err, "CRITICAL"));
  g_assert_null (strstr (err, "WARNING"));
  g_assert_null (strstr (err, "GLib-"));
  if (row->out != NULL && strstr (out, row->out) == NULL)
    g_error ("“%s” did not print “%s”; stdout: %s", row->args, row->out, out);
  if (row->not_out != NULL && strstr (out, row->not_out) != NULL)
    g_error ("“%s” printed “%s”; stdout: %s", row->args, row->not_out, out);
  /* Whatever went wrong, JSON is UTF-8, and so are the messages. */
  g_assert_true (g_utf8_validate (out, -1, NULL) || row->out == NULL);
  if (!g_utf8_validate (err, -1, NULL))
    g_error ("“%s” wrote bytes that are not UTF-8 on stderr: %s", row->args, err);
  assert_nothing_left (row);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  lab_test_init (&argc, &argv);
  lab_test_ensure_locale ("de_DE");
  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), ==, 0);
  fixtures = g_dir_make_tmp ("lab-catalogue-XXXXXX", NULL);
  home = g_dir_make_tmp ("lab-catalogue-home-XXXXXX", NULL);
  g_assert_nonnull (fixtures);
  g_assert_nonnull (home);
  make_fixtures ();

  g_assert_cmpuint (G_N_ELEMENTS (rows), >=, 60);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/catalogue/%03u", i + 1);
      g_test_add_data_func (path, &rows[i], test_row);
    }

  rc = g_test_run ();
  lab_test_remove_tree (fixtures);
  lab_test_remove_tree (home);
  g_free (fixtures);
  g_free (home);
  return rc;
}
