/* test-report.c — figures of repeated runs: median, spread, outliers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <json-glib/json-glib.h>

#include "lab-report.h"
#include "lab-test-util.h"

static void
test_stats (void)
{
  const double odd[] = { 3.0, 1.0, 2.0 };
  const double even[] = { 4.0, 1.0, 3.0, 2.0 };
  LabReportStats stats;

  lab_report_stats (odd, G_N_ELEMENTS (odd), &stats);
  g_assert_cmpuint (stats.n, ==, 3);
  g_assert_cmpfloat (stats.min, ==, 1.0);
  g_assert_cmpfloat (stats.median, ==, 2.0);
  g_assert_cmpfloat (stats.max, ==, 3.0);

  lab_report_stats (even, G_N_ELEMENTS (even), &stats);
  g_assert_cmpfloat (stats.median, ==, 2.5);
  g_assert_cmpfloat (stats.min, ==, 1.0);
  g_assert_cmpfloat (stats.max, ==, 4.0);

  lab_report_stats (NULL, 0, &stats);
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

  g_assert_cmpuint (lab_report_find_outliers (slow_one, 6, flags), ==, 1);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpint (flags[i], ==, i == 4);

  /* Nearly equal runs: none stands out, however small the spread. */
  g_assert_cmpuint (lab_report_find_outliers (jitter, 5, flags), ==, 0);
  g_assert_cmpuint (lab_report_find_outliers (identical, 4, flags), ==, 0);
  /* No spread at all but one run 1 % off: still not an outlier. */
  g_assert_cmpuint (lab_report_find_outliers (one_apart, 5, flags), ==, 0);
  /* Two values cannot say which one is odd. */
  g_assert_cmpuint (lab_report_find_outliers (two, 2, flags), ==, 0);
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
  g_assert_cmpfloat_with_epsilon (lab_report_amdahl_fit (workers, speedup, 4, 8, &used), 0.1, 1e-9);
  g_assert_cmpuint (used, ==, 3);
  /* More workers than cores are left out. */
  g_assert_cmpfloat_with_epsilon (lab_report_amdahl_fit (workers, speedup, 4, 2, &used), 0.1, 1e-9);
  g_assert_cmpuint (used, ==, 1);
  g_assert_true (isnan (lab_report_amdahl_fit (workers, speedup, 1, 8, NULL)));

  /* Perfect scaling has no serial part; slower than one worker is all serial. */
  for (guint i = 0; i < 4; i++)
    speedup[i] = workers[i];
  g_assert_cmpfloat_with_epsilon (lab_report_amdahl_fit (workers, speedup, 4, 8, NULL), 0.0, 1e-9);
  g_assert_cmpfloat (lab_report_amdahl_fit (two, slower, 1, 8, NULL), ==, 1.0);
}

static LabRun *
sleep_run_on (LabStrategy  strategy,
              guint        workers,
              const char  *seconds)
{
  g_autofree char *text = g_strdup_printf ("{'seconds': <[%s]>}", seconds);
  g_autoptr(GVariant) params = g_variant_ref_sink (g_variant_parse (G_VARIANT_TYPE_VARDICT, text, NULL, NULL, NULL));
  g_autoptr(LabRunConfig) config = lab_run_config_new ("sleep", strategy, workers, params);
  g_autoptr(GError) error = NULL;
  LabRun *run = lab_run_new (config, &error);

  g_assert_no_error (error);
  g_assert_true (lab_run_execute (run, NULL, &error));
  g_assert_no_error (error);
  return run;
}

static LabRun *
sleep_run (LabStrategy  strategy,
           const char  *seconds)
{
  return sleep_run_on (strategy, 0, seconds);
}

static double
median_wall (JsonObject *summary)
{
  return json_object_get_double_member (json_object_get_object_member (summary, "wall_s"), "median");
}

/* Runs of the same experiment, in any order, are numbered and summed up
 * together; a different parameter makes a different experiment. */
static void
test_repeats_in_json (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonArray *array, *summary;
  JsonObject *seq, *threads;
  const guint expected_repeat[] = { 1, 1, 2, 2, 1 };

  g_ptr_array_add (runs, sleep_run (LAB_STRATEGY_SEQUENTIAL, "0.02, 0.02"));
  g_ptr_array_add (runs, sleep_run (LAB_STRATEGY_THREADS, "0.02, 0.02"));
  g_ptr_array_add (runs, sleep_run (LAB_STRATEGY_SEQUENTIAL, "0.02, 0.02"));
  g_ptr_array_add (runs, sleep_run (LAB_STRATEGY_THREADS, "0.02, 0.02"));
  g_ptr_array_add (runs, sleep_run (LAB_STRATEGY_THREADS, "0.03, 0.03"));

  text = lab_report_format ((LabRun **) runs->pdata, runs->len, LAB_REPORT_JSON);
  root = json_from_string (text, &error);
  g_assert_no_error (error);

  array = json_object_get_array_member (json_node_get_object (root), "runs");
  g_assert_cmpuint (json_array_get_length (array), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *run = json_array_get_object_element (array, i);
      g_assert_cmpint (json_object_get_int_member (run, "repeat"), ==, expected_repeat[i]);
      g_assert_false (json_object_get_boolean_member (run, "outlier"));
    }

  summary = json_object_get_array_member (json_node_get_object (root), "summary");
  g_assert_cmpuint (json_array_get_length (summary), ==, 3);
  seq = json_array_get_object_element (summary, 0);
  threads = json_array_get_object_element (summary, 1);
  g_assert_cmpstr (json_object_get_string_member (seq, "strategy"), ==, "sequential");
  g_assert_cmpint (json_object_get_int_member (seq, "runs"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (threads, "finished"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (summary, 2), "runs"), ==, 1);

  for (guint g = 0; g < 2; g++)
    {
      JsonObject *wall = json_object_get_object_member (json_array_get_object_element (summary, g), "wall_s");
      g_assert_cmpfloat (json_object_get_double_member (wall, "min"), <=, json_object_get_double_member (wall, "median"));
      g_assert_cmpfloat (json_object_get_double_member (wall, "median"), <=, json_object_get_double_member (wall, "max"));
      g_assert_cmpfloat (json_object_get_double_member (wall, "min"), >=, g == 0 ? 0.04 : 0.02);
    }
  /* The speedup of an experiment is of the medians, against the
   * sequential experiment of the same task. */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (threads, "speedup"),
                                  median_wall (seq) / median_wall (threads), 1e-9);
  g_assert_cmpfloat (json_object_get_double_member (seq, "speedup"), ==, 1.0);
  /* No loop did the 30 ms sleeps: no speedup for them, in the summary
   * nor for the run itself. */
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (array, 4), "speedup"), ==, 0.0);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (array, 3), "speedup"), >, 0.0);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (summary, 2), "speedup"), ==, 0.0);
}

static void
test_repeats_in_table (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *single = NULL, *repeated = NULL;
  g_auto(GStrv) lines = NULL;

  g_ptr_array_add (runs, sleep_run (LAB_STRATEGY_THREADS, "0.01"));
  single = lab_report_format ((LabRun **) runs->pdata, 1, LAB_REPORT_TABLE);
  g_assert_null (strstr (single, "Min"));

  g_ptr_array_add (runs, sleep_run (LAB_STRATEGY_THREADS, "0.01"));
  g_ptr_array_add (runs, sleep_run (LAB_STRATEGY_THREAD_POOL, "0.01"));
  repeated = lab_report_format ((LabRun **) runs->pdata, runs->len, LAB_REPORT_TABLE);
  lines = g_strsplit (repeated, "\n", -1);
  g_assert_nonnull (strstr (lines[0], "Repeats"));
  g_assert_nonnull (strstr (lines[0], "Min"));
  g_assert_nonnull (strstr (lines[0], "Max"));
  /* One row per experiment: threads twice, the pool once. */
  g_assert_true (g_str_has_prefix (lines[1], "sleep     threads "));
  g_assert_nonnull (strstr (lines[1], "       2  "));
  g_assert_true (g_str_has_prefix (lines[2], "sleep     thread-pool "));
  g_assert_cmpstr (lines[3], ==, "");
  g_assert_nonnull (strstr (lines[4], "median"));
}

static JsonNode *
report_json (GPtrArray *runs)
{
  g_autofree char *text = lab_report_format ((LabRun **) runs->pdata, runs->len, LAB_REPORT_JSON);
  g_autoptr(GError) error = NULL;
  JsonNode *root = json_from_string (text, &error);

  g_assert_no_error (error);
  return root;
}

/* A strategy run with several worker counts gets a scaling entry: its
 * speedups are the summary's, against sequential when there is one, or
 * else against its own run on one worker. */
static void
test_scaling (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonNode) with_seq = NULL, without_seq = NULL;
  JsonArray *scaling, *summary, *points;
  JsonObject *entry;

  g_ptr_array_add (runs, sleep_run_on (LAB_STRATEGY_THREAD_POOL, 1, "0.01, 0.01"));
  g_ptr_array_add (runs, sleep_run_on (LAB_STRATEGY_THREAD_POOL, 2, "0.01, 0.01"));
  g_ptr_array_add (runs, sleep_run_on (LAB_STRATEGY_THREADS, 2, "0.01, 0.01"));
  without_seq = report_json (runs);
  scaling = json_object_get_array_member (json_node_get_object (without_seq), "scaling");
  /* threads ran on one worker count only. */
  g_assert_cmpuint (json_array_get_length (scaling), ==, 1);
  entry = json_array_get_object_element (scaling, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "strategy"), ==, "thread-pool");
  g_assert_cmpstr (json_object_get_string_member (entry, "reference"), ==, "1 worker");
  points = json_object_get_array_member (entry, "points");
  g_assert_cmpuint (json_array_get_length (points), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (points, 0), "workers"), ==, 1);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (points, 0), "speedup"), ==, 1.0);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (points, 1), "workers"), ==, 2);

  /* Four workers asked for two jobs run as two: still one point at 2. */
  g_ptr_array_add (runs, sleep_run_on (LAB_STRATEGY_THREAD_POOL, 4, "0.01, 0.01"));
  g_clear_pointer (&without_seq, json_node_unref);
  without_seq = report_json (runs);
  scaling = json_object_get_array_member (json_node_get_object (without_seq), "scaling");
  points = json_object_get_array_member (json_array_get_object_element (scaling, 0), "points");
  g_assert_cmpuint (json_array_get_length (points), ==, 2);
  g_ptr_array_remove_index (runs, runs->len - 1);

  g_ptr_array_add (runs, sleep_run (LAB_STRATEGY_SEQUENTIAL, "0.01, 0.01"));
  with_seq = report_json (runs);
  scaling = json_object_get_array_member (json_node_get_object (with_seq), "scaling");
  summary = json_object_get_array_member (json_node_get_object (with_seq), "summary");
  entry = json_array_get_object_element (scaling, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "reference"), ==, "sequential");
  points = json_object_get_array_member (entry, "points");
  for (guint i = 0; i < 2; i++)
    g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (points, i), "speedup"), ==,
                       json_object_get_double_member (json_array_get_object_element (summary, i), "speedup"));
  g_assert_true (json_object_has_member (entry, "serial_fraction"));
}

int
main (int argc, char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/report/stats", test_stats);
  g_test_add_func ("/report/outliers", test_outliers);
  g_test_add_func ("/report/repeats-in-json", test_repeats_in_json);
  g_test_add_func ("/report/repeats-in-table", test_repeats_in_table);
  g_test_add_func ("/report/amdahl", test_amdahl);
  g_test_add_func ("/report/scaling", test_scaling);

  return g_test_run ();
}
