/* lab-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <glib-unix.h>
#include <stdio.h>
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

/**
 * lab_test_run_cli:
 * @argv: arguments after the program name
 *
 * Runs the concurrency-lab binary of this build and waits for it.
 *
 * Returns: its exit status, or -1 when it was killed by a signal
 */
int
lab_test_run_cli (const char * const  *argv,
                  const char * const  *extra_env,
                  char               **out,
                  char               **err)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (args, (gpointer) g_getenv ("LAB_CLI_PATH"));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);

  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (extra_env[i], "=", 2);
      env = g_environ_setenv (env, kv[0], kv[1], TRUE);
    }

  g_spawn_sync (NULL, (char **) args->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);

  if (WIFSIGNALED (status))
    return -1;
  return WEXITSTATUS (status);
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
  GMainLoop *loop;
  GError    *error;
} RunWait;

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  RunWait *wait = data;

  lab_run_start_finish (LAB_RUN (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static gboolean
any_job_running (LabRun *run)
{
  for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
    if (g_atomic_int_get (&lab_run_get_job (run, i)->state) != LAB_JOB_PENDING)
      return TRUE;
  return FALSE;
}

/**
 * lab_test_run_and_cancel:
 * @after_ms: how long after the first job starts
 *
 * Starts @run, cancels it @after_ms into its first job and waits for it;
 * asserts it ended cancelled.
 *
 * Returns: microseconds from the cancel to the end of the run
 */
gint64
lab_test_run_and_cancel (LabRun *run,
                         guint   after_ms)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  RunWait wait = { loop, NULL };
  gint64 cancelled_at;

  lab_run_start_async (run, cancellable, run_done_cb, &wait);
  while (!any_job_running (run))
    g_usleep (1000);
  g_usleep (after_ms * 1000);
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_main_loop_run (loop);

  g_assert_error (wait.error, LAB_ERROR, LAB_ERROR_CANCELLED);
  g_clear_error (&wait.error);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_CANCELLED);
  return g_get_monotonic_time () - cancelled_at;
}
