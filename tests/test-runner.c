/* test-runner.c — every strategy, cancel at several moments, faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lab-breakdown.h"
#include "lab-error.h"
#include "lab-run.h"
#include "lab-test-util.h"

static const char * const all_strategies[] = {
  "sequential", "threads", "thread-pool",
  "processes", "process-pool", "async",
};

static LabRun *
new_run (const char  *task,
         const char  *strategy,
         guint        workers,
         const char  *params_text)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *params = g_variant_parse (G_VARIANT_TYPE_VARDICT, params_text, NULL, NULL, &error);
  LabRun *run;

  g_assert_no_error (error);
  config = lab_test_config (task, strategy, workers, params);
  run = lab_run_new (config, &error);
  g_assert_no_error (error);
  return run;
}

static guint
count_distinct_workers (LabRun *run)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
    {
      const LabJobRecord *job = lab_run_get_job (run, i);
      if (job->state >= LAB_JOB_OK)
        g_hash_table_add (seen, GINT_TO_POINTER (job->worker));
    }
  return g_hash_table_size (seen);
}

static void
assert_all_ok (LabRun *run)
{
  LabRunSummary sum;

  lab_run_get_summary (run, &sum);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
  g_assert_cmpuint (sum.n_done, ==, sum.n_jobs);
  g_assert_cmpuint (sum.n_failed, ==, 0);
  g_assert_cmpint (sum.wall_ns, >, 0);

  for (guint i = 0; i < sum.n_jobs; i++)
    {
      const LabJobRecord *job = lab_run_get_job (run, i);

      g_assert_cmpint (job->state, ==, LAB_JOB_OK);
      g_assert_null (job->error);
      /* Handed over, started, ended, back: in that order, within the run. */
      g_assert_cmpint (job->dispatch_ns, >=, 0);
      g_assert_cmpint (job->start_ns, >=, job->dispatch_ns);
      g_assert_cmpint (job->end_ns, >=, job->start_ns);
      g_assert_cmpint (job->back_ns, >=, job->end_ns);
      g_assert_cmpint (job->back_ns, <=, sum.wall_ns);
      g_assert_cmpint (job->worker, >, 0);
      g_assert_cmpuint (job->lane, <, sum.workers);
    }
}

/* Threads of a run end just after it says it is done. */
static void
assert_threads_back (guint       before,
                     const char *what)
{
  if (!lab_test_wait_threads (before, LAB_TEST_DEADLINE_S * 1000))
    {
      g_autofree char *names = lab_test_describe_threads ();
      g_error ("%s: %u threads left %u s after the run, %u before: %s",
               what, lab_test_count_threads (), LAB_TEST_DEADLINE_S, before, names);
    }
}

/* Whether each job started after the one before it ended. */
static gboolean
one_after_another (LabRun *run)
{
  for (guint i = 1; i < lab_run_get_n_jobs (run); i++)
    if (lab_run_get_job (run, i)->start_ns < lab_run_get_job (run, i - 1)->end_ns)
      return FALSE;
  return TRUE;
}

static void
test_each_strategy_sleeps (void)
{
  guint threads0 = lab_test_count_threads ();

  for (guint s = 0; s < G_N_ELEMENTS (all_strategies); s++)
    {
      const LabStrategy *strategy = lab_strategy_lookup (all_strategies[s]);
      g_autoptr(LabRun) run = new_run ("sleep", all_strategies[s], 0, "{'seconds': <[0.5]>, 'jobs': <uint32 4>}");
      g_autoptr(GError) error = NULL;

      /* Nothing is set up before the run starts. */
      g_assert_cmpuint (lab_run_get_n_jobs (run), ==, 0);
      g_assert_null (lab_run_get_resolved_params (run));

      g_assert_true (lab_run_execute (run, NULL, &error));
      g_assert_no_error (error);
      assert_all_ok (run);

      if (lab_strategy_is_loop (strategy))
        {
          g_assert_true (one_after_another (run));
          g_assert_cmpuint (count_distinct_workers (run), ==, 1);
        }
      else if (strategy->worker_per_job)
        g_assert_cmpuint (count_distinct_workers (run), ==, 4);
      else if (strategy->event_loop)
        g_assert_cmpuint (count_distinct_workers (run), ==, 1);
      else
        g_assert_cmpuint (count_distinct_workers (run), <=, lab_usable_cores ());

      if (strategy->processes)
        for (guint i = 0; i < 4; i++)
          g_assert_cmpint (lab_run_get_job (run, i)->worker, !=, getpid ());

      assert_threads_back (threads0, all_strategies[s]);
      g_assert_cmpuint (lab_test_count_children (), ==, 0);
    }
}

/* A worker per job, or an event loop: all four jobs of an hour are seen
 * running at once (no machine is slow enough to fake that), each on a
 * lane of its own, with a thread of its own or all on the loop's thread. */
static void
test_side_by_side (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (all_strategies); s++)
    {
      const LabStrategy *strategy = lab_strategy_lookup (all_strategies[s]);
      g_autoptr(LabRun) run = NULL;
      g_autoptr(GHashTable) workers = g_hash_table_new (NULL, NULL);
      g_autoptr(GHashTable) lanes = g_hash_table_new (NULL, NULL);

      if (!strategy->worker_per_job && !strategy->event_loop)
        continue;
      run = new_run ("sleep", all_strategies[s], 0, "{'seconds': <[3600.0]>, 'jobs': <uint32 4>}");
      lab_test_run_and_cancel (run, 4);

      for (guint i = 0; i < 4; i++)
        {
          const LabJobRecord *job = lab_run_get_job (run, i);

          g_assert_cmpint (job->state, ==, LAB_JOB_FAILED);
          g_assert_cmpstr (job->error, ==, "Cancelled");
          g_hash_table_add (workers, GINT_TO_POINTER (job->worker));
          g_hash_table_add (lanes, GUINT_TO_POINTER (job->lane + 1));
        }
      g_assert_cmpuint (g_hash_table_size (lanes), ==, 4);
      /* A fork server's children are known by their results: a job
       * cancelled under it names the server. */
      if (!strategy->processes)
        g_assert_cmpuint (g_hash_table_size (workers), ==, (strategy->event_loop ? 1 : 4));
      lab_test_assert_workers_gone (run);
      g_assert_cmpuint (lab_test_count_children (), ==, 0);
    }
}

static void
test_each_strategy_primes (void)
{
  gint64 reference[6] = { 0 };

  for (guint s = 0; s < G_N_ELEMENTS (all_strategies); s++)
    {
      const LabStrategy *strategy = lab_strategy_lookup (all_strategies[s]);
      g_autoptr(LabRun) run = NULL;

      if (strategy->event_loop)
        continue;
      run = new_run ("primes", all_strategies[s], 2, "{'size': <uint64 3000>, 'jobs': <uint32 6>}");

      g_assert_true (lab_run_execute (run, NULL, NULL));
      assert_all_ok (run);
      g_assert_cmpuint (lab_run_get_workers (run), ==, lab_strategy_is_loop (strategy) ? 1 : 2);
      g_assert_cmpuint (count_distinct_workers (run), <=, lab_run_get_workers (run) * (strategy->worker_per_job ? 3 : 1));

      /* The same job gives the same answer whoever runs it. */
      for (guint i = 0; i < 6; i++)
        {
          const LabJobRecord *job = lab_run_get_job (run, i);
          if (s == 0)
            reference[i] = job->value;
          g_assert_cmpint (job->value, ==, reference[i]);
          g_assert_cmpint (job->value, >, 0);
        }
    }
}

static gint
compare_starts (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The time some job's code ran on a lane, by the job records: the union of
 * their start–end intervals (an event loop runs several at once). */
static double
recorded_work_s (LabRun *run)
{
  gint64 total = 0;

  for (guint lane = 0; lane < lab_run_get_workers (run); lane++)
    {
      g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (gint64) * 2);
      gint64 end = G_MININT64;

      for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
        {
          const LabJobRecord *job = lab_run_get_job (run, i);
          gint64 span[2] = { job->start_ns, job->end_ns };

          if (job->lane == lane)
            g_array_append_val (spans, span);
        }
      g_array_sort (spans, compare_starts);
      for (guint i = 0; i < spans->len; i++)
        {
          gint64 *span = &g_array_index (spans, gint64, 2 * i);

          total += MAX (span[1], end) - MAX (span[0], end);
          end = MAX (end, span[1]);
        }
    }
  return total / 1e9;
}

/* Where the time went adds up to workers × wall for every strategy, on
 * waiting and on computing jobs. */
static void
test_breakdown_sums (void)
{
  static const char * const runs[] = {
    "sleep", "{'seconds': <[0.2, 0.1, 0.0]>, 'jobs': <uint32 9>}",
    "primes", "{'size': <uint64 20000>, 'jobs': <uint32 6>}",
  };
  guint n;
  const LabStrategy * const *strategies = lab_strategy_list (&n);

  for (guint t = 0; t < G_N_ELEMENTS (runs); t += 2)
    for (guint s = 0; s < n; s++)
      {
        g_autoptr(LabRun) run = NULL;
        const LabBreakdown *b;
        double parts;

        if (!lab_strategy_can_run (strategies[s], lab_task_info_lookup (runs[t]), NULL))
          continue;
        run = new_run (runs[t], strategies[s]->name, 2, runs[t + 1]);
        g_assert_true (lab_run_execute (run, NULL, NULL));
        assert_all_ok (run);
        b = lab_run_get_breakdown (run);
        parts = b->start_s + b->work_s + b->transfer_s + b->idle_s + b->stop_s;
        g_test_message ("%s %s: capacity %.4f start %.4f work %.4f transfer %.4f idle %.4f stop %.4f",
                        runs[t], strategies[s]->name, b->capacity_s, b->start_s, b->work_s,
                        b->transfer_s, b->idle_s, b->stop_s);
        g_assert_cmpfloat (b->capacity_s, >, 0);
        g_assert_cmpfloat (fabs (parts - b->capacity_s), <=, 1e-9 * b->capacity_s + 1e-9);
        g_assert_cmpfloat (b->capacity_s, ==, lab_run_get_workers (run) * lab_run_get_elapsed_ns (run) / 1e9);
        /* The work is the jobs' own time, as their records have it. */
        g_assert_cmpfloat (fabs (b->work_s - recorded_work_s (run)), <=, 1e-6);
        g_assert_cmpfloat (b->work_s, >, 0);
        g_assert_cmpfloat (MIN (MIN (b->start_s, b->transfer_s), MIN (b->idle_s, b->stop_s)), >=, 0);
      }
}

/* Long-lived workers say when they began, were ready and were gone. */
static void
test_worker_records (void)
{
  /* A process pool: its two workers, and the fork server they came from. */
  static const struct { const char *strategy; guint records; } cases[] = {
    { "sequential", 1 }, { "thread-pool", 2 }, { "process-pool", 3 }, { "processes", 1 }, { "async", 1 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(LabRun) run = new_run ("sleep", cases[c].strategy, 2, "{'seconds': <[0.01]>, 'jobs': <uint32 6>}");
      LabRunSummary sum;

      g_assert_true (lab_run_execute (run, NULL, NULL));
      assert_all_ok (run);
      lab_run_get_summary (run, &sum);
      g_assert_cmpuint (lab_run_get_n_worker_records (run), ==, cases[c].records);
      for (guint i = 0; i < cases[c].records; i++)
        {
          const LabWorkerRecord *w = lab_run_get_worker_record (run, i);

          g_assert_cmpint (w->begin_ns, >=, 0);
          g_assert_cmpint (w->ready_ns, >=, w->begin_ns);
          g_assert_cmpint (w->gone_ns, >=, w->ready_ns);
          g_assert_cmpint (w->gone_ns, <=, sum.wall_ns);
          g_assert_cmpint (w->id, >, 0);
        }
    }
}

/* A pool with two workers uses exactly two lanes, whatever the job count. */
static void
test_pool_lanes (void)
{
  const char *pools[] = { "thread-pool", "process-pool" };

  for (guint s = 0; s < G_N_ELEMENTS (pools); s++)
    {
      g_autoptr(LabRun) run = new_run ("primes", pools[s], 2, "{'size': <uint64 20000>, 'jobs': <uint32 12>}");
      gboolean lanes[2] = { FALSE, FALSE };

      g_assert_true (lab_run_execute (run, NULL, NULL));
      assert_all_ok (run);
      g_assert_cmpuint (count_distinct_workers (run), ==, 2);
      for (guint i = 0; i < 12; i++)
        lanes[lab_run_get_job (run, i)->lane] = TRUE;
      g_assert_true (lanes[0] && lanes[1]);
    }
}

/* --workers caps how many threads or processes run at once. */
static void
test_workers_cap (void)
{
  const char *capped[] = { "threads", "processes" };

  for (guint s = 0; s < G_N_ELEMENTS (capped); s++)
    {
      g_autoptr(LabRun) run = new_run ("sleep", capped[s], 2, "{'seconds': <[0.1]>, 'jobs': <uint32 6>}");
      guint most = 0;

      g_assert_true (lab_run_execute (run, NULL, NULL));
      assert_all_ok (run);
      /* Six jobs each with a process or thread of its own... */
      g_assert_cmpuint (count_distinct_workers (run), ==, 6);
      /* ...but never more than two at a time: a lane takes its next job
       * only once the last one is back. */
      for (guint i = 0; i < 6; i++)
        {
          const LabJobRecord *a = lab_run_get_job (run, i);
          guint overlapping = 0;

          for (guint k = 0; k < 6; k++)
            {
              const LabJobRecord *b = lab_run_get_job (run, k);

              if (k != i && b->lane == a->lane)
                g_assert_true (b->dispatch_ns >= a->back_ns || a->dispatch_ns >= b->back_ns);
              if (b->start_ns <= a->start_ns && a->start_ns < b->end_ns)
                overlapping++;
            }
          most = MAX (most, overlapping);
        }
      g_assert_cmpuint (most, <=, 2);
    }
}

/* Thousands of tiny jobs through every pipe window size. */
static void
test_many_tiny_jobs (void)
{
  const char *strategies[] = { "thread-pool", "process-pool", "threads" };

  for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
    {
      g_autoptr(LabRun) run = new_run ("sleep", strategies[s], 2, "{'seconds': <[0.0]>, 'jobs': <uint32 5000>}");

      g_assert_true (lab_run_execute (run, NULL, NULL));
      assert_all_ok (run);
    }
}

typedef struct {
  GMainLoop    *loop;
  GCancellable *cancellable;
  guint         progress;
  guint         cancel_after_done;   /* cancel once this many jobs are done; 0: never */
  guint         last_seen;
  gboolean      done;
  GError       *error;
} AsyncData;

static void
progress_cb (LabRun    *run,
             AsyncData *data)
{
  guint seen = 0;

  data->progress++;
  /* The records the signal delivers are the run's own, and only grow. */
  for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
    seen += lab_run_get_job (run, i)->state >= LAB_JOB_OK;
  g_assert_cmpuint (seen, >=, data->last_seen);
  data->last_seen = seen;
  if (data->cancel_after_done > 0 && seen >= data->cancel_after_done)
    g_cancellable_cancel (data->cancellable);
}

static gboolean
run_hangs_cb (gpointer data)
{
  g_error ("The run did not end within %u s", LAB_TEST_DEADLINE_S);
  return G_SOURCE_REMOVE;
}

static void
finished_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncData *data = user_data;

  lab_run_start_finish (LAB_RUN (object), result, &data->error);
  data->done = TRUE;
  g_main_loop_quit (data->loop);
}

/* Runs asynchronously on this thread's main loop; cancels at once when
 * @cancel_now, or once @data's cancel_after_done jobs are done. */
static void
run_async (LabRun    *run,
           gboolean   cancel_now,
           AsyncData *data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint guard;

  data->loop = g_main_loop_new (NULL, FALSE);
  data->cancellable = cancellable;
  g_signal_connect (run, "progress", G_CALLBACK (progress_cb), data);
  if (cancel_now)
    g_cancellable_cancel (cancellable);
  lab_run_start_async (run, cancellable, finished_cb, data);
  /* The caller's loop is never blocked by the run. */
  g_assert_false (data->done);
  guard = g_timeout_add_seconds (LAB_TEST_DEADLINE_S, run_hangs_cb, NULL);
  g_main_loop_run (data->loop);
  g_source_remove (guard);
  g_main_loop_unref (data->loop);
  data->cancellable = NULL;
}

static void
test_async_progress (void)
{
  g_autoptr(LabRun) run = new_run ("sleep", "thread-pool", 2, "{'seconds': <[0.05]>, 'jobs': <uint32 8>}");
  AsyncData data = { 0 };

  run_async (run, FALSE, &data);
  g_assert_no_error (data.error);
  g_assert_true (data.done);
  /* The last signal has every job done (progress_cb checks that the
   * records only grew on the way). */
  g_assert_cmpuint (data.progress, >=, 1);
  g_assert_cmpuint (data.last_seen, ==, 8);
  assert_all_ok (run);
}

/* The ids of this process's threads. */
static GHashTable *
thread_ids (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  GHashTable *ids = g_hash_table_new (NULL, NULL);
  const char *tid;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    g_hash_table_add (ids, GINT_TO_POINTER (atoi (tid)));
  return ids;
}

/* Starts @run, and waits without turning the main loop for the thread it
 * starts to end: the run is over and has posted everything then. That
 * thread is the new one when lab_run_start_async() returns (its name
 * comes later, from the thread itself; and a thread count would take one
 * still on its way out from an earlier test for it). */
static void
start_and_wait_unseen (LabRun    *run,
                       AsyncData *data)
{
  g_autoptr(GHashTable) before = thread_ids ();
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GArray) started = g_array_new (FALSE, FALSE, sizeof (GPid));
  GHashTableIter iter;
  gpointer tid;

  lab_run_start_async (run, data->cancellable, finished_cb, data);
  after = thread_ids ();
  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &tid, NULL))
    if (!g_hash_table_contains (before, tid))
      g_array_append_val (started, (GPid) { GPOINTER_TO_INT (tid) });
  g_assert_cmpuint (started->len, >=, 1);
  if (!lab_test_wait_pids_gone (started, LAB_TEST_DEADLINE_S * 1000))
    g_error ("The run's thread was still there after %u s", LAB_TEST_DEADLINE_S);
}

/* Coalesced: the run posts a start and an end for each of its 8 jobs (and
 * its set-up, workers and end), but while its owner's main loop is busy,
 * they wait, and come as one signal, and the last one at the end: never
 * a signal per event. (The jobs' sleeps make the run outlast the first
 * tick of the progress timer, so that the timer delivers them.) */
static void
test_progress_coalesced (void)
{
  g_autoptr(LabRun) run = new_run ("sleep", "thread-pool", 2, "{'seconds': <[0.05]>, 'jobs': <uint32 8>}");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncData data = { .cancellable = cancellable };
  guint guard;

  data.loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (run, "progress", G_CALLBACK (progress_cb), &data);
  start_and_wait_unseen (run, &data);
  g_assert_cmpuint (data.progress, ==, 0);

  guard = g_timeout_add_seconds (LAB_TEST_DEADLINE_S, run_hangs_cb, NULL);
  g_main_loop_run (data.loop);
  g_source_remove (guard);
  g_main_loop_unref (data.loop);

  g_assert_no_error (data.error);
  g_assert_cmpuint (data.last_seen, ==, 8);
  g_assert_cmpuint (data.progress, >=, 1);
  g_assert_cmpuint (data.progress, <=, 2);
  assert_all_ok (run);
}

/* Cancel at several moments: before anything starts, while the first
 * jobs run, and after some jobs finished. */
static void
check_cancel (const char *strategy,
              const char *seconds,
              guint       cancel_after_done,
              gboolean    at_once)
{
  g_autofree char *text = g_strdup_printf ("{'seconds': <[%s]>}", seconds);
  gboolean pool = g_str_has_suffix (strategy, "-pool");
  g_autoptr(LabRun) run = new_run ("sleep", strategy, pool ? 2 : 0, text);
  guint threads0 = lab_test_count_threads ();
  AsyncData data = { .cancel_after_done = cancel_after_done };

  if (cancel_after_done == 0 && !at_once)
    lab_test_run_and_cancel (run, 1);
  else
    {
      run_async (run, at_once, &data);
      g_assert_error (data.error, LAB_ERROR, LAB_ERROR_CANCELLED);
      g_clear_error (&data.error);
    }

  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_CANCELLED);
  /* The jobs of an hour were stopped, not waited for: only the quick
   * ones succeeded, and the run could only end because the others
   * stopped (each wait above fails after a while, with a message). */
  g_assert_cmpuint (lab_run_get_n_done (run) - lab_run_get_n_failed (run), ==, cancel_after_done);
  for (guint i = 0; lab_run_has_jobs (run) && i < lab_run_get_n_jobs (run); i++)
    {
      const LabJobRecord *job = lab_run_get_job (run, i);

      if (i < cancel_after_done)
        {
          g_assert_cmpint (job->state, ==, LAB_JOB_OK);
          g_assert_null (job->error);
        }
      else if (job->state == LAB_JOB_FAILED)
        g_assert_cmpstr (job->error, ==, "Cancelled");
      else
        g_assert_cmpint (job->state, ==, LAB_JOB_PENDING);
    }

  assert_threads_back (threads0, strategy);
  lab_test_assert_workers_gone (run);
  g_assert_cmpuint (lab_test_count_children (), ==, 0);
}

static void
test_cancel (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (all_strategies); s++)
    {
      const char *strategy = all_strategies[s];

      /* Before it is even set up. */
      check_cancel (strategy, "3600.0, 3600.0, 3600.0", 0, TRUE);
      /* As soon as a job is seen running. */
      check_cancel (strategy, "3600.0, 3600.0, 3600.0", 0, FALSE);
      /* Two quick jobs first: their results are kept. */
      check_cancel (strategy, "0.0, 0.0, 3600.0, 3600.0", 2, FALSE);
    }
}

/* Cancelled while the process pool's pipes are full of tiny jobs. */
static void
test_cancel_busy_pool (void)
{
  g_autoptr(LabRun) run = new_run ("primes", "process-pool", 2, "{'size': <uint64 200>, 'jobs': <uint32 1000000>}");
  AsyncData data = { .cancel_after_done = 1 };

  run_async (run, FALSE, &data);
  g_assert_error (data.error, LAB_ERROR, LAB_ERROR_CANCELLED);
  g_clear_error (&data.error);
  g_assert_cmpuint (lab_run_get_n_done (run), >, 0);
  g_assert_cmpuint (lab_run_get_n_done (run), <, 1000000);
  g_assert_cmpuint (lab_test_count_children (), ==, 0);
}

typedef struct {
  AsyncData *data;
  guint      n_ready;
} ReadyWatch;

/* Cancels the run once its 64 workers (not their fork server, of every
 * lane) have said READY. */
static void
cancel_once_ready_cb (LabRun     *run,
                      ReadyWatch *watch)
{
  watch->n_ready = 0;
  for (guint i = 0; i < lab_run_get_n_worker_records (run); i++)
    {
      const LabWorkerRecord *w = lab_run_get_worker_record (run, i);

      watch->n_ready += w->lane != LAB_LANE_ALL && w->ready_ns >= 0;
    }
  if (watch->n_ready == 64)
    g_cancellable_cancel (watch->data->cancellable);
}

/* A process pool starts working while its fork server forks the rest of
 * its workers: jobs of an hour, cancelled once all 64 workers are up.
 * The pool used to start all its workers before it handed out a job (64
 * spawns, a third of a second here, 256 several seconds); now it asks the
 * server for a few workers at a time, and hands each its jobs before it
 * asks for more. So whatever the machine's speed, the first job was
 * handed out (and, as far as the app can tell, started) before the last
 * worker began, and so before it was up. */
static void
test_pool_starts_early (void)
{
  g_autoptr(LabRun) run = new_run ("sleep", "process-pool", 64, "{'seconds': <[3600.0]>, 'jobs': <uint32 64>}");
  gint64 first_dispatch = G_MAXINT64, first_start = G_MAXINT64, last_begin = -1, last_ready = -1;
  AsyncData data = { 0 };
  ReadyWatch watch = { &data, 0 };
  gulong handler = g_signal_connect (run, "progress", G_CALLBACK (cancel_once_ready_cb), &watch);
  guint n_workers = 0;

  run_async (run, FALSE, &data);
  g_signal_handler_disconnect (run, handler);
  g_assert_error (data.error, LAB_ERROR, LAB_ERROR_CANCELLED);
  g_clear_error (&data.error);

  for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
    {
      const LabJobRecord *job = lab_run_get_job (run, i);

      g_assert_cmpint (job->dispatch_ns, >=, 0);
      first_dispatch = MIN (first_dispatch, job->dispatch_ns);
      first_start = MIN (first_start, job->start_ns);
    }
  for (guint i = 0; i < lab_run_get_n_worker_records (run); i++)
    {
      const LabWorkerRecord *w = lab_run_get_worker_record (run, i);

      if (w->lane == LAB_LANE_ALL)
        continue;
      n_workers++;
      g_assert_cmpint (w->ready_ns, >=, w->begin_ns);
      last_begin = MAX (last_begin, w->begin_ns);
      last_ready = MAX (last_ready, w->ready_ns);
    }

  g_assert_cmpuint (n_workers, ==, 64);
  g_assert_cmpint (first_dispatch, <, last_begin);
  g_assert_cmpint (first_start, <, last_ready);
  lab_test_assert_workers_gone (run);
  g_assert_cmpuint (lab_test_count_children (), ==, 0);
}

typedef struct {
  gint64 victim;   /* the worker killed while it ran job 0 */
} Crash;

static void
kill_job0_worker_cb (LabRun *run,
                     Crash  *crash)
{
  const LabJobRecord *job = lab_run_get_job (run, 0);

  if (crash->victim == 0 && job->state == LAB_JOB_RUNNING && job->worker > 0)
    {
      /* Not SIGSEGV: AddressSanitizer would catch it and exit 1. */
      crash->victim = job->worker;
      g_assert_cmpint (kill ((pid_t) job->worker, SIGKILL), ==, 0);
    }
}

/* A pool's worker that crashes fails the job it was running, with why;
 * the job queued behind it goes to a worker forked in its place, and the
 * other worker's jobs go on. */
static void
test_pool_worker_crash (void)
{
  /* Two jobs per worker at first: job 0 runs for an hour, job 1 waits
   * behind it on the same worker. */
  g_autoptr(LabRun) run = new_run ("sleep", "process-pool", 2, "{'seconds': <[3600.0, 0.1, 0.1, 0.1]>}");
  Crash crash = { 0 };
  AsyncData data = { 0 };
  gulong handler = g_signal_connect (run, "progress", G_CALLBACK (kill_job0_worker_cb), &crash);

  run_async (run, FALSE, &data);
  g_signal_handler_disconnect (run, handler);
  g_assert_no_error (data.error);
  g_assert_cmpint (crash.victim, >, 0);
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 1);
  g_assert_cmpint (lab_run_get_job (run, 0)->state, ==, LAB_JOB_FAILED);
  g_assert_nonnull (strstr (lab_run_get_job (run, 0)->error, "crashed"));
  for (guint i = 1; i < 4; i++)
    {
      g_assert_cmpint (lab_run_get_job (run, i)->state, ==, LAB_JOB_OK);
      g_assert_cmpint (lab_run_get_job (run, i)->worker, !=, crash.victim);
    }
  /* The two, and the one forked in the crashed one's place. */
  g_assert_cmpuint (count_distinct_workers (run), ==, 3);
  g_assert_cmpuint (lab_test_count_children (), ==, 0);
}

typedef struct {
  GCancellable *cancellable;
  const char   *strategy;
  guint         expected;   /* processes that must be up */
  gboolean      fork_server;
  gboolean      checked;
  char         *last;       /* what was wrong the last time */
} SignalCheck;

static gboolean
is_child (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *close_paren;
  int ppid = 0;
  char state;

  return g_file_get_contents (path, &stat, NULL, NULL) && (close_paren = strrchr (stat, ')')) != NULL &&
         sscanf (close_paren + 1, " %c %d", &state, &ppid) == 2 && ppid == getpid ();
}

static gboolean
check_worker_signals_cb (gpointer data)
{
  SignalCheck *check = data;
  g_autoptr(GArray) workers = lab_test_find_descendants (getpid ());
  guint64 wrong = (G_GUINT64_CONSTANT (1) << (SIGPIPE - 1)) | (G_GUINT64_CONSTANT (1) << (SIGTERM - 1)) |
                  (G_GUINT64_CONSTANT (1) << (SIGINT - 1));

  if (workers->len < check->expected)
    return G_SOURCE_CONTINUE;

  /* A process caught between fork and exec, or a fork server's child
   * before it unblocks its signals, is looked at again: only a worker
   * that never gets right fails, at the deadline. */
  for (guint i = 0; i < workers->len; i++)
    {
      GPid pid = g_array_index (workers, GPid, i);
      guint64 ignored = lab_test_signal_set (pid, "SigIgn");
      guint64 blocked = lab_test_signal_set (pid, "SigBlk");

      /* The fork server itself takes SIGTERM through a signalfd. */
      if (check->fork_server && is_child (pid))
        blocked &= ~(G_GUINT64_CONSTANT (1) << (SIGTERM - 1));
      if ((ignored | blocked) & wrong)
        {
          g_free (check->last);
          check->last = g_strdup_printf ("%s worker %d: SigIgn %" G_GINT64_MODIFIER "x SigBlk %"
                                         G_GINT64_MODIFIER "x", check->strategy, (int) pid, ignored, blocked);
          return G_SOURCE_CONTINUE;
        }
    }
  check->checked = TRUE;
  g_cancellable_cancel (check->cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
workers_not_up_cb (gpointer data)
{
  SignalCheck *check = data;

  g_error ("Within %u s: %s", LAB_TEST_DEADLINE_S, check->last ? check->last : "the workers did not start");
  return G_SOURCE_REMOVE;
}

/* The app ignores SIGPIPE and a thread may block signals; a worker starts
 * with neither, so that SIGTERM (cancel) and a broken pipe act on it. */
static void
test_worker_signals (void)
{
  /* The fork server and two children: two jobs', or two workers. */
  static const struct { const char *strategy; guint processes; } cases[] = {
    { "process-pool", 3 },
    { "processes", 3 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(LabRun) run = new_run ("sleep", cases[c].strategy, 2, "{'seconds': <[30.0]>, 'jobs': <uint32 4>}");
      g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      AsyncData data = { .loop = loop, .cancellable = cancellable };
      SignalCheck check = { cancellable, cases[c].strategy, cases[c].processes, cases[c].processes > 2 };
      sigset_t blocked, old;
      guint poller, deadline;

      /* The run's thread starts with this thread's mask. */
      sigemptyset (&blocked);
      sigaddset (&blocked, SIGTERM);
      sigaddset (&blocked, SIGINT);
      sigaddset (&blocked, SIGPIPE);
      pthread_sigmask (SIG_BLOCK, &blocked, &old);
      lab_run_start_async (run, cancellable, finished_cb, &data);
      pthread_sigmask (SIG_SETMASK, &old, NULL);

      poller = g_timeout_add (10, check_worker_signals_cb, &check);
      deadline = g_timeout_add_seconds (LAB_TEST_DEADLINE_S, workers_not_up_cb, &check);
      g_main_loop_run (loop);
      g_source_remove (deadline);
      if (!check.checked)
        g_source_remove (poller);

      g_assert_true (check.checked);
      g_free (check.last);
      g_assert_error (data.error, LAB_ERROR, LAB_ERROR_CANCELLED);
      g_clear_error (&data.error);
      g_assert_cmpuint (lab_test_count_children (), ==, 0);
    }
}

/* Parameters over a frame long (1.2 MB of --seconds) reach every worker:
 * they used to fail every job with "Expected a HELLO frame". */
static void
test_large_params (void)
{
  const char *strategies[] = { "process-pool", "processes" };
  g_autofree double *zeros = g_new0 (double, 150000);

  for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
    {
      GVariantDict dict;
      g_autoptr(LabRunConfig) config = NULL;
      g_autoptr(LabRun) run = NULL;
      g_autoptr(GError) error = NULL;

      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert_value (&dict, "seconds",
                                   g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, zeros, 150000, sizeof (double)));
      g_variant_dict_insert (&dict, "jobs", "u", 4);
      config = lab_test_config ("sleep", strategies[s], 2, g_variant_dict_end (&dict));
      run = lab_run_new (config, &error);
      g_assert_no_error (error);
      g_assert_true (lab_run_execute (run, NULL, &error));
      g_assert_no_error (error);
      assert_all_ok (run);
    }
}

static void
test_bad_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabRunConfig) async_cpu = lab_test_config ("primes", "async", 0, NULL);
  g_autoptr(LabRunConfig) too_many = lab_test_config ("sleep", "threads", LAB_MAX_WORKERS + 1, NULL);

  g_assert_null (lab_run_new (async_cpu, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_null (lab_run_new (too_many, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "256"));
  g_clear_error (&error);
  g_assert_null (lab_run_config_new_by_name ("nap", "threads", 0, NULL, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lab_run_config_new_by_name ("sleep", "fibers", 0, NULL, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
}

/* A bad parameter that only the task's set-up finds fails the run, with
 * the task's message, and nothing runs. */
static void
test_setup_fails (void)
{
  g_autoptr(LabRun) run = new_run ("sleep", "threads", 0, "{'seconds': <[-1.0]>}");
  g_autoptr(GError) error = NULL;

  g_assert_false (lab_run_execute (run, NULL, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FAILED);
  g_assert_cmpstr (lab_run_get_error (run), ==, error->message);
  g_assert_cmpuint (lab_run_get_n_jobs (run), ==, 0);
}

static void
test_measures_cpu (void)
{
  g_autoptr(LabRun) run = new_run ("primes", "process-pool", 2, "{'size': <uint64 40000>, 'jobs': <uint32 4>}");
  LabRunSummary sum;
  gint64 job_cpu = 0;

  g_assert_true (lab_run_execute (run, NULL, NULL));
  lab_run_get_summary (run, &sum);
  for (guint i = 0; i < 4; i++)
    job_cpu += lab_run_get_job (run, i)->cpu_ns;

  /* The children's CPU time is part of the run's. */
  g_assert_cmpint (job_cpu, >, 0);
  g_assert_cmpint (sum.user_ns + sum.sys_ns, >=, job_cpu * 8 / 10);
  g_assert_cmpint (sum.peak_rss_kb, >, 0);
  g_assert_cmpint (sum.peak_rss_children_kb, >, 0);
}

static gpointer
burn_thread (gpointer data)
{
  volatile guint64 x = 0;

  /* Another thread of the app keeps a core busy, like a window drawing. */
  while (!g_atomic_int_get ((gint *) data))
    x++;
  return NULL;
}

/* The run's CPU is the CPU of its own threads and processes, not of the
 * rest of the app; each in-process strategy counts its threads' time. */
static void
test_cpu_excludes_caller (void)
{
  const char *strategies[] = { "sequential", "threads", "thread-pool" };

  for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
    {
      g_autoptr(LabRun) sleeping = new_run ("sleep", strategies[s], 2, "{'seconds': <[0.3]>, 'jobs': <uint32 2>}");
      g_autoptr(LabRun) computing = new_run ("primes", strategies[s], 2, "{'size': <uint64 30000>, 'jobs': <uint32 4>}");
      AsyncData data = { 0 };
      LabRunSummary sum;
      gint64 jobs_cpu = 0;
      gint stop = FALSE;
      GThread *burner = g_thread_new ("burner", burn_thread, &stop);

      run_async (sleeping, FALSE, &data);
      lab_run_get_summary (sleeping, &sum);
      g_assert_cmpint (sum.user_ns + sum.sys_ns, <, 100 * 1000 * 1000);

      memset (&data, 0, sizeof data);
      run_async (computing, FALSE, &data);
      g_atomic_int_set (&stop, TRUE);
      g_thread_join (burner);
      lab_run_get_summary (computing, &sum);
      for (guint i = 0; i < 4; i++)
        jobs_cpu += lab_run_get_job (computing, i)->cpu_ns;
      /* All of the jobs' CPU is there (rusage ticks are coarse)... */
      g_assert_cmpint (sum.user_ns + sum.sys_ns, >=, jobs_cpu * 8 / 10);
      /* ...and not the main loop's burning. */
      g_assert_cmpint (sum.user_ns + sum.sys_ns, <, jobs_cpu * 13 / 10 + 50 * 1000 * 1000);
    }
}

int
main (int    argc,
      char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/runner/each-strategy/sleep", test_each_strategy_sleeps);
  g_test_add_func ("/runner/each-strategy/primes", test_each_strategy_primes);
  g_test_add_func ("/runner/side-by-side", test_side_by_side);
  g_test_add_func ("/runner/pool-lanes", test_pool_lanes);
  g_test_add_func ("/runner/pool-starts-early", test_pool_starts_early);
  g_test_add_func ("/runner/pool-worker-crash", test_pool_worker_crash);
  g_test_add_func ("/runner/many-tiny-jobs", test_many_tiny_jobs);
  g_test_add_func ("/runner/workers-cap", test_workers_cap);
  g_test_add_func ("/runner/async-progress", test_async_progress);
  g_test_add_func ("/runner/progress-coalesced", test_progress_coalesced);
  g_test_add_func ("/runner/cancel", test_cancel);
  g_test_add_func ("/runner/cancel-busy-pool", test_cancel_busy_pool);
  g_test_add_func ("/runner/worker-signals", test_worker_signals);
  g_test_add_func ("/runner/large-params", test_large_params);
  g_test_add_func ("/runner/bad-config", test_bad_config);
  g_test_add_func ("/runner/setup-fails", test_setup_fails);
  g_test_add_func ("/runner/breakdown-sums", test_breakdown_sums);
  g_test_add_func ("/runner/worker-records", test_worker_records);
  g_test_add_func ("/runner/measures-cpu", test_measures_cpu);
  g_test_add_func ("/runner/cpu-excludes-caller", test_cpu_excludes_caller);

  return g_test_run ();
}
