/* lab-bench-startup.c — what it costs here to start each kind of worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Measures the operations each strategy pays for before (or between) its
 * jobs: GThread create + join, GThreadPool push → start, fork + wait,
 * a job in a forked child (what a fork server would pay), posix_spawn +
 * wait of small programs linking GLib / GIO / libsoup / libvips, a job in
 * a fresh concurrency-lab-worker, a raw pipe round trip and a job round
 * trip over the worker protocol, and a page of fresh memory against one
 * written before. Each measurement is repeated and
 * printed as one tab-separated line for bench/startup:
 *
 *   name  median_us  min_us  max_us  iterations_per_repeat
 *
 * Links GLib and lab-core only, like the worker, so it starts small too.
 */
#define G_LOG_DOMAIN "lab-bench"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>

#include "lab-clock.h"
#include "lab-protocol.h"
#include "lab-task.h"

extern char **environ;

/* Returns the nanoseconds that @n operations took. */
typedef gint64 (*MeasureFunc) (gpointer data,
                               guint    n);

static int opt_repeats = 7;
static double opt_scale = 1.0;
static char **opt_only;

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
report (const char  *name,
        MeasureFunc  func,
        gpointer     data,
        guint        n)
{
  g_autofree double *us = NULL;

  if (opt_only != NULL && !g_strv_contains ((const char * const *) opt_only, name))
    return;
  us = g_new (double, opt_repeats);
  n = MAX (1, (guint) (n * opt_scale));
  func (data, MAX (1, n / 10));   /* warm-up: page cache, lazy binding */
  for (int r = 0; r < opt_repeats; r++)
    us[r] = func (data, n) / 1e3 / n;
  qsort (us, opt_repeats, sizeof (double), compare_double);
  g_print ("%s\t%.3f\t%.3f\t%.3f\t%u\n", name, us[opt_repeats / 2], us[0], us[opt_repeats - 1], n);
}

/* Every call checked has a side effect, so no g_assert () for them. */
static void
must (gboolean    ok,
      const char *what)
{
  if (!ok)
    g_error ("%s failed: %s", what, g_strerror (errno));
}

static void
wait_child (pid_t pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
}

/* Threads */

static gpointer
noop_thread (gpointer data)
{
  return data;
}

static gint64
measure_thread (gpointer data,
                guint    n)
{
  gint64 t0 = lab_clock_now_ns ();

  for (guint i = 0; i < n; i++)
    g_thread_join (g_thread_new ("lab-bench", noop_thread, NULL));
  return lab_clock_now_ns () - t0;
}

typedef struct {
  GAsyncQueue *done;
  gint64       pushed_ns;
  gint64       waited_ns;
} Latency;

static void
latency_job (gpointer item,
             gpointer user_data)
{
  Latency *l = user_data;

  l->waited_ns += lab_clock_now_ns () - l->pushed_ns;
  g_async_queue_push (l->done, item);
}

/* An idle pool thread has to be woken up: that is the latency a job
 * pushed to a quiet pool sees before it starts. */
static gint64
measure_pool_latency (gpointer data,
                      guint    n)
{
  Latency l = { g_async_queue_new (), 0, 0 };
  GThreadPool *pool = g_thread_pool_new (latency_job, &l, 1, TRUE, NULL);

  for (guint i = 0; i < n; i++)
    {
      l.pushed_ns = lab_clock_now_ns ();
      g_thread_pool_push (pool, GUINT_TO_POINTER (1), NULL);
      g_async_queue_pop (l.done);
    }
  g_thread_pool_free (pool, FALSE, TRUE);
  g_async_queue_unref (l.done);
  return l.waited_ns;
}

static void
empty_job (gpointer item,
           gpointer user_data)
{
}

/* A busy pool: per-job cost when many empty jobs are queued at once,
 * pool start and join included (as in a thread-pool run). */
static gint64
measure_pool_throughput (gpointer data,
                         guint    n)
{
  gint64 t0 = lab_clock_now_ns ();
  GThreadPool *pool = g_thread_pool_new (empty_job, NULL, 2, TRUE, NULL);

  for (guint i = 0; i < n; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
  return lab_clock_now_ns () - t0;
}

/* Processes */

static gint64
measure_fork (gpointer data,
              guint    n)
{
  gint64 t0 = lab_clock_now_ns ();

  for (guint i = 0; i < n; i++)
    {
      pid_t pid = fork ();

      if (pid == 0)
        _exit (0);
      must (pid > 0, "fork");
      wait_child (pid);
    }
  return lab_clock_now_ns () - t0;
}

/* posix_spawn with stdin/stdout from @to_child/@from_child (or
 * /dev/null when -1) and stderr to /dev/null. */
static pid_t
spawn (const char *path,
       int         to_child,
       int         from_child)
{
  char *argv[] = { (char *) path, NULL };
  posix_spawn_file_actions_t actions;
  pid_t pid;
  int rc;

  posix_spawn_file_actions_init (&actions);
  if (to_child >= 0)
    posix_spawn_file_actions_adddup2 (&actions, to_child, STDIN_FILENO);
  else
    posix_spawn_file_actions_addopen (&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (from_child >= 0)
    posix_spawn_file_actions_adddup2 (&actions, from_child, STDOUT_FILENO);
  else
    posix_spawn_file_actions_addopen (&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen (&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  rc = posix_spawn (&pid, path, &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&actions);
  if (rc != 0)
    g_error ("Could not start %s: %s", path, g_strerror (rc));
  return pid;
}

static gint64
measure_spawn (gpointer data,
               guint    n)
{
  gint64 t0 = lab_clock_now_ns ();

  for (guint i = 0; i < n; i++)
    wait_child (spawn (data, -1, -1));
  return lab_clock_now_ns () - t0;
}

typedef struct {
  pid_t           pid;
  LabFrameReader *reader;
  LabFrameWriter *writer;
  int             to_fd;
  int             from_fd;
} Worker;

static GVariant *
hello_params (guint n_jobs)
{
  g_auto(GVariantDict) params = G_VARIANT_DICT_INIT (NULL);
  const double zero = 0;

  g_variant_dict_insert (&params, LAB_PARAM_JOBS, "u", n_jobs);
  g_variant_dict_insert_value (&params, LAB_PARAM_SECONDS,
                               g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, &zero, 1, sizeof zero));
  return g_variant_dict_end (&params);
}

/* Starts a worker and sends it HELLO for @n_jobs empty sleep jobs. */
static void
worker_start (Worker     *w,
              const char *path,
              guint       n_jobs)
{
  int in_pipe[2], out_pipe[2];

  must (pipe2 (in_pipe, O_CLOEXEC) == 0 && pipe2 (out_pipe, O_CLOEXEC) == 0, "pipe2");
  w->pid = spawn (path, in_pipe[0], out_pipe[1]);
  close (in_pipe[0]);
  close (out_pipe[1]);
  w->to_fd = in_pipe[1];
  w->from_fd = out_pipe[0];
  w->reader = lab_frame_reader_new (w->from_fd);
  w->writer = lab_frame_writer_new (w->to_fd);
  lab_frame_writer_append_hello (w->writer, "sleep", hello_params (n_jobs));
}

static void
expect_frame (LabFrameReader *reader,
              LabFrameType    expected)
{
  g_autoptr(GVariant) payload = NULL;
  g_autoptr(GError) error = NULL;
  LabFrameType type;

  if (!lab_frame_reader_read (reader, &type, &payload, &error))
    g_error ("The worker stopped answering: %s", error ? error->message : "end of input");
  if (type != expected)
    g_error ("The worker sent frame type %u, expected %u", type, expected);
}

/* Closes stdin, reads the remaining frames up to EOF, reaps the worker. */
static void
worker_finish (Worker *w)
{
  GVariant *payload = NULL;
  LabFrameType type;

  close (w->to_fd);
  while (lab_frame_reader_read (w->reader, &type, &payload, NULL))
    g_clear_pointer (&payload, g_variant_unref);
  wait_child (w->pid);
  lab_frame_reader_free (w->reader);
  lab_frame_writer_free (w->writer);
  close (w->from_fd);
}

/* What the processes strategy pays per job: a fresh worker, HELLO,
 * one job, its result, exit and reap. */
static gint64
measure_worker_job (gpointer data,
                    guint    n)
{
  gint64 t0 = lab_clock_now_ns ();

  for (guint i = 0; i < n; i++)
    {
      Worker w;

      worker_start (&w, data, 1);
      lab_frame_writer_append_job (w.writer, 0);
      lab_frame_writer_flush (w.writer, TRUE, NULL);
      expect_frame (w.reader, LAB_FRAME_READY);
      expect_frame (w.reader, LAB_FRAME_RESULT);
      worker_finish (&w);
    }
  return lab_clock_now_ns () - t0;
}

/* One job at a time over the protocol to a running worker: the round
 * trip a pool pays when it keeps a single job in flight. */
static gint64
measure_protocol_round_trip (gpointer data,
                             guint    n)
{
  Worker w;
  gint64 t0;

  worker_start (&w, data, n);
  lab_frame_writer_flush (w.writer, TRUE, NULL);
  expect_frame (w.reader, LAB_FRAME_READY);

  t0 = lab_clock_now_ns ();
  for (guint i = 0; i < n; i++)
    {
      lab_frame_writer_append_job (w.writer, i);
      lab_frame_writer_flush (w.writer, TRUE, NULL);
      expect_frame (w.reader, LAB_FRAME_RESULT);
    }
  t0 = lab_clock_now_ns () - t0;

  worker_finish (&w);
  return t0;
}

/* The child's side of fork_batch (): run job 0, send its result. */
static int
run_one_job (const LabTaskClass *klass,
             gpointer            plan,
             int                 fd)
{
  g_autoptr(LabFrameWriter) writer = lab_frame_writer_new (fd);
  LabJobResult result = { 0 };

  result.worker = getpid ();
  result.start_ns = lab_clock_now_ns ();
  klass->run_job (plan, NULL, 0, &result, NULL, NULL);
  result.end_ns = lab_clock_now_ns ();
  lab_frame_writer_append (writer, LAB_FRAME_RESULT, lab_protocol_encode_result (&result));
  return lab_frame_writer_flush (writer, TRUE, NULL) ? 0 : 1;
}

/* @count children forked at once, each runs job 0 and writes its RESULT
 * frame (under PIPE_BUF, so frames do not interleave) to one shared pipe;
 * the parent reads @count frames, then reaps every child. */
static void
fork_batch (const LabTaskClass *klass,
            gpointer            plan,
            guint               count)
{
  g_autoptr(LabFrameReader) reader = NULL;
  g_autofree pid_t *pids = g_new (pid_t, count);
  int fds[2];

  must (pipe2 (fds, O_CLOEXEC) == 0, "pipe2");
  for (guint i = 0; i < count; i++)
    {
      pids[i] = fork ();
      must (pids[i] >= 0, "fork");
      if (pids[i] == 0)
        _exit (run_one_job (klass, plan, fds[1]));
    }
  close (fds[1]);
  reader = lab_frame_reader_new (fds[0]);
  for (guint i = 0; i < count; i++)
    expect_frame (reader, LAB_FRAME_RESULT);
  for (guint i = 0; i < count; i++)
    wait_child (pids[i]);
  close (fds[0]);
}

/* What a fork server would pay per job: the small process that already
 * holds the task's plan forks a child per job, @at_once at a time. */
static gint64
fork_jobs (guint n,
           guint at_once)
{
  g_autoptr(GVariant) params = g_variant_ref_sink (hello_params (1));
  const LabTaskClass *klass = lab_task_lookup ("sleep", NULL);
  gpointer plan = klass->setup (params, NULL, NULL);
  gint64 t0 = lab_clock_now_ns ();

  for (guint done = 0; done < n; done += at_once)
    fork_batch (klass, plan, MIN (at_once, n - done));
  t0 = lab_clock_now_ns () - t0;
  klass->plan_free (plan);
  return t0;
}

/* One job at a time, as a fork server with --workers=1 would run them. */
static gint64
measure_fork_job (gpointer data,
                  guint    n)
{
  return fork_jobs (n, 1);
}

/* The processes strategy's default: every job's process started at once. */
static gint64
measure_fork_burst (gpointer data,
                    guint    n)
{
  return fork_jobs (n, n);
}

/* Memory */

/* Writing one byte to each of @n pages of fresh anonymous memory, or
 * (@data non-NULL) to pages written once already: what a worker pays the
 * first time it uses memory (a page fault, a zeroed page; in a virtual
 * machine, sometimes the host backing the page too), and afterwards. */
static gint64
measure_memory (gpointer data,
                guint    n)
{
  gsize page = sysconf (_SC_PAGESIZE);
  volatile char *p = mmap (NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  gint64 t0;

  must (p != MAP_FAILED, "mmap");
  if (data != NULL)
    for (guint i = 0; i < n; i++)
      p[i * page] = 1;
  t0 = lab_clock_now_ns ();
  for (guint i = 0; i < n; i++)
    p[i * page] = 2;
  t0 = lab_clock_now_ns () - t0;
  munmap ((void *) p, n * page);
  return t0;
}

/* One byte there and back between two processes over two pipes. */
static gint64
measure_pipe_round_trip (gpointer data,
                         guint    n)
{
  int there[2], back[2];
  char byte = 0;
  gint64 t0;
  pid_t pid;

  must (pipe (there) == 0 && pipe (back) == 0, "pipe");
  pid = fork ();
  if (pid == 0)
    {
      close (there[1]);
      close (back[0]);
      while (read (there[0], &byte, 1) == 1 && write (back[1], &byte, 1) == 1)
        ;
      _exit (0);
    }
  close (there[0]);
  close (back[1]);

  t0 = lab_clock_now_ns ();
  for (guint i = 0; i < n; i++)
    must (write (there[1], &byte, 1) == 1 && read (back[0], &byte, 1) == 1, "pipe round trip");
  t0 = lab_clock_now_ns () - t0;

  close (there[1]);
  close (back[0]);
  wait_child (pid);
  return t0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) probes = NULL;
  g_autofree char *worker = NULL;
  GOptionEntry entries[] = {
    { "worker", 0, 0, G_OPTION_ARG_FILENAME, &worker, "concurrency-lab-worker to measure", "PATH" },
    { "probe", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &probes, "A program to time posix_spawn + wait of", "NAME=PATH" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &opt_repeats, "Repeats of each measurement (median printed)", "N" },
    { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &opt_scale, "Multiply every iteration count by this", "F" },
    { "only", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_only, "Run only this measurement (repeatable)", "NAME" },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new ("— time thread, pool, fork, spawn and pipe start-up");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_repeats < 1 || opt_scale <= 0)
    {
      g_printerr ("%s\n", error ? error->message : "--repeats and --scale must be positive");
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);

  report ("thread-create-join", measure_thread, NULL, 2000);
  report ("pool-push-to-start-idle", measure_pool_latency, NULL, 2000);
  report ("pool-per-job-busy", measure_pool_throughput, NULL, 20000);
  report ("fork-wait", measure_fork, NULL, 300);
  report ("fork-job", measure_fork_job, NULL, 300);
  report ("fork-burst", measure_fork_burst, NULL, 200);
  for (guint i = 0; probes != NULL && probes[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (probes[i], "=", 2);
      g_autofree char *name = g_strconcat ("spawn-wait:", kv[0], NULL);

      if (kv[1] != NULL)
        report (name, measure_spawn, kv[1], strstr (kv[0], "vips") ? 20 : 200);
    }
  if (worker != NULL)
    {
      report ("worker-one-job", measure_worker_job, worker, 200);
      report ("protocol-round-trip", measure_protocol_round_trip, worker, 3000);
    }
  report ("pipe-round-trip", measure_pipe_round_trip, NULL, 5000);
  report ("memory-first-touch", measure_memory, NULL, 4096);
  report ("memory-touched-again", measure_memory, GINT_TO_POINTER (TRUE), 4096);
  g_strfreev (opt_only);
  return 0;
}
