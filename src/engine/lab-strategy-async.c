/* lab-strategy-async.c — one thread, one event loop, many jobs in flight
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Python's asyncio: a single thread ("lab-async") runs its own
 * GMainContext; each job is started with the task's start_job() and
 * reports back on that context, so up to run->workers jobs wait at once
 * without a thread each.
 */
#define G_LOG_DOMAIN "lab-strategy-async"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-clock.h"
#include "lab-error.h"
#include "lab-run-private.h"

typedef struct {
  LabRun       *run;
  GMainContext *context;
  gpointer      state;
  gint64        tid;
  guint         next_job;
  guint         in_flight;
} AsyncRun;

typedef struct {
  AsyncRun *ar;
  guint     index;
  gint64    start_ns;
} AsyncJob;

/* A job's CPU time cannot be told apart from the others' on the one
 * thread they share, so jobs report none; the run's total is exact. */
static void
job_done_cb (GError   *error,
             gpointer  data)
{
  AsyncJob *job = data;
  LabRun *run = job->ar->run;
  LabJobResult *result = &run->jobs[job->index];

  _lab_run_job_store (run, job->index, job->start_ns, lab_clock_now_ns () - run->t0_ns,
                      0, job->ar->tid, result->bytes, result->value, result->status,
                      error ? g_strdup (error->message) : NULL);
  g_clear_error (&error);
  job->ar->in_flight--;
  g_free (job);
}

static void
start_more (AsyncRun *ar)
{
  LabRun *run = ar->run;

  while (ar->in_flight < run->workers && ar->next_job < run->n_jobs &&
         !lab_cancel_is_cancelled (run->cancel))
    {
      AsyncJob *job = g_new0 (AsyncJob, 1);

      job->ar = ar;
      job->index = ar->next_job++;
      _lab_run_job_started (run, job->index, ar->tid);
      job->start_ns = run->jobs[job->index].start_ns;
      ar->in_flight++;
      /* done may run before this returns (a job that fails at once). */
      run->klass->start_job (run->plan, ar->state, job->index, &run->jobs[job->index],
                             run->cancel, ar->context, job_done_cb, job);
    }
}

static gpointer
async_thread (gpointer data)
{
  AsyncRun *ar = data;
  LabRun *run = ar->run;
  LabThreadMark mark;

  _lab_run_thread_enter (run, &mark);
  g_main_context_push_thread_default (ar->context);
  ar->tid = lab_clock_thread_id ();
  if (run->klass->worker_init != NULL)
    ar->state = run->klass->worker_init (run->plan);

  for (;;)
    {
      start_more (ar);
      if (ar->in_flight == 0)
        break;
      g_main_context_iteration (ar->context, TRUE);
    }

  if (ar->state != NULL && run->klass->worker_free != NULL)
    run->klass->worker_free (ar->state);
  /* Let what the task left behind (closed connections) finish. */
  while (g_main_context_iteration (ar->context, FALSE))
    ;
  g_main_context_pop_thread_default (ar->context);
  _lab_run_thread_leave (run, &mark);

  return NULL;
}

gboolean
_lab_run_async (LabRun  *self,
                GError **error)
{
  AsyncRun ar = { self, NULL };
  GThread *thread;

  g_assert (self->klass->start_job != NULL);

  ar.context = g_main_context_new ();
  thread = g_thread_try_new ("lab-async", async_thread, &ar, error);
  if (thread != NULL)
    g_thread_join (thread);
  g_main_context_unref (ar.context);

  return thread != NULL;
}
