/* test-report.c — figures of repeated runs: median, spread, outliers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <json-glib/json-glib.h>

#include "lab-report.h"
#include "lab-test-util.h"

/* Made-up runs: a report is a function of the figures, not of the clock. */
static LabRun *
sleep_run_on (const char  *strategy,
              guint        workers,
              const char  *seconds,
              double       wall_s)
{
  g_autofree char *text = g_strdup_printf ("{'seconds': <[%s]>}", seconds);
  g_auto(GStrv) values = g_strsplit (seconds, ",", -1);

  return lab_test_fake_run ("sleep", strategy, MAX (workers, 1), text, g_strv_length (values), wall_s, 0.001);
}

static LabRun *
sleep_run (const char  *strategy,
           const char  *seconds,
           double       wall_s)
{
  return sleep_run_on (strategy, lab_strategy_is_loop (lab_strategy_lookup (strategy)) ? 1 : 2, seconds, wall_s);
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

  g_ptr_array_add (runs, sleep_run ("sequential", "0.02, 0.02", 0.041));
  g_ptr_array_add (runs, sleep_run ("threads", "0.02, 0.02", 0.021));
  g_ptr_array_add (runs, sleep_run ("sequential", "0.02, 0.02", 0.043));
  g_ptr_array_add (runs, sleep_run ("threads", "0.02, 0.02", 0.022));
  g_ptr_array_add (runs, sleep_run ("threads", "0.03, 0.03", 0.031));

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
      g_assert_cmpfloat (json_object_get_double_member (wall, "min"), ==, g == 0 ? 0.041 : 0.021);
      g_assert_cmpfloat (json_object_get_double_member (wall, "max"), ==, g == 0 ? 0.043 : 0.022);
      /* Of two runs, the mean of the two. */
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (wall, "median"), g == 0 ? 0.042 : 0.0215, 1e-12);
    }
  /* The speedup of an experiment is of the medians, against the
   * sequential experiment of the same task. */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (threads, "speedup"),
                                  median_wall (seq) / median_wall (threads), 1e-9);
  g_assert_cmpfloat (json_object_get_double_member (seq, "speedup"), ==, 1.0);
  /* No loop did the 30 ms sleeps: no speedup for them, in the summary
   * nor for the run itself. */
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (array, 4), "speedup"), ==, 0.0);
  /* A run's own speedup is against the last loop before it. */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_array_get_object_element (array, 3), "speedup"),
                                  0.043 / 0.022, 1e-9);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (summary, 2), "speedup"), ==, 0.0);
}

static void
test_repeats_in_table (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *single = NULL, *repeated = NULL;
  g_auto(GStrv) lines = NULL;

  g_ptr_array_add (runs, sleep_run ("threads", "0.01", 0.0101));
  single = lab_report_format ((LabRun **) runs->pdata, 1, LAB_REPORT_TABLE);
  g_assert_null (strstr (single, "Min"));

  g_ptr_array_add (runs, sleep_run ("threads", "0.01", 0.0102));
  g_ptr_array_add (runs, sleep_run ("thread-pool", "0.01", 0.0103));
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

/* Amdahl's serial fraction of @entry: 0.5 for 4/3 as fast on two workers
 * (1/S = s + (1 - s) / 2), where two workers are not more than the cores;
 * with one core, no point can be fitted: null. */
static void
assert_half_serial (JsonObject *entry)
{
  JsonNode *fraction = json_object_get_member (entry, "serial_fraction");

  g_assert_nonnull (fraction);
  if (lab_usable_cores () < 2)
    g_assert_true (JSON_NODE_HOLDS_NULL (fraction));
  else
    g_assert_cmpfloat_with_epsilon (json_node_get_double (fraction), 0.5, 1e-9);
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

  g_ptr_array_add (runs, sleep_run_on ("thread-pool", 1, "0.01, 0.01", 0.020));
  g_ptr_array_add (runs, sleep_run_on ("thread-pool", 2, "0.01, 0.01", 0.015));
  g_ptr_array_add (runs, sleep_run_on ("threads", 2, "0.01, 0.01", 0.010));
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
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_array_get_object_element (points, 1), "speedup"),
                                  0.020 / 0.015, 1e-9);
  assert_half_serial (entry);

  /* A repeat at a count already seen is still one point. */
  g_ptr_array_add (runs, sleep_run_on ("thread-pool", 2, "0.01, 0.01", 0.016));
  g_clear_pointer (&without_seq, json_node_unref);
  without_seq = report_json (runs);
  scaling = json_object_get_array_member (json_node_get_object (without_seq), "scaling");
  points = json_object_get_array_member (json_array_get_object_element (scaling, 0), "points");
  g_assert_cmpuint (json_array_get_length (points), ==, 2);
  g_ptr_array_remove_index (runs, runs->len - 1);

  g_ptr_array_add (runs, sleep_run ("sequential", "0.01, 0.01", 0.020));
  with_seq = report_json (runs);
  scaling = json_object_get_array_member (json_node_get_object (with_seq), "scaling");
  summary = json_object_get_array_member (json_node_get_object (with_seq), "summary");
  entry = json_array_get_object_element (scaling, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "reference"), ==, "sequential");
  points = json_object_get_array_member (entry, "points");
  for (guint i = 0; i < 2; i++)
    g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (points, i), "speedup"), ==,
                       json_object_get_double_member (json_array_get_object_element (summary, i), "speedup"));
  /* The sequential run took as long as the one on one worker: the same
   * speedups, the same serial part. */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_array_get_object_element (points, 1), "speedup"),
                                  0.020 / 0.015, 1e-9);
  assert_half_serial (entry);
}

/* A run of @n jobs whose job @failed failed with @message and whose job
 * @unfinished never ended (it is left out of job_results). */
static LabRun *
run_with_jobs (const char *strategy,
               guint       workers,
               guint       n,
               int         failed,
               const char *message,
               int         unfinished)
{
  g_autoptr(LabRunConfig) config = lab_test_config ("sleep", strategy, workers, NULL);
  g_autofree LabJobRecord *jobs = g_new0 (LabJobRecord, n);
  LabRunSummary sum = { .wall_ns = 20000000 * n / workers, .user_ns = 1000000, .n_jobs = n,
                        .n_done = n, .workers = workers, .peak_rss_kb = 1000 };

  for (guint i = 0; i < n; i++)
    {
      jobs[i].lane = i % workers;
      jobs[i].start_ns = jobs[i].dispatch_ns = (i / workers) * 20000000;
      jobs[i].end_ns = jobs[i].back_ns = jobs[i].start_ns + 20000000;
      jobs[i].worker = 1000 + jobs[i].lane;
      jobs[i].state = (int) i == unfinished ? LAB_JOB_PENDING
                      : (int) i == failed ? LAB_JOB_FAILED : LAB_JOB_OK;
      jobs[i].error = (int) i == failed ? (char *) message : NULL;
    }
  return lab_run_new_from_records (config, LAB_RUN_FINISHED, &sum, jobs, n, NULL, 0);
}

/* The JSON report is written a piece at a time (a run, each job, the
 * summary): it must be exactly what json-glib's pretty generator writes
 * for the whole document, whatever the strings in it, and keep every
 * finished job. */
static void
test_json_pieces (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL, *again = NULL, *whole = NULL;
  JsonArray *array, *jobs;
  const guint expected_jobs[] = { 2, 3, 4, 0 };

  g_ptr_array_add (runs, run_with_jobs ("sequential", 1, 3, 0, "bad \"quote\"\n\tline \\ and \xff byte", 2));
  g_ptr_array_add (runs, run_with_jobs ("thread-pool", 1, 3, -1, NULL, -1));
  g_ptr_array_add (runs, run_with_jobs ("thread-pool", 2, 4, 3, "    \"job_results\" : [", -1));
  g_ptr_array_add (runs, run_with_jobs ("threads", 1, 1, -1, NULL, 0));

  text = lab_report_format ((LabRun **) runs->pdata, runs->len, LAB_REPORT_JSON);
  root = json_from_string (text, &error);
  g_assert_no_error (error);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  again = json_generator_to_data (gen, NULL);
  whole = g_strconcat (again, "\n", NULL);
  g_assert_cmpstr (text, ==, whole);

  array = json_object_get_array_member (json_node_get_object (root), "runs");
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (expected_jobs));
  for (guint i = 0; i < G_N_ELEMENTS (expected_jobs); i++)
    {
      jobs = json_object_get_array_member (json_array_get_object_element (array, i), "job_results");
      g_assert_cmpuint (json_array_get_length (jobs), ==, expected_jobs[i]);
    }
  jobs = json_object_get_array_member (json_array_get_object_element (array, 0), "job_results");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (jobs, 0), "error"), ==,
                   "bad \"quote\"\n\tline \\ and \xef\xbf\xbd byte");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_array_get_object_element (jobs, 1), "error")));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (jobs, 1), "index"), ==, 1);
  /* thread-pool on 1 and 2 workers: a scaling entry, after the summary. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root), "scaling")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root), "summary")), ==, 4);

  /* No run at all: the same. */
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&whole, g_free);
  g_clear_pointer (&again, g_free);
  g_clear_pointer (&root, json_node_unref);
  text = lab_report_format (NULL, 0, LAB_REPORT_JSON);
  root = json_from_string (text, &error);
  g_assert_no_error (error);
  json_generator_set_root (gen, root);
  again = json_generator_to_data (gen, NULL);
  whole = g_strconcat (again, "\n", NULL);
  g_assert_cmpstr (text, ==, whole);
}

int
main (int argc, char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/report/repeats-in-json", test_repeats_in_json);
  g_test_add_func ("/report/repeats-in-table", test_repeats_in_table);
  g_test_add_func ("/report/scaling", test_scaling);
  g_test_add_func ("/report/json-pieces", test_json_pieces);

  return g_test_run ();
}
