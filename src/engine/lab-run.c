/* lab-run.c — one run: its configuration, its records and figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run belongs to the context that starts it. Its threads (the runner,
 * the strategy's workers) never write what that context reads: they post
 * copies under the run's lock (lab-run-private.h), and the owner takes
 * them in before each LabRun::progress and at the end. So the timeline,
 * the CPU chart and the reports read records nobody else writes.
 */
#define G_LOG_DOMAIN "lab-run"

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "lab-breakdown.h"
#include "lab-clock.h"
#include "lab-error.h"
#include "lab-paths-private.h"
#include "lab-run-private.h"
#include "lab-runner.h"
#include "lab-tsan.h"

/* At most ~30 progress signals a second, however many jobs finish. */
#define PROGRESS_INTERVAL_MS 33

enum {
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  guint32      index;
  LabJobRecord record;
} JobEvent;

typedef enum {
  EVENT_PREPARED,
  EVENT_WORKER,
  EVENT_ENDED,
} EventKind;

/* The rarer events: a handful per run. */
typedef struct {
  EventKind        kind;
  guint            index;
  LabWorkerRecord  worker;
  LabRunSummary    figures;
  LabRunState      state;
  GVariant        *params;
  char            *error;
} Event;

struct _LabRun
{
  GObject          parent_instance;

  LabRunConfig    *config;

  /* The owner's: written on its thread only. */
  LabRunState      state;
  char            *error;
  GVariant        *resolved_params;
  guint            n_jobs;
  guint            workers;
  LabJobRecord    *jobs;           /* n_jobs, or NULL once dropped */
  GArray          *worker_records; /* LabWorkerRecord */
  LabRunSummary    figures;
  guint            n_done_seen;
  guint            n_failed_seen;
  gint64           jobs_cpu_ns;
  guint64          bytes;
  LabBreakdown     breakdown;
  GArray          *findings;       /* LabFinding */
  GSource         *progress_source;
  gboolean         has_records;    /* made from records: nothing to run */

  /* Taking events in: the owner's thread, or in lab_run_execute() any
   * of the run's threads, one at a time. */
  GMutex           apply_mutex;

  /* Shared with the run's threads, under mutex (or atomic). */
  GMutex           mutex;
  GArray          *job_events;     /* JobEvent */
  GPtrArray       *events;         /* Event */
  GArray          *worker_ids;     /* gint64, every worker seen, for the sampler */
  gboolean         apply_at_once;  /* the owner waits in lab_run_execute() */
  gboolean         watched;        /* someone draws the jobs as they start */
  LabCancel       *cancel;
  gint64           t0_ns;          /* atomic */
  gint             n_done;         /* atomic */
  gint             n_failed;       /* atomic */
  gint             running;        /* atomic: started and not ended */
};

G_DEFINE_FINAL_TYPE (LabRun, lab_run, G_TYPE_OBJECT)

static void
event_free (gpointer data)
{
  Event *event = data;

  g_clear_pointer (&event->params, g_variant_unref);
  g_free (event->error);
  g_free (event);
}

static void
clear_jobs (LabRun *self)
{
  for (guint i = 0; self->jobs != NULL && i < self->n_jobs; i++)
    g_free (self->jobs[i].error);
  g_clear_pointer (&self->jobs, g_free);
}

void
lab_finding_clear (LabFinding *finding)
{
  g_clear_pointer (&finding->text, g_free);
}

static void
lab_run_finalize (GObject *object)
{
  LabRun *self = (LabRun *) object;

  g_assert (self->progress_source == NULL);

  clear_jobs (self);
  for (guint i = 0; i < self->job_events->len; i++)
    g_free (g_array_index (self->job_events, JobEvent, i).record.error);
  g_array_unref (self->job_events);
  g_ptr_array_unref (self->events);
  g_array_unref (self->worker_ids);
  g_array_unref (self->worker_records);
  g_clear_pointer (&self->findings, g_array_unref);
  g_clear_pointer (&self->cancel, lab_cancel_free);
  g_mutex_clear (&self->mutex);
  g_mutex_clear (&self->apply_mutex);
  g_clear_pointer (&self->config, lab_run_config_free);
  g_clear_pointer (&self->resolved_params, g_variant_unref);
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
   * times a second, while jobs start and finish, and once more at the
   * end. The run's records are up to date when it is emitted.
   */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 0);
}

static void
lab_run_init (LabRun *self)
{
  self->cancel = lab_cancel_new ();
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->apply_mutex);
  self->job_events = g_array_new (FALSE, FALSE, sizeof (JobEvent));
  self->events = g_ptr_array_new_with_free_func (event_free);
  self->worker_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->worker_records = g_array_new (FALSE, FALSE, sizeof (LabWorkerRecord));
}

/**
 * lab_run_new:
 *
 * Checks @config; nothing is set up or run until lab_run_start_async()
 * (so a run planned for later costs no memory, no server, no folder).
 *
 * Returns: (transfer full): a run, or %NULL with @error set (bad usage)
 */
LabRun *
lab_run_new (const LabRunConfig  *config,
             GError             **error)
{
  LabRun *self;

  g_return_val_if_fail (config != NULL, NULL);

  if (!lab_run_config_check (config, error))
    return NULL;

  self = g_object_new (LAB_TYPE_RUN, NULL);
  self->config = lab_run_config_copy (config);
  return self;
}

/**
 * lab_run_new_from_records:
 * @summary: the run's figures; n_done, n_failed and bytes are counted
 *   from @jobs
 * @jobs: (array length=n_jobs): its jobs, copied
 * @workers: (array length=n_workers) (nullable): its long-lived workers
 *
 * A run that has already happened: made up for a test, or read back from
 * the history. Its breakdown is worked out from the records; it cannot
 * be started.
 */
LabRun *
lab_run_new_from_records (const LabRunConfig    *config,
                          LabRunState            state,
                          const LabRunSummary   *summary,
                          const LabJobRecord    *jobs,
                          guint                  n_jobs,
                          const LabWorkerRecord *workers,
                          guint                  n_workers)
{
  LabRun *self;

  g_return_val_if_fail (config != NULL && summary != NULL, NULL);
  g_return_val_if_fail (state >= LAB_RUN_FINISHED, NULL);

  self = g_object_new (LAB_TYPE_RUN, NULL);
  self->config = lab_run_config_copy (config);
  self->has_records = TRUE;
  self->state = state;
  self->figures = *summary;
  self->n_jobs = n_jobs;
  self->workers = summary->workers;
  self->resolved_params = g_variant_ref (self->config->params);
  self->jobs = g_new0 (LabJobRecord, MAX (n_jobs, 1));
  for (guint i = 0; i < n_jobs; i++)
    {
      self->jobs[i] = jobs[i];
      self->jobs[i].error = g_strdup (jobs[i].error);
      if (jobs[i].state >= LAB_JOB_OK)
        {
          self->n_done_seen++;
          self->n_failed_seen += jobs[i].state == LAB_JOB_FAILED;
          self->jobs_cpu_ns += jobs[i].cpu_ns;
          self->bytes += jobs[i].bytes;
        }
    }
  if (workers != NULL)
    g_array_append_vals (self->worker_records, workers, n_workers);
  lab_breakdown_compute (self, &self->breakdown);
  return self;
}

/**
 * lab_job_record_set_phase:
 * @phase_ns: when the job's first phase ended, on the record's axis, or
 *   0 or less for a job of one phase
 *
 * Keeps where a first phase ended (a pipeline's download, before its
 * blur) as a share of start to end: two bytes, not eight, in a record of
 * which a run may hold a million. Call it once start and end are set.
 */
void
lab_job_record_set_phase (LabJobRecord *record,
                          gint64        phase_ns)
{
  gint64 span = record->end_ns - record->start_ns;

  record->phase = 0;
  if (phase_ns <= record->start_ns || span <= 0)
    return;
  record->phase = (guint16) CLAMP ((phase_ns - record->start_ns) * G_GINT64_CONSTANT (65535) / span, 1, 65535);
}

/* When the job's first phase ended, or -1 for a job of one phase. */
gint64
lab_job_record_get_phase (const LabJobRecord *record)
{
  if (record->phase == 0)
    return -1;
  return record->start_ns + (record->end_ns - record->start_ns) * record->phase / 65535;
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
 * processes get. %NULL until the run is set up.
 */
GVariant *
lab_run_get_resolved_params (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return self->resolved_params;
}

LabRunState
lab_run_get_state (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), LAB_RUN_FAILED);
  return self->state;
}

const char *
lab_run_get_error (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return self->error;
}

/* Jobs of the plan: 0 until the task is set up. */
guint
lab_run_get_n_jobs (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->n_jobs;
}

/* Jobs finished, ok or failed; from any thread while the run goes on. */
guint
lab_run_get_n_done (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->has_records ? self->n_done_seen : (guint) g_atomic_int_get (&self->n_done);
}

guint
lab_run_get_n_failed (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->has_records ? self->n_failed_seen : (guint) g_atomic_int_get (&self->n_failed);
}

guint
lab_run_get_workers (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->workers;
}

/* Whether the run still has its job records (see lab_run_drop_jobs()). */
gboolean
lab_run_has_jobs (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), FALSE);
  return self->jobs != NULL;
}

/**
 * lab_run_get_job:
 *
 * A job's record, as the owner last took it in; read on the owner's
 * thread only.
 */
const LabJobRecord *
lab_run_get_job (LabRun *self,
                 guint   index)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  g_return_val_if_fail (self->jobs != NULL, NULL);
  g_return_val_if_fail (index < self->n_jobs, NULL);
  return &self->jobs[index];
}

guint
lab_run_get_n_worker_records (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->worker_records->len;
}

const LabWorkerRecord *
lab_run_get_worker_record (LabRun *self,
                           guint   index)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  g_return_val_if_fail (index < self->worker_records->len, NULL);
  return &g_array_index (self->worker_records, LabWorkerRecord, index);
}

/* CLOCK_MONOTONIC nanoseconds at the start of the run's clock (0 before);
 * from any thread. */
gint64
lab_run_get_start_time (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return __atomic_load_n (&self->t0_ns, __ATOMIC_ACQUIRE);
}

gint64
lab_run_get_elapsed_ns (LabRun *self)
{
  gint64 t0;

  g_return_val_if_fail (LAB_IS_RUN (self), 0);

  if (self->state >= LAB_RUN_FINISHED)
    return self->figures.wall_ns;
  t0 = lab_run_get_start_time (self);
  return t0 > 0 ? lab_clock_now_ns () - t0 : 0;
}

void
lab_run_get_summary (LabRun        *self,
                     LabRunSummary *summary)
{
  g_return_if_fail (LAB_IS_RUN (self));

  *summary = self->figures;
  summary->wall_ns = lab_run_get_elapsed_ns (self);
  summary->n_jobs = self->n_jobs;
  summary->n_done = lab_run_get_n_done (self);
  summary->n_failed = lab_run_get_n_failed (self);
  summary->workers = self->workers;
  summary->bytes = self->bytes;
}

/* CPU time the jobs themselves used (their thread's or process's), as
 * recorded; 0 for async, whose jobs share one thread. */
gint64
lab_run_get_jobs_cpu_ns (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), 0);
  return self->jobs_cpu_ns;
}

/* Where the time went; all 0 until the run has ended. */
const LabBreakdown *
lab_run_get_breakdown (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return &self->breakdown;
}

/**
 * lab_run_get_findings:
 *
 * What the engine reads in the run (lab-findings.h), heaviest first;
 * none until an analysis has set them.
 */
const LabFinding *
lab_run_get_findings (LabRun *self,
                      guint  *n_findings)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);

  *n_findings = self->findings ? self->findings->len : 0;
  return self->findings ? (const LabFinding *) self->findings->data : NULL;
}

/* The heaviest finding's sentence, or %NULL. */
const char *
lab_run_get_verdict (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);

  if (self->findings == NULL || self->findings->len == 0)
    return NULL;
  return g_array_index (self->findings, LabFinding, 0).text;
}

/* Takes @findings (element-type LabFinding, with a clear func). */
void
lab_run_set_findings (LabRun *self,
                      GArray *findings)
{
  g_return_if_fail (LAB_IS_RUN (self));

  g_clear_pointer (&self->findings, g_array_unref);
  self->findings = findings;
}

char *
lab_run_describe_worker (LabRun *self,
                         gint64  worker)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);

  if (self->config->strategy->processes)
    return g_strdup_printf (_("process %" PRId64), worker);
  return g_strdup_printf (_("thread %" PRId64), worker);
}

char *
lab_run_dup_title (LabRun *self)
{
  g_return_val_if_fail (LAB_IS_RUN (self), NULL);
  return lab_run_config_dup_title (self->config);
}

/**
 * lab_run_drop_jobs:
 *
 * Frees the job records of an ended run: its figures, breakdown and
 * findings stay. A command that prints only figures keeps a million-job
 * run's records no longer than it needs them.
 */
void
lab_run_drop_jobs (LabRun *self)
{
  g_return_if_fail (LAB_IS_RUN (self));
  g_return_if_fail (self->state >= LAB_RUN_FINISHED);

  clear_jobs (self);
}

/**
 * lab_run_get_worker_ids:
 * @from: how many the caller has already seen
 * @ids: (element-type gint64): receives the ones after those
 *
 * The thread ids or process ids of the run's workers, in the order they
 * appeared; from any thread (the CPU sampler reads them).
 *
 * Returns: how many there are now
 */
guint
lab_run_get_worker_ids (LabRun *self,
                        guint   from,
                        GArray *ids)
{
  guint n;

  g_return_val_if_fail (LAB_IS_RUN (self), 0);

  g_mutex_lock (&self->mutex);
  n = self->worker_ids->len;
  if (from < n)
    g_array_append_vals (ids, &g_array_index (self->worker_ids, gint64, from), n - from);
  g_mutex_unlock (&self->mutex);
  return n;
}

/* --- what the run's threads post ---------------------------------------- */

LabCancel *
_lab_run_get_cancel (LabRun *self)
{
  return self->cancel;
}

static void take_events (LabRun *self);

static void
post_event (LabRun *self,
            Event  *event)
{
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->events, event);
  g_mutex_unlock (&self->mutex);
  if (self->apply_at_once)
    take_events (self);
}

void
_lab_run_post_prepared (LabRun   *self,
                        guint     n_jobs,
                        guint     workers,
                        GVariant *resolved_params)
{
  Event *event = g_new0 (Event, 1);

  event->kind = EVENT_PREPARED;
  event->index = n_jobs;
  event->worker.lane = workers;
  event->params = g_variant_ref (resolved_params);
  post_event (self, event);
}

void
_lab_run_post_started (LabRun *self,
                       gint64  t0_ns)
{
  __atomic_store_n (&self->t0_ns, t0_ns, __ATOMIC_RELEASE);
}

/* Notes a worker for the CPU sampler; under the run's mutex. */
static void
note_worker_id_locked (LabRun *self,
                       gint64  id)
{
  GArray *ids = self->worker_ids;

  /* Jobs of one worker come in runs: checking the last few is enough to
   * keep the list to the workers, not the jobs. */
  for (guint i = ids->len; i > 0 && i + 8 > ids->len; i--)
    if (g_array_index (ids, gint64, i - 1) == id)
      return;
  g_array_append_val (ids, id);
}

/* Takes @record's error. */
void
_lab_run_post_job (LabRun       *self,
                   guint         index,
                   LabJobRecord *record)
{
  JobEvent event = { index, *record };
  gboolean full;

  if (record->state < LAB_JOB_OK && !self->watched && !self->apply_at_once)
    {
      /* The CPU sampler still learns the worker the moment it starts. */
      if (record->worker > 0)
        {
          g_mutex_lock (&self->mutex);
          note_worker_id_locked (self, record->worker);
          g_mutex_unlock (&self->mutex);
        }
      return;
    }
  record->error = NULL;
  if (record->state >= LAB_JOB_OK)
    {
      if (record->state == LAB_JOB_FAILED)
        g_atomic_int_inc (&self->n_failed);
      g_atomic_int_inc (&self->n_done);
    }

  g_mutex_lock (&self->mutex);
  g_array_append_val (self->job_events, event);
  full = self->job_events->len >= 4096;
  if (record->worker > 0)
    note_worker_id_locked (self, record->worker);
  g_mutex_unlock (&self->mutex);
  /* Nobody reads the records while the run goes on: the run's threads
   * take them in as they come, and the events do not pile up. */
  if ((self->apply_at_once || !self->watched) && full)
    take_events (self);
}

void
_lab_run_post_worker (LabRun                *self,
                      guint                  index,
                      const LabWorkerRecord *record)
{
  Event *event = g_new0 (Event, 1);

  event->kind = EVENT_WORKER;
  event->index = index;
  event->worker = *record;
  if (record->id > 0)
    {
      g_mutex_lock (&self->mutex);
      note_worker_id_locked (self, record->id);
      g_mutex_unlock (&self->mutex);
    }
  post_event (self, event);
}

void
_lab_run_post_ended (LabRun              *self,
                     LabRunState          state,
                     const LabRunSummary *figures,
                     const char          *error)
{
  Event *event = g_new0 (Event, 1);

  event->kind = EVENT_ENDED;
  event->state = state;
  event->figures = *figures;
  event->error = g_strdup (error);
  g_atomic_int_set (&self->running, FALSE);
  post_event (self, event);
}

/* --- what the owner takes in --------------------------------------------- */

static void
apply_job (LabRun       *self,
           guint         index,
           LabJobRecord *record)
{
  LabJobRecord *job;

  if (self->jobs == NULL || index >= self->n_jobs)
    {
      g_free (record->error);
      return;
    }

  job = &self->jobs[index];
  if (record->state >= LAB_JOB_OK)
    {
      self->n_done_seen++;
      self->n_failed_seen += record->state == LAB_JOB_FAILED;
      self->jobs_cpu_ns += record->cpu_ns;
      self->bytes += record->bytes;
    }
  else if (job->state >= LAB_JOB_OK)
    return;   /* a late "started" of a job already done */
  g_free (job->error);
  *job = *record;
}

static void
apply_event (LabRun *self,
             Event  *event)
{
  switch (event->kind)
    {
    case EVENT_PREPARED:
      self->n_jobs = event->index;
      self->workers = event->worker.lane;
      g_clear_pointer (&self->resolved_params, g_variant_unref);
      self->resolved_params = g_steal_pointer (&event->params);
      self->jobs = g_new0 (LabJobRecord, MAX (self->n_jobs, 1));
      self->state = LAB_RUN_RUNNING;
      break;

    case EVENT_WORKER:
      if (event->index >= self->worker_records->len)
        g_array_set_size (self->worker_records, event->index + 1);
      g_array_index (self->worker_records, LabWorkerRecord, event->index) = event->worker;
      break;

    case EVENT_ENDED:
      self->figures = event->figures;
      self->workers = event->figures.workers;
      self->error = g_steal_pointer (&event->error);
      self->state = event->state;
      if (self->jobs != NULL)
        lab_breakdown_compute (self, &self->breakdown);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Takes in what the run's threads posted since the last time: their
 * records become the owner's. */
static void
take_events (LabRun *self)
{
  g_autoptr(GMutexLocker) applying = g_mutex_locker_new (&self->apply_mutex);
  g_autoptr(GArray) jobs = NULL;
  g_autoptr(GPtrArray) events = NULL;
  Event *ended = NULL;

  g_mutex_lock (&self->mutex);
  if (self->job_events->len > 0)
    {
      jobs = self->job_events;
      self->job_events = g_array_new (FALSE, FALSE, sizeof (JobEvent));
    }
  if (self->events->len > 0)
    {
      events = self->events;
      self->events = g_ptr_array_new_with_free_func (event_free);
    }
  g_mutex_unlock (&self->mutex);

  /* Set-up first (the jobs need it), the end last. */
  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      Event *event = g_ptr_array_index (events, i);
      if (event->kind == EVENT_ENDED)
        ended = event;
      else
        apply_event (self, event);
    }
  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    {
      JobEvent *event = &g_array_index (jobs, JobEvent, i);
      apply_job (self, event->index, &event->record);
    }
  if (ended != NULL)
    apply_event (self, ended);
}

static gboolean
progress_cb (gpointer data)
{
  LabRun *self = data;
  gboolean changed;

  g_mutex_lock (&self->mutex);
  changed = self->job_events->len > 0 || self->events->len > 0;
  g_mutex_unlock (&self->mutex);

  if (changed)
    {
      take_events (self);
      g_signal_emit (self, signals[PROGRESS], 0);
    }

  return G_SOURCE_CONTINUE;
}

static void
begin (LabRun *self)
{
  g_return_if_fail (!self->has_records);
  self->state = LAB_RUN_PREPARING;
  g_atomic_int_set (&self->running, TRUE);
}

/**
 * lab_run_run:
 * @cancel: (nullable): cancels the run from any thread
 *
 * Sets the task up, runs every job and blocks until the run ends; the
 * strategies use their own threads or processes. The calling thread
 * owns the run. A failed job does not fail the run: see the summary.
 *
 * Returns: %FALSE with @error when the run could not go on (cancelled,
 *   the task could not be set up, or the worker could not be started)
 */
gboolean
lab_run_run (LabRun     *self,
             LabCancel  *cancel,
             GError    **error)
{
  gboolean ok;

  g_return_val_if_fail (LAB_IS_RUN (self), FALSE);
  g_return_val_if_fail (self->state == LAB_RUN_READY, FALSE);

  begin (self);
  /* Nobody reads the records while this waits: the run's threads may
   * hand them over as they come, and the events need not pile up. */
  self->apply_at_once = TRUE;
  ok = _lab_runner_execute (self, self->config, cancel, error);
  take_events (self);
  self->apply_at_once = FALSE;
  return ok;
}

/* How the run ended, handed from its thread to the context that owns it. */
typedef struct {
  LabRun         *run;
  LabCancel      *cancel;
  GMainContext   *owner;
  LabRunDoneFunc  done;
  gpointer        user_data;
  gboolean        ok;
  GError         *error;
} RunEnd;

static void
run_end_free (gpointer data)
{
  RunEnd *end = data;

  g_clear_error (&end->error);
  g_main_context_unref (end->owner);
  g_object_unref (end->run);
  g_free (end);
}

static void
stop_progress (LabRun *self)
{
  if (self->progress_source != NULL)
    {
      g_source_destroy (self->progress_source);
      g_clear_pointer (&self->progress_source, g_source_unref);
      take_events (self);
      g_signal_emit (self, signals[PROGRESS], 0);
    }
}

static gboolean
return_on_owner (gpointer data)
{
  RunEnd *end = data;

  LAB_TSAN_ACQUIRE (end);
  stop_progress (end->run);
  end->done (end->run, end->ok, g_steal_pointer (&end->error), end->user_data);
  return G_SOURCE_REMOVE;
}

/* The run ends, and its thread's reference to it is dropped, on the
 * context that owns the run: the run is never finalized on this thread
 * behind the back of a caller that has just read it. (That would be
 * safe, GObject's count is atomic, but ThreadSanitizer cannot see it
 * through an uninstrumented GLib.) An idle source of our own:
 * g_main_context_invoke() may call its function here when the owner's
 * context is free. */
static void
end_on_owner (RunEnd *end)
{
  GSource *idle = g_idle_source_new ();
  /* Ours: @end and its context may be gone as soon as it is attached. */
  g_autoptr(GMainContext) owner = g_main_context_ref (end->owner);

  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, return_on_owner, end, run_end_free);
  g_source_set_static_name (idle, "[lab-run-end]");
  LAB_TSAN_RELEASE (end);
  g_source_attach (idle, owner);
  g_source_unref (idle);
}

static gpointer
run_thread (gpointer data)
{
  RunEnd *end = data;

  end->ok = _lab_runner_execute (end->run, end->run->config, end->cancel, &end->error);
  end_on_owner (end);
  return NULL;
}

/**
 * lab_run_start:
 * @cancel: (nullable): cancels the run from any thread; it must outlive
 *   the run's end
 * @done: called when the run has ended: whether it could go on, and
 *   (transfer full) why not
 *
 * Starts the run on a thread of its own ("lab-run"), which sets the task
 * up and runs it, and returns at once. LabRun::progress and @done are
 * delivered on the thread-default main context of the caller, which owns
 * the run's records. (lab_run_start_async() is the same for GIO.)
 */
void
lab_run_start (LabRun         *self,
               LabCancel      *cancel,
               LabRunDoneFunc  done,
               gpointer        user_data)
{
  RunEnd *end;
  GError *error = NULL;
  GThread *thread;

  g_return_if_fail (LAB_IS_RUN (self));
  g_return_if_fail (self->state == LAB_RUN_READY);
  g_return_if_fail (done != NULL);

  end = g_new0 (RunEnd, 1);
  *end = (RunEnd) {
    .run = g_object_ref (self), .cancel = cancel, .owner = g_main_context_ref_thread_default (),
    .done = done, .user_data = user_data,
  };
  begin (self);
  /* Without a progress handler nobody looks at the jobs until the run
   * has ended: a job's start is not handed over, and its end is taken in
   * by the run's threads (a million jobs would be a million events
   * waiting for the main loop). */
  self->watched = g_signal_has_handler_pending (self, signals[PROGRESS], 0, FALSE);

  self->progress_source = g_timeout_source_new (PROGRESS_INTERVAL_MS);
  g_source_set_callback (self->progress_source, progress_cb, self, NULL);
  g_source_set_static_name (self->progress_source, "[lab-run-progress]");
  g_source_attach (self->progress_source, end->owner);

  thread = g_thread_try_new ("lab-run", run_thread, end, &error);
  if (thread == NULL)
    {
      LabRunSummary none = { 0 };

      _lab_run_post_ended (self, LAB_RUN_FAILED, &none, error->message);
      end->error = error;
      end_on_owner (end);
      return;
    }
  g_thread_unref (thread);
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
