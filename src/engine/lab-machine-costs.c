/* lab-machine-costs.c — what a thread, a process and a job cost on this computer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Measured here and now, in about two seconds: each operation a strategy
 * pays for is timed in batches, and the median and the spread of the
 * batches' means are kept (a busy machine shows as a wide spread, not as
 * one wrong figure). The last rows run the real strategies through LabRun
 * on empty jobs (`sleep --seconds=0`), so what the break-even computation
 * uses is what a run pays, bookkeeping included. Each figure has a
 * reference beside it: Python's executors measured by bench/overhead, and
 * the quiet-machine figures of the project's design notes.
 *
 * The children forked here only call async-signal-safe functions (read,
 * write, _exit): the measurement may run on a thread of a busy process.
 * A fork copies the page tables of the process that forks: from the
 * window (GTK, fonts, many threads) it costs several times what it costs
 * from the command line, and both cost more than a fork of the small
 * fork server the process strategies use ("Empty job: processes") —
 * which is why they use one.
 */
#define G_LOG_DOMAIN "lab-machine-costs"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "lab-clock.h"
#include "lab-error.h"
#include "lab-format.h"
#include "lab-machine-costs.h"
#include "lab-tsan.h"
#include "lab-protocol.h"
#include "lab-run.h"
#include "lab-strategy.h"
#include "lab-task.h"
#include "lab-worker-loop.h"

extern char **environ;

/* Where the reference figures come from. */
#define SOURCE_OVERHEAD N_("bench/overhead on the project’s 2-core AMD EPYC VM (Debian 12), 2026-11-30 12:43 UTC")
#define SOURCE_DESIGN   N_("design notes: a quiet 2-core Debian 12 machine, measured by bench/startup")
#define SOURCE_STARTUP  N_("bench/startup on the project’s 2-core AMD EPYC VM (Debian 12), 2026-11-25 16:41 UTC")

static const LabCostReference references[LAB_N_COSTS] = {
  [LAB_COST_THREAD_CREATE]    = { N_("GThread create + join, quiet machine"), 39e-6, SOURCE_DESIGN },
  [LAB_COST_POOL_HANDOVER]    = { N_("GThreadPool push → run, quiet machine"), 0.1e-6, SOURCE_DESIGN },
  [LAB_COST_FORK_WAIT]        = { N_("fork + wait of a small process, quiet machine"), 250e-6, SOURCE_DESIGN },
  [LAB_COST_WORKER_START]     = { N_("posix_spawn + wait of a program linking only GLib"), 500e-6, SOURCE_DESIGN },
  [LAB_COST_FORK_SERVER_JOB]  = { N_("fork server: fork, 1 job, RESULT, reap"), 523.3e-6, SOURCE_STARTUP },
  [LAB_COST_PIPE_ROUND_TRIP]  = { N_("pipe round trip between two processes, quiet machine"), 45e-6, SOURCE_DESIGN },
  [LAB_COST_JOB_SEQUENTIAL]   = { NULL, 0, NULL },
  [LAB_COST_JOB_THREADS]      = { N_("GThread create + join, quiet machine"), 39e-6, SOURCE_DESIGN },
  [LAB_COST_JOB_THREAD_POOL]  = { N_("Python ThreadPoolExecutor(2), per empty job"), 74.1e-6, SOURCE_OVERHEAD },
  [LAB_COST_JOB_PROCESSES]    = { N_("Python multiprocessing.Process start + join, per job"), 22.0e-3, SOURCE_OVERHEAD },
  [LAB_COST_JOB_PROCESS_POOL] = { N_("Python ProcessPoolExecutor(2), per empty job"), 203.4e-6, SOURCE_OVERHEAD },
};

/* What each row is, how big a batch is, and how long it may take. The
 * budgets add up to 2.4 s; a row stops at its budget once it has
 * MIN_SAMPLES, so a slow machine stays near it too. */
typedef struct {
  const char *id;
  const char *strategy;
  const char *title;
  guint       batch;
  guint       max_samples;
  double      budget_s;
} Row;

static const Row rows[LAB_N_COSTS] = {
  [LAB_COST_THREAD_CREATE]    = { "thread-create-join", NULL, N_("Thread create + join"), 20, 15, 0.10 },
  [LAB_COST_POOL_HANDOVER]    = { "thread-pool-handover", NULL, N_("Thread pool hand-over, per job"), 1000, 15, 0.15 },
  [LAB_COST_FORK_WAIT]        = { "fork-wait", NULL, N_("Fork + wait of this process"), 5, 15, 0.25 },
  [LAB_COST_WORKER_START]     = { "worker-start", NULL, N_("Worker process start until READY"), 1, 11, 0.30 },
  [LAB_COST_FORK_SERVER_JOB]  = { "fork-server-job", NULL, N_("A forked process per job, from this process"), 4, 11, 0.25 },
  [LAB_COST_PIPE_ROUND_TRIP]  = { "pipe-round-trip", NULL, N_("Pipe round trip, small frame"), 200, 15, 0.15 },
  [LAB_COST_JOB_SEQUENTIAL]   = { "job", "sequential", N_("Empty job: sequential"), 2000, 7, 0.10 },
  [LAB_COST_JOB_THREADS]      = { "job", "threads", N_("Empty job: threads"), 100, 7, 0.20 },
  [LAB_COST_JOB_THREAD_POOL]  = { "job", "thread-pool", N_("Empty job: thread pool"), 2000, 7, 0.15 },
  [LAB_COST_JOB_PROCESSES]    = { "job", "processes", N_("Empty job: processes"), 24, 7, 0.35 },
  [LAB_COST_JOB_PROCESS_POOL] = { "job", "process-pool", N_("Empty job: process pool"), 500, 7, 0.30 },
};

#define MIN_SAMPLES 3
/* What the whole measurement aims at: rows that come after a slow one
 * share what is left of it. */
#define TOTAL_BUDGET_S 2.3

G_DEFINE_BOXED_TYPE (LabMachineCosts, lab_machine_costs, lab_machine_costs_copy, lab_machine_costs_free)

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
percentile (const double *sorted,
            guint         n,
            double        p)
{
  double at = p * (n - 1);
  guint i = (guint) floor (at);

  if (i + 1 >= n)
    return sorted[n - 1];
  return sorted[i] + (at - i) * (sorted[i + 1] - sorted[i]);
}

static void
reap (pid_t pid)
{
  int status;

  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
}

static gboolean
fail_errno (GError     **error,
            const char  *what)
{
  int saved = errno;

  g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not measure %s: %s"), what, g_strerror (saved));
  return FALSE;
}

/* --- The operations ----------------------------------------------------- */

/* Each measures @n operations and returns the seconds they took, or a
 * negative value with @error. */
typedef double (*MeasureFunc) (guint          n,
                               GCancellable  *cancellable,
                               GError       **error);

static gpointer
noop_thread (gpointer data)
{
  return data;
}

static double
measure_thread (guint          n,
                GCancellable  *cancellable,
                GError       **error)
{
  gint64 t0 = lab_clock_now_ns ();

  for (guint i = 0; i < n; i++)
    g_thread_join (g_thread_new ("lab-cost", noop_thread, NULL));
  return (lab_clock_now_ns () - t0) / 1e9;
}

static void
empty_job (gpointer item,
           gpointer user_data)
{
}

/* Many empty jobs queued to a pool of two: the hand-over alone. */
static double
measure_pool (guint          n,
              GCancellable  *cancellable,
              GError       **error)
{
  GThreadPool *pool = g_thread_pool_new (empty_job, NULL, 2, FALSE, NULL);
  gint64 t0 = lab_clock_now_ns ();

  for (guint i = 0; i < n; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
  return (lab_clock_now_ns () - t0) / 1e9;
}

static double
measure_fork (guint          n,
              GCancellable  *cancellable,
              GError       **error)
{
  gint64 t0 = lab_clock_now_ns ();

  for (guint i = 0; i < n; i++)
    {
      pid_t pid = fork ();

      if (pid == 0)
        _exit (0);
      if (pid < 0)
        return fail_errno (error, "fork"), -1;
      reap (pid);
    }
  return (lab_clock_now_ns () - t0) / 1e9;
}

/* The fork server's part of a job: the process that holds the plan forks
 * a child, which runs the job and writes its RESULT frame; the parent
 * reads it and reaps the child. The frame is encoded before the fork, so
 * the child only writes. */
static double
measure_fork_job (guint          n,
                  GCancellable  *cancellable,
                  GError       **error)
{
  LabJobResult result = { 0 };
  guint8 frame[256], answer[256];
  gsize len;
  gint64 t0;

  result.worker = getpid ();
  len = lab_protocol_encode_result_frame (&result, frame, sizeof frame);
  g_assert (len > 0 && len <= sizeof frame);

  t0 = lab_clock_now_ns ();
  for (guint i = 0; i < n; i++)
    {
      int fds[2];
      pid_t pid;
      gsize got = 0;

      if (pipe2 (fds, O_CLOEXEC) != 0)
        return fail_errno (error, "pipe"), -1;
      pid = fork ();
      if (pid == 0)
        _exit (write (fds[1], frame, len) == (ssize_t) len ? 0 : 1);
      close (fds[1]);
      if (pid < 0)
        {
          close (fds[0]);
          return fail_errno (error, "fork"), -1;
        }
      while (got < len)
        {
          ssize_t r = read (fds[0], answer + got, len - got);
          if (r > 0)
            got += r;
          else if (r == 0 || errno != EINTR)
            break;
        }
      close (fds[0]);
      reap (pid);
    }
  return (lab_clock_now_ns () - t0) / 1e9;
}

/* A small frame (a job's RESULT) there and back between two processes. */
static double
measure_pipe (guint          n,
              GCancellable  *cancellable,
              GError       **error)
{
  LabJobResult result = { 0 };
  guint8 frame[256];
  gsize len = lab_protocol_encode_result_frame (&result, frame, sizeof frame);
  int there[2], back[2];
  gint64 t0, elapsed;
  pid_t pid;

  if (pipe2 (there, O_CLOEXEC) != 0)
    return fail_errno (error, "pipe"), -1;
  if (pipe2 (back, O_CLOEXEC) != 0)
    {
      close (there[0]);
      close (there[1]);
      return fail_errno (error, "pipe"), -1;
    }
  pid = fork ();
  if (pid == 0)
    {
      guint8 buf[256];
      ssize_t r;

      close (there[1]);
      close (back[0]);
      while ((r = read (there[0], buf, sizeof buf)) > 0 && write (back[1], buf, r) == r)
        ;
      _exit (0);
    }
  close (there[0]);
  close (back[1]);

  t0 = lab_clock_now_ns ();
  for (guint i = 0; i < n && pid > 0; i++)
    {
      gsize got = 0;

      if (write (there[1], frame, len) != (ssize_t) len)
        break;
      while (got < len)
        {
          ssize_t r = read (back[0], frame, len - got);
          if (r <= 0)
            break;
          got += r;
        }
    }
  elapsed = lab_clock_now_ns () - t0;
  close (there[1]);
  close (back[0]);
  if (pid < 0)
    return fail_errno (error, "fork"), -1;
  reap (pid);
  return elapsed / 1e9;
}

static GVariant *
empty_jobs_params (guint n_jobs)
{
  g_auto(GVariantDict) params = G_VARIANT_DICT_INIT (NULL);
  const double zero = 0;

  g_variant_dict_insert (&params, LAB_PARAM_JOBS, "u", n_jobs);
  g_variant_dict_insert_value (&params, LAB_PARAM_SECONDS,
                               g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, &zero, 1, sizeof zero));
  return g_variant_dict_end (&params);
}

/* The real worker, as the process strategies start it (without the fork
 * server): spawned, sent HELLO for one empty job, until it says READY.
 * Its exit is not timed. */
static gboolean
start_worker_once (double  *seconds,
                   GError **error)
{
  const char *path = lab_worker_get_path ();
  char *argv[] = { (char *) path, NULL };
  g_autoptr(LabFrameReader) reader = NULL;
  g_autoptr(LabFrameWriter) writer = NULL;
  g_autoptr(GVariant) payload = NULL;
  posix_spawn_file_actions_t actions;
  int to[2], from[2], rc;
  LabFrameType type = 0;
  gboolean ok;
  gint64 t0;
  pid_t pid;

  if (pipe2 (to, O_CLOEXEC) != 0)
    return fail_errno (error, "pipe");
  if (pipe2 (from, O_CLOEXEC) != 0)
    {
      close (to[0]);
      close (to[1]);
      return fail_errno (error, "pipe");
    }
  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_adddup2 (&actions, to[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, from[1], STDOUT_FILENO);
  t0 = lab_clock_now_ns ();
  rc = posix_spawn (&pid, path, &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&actions);
  close (to[0]);
  close (from[1]);
  if (rc != 0)
    {
      close (to[1]);
      close (from[0]);
      g_set_error (error, LAB_ERROR, LAB_ERROR_WORKER, _("Could not start the worker %s: %s"),
                   path, g_strerror (rc));
      return FALSE;
    }

  writer = lab_frame_writer_new (to[1]);
  reader = lab_frame_reader_new (from[0]);
  lab_frame_writer_append_hello (writer, "sleep", empty_jobs_params (1));
  ok = lab_frame_writer_flush (writer, TRUE, error) &&
       lab_frame_reader_read (reader, &type, &payload, error);
  *seconds = (lab_clock_now_ns () - t0) / 1e9;
  if (ok && type != LAB_FRAME_READY)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_PROTOCOL, _("The worker sent frame type %u, not READY"), type);
      ok = FALSE;
    }
  else if (!ok && error != NULL && *error == NULL)
    g_set_error_literal (error, LAB_ERROR, LAB_ERROR_WORKER, _("The worker exited before it was ready"));

  close (to[1]);   /* end of input: the worker exits */
  g_clear_pointer (&writer, lab_frame_writer_free);
  g_clear_pointer (&reader, lab_frame_reader_free);
  close (from[0]);
  reap (pid);
  return ok;
}

static double
measure_worker (guint          n,
                GCancellable  *cancellable,
                GError       **error)
{
  double total = 0;

  for (guint i = 0; i < n; i++)
    {
      double s = 0;

      if (!start_worker_once (&s, error))
        return -1;
      total += s;
    }
  return total;
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* One run of @n_jobs empty jobs with @strategy on its default workers,
 * on a main context of this thread's own; its wall time. */
static double
measure_strategy_run (const LabStrategy  *strategy,
                      guint               n_jobs,
                      GCancellable       *cancellable,
                      GError            **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(LabRunConfig) config = lab_run_config_new (lab_task_info_lookup ("sleep"), strategy, 0,
                                                       empty_jobs_params (n_jobs));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LabRun) run = NULL;
  gboolean ok;

  g_main_context_push_thread_default (context);
  if ((run = lab_run_new (config, error)))
    {
      lab_run_start_async (run, cancellable, run_done_cb, &result);
      while (result == NULL)
        g_main_context_iteration (context, TRUE);
    }
  g_main_context_pop_thread_default (context);
  if (run == NULL)
    return -1;

  ok = lab_run_start_finish (run, result, error);
  if (ok && lab_run_get_state (run) != LAB_RUN_FINISHED)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("The run of empty jobs with %s did not finish: %s"),
                   strategy->name, lab_run_get_error (run) ? lab_run_get_error (run) : _("cancelled"));
      ok = FALSE;
    }
  if (ok && lab_run_get_n_failed (run) > 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Empty jobs failed with %s"), strategy->name);
      ok = FALSE;
    }
  return ok ? lab_run_get_elapsed_ns (run) / 1e9 : -1;
}

/* --- Sampling ----------------------------------------------------------- */

typedef struct {
  LabCostsProgressFunc progress;
  gpointer             progress_data;
  GCancellable        *cancellable;
  double               budget_total;
  double               budget_done;
  gint64               start_ns;
} Meter;

/* The row's budget, cut when the rows before it took longer than theirs. */
static double
row_budget (Meter     *meter,
            const Row *row)
{
  double elapsed = (lab_clock_now_ns () - meter->start_ns) / 1e9;
  double left = meter->budget_total - meter->budget_done;
  double scale = left > 0 ? (TOTAL_BUDGET_S - elapsed) / left : 0;

  return row->budget_s * CLAMP (scale, 0.1, 1.0);
}

static double
measure_batch (LabCostKind    kind,
               guint          n,
               GCancellable  *cancellable,
               GError       **error)
{
  static const MeasureFunc funcs[] = {
    [LAB_COST_THREAD_CREATE] = measure_thread,
    [LAB_COST_POOL_HANDOVER] = measure_pool,
    [LAB_COST_FORK_WAIT] = measure_fork,
    [LAB_COST_WORKER_START] = measure_worker,
    [LAB_COST_FORK_SERVER_JOB] = measure_fork_job,
    [LAB_COST_PIPE_ROUND_TRIP] = measure_pipe,
  };

  if (kind < G_N_ELEMENTS (funcs))
    return funcs[kind] (n, cancellable, error);
  return measure_strategy_run (lab_strategy_lookup (rows[kind].strategy), n, cancellable, error);
}

/* Batches of @kind until its budget is spent (and MIN_SAMPLES taken) or
 * it has its samples; the first batch is a warm-up, not kept. */
static gboolean
measure_row (Meter    *meter,
             LabCost  *cost,
             GError  **error)
{
  const Row *row = &rows[cost->kind];
  double samples[32];
  guint n = 0, batch, warmup;
  gint64 t0;
  double s, budget = row_budget (meter, row);

  g_assert (row->max_samples <= G_N_ELEMENTS (samples));
  if (meter->progress != NULL)
    meter->progress (meter->budget_done / meter->budget_total, _(row->title), meter->progress_data);

  warmup = MAX (1, row->batch / 4);
  if ((s = measure_batch (cost->kind, warmup, meter->cancellable, error)) < 0)
    return FALSE;
  /* On a slow or busy machine the batches shrink, so that the samples
   * it needs fit in the row's budget. */
  batch = row->batch;
  if (s > 0 && s / warmup * batch * MIN_SAMPLES > budget)
    batch = CLAMP ((guint) (budget / MIN_SAMPLES / (s / warmup)), 1, row->batch);

  t0 = lab_clock_now_ns ();
  while (n < row->max_samples &&
         (n < MIN_SAMPLES || (lab_clock_now_ns () - t0) / 1e9 < budget))
    {
      if (g_cancellable_set_error_if_cancelled (meter->cancellable, error))
        return FALSE;
      if ((s = measure_batch (cost->kind, batch, meter->cancellable, error)) < 0)
        return FALSE;
      samples[n++] = s / batch;
    }

  qsort (samples, n, sizeof (double), compare_double);
  cost->median_s = percentile (samples, n, 0.5);
  cost->low_s = percentile (samples, n, 0.1);
  cost->high_s = percentile (samples, n, 0.9);
  cost->n_samples = n;
  cost->n_ops = n * batch;
  meter->budget_done += row->budget_s;
  return TRUE;
}

static LabMachineCosts *
costs_new (guint usable_cores)
{
  LabMachineCosts *costs = g_new0 (LabMachineCosts, 1);

  costs->machine = lab_machine_info_get_current ();
  costs->usable_cores = usable_cores;
  for (guint k = 0; k < LAB_N_COSTS; k++)
    {
      costs->costs[k].kind = k;
      costs->costs[k].id = rows[k].id;
      costs->costs[k].strategy = rows[k].strategy;
      costs->costs[k].reference = references[k].label != NULL ? &references[k] : NULL;
    }
  return costs;
}

/* --- Public API --------------------------------------------------------- */

/**
 * lab_machine_costs_measure:
 * @progress: (nullable): called on this thread before each measurement
 * @cancellable: (nullable): stops the measurement between batches
 *
 * Measures what threads, processes and jobs cost here, now: about two
 * seconds, on the calling thread (it runs LabRuns on a main context of
 * its own). Do not call it from a thread that owns a main loop the user
 * waits on: see lab_machine_costs_measure_async().
 *
 * Returns: (transfer full): the figures, or %NULL with @error
 *   (%G_IO_ERROR_CANCELLED, or %LAB_ERROR_WORKER when the worker is missing)
 */
LabMachineCosts *
lab_machine_costs_measure (LabCostsProgressFunc   progress,
                           gpointer               progress_data,
                           GCancellable          *cancellable,
                           GError               **error)
{
  g_autoptr(LabMachineCosts) costs = costs_new (lab_usable_cores ());
  Meter meter = { progress, progress_data, cancellable, 0, 0, lab_clock_now_ns () };
  gint64 t0 = meter.start_ns;

  for (guint k = 0; k < LAB_N_COSTS; k++)
    meter.budget_total += rows[k].budget_s;
  for (guint k = 0; k < LAB_N_COSTS; k++)
    if (!measure_row (&meter, &costs->costs[k], error))
      return NULL;
  costs->elapsed_s = (lab_clock_now_ns () - t0) / 1e9;
  if (progress != NULL)
    progress (1.0, _("Done"), progress_data);
  return g_steal_pointer (&costs);
}

typedef struct {
  LabCostsProgressFunc progress;
  gpointer             progress_data;
  GDestroyNotify       progress_destroy;
  GMainContext        *context;
} AsyncData;

/* Always from a source of @context: g_main_context_invoke() would call
 * a thread that may acquire the global default context right there. */
static void
call_on (GMainContext   *context,
         GSourceFunc     func,
         gpointer        data,
         GDestroyNotify  destroy)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_set_static_name (source, "[lab-machine-costs] progress");
  g_source_attach (source, context);
}

static gboolean
destroy_progress_cb (gpointer data)
{
  AsyncData *d = data;

  LAB_TSAN_ACQUIRE (d);
  d->progress_destroy (d->progress_data);
  return G_SOURCE_REMOVE;
}

static void
async_data_destroy (gpointer data)
{
  AsyncData *d = data;

  LAB_TSAN_ACQUIRE (d);
  g_main_context_unref (d->context);
  g_free (d);
}

/* The task may go last on the measuring thread: the progress data (a
 * widget) is let go on the caller's context all the same. */
static void
async_data_free (gpointer data)
{
  AsyncData *d = data;

  if (d->progress_destroy == NULL)
    async_data_destroy (d);
  else
    {
      /* @d is the caller's from here on: not read again on this thread
       * (its context outlives it: the caller runs it). */
      GMainContext *context = d->context;

      LAB_TSAN_RELEASE (d);
      call_on (context, destroy_progress_cb, d, async_data_destroy);
    }
}

typedef struct {
  GTask      *task;
  double      fraction;
  const char *what;
} ProgressCall;

static gboolean
progress_call_cb (gpointer data)
{
  ProgressCall *call = data;
  AsyncData *d;

  LAB_TSAN_ACQUIRE (call);
  d = g_task_get_task_data (call->task);
  d->progress (call->fraction, call->what, d->progress_data);
  return G_SOURCE_REMOVE;
}

static void
progress_call_free (gpointer data)
{
  ProgressCall *call = data;

  g_object_unref (call->task);
  g_free (call);
}

/* Progress made on the measuring thread, told on the caller's context;
 * the call holds the task, so the callback's data outlives it. */
static void
thread_progress (double      fraction,
                 const char *what,
                 gpointer    data)
{
  GTask *task = data;
  AsyncData *d = g_task_get_task_data (task);
  ProgressCall *call = g_new (ProgressCall, 1);

  call->task = g_object_ref (task);
  call->fraction = fraction;
  call->what = what;   /* a translated static string */
  LAB_TSAN_RELEASE (call);
  call_on (d->context, progress_call_cb, call, progress_call_free);
}

static void
measure_thread_func (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  AsyncData *d = task_data;
  GError *error = NULL;
  LabMachineCosts *costs;

  costs = lab_machine_costs_measure (d->progress ? thread_progress : NULL, task, cancellable, &error);
  if (costs == NULL)
    g_task_return_error (task, error);
  else
    {
      LAB_TSAN_RELEASE (costs);
      g_task_return_pointer (task, costs, (GDestroyNotify) lab_machine_costs_free);
    }
}

/**
 * lab_machine_costs_measure_async:
 * @progress: (nullable): called on the caller's thread-default main context
 * @progress_destroy: (nullable): frees @progress_data once the task is gone
 *
 * lab_machine_costs_measure() on a thread of its own.
 */
void
lab_machine_costs_measure_async (LabCostsProgressFunc  progress,
                                 gpointer              progress_data,
                                 GDestroyNotify        progress_destroy,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  AsyncData *d = g_new0 (AsyncData, 1);

  d->progress = progress;
  d->progress_data = progress_data;
  d->progress_destroy = progress_destroy;
  d->context = g_main_context_ref_thread_default ();
  g_task_set_source_tag (task, lab_machine_costs_measure_async);
  g_task_set_name (task, "lab-machine-costs");
  g_task_set_task_data (task, d, async_data_free);
  g_task_run_in_thread (task, measure_thread_func);
}

LabMachineCosts *
lab_machine_costs_measure_finish (GAsyncResult  *result,
                                  GError       **error)
{
  LabMachineCosts *costs;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  if ((costs = g_task_propagate_pointer (G_TASK (result), error)))
    LAB_TSAN_ACQUIRE (costs);
  return costs;
}

/**
 * lab_machine_costs_new_fixed:
 * @median_s: (array fixed-size=LAB_N_COSTS): a figure for each #LabCostKind
 *
 * Figures given, not measured (tests, charts): each with no spread, as
 * if measured on one batch of the usual size.
 */
LabMachineCosts *
lab_machine_costs_new_fixed (const double *median_s,
                             guint         usable_cores)
{
  LabMachineCosts *costs;

  g_return_val_if_fail (median_s != NULL, NULL);
  g_return_val_if_fail (usable_cores >= 1, NULL);

  costs = costs_new (usable_cores);
  for (guint k = 0; k < LAB_N_COSTS; k++)
    {
      costs->costs[k].median_s = costs->costs[k].low_s = costs->costs[k].high_s = median_s[k];
      costs->costs[k].n_samples = 1;
      costs->costs[k].n_ops = rows[k].batch;
    }
  return costs;
}

LabMachineCosts *
lab_machine_costs_copy (const LabMachineCosts *costs)
{
  LabMachineCosts *copy;

  g_return_val_if_fail (costs != NULL, NULL);

  copy = g_memdup2 (costs, sizeof *costs);
  copy->machine = lab_machine_info_copy (costs->machine);
  return copy;
}

void
lab_machine_costs_free (LabMachineCosts *costs)
{
  if (costs == NULL)
    return;
  lab_machine_info_free (costs->machine);
  g_free (costs);
}

/* The per-empty-job row of @strategy, or %NULL (async has none). */
const LabCost *
lab_machine_costs_get_job_cost (const LabMachineCosts *costs,
                                const LabStrategy     *strategy)
{
  g_return_val_if_fail (costs != NULL && strategy != NULL, NULL);

  for (guint k = LAB_COST_JOB_SEQUENTIAL; k < LAB_N_COSTS; k++)
    if (g_str_equal (costs->costs[k].strategy, strategy->name))
      return &costs->costs[k];
  return NULL;
}

/* A run's per-job figure with what it paid once taken out. */
static double
per_job_without (const LabCost *job,
                 double         fixed_s)
{
  guint n_jobs = job->n_samples > 0 ? MAX (1, job->n_ops / job->n_samples) : rows[job->kind].batch;

  return MAX (0, job->median_s - fixed_s / n_jobs);
}

/**
 * lab_machine_costs_get_strategy_cost:
 *
 * What a run of @strategy pays per job and once, on the usable cores:
 * the once part from the parts measured alone (a pool's threads, the
 * fork server), the per-job part from its run of empty jobs with that
 * once part taken out. A process pool's workers are forked by the fork
 * server, a small process: each costs what a job of `processes` costs,
 * not a fork of this (bigger) process.
 *
 * Returns: %FALSE when @strategy has no figure here (async)
 */
gboolean
lab_machine_costs_get_strategy_cost (const LabMachineCosts *costs,
                                     const LabStrategy     *strategy,
                                     LabStrategyCost       *out)
{
  const LabCost *job;
  double start, fixed = 0;
  guint workers;

  g_return_val_if_fail (costs != NULL && strategy != NULL && out != NULL, FALSE);

  start = costs->costs[LAB_COST_WORKER_START].median_s;
  if (!(job = lab_machine_costs_get_job_cost (costs, strategy)))
    return FALSE;
  workers = strategy->workers == LAB_WORKERS_ONE ? 1 : costs->usable_cores;
  if (strategy->processes)
    fixed = start;
  if (strategy->processes && strategy->workers == LAB_WORKERS_PER_CORE)
    fixed += workers * per_job_without (&costs->costs[LAB_COST_JOB_PROCESSES], start);
  else if (strategy->workers == LAB_WORKERS_PER_CORE)
    fixed += workers * costs->costs[LAB_COST_THREAD_CREATE].median_s;

  out->fixed_s = fixed;
  out->per_job_s = per_job_without (job, fixed);
  out->workers = workers;
  return TRUE;
}

const char *
lab_cost_get_title (const LabCost *cost)
{
  g_return_val_if_fail (cost != NULL && cost->kind < LAB_N_COSTS, NULL);
  return _(rows[cost->kind].title);
}

const char *
lab_cost_reference_get_label (const LabCostReference *reference)
{
  g_return_val_if_fail (reference != NULL, NULL);
  return _(reference->label);
}

/* --- Output ------------------------------------------------------------- */

JsonNode *
lab_machine_costs_to_json (const LabMachineCosts *costs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (costs != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "machine");
  json_builder_add_value (b, lab_machine_info_to_json (costs->machine));
  json_builder_set_member_name (b, "usable_cores");
  json_builder_add_int_value (b, costs->usable_cores);
  json_builder_set_member_name (b, "measured_s");
  json_builder_add_double_value (b, costs->elapsed_s);
  json_builder_set_member_name (b, "costs");
  json_builder_begin_array (b);
  for (guint k = 0; k < LAB_N_COSTS; k++)
    {
      const LabCost *c = &costs->costs[k];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, c->id);
      json_builder_set_member_name (b, "strategy");
      if (c->strategy != NULL)
        json_builder_add_string_value (b, c->strategy);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "median_s");
      json_builder_add_double_value (b, c->median_s);
      json_builder_set_member_name (b, "p10_s");
      json_builder_add_double_value (b, c->low_s);
      json_builder_set_member_name (b, "p90_s");
      json_builder_add_double_value (b, c->high_s);
      json_builder_set_member_name (b, "samples");
      json_builder_add_int_value (b, c->n_samples);
      json_builder_set_member_name (b, "operations");
      json_builder_add_int_value (b, c->n_ops);
      json_builder_set_member_name (b, "reference");
      if (c->reference != NULL)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "what");
          json_builder_add_string_value (b, c->reference->label);
          json_builder_set_member_name (b, "seconds");
          json_builder_add_double_value (b, c->reference->seconds);
          json_builder_set_member_name (b, "source");
          json_builder_add_string_value (b, c->reference->source);
          json_builder_set_member_name (b, "ratio");
          json_builder_add_double_value (b, c->median_s > 0 ? c->reference->seconds / c->median_s : 0);
          json_builder_end_object (b);
        }
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * lab_machine_costs_format_seconds:
 *
 * A cost as a person reads it, with two or three figures: "0.4 µs",
 * "42 µs", "9.2 ms", "1.25 s".
 */
char *
lab_machine_costs_format_seconds (double s)
{
  const char *unit;
  double v;

  if (!isfinite (s))
    return g_strdup ("—");
  if (s < 1e-3)
    v = s * 1e6, unit = _("µs");
  else if (s < 1)
    v = s * 1e3, unit = _("ms");
  else
    v = s, unit = _("s");
  /* Translators: a value and its unit, "42 µs" */
  return g_strdup_printf (_("%.*f %s"), v != 0 && v < 10 ? 1 : 0, v, unit);
}

#define format_s lab_machine_costs_format_seconds

/* @text padded with spaces to @width characters (not bytes: "µs"). */
static void
append_padded (GString    *out,
               const char *text,
               guint       width,
               gboolean    right)
{
  glong len = g_utf8_strlen (text, -1);

  if (!right)
    g_string_append (out, text);
  for (glong i = len; i < (glong) width; i++)
    g_string_append_c (out, ' ');
  if (right)
    g_string_append (out, text);
}

/* One row a line: median, 10–90 % spread, the reference and how many
 * times this is cheaper ("×") than it. The sources are listed below. */
char *
lab_machine_costs_format_table (const LabMachineCosts *costs)
{
  GString *out = g_string_new (NULL);
  GPtrArray *sources = g_ptr_array_new ();

  g_return_val_if_fail (costs != NULL, NULL);

  append_padded (out, _("operation"), 44, FALSE);
  append_padded (out, _("median"), 10, TRUE);
  g_string_append (out, "  ");
  append_padded (out, _("p10 – p90"), 20, FALSE);
  append_padded (out, _("reference"), 10, TRUE);
  append_padded (out, _("ratio"), 8, TRUE);
  g_string_append_printf (out, "  %s\n", _("reference is"));
  for (guint k = 0; k < LAB_N_COSTS; k++)
    {
      const LabCost *c = &costs->costs[k];
      g_autofree char *median = format_s (c->median_s);
      g_autofree char *low = format_s (c->low_s);
      g_autofree char *high = format_s (c->high_s);
      g_autofree char *spread = g_strdup_printf ("%s – %s", low, high);
      g_autofree char *ref = c->reference ? format_s (c->reference->seconds) : g_strdup ("—");
      g_autofree char *ratio = c->reference && c->median_s > 0
                               ? g_strdup_printf ("%.1f×", c->reference->seconds / c->median_s) : g_strdup ("—");
      guint source = 0;

      if (c->reference != NULL && !g_ptr_array_find_with_equal_func (sources, c->reference->source, g_str_equal, &source))
        {
          g_ptr_array_add (sources, (gpointer) c->reference->source);
          source = sources->len - 1;
        }
      append_padded (out, lab_cost_get_title (c), 44, FALSE);
      append_padded (out, median, 10, TRUE);
      g_string_append (out, "  ");
      append_padded (out, spread, 20, FALSE);
      append_padded (out, ref, 10, TRUE);
      append_padded (out, ratio, 8, TRUE);
      if (c->reference != NULL)
        g_string_append_printf (out, "  %s [%u]", lab_cost_reference_get_label (c->reference), source + 1);
      g_string_append_c (out, '\n');
    }
  g_string_append (out, _("\nratio: the reference’s cost over the one measured here (above 1: cheaper here).\n"));
  for (guint i = 0; i < sources->len; i++)
    g_string_append_printf (out, "[%u] %s\n", i + 1, _(g_ptr_array_index (sources, i)));
  g_ptr_array_unref (sources);
  return g_string_free (out, FALSE);
}
