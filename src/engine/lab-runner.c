/* lab-runner.c — executes one run: set up the task, run the strategy, measure
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-runner"

#include "config.h"

#include <sys/resource.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "lab-clock.h"
#include "lab-error.h"
#include "lab-extras-private.h"
#include "lab-gil.h"
#include "lab-run-private.h"
#include "lab-runner.h"
#include "lab-strategy-private.h"

struct _LabRunner
{
  LabRun                 *run;
  const LabRunConfig     *config;
  const LabTaskClass     *klass;
  const LabStrategyClass *strategy;     /* who runs the jobs */
  gpointer                plan;
  GVariant               *worker_params;
  guint                   n_jobs;
  guint                   workers;
  LabCancel              *cancel;
  LabGil                 *gil;          /* the "Python GIL" switch, or NULL */
  gint64                  t0_ns;

  /* The strategy's state while it runs, for cancel from any thread. */
  GMutex                  strategy_mutex;
  gpointer                strategy_state;

  /* CPU of the threads the run started, added as each one ends, so that
   * the run's CPU leaves out the rest of the app (the window drawing). */
  GMutex                  threads_mutex;
  GCond                   threads_cond;
  guint                   live_threads;
  gint64                  threads_user_ns;
  gint64                  threads_sys_ns;

  GMutex                  workers_mutex;
  GArray                 *worker_records;   /* LabWorkerRecord */
};

guint
lab_runner_get_n_jobs (LabRunner *self)
{
  return self->n_jobs;
}

guint
lab_runner_get_workers (LabRunner *self)
{
  return self->workers;
}

const LabTaskInfo *
lab_runner_get_task (LabRunner *self)
{
  return self->config->task;
}

const LabStrategy *
lab_runner_get_strategy (LabRunner *self)
{
  return self->config->strategy;
}

const LabTaskClass *
lab_runner_get_class (LabRunner *self)
{
  return self->klass;
}

gpointer
lab_runner_get_plan (LabRunner *self)
{
  return self->plan;
}

/* What worker processes get: the parameters as the task's setup
 * resolved them (the embedded server's URLs, the folder it made). */
GVariant *
lab_runner_get_worker_params (LabRunner *self)
{
  return self->worker_params;
}

LabCancel *
lab_runner_get_cancel (LabRunner *self)
{
  return self->cancel;
}

gboolean
lab_runner_is_cancelled (LabRunner *self)
{
  return lab_cancel_is_cancelled (self->cancel);
}

/* CLOCK_MONOTONIC nanoseconds when the run's clock started. */
gint64
lab_runner_get_t0 (LabRunner *self)
{
  return self->t0_ns;
}

/* Nanoseconds since the run's clock started. */
gint64
lab_runner_now (LabRunner *self)
{
  return lab_clock_now_ns () - self->t0_ns;
}

gpointer
lab_runner_worker_init (LabRunner *self)
{
  return self->klass->worker_init ? self->klass->worker_init (self->plan) : NULL;
}

void
lab_runner_worker_free (LabRunner *self,
                        gpointer   state)
{
  if (state != NULL && self->klass->worker_free != NULL)
    self->klass->worker_free (state);
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
lab_runner_thread_enter (LabRunner     *self,
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
lab_runner_thread_leave (LabRunner     *self,
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
static void
wait_threads (LabRunner *self)
{
  g_mutex_lock (&self->threads_mutex);
  while (self->live_threads > 0)
    g_cond_wait (&self->threads_cond, &self->threads_mutex);
  g_mutex_unlock (&self->threads_mutex);
}

/**
 * lab_runner_worker_begin:
 * @lane: the lane the worker will work on
 *
 * A long-lived worker begins to start (a pool's thread or process, the
 * fork server, the event loop's thread, the loop's own thread).
 *
 * Returns: the worker's number, for lab_runner_worker_ready() and gone()
 */
guint
lab_runner_worker_begin (LabRunner *self,
                         guint      lane)
{
  LabWorkerRecord record = { lab_runner_now (self), -1, -1, 0, lane };
  guint index;

  g_mutex_lock (&self->workers_mutex);
  index = self->worker_records->len;
  g_array_append_val (self->worker_records, record);
  g_mutex_unlock (&self->workers_mutex);
  _lab_run_post_worker (self->run, index, &record);
  return index;
}

static void
update_worker (LabRunner *self,
               guint      worker,
               gint64     ready_ns,
               gint64     gone_ns,
               gint64     id)
{
  LabWorkerRecord record;

  g_mutex_lock (&self->workers_mutex);
  g_assert (worker < self->worker_records->len);
  if (ready_ns >= 0)
    g_array_index (self->worker_records, LabWorkerRecord, worker).ready_ns = ready_ns;
  if (gone_ns >= 0)
    g_array_index (self->worker_records, LabWorkerRecord, worker).gone_ns = gone_ns;
  if (id != 0)
    g_array_index (self->worker_records, LabWorkerRecord, worker).id = id;
  record = g_array_index (self->worker_records, LabWorkerRecord, worker);
  g_mutex_unlock (&self->workers_mutex);
  _lab_run_post_worker (self->run, worker, &record);
}

/* The worker can take jobs: its thread runs, or its process said READY. */
void
lab_runner_worker_ready (LabRunner *self,
                         guint      worker,
                         gint64     id)
{
  update_worker (self, worker, lab_runner_now (self), -1, id);
}

/* The worker was ready at @ready_ns on the run's axis, as it said itself
 * (a line read later than it was written must not move it). */
void
lab_runner_worker_ready_at (LabRunner *self,
                            guint      worker,
                            gint64     id,
                            gint64     ready_ns)
{
  update_worker (self, worker, ready_ns, -1, id);
}

/* The worker is gone: joined, or reaped. */
void
lab_runner_worker_gone (LabRunner *self,
                        guint      worker)
{
  update_worker (self, worker, -1, lab_runner_now (self), 0);
}

/* @record has the job's dispatch_ns, start_ns, worker and lane. */
void
lab_runner_job_started (LabRunner          *self,
                        guint               index,
                        const LabJobRecord *record)
{
  LabJobRecord started = *record;

  g_assert (index < self->n_jobs);
  started.error = NULL;
  started.state = LAB_JOB_RUNNING;
  _lab_run_post_job (self->run, index, &started);
}

/* Records a finished job; takes @record's error. */
void
lab_runner_job_done (LabRunner    *self,
                     guint         index,
                     LabJobRecord *record)
{
  g_assert (index < self->n_jobs);
  record->state = record->error ? LAB_JOB_FAILED : LAB_JOB_OK;
  _lab_run_post_job (self->run, index, record);
}

/**
 * lab_runner_job_lost:
 * @started: (nullable): what was known of the job when it started
 *
 * A job that ended without a result: its worker crashed, or none could
 * be started for it. It fails with @message.
 */
void
lab_runner_job_lost (LabRunner          *self,
                     guint               index,
                     const LabJobRecord *started,
                     const char         *message)
{
  gint64 now = lab_runner_now (self);
  LabJobRecord record = { now, now, now, now };

  if (started != NULL)
    {
      record = *started;
      record.end_ns = record.back_ns = now;
    }
  record.error = g_strdup (message);
  lab_runner_job_done (self, index, &record);
}

/**
 * lab_runner_run_job:
 * @dispatch_ns: when the job was handed to this thread, or -1: now
 * @cpu_mark: (inout) (nullable): the calling thread's CPU clock when its
 *   previous job ended, or -1; it is left at this job's end
 * @record: (out caller-allocates): the job, for lab_runner_job_done()
 *
 * Runs one job on the calling thread and says it started. Reading a
 * thread's CPU clock is a system call (about a microsecond here), so a
 * thread running job after job reads it once per job: one job's end is
 * the next one's start. A task that computes in interpreted code in
 * Python holds the "Python GIL" while it runs, when the switch is on.
 */
void
lab_runner_run_job (LabRunner    *self,
                    gpointer      worker_state,
                    guint         index,
                    guint         lane,
                    gint64        worker,
                    gint64        dispatch_ns,
                    gint64       *cpu_mark,
                    LabJobRecord *record)
{
  LabJobResult result = { .index = index };
  g_autoptr(GError) error = NULL;
  gboolean ok;
  gint64 cpu0, cpu1;

  *record = (LabJobRecord) { .worker = worker, .lane = lane };
  record->start_ns = lab_runner_now (self);
  record->dispatch_ns = dispatch_ns >= 0 ? dispatch_ns : record->start_ns;
  lab_runner_job_started (self, index, record);
  cpu0 = cpu_mark != NULL && *cpu_mark >= 0 ? *cpu_mark : lab_clock_thread_cpu_ns ();

  if (self->gil != NULL)
    {
      lab_gil_acquire (self->gil);
      lab_gil_set_current (self->gil);
    }
  ok = self->klass->run_job (self->plan, worker_state, index, &result, self->cancel, &error);
  if (self->gil != NULL)
    {
      lab_gil_set_current (NULL);
      lab_gil_release (self->gil);
    }
  if (!ok && error == NULL)
    g_set_error_literal (&error, LAB_ERROR, LAB_ERROR_FAILED, _("The job failed"));

  cpu1 = lab_clock_thread_cpu_ns ();
  if (cpu_mark != NULL)
    *cpu_mark = cpu1;

  record->end_ns = record->back_ns = lab_runner_now (self);
  lab_job_record_set_phase (record, result.phase_ns > 0 ? result.phase_ns - self->t0_ns : -1);
  record->cpu_ns = cpu1 - cpu0;
  record->bytes = result.bytes;
  record->value = (gint32) result.value;
  record->status = (gint16) result.status;
  /* Shown and saved as text: a task's message must not break that. */
  record->error = error ? g_utf8_make_valid (error->message, -1) : NULL;
  lab_job_result_clear (&result);
}

/* Runs one job on the calling thread (see lab_runner_run_job()) and
 * records it at once: its result is back as soon as it ends. */
void
lab_runner_run_job_here (LabRunner *self,
                         gpointer   worker_state,
                         guint      index,
                         guint      lane,
                         gint64     worker,
                         gint64     dispatch_ns,
                         gint64    *cpu_mark)
{
  LabJobRecord record;

  lab_runner_run_job (self, worker_state, index, lane, worker, dispatch_ns, cpu_mark, &record);
  lab_runner_job_done (self, index, &record);
}

/* Who runs the jobs: the strategy's own code in C, else the Python
 * harness, which runs the strategy's construct in CPython. */
static const LabStrategyClass *
strategy_class (const LabRunConfig  *config,
                GError             **error)
{
  const LabEngineExtras *extras;

  if (config->runtime != LAB_RUNTIME_PYTHON)
    return config->strategy->klass;
  if (!(extras = _lab_engine_extras (error)))
    return NULL;
  return extras->python_strategy;
}

static void
cancelled_cb (gpointer data)
{
  LabRunner *self = data;

  lab_cancel_cancel (self->cancel);

  g_mutex_lock (&self->strategy_mutex);
  if (self->strategy_state != NULL && self->strategy->cancel != NULL)
    self->strategy->cancel (self->strategy_state);
  g_mutex_unlock (&self->strategy_mutex);
}

/* The machine's busy and total CPU time so far, in clock ticks, from the
 * first line of /proc/stat; FALSE where it cannot be read. */
static gboolean
read_machine_ticks (guint64 *busy,
                    guint64 *total)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  guint64 values[10] = { 0 };
  guint n = 0;

  if (!g_file_get_contents ("/proc/stat", &text, NULL, NULL) || !g_str_has_prefix (text, "cpu "))
    return FALSE;
  *strchr (text, '\n') = '\0';
  fields = g_strsplit_set (text + 4, " ", -1);
  for (guint i = 0; fields[i] != NULL && n < G_N_ELEMENTS (values); i++)
    if (fields[i][0] != '\0')
      values[n++] = g_ascii_strtoull (fields[i], NULL, 10);
  if (n < 4)
    return FALSE;

  /* user nice system idle iowait irq softirq steal: guest time is in user. */
  *total = 0;
  for (guint i = 0; i < MIN (n, 8); i++)
    *total += values[i];
  *busy = *total - values[3] - (n > 4 ? values[4] : 0);
  return TRUE;
}

static guint
count_online_cpus (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);
  return n > 0 ? (guint) n : 1;
}

/* The share of the machine's CPU that other programs used while the run
 * went on: 0 on a quiet machine, near 1 when two busy loops held both
 * cores of a 2-core machine. This process (a window drawing the run
 * included) and its children are not other programs. */
static double
machine_busy_share (guint64  busy0,
                    guint64  busy1,
                    gint64   own_cpu_ns,
                    gint64   wall_ns)
{
  double tick = 1.0 / sysconf (_SC_CLK_TCK);
  double others_s, capacity_s;

  if (busy1 <= busy0 || wall_ns <= 0)
    return 0;
  capacity_s = count_online_cpus () * wall_ns / 1e9;
  others_s = (busy1 - busy0) * tick - own_cpu_ns / 1e9;
  return CLAMP (others_s / capacity_s, 0, 1);
}

typedef struct {
  struct rusage self;
  struct rusage here;
  struct rusage kids;
  guint64       busy;
  guint64       total;
  gboolean      have_ticks;
} Marks;

static void
take_marks (Marks *m)
{
  getrusage (RUSAGE_SELF, &m->self);
  getrusage (RUSAGE_THREAD, &m->here);
  getrusage (RUSAGE_CHILDREN, &m->kids);
  m->have_ticks = read_machine_ticks (&m->busy, &m->total);
}

/* This thread, the threads the run started, and the worker processes
 * it reaped: not the rest of the app, which may be drawing a window. */
static void
figures_between (LabRunner     *self,
                 const Marks   *a,
                 const Marks   *b,
                 LabRunSummary *figures)
{
  figures->user_ns = timeval_ns (&b->here.ru_utime) - timeval_ns (&a->here.ru_utime)
                   + self->threads_user_ns
                   + timeval_ns (&b->kids.ru_utime) - timeval_ns (&a->kids.ru_utime);
  figures->sys_ns = timeval_ns (&b->here.ru_stime) - timeval_ns (&a->here.ru_stime)
                  + self->threads_sys_ns
                  + timeval_ns (&b->kids.ru_stime) - timeval_ns (&a->kids.ru_stime);
  figures->peak_rss_kb = b->self.ru_maxrss;
  figures->peak_rss_children_kb = b->kids.ru_maxrss;
  if (a->have_ticks && b->have_ticks)
    figures->machine_busy = machine_busy_share (a->busy, b->busy,
                                                timeval_ns (&b->self.ru_utime) - timeval_ns (&a->self.ru_utime) +
                                                timeval_ns (&b->self.ru_stime) - timeval_ns (&a->self.ru_stime) +
                                                timeval_ns (&b->kids.ru_utime) - timeval_ns (&a->kids.ru_utime) +
                                                timeval_ns (&b->kids.ru_stime) - timeval_ns (&a->kids.ru_stime),
                                                figures->wall_ns);
}

/* Sets the task up: its plan, what workers get, the job count. */
static gboolean
setup_task (LabRunner  *self,
            GError    **error)
{
  const LabRunConfig *config = self->config;

  if (!(self->klass = lab_task_info_get_class (config->task, error)) ||
      !(self->plan = self->klass->setup (config->params, self->cancel, error)))
    return FALSE;

  /* Worker processes get what setup decided (e.g. the embedded server's
   * URLs), not the user's parameters, so they repeat none of it. */
  if (self->klass->resolve_params != NULL)
    self->worker_params = self->klass->resolve_params (self->plan);
  self->worker_params = self->worker_params ? g_variant_ref_sink (self->worker_params)
                                            : g_variant_ref (config->params);

  self->n_jobs = self->klass->get_n_jobs (self->plan);
  self->workers = config->workers ? config->workers
                                  : lab_strategy_default_workers (config->strategy, self->n_jobs);
  if (lab_strategy_is_loop (config->strategy))
    self->workers = 1;
  self->workers = MIN (self->workers, MAX (self->n_jobs, 1));
  if (lab_run_config_uses_gil (config) && config->task->holds_gil)
    self->gil = lab_gil_new (LAB_GIL_SWITCH_INTERVAL_US);
  return TRUE;
}

/* Starts the strategy and waits for it; cancel reaches it meanwhile. */
static gboolean
run_strategy (LabRunner  *self,
              GError    **error)
{
  const LabStrategyClass *klass = self->strategy;
  gpointer state;
  gboolean ok;

  if (!(state = klass->start (self, error)))
    return FALSE;

  g_mutex_lock (&self->strategy_mutex);
  self->strategy_state = state;
  if (lab_cancel_is_cancelled (self->cancel) && klass->cancel != NULL)
    klass->cancel (state);
  g_mutex_unlock (&self->strategy_mutex);

  ok = klass->collect (state, error);

  g_mutex_lock (&self->strategy_mutex);
  self->strategy_state = NULL;
  g_mutex_unlock (&self->strategy_mutex);
  klass->free (state);
  return ok;
}

static LabRunState
state_after (gboolean      ok,
             LabCancel    *cancel,
             GError      **error)
{
  if (ok && lab_cancel_is_cancelled (cancel))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_CANCELLED, _("The run was cancelled"));
      return LAB_RUN_CANCELLED;
    }
  if (ok)
    return LAB_RUN_FINISHED;
  if (g_error_matches (*error, LAB_ERROR, LAB_ERROR_CANCELLED) || lab_cancel_is_cancelled (cancel))
    return LAB_RUN_CANCELLED;
  return LAB_RUN_FAILED;
}

static void
runner_clear (LabRunner *self)
{
  if (self->plan != NULL)
    self->klass->plan_free (self->plan);
  g_clear_pointer (&self->worker_params, g_variant_unref);
  g_clear_pointer (&self->gil, lab_gil_free);
  g_clear_pointer (&self->worker_records, g_array_unref);
  g_mutex_clear (&self->strategy_mutex);
  g_mutex_clear (&self->threads_mutex);
  g_cond_clear (&self->threads_cond);
  g_mutex_clear (&self->workers_mutex);
}

/**
 * _lab_runner_execute:
 *
 * Runs @run on the calling thread, which becomes the run's own: sets the
 * task up, starts the clock, runs the strategy, and posts everything it
 * records to @run. A failed job does not fail the run.
 *
 * Returns: %FALSE with @error when the run could not go on (cancelled,
 *   the task could not be set up, the worker could not be started)
 */
gboolean
_lab_runner_execute (LabRun              *run,
                     const LabRunConfig  *config,
                     LabCancel           *cancel,
                     GError             **error)
{
  LabRunner self = { run, config };
  g_autoptr(GError) local_error = NULL;
  LabRunSummary figures = { 0 };
  LabRunState state;
  Marks before = { 0 }, after = { 0 };
  guint handler;
  gint64 setup_start;
  gboolean ok;

  self.cancel = _lab_run_get_cancel (run);
  self.worker_records = g_array_new (FALSE, FALSE, sizeof (LabWorkerRecord));
  g_mutex_init (&self.strategy_mutex);
  g_mutex_init (&self.threads_mutex);
  g_cond_init (&self.threads_cond);
  g_mutex_init (&self.workers_mutex);
  handler = lab_cancel_connect (cancel, cancelled_cb, &self);

  setup_start = lab_clock_now_ns ();
  ok = (self.strategy = strategy_class (config, &local_error)) != NULL && setup_task (&self, &local_error);
  figures.setup_ns = lab_clock_now_ns () - setup_start;
  if (ok)
    {
      _lab_run_post_prepared (run, self.n_jobs, self.workers, self.worker_params);
      take_marks (&before);
      self.t0_ns = lab_clock_now_ns ();
      _lab_run_post_started (run, self.t0_ns);
      ok = run_strategy (&self, &local_error);
      wait_threads (&self);
      figures.wall_ns = lab_clock_now_ns () - self.t0_ns;
      take_marks (&after);
      figures_between (&self, &before, &after, &figures);
    }

  lab_cancel_disconnect (cancel, handler);
  state = state_after (ok, self.cancel, &local_error);
  figures.workers = self.workers;
  figures.n_jobs = self.n_jobs;
  /* The task cleans up (stops its server, removes an empty folder)
   * before the run says it ended, so that nothing it made outlives it. */
  runner_clear (&self);
  _lab_run_post_ended (run, state, &figures, local_error ? local_error->message : NULL);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok && state == LAB_RUN_FINISHED;
}
