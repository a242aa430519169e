/* test-analysis.c — runs grouped: medians, outliers, speed-ups, scaling
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every run here is made up from figures: the analysis is a function of
 * them, not of the clock.
 */
#include "config.h"

#include <math.h>

#include "lab-analysis.h"
#include "lab-test-util.h"

static void
test_stats (void)
{
  const double odd[] = { 3.0, 1.0, 2.0 };
  const double even[] = { 4.0, 1.0, 3.0, 2.0 };
  LabStats stats;

  lab_stats_compute (odd, G_N_ELEMENTS (odd), &stats);
  g_assert_cmpuint (stats.n, ==, 3);
  g_assert_cmpfloat (stats.min, ==, 1.0);
  g_assert_cmpfloat (stats.median, ==, 2.0);
  g_assert_cmpfloat (stats.max, ==, 3.0);

  lab_stats_compute (even, G_N_ELEMENTS (even), &stats);
  g_assert_cmpfloat (stats.median, ==, 2.5);
  g_assert_cmpfloat (stats.min, ==, 1.0);
  g_assert_cmpfloat (stats.max, ==, 4.0);

  lab_stats_compute (NULL, 0, &stats);
  g_assert_cmpuint (stats.n, ==, 0);
  g_assert_cmpfloat (stats.median, ==, 0.0);
}

static void
test_outliers (void)
{
  const double slow_one[] = { 1.00, 1.01, 0.99, 1.02, 1.60, 1.00 };
  const double jitter[] = { 1.00, 1.01, 0.99, 1.02, 1.03 };
  const double identical[] = { 2.0, 2.0, 2.0, 2.0 };
  const double one_apart[] = { 1.0, 1.0, 1.0, 1.0, 1.01 };
  const double two[] = { 1.0, 9.0 };
  gboolean flags[6];

  g_assert_cmpuint (lab_stats_find_outliers (slow_one, 6, flags), ==, 1);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpint (flags[i], ==, i == 4);

  /* Nearly equal runs: none stands out, however small the spread. */
  g_assert_cmpuint (lab_stats_find_outliers (jitter, 5, flags), ==, 0);
  g_assert_cmpuint (lab_stats_find_outliers (identical, 4, flags), ==, 0);
  /* No spread at all but one run 1 % off: still not an outlier. */
  g_assert_cmpuint (lab_stats_find_outliers (one_apart, 5, flags), ==, 0);
  /* Two values cannot say which one is odd. */
  g_assert_cmpuint (lab_stats_find_outliers (two, 2, flags), ==, 0);
  g_assert_false (flags[0] || flags[1]);
}

/* Speedups made by the law itself give back its serial fraction. */
static void
test_amdahl (void)
{
  const guint workers[] = { 1, 2, 4, 8 };
  double speedup[4];
  const double slower[] = { 0.5 };
  const guint two[] = { 2 };
  guint used;

  for (guint i = 0; i < 4; i++)
    speedup[i] = 1 / (0.1 + 0.9 / workers[i]);
  g_assert_cmpfloat_with_epsilon (lab_amdahl_fit (workers, speedup, 4, 8, &used), 0.1, 1e-9);
  g_assert_cmpuint (used, ==, 3);
  /* More workers than cores are left out. */
  g_assert_cmpfloat_with_epsilon (lab_amdahl_fit (workers, speedup, 4, 2, &used), 0.1, 1e-9);
  g_assert_cmpuint (used, ==, 1);
  g_assert_true (isnan (lab_amdahl_fit (workers, speedup, 1, 8, NULL)));

  /* Perfect scaling has no serial part; slower than one worker is all serial. */
  for (guint i = 0; i < 4; i++)
    speedup[i] = workers[i];
  g_assert_cmpfloat_with_epsilon (lab_amdahl_fit (workers, speedup, 4, 8, NULL), 0.0, 1e-9);
  g_assert_cmpfloat (lab_amdahl_fit (two, slower, 1, 8, NULL), ==, 1.0);
}

static LabAnalysis *
analyse (GPtrArray *runs)
{
  return lab_analysis_new ((LabRun **) runs->pdata, runs->len);
}

#define SLEEP_2 "{'seconds': <[1.0]>, 'jobs': <uint32 2>}"
#define SLEEP_4 "{'seconds': <[1.0]>, 'jobs': <uint32 4>}"

/* Repeats of one configuration are one group, in the order they first
 * ran; another parameter or worker count is another group. */
static void
test_groups (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LabAnalysis) analysis = NULL;
  const LabRunGroup *threads;

  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "threads", 2, SLEEP_2, 2, 1.0, 0.001));
  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "sequential", 1, SLEEP_2, 2, 2.0, 0.001));
  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "threads", 2, SLEEP_2, 2, 1.2, 0.001));
  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "threads", 2, SLEEP_4, 4, 1.0, 0.001));
  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "threads", 1, SLEEP_2, 2, 2.0, 0.001));
  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "threads", 2, SLEEP_2, 2, 1.1, 0.001));
  analysis = analyse (runs);

  g_assert_cmpuint (lab_analysis_get_n_groups (analysis), ==, 4);
  g_assert_true (lab_analysis_has_repeats (analysis));
  threads = lab_analysis_get_group (analysis, 0);
  g_assert_cmpuint (threads->runs->len, ==, 3);
  g_assert_true (lab_analysis_get_group_of (analysis, 5) == threads);
  g_assert_cmpuint (lab_analysis_get_repeat (analysis, 0), ==, 1);
  g_assert_cmpuint (lab_analysis_get_repeat (analysis, 2), ==, 2);
  g_assert_cmpuint (lab_analysis_get_repeat (analysis, 5), ==, 3);
  g_assert_cmpuint (lab_analysis_get_repeat (analysis, 1), ==, 1);
  g_assert_cmpfloat (threads->wall.min, ==, 1.0);
  g_assert_cmpfloat_with_epsilon (threads->wall.median, 1.1, 1e-9);
  g_assert_cmpfloat (threads->wall.max, ==, 1.2);

  /* Against the loop over the same work: medians, 2.0 / 1.1. */
  g_assert_cmpfloat_with_epsilon (threads->speedup, 2.0 / 1.1, 1e-9);
  g_assert_true (threads->loop == lab_analysis_get_group (analysis, 1));
  g_assert_cmpfloat (lab_analysis_get_group (analysis, 1)->speedup, ==, 1.0);
  /* Four jobs are other work: no loop did them. */
  g_assert_cmpfloat (lab_analysis_get_group (analysis, 2)->speedup, ==, 0.0);
  g_assert_null (lab_analysis_get_group (analysis, 2)->loop);
}

/* A run's own speed-up is against the last loop of the same work before
 * it, or the first after it when none came before. */
static void
test_run_speedups (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LabAnalysis) analysis = NULL;

  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "threads", 2, SLEEP_2, 2, 1.0, 0.001));
  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "sequential", 1, SLEEP_2, 2, 4.0, 0.001));
  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "threads", 2, SLEEP_2, 2, 1.0, 0.001));
  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "sequential", 1, SLEEP_2, 2, 2.0, 0.001));
  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "threads", 2, SLEEP_2, 2, 1.0, 0.001));
  g_ptr_array_add (runs, lab_test_fake_run ("sleep", "threads", 2, SLEEP_4, 4, 1.0, 0.001));
  analysis = analyse (runs);

  g_assert_cmpfloat (lab_analysis_get_speedup (analysis, 0), ==, 4.0);
  g_assert_cmpfloat (lab_analysis_get_speedup (analysis, 2), ==, 4.0);
  g_assert_cmpfloat (lab_analysis_get_speedup (analysis, 4), ==, 2.0);
  g_assert_true (lab_analysis_get_loop_run (analysis, 4) == g_ptr_array_index (runs, 3));
  g_assert_cmpfloat (lab_analysis_get_speedup (analysis, 5), ==, 0.0);
  g_assert_null (lab_analysis_get_loop_run (analysis, 5));
}

/* The repeat far from the others is named; cancelled runs count as runs
 * but not in the figures. */
static void
test_outlier_runs (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LabAnalysis) analysis = NULL;
  const double walls[] = { 1.00, 1.01, 0.99, 1.80, 1.00 };

  for (guint i = 0; i < G_N_ELEMENTS (walls); i++)
    g_ptr_array_add (runs, lab_test_fake_run ("primes", "thread-pool", 2, NULL, 4, walls[i], 2 * walls[i]));
  analysis = analyse (runs);

  g_assert_cmpuint (lab_analysis_get_n_groups (analysis), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (walls); i++)
    g_assert_cmpint (lab_analysis_is_outlier (analysis, i), ==, i == 3);
  g_assert_cmpfloat (lab_analysis_get_group (analysis, 0)->wall.median, ==, 1.00);
  g_assert_cmpfloat (lab_analysis_get_group (analysis, 0)->cpu.median, ==, 2.00);
}

/* A sweep: one scaling series per strategy run on several counts, with
 * the loop as reference when there is one. */
static void
test_scaling (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LabAnalysis) analysis = NULL;
  const LabScaling *scaling;

  g_ptr_array_add (runs, lab_test_fake_run ("primes", "sequential", 1, NULL, 8, 4.0, 4.0));
  g_ptr_array_add (runs, lab_test_fake_run ("primes", "thread-pool", 1, NULL, 8, 4.0, 4.0));
  g_ptr_array_add (runs, lab_test_fake_run ("primes", "thread-pool", 2, NULL, 8, 2.0, 4.0));
  g_ptr_array_add (runs, lab_test_fake_run ("primes", "thread-pool", 4, NULL, 8, 2.0, 4.0));
  g_ptr_array_add (runs, lab_test_fake_run ("primes", "process-pool", 2, NULL, 8, 2.1, 4.1));
  analysis = analyse (runs);

  g_assert_cmpuint (lab_analysis_get_n_scalings (analysis), ==, 1);
  scaling = lab_analysis_get_scaling (analysis, 0);
  g_assert_cmpstr (lab_run_get_config (scaling->first)->strategy->name, ==, "thread-pool");
  g_assert_cmpstr (scaling->reference, ==, "sequential");
  g_assert_cmpuint (scaling->workers->len, ==, 3);
  g_assert_cmpfloat (g_array_index (scaling->speedup, double, 0), ==, 1.0);
  g_assert_cmpfloat (g_array_index (scaling->speedup, double, 1), ==, 2.0);
  g_assert_cmpfloat (g_array_index (scaling->speedup, double, 2), ==, 2.0);
}

/* A job's two phases, kept in two bytes: where the first ended, to the
 * 65535th of the job's time; one phase, none. */
static void
test_job_phase (void)
{
  LabJobRecord job = { .start_ns = 1000, .end_ns = 1001000 };

  lab_job_record_set_phase (&job, 251000);
  g_assert_cmpint (labs (lab_job_record_get_phase (&job) - 251000), <=, 1000000 / 65535 + 1);
  lab_job_record_set_phase (&job, -1);
  g_assert_cmpint (lab_job_record_get_phase (&job), ==, -1);
  lab_job_record_set_phase (&job, 1000);     /* not after the start */
  g_assert_cmpint (lab_job_record_get_phase (&job), ==, -1);
  lab_job_record_set_phase (&job, 5000000);  /* past the end: the end */
  g_assert_cmpint (lab_job_record_get_phase (&job), ==, job.end_ns);
  g_assert_cmpuint (sizeof (LabJobRecord), ==, 72);
}

int
main (int argc, char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/analysis/job-phase", test_job_phase);
  g_test_add_func ("/analysis/stats", test_stats);
  g_test_add_func ("/analysis/outliers", test_outliers);
  g_test_add_func ("/analysis/amdahl", test_amdahl);
  g_test_add_func ("/analysis/groups", test_groups);
  g_test_add_func ("/analysis/run-speedups", test_run_speedups);
  g_test_add_func ("/analysis/outlier-runs", test_outlier_runs);
  g_test_add_func ("/analysis/scaling", test_scaling);

  return g_test_run ();
}
