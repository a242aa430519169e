/* lab-strategy-threads.c — sequential, one thread per job, GThreadPool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-strategy-threads"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-clock.h"
#include "lab-error.h"
#include "lab-run-private.h"

static gpointer
worker_init (LabRun *self)
{
  return self->klass->worker_init ? self->klass->worker_init (self->plan) : NULL;
}

static void
worker_free (LabRun   *self,
             gpointer  state)
{
  if (state != NULL && self->klass->worker_free != NULL)
    self->klass->worker_free (state);
}

gboolean
_lab_run_sequential (LabRun  *self,
                     GError **error)
{
  gpointer state = worker_init (self);
  gint64 tid = lab_clock_thread_id ();
  gint64 cpu_mark = -1;

  for (guint i = 0; i < self->n_jobs && !lab_cancel_is_cancelled (self->cancel); i++)
    _lab_run_job_here (self, state, i, tid, &cpu_mark);

  worker_free (self, state);
  return TRUE;
}

/* threads: one GThread per job, at most self->workers alive at once. A
 * finished thread queues itself so the dispatcher joins it at once:
 * thousands of unjoined threads would each keep their stack. */
typedef struct {
  LabRun      *run;
  GAsyncQueue *finished;
  guint        index;
  GThread     *thread;
} OneThread;

static gpointer
one_thread_main (gpointer data)
{
  OneThread *one = data;
  gpointer state = worker_init (one->run);

  _lab_run_job_here (one->run, state, one->index, lab_clock_thread_id (), NULL);
  worker_free (one->run, state);
  g_async_queue_push (one->finished, one);

  return NULL;
}

static void
join_one (OneThread *one)
{
  g_thread_join (one->thread);
  g_free (one);
}

gboolean
_lab_run_threads (LabRun  *self,
                  GError **error)
{
  g_autoptr(GAsyncQueue) finished = g_async_queue_new ();
  guint running = 0;

  for (guint i = 0; i < self->n_jobs && !lab_cancel_is_cancelled (self->cancel); i++)
    {
      g_autoptr(GError) local_error = NULL;
      OneThread *one;

      while (running >= self->workers)
        {
          join_one (g_async_queue_pop (finished));
          running--;
        }
      if (lab_cancel_is_cancelled (self->cancel))
        break;

      one = g_new0 (OneThread, 1);
      one->run = self;
      one->finished = finished;
      one->index = i;
      one->thread = g_thread_try_new ("lab-thread", one_thread_main, one, &local_error);
      if (one->thread == NULL)
        {
          /* Out of threads: this job fails, the others go on. */
          _lab_run_job_store (self, i, 0, lab_clock_now_ns () - self->t0_ns, 0, 0, 0, 0, 0,
                              g_strdup_printf (_("Could not start a thread: %s"), local_error->message));
          g_free (one);
          continue;
        }
      running++;
    }

  for (; running > 0; running--)
    join_one (g_async_queue_pop (finished));

  return TRUE;
}

/* thread-pool: GThreadPool with exclusive threads. Each pool thread keeps
 * its worker state (e.g. an HTTP session) for as long as it lives, in a
 * GPrivate freed when the pool ends its threads. */
typedef struct {
  LabRun   *run;
  gpointer  state;
  gint64    tid;
  gint64    cpu_mark;
} PoolThread;

static void
pool_thread_free (gpointer data)
{
  PoolThread *pt = data;

  worker_free (pt->run, pt->state);
  g_object_unref (pt->run);
  g_free (pt);
}

static GPrivate pool_thread_key = G_PRIVATE_INIT (pool_thread_free);

static void
pool_func (gpointer data,
           gpointer user_data)
{
  LabRun *self = user_data;
  PoolThread *pt = g_private_get (&pool_thread_key);
  guint index = GPOINTER_TO_UINT (data) - 1;

  if (lab_cancel_is_cancelled (self->cancel))
    return;

  if (pt == NULL || pt->run != self)
    {
      pt = g_new0 (PoolThread, 1);
      pt->run = g_object_ref (self);
      pt->state = worker_init (self);
      pt->tid = lab_clock_thread_id ();
      pt->cpu_mark = -1;
      g_private_replace (&pool_thread_key, pt);
    }

  _lab_run_job_here (self, pt->state, index, pt->tid, &pt->cpu_mark);
}

gboolean
_lab_run_thread_pool (LabRun  *self,
                      GError **error)
{
  GThreadPool *pool;

  pool = g_thread_pool_new (pool_func, self, self->workers, TRUE, error);
  if (pool == NULL)
    return FALSE;

  for (guint i = 0; i < self->n_jobs; i++)
    if (!g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), error))
      break;

  /* Waits for the queued jobs; once cancelled they return at once. */
  g_thread_pool_free (pool, FALSE, TRUE);

  return TRUE;
}
