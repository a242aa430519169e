/* lab-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab-error.h"
#include "lab-test-util.h"

static guint
count_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

guint
lab_test_count_threads (void)
{
  return count_dir ("/proc/self/task");
}

/* The names of this process's threads, for a failure message. */
char *
lab_test_describe_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  g_autoptr(GString) names = g_string_new (NULL);
  const char *tid;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
      g_autofree char *comm = NULL;

      if (!g_file_get_contents (path, &comm, NULL, NULL))
        continue;
      g_strchomp (comm);
      g_string_append_printf (names, "%s%s (%s)", names->len > 0 ? ", " : "", comm, tid);
    }

  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* Children of this process, zombies included: a zombie means a worker
 * the engine forgot to reap. */
guint
lab_test_count_children (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  pid_t self = getpid ();
  guint n = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *close_paren;
      int ppid = 0;
      char state;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      close_paren = strrchr (stat, ')');
      if (close_paren && sscanf (close_paren + 1, " %c %d", &state, &ppid) == 2 && ppid == self)
        n++;
    }

  return n;
}

/* Threads of a pool end just after the pool says it is done. */
gboolean
lab_test_wait_threads (guint expected,
                       guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  while (lab_test_count_threads () > expected)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (2000);
    }
  return TRUE;
}

typedef struct {
  GBytes   *out;
  GBytes   *err;
  GError   *error;
  gboolean  done;
} Communicated;

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  Communicated *c = data;

  g_subprocess_communicate_finish (G_SUBPROCESS (object), result, &c->out, &c->err, &c->error);
  c->done = TRUE;
}

static char *
steal_text (GBytes **bytes)
{
  gsize len = 0;
  char *data = g_bytes_unref_to_data (g_steal_pointer (bytes), &len);

  data = g_realloc (data, len + 1);
  data[len] = '\0';
  return data;
}

/* Starts this build's concurrency-lab with @argv (after the program
 * name) from @launcher; @extra_env: "NAME=VALUE" to set, "NAME" to unset. */
static GSubprocess *
spawn_cli (GSubprocessLauncher *launcher,
           const char * const  *argv,
           const char * const  *extra_env)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (extra_env[i], "=", 2);

      if (kv[1] != NULL)
        g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
      else
        g_subprocess_launcher_unsetenv (launcher, kv[0]);
    }
  g_ptr_array_add (args, (gpointer) g_getenv ("LAB_CLI_PATH"));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/**
 * lab_test_run_cli:
 * @argv: arguments after the program name
 * @extra_env: (nullable): "NAME=VALUE" to set, "NAME" to unset
 * @out: (out) (optional): its standard output; inherited when %NULL
 * @err: (out) (optional): its standard error; inherited when %NULL
 *
 * Runs the concurrency-lab binary of this build and waits for it, and for
 * the ends of its output. A command still going after
 * %LAB_TEST_CLI_DEADLINE_S seconds (or whose output something still holds
 * open) is killed and fails the test, rather than hang it.
 *
 * Returns: its exit status, or -1 when it was killed by a signal
 */
int
lab_test_run_cli (const char * const  *argv,
                  const char * const  *extra_env,
                  char               **out,
                  char               **err)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (LAB_TEST_CLI_DEADLINE_S);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  Communicated c = { 0 };
  gboolean timed_out = FALSE;

  launcher = g_subprocess_launcher_new ((out ? G_SUBPROCESS_FLAGS_STDOUT_PIPE : 0) |
                                        (err ? G_SUBPROCESS_FLAGS_STDERR_PIPE : 0));
  process = spawn_cli (launcher, argv, extra_env);
  command = g_strjoinv (" ", (char **) argv);

  /* A context of its own: the caller's sources do not run meanwhile. */
  g_main_context_push_thread_default (context);
  g_source_set_callback (timeout, set_flag_cb, &timed_out, NULL);
  g_source_attach (timeout, context);
  g_subprocess_communicate_async (process, NULL, NULL, communicated_cb, &c);
  while (!c.done && !timed_out)
    g_main_context_iteration (context, TRUE);
  if (!c.done)
    {
      g_subprocess_force_exit (process);
      g_error ("“concurrency-lab %s” did not end within %u s", command, LAB_TEST_CLI_DEADLINE_S);
    }
  g_source_destroy (timeout);
  g_subprocess_wait (process, NULL, &error);
  g_main_context_pop_thread_default (context);
  g_assert_no_error (error);
  g_assert_no_error (c.error);

  if (out != NULL)
    *out = steal_text (&c.out);
  if (err != NULL)
    *err = steal_text (&c.err);
  if (g_subprocess_get_if_signaled (process))
    return -1;
  return g_subprocess_get_exit_status (process);
}

void
lab_test_init (int    *argc,
               char ***argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (argc, argv, NULL);
  /* GLib starts its own "gmain" worker thread once, on first need; start
   * it now so that counting threads sees only the ones tests start. */
  g_source_unref (g_unix_signal_source_new (SIGWINCH));
  /* Likewise its "pool-spawner" thread, started by the first thread pool. */
  g_thread_pool_free (g_thread_pool_new ((GFunc) (void (*) (void)) g_free, NULL, 1, FALSE, NULL), TRUE, TRUE);
  g_assert_nonnull (g_getenv ("LAB_WORKER_PATH"));
}

/**
 * lab_test_jpeg_size:
 *
 * Asserts that @path is a whole JPEG (SOI … EOI) and reads its size from
 * the start-of-frame marker.
 */
void
lab_test_jpeg_size (const char *path,
                    guint      *width,
                    guint      *height)
{
  g_autofree guchar *data = NULL;
  gsize len = 0, i = 2;

  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  g_assert_cmpuint (len, >, 4);
  g_assert_true (data[0] == 0xFF && data[1] == 0xD8);
  g_assert_true (data[len - 2] == 0xFF && data[len - 1] == 0xD9);

  while (i + 9 < len && data[i] == 0xFF)
    {
      guint marker = data[i + 1], seglen = data[i + 2] << 8 | data[i + 3];
      if (marker >= 0xC0 && marker <= 0xC3)
        {
          *height = data[i + 5] << 8 | data[i + 6];
          *width = data[i + 7] << 8 | data[i + 8];
          return;
        }
      i += 2 + seglen;
    }
  g_error ("%s has no frame header", path);
}

/* Makes PARENT/NAME (and PARENT) and returns its path. */
char *
lab_test_make_dir (const char *parent,
                   const char *name)
{
  char *dir = g_build_filename (parent, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  return dir;
}

/* Entries of @dir, hidden ones included (0 when it does not exist). */
guint
lab_test_count_entries (const char *dir)
{
  return count_dir (dir);
}

/* rm -rf @dir: a test's own temporary folder. */
void
lab_test_remove_tree (const char *dir)
{
  const char *argv[] = { "rm", "-rf", dir, NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, NULL, NULL, NULL, NULL));
}

static void
drop_log_cb (const char     *log_domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        data)
{
}

/* Drops a library's info and debug notes (libvips lists the code paths it
 * takes) so that test logs show the tests. */
void
lab_test_hide_info (const char *log_domain)
{
  g_log_set_handler (log_domain, G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG, drop_log_cb, NULL);
}

typedef struct {
  GMainLoop    *loop;
  GCancellable *cancellable;
  GError       *error;
  guint         n_running;    /* cancel once this many jobs run at once */
  guint         most_running; /* the most seen at once, for the message */
  gboolean      cancelled;
  guint         guard;
} CancelRun;

static void
cancel_run_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      data)
{
  CancelRun *cr = data;

  lab_run_start_finish (LAB_RUN (object), result, &cr->error);
  g_main_loop_quit (cr->loop);
}

static gboolean
run_not_ended_cb (gpointer data)
{
  g_error ("The run did not end within %u s of its cancel", LAB_TEST_DEADLINE_S);
  return G_SOURCE_REMOVE;
}

/* From the cancel on, the guard is on the run's end. */
static void
cancel_now (CancelRun *cr)
{
  cr->cancelled = TRUE;
  g_source_remove (cr->guard);
  cr->guard = g_timeout_add_seconds (LAB_TEST_DEADLINE_S, run_not_ended_cb, cr);
  g_cancellable_cancel (cr->cancellable);
}

static guint
count_running (LabRun *run)
{
  guint n = 0;

  for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
    n += lab_run_get_job (run, i)->state == LAB_JOB_RUNNING;
  return n;
}

static void
cancel_run_progress_cb (LabRun    *run,
                        CancelRun *cr)
{
  guint running = count_running (run);

  cr->most_running = MAX (cr->most_running, running);
  if (!cr->cancelled && running >= cr->n_running)
    cancel_now (cr);
}

static gboolean
not_running_cb (gpointer data)
{
  CancelRun *cr = data;

  g_error ("Within %u s, at most %u jobs ran at once, not %u", LAB_TEST_DEADLINE_S,
           cr->most_running, cr->n_running);
  return G_SOURCE_REMOVE;
}

/**
 * lab_test_run_and_cancel:
 * @n_running: how many jobs must be seen running at once, at least 1
 *
 * Starts @run, cancels it as soon as one of its progress signals shows
 * @n_running jobs running side by side, and waits for it; asserts it
 * ended cancelled. The caller gives it jobs that cannot end by themselves
 * before the cancel (sleeps of an hour, a server that answers slowly), so
 * that nothing depends on how fast this machine is. Fails the test, rather
 * than hang, when the jobs do not all run within %LAB_TEST_DEADLINE_S
 * seconds, or the run does not end within as long after the cancel.
 */
void
lab_test_run_and_cancel (LabRun *run,
                         guint   n_running)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelRun cr = { loop, cancellable, .n_running = MAX (n_running, 1) };
  gulong handler = g_signal_connect (run, "progress", G_CALLBACK (cancel_run_progress_cb), &cr);

  cr.guard = g_timeout_add_seconds (LAB_TEST_DEADLINE_S, not_running_cb, &cr);
  lab_run_start_async (run, cancellable, cancel_run_done_cb, &cr);
  g_main_loop_run (loop);
  g_source_remove (cr.guard);
  g_signal_handler_disconnect (run, handler);

  if (!cr.cancelled)
    g_error ("The run ended (state %d) before %u jobs were seen running at once",
             lab_run_get_state (run), cr.n_running);
  g_assert_error (cr.error, LAB_ERROR, LAB_ERROR_CANCELLED);
  g_clear_error (&cr.error);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_CANCELLED);
}

/**
 * lab_test_config:
 * @params: (nullable): floating references are sunk
 *
 * A run's configuration by the tables' names; aborts on an unknown one.
 */
LabRunConfig *
lab_test_config (const char *task,
                 const char *strategy,
                 guint       workers,
                 GVariant   *params)
{
  g_autoptr(GError) error = NULL;
  LabRunConfig *config = lab_run_config_new_by_name (task, strategy, workers, params, &error);

  g_assert_no_error (error);
  return config;
}

/* Runs @run to its end on the calling thread, which owns it. */
gboolean
lab_test_run (LabRun  *run,
              GError **error)
{
  return lab_run_execute (run, NULL, error);
}

/**
 * lab_test_expect_setup_error:
 *
 * Asserts that a run of @config is accepted but fails as its task is set
 * up, with @code and a message holding @needle, before any job runs.
 */
void
lab_test_expect_setup_error (const LabRunConfig *config,
                             gint                code,
                             const char         *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabRun) run = lab_run_new (config, &error);

  g_assert_no_error (error);
  g_assert_false (lab_run_execute (run, NULL, &error));
  g_assert_error (error, LAB_ERROR, code);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, needle);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FAILED);
  g_assert_cmpuint (lab_run_get_n_done (run), ==, 0);
}

/**
 * lab_test_fake_run:
 * @params: a{sv} in GVariant text, or %NULL
 *
 * A made-up finished run, for reports and charts that need no clock: its
 * @n_jobs jobs take turns on @workers lanes, back to back, each the same
 * share of @wall_s and of @cpu_s.
 */
LabRun *
lab_test_fake_run (const char *task,
                   const char *strategy,
                   guint       workers,
                   const char *params,
                   guint       n_jobs,
                   double      wall_s,
                   double      cpu_s)
{
  GVariant *p = params ? g_variant_parse (G_VARIANT_TYPE_VARDICT, params, NULL, NULL, NULL) : NULL;
  g_autoptr(LabRunConfig) config = lab_test_config (task, strategy, workers, p);
  g_autofree LabJobRecord *jobs = g_new0 (LabJobRecord, MAX (n_jobs, 1));
  guint per_lane = (n_jobs + workers - 1) / MAX (workers, 1);
  gint64 wall = (gint64) (wall_s * 1e9), job_ns = per_lane ? wall / per_lane : 0;
  LabRunSummary sum = { .wall_ns = wall, .user_ns = (gint64) (cpu_s * 1e9), .n_jobs = n_jobs,
                        .workers = workers, .peak_rss_kb = 1000 };

  for (guint i = 0; i < n_jobs; i++)
    {
      jobs[i].lane = i % workers;
      jobs[i].dispatch_ns = jobs[i].start_ns = (i / workers) * job_ns;
      jobs[i].end_ns = jobs[i].back_ns = jobs[i].start_ns + job_ns;
      jobs[i].cpu_ns = (gint64) (cpu_s * 1e9) / n_jobs;
      jobs[i].worker = 1000 + jobs[i].lane;
      jobs[i].state = LAB_JOB_OK;
    }
  return lab_run_new_from_records (config, LAB_RUN_FINISHED, &sum, jobs, n_jobs, NULL, 0);
}

static gboolean
system_has_locale (const char *name)
{
  g_autofree char *out = NULL;
  g_autofree char *utf8 = g_strdup_printf ("%s.utf8", name);
  g_autofree char *upper = g_strdup_printf ("%s.UTF-8", name);
  g_auto(GStrv) lines = NULL;

  if (!g_spawn_command_line_sync ("locale -a", &out, NULL, NULL, NULL))
    return FALSE;
  lines = g_strsplit (out, "\n", -1);
  return g_strv_contains ((const char * const *) lines, utf8) || g_strv_contains ((const char * const *) lines, upper);
}

/**
 * lab_test_ensure_locale:
 * @name: a locale without its encoding, "zh_CN" or "de_DE"
 *
 * Makes @name.UTF-8 usable: when the system lacks it, it is generated
 * with localedef under <build>/tests/locale once per build tree, and
 * LOCPATH is set to that folder (children inherit it). A locale that
 * cannot be had fails the test: it is never skipped quietly.
 *
 * Returns: the folder for LOCPATH, or %NULL when the system has it
 */
const char *
lab_test_ensure_locale (const char *name)
{
  static char *locpath;
  g_autofree char *dir = g_build_filename (g_getenv ("LAB_BUILD_DIR"), "tests", "locale", NULL);
  g_autofree char *full = g_strdup_printf ("%s.UTF-8", name);
  g_autofree char *target = g_build_filename (dir, full, NULL);
  g_autofree char *lc_ctype = g_build_filename (target, "LC_CTYPE", NULL);
  const char *argv[] = { "localedef", "-i", name, "-f", "UTF-8", target, NULL };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (system_has_locale (name))
    return NULL;

  if (!g_file_test (lc_ctype, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      /* localedef exits 1 for mere warnings; what counts is the result. */
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err, &status, &error);
      g_assert_no_error (error);
      if (!g_file_test (lc_ctype, G_FILE_TEST_EXISTS))
        g_error ("Could not generate the %s locale (is the `locales` package installed?): %s", full, err);
    }
  g_free (locpath);
  locpath = g_steal_pointer (&dir);
  g_setenv ("LOCPATH", locpath, TRUE);
  return locpath;
}

/**
 * lab_test_spawn_cli:
 * @extra_env: (nullable): as for lab_test_run_cli()
 * @out_path: (nullable): where its standard output goes
 * @err_path: (nullable): where its standard error goes
 *
 * Starts the concurrency-lab binary of this build without waiting. Its
 * output goes to files, not pipes, so that a process that inherited them
 * (a worker that outlives it) cannot make the test wait for an EOF.
 */
GSubprocess *
lab_test_spawn_cli (const char * const *argv,
                    const char * const *extra_env,
                    const char         *out_path,
                    const char         *err_path)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);

  g_subprocess_launcher_set_stdout_file_path (launcher, out_path ? out_path : "/dev/null");
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path ? err_path : "/dev/null");
  return spawn_cli (launcher, argv, extra_env);
}

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) data = TRUE;
}

/**
 * lab_test_wait_process:
 *
 * Waits for @process to exit, at most @timeout_ms.
 *
 * Returns: whether it exited in time
 */
gboolean
lab_test_wait_process (GSubprocess *process,
                       guint        timeout_ms)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean done = FALSE, timed_out = FALSE;
  guint timeout = g_timeout_add (timeout_ms, set_flag_cb, &timed_out);

  g_subprocess_wait_async (process, cancellable, wait_done_cb, &done);
  while (!done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);
  /* The callback holds a pointer to this frame: let it run. */
  g_cancellable_cancel (cancellable);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  return g_subprocess_get_identifier (process) == NULL;
}

/* The state letter and parent of @pid from /proc, or FALSE when gone. */
static gboolean
read_stat (const char *pid,
           char       *state,
           int        *ppid)
{
  g_autofree char *path = g_build_filename ("/proc", pid, "stat", NULL);
  g_autofree char *stat = NULL;
  const char *close_paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  close_paren = strrchr (stat, ')');
  return close_paren != NULL && sscanf (close_paren + 1, " %c %d", state, ppid) == 2;
}

/* Whether @pid runs: a zombie has ended, it only waits to be reaped
 * (perhaps by an init that never does). */
gboolean
lab_test_pid_alive (GPid pid)
{
  g_autofree char *name = g_strdup_printf ("%d", (int) pid);
  char state;
  int ppid;

  return read_stat (name, &state, &ppid) && state != 'Z' && state != 'X';
}

/**
 * lab_test_find_descendants:
 *
 * Returns: (transfer full): the pids (GPid) of the processes that descend
 *   from @root and still run
 */
GArray *
lab_test_find_descendants (GPid root)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  g_autoptr(GArray) procs = g_array_new (FALSE, FALSE, sizeof (int) * 2);
  GArray *found = g_array_new (FALSE, FALSE, sizeof (GPid));
  const char *name;
  gboolean grew = TRUE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int entry[2];
      char state;

      if (g_ascii_isdigit (name[0]) && read_stat (name, &state, &entry[1]) && state != 'Z' && state != 'X')
        {
          entry[0] = atoi (name);
          g_array_append_val (procs, entry);
        }
    }

  /* Parents may come after their children in /proc: repeat until stable. */
  while (grew)
    {
      grew = FALSE;
      for (guint i = 0; i < procs->len; i++)
        {
          int *entry = &g_array_index (procs, int, 2 * i);
          gboolean known = FALSE, parent_known = entry[1] == root;

          for (guint k = 0; k < found->len; k++)
            {
              known |= g_array_index (found, GPid, k) == entry[0];
              parent_known |= g_array_index (found, GPid, k) == entry[1];
            }
          if (!known && parent_known)
            {
              g_array_append_val (found, entry[0]);
              grew = TRUE;
            }
        }
    }

  return found;
}

/* Waits until at least @n processes descend from @root. */
gboolean
lab_test_wait_descendants (GPid  root,
                           guint n,
                           guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(GArray) found = lab_test_find_descendants (root);

      if (found->len >= n)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (10 * 1000);
    }
}

/* Waits until none of @pids runs any more. */
gboolean
lab_test_wait_pids_gone (GArray *pids,
                         guint   timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * 1000;

  for (;;)
    {
      gboolean any = FALSE;

      for (guint i = 0; i < pids->len; i++)
        any |= lab_test_pid_alive (g_array_index (pids, GPid, i));
      if (!any)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (10 * 1000);
    }
}

/**
 * lab_test_signal_set:
 * @field: "SigBlk", "SigIgn", "SigCgt" or "SigPnd"
 *
 * Returns: that set of signals of @pid from /proc (bit n-1 for signal n)
 */
guint64
lab_test_signal_set (GPid        pid,
                     const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  g_autofree char *key = g_strconcat ("\n", field, ":", NULL);
  const char *at;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  at = strstr (text, key);
  g_assert_nonnull (at);
  return g_ascii_strtoull (at + strlen (key), NULL, 16);
}

typedef struct {
  CancelRun   cr;
  const char *dir;
  const char *prefix;
  guint       poll;
} CancelWhen;

static gboolean
has_entry (const char *dir,
           const char *prefix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix))
      return TRUE;
  return FALSE;
}

static gboolean
poll_entry_cb (gpointer data)
{
  CancelWhen *when = data;

  if (!has_entry (when->dir, when->prefix))
    return G_SOURCE_CONTINUE;
  when->poll = 0;
  cancel_now (&when->cr);
  return G_SOURCE_REMOVE;
}

static gboolean
never_seen_cb (gpointer data)
{
  CancelWhen *when = data;

  g_error ("Nothing named %s… appeared in %s within %u s", when->prefix, when->dir, LAB_TEST_DEADLINE_S);
  return G_SOURCE_REMOVE;
}

/**
 * lab_test_run_and_cancel_when:
 * @dir: a folder the run's set-up fills
 * @prefix: what the name of the entry to wait for starts with
 *
 * Starts @run, cancels it as soon as an entry named @prefix… appears in
 * @dir (say, the temporary folder its set-up makes before it generates
 * photos), and waits for it to end, cancelled. Fails the test rather
 * than hang when nothing appears within %LAB_TEST_DEADLINE_S seconds, or
 * the run does not end within as long after the cancel.
 */
void
lab_test_run_and_cancel_when (LabRun     *run,
                              const char *dir,
                              const char *prefix)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelWhen when = { { loop, cancellable }, dir, prefix };

  when.cr.guard = g_timeout_add_seconds (LAB_TEST_DEADLINE_S, never_seen_cb, &when);
  when.poll = g_timeout_add (1, poll_entry_cb, &when);
  lab_run_start_async (run, cancellable, cancel_run_done_cb, &when.cr);
  g_main_loop_run (loop);
  g_source_remove (when.cr.guard);
  g_clear_handle_id (&when.poll, g_source_remove);
  if (!when.cr.cancelled)
    g_error ("The run ended (state %d) before %s… appeared in %s", lab_run_get_state (run), prefix, dir);
  g_assert_error (when.cr.error, LAB_ERROR, LAB_ERROR_CANCELLED);
  g_clear_error (&when.cr.error);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_CANCELLED);
}

/* Fails the test, naming what is there, unless @dir is empty or gone. */
void
lab_test_assert_empty (const char *dir)
{
  const char *argv[] = { "find", dir, "-mindepth", "1", NULL };
  g_autofree char *out = NULL;

  if (lab_test_count_entries (dir) == 0)
    return;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, NULL, NULL);
  g_error ("%s should be empty, but has:\n%s", dir, out);
}

/* The state letter and the CPU time (user and system, in clock ticks) of
 * thread @tid of this process; FALSE when it is gone. */
gboolean
lab_test_thread_stat (GPid     tid,
                      char    *state,
                      guint64 *cpu_ticks)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/stat", (int) tid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *close_paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (close_paren = strrchr (stat, ')')) == NULL)
    return FALSE;
  /* After the name: state (field 3) … utime (14), stime (15). */
  fields = g_strsplit (close_paren + 2, " ", 14);
  if (g_strv_length (fields) < 14)
    return FALSE;
  if (state != NULL)
    *state = fields[0][0];
  if (cpu_ticks != NULL)
    *cpu_ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  return TRUE;
}

/* The system call thread @tid of this process is blocked in, or -1 when
 * it runs (or is gone). */
glong
lab_test_thread_syscall (GPid tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/syscall", (int) tid);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL) || !g_ascii_isdigit (text[0]))
    return -1;
  return (glong) g_ascii_strtoll (text, NULL, 10);
}

struct _LabTestWatchdog {
  GThread  *thread;
  GMutex    mutex;
  GCond     cond;
  gboolean  disarmed;
  guint     seconds;
  char     *what;
};

static gpointer
watchdog_thread (gpointer data)
{
  LabTestWatchdog *dog = data;
  gint64 deadline = g_get_monotonic_time () + dog->seconds * G_USEC_PER_SEC;

  g_mutex_lock (&dog->mutex);
  while (!dog->disarmed)
    if (!g_cond_wait_until (&dog->cond, &dog->mutex, deadline))
      g_error ("%s: not done within %u s", dog->what, dog->seconds);
  g_mutex_unlock (&dog->mutex);
  return NULL;
}

/**
 * lab_test_watchdog_new:
 * @seconds: a hang guard, never a measure: far longer than the wait takes
 *   on a busy machine
 *
 * Guards a wait that cannot take a deadline (a blocking call): unless
 * freed within @seconds, it fails the test with "@what: not done within
 * @seconds s", from a thread of its own.
 */
LabTestWatchdog *
lab_test_watchdog_new (guint       seconds,
                       const char *what)
{
  LabTestWatchdog *dog = g_new0 (LabTestWatchdog, 1);

  g_mutex_init (&dog->mutex);
  g_cond_init (&dog->cond);
  dog->seconds = seconds;
  dog->what = g_strdup (what);
  dog->thread = g_thread_new ("lab-watchdog", watchdog_thread, dog);
  return dog;
}

void
lab_test_watchdog_free (LabTestWatchdog *dog)
{
  g_mutex_lock (&dog->mutex);
  dog->disarmed = TRUE;
  g_cond_signal (&dog->cond);
  g_mutex_unlock (&dog->mutex);
  g_thread_join (dog->thread);
  g_mutex_clear (&dog->mutex);
  g_cond_clear (&dog->cond);
  g_free (dog->what);
  g_free (dog);
}

static void
add_id (GArray *ids,
        gint64  id)
{
  GPid pid = (GPid) id;

  /* The calling thread runs the jobs of lab_run_execute() itself. */
  if (id <= 0 || pid == getpid ())
    return;
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, GPid, i) == pid)
      return;
  g_array_append_val (ids, pid);
}

/**
 * lab_test_assert_workers_gone:
 *
 * Fails the test unless every thread and process that ran a job of @run,
 * or served it as a worker, has ended. Threads end just after their run
 * says it is done, so this waits for them, at most %LAB_TEST_DEADLINE_S
 * seconds.
 */
void
lab_test_assert_workers_gone (LabRun *run)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (GPid));
  g_autoptr(GString) left = g_string_new (NULL);

  for (guint i = 0; lab_run_has_jobs (run) && i < lab_run_get_n_jobs (run); i++)
    add_id (ids, lab_run_get_job (run, i)->worker);
  for (guint i = 0; i < lab_run_get_n_worker_records (run); i++)
    add_id (ids, lab_run_get_worker_record (run, i)->id);
  if (lab_test_wait_pids_gone (ids, LAB_TEST_DEADLINE_S * 1000))
    return;

  for (guint i = 0; i < ids->len; i++)
    if (lab_test_pid_alive (g_array_index (ids, GPid, i)))
      g_string_append_printf (left, " %d", (int) g_array_index (ids, GPid, i));
  g_error ("Workers of the run still there %u s after it ended:%s", LAB_TEST_DEADLINE_S, left->str);
}

/**
 * lab_test_wait_until:
 *
 * Turns the main loop until @cond holds; fails the test, saying @what,
 * after LAB_TEST_DEADLINE_S (a hang guard, never a measure).
 */
void
lab_test_wait_until (gboolean  (*cond) (gpointer),
                     gpointer    data,
                     const char *what)
{
  gint64 deadline = g_get_monotonic_time () + LAB_TEST_DEADLINE_S * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Not within %u s: %s", LAB_TEST_DEADLINE_S, what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}
