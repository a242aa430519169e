/* lab-strategy-async.c — one thread, one event loop, many jobs in flight
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Python's asyncio: a single thread ("lab-async") runs its own
 * GMainContext; each job is started with the task's start_job() and
 * reports back on that context, so up to `workers` jobs wait at once
 * without a thread each. Each job in flight holds a slot: the lanes of
 * the timeline; the thread itself is the one worker of every lane.
 */
#define G_LOG_DOMAIN "lab-strategy-async"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-breakdown.h"
#include "lab-clock.h"
#include "lab-error.h"
#include "lab-runner.h"
#include "lab-strategy-private.h"

typedef struct {
  LabRunner    *runner;
  GMainContext *context;
  GThread      *thread;
  gpointer      state;
  gint64        tid;
  guint         next_job;
  guint         in_flight;
  GArray       *free_lanes;   /* guint */
} AsyncRun;

typedef struct {
  AsyncRun     *ar;
  guint         index;
  LabJobRecord  record;
  LabJobResult  result;
} AsyncJob;

/* A job's CPU time cannot be told apart from the others' on the one
 * thread they share, so jobs report none; the run's total is exact. */
static void
job_done_cb (GError   *error,
             gpointer  data)
{
  AsyncJob *job = data;
  AsyncRun *ar = job->ar;
  guint lane = job->record.lane;

  job->record.end_ns = job->record.back_ns = lab_runner_now (ar->runner);
  lab_job_record_set_phase (&job->record, job->result.phase_ns > 0
                                          ? job->result.phase_ns - lab_runner_get_t0 (ar->runner) : -1);
  job->record.bytes = job->result.bytes;
  job->record.value = (gint32) job->result.value;
  job->record.status = (gint16) job->result.status;
  job->record.error = error ? g_strdup (error->message) : NULL;
  lab_runner_job_done (ar->runner, job->index, &job->record);
  g_clear_error (&error);
  lab_job_result_clear (&job->result);
  g_array_append_val (ar->free_lanes, lane);
  ar->in_flight--;
  g_free (job);
}

static void
start_more (AsyncRun *ar)
{
  LabRunner *runner = ar->runner;
  const LabTaskClass *klass = lab_runner_get_class (runner);

  while (ar->free_lanes->len > 0 && ar->next_job < lab_runner_get_n_jobs (runner) &&
         !lab_runner_is_cancelled (runner))
    {
      AsyncJob *job = g_new0 (AsyncJob, 1);

      job->ar = ar;
      job->index = ar->next_job++;
      job->result.index = job->index;
      job->record.lane = g_array_index (ar->free_lanes, guint, ar->free_lanes->len - 1);
      g_array_set_size (ar->free_lanes, ar->free_lanes->len - 1);
      job->record.worker = ar->tid;
      job->record.dispatch_ns = job->record.start_ns = lab_runner_now (runner);
      lab_runner_job_started (runner, job->index, &job->record);
      ar->in_flight++;
      /* done may run before this returns (a job that fails at once). */
      klass->start_job (lab_runner_get_plan (runner), ar->state, job->index, &job->result,
                        lab_runner_get_cancel (runner), ar->context, job_done_cb, job);
    }
}

static gpointer
async_thread (gpointer data)
{
  AsyncRun *ar = data;
  LabRunner *runner = ar->runner;
  guint worker = lab_runner_worker_begin (runner, LAB_LANE_ALL);
  LabThreadMark mark;

  lab_runner_thread_enter (runner, &mark);
  g_main_context_push_thread_default (ar->context);
  ar->tid = lab_clock_thread_id ();
  ar->state = lab_runner_worker_init (runner);
  lab_runner_worker_ready (runner, worker, ar->tid);

  for (;;)
    {
      start_more (ar);
      if (ar->in_flight == 0)
        break;
      g_main_context_iteration (ar->context, TRUE);
    }

  lab_runner_worker_free (runner, ar->state);
  /* Let what the task left behind (closed connections) finish. */
  while (g_main_context_iteration (ar->context, FALSE))
    ;
  g_main_context_pop_thread_default (ar->context);
  lab_runner_thread_leave (runner, &mark);
  lab_runner_worker_gone (runner, worker);

  return NULL;
}

static gpointer
async_start (LabRunner  *runner,
             GError    **error)
{
  AsyncRun *ar = g_new0 (AsyncRun, 1);

  if (lab_runner_get_class (runner)->start_job == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED,
                   _("The async strategy cannot run the %s task"), lab_runner_get_task (runner)->name);
      g_free (ar);
      return NULL;
    }

  ar->runner = runner;
  ar->context = g_main_context_new ();
  ar->free_lanes = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint lane = lab_runner_get_workers (runner); lane > 0; lane--)
    g_array_append_val (ar->free_lanes, (guint) { lane - 1 });
  ar->thread = g_thread_try_new ("lab-async", async_thread, ar, error);
  if (ar->thread == NULL)
    {
      g_main_context_unref (ar->context);
      g_array_unref (ar->free_lanes);
      g_free (ar);
      return NULL;
    }
  return ar;
}

/* The loop may be waiting for a slow server: wake it to see the cancel. */
static void
async_cancel (gpointer data)
{
  AsyncRun *ar = data;

  g_main_context_wakeup (ar->context);
}

static gboolean
async_collect (gpointer   data,
               GError   **error)
{
  AsyncRun *ar = data;

  g_thread_join (g_steal_pointer (&ar->thread));
  return TRUE;
}

static void
async_free (gpointer data)
{
  AsyncRun *ar = data;

  g_main_context_unref (ar->context);
  g_array_unref (ar->free_lanes);
  g_free (ar);
}

const LabStrategyClass _lab_strategy_async = {
  .start = async_start,
  .cancel = async_cancel,
  .collect = async_collect,
  .free = async_free,
};
