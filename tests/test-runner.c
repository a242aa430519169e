/* test-runner.c — every strategy, cancel at several moments, faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>

#include "lab-error.h"
#include "lab-run.h"
#include "lab-test-util.h"

static const LabStrategy all_strategies[] = {
  LAB_STRATEGY_SEQUENTIAL, LAB_STRATEGY_THREADS, LAB_STRATEGY_THREAD_POOL,
  LAB_STRATEGY_PROCESSES, LAB_STRATEGY_PROCESS_POOL,
};

static LabRun *
new_run (const char  *task,
         LabStrategy  strategy,
         guint        workers,
         const char  *params_text)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *params = g_variant_parse (G_VARIANT_TYPE_VARDICT, params_text, NULL, NULL, &error);
  LabRun *run;

  g_assert_no_error (error);
  config = lab_run_config_new (task, strategy, workers, params);
  run = lab_run_new (config, &error);
  g_assert_no_error (error);
  return run;
}

static guint
count_distinct_workers (LabRun *run)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
    {
      const LabJobResult *job = lab_run_get_job (run, i);
      if (job->state >= LAB_JOB_OK)
        g_hash_table_add (seen, (gpointer) &job->worker);
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
      const LabJobResult *job = lab_run_get_job (run, i);

      g_assert_cmpint (job->state, ==, LAB_JOB_OK);
      g_assert_null (job->error);
      g_assert_cmpuint (job->index, ==, i);
      g_assert_cmpint (job->start_ns, >=, 0);
      g_assert_cmpint (job->end_ns, >=, job->start_ns);
      g_assert_cmpint (job->end_ns, <=, sum.wall_ns);
      g_assert_cmpint (job->worker, >, 0);
    }
}

static void
test_each_strategy_sleeps (void)
{
  guint threads0 = lab_test_count_threads ();

  for (guint s = 0; s < G_N_ELEMENTS (all_strategies); s++)
    {
      g_autoptr(LabRun) run = new_run ("sleep", all_strategies[s], 0, "{'seconds': <[0.2]>, 'jobs': <uint32 4>}");
      g_autoptr(GError) error = NULL;
      LabRunSummary sum;

      g_assert_true (lab_run_execute (run, NULL, &error));
      g_assert_no_error (error);
      assert_all_ok (run);
      lab_run_get_summary (run, &sum);

      switch (all_strategies[s])
        {
        case LAB_STRATEGY_SEQUENTIAL:
          g_assert_cmpint (sum.wall_ns, >=, G_GINT64_CONSTANT (800000000));
          g_assert_cmpuint (count_distinct_workers (run), ==, 1);
          break;
        case LAB_STRATEGY_THREADS:
        case LAB_STRATEGY_PROCESSES:
          /* All four start at once, like the seed: about 0.2 s in all. */
          g_assert_cmpint (sum.wall_ns, <, 700 * 1000 * 1000);
          g_assert_cmpuint (count_distinct_workers (run), ==, 4);
          break;
        default:
          g_assert_cmpuint (count_distinct_workers (run), <=, g_get_num_processors ());
          break;
        }

      if (lab_strategy_uses_processes (all_strategies[s]))
        for (guint i = 0; i < 4; i++)
          g_assert_cmpint (lab_run_get_job (run, i)->worker, !=, getpid ());

      g_assert_true (lab_test_wait_threads (threads0, 2000));
      g_assert_cmpuint (lab_test_count_children (), ==, 0);
    }
}

static void
test_each_strategy_primes (void)
{
  gint64 reference[6] = { 0 };

  for (guint s = 0; s < G_N_ELEMENTS (all_strategies); s++)
    {
      g_autoptr(LabRun) run = new_run ("primes", all_strategies[s], 2, "{'size': <uint64 3000>, 'jobs': <uint32 6>}");

      g_assert_true (lab_run_execute (run, NULL, NULL));
      assert_all_ok (run);
      g_assert_cmpuint (lab_run_get_workers (run), ==, all_strategies[s] == LAB_STRATEGY_SEQUENTIAL ? 1 : 2);
      g_assert_cmpuint (count_distinct_workers (run), <=, lab_run_get_workers (run) * (all_strategies[s] == LAB_STRATEGY_THREADS || all_strategies[s] == LAB_STRATEGY_PROCESSES ? 3 : 1));

      /* The same job gives the same answer whoever runs it. */
      for (guint i = 0; i < 6; i++)
        {
          const LabJobResult *job = lab_run_get_job (run, i);
          if (s == 0)
            reference[i] = job->value;
          g_assert_cmpint (job->value, ==, reference[i]);
          g_assert_cmpint (job->value, >, 0);
        }
    }
}

/* A pool with two workers uses exactly two lanes, whatever the job count. */
static void
test_pool_lanes (void)
{
  LabStrategy pools[] = { LAB_STRATEGY_THREAD_POOL, LAB_STRATEGY_PROCESS_POOL };

  for (guint s = 0; s < G_N_ELEMENTS (pools); s++)
    {
      g_autoptr(LabRun) run = new_run ("primes", pools[s], 2, "{'size': <uint64 20000>, 'jobs': <uint32 12>}");

      g_assert_true (lab_run_execute (run, NULL, NULL));
      assert_all_ok (run);
      g_assert_cmpuint (count_distinct_workers (run), ==, 2);
    }
}

/* --workers caps how many threads or processes run at once. */
static void
test_workers_cap (void)
{
  LabStrategy capped[] = { LAB_STRATEGY_THREADS, LAB_STRATEGY_PROCESSES };

  for (guint s = 0; s < G_N_ELEMENTS (capped); s++)
    {
      g_autoptr(LabRun) run = new_run ("sleep", capped[s], 2, "{'seconds': <[0.1]>, 'jobs': <uint32 6>}");
      guint most = 0;

      g_assert_true (lab_run_execute (run, NULL, NULL));
      assert_all_ok (run);
      /* Six jobs each with a process or thread of its own... */
      g_assert_cmpuint (count_distinct_workers (run), ==, 6);
      /* ...but never more than two at a time. */
      for (guint i = 0; i < 6; i++)
        {
          const LabJobResult *a = lab_run_get_job (run, i);
          guint overlapping = 0;

          for (guint k = 0; k < 6; k++)
            {
              const LabJobResult *b = lab_run_get_job (run, k);
              if (b->start_ns <= a->start_ns && a->start_ns < b->end_ns)
                overlapping++;
            }
          most = MAX (most, overlapping);
        }
      g_assert_cmpuint (most, ==, 2);
    }
}

/* Thousands of tiny jobs through every pipe window size. */
static void
test_many_tiny_jobs (void)
{
  LabStrategy strategies[] = { LAB_STRATEGY_THREAD_POOL, LAB_STRATEGY_PROCESS_POOL, LAB_STRATEGY_THREADS };

  for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
    {
      g_autoptr(LabRun) run = new_run ("sleep", strategies[s], 2, "{'seconds': <[0.0]>, 'jobs': <uint32 5000>}");

      g_assert_true (lab_run_execute (run, NULL, NULL));
      assert_all_ok (run);
    }
}

typedef struct {
  GMainLoop *loop;
  guint      progress;
  gboolean   done;
  GError    *error;
} AsyncData;

static void
progress_cb (LabRun    *run,
             AsyncData *data)
{
  data->progress++;
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

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* Runs asynchronously on this thread's main loop, cancelling after
 * @cancel_ms (or never when negative). */
static void
run_async (LabRun    *run,
           int        cancel_ms,
           AsyncData *data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  data->loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (run, "progress", G_CALLBACK (progress_cb), data);
  if (cancel_ms == 0)
    g_cancellable_cancel (cancellable);
  else if (cancel_ms > 0)
    g_timeout_add_full (G_PRIORITY_HIGH, cancel_ms, cancel_cb, g_object_ref (cancellable), g_object_unref);
  lab_run_start_async (run, cancellable, finished_cb, data);
  /* The caller's loop is never blocked by the run. */
  g_assert_false (data->done);
  g_main_loop_run (data->loop);
  g_main_loop_unref (data->loop);
}

static void
test_async_progress (void)
{
  g_autoptr(LabRun) run = new_run ("sleep", LAB_STRATEGY_THREAD_POOL, 2, "{'seconds': <[0.05]>, 'jobs': <uint32 8>}");
  AsyncData data = { 0 };

  run_async (run, -1, &data);
  g_assert_no_error (data.error);
  g_assert_true (data.done);
  g_assert_cmpuint (data.progress, >=, 2);
  /* Coalesced: never more signals than ~30 a second plus the last one. */
  g_assert_cmpuint (data.progress, <=, 20);
  assert_all_ok (run);
}

/* Cancel at several moments: before anything starts, while the first
 * jobs run, and after some jobs finished. */
static void
check_cancel (LabStrategy strategy,
              const char *seconds,
              int         cancel_ms,
              guint       min_done)
{
  g_autofree char *text = g_strdup_printf ("{'seconds': <[%s]>}", seconds);
  g_autoptr(LabRun) run = new_run ("sleep", strategy, strategy == LAB_STRATEGY_PROCESS_POOL || strategy == LAB_STRATEGY_THREAD_POOL ? 2 : 0, text);
  guint threads0 = lab_test_count_threads ();
  AsyncData data = { 0 };
  gint64 t0 = g_get_monotonic_time ();

  run_async (run, cancel_ms, &data);

  g_assert_error (data.error, LAB_ERROR, LAB_ERROR_CANCELLED);
  g_clear_error (&data.error);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_CANCELLED);
  /* Sleeping jobs stop at once; processes within the grace period. */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 3 * G_USEC_PER_SEC);
  g_assert_cmpuint (lab_run_get_n_done (run), >=, min_done);
  for (guint i = 0; i < lab_run_get_n_jobs (run); i++)
    {
      const LabJobResult *job = lab_run_get_job (run, i);
      if (job->state == LAB_JOB_OK)
        g_assert_null (job->error);
      else if (job->state == LAB_JOB_FAILED)
        g_assert_nonnull (job->error);
    }

  if (!lab_test_wait_threads (threads0, 2000))
    {
      g_autofree char *names = lab_test_describe_threads ();
      g_error ("%s, cancel after %d ms: %u threads left, %u before: %s",
               lab_strategy_to_string (strategy), cancel_ms, lab_test_count_threads (), threads0, names);
    }
  g_assert_cmpuint (lab_test_count_children (), ==, 0);
}

static void
test_cancel (void)
{
  for (guint s = 0; s < G_N_ELEMENTS (all_strategies); s++)
    {
      LabStrategy strategy = all_strategies[s];

      check_cancel (strategy, "30.0, 30.0, 30.0", 0, 0);
      check_cancel (strategy, "30.0, 30.0, 30.0", 30, 0);
      /* Two quick jobs first: their results are kept. */
      check_cancel (strategy, "0.0, 0.0, 30.0, 30.0", 400, 2);
    }
}

/* Cancelled while the process pool's pipes are full of tiny jobs. */
static void
test_cancel_busy_pool (void)
{
  g_autoptr(LabRun) run = new_run ("primes", LAB_STRATEGY_PROCESS_POOL, 2, "{'size': <uint64 200>, 'jobs': <uint32 1000000>}");
  AsyncData data = { 0 };

  run_async (run, 100, &data);
  g_assert_error (data.error, LAB_ERROR, LAB_ERROR_CANCELLED);
  g_clear_error (&data.error);
  g_assert_cmpuint (lab_run_get_n_done (run), >, 0);
  g_assert_cmpuint (lab_run_get_n_done (run), <, 1000000);
  g_assert_cmpuint (lab_test_count_children (), ==, 0);
}

static void
test_bad_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LabRunConfig) async_cpu = lab_run_config_new ("primes", LAB_STRATEGY_ASYNC, 0, NULL);
  g_autoptr(LabRunConfig) too_many = lab_run_config_new ("sleep", LAB_STRATEGY_THREADS, LAB_MAX_WORKERS + 1, NULL);
  g_autoptr(LabRunConfig) unknown = lab_run_config_new ("nap", LAB_STRATEGY_THREADS, 0, NULL);

  g_assert_null (lab_run_new (async_cpu, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_null (lab_run_new (too_many, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "256"));
  g_clear_error (&error);
  g_assert_null (lab_run_new (unknown, &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_UNKNOWN_TASK);
}

static void
test_measures_cpu (void)
{
  g_autoptr(LabRun) run = new_run ("primes", LAB_STRATEGY_PROCESS_POOL, 2, "{'size': <uint64 40000>, 'jobs': <uint32 4>}");
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
  LabStrategy strategies[] = { LAB_STRATEGY_SEQUENTIAL, LAB_STRATEGY_THREADS, LAB_STRATEGY_THREAD_POOL };

  for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
    {
      g_autoptr(LabRun) sleeping = new_run ("sleep", strategies[s], 2, "{'seconds': <[0.3]>, 'jobs': <uint32 2>}");
      g_autoptr(LabRun) computing = new_run ("primes", strategies[s], 2, "{'size': <uint64 30000>, 'jobs': <uint32 4>}");
      AsyncData data = { 0 };
      LabRunSummary sum;
      gint64 jobs_cpu = 0;
      gint stop = FALSE;
      GThread *burner = g_thread_new ("burner", burn_thread, &stop);

      run_async (sleeping, -1, &data);
      lab_run_get_summary (sleeping, &sum);
      g_assert_cmpint (sum.user_ns + sum.sys_ns, <, 100 * 1000 * 1000);

      memset (&data, 0, sizeof data);
      run_async (computing, -1, &data);
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
  g_test_add_func ("/runner/pool-lanes", test_pool_lanes);
  g_test_add_func ("/runner/many-tiny-jobs", test_many_tiny_jobs);
  g_test_add_func ("/runner/workers-cap", test_workers_cap);
  g_test_add_func ("/runner/async-progress", test_async_progress);
  g_test_add_func ("/runner/cancel", test_cancel);
  g_test_add_func ("/runner/cancel-busy-pool", test_cancel_busy_pool);
  g_test_add_func ("/runner/bad-config", test_bad_config);
  g_test_add_func ("/runner/measures-cpu", test_measures_cpu);
  g_test_add_func ("/runner/cpu-excludes-caller", test_cpu_excludes_caller);

  return g_test_run ();
}
