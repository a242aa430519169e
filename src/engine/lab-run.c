/* lab-run.c — one run: set up the task, hand the jobs to a strategy, measure
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-run"

#include "config.h"

#include <signal.h>
#include <inttypes.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "lab-clock.h"
#include "lab-error.h"
#include "lab-paths-private.h"
#include "lab-run-private.h"

/* At most ~30 progress signals a second, however many jobs finish. */
#define PROGRESS_INTERVAL_MS 33

enum {
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LabRun, lab_run, G_TYPE_OBJECT)

static void
lab_run_finalize (GObject *object)
{
  LabRun *self = (LabRun *) object;

  g_assert (self->progress_source == NULL);

  for (guint i = 0; i < self->n_jobs; i++)
    lab_job_result_clear (&self->jobs[i]);
  g_free (self->jobs);
  if (self->plan != NULL)
    self->klass->plan_free (self->plan);
  g_clear_pointer (&self->cancel, lab_cancel_free);
  g_clear_pointer (&self->gil, lab_gil_free);
  g_mutex_clear (&self->threads_mutex);
  g_cond_clear (&self->threads_cond);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->config, lab_run_config_free);
  g_clear_pointer (&self->worker_params, g_variant_unref);
  g_free (self->error);

  G_OBJECT_CLASS (lab_run_parent_class)->finalize (object);
}

static void
lab_run_class_init (LabRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lab_run_finalize;

  /**
   * LabRun::progress:
   *
   * Emitted on the main context that started the run, at most about 30
   * times a second, while jobs finish, and once more at the end.
   */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 0);
}

static void
lab_run_init (LabRun *self)
{
  self->cancel = lab_cancel_new ();
  g_mutex_init (&self->threads_mutex);
  g_cond_init (&self->threads_cond);
}

/**
 * lab_run_new:
 *
 * Checks @config and sets up its task (which reads parameters, and may
 * read files such as a URL list). Nothing runs until lab_run_start_async().
 *
 * Returns: (transfer full): a run, or %NULL with @error set (bad usage)
 */
LabRun *
lab_run_new (const LabRunConfig  *config,
             GError             **error)
{
  g_autoptr(LabRun) self = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  if (!lab_run_config_check (config, error))
    return NULL;

  self = g_object_new (LAB_TYPE_RUN, NULL);
  self->config = lab_run_config_copy (config);
  self->klass = lab_task_lookup (config->task, NULL);
  if (!(self->plan = self->klass->setup (config->params, error)))
    return NULL;
  /* Worker processes get what setup decided (e.g. the embedded server's
   * URLs), not the user's parameters, so they repeat none of it. The
   * config keeps the user's: a copy of it must start its own server. */
  if (self->klass->resolve_params != NULL)
    self->worker_params = self->klass->resolve_params (self->plan);
  self->worker_params = self->worker_params ? g_variant_ref_sink (self->worker_params)
                                            : g_variant_ref (self->config->params);

  self->n_jobs = self->klass->get_n_jobs (self->plan);
  self->workers = config->workers ? config->workers
                                  : lab_run_config_default_workers (config->strategy, self->n_jobs);
  if (config->strategy == LAB_STRATEGY_SEQUENTIAL)
    self->workers = 1;
  self->workers = MIN (self->workers, MAX (self->n_jobs, 1));
  self->jobs = g_new0 (LabJobResult, self->n_jobs);
  for (guint i = 0; i < self->n_jobs; i++)
    self->jobs[i].index = i;
  if (lab_run_config_uses_gil (config))
    self->gil = lab_gil_new (LAB_GIL_SWITCH_INTERVAL_US);

  return g_steal_pointer (&self);
}

const LabRunConfig *
lab_run_get_config (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return self->config;
}

/**
 * lab_run_get_resolved_params:
 *
 * The parameters as the task's setup resolved them, e.g. with the output
 * folder it created and the URLs of the embedded server; what worker
 * processes get. The same as the config's when the task resolves nothing.
 */
GVariant *
lab_run_get_resolved_params (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return self->worker_params;
}

LabTaskKind
lab_run_get_task_kind (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->klass->kind;
}

LabRunState
lab_run_get_state (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), LAB_RUN_FAILED);
  return g_atomic_int_get (&self->state);
}

const char *
lab_run_get_error (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return self->error;
}

guint
lab_run_get_n_jobs (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->n_jobs;
}

guint
lab_run_get_n_done (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return g_atomic_int_get (&self->n_done);
}

guint
lab_run_get_n_failed (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return g_atomic_int_get (&self->n_failed);
}

guint
lab_run_get_workers (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->workers;
}

/**
 * lab_run_get_job:
 *
 * A job's record. While the run goes on, read `state` first (with
 * g_atomic_int_get()): the other fields are complete once it is final.
 */
const LabJobResult *
lab_run_get_job (LabRun *self,
                 guint   index)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  g_return_val_if_fail (index < self->n_jobs, NULL);
  return &self->jobs[index];
}

/* CLOCK_MONOTONIC nanoseconds at the start of the run (0 before). */
gint64
lab_run_get_start_time (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->t0_ns;
}

gint64
lab_run_get_elapsed_ns (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);

  switch (lab_run_get_state (self))
    {
    case LAB_RUN_READY:   return 0;
    case LAB_RUN_RUNNING: return lab_clock_now_ns () - self->t0_ns;
    default:              return self->wall_ns;
    }
}

void
lab_run_get_summary (LabRun        *self,
                     LabRunSummary *summary)
{
  g_return_if_fail (LAB_IS_RUN (self));

  *summary = (LabRunSummary) {
    .wall_ns = lab_run_get_elapsed_ns (self),
    .user_ns = self->user_ns,
    .sys_ns = self->sys_ns,
    .peak_rss_kb = self->peak_rss_kb,
    .peak_rss_children_kb = self->peak_rss_children_kb,
    .n_jobs = self->n_jobs,
    .n_done = lab_run_get_n_done (self),
    .n_failed = lab_run_get_n_failed (self),
    .workers = self->workers,
  };

  for (guint i = 0; i < self->n_jobs; i++)
    if (g_atomic_int_get (&self->jobs[i].state) >= LAB_JOB_OK)
      summary->bytes += self->jobs[i].bytes;
}

char *
lab_run_describe_worker (LabRun *self,
                         gint64  worker)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);

  if (lab_strategy_uses_processes (self->config->strategy))
    return g_strdup_printf (_("process %" PRId64), worker);
  return g_strdup_printf (_("thread %" PRId64), worker);
}

void
_lab_run_job_started (LabRun *self,
                      guint   index,
                      gint64  worker)
{
  LabJobResult *job = &self->jobs[index];

  job->worker = worker;
  job->start_ns = lab_clock_now_ns () - self->t0_ns;
  g_atomic_int_set (&job->state, LAB_JOB_RUNNING);
}

/* Records a finished job. Each job has its own slot, so no lock is taken:
 * only the two counters are shared. Takes @error. */
void
_lab_run_job_store (LabRun  *self,
                    guint    index,
                    gint64   start_ns,
                    gint64   end_ns,
                    gint64   cpu_ns,
                    gint64   worker,
                    guint64  bytes,
                    gint64   value,
                    gint     status,
                    char    *error)
{
  LabJobResult *job = &self->jobs[index];

  g_assert (index < self->n_jobs);

  job->start_ns = start_ns;
  job->end_ns = end_ns;
  job->cpu_ns = cpu_ns;
  job->worker = worker;
  job->bytes = bytes;
  job->value = value;
  job->status = status;
  g_free (job->error);
  job->error = error;

  if (error != NULL)
    g_atomic_int_inc (&self->n_failed);
  g_atomic_int_inc (&self->n_done);
  g_atomic_int_set (&job->state, error ? LAB_JOB_FAILED : LAB_JOB_OK);
}

/**
 * _lab_run_job_here:
 * @cpu_mark: (inout) (nullable): the calling thread's CPU clock when its
 *   previous job ended, or -1; it is left at this job's end
 *
 * Runs one job on the calling thread. Reading a thread's CPU clock is a
 * system call (about a microsecond here), so a thread running job after
 * job reads it once per job: one job's end is the next one's start.
 */
void
_lab_run_job_here (LabRun   *self,
                   gpointer  worker_state,
                   guint     index,
                   gint64    worker,
                   gint64   *cpu_mark)
{
  LabJobResult *job = &self->jobs[index];
  g_autoptr(GError) error = NULL;
  gint64 start, cpu0, cpu1;

  _lab_run_job_started (self, index, worker);
  start = job->start_ns;
  cpu0 = cpu_mark != NULL && *cpu_mark >= 0 ? *cpu_mark : lab_clock_thread_cpu_ns ();

  lab_gil_set_current (self->gil);
  if (!self->klass->run_job (self->plan, worker_state, index, job, self->cancel, &error) && error == NULL)
    g_set_error_literal (&error, LAB_ERROR, LAB_ERROR_FAILED, _("The job failed"));
  lab_gil_set_current (NULL);

  cpu1 = lab_clock_thread_cpu_ns ();
  if (cpu_mark != NULL)
    *cpu_mark = cpu1;

  _lab_run_job_store (self, index, start, lab_clock_now_ns () - self->t0_ns,
                      cpu1 - cpu0, worker,
                      job->bytes, job->value, job->status,
                      error ? g_strdup (error->message) : NULL);
}

static gint64
timeval_ns (const struct timeval *tv)
{
  return (gint64) tv->tv_sec * G_GINT64_CONSTANT (1000000000) + (gint64) tv->tv_usec * 1000;
}

/* A thread working for the run calls enter first and leave last, on that
 * thread; leave adds the CPU the thread used in between to the run's.
 * (A pool may get a thread that served before, so not its whole life.) */
void
_lab_run_thread_enter (LabRun        *self,
                       LabThreadMark *mark)
{
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  mark->user_ns = timeval_ns (&usage.ru_utime);
  mark->sys_ns = timeval_ns (&usage.ru_stime);
  g_mutex_lock (&self->threads_mutex);
  self->live_threads++;
  g_mutex_unlock (&self->threads_mutex);
}

void
_lab_run_thread_leave (LabRun        *self,
                       LabThreadMark *mark)
{
  struct rusage usage;

  getrusage (RUSAGE_THREAD, &usage);
  g_mutex_lock (&self->threads_mutex);
  self->threads_user_ns += timeval_ns (&usage.ru_utime) - mark->user_ns;
  self->threads_sys_ns += timeval_ns (&usage.ru_stime) - mark->sys_ns;
  self->live_threads--;
  g_cond_broadcast (&self->threads_cond);
  g_mutex_unlock (&self->threads_mutex);
}

/* Until every thread that worked for the run has left it (and said how
 * much CPU it used). */
void
_lab_run_wait_threads (LabRun *self)
{
  g_mutex_lock (&self->threads_mutex);
  while (self->live_threads > 0)
    g_cond_wait (&self->threads_cond, &self->threads_mutex);
  g_mutex_unlock (&self->threads_mutex);
}

static gboolean
progress_cb (gpointer data)
{
  LabRun *self = data;
  guint done = lab_run_get_n_done (self);

  if (done != self->last_progress)
    {
      self->last_progress = done;
      g_signal_emit (self, signals[PROGRESS], 0);
    }

  return G_SOURCE_CONTINUE;
}

static void
cancelled_cb (GCancellable *cancellable,
              LabRun       *self)
{
  lab_cancel_cancel (self->cancel);
}


static gboolean
dispatch (LabRun  *self,
          GError **error)
{
  switch (self->config->strategy)
    {
    case LAB_STRATEGY_SEQUENTIAL:   return _lab_run_sequential (self, error);
    case LAB_STRATEGY_THREADS:      return _lab_run_threads (self, error);
    case LAB_STRATEGY_THREAD_POOL:  return _lab_run_thread_pool (self, error);
    case LAB_STRATEGY_PROCESSES:    return _lab_run_processes (self, FALSE, error);
    case LAB_STRATEGY_PROCESS_POOL: return _lab_run_processes (self, TRUE, error);
    case LAB_STRATEGY_ASYNC:
      if (self->klass->start_job != NULL)
        return _lab_run_async (self, error);
      G_GNUC_FALLTHROUGH;
    default:
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED,
                   _("The %s strategy cannot run the %s task"),
                   lab_strategy_to_string (self->config->strategy), self->klass->name);
      return FALSE;
    }
}

/**
 * lab_run_execute:
 *
 * Runs every job and blocks until the run ends; the strategies use their
 * own threads or processes. lab_run_start_async() calls this on a thread
 * of its own. A failed job does not fail the run: see the summary.
 *
 * Returns: %FALSE with @error when the run could not go on (cancelled, or
 *   the worker could not be started)
 */
gboolean
lab_run_execute (LabRun        *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  struct rusage self0, self1, kids0, kids1, here0, here1;
  g_autoptr(GError) local_error = NULL;
  gulong handler = 0;
  gboolean ok;

  g_return_val_if_fail (LAB_IS_RUN (self), FALSE);
  g_return_val_if_fail (lab_run_get_state (self) == LAB_RUN_READY, FALSE);

  if (cancellable != NULL)
    {
      g_set_object (&self->cancellable, cancellable);
      lab_cancel_set_data (self->cancel, cancellable);
      handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self, NULL);
    }

  getrusage (RUSAGE_SELF, &self0);
  getrusage (RUSAGE_THREAD, &here0);
  getrusage (RUSAGE_CHILDREN, &kids0);
  self->t0_ns = lab_clock_now_ns ();
  g_atomic_int_set (&self->state, LAB_RUN_RUNNING);

  ok = dispatch (self, &local_error);

  _lab_run_wait_threads (self);
  self->wall_ns = lab_clock_now_ns () - self->t0_ns;
  getrusage (RUSAGE_SELF, &self1);
  getrusage (RUSAGE_THREAD, &here1);
  getrusage (RUSAGE_CHILDREN, &kids1);
  /* This thread, the threads the run started, and the worker processes
   * it reaped: not the rest of the app, which may be drawing a window. */
  self->user_ns = timeval_ns (&here1.ru_utime) - timeval_ns (&here0.ru_utime)
                + self->threads_user_ns
                + timeval_ns (&kids1.ru_utime) - timeval_ns (&kids0.ru_utime);
  self->sys_ns = timeval_ns (&here1.ru_stime) - timeval_ns (&here0.ru_stime)
               + self->threads_sys_ns
               + timeval_ns (&kids1.ru_stime) - timeval_ns (&kids0.ru_stime);
  self->peak_rss_kb = self1.ru_maxrss;
  self->peak_rss_children_kb = kids1.ru_maxrss;

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  if (ok && lab_cancel_is_cancelled (self->cancel))
    {
      ok = FALSE;
      g_set_error_literal (&local_error, LAB_ERROR, LAB_ERROR_CANCELLED, _("The run was cancelled"));
    }

  if (!ok)
    self->error = g_strdup (local_error->message);

  g_atomic_int_set (&self->state,
                    ok ? LAB_RUN_FINISHED :
                    g_error_matches (local_error, LAB_ERROR, LAB_ERROR_CANCELLED) ? LAB_RUN_CANCELLED :
                    LAB_RUN_FAILED);

  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

static gpointer
run_thread (gpointer data)
{
  GTask *task = data;
  LabRun *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (lab_run_execute (self, g_task_get_cancellable (task), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);

  g_object_unref (task);
  return NULL;
}

static void
stop_progress (gpointer data)
{
  LabRun *self = data;

  if (self->progress_source != NULL)
    {
      g_source_destroy (self->progress_source);
      g_clear_pointer (&self->progress_source, g_source_unref);
      g_signal_emit (self, signals[PROGRESS], 0);
    }
}

/**
 * lab_run_start_async:
 *
 * Starts the run on a thread of its own ("lab-run") and returns at once.
 * LabRun::progress and @callback are delivered on the thread-default main
 * context of the caller.
 */
void
lab_run_start_async (LabRun              *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_return_if_fail (LAB_IS_RUN (self));
  g_return_if_fail (lab_run_get_state (self) == LAB_RUN_READY);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lab_run_start_async);
  g_task_set_check_cancellable (task, FALSE);

  self->progress_source = g_timeout_source_new (PROGRESS_INTERVAL_MS);
  g_source_set_callback (self->progress_source, progress_cb, self, NULL);
  g_source_set_static_name (self->progress_source, "[lab-run-progress]");
  g_source_attach (self->progress_source, g_task_get_context (task));
  g_signal_connect_object (task, "notify::completed", G_CALLBACK (stop_progress), self, G_CONNECT_SWAPPED);

  thread = g_thread_try_new ("lab-run", run_thread, g_object_ref (task), &error);
  if (thread == NULL)
    {
      g_object_unref (task);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_thread_unref (thread);
}

gboolean
lab_run_start_finish (LabRun        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  stop_progress (self);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * lab_worker_get_path:
 *
 * Where the worker executable is: $LAB_WORKER_PATH when set (tests), next
 * to the running program when it runs from the build tree, otherwise the
 * installed path from config.h.
 */
const char *
lab_worker_get_path (void)
{
  static char *path;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      path = _lab_locate ("LAB_WORKER_PATH", LAB_BUILD_DIR "/concurrency-lab-worker", LAB_WORKER_PATH);
      g_once_init_leave (&initialized, 1);
    }

  return path;
}
