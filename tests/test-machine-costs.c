/* test-machine-costs.c — LabMachineCosts and the break-even job size
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The measurements are checked for sense (positive, spread around the
 * median, a thread cheaper than a process in the same run), never for
 * a number of microseconds: the machine may be busy. The break-even
 * model is a pure function, checked on fixed costs.
 */
#include "config.h"

#include <math.h>

#include "lab-error.h"
#include "lab-granularity.h"
#include "lab-machine-costs.h"
#include "lab-test-util.h"

typedef struct {
  double        last;
  guint         calls;
  gboolean      decreased;
  GThread      *thread;
  gboolean      other_thread;
  GCancellable *cancel_at_second;
} Progress;

static void
progress_cb (double      fraction,
             const char *what,
             gpointer    data)
{
  Progress *p = data;

  g_assert_nonnull (what);
  g_assert_cmpfloat (fraction, >=, 0);
  g_assert_cmpfloat (fraction, <=, 1);
  p->decreased |= fraction < p->last;
  p->last = fraction;
  p->other_thread |= p->thread != NULL && g_thread_self () != p->thread;
  if (++p->calls == 2 && p->cancel_at_second != NULL)
    g_cancellable_cancel (p->cancel_at_second);
}

static void
check_costs (const LabMachineCosts *costs)
{
  const LabCost *c = costs->costs;

  g_assert_cmpuint (costs->usable_cores, >=, 1);
  g_assert_nonnull (costs->machine);
  g_assert_cmpfloat (costs->elapsed_s, >, 0);
  for (guint k = 0; k < LAB_N_COSTS; k++)
    {
      g_assert_cmpint (c[k].kind, ==, k);
      g_assert_nonnull (c[k].id);
      g_assert_cmpfloat (c[k].median_s, >, 0);
      g_assert_cmpfloat (c[k].low_s, <=, c[k].median_s);
      g_assert_cmpfloat (c[k].median_s, <=, c[k].high_s);
      g_assert_cmpuint (c[k].n_samples, >=, 3);
      g_assert_cmpuint (c[k].n_ops, >=, c[k].n_samples);
      if (c[k].reference != NULL)
        {
          g_assert_cmpfloat (c[k].reference->seconds, >, 0);
          g_assert_cmpstr (c[k].reference->source, !=, "");
        }
    }
  g_assert_nonnull (c[LAB_COST_JOB_PROCESS_POOL].reference);
  g_assert_true (strstr (c[LAB_COST_JOB_PROCESS_POOL].reference->label, "ProcessPoolExecutor") != NULL);

  /* Orders of magnitude apart: they hold on a busy machine too. A thread
   * is cheaper than a process, a queued job than a thread, a job on a
   * pool than a process per job. */
  g_assert_cmpfloat (c[LAB_COST_THREAD_CREATE].median_s, <, c[LAB_COST_FORK_WAIT].median_s);
  g_assert_cmpfloat (c[LAB_COST_POOL_HANDOVER].median_s, <, c[LAB_COST_THREAD_CREATE].median_s);
  g_assert_cmpfloat (c[LAB_COST_PIPE_ROUND_TRIP].median_s, <, c[LAB_COST_FORK_WAIT].median_s);
  g_assert_cmpfloat (c[LAB_COST_JOB_THREAD_POOL].median_s, <, c[LAB_COST_JOB_PROCESSES].median_s);
  g_assert_cmpfloat (c[LAB_COST_JOB_PROCESS_POOL].median_s, <, c[LAB_COST_JOB_PROCESSES].median_s);
  g_assert_cmpfloat (c[LAB_COST_JOB_THREADS].median_s, <, c[LAB_COST_JOB_PROCESSES].median_s);
}

static void
test_measure (void)
{
  Progress p = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LabMachineCosts) costs = lab_machine_costs_measure (progress_cb, &p, NULL, &error);
  g_autoptr(LabMachineCosts) copy = NULL;
  g_autoptr(JsonNode) json = NULL;
  LabBreakEven pool, processes;

  g_assert_no_error (error);
  check_costs (costs);
  g_assert_cmpuint (p.calls, ==, LAB_N_COSTS + 1);
  g_assert_false (p.decreased);
  g_assert_cmpfloat (p.last, ==, 1);

  copy = lab_machine_costs_copy (costs);
  g_assert_cmpfloat (copy->costs[LAB_COST_FORK_WAIT].median_s, ==, costs->costs[LAB_COST_FORK_WAIT].median_s);
  g_assert_cmpstr (copy->machine->kernel, ==, costs->machine->kernel);

  json = lab_machine_costs_to_json (costs);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (json), "costs")),
                    ==, LAB_N_COSTS);

  /* A process per job pays off later than a thread pool. */
  g_assert_true (lab_machine_costs_break_even (costs, lab_strategy_lookup ("thread-pool"), 0, &pool));
  g_assert_true (lab_machine_costs_break_even (costs, lab_strategy_lookup ("processes"), 0, &processes));
  g_assert_cmpfloat (pool.break_even_s, <, processes.break_even_s);
  g_assert_false (lab_machine_costs_break_even (costs, lab_strategy_lookup ("sequential"), 0, &pool));
  g_assert_false (lab_machine_costs_break_even (costs, lab_strategy_lookup ("async"), 0, &pool));
}

/* A cancel stops the measurement between batches, with no figures. */
static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Progress p = { 0 };
  LabMachineCosts *costs;

  p.cancel_at_second = cancellable;
  costs = lab_machine_costs_measure (progress_cb, &p, cancellable, &error);
  g_assert_null (costs);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (p.calls, ==, 2);
}

static void
measured_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static int destroyed;
static gboolean destroyed_here;

static void
progress_destroy (gpointer data)
{
  destroyed_here = g_thread_self () == ((Progress *) data)->thread;
  g_atomic_int_set (&destroyed, TRUE);
}

/* Off the calling thread; progress arrives on the caller's context. */
static void
test_async (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabMachineCosts) costs = NULL;
  Progress p = { 0 };

  p.thread = g_thread_self ();
  destroyed = FALSE;
  lab_machine_costs_measure_async (progress_cb, &p, progress_destroy, NULL, measured_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  costs = lab_machine_costs_measure_finish (result, &error);
  g_assert_no_error (error);
  check_costs (costs);
  g_assert_cmpuint (p.calls, ==, LAB_N_COSTS + 1);
  g_assert_false (p.other_thread);
  g_clear_object (&result);
  /* Let go on this thread, though the task may end on the other one. */
  while (!g_atomic_int_get (&destroyed))
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_true (destroyed_here);
}

/* With a worker that is not there, an error that names it. */
static void
test_no_worker (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (lab_machine_costs_measure (NULL, NULL, NULL, &error));
      g_assert_error (error, LAB_ERROR, LAB_ERROR_WORKER);
      g_assert_nonnull (strstr (error->message, "/nonexistent/worker"));
      return;
    }
  g_setenv ("LAB_WORKER_PATH", "/nonexistent/worker", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* The model on fixed costs: the loop pays 1 µs a job, the strategy 11 µs,
 * on two cores: it wins from 20 µs of work, reaches 90 % of 2× at
 * 9·2·11 − 10·1 = 188 µs. */
static void
test_break_even_fixed (void)
{
  LabStrategyCost loop = { 1e-6, 0, 1 };
  LabStrategyCost pool = { 11e-6, 0, 2 };
  LabStrategyCost cheap = { 0.5e-6, 0, 2 };
  LabStrategyCost started = { 11e-6, 1e-3, 2 };
  LabBreakEven be;

  lab_break_even_compute (&loop, &pool, 2, 0, &be);
  g_assert_cmpfloat_with_epsilon (be.break_even_s, 20e-6, 1e-12);
  g_assert_cmpfloat_with_epsilon (be.ninety_s, 188e-6, 1e-12);
  g_assert_cmpfloat (be.best_speedup, ==, 2);
  g_assert_cmpfloat_with_epsilon (lab_break_even_speedup (&loop, &pool, 2, 0, be.break_even_s), 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (lab_break_even_speedup (&loop, &pool, 2, 0, be.ninety_s), 1.8, 1e-9);

  /* Four cores do not help two workers. */
  lab_break_even_compute (&loop, &pool, 4, 0, &be);
  g_assert_cmpfloat_with_epsilon (be.break_even_s, 20e-6, 1e-12);

  /* One core: never; 90 % of 1× still has a size. */
  lab_break_even_compute (&loop, &pool, 1, 0, &be);
  g_assert_true (isinf (be.break_even_s));
  g_assert_cmpfloat (be.best_speedup, ==, 1);
  g_assert_cmpfloat_with_epsilon (be.ninety_s, 9 * 11e-6 - 10e-6, 1e-12);

  /* Cheaper per job than the loop: always. */
  lab_break_even_compute (&loop, &cheap, 2, 0, &be);
  g_assert_cmpfloat (be.break_even_s, ==, 0);

  /* 1 ms paid once over 100 jobs is 10 µs more a job: 40 µs; over many
   * jobs it does not count. */
  lab_break_even_compute (&loop, &started, 2, 100, &be);
  g_assert_cmpfloat_with_epsilon (be.break_even_s, 40e-6, 1e-12);
  lab_break_even_compute (&loop, &started, 2, 0, &be);
  g_assert_cmpfloat_with_epsilon (be.break_even_s, 20e-6, 1e-12);

  /* One job keeps one worker busy: never. */
  lab_break_even_compute (&loop, &pool, 2, 1, &be);
  g_assert_true (isinf (be.break_even_s));
}

/* The sweep's prediction is a size where the model, with the sweep's
 * job count for that size, gives a speed-up of 1. */
static void
test_break_even_sweep (void)
{
  LabStrategyCost loop = { 1e-6, 0, 1 };
  LabStrategyCost started = { 11e-6, 5e-3, 2 };
  double w = lab_break_even_predict_sweep (&loop, &started, 2);

  g_assert_true (isfinite (w));
  g_assert_cmpfloat (w, >, 20e-6);
  g_assert_cmpfloat_with_epsilon (lab_break_even_speedup (&loop, &started, 2, lab_job_sizes_n_jobs (w), w),
                                  1, 1e-2);
}

/* Costs given as on a typical 2-core machine: the strategies pay off in
 * the order of what a job costs them. */
static void
test_break_even_order (void)
{
  double median_s[LAB_N_COSTS] = {
    [LAB_COST_THREAD_CREATE] = 40e-6, [LAB_COST_POOL_HANDOVER] = 1e-6, [LAB_COST_FORK_WAIT] = 400e-6,
    [LAB_COST_WORKER_START] = 1.5e-3, [LAB_COST_FORK_SERVER_JOB] = 500e-6, [LAB_COST_PIPE_ROUND_TRIP] = 10e-6,
    [LAB_COST_JOB_SEQUENTIAL] = 2e-6, [LAB_COST_JOB_THREADS] = 60e-6, [LAB_COST_JOB_THREAD_POOL] = 3e-6,
    [LAB_COST_JOB_PROCESSES] = 700e-6, [LAB_COST_JOB_PROCESS_POOL] = 15e-6,
  };
  g_autoptr(LabMachineCosts) costs = lab_machine_costs_new_fixed (median_s, 2);
  const char *order[] = { "thread-pool", "process-pool", "processes" };
  double last = 0;
  LabStrategyCost pp;

  g_assert_true (lab_machine_costs_get_strategy_cost (costs, lab_strategy_lookup ("process-pool"), &pp));
  /* its workers: the fork server's start, and a fork of it each, which
   * is what a job of `processes` costs once its start is taken out */
  g_assert_cmpfloat_with_epsilon (pp.fixed_s, 1.5e-3 + 2 * (700e-6 - 1.5e-3 / 24), 1e-12);
  g_assert_cmpuint (pp.workers, ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      LabBreakEven be;

      g_assert_true (lab_machine_costs_break_even (costs, lab_strategy_lookup (order[i]), 0, &be));
      g_assert_cmpfloat (be.break_even_s, >=, last);
      g_assert_cmpfloat (be.ninety_s, >=, be.break_even_s);
      last = be.break_even_s;
    }
  g_assert_cmpfloat (last, >, 0);
}

static void
test_find_break_even (void)
{
  const LabGranularityPoint rising[] = { { 1e-5, 0.5 }, { 1e-4, 0.8 }, { 1e-3, 1.2 }, { 1e-2, 1.5 } };
  const LabGranularityPoint noisy[] = { { 1e-5, 0.5 }, { 1e-4, 1.2 }, { 1e-3, 0.9 }, { 1e-2, 1.5 }, { 1e-1, 1.6 } };
  const LabGranularityPoint above[] = { { 1e-5, 1.1 }, { 1e-4, 1.5 } };
  const LabGranularityPoint below[] = { { 1e-5, 0.1 }, { 1e-4, 1.2 }, { 1e-3, 0.5 } };
  double w;

  /* 1 is half-way from 0.8 to 1.2: half-way on the log scale. */
  w = lab_granularity_find_break_even (rising, G_N_ELEMENTS (rising));
  g_assert_cmpfloat_with_epsilon (w, sqrt (1e-4 * 1e-3), 1e-9);

  /* A dip after a point above 1 is pooled with it (1.05): the crossing is
   * between the first two. */
  w = lab_granularity_find_break_even (noisy, G_N_ELEMENTS (noisy));
  g_assert_cmpfloat (w, >, 1e-5);
  g_assert_cmpfloat (w, <, 1e-4);

  g_assert_cmpfloat (lab_granularity_find_break_even (above, G_N_ELEMENTS (above)), ==, 1e-5);
  g_assert_true (isnan (lab_granularity_find_break_even (below, G_N_ELEMENTS (below))));
  g_assert_true (isnan (lab_granularity_find_break_even (NULL, 0)));
}

static void
test_job_sizes (void)
{
  const struct { const char *text; const char *message; } bad[] = {
    { "abc", "not “abc”" }, { "1e-5,,1e-3", "not “”" }, { "1e-9", "from 2 µs to 1 s" },
    { "2", NULL }, { "5s", "from 2 µs to 1 s of work, not “5s”" }, { "-1e-3", "from 2 µs to 1 s" },
    { "nan", "not “nan”" }, { "1ms,inf", "not “inf”" }, { "1e-3x", "not “1e-3x”" },
    { "1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,1e-5,"
      "1e-5,1e-5,1e-5,1e-5,1e-5", "at most 24" },
  };
  g_autoptr(GArray) sizes = NULL;

  g_assert_true (lab_job_sizes_parse ("sweep", &sizes, NULL));
  g_assert_cmpuint (sizes->len, >=, 9);
  g_assert_cmpfloat (g_array_index (sizes, double, 0), <=, 1e-5);
  g_assert_cmpfloat (g_array_index (sizes, double, sizes->len - 1), ==, 0.1);
  for (guint i = 1; i < sizes->len; i++)
    g_assert_cmpfloat (g_array_index (sizes, double, i), >, g_array_index (sizes, double, i - 1));
  g_clear_pointer (&sizes, g_array_unref);

  g_assert_true (lab_job_sizes_parse ("0.1, 1e-5,1e-3,1e-3", &sizes, NULL));
  g_assert_cmpuint (sizes->len, ==, 3);
  g_assert_cmpfloat (g_array_index (sizes, double, 0), ==, 1e-5);
  g_assert_cmpfloat (g_array_index (sizes, double, 2), ==, 0.1);
  g_clear_pointer (&sizes, g_array_unref);

  g_assert_true (lab_job_sizes_parse ("10us,1ms,20µs,0.5s", &sizes, NULL));
  g_assert_cmpuint (sizes->len, ==, 4);
  g_assert_cmpfloat_with_epsilon (g_array_index (sizes, double, 1), 20e-6, 1e-15);
  g_assert_cmpfloat_with_epsilon (g_array_index (sizes, double, 3), 0.5, 1e-15);
  g_clear_pointer (&sizes, g_array_unref);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (lab_job_sizes_parse (bad[i].text, &sizes, &error));
      g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
      if (bad[i].message != NULL && strstr (error->message, bad[i].message) == NULL)
        g_error ("“%s”: “%s” does not say “%s”", bad[i].text, error->message, bad[i].message);
    }

  g_assert_false (lab_job_sizes_is_list ("90000"));
  g_assert_true (lab_job_sizes_is_list ("sweep"));
  g_assert_true (lab_job_sizes_is_list ("1e-5"));
  g_assert_true (lab_job_sizes_is_list ("1,2"));

  /* Bigger jobs, fewer of them; never fewer than two a core. */
  g_assert_cmpuint (lab_job_sizes_n_jobs (1e-5), >=, lab_job_sizes_n_jobs (1e-3));
  g_assert_cmpuint (lab_job_sizes_n_jobs (1e-3), >=, lab_job_sizes_n_jobs (0.1));
  g_assert_cmpuint (lab_job_sizes_n_jobs (1.0), >=, 2 * lab_usable_cores ());
}

/* The primes task's size grows with the work asked for. */
static void
test_primes_calibration (void)
{
  guint64 small = lab_primes_size_for (1e-5);
  guint64 big = lab_primes_size_for (1e-2);

  g_assert_cmpfloat (lab_primes_seconds_per_number (), >, 0);
  g_assert_cmpuint (small, >=, 1);
  g_assert_cmpuint (big, >, small);
  g_assert_cmpuint (lab_primes_size_for (2e-2), >, big);
}

int
main (int    argc,
      char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/machine-costs/measure", test_measure);
  g_test_add_func ("/machine-costs/cancel", test_cancel);
  g_test_add_func ("/machine-costs/async", test_async);
  g_test_add_func ("/machine-costs/no-worker", test_no_worker);
  g_test_add_func ("/break-even/fixed", test_break_even_fixed);
  g_test_add_func ("/break-even/sweep", test_break_even_sweep);
  g_test_add_func ("/break-even/order", test_break_even_order);
  g_test_add_func ("/granularity/find-break-even", test_find_break_even);
  g_test_add_func ("/granularity/job-sizes", test_job_sizes);
  g_test_add_func ("/granularity/primes-calibration", test_primes_calibration);

  return g_test_run ();
}
