/* test-cli.c — `concurrency-lab run`: output, exit codes, Ctrl+C, faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <json-glib/json-glib.h>

#include "lab-run-config.h"
#include "lab-test-server.h"
#include "lab-test-util.h"

#define ARGV(...) ((const char * const[]) { __VA_ARGS__, NULL })

static JsonObject *
parse_run (const char *out,
           JsonNode  **root_out)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root = json_from_string (out, &error);
  JsonArray *runs;

  g_assert_no_error (error);
  runs = json_object_get_array_member (json_node_get_object (root), "runs");
  g_assert_cmpuint (json_array_get_length (runs), >=, 1);
  *root_out = root;
  return json_array_get_object_element (runs, 0);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
test_json_contract (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  static const char * const run_keys[] = {
    "task", "strategy", "workers", "jobs", "failed", "cancelled", "wall_s", "user_s",
    "sys_s", "cpu_s", "peak_rss_kb", "job_results", NULL
  };
  static const char * const job_keys[] = {
    "index", "worker", "start_s", "end_s", "cpu_s", "ok", "error", NULL
  };
  JsonObject *run;
  JsonArray *jobs;
  int status;

  status = lab_test_run_cli (ARGV ("run", "--task=sleep", "--strategy=sequential",
                                   "--seconds=0.1,0.1", "--format=json"), NULL, &out, &err);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  run = parse_run (out, &root);

  for (guint i = 0; run_keys[i]; i++)
    g_assert_true (json_object_has_member (run, run_keys[i]));
  g_assert_cmpstr (json_object_get_string_member (run, "task"), ==, "sleep");
  g_assert_cmpstr (json_object_get_string_member (run, "strategy"), ==, "sequential");
  g_assert_cmpint (json_object_get_int_member (run, "jobs"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (run, "failed"), ==, 0);
  g_assert_false (json_object_get_boolean_member (run, "cancelled"));

  jobs = json_object_get_array_member (run, "job_results");
  g_assert_cmpuint (json_array_get_length (jobs), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *job = json_array_get_object_element (jobs, i);
      for (guint k = 0; job_keys[k]; k++)
        g_assert_true (json_object_has_member (job, job_keys[k]));
      g_assert_cmpint (json_object_get_int_member (job, "index"), ==, i);
      g_assert_true (json_object_get_boolean_member (job, "ok"));
      g_assert_true (json_object_get_null_member (job, "error"));
      g_assert_true (g_str_has_prefix (json_object_get_string_member (job, "worker"), "thread "));
    }
  /* Sequential: the second job starts when the first ends, and the run
   * lasts until the last one ended. */
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (jobs, 1), "start_s"), >=,
                     json_object_get_double_member (json_array_get_object_element (jobs, 0), "end_s"));
  g_assert_cmpfloat (json_object_get_double_member (run, "wall_s"), >=,
                     json_object_get_double_member (json_array_get_object_element (jobs, 1), "end_s"));
}

static void
test_table_and_csv (void)
{
  g_autofree char *table = NULL, *csv = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=primes", "--size=1000", "--jobs=4",
                                           "--strategy=sequential,thread-pool,process-pool,processes,threads"),
                                     NULL, &table, NULL), ==, 0);
  lines = g_strsplit (table, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 6);
  g_assert_nonnull (strstr (lines[0], "Strategy"));
  g_assert_nonnull (strstr (lines[0], "Wall"));
  g_assert_nonnull (strstr (lines[1], "sequential"));
  g_assert_nonnull (strstr (lines[1], " s "));
  g_assert_nonnull (strstr (lines[5], "threads"));
  /* Aligned: the Wall column ends at the same place on every row. */
  g_assert_cmpint (strstr (lines[1], " s  ") - lines[1], ==, strstr (lines[2], " s  ") - lines[2]);

  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=sleep", "--seconds=0", "--jobs=3",
                                           "--strategy=thread-pool", "-f", "csv"), NULL, &csv, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (csv, "task,strategy,workers,jobs,"));
  g_assert_nonnull (strstr (csv, "\nsleep,thread-pool,"));
}

static void
expect_usage (const char * const *argv,
              const char         *needle)
{
  g_autofree char *out = NULL, *err = NULL;
  int status = lab_test_run_cli (argv, NULL, &out, &err);

  if (status != 2 || strstr (err, needle) == NULL || strchr (err, '\n') != err + strlen (err) - 1)
    g_error ("%s: exit %d, stderr “%s”, wanted one line with “%s”", argv[1], status, err, needle);
  g_assert_cmpstr (out, ==, "");
}

static void
test_bad_usage (void)
{
  expect_usage (ARGV ("run", "--task=nap", "--strategy=threads"), "Unknown task");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=fibers"), "Unknown strategy");
  expect_usage (ARGV ("run", "--strategy=threads"), "--task");
  expect_usage (ARGV ("run", "--task=sleep"), "--strategy");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--workers=0"), "256");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--workers=257"), "256");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--workers=-1"), "--workers");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--workers=two"), "--workers");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--jobs=-5"), "--jobs");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--jobs=0"), "--jobs");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--jobs=99999999999"), "--jobs");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--seconds=-1"), "--seconds");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--seconds=1,x"), "--seconds");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--seconds=nan"), "--seconds");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--seconds="), "--seconds");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--size=10"), "does not apply");
  expect_usage (ARGV ("run", "--task=primes", "--strategy=threads", "--size=abc"), "--size");
  expect_usage (ARGV ("run", "--task=primes", "--strategy=async"), "event loop");
  expect_usage (ARGV ("run", "--task=primes", "--strategy=sequential,async"), "event loop");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--format=xml"), "--format");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "extra"), "extra");
  expect_usage (ARGV ("run", "--no-such-option"), "no-such-option");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--repeat=0"), "--repeat");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--repeat=101"), "100");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--repeat=three"), "--repeat");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--warmup=-1"), "--warmup");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--warmup=101"), "100");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--workers=1,x"), "--workers");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--workers=2,0"), "256");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--workers=1,,2"), "--workers");
  expect_usage (ARGV ("run", "--task=sleep", "--strategy=threads", "--workers=sweeps"), "--workers");
}

static gboolean
has_count (GArray *counts,
           guint   n)
{
  for (guint i = 0; i < counts->len; i++)
    if (g_array_index (counts, guint, i) == n)
      return TRUE;
  return FALSE;
}

/* --workers=sweep: 1, 2, 4… up to twice the cores for each strategy,
 * the sequential run once, and the scaling below the table. */
static void
test_sweep (void)
{
  g_autofree char *out = NULL, *table = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GArray) expected = lab_run_config_sweep_workers ();
  guint cores = g_get_num_processors ();
  JsonArray *runs, *scaling;

  /* Rising from 1 to twice the cores, through every power of two and the cores. */
  g_assert_cmpuint (g_array_index (expected, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (expected, guint, expected->len - 1), ==, MIN (2 * cores, LAB_MAX_WORKERS));
  for (guint i = 1; i < expected->len; i++)
    g_assert_cmpuint (g_array_index (expected, guint, i - 1), <, g_array_index (expected, guint, i));
  for (guint n = 1; n <= 2 * MIN (cores, LAB_MAX_WORKERS); n *= 2)
    g_assert_true (has_count (expected, MIN (n, LAB_MAX_WORKERS)));
  g_assert_true (has_count (expected, MIN (cores, LAB_MAX_WORKERS)));

  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=sleep", "--seconds=0", "--jobs=64",
                                           "--strategy=sequential,thread-pool", "--workers=sweep",
                                           "--format=json"), NULL, &out, NULL), ==, 0);
  parse_run (out, &root);
  runs = json_object_get_array_member (json_node_get_object (root), "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 1 + expected->len);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (runs, 0), "strategy"), ==, "sequential");
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (runs, i + 1), "workers"), ==,
                     MIN (g_array_index (expected, guint, i), 64));
  scaling = json_object_get_array_member (json_node_get_object (root), "scaling");
  g_assert_cmpuint (json_array_get_length (scaling), ==, 1);

  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=primes", "--size=500", "--jobs=4",
                                           "--strategy=thread-pool", "--workers=1,2"), NULL, &table, NULL), ==, 0);
  g_assert_nonnull (strstr (table, "\nScaling"));
  g_assert_nonnull (strstr (table, "thread-pool     1: 1.00×"));
}

/* --repeat: the strategies take turns, warm-up runs are left out, and
 * the summary gives each strategy's median. */
static void
test_repeat (void)
{
  g_autofree char *out = NULL, *err = NULL, *csv = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *runs, *summary;

  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=sleep", "--seconds=0.05", "--jobs=2",
                                           "--strategy=sequential,threads", "--repeat=3", "--warmup=1",
                                           "--format=json"), NULL, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  parse_run (out, &root);
  runs = json_object_get_array_member (json_node_get_object (root), "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      JsonObject *run = json_array_get_object_element (runs, i);
      g_assert_cmpstr (json_object_get_string_member (run, "strategy"), ==, i % 2 ? "threads" : "sequential");
      g_assert_cmpint (json_object_get_int_member (run, "repeat"), ==, i / 2 + 1);
    }
  summary = json_object_get_array_member (json_node_get_object (root), "summary");
  g_assert_cmpuint (json_array_get_length (summary), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (summary, 1), "runs"), ==, 3);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *entry = json_array_get_object_element (summary, i);
      JsonObject *wall = json_object_get_object_member (entry, "wall_s");
      double walls[3];

      /* The figures of the strategy's three runs, sorted. */
      for (guint r = 0; r < 3; r++)
        walls[r] = json_object_get_double_member (json_array_get_object_element (runs, 2 * r + i), "wall_s");
      qsort (walls, 3, sizeof (double), compare_doubles);
      g_assert_cmpint (json_object_get_int_member (entry, "finished"), ==, 3);
      g_assert_cmpfloat (json_object_get_double_member (wall, "min"), ==, walls[0]);
      g_assert_cmpfloat (json_object_get_double_member (wall, "median"), ==, walls[1]);
      g_assert_cmpfloat (json_object_get_double_member (wall, "max"), ==, walls[2]);
    }

  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=primes", "--size=500", "--jobs=2",
                                           "--strategy=thread-pool", "-r", "4", "-f", "csv"), NULL, &csv, NULL), ==, 0);
  lines = g_strsplit (csv, "\n", -1);
  g_assert_nonnull (strstr (lines[0], ",repeat,outlier,"));
  g_assert_true (g_str_has_suffix (lines[0], ",idle_s,stop_s,machine_busy,runtime"));
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  g_assert_true (g_str_has_suffix (lines[1], ",c"));
  g_assert_nonnull (strstr (lines[4], ",4,"));
}

static void
test_help (void)
{
  g_autofree char *top = NULL, *run = NULL;

  g_assert_cmpint (lab_test_run_cli (ARGV ("--help"), NULL, &top, NULL), ==, 0);
  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--help"), NULL, &run, NULL), ==, 0);

  for (const char *text = top; text; text = text == top ? run : NULL)
    {
      static const char * const names[] = {
        "sleep", "primes", "sequential", "threads", "thread-pool", "processes", "process-pool", "async", NULL
      };
      for (guint i = 0; names[i]; i++)
        {
          g_autofree char *line = g_strdup_printf ("\n  %s ", names[i]);
          g_assert_nonnull (strstr (text, line));
        }
    }
  g_assert_nonnull (strstr (run, "--workers"));
  g_assert_nonnull (strstr (run, "Exit status"));
}

/* The command line maps neither GTK nor libadwaita; the window does. The
 * dynamic loader lists every file it maps (LD_DEBUG=files). */
static void
test_no_gtk (void)
{
  static const char * const no_display[] = {
    "LD_DEBUG=files", "DISPLAY=", "WAYLAND_DISPLAY=", "GDK_BACKEND=x11",
    "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent", NULL
  };
  const char * const *commands[] = {
    ARGV ("run", "--task=sleep", "--strategy=sequential", "--seconds=0", "--jobs=1", "--format=json"),
    ARGV ("--help"),
    ARGV ("run", "--help"),
    ARGV ("history", "--format=json"),
    ARGV ("machine", "--format=json"),
  };
  g_autofree char *window_err = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (lab_test_run_cli (commands[i], no_display, NULL, &err), ==, 0);
      g_assert_nonnull (strstr (err, "libglib-2.0"));
      g_assert_null (strstr (err, "libgtk-4"));
      g_assert_null (strstr (err, "libadwaita-1"));
      g_assert_null (strstr (err, "liblab-gui"));
    }

#ifdef LAB_HAVE_GUI
  /* The window's module brings them, and fails without a display. */
  g_assert_cmpint (lab_test_run_cli (ARGV ("--gapplication-service"), no_display, NULL, &window_err), !=, 0);
  g_assert_nonnull (strstr (window_err, "liblab-gui"));
  g_assert_nonnull (strstr (window_err, "libgtk-4"));
#endif
}

static double
get_double_or_inf (JsonObject *object,
                   const char *member)
{
  return json_object_get_null_member (object, member) ? INFINITY : json_object_get_double_member (object, member);
}

/* `machine`: the hardware, every cost with its reference, and the
 * break-even per strategy, in the order of what a job costs them. */
static void
test_machine (void)
{
  g_autofree char *out = NULL, *table = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonArray *costs, *break_even;
  double pool = -1, processes = -1;

  g_assert_cmpint (lab_test_run_cli (ARGV ("machine", "--format=json"), NULL, &out, NULL), ==, 0);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (object, "usable_cores"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "machine"), "usable_cores"),
                   ==, json_object_get_int_member (object, "usable_cores"));

  costs = json_object_get_array_member (object, "costs");
  g_assert_cmpuint (json_array_get_length (costs), ==, 11);
  for (guint i = 0; i < json_array_get_length (costs); i++)
    {
      JsonObject *cost = json_array_get_object_element (costs, i);

      g_assert_cmpfloat (json_object_get_double_member (cost, "median_s"), >, 0);
      g_assert_cmpfloat (json_object_get_double_member (cost, "p10_s"), <=,
                         json_object_get_double_member (cost, "median_s"));
      if (!json_object_get_null_member (cost, "reference"))
        {
          JsonObject *ref = json_object_get_object_member (cost, "reference");

          g_assert_cmpfloat (json_object_get_double_member (ref, "seconds"), >, 0);
          g_assert_cmpuint (strlen (json_object_get_string_member (ref, "source")), >, 10);
          g_assert_cmpfloat (json_object_get_double_member (ref, "ratio"), >, 0);
        }
    }

  break_even = json_object_get_array_member (object, "break_even");
  g_assert_cmpuint (json_array_get_length (break_even), ==, 4);
  for (guint i = 0; i < json_array_get_length (break_even); i++)
    {
      JsonObject *be = json_array_get_object_element (break_even, i);
      const char *name = json_object_get_string_member (be, "strategy");

      g_assert_cmpfloat (json_object_get_double_member (be, "best_speedup"), >=, 1);
      if (g_str_equal (name, "thread-pool"))
        pool = get_double_or_inf (be, "break_even_job_s");
      else if (g_str_equal (name, "processes"))
        processes = get_double_or_inf (be, "break_even_job_s");
    }
  g_assert_cmpfloat (pool, >=, 0);
  if (!LAB_TEST_UNDER_TSAN)
    g_assert_cmpfloat (pool, <, processes);

  g_assert_cmpint (lab_test_run_cli (ARGV ("machine"), NULL, &table, NULL), ==, 0);
  g_assert_nonnull (strstr (table, "ProcessPoolExecutor"));
  g_assert_nonnull (strstr (table, "Break-even"));
}

/* A job-size sweep: a point per size and strategy, speed-ups against the
 * loop, and the break-evens. Only what holds on a busy two-core machine
 * is asserted: on the smallest jobs a process per job is far behind
 * both pools (a fork costs a hundred times a pool's hand-over), and the
 * prediction from the costs orders them by what a job costs each. */
static void
test_size_sweep (void)
{
  const char *names[] = { "thread-pool", "process-pool", "processes" };
  g_autofree char *out = NULL, *table = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  double first_speedup[3], predicted[3];
  JsonArray *granularity;

  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=primes", "--size=1e-5,1e-3,0.03",
                                           "--strategy=thread-pool,process-pool,processes", "--format=json"),
                                     NULL, &out, NULL), ==, 0);
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  granularity = json_object_get_array_member (json_node_get_object (root), "granularity");
  g_assert_cmpuint (json_array_get_length (granularity), ==, 3);
  /* the loop ran at each size too */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root), "runs")),
                    ==, 12);

  for (guint i = 0; i < 3; i++)
    {
      JsonObject *g = json_array_get_object_element (granularity, i);
      JsonArray *points = json_object_get_array_member (g, "points");
      double last = 0;

      g_assert_cmpstr (json_object_get_string_member (g, "strategy"), ==, names[i]);
      g_assert_cmpuint (json_array_get_length (points), ==, 3);
      for (guint k = 0; k < 3; k++)
        {
          JsonObject *p = json_array_get_object_element (points, k);
          double job_s = json_object_get_double_member (p, "job_s");

          g_assert_cmpfloat (job_s, >, last);
          g_assert_cmpfloat (json_object_get_double_member (p, "speedup"), >, 0);
          last = job_s;
        }
      first_speedup[i] = json_object_get_double_member (json_array_get_object_element (points, 0), "speedup");
      g_assert_true (json_object_has_member (g, "break_even_job_s"));
      predicted[i] = get_double_or_inf (g, "predicted_break_even_job_s");
    }
  /* The 10 µs jobs took about that (the calibration holds within 10×). */
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (
                       json_object_get_array_member (json_array_get_object_element (granularity, 0), "points"), 0),
                     "job_s"), <, 1e-4);

  g_assert_cmpfloat (first_speedup[2], <, 1);
  g_assert_cmpfloat (first_speedup[2] * 3, <, first_speedup[0]);
  g_assert_cmpfloat (first_speedup[2] * 3, <, first_speedup[1]);
  if (!LAB_TEST_UNDER_TSAN)
    {
      g_assert_cmpfloat (predicted[0], <=, predicted[2]);
      g_assert_cmpfloat (predicted[1], <=, predicted[2]);
    }

  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=primes", "--size=1e-5,1e-3",
                                           "--strategy=thread-pool"), NULL, &table, NULL), ==, 0);
  g_assert_nonnull (strstr (table, "Speed-up by job size"));
  g_assert_nonnull (strstr (table, "break-even: measured"));
}

static char *
write_script (const char *dir,
              const char *name,
              const char *body)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = g_strconcat ("#!/bin/sh\n", body, "\n", NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpint (chmod (path, 0755), ==, 0);
  return path;
}

/* --gil: the thread strategies take turns; processes are not changed. */
static void
test_gil (void)
{
  g_autofree char *out = NULL, *table = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *runs;

  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=primes", "--size=500", "--jobs=2", "--gil",
                                           "--strategy=threads,process-pool", "--format=json"),
                                     NULL, &out, NULL), ==, 0);
  parse_run (out, &root);
  runs = json_object_get_array_member (json_node_get_object (root), "runs");
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (runs, 0), "gil"));
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (runs, 1), "gil"));

  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=primes", "--size=500", "--jobs=2", "--gil",
                                           "--strategy=thread-pool,processes"), NULL, &table, NULL), ==, 0);
  g_assert_nonnull (strstr (table, "\nprimes    thread-pool+GIL "));
  g_assert_nonnull (strstr (table, "\nprimes    processes "));
}

/* A warm-up run is left out of the figures, not out of the exit status. */
static void
test_warmup_failure (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lab-cli-XXXXXX", NULL);
  g_autofree char *crash = write_script (dir, "crash", "kill -SEGV $$");
  g_autofree char *env = g_strconcat ("LAB_WORKER_PATH=", crash, NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status = lab_test_run_cli (ARGV ("run", "--task=sleep", "--seconds=0", "--jobs=2",
                                       "--strategy=processes", "--warmup=1", "--format=json"),
                                 (const char * const[]) { env, NULL }, &out, &err);

  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "2 jobs failed in a warm-up run of processes"));
  /* The measured run is the only one reported. */
  g_assert_nonnull (strstr (out, "\"repeat\" : 1"));
  g_assert_null (strstr (out, "\"repeat\" : 2"));
  g_unlink (crash);
  g_rmdir (dir);
}

/* A worker that is missing, crashes or writes garbage fails the jobs it
 * had, with a message; the run ends with status 1, never a hang. */
static void
test_worker_faults (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lab-cli-XXXXXX", NULL);
  g_autofree char *crash = write_script (dir, "crash", "kill -SEGV $$");
  g_autofree char *garbage = write_script (dir, "garbage", "printf 'HTTP/1.1 200 OK\\r\\n\\r\\ngarbage'");
  g_autofree char *quits = write_script (dir, "quits", "exit 0");
  g_autofree char *hangs = write_script (dir, "hangs", "exec sleep 3600");
  /* Only the worker that hangs gets a short time to say READY: one that
   * crashes on a busy machine must not be taken for a hung one. */
  struct { const char *path; const char *needle; const char *timeout; } cases[] = {
    { "/nonexistent/concurrency-lab-worker", "Could not start the worker", NULL },
    { crash, "crashed", NULL },
    { garbage, "Malformed frame", NULL },
    { quits, "exited before", NULL },
    { hangs, "did not answer within", "LAB_WORKER_TIMEOUT_MS=300" },
  };
  const char *strategies[] = { "--strategy=processes", "--strategy=process-pool" };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
      {
        g_autofree char *env = g_strconcat ("LAB_WORKER_PATH=", cases[c].path, NULL);
        g_autofree char *out = NULL, *err = NULL;
        int status = lab_test_run_cli (ARGV ("run", "--task=sleep", "--seconds=0", "--jobs=3",
                                             strategies[s], "--format=json"),
                                       (const char * const[]) { env, cases[c].timeout, NULL }, &out, &err);

        g_assert_cmpint (status, ==, 1);
        if (c > 0)
          g_assert_nonnull (strstr (out, "\"failed\" : 3"));
        if (!strstr (out, cases[c].needle) && !strstr (err, cases[c].needle))
          g_error ("%s %s: “%s” not in: %s %s", cases[c].path, strategies[s], cases[c].needle, out, err);
      }

  g_unlink (crash);
  g_unlink (garbage);
  g_unlink (quits);
  g_unlink (hangs);
  g_rmdir (dir);
}

/* Killed with SIGKILL, the app can clean nothing up: its workers, and the
 * fork server's children, must still die with it (they would otherwise
 * run their 20 s jobs, or burn a core on primes, and hold its stderr). */
static void
test_workers_die_with_app (void)
{
  static const struct { const char *task; const char *param; const char *strategy; guint processes; } cases[] = {
    /* The fork server, and a worker forked from it, or a child for a
     * job, for each of two. */
    { "--task=sleep", "--seconds=20", "--strategy=process-pool", 3 },
    { "--task=primes", "--size=100000000", "--strategy=process-pool", 3 },
    { "--task=sleep", "--seconds=20", "--strategy=processes", 3 },
    { "--task=primes", "--size=100000000", "--strategy=processes", 3 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GSubprocess) app = NULL;
      g_autoptr(GArray) workers = NULL;
      GPid pid;

      app = lab_test_spawn_cli (ARGV ("run", cases[c].task, cases[c].param, cases[c].strategy, "--jobs=6",
                                      "--workers=2"), NULL, NULL, NULL);
      pid = atoi (g_subprocess_get_identifier (app));
      if (!lab_test_wait_descendants (pid, cases[c].processes, 30000))
        g_error ("%s %s: the workers did not start within 30 s", cases[c].task, cases[c].strategy);
      workers = lab_test_find_descendants (pid);

      g_subprocess_force_exit (app);
      g_assert_true (lab_test_wait_process (app, 30000));
      if (!lab_test_wait_pids_gone (workers, 30000))
        g_error ("%s %s: %u workers still run 30 s after the app was killed",
                 cases[c].task, cases[c].strategy, workers->len);
    }
}

/* A worker whose parent is not the process that started it (that one
 * died before the worker could watch it) exits at once. */
static void
test_worker_orphaned (void)
{
  g_autofree char *ours = g_strdup_printf ("%d", (int) getpid ());
  const char *parents[] = { "1", ours };
  const int expected[] = { 4, 3 };

  for (guint i = 0; i < G_N_ELEMENTS (parents); i++)
    {
      /* An orphan reads nothing (its stdin is left empty, so that no write
       * can meet a closed pipe); with its right parent, the garbage is a
       * protocol error. */
      gboolean orphan = i == 0;
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new ((orphan ? 0 : G_SUBPROCESS_FLAGS_STDIN_PIPE) |
                                                                           G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                           G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_autoptr(GSubprocess) worker = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) garbage = g_bytes_new_static ("garbage!", 8);

      g_subprocess_launcher_setenv (launcher, "LAB_WORKER_PARENT_PID", parents[i], TRUE);
      worker = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("LAB_WORKER_PATH"), NULL);
      g_assert_no_error (error);
      g_subprocess_communicate (worker, orphan ? NULL : garbage, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (worker));
      g_assert_cmpint (g_subprocess_get_exit_status (worker), ==, expected[i]);
    }
}

/* A READY frame (pid 0), as a fake worker can print it. */
#define READY_FRAME "printf '\\010\\000\\000\\000\\003\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000'"

typedef struct {
  const char *name;
  const char *body;       /* one to be cancelled touches @DIR@/settled once in its hang */
  gboolean    cancel;     /* it would run for ever: Ctrl+C it */
  const char *needle;     /* in the output */
} Misbehaviour;

/* Kills @app and whatever descends from it, before a test fails. */
static void
kill_app (GSubprocess *app)
{
  g_autoptr(GArray) left = lab_test_find_descendants (atoi (g_subprocess_get_identifier (app)));

  for (guint i = 0; i < left->len; i++)
    kill (g_array_index (left, GPid, i), SIGKILL);
  g_subprocess_force_exit (app);
}

/* Fake workers that misbehave on purpose: the run must end, by itself or
 * on Ctrl+C, whatever they do. Never a short deadline: a failure shows as
 * a run still going after a minute, not as a slow one. */
static void
check_misbehaving_worker (const char         *dir,
                          const Misbehaviour *m,
                          const char         *strategy)
{
  g_auto(GStrv) parts = g_strsplit (m->body, "@DIR@", -1);
  g_autofree char *body = g_strjoinv (dir, parts);
  g_autofree char *script = g_build_filename (dir, m->name, NULL);
  g_autofree char *env = g_strconcat ("LAB_WORKER_PATH=", script, NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.json", NULL);
  g_autofree char *settled = g_build_filename (dir, "settled", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) app = NULL;
  gint64 deadline = g_get_monotonic_time () + LAB_TEST_DEADLINE_S * G_USEC_PER_SEC;

  g_unlink (settled);
  g_free (write_script (dir, m->name, body));
  app = lab_test_spawn_cli (ARGV ("run", "--task=sleep", "--seconds=0", "--jobs=3", strategy, "--workers=2",
                                  "--format=json"),
                            (const char * const[]) { env, NULL }, out_path, NULL);
  if (m->cancel)
    {
      /* Once a worker has said what it says and settled into its hang. */
      while (!g_file_test (settled, G_FILE_TEST_EXISTS))
        {
          if (g_get_monotonic_time () > deadline)
            {
              kill_app (app);
              g_error ("%s %s: no worker settled into its hang within %u s", m->name, strategy, LAB_TEST_DEADLINE_S);
            }
          g_usleep (10 * 1000);
        }
      g_subprocess_send_signal (app, SIGINT);
    }
  if (!lab_test_wait_process (app, 60000))
    {
      kill_app (app);
      g_error ("%s %s: the run did not end within 60 s%s", m->name, strategy, m->cancel ? " of Ctrl+C" : "");
    }

  g_assert_true (g_subprocess_get_if_exited (app));
  g_assert_cmpint (g_subprocess_get_exit_status (app), ==, 1);
  g_assert_true (g_file_get_contents (out_path, &out, NULL, NULL));
  if (!strstr (out, m->needle))
    g_error ("%s %s: “%s” not in: %s", m->name, strategy, m->needle, out);
}

static void
kill_listed (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "pids", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (atoi (lines[i]) > 0)
      kill (atoi (lines[i]), SIGKILL);
  g_unlink (path);
}

static void
test_misbehaving_workers (void)
{
  static const Misbehaviour cases[] = {
    /* Closes its output, then stays: killed after the grace period. */
    { "closes-output", "exec 2>/dev/null; exec >&-; trap '' TERM; exec sleep 3600", FALSE,
      "closed its output but did not exit" },
    { "ready-closes-output", "exec 2>/dev/null; " READY_FRAME "; exec >&-; trap '' TERM; exec sleep 3600",
      FALSE, "closed its output but did not exit" },
    /* The same, cancelled before or during its grace period: either way
     * the run ends. */
    { "closes-output-cancelled", "exec 2>/dev/null; exec >&-; trap '' TERM; touch @DIR@/settled; exec sleep 3600",
      TRUE, "\"jobs\" : 3" },
    /* Says READY, then neither reads nor answers nor minds SIGTERM: jobs
     * may run long, so only Ctrl+C ends it, within the grace period. */
    { "ready-hangs", "exec 2>/dev/null; " READY_FRAME "; trap '' TERM; touch @DIR@/settled; exec sleep 3600",
      TRUE, "\"cancelled\" : true" },
    /* Exits while a child of its holds the pipe open: no EOF comes. */
    { "child-holds-pipe", "exec 2>/dev/null; " READY_FRAME "; sleep 3600 & echo $! >> @DIR@/pids; exit 0", FALSE,
      "exited before the job finished" },
  };
  const char *strategies[] = { "--strategy=process-pool", "--strategy=processes" };
  g_autofree char *dir = g_dir_make_tmp ("lab-cli-XXXXXX", NULL);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
      {
        g_test_message ("%s %s", cases[c].name, strategies[s]);
        check_misbehaving_worker (dir, &cases[c], strategies[s]);
        kill_listed (dir);
      }
  lab_test_remove_tree (dir);
}

/* Whether a process still runs @exe. */
static gboolean
runs_exe (const char *exe)
{
  g_autoptr(GDir) proc_dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (proc_dir)) != NULL)
    {
      g_autofree char *link = g_strdup_printf ("/proc/%s/exe", name);
      g_autofree char *target = g_file_read_link (link, NULL);

      if (g_strcmp0 (target, exe) == 0 && lab_test_pid_alive (atoi (name)))
        return TRUE;
    }
  return FALSE;
}

static JsonObject *
job_result (JsonObject *run,
            guint       index)
{
  JsonArray *jobs = json_object_get_array_member (run, "job_results");

  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      JsonObject *job = json_array_get_object_element (jobs, i);

      if (json_object_get_int_member (job, "index") == index)
        return job;
    }
  return NULL;
}

/* Ctrl+C: the run is cancelled cleanly, what finished is printed, exit 1,
 * and no worker process survives. One worker takes the jobs in turn: two
 * photos (each late enough that a process pool sends them one at a
 * time), then two requests the server holds for ever. Once the first of
 * those has come, the two photos are back in the app, whatever the
 * machine's load: that is when Ctrl+C comes. */
static void
check_interrupt (const char *strategy)
{
  g_autoptr(LabTestHttp) http = lab_test_http_new ();
  g_autofree char *dir = g_dir_make_tmp ("lab-cli-XXXXXX", NULL);
  g_autofree char *worker = g_build_filename (dir, "concurrency-lab-worker", NULL);
  g_autofree char *list = g_build_filename (dir, "urls.txt", NULL);
  g_autofree char *photos = g_build_filename (dir, "photos", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.json", NULL);
  g_autofree char *err_path = g_build_filename (dir, "err.txt", NULL);
  g_autofree char *env = g_strconcat ("LAB_WORKER_PATH=", worker, NULL);
  g_autofree char *urls_arg = g_strconcat ("--urls=", list, NULL);
  g_autofree char *output_arg = g_strconcat ("--output=", photos, NULL);
  const char *paths[] = { "/late/a.jpg", "/late/b.jpg", "/hold/c.jpg", "/hold/d.jpg" };
  g_autoptr(GString) urls = g_string_new (NULL);
  g_autofree char *contents = NULL, *out = NULL, *err = NULL;
  g_autoptr(GSubprocess) app = NULL;
  g_autoptr(GArray) workers = NULL;
  g_autoptr(JsonNode) root = NULL;
  gint64 deadline = g_get_monotonic_time () + LAB_TEST_DEADLINE_S * G_USEC_PER_SEC;
  JsonObject *run, *job;
  gsize len;

  /* A private copy of the worker, so that survivors can be found by path. */
  g_assert_true (g_file_get_contents (g_getenv ("LAB_WORKER_PATH"), &contents, &len, NULL));
  g_assert_true (g_file_set_contents (worker, contents, len, NULL));
  g_assert_cmpint (chmod (worker, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *url = lab_test_http_get_url (http, paths[i]);
      g_string_append_printf (urls, "%s\n", url);
    }
  g_assert_true (g_file_set_contents (list, urls->str, -1, NULL));

  app = lab_test_spawn_cli (ARGV ("run", "--task=download", urls_arg, output_arg, "--timeout=3600", strategy,
                                  "--workers=1", "--format=json"),
                            (const char * const[]) { env, NULL }, out_path, err_path);
  while (lab_test_http_get_held (http) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        {
          kill_app (app);
          g_error ("%s: no job reached the held photos within %u s", strategy, LAB_TEST_DEADLINE_S);
        }
      g_usleep (10 * 1000);
    }
  workers = lab_test_find_descendants (atoi (g_subprocess_get_identifier (app)));
  g_subprocess_send_signal (app, SIGINT);
  if (!lab_test_wait_process (app, LAB_TEST_DEADLINE_S * 1000))
    {
      kill_app (app);
      g_error ("%s: the run did not end within %u s of Ctrl+C", strategy, LAB_TEST_DEADLINE_S);
    }

  g_assert_true (g_subprocess_get_if_exited (app));
  g_assert_cmpint (g_subprocess_get_exit_status (app), ==, 1);
  g_assert_true (g_file_get_contents (err_path, &err, NULL, NULL));
  g_assert_nonnull (strstr (err, "interrupted"));
  g_assert_true (g_file_get_contents (out_path, &out, NULL, NULL));
  run = parse_run (out, &root);
  g_assert_true (json_object_get_boolean_member (run, "cancelled"));
  /* What finished is there, and only that. */
  for (guint i = 0; i < 2; i++)
    {
      g_assert_nonnull ((job = job_result (run, i)));
      g_assert_true (json_object_get_boolean_member (job, "ok"));
    }
  g_assert_nonnull ((job = job_result (run, 2)));
  g_assert_false (json_object_get_boolean_member (job, "ok"));
  g_assert_cmpstr (json_object_get_string_member (job, "error"), ==, "Cancelled");
  job = job_result (run, 3);
  g_assert_true (job == NULL || !json_object_get_boolean_member (job, "ok"));
  g_assert_cmpuint (lab_test_count_entries (photos), ==, 2);

  /* No worker survives, under any name. */
  if (!lab_test_wait_pids_gone (workers, LAB_TEST_DEADLINE_S * 1000))
    g_error ("%s: workers still run %u s after the app ended", strategy, LAB_TEST_DEADLINE_S);
  g_assert_false (runs_exe (worker));

  lab_test_remove_tree (dir);
}

static void
test_interrupt (void)
{
  check_interrupt ("--strategy=threads");
  check_interrupt ("--strategy=processes");
  check_interrupt ("--strategy=process-pool");
}

/* `run` starts in a few milliseconds because it loads GLib and GObject
 * alone: the history (SQLite), JSON and GIO are in the lab-extras module,
 * loaded by the commands that need it. LD_DEBUG=files names every library
 * a process loads. */
static const char * const heavy_libraries[] = { "libgio-2.0", "libjson-glib-1.0", "libsqlite3", "liblab-extras" };

static void
test_run_loads_little (void)
{
  static const char * const debug[] = { "LD_DEBUG=files", NULL };
  const char * const *light[] = {
    ARGV ("run", "--task=sleep", "--strategy=sequential", "--seconds=0", "--jobs=1"),
    ARGV ("run", "--task=primes", "--strategy=thread-pool,process-pool", "--size=1000", "--format=csv"),
    ARGV ("run", "--task=sleep", "--strategy=sequential,threads", "--seconds=0", "--jobs=2", "--repeat=2"),
  };
  const char * const *heavy[] = {
    ARGV ("run", "--task=sleep", "--strategy=sequential", "--seconds=0", "--jobs=1", "--format=json"),
    ARGV ("history", "--format=json"),
  };
  g_autofree char *needs = NULL;
  const char *readelf[] = { "readelf", "-d", g_getenv ("LAB_CLI_PATH"), NULL };
  int status;

  for (guint i = 0; i < G_N_ELEMENTS (light); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (lab_test_run_cli (light[i], debug, NULL, &err), ==, 0);
      g_assert_nonnull (strstr (err, "libgobject-2.0"));
      for (guint k = 0; k < G_N_ELEMENTS (heavy_libraries); k++)
        if (strstr (err, heavy_libraries[k]) != NULL)
          g_error ("“%s” loaded %s", light[i][1], heavy_libraries[k]);
    }
  /* The check sees them where they are loaded. */
  for (guint i = 0; i < G_N_ELEMENTS (heavy); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (lab_test_run_cli (heavy[i], debug, NULL, &err), ==, 0);
      for (guint k = 0; k < G_N_ELEMENTS (heavy_libraries); k++)
        g_assert_nonnull (strstr (err, heavy_libraries[k]));
    }

  /* Nor does the program link them itself. */
  g_assert_true (g_spawn_sync (NULL, (char **) readelf, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &needs, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (needs, "libglib-2.0"));
  for (guint k = 0; k < G_N_ELEMENTS (heavy_libraries); k++)
    g_assert_null (strstr (needs, heavy_libraries[k]));
}

/* Without the lab-extras module (a broken installation), what needs it
 * says why, before anything runs; the rest works. */
static void
test_extras_missing (void)
{
  static const char * const missing[] = { "LAB_EXTRAS_MODULE_DIR=/nonexistent", NULL };
  const char * const *needing[] = {
    ARGV ("run", "--task=sleep", "--strategy=sequential", "--seconds=0", "--jobs=1", "--format=json"),
    ARGV ("run", "--task=sleep", "--strategy=sequential", "--seconds=0", "--jobs=1", "--save"),
    ARGV ("run", "--task=sleep", "--strategy=sequential", "--seconds=0", "--jobs=1", "--baseline=1"),
    ARGV ("run", "--task=sleep", "--strategy=sequential", "--seconds=0", "--jobs=1", "--runtime=python"),
    ARGV ("run", "--task=primes", "--size=1e-5,1e-4", "--strategy=thread-pool"),
    ARGV ("history"),
    ARGV ("export", "--run=1"),
    ARGV ("machine"),
  };
  g_autofree char *out = NULL, *err = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (needing); i++)
    {
      g_autofree char *command_out = NULL, *command_err = NULL;

      g_assert_cmpint (lab_test_run_cli (needing[i], missing, &command_out, &command_err), ==, 1);
      g_assert_cmpstr (command_out, ==, "");
      g_assert_nonnull (strstr (command_err, "Could not load the lab-extras module"));
      g_assert_nonnull (strstr (command_err, "/nonexistent/liblab-extras.so"));
      g_assert_null (strstr (command_err, "CRITICAL"));
    }

  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=sleep", "--strategy=sequential", "--seconds=0", "--jobs=2", "--format=csv"),
                                     missing, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "sleep,sequential"));
  g_assert_cmpstr (err, ==, "");
}

static void
test_failed_status (void)
{
  /* Exit status 0 is "every job succeeded": a successful run says so. */
  g_assert_cmpint (lab_test_run_cli (ARGV ("run", "--task=sleep", "--strategy=threads", "--seconds=0"),
                                     NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (lab_test_run_cli (ARGV ("--version"), NULL, NULL, NULL), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/cli/json-contract", test_json_contract);
  g_test_add_func ("/cli/table-and-csv", test_table_and_csv);
  g_test_add_func ("/cli/bad-usage", test_bad_usage);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/no-gtk", test_no_gtk);
  g_test_add_func ("/cli/run-loads-little", test_run_loads_little);
  g_test_add_func ("/cli/extras-missing", test_extras_missing);
  g_test_add_func ("/cli/machine", test_machine);
  g_test_add_func ("/cli/size-sweep", test_size_sweep);
  g_test_add_func ("/cli/worker-faults", test_worker_faults);
  g_test_add_func ("/cli/interrupt", test_interrupt);
  g_test_add_func ("/cli/workers-die-with-app", test_workers_die_with_app);
  g_test_add_func ("/cli/worker-orphaned", test_worker_orphaned);
  g_test_add_func ("/cli/misbehaving-workers", test_misbehaving_workers);
  g_test_add_func ("/cli/repeat", test_repeat);
  g_test_add_func ("/cli/sweep", test_sweep);
  g_test_add_func ("/cli/gil", test_gil);
  g_test_add_func ("/cli/warmup-failure", test_warmup_failure);
  g_test_add_func ("/cli/exit-status", test_failed_status);

  return g_test_run ();
}
