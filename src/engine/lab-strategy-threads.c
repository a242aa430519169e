/* lab-strategy-threads.c — one thread per job, like threading.Thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * At most `workers` threads are alive at once; each lives on a lane (a
 * slot) until it is joined, and the next thread takes the free slot. A
 * finished thread queues itself so that the dispatcher joins it at once:
 * thousands of unjoined threads would each keep their stack.
 */
#define G_LOG_DOMAIN "lab-strategy-threads"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-clock.h"
#include "lab-runner.h"
#include "lab-strategy-private.h"

typedef struct {
  LabRunner    *runner;
  GAsyncQueue  *finished;
  guint         index;
  guint         lane;
  gint64        dispatch_ns;
  GThread      *thread;
  LabJobRecord  record;
} OneThread;

static gpointer
one_thread_main (gpointer data)
{
  OneThread *one = data;
  LabThreadMark mark;
  gpointer state;

  lab_runner_thread_enter (one->runner, &mark);
  state = lab_runner_worker_init (one->runner);
  lab_runner_run_job (one->runner, state, one->index, one->lane, lab_clock_thread_id (),
                      one->dispatch_ns, NULL, &one->record);
  lab_runner_worker_free (one->runner, state);
  lab_runner_thread_leave (one->runner, &mark);
  g_async_queue_push (one->finished, one);

  return NULL;
}

/* The job's result is back once its thread is joined. */
static guint
join_one (LabRunner *runner,
          OneThread *one)
{
  guint lane = one->lane;

  g_thread_join (one->thread);
  one->record.back_ns = lab_runner_now (runner);
  lab_runner_job_done (runner, one->index, &one->record);
  g_free (one);
  return lane;
}

static gpointer
threads_start (LabRunner  *runner,
               GError    **error)
{
  return runner;
}

static gboolean
threads_collect (gpointer   data,
                 GError   **error)
{
  LabRunner *runner = data;
  g_autoptr(GAsyncQueue) finished = g_async_queue_new ();
  g_autoptr(GArray) free_lanes = g_array_new (FALSE, FALSE, sizeof (guint));
  guint n_jobs = lab_runner_get_n_jobs (runner);
  guint running = 0;

  for (guint lane = lab_runner_get_workers (runner); lane > 0; lane--)
    g_array_append_val (free_lanes, (guint) { lane - 1 });

  for (guint i = 0; i < n_jobs && !lab_runner_is_cancelled (runner); i++)
    {
      g_autoptr(GError) local_error = NULL;
      OneThread *one;
      guint lane;

      while (free_lanes->len == 0)
        {
          lane = join_one (runner, g_async_queue_pop (finished));
          g_array_append_val (free_lanes, lane);
          running--;
        }
      if (lab_runner_is_cancelled (runner))
        break;

      one = g_new0 (OneThread, 1);
      one->runner = runner;
      one->finished = finished;
      one->index = i;
      one->lane = g_array_index (free_lanes, guint, free_lanes->len - 1);
      g_array_set_size (free_lanes, free_lanes->len - 1);
      one->dispatch_ns = lab_runner_now (runner);
      one->thread = g_thread_try_new ("lab-thread", one_thread_main, one, &local_error);
      if (one->thread == NULL)
        {
          /* Out of threads: this job fails, the others go on. */
          g_autofree char *message = g_strdup_printf (_("Could not start a thread: %s"), local_error->message);

          g_array_append_val (free_lanes, one->lane);
          lab_runner_job_lost (runner, i, NULL, message);
          g_free (one);
          continue;
        }
      running++;
    }

  for (; running > 0; running--)
    join_one (runner, g_async_queue_pop (finished));

  return TRUE;
}

static void
threads_free (gpointer data)
{
}

const LabStrategyClass _lab_strategy_threads = {
  .start = threads_start,
  .collect = threads_collect,
  .free = threads_free,
};
