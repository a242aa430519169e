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
  LabThreadMark mark;
  gpointer state;

  _lab_run_thread_enter (one->run, &mark);
  state = worker_init (one->run);
  _lab_run_job_here (one->run, state, one->index, lab_clock_thread_id (), NULL);
  worker_free (one->run, state);
  _lab_run_thread_leave (one->run, &mark);
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
 * its worker state (e.g. an HTTP session) in a GPrivate while the run
 * lasts. A pool thread does not end with the pool (GLib keeps it for
 * reuse), so after the jobs every thread takes one "finish" task: it
 * frees its state on its own thread and counts its CPU, then waits until
 * all have taken theirs, so that no thread takes two. */
typedef struct {
  LabRun        *run;
  gpointer       state;
  gint64         tid;
  gint64         cpu_mark;
  LabThreadMark  mark;
} PoolThread;

typedef struct {
  GMutex mutex;
  GCond  cond;
  guint  arrived;
  guint  expected;
} Barrier;

static GPrivate pool_thread_key;
static guint8 finish_marker;

static void
finish_pool_thread (LabRun  *self,
                    Barrier *barrier)
{
  PoolThread *pt = g_private_get (&pool_thread_key);

  if (pt != NULL)
    {
      g_private_set (&pool_thread_key, NULL);
      worker_free (self, pt->state);
      _lab_run_thread_leave (self, &pt->mark);
      g_free (pt);
    }

  g_mutex_lock (&barrier->mutex);
  barrier->arrived++;
  g_cond_broadcast (&barrier->cond);
  while (barrier->arrived < barrier->expected)
    g_cond_wait (&barrier->cond, &barrier->mutex);
  g_mutex_unlock (&barrier->mutex);
}

typedef struct {
  LabRun  *run;
  Barrier  barrier;
} PoolData;

static void
pool_func (gpointer data,
           gpointer user_data)
{
  PoolData *pd = user_data;
  LabRun *self = pd->run;
  PoolThread *pt = g_private_get (&pool_thread_key);
  guint index = GPOINTER_TO_UINT (data) - 1;

  if (data == &finish_marker)
    {
      finish_pool_thread (self, &pd->barrier);
      return;
    }

  if (lab_cancel_is_cancelled (self->cancel))
    return;

  if (pt == NULL)
    {
      pt = g_new0 (PoolThread, 1);
      _lab_run_thread_enter (self, &pt->mark);
      pt->run = self;
      pt->state = worker_init (self);
      pt->tid = lab_clock_thread_id ();
      pt->cpu_mark = -1;
      g_private_set (&pool_thread_key, pt);
    }

  _lab_run_job_here (self, pt->state, index, pt->tid, &pt->cpu_mark);
}

gboolean
_lab_run_thread_pool (LabRun  *self,
                      GError **error)
{
  PoolData pd = { self };
  GThreadPool *pool;

  g_mutex_init (&pd.barrier.mutex);
  g_cond_init (&pd.barrier.cond);
  pd.barrier.expected = self->workers;

  /* A pool's threads end with its run. GLib would keep one of them
   * idle for 15 s to reuse it, and asking it to stop afterwards
   * (g_thread_pool_stop_unused_threads()) races with the thread that
   * has not yet become idle. A run would then leave a thread behind,
   * which the per-worker CPU chart would show as a worker. */
  g_thread_pool_set_max_unused_threads (0);

  pool = g_thread_pool_new (pool_func, &pd, self->workers, TRUE, error);
  if (pool != NULL)
    {
      for (guint i = 0; i < self->n_jobs; i++)
        g_thread_pool_push (pool, GUINT_TO_POINTER (i + 1), NULL);
      for (guint i = 0; i < self->workers; i++)
        g_thread_pool_push (pool, &finish_marker, NULL);

      /* Waits for the queued jobs; once cancelled they return at once. */
      g_thread_pool_free (pool, FALSE, TRUE);
    }

  g_mutex_clear (&pd.barrier.mutex);
  g_cond_clear (&pd.barrier.cond);

  return pool != NULL;
}
