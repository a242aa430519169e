/* lab-strategy-thread-pool.c — GThreadPool, like ThreadPoolExecutor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An exclusive GThreadPool of `workers` threads. Each pool thread takes a
 * lane and keeps its worker state (e.g. an HTTP session) in a GPrivate
 * while the run lasts. A pool thread does not end with the pool (GLib
 * keeps it for reuse), so after the jobs every thread takes one "finish"
 * task: it frees its state on its own thread and counts its CPU, then
 * waits until all have taken theirs, so that no thread takes two.
 */
#define G_LOG_DOMAIN "lab-strategy-thread-pool"

#include "config.h"

#include "lab-clock.h"
#include "lab-runner.h"
#include "lab-strategy-private.h"

typedef struct {
  gpointer       state;
  gint64         tid;
  gint64         cpu_mark;
  guint          lane;
  guint          worker;
  LabThreadMark  mark;
} PoolThread;

typedef struct {
  LabRunner   *runner;
  GThreadPool *pool;
  GMutex       mutex;
  GCond        cond;
  guint        arrived;     /* threads that took their finish task */
  guint        next_lane;   /* atomic */
  guint       *workers;     /* the worker record of each lane */
  guint        pushed;      /* atomic: jobs queued, by the run's thread */
  guint        taken;       /* atomic: jobs taken from the queue */
  gint         feeding;     /* atomic: the run's thread waits for the queue to drain */
} Pool;

/* The queue holds at most QUEUED jobs a thread and is filled again when
 * it is down to half of that: a million jobs are not a million queue
 * entries, and the run's thread wakes once per many jobs, not per job. */
#define QUEUED 1024

static GPrivate pool_thread_key;
static guint8 finish_marker;

/* A pool thread's lane, the first time it takes something from the
 * queue. An exclusive pool keeps its threads, so there are as many as
 * lanes; a thread beyond them (never seen) would share the last lane. */
static guint
take_lane (Pool  *p,
           guint *worker)
{
  guint workers = lab_runner_get_workers (p->runner);
  guint lane = g_atomic_int_add (&p->next_lane, 1);

  if (lane < workers)
    {
      *worker = p->workers[lane];
      return lane;
    }
  *worker = lab_runner_worker_begin (p->runner, workers - 1);
  return workers - 1;
}

static void
finish_pool_thread (Pool *p)
{
  PoolThread *pt = g_private_get (&pool_thread_key);
  guint expected = lab_runner_get_workers (p->runner);

  if (pt != NULL)
    {
      g_private_set (&pool_thread_key, NULL);
      lab_runner_worker_free (p->runner, pt->state);
      lab_runner_thread_leave (p->runner, &pt->mark);
      lab_runner_worker_gone (p->runner, pt->worker);
      g_free (pt);
    }
  else
    {
      /* Other threads took every job before this one got any. */
      guint worker;

      take_lane (p, &worker);
      lab_runner_worker_ready (p->runner, worker, lab_clock_thread_id ());
      lab_runner_worker_gone (p->runner, worker);
    }

  g_mutex_lock (&p->mutex);
  p->arrived++;
  g_cond_broadcast (&p->cond);
  while (p->arrived < expected)
    g_cond_wait (&p->cond, &p->mutex);
  g_mutex_unlock (&p->mutex);
}

/* A pool thread's first job makes it a worker on a lane of its own. */
static PoolThread *
pool_thread_new (Pool *p)
{
  PoolThread *pt = g_new0 (PoolThread, 1);

  lab_runner_thread_enter (p->runner, &pt->mark);
  pt->lane = take_lane (p, &pt->worker);
  pt->state = lab_runner_worker_init (p->runner);
  pt->tid = lab_clock_thread_id ();
  pt->cpu_mark = -1;
  lab_runner_worker_ready (p->runner, pt->worker, pt->tid);
  g_private_set (&pool_thread_key, pt);
  return pt;
}

/* Time to fill the queue again: it is down to half, or the run was cancelled. */
static gboolean
drained (Pool  *p,
         guint  taken)
{
  return g_atomic_int_get (&p->pushed) - taken <= QUEUED / 2 * lab_runner_get_workers (p->runner) ||
         lab_runner_is_cancelled (p->runner);
}

static void
pool_func (gpointer data,
           gpointer user_data)
{
  Pool *p = user_data;
  PoolThread *pt = g_private_get (&pool_thread_key);
  guint index = GPOINTER_TO_UINT (data) - 1;

  if (data == &finish_marker)
    {
      finish_pool_thread (p);
      return;
    }

  /* The lock only when the run's thread waits for this. */
  if (drained (p, g_atomic_int_add (&p->taken, 1) + 1) && g_atomic_int_get (&p->feeding))
    {
      g_mutex_lock (&p->mutex);
      g_cond_broadcast (&p->cond);
      g_mutex_unlock (&p->mutex);
    }
  if (lab_runner_is_cancelled (p->runner))
    return;
  if (pt == NULL)
    pt = pool_thread_new (p);

  /* Handed over the moment a pool thread takes it from the queue. */
  lab_runner_run_job_here (p->runner, pt->state, index, pt->lane, pt->tid, -1, &pt->cpu_mark);
}

static gpointer
thread_pool_start (LabRunner  *runner,
                   GError    **error)
{
  Pool *p = g_new0 (Pool, 1);
  guint workers = lab_runner_get_workers (runner);

  p->runner = runner;
  g_mutex_init (&p->mutex);
  g_cond_init (&p->cond);
  p->workers = g_new0 (guint, workers);
  for (guint lane = 0; lane < workers; lane++)
    p->workers[lane] = lab_runner_worker_begin (runner, lane);

  /* A pool's threads end with its run. GLib would keep one of them
   * idle for 15 s to reuse it, and asking it to stop afterwards
   * (g_thread_pool_stop_unused_threads()) races with the thread that
   * has not yet become idle. A run would then leave a thread behind,
   * which the per-worker CPU chart would show as a worker. */
  g_thread_pool_set_max_unused_threads (0);

  p->pool = g_thread_pool_new (pool_func, p, workers, TRUE, error);
  if (p->pool == NULL)
    {
      g_free (p->workers);
      g_free (p);
      return NULL;
    }
  /* collect() queues the jobs. */
  return p;
}

static gboolean
thread_pool_collect (gpointer   data,
                     GError   **error)
{
  Pool *p = data;

  guint n_jobs = lab_runner_get_n_jobs (p->runner);
  guint workers = lab_runner_get_workers (p->runner);

  /* Fills the queue, waits for it to drain to half, and again; a job
   * taken once the run is cancelled wakes this thread too. */
  while (p->pushed < n_jobs && !lab_runner_is_cancelled (p->runner))
    {
      guint fill = MIN (n_jobs, g_atomic_int_get (&p->taken) + QUEUED * workers);

      for (guint i = p->pushed; i < fill; i++)
        g_thread_pool_push (p->pool, GUINT_TO_POINTER (i + 1), NULL);
      g_atomic_int_set (&p->pushed, MAX (p->pushed, fill));

      g_mutex_lock (&p->mutex);
      g_atomic_int_set (&p->feeding, TRUE);
      while (p->pushed < n_jobs && !drained (p, g_atomic_int_get (&p->taken)))
        g_cond_wait (&p->cond, &p->mutex);
      g_atomic_int_set (&p->feeding, FALSE);
      g_mutex_unlock (&p->mutex);
    }
  for (guint i = 0; i < workers; i++)
    g_thread_pool_push (p->pool, &finish_marker, NULL);

  /* Waits for the queued jobs (once cancelled they return at once) and
   * every thread's finish task. The lock orders what the threads did
   * before what is freed next (GThreadPool's own waiting is invisible to
   * ThreadSanitizer). */
  g_mutex_lock (&p->mutex);
  while (p->arrived < workers)
    g_cond_wait (&p->cond, &p->mutex);
  g_mutex_unlock (&p->mutex);
  g_thread_pool_free (g_steal_pointer (&p->pool), FALSE, TRUE);
  /* The threads' last look at the barrier came before they returned,
   * which GThreadPool waited for out of ThreadSanitizer's sight: the lock
   * they released says so before the pool is freed. */
  g_mutex_lock (&p->mutex);
  g_mutex_unlock (&p->mutex);
  return TRUE;
}

static void
thread_pool_free (gpointer data)
{
  Pool *p = data;

  g_mutex_clear (&p->mutex);
  g_cond_clear (&p->cond);
  g_free (p->workers);
  g_free (p);
}

const LabStrategyClass _lab_strategy_thread_pool = {
  .start = thread_pool_start,
  .collect = thread_pool_collect,
  .free = thread_pool_free,
};
