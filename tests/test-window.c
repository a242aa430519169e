/* test-window.c — the main window: build, lessons, run, cancel, parameters, one selection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "lab-comparison-chart.h"
#include "lab-cpu-chart.h"
#include "lab-preferences-window.h"
#include "lab-run-row.h"
#include "lab-scaling-chart.h"
#include "lab-error.h"
#include "lab-experiment-panel.h"
#include "lab-files.h"
#include "lab-format.h"
#include "lab-history.h"
#include "lab-test-util.h"
#include "lab-timeline.h"
#include "lab-window.h"

typedef gboolean (*Condition) (LabWindow *window);

/* Iterates the main loop until @cond holds. The deadline is a hang guard,
 * never a measure: the test fails, naming @cond, after LAB_TEST_DEADLINE_S. */
#define wait_for(window, cond) wait_for_named (window, cond, #cond)

static void
wait_for_named (LabWindow  *window,
                Condition   cond,
                const char *name)
{
  gint64 deadline = g_get_monotonic_time () + LAB_TEST_DEADLINE_S * G_USEC_PER_SEC;

  while (!cond (window))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%s did not hold within %u s", name, LAB_TEST_DEADLINE_S);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
is_idle (LabWindow *window)
{
  return !lab_window_is_running (window);
}

static gboolean
is_mapped (LabWindow *window)
{
  return gtk_widget_get_mapped (GTK_WIDGET (window));
}

/* Dispatches what is ready now: no waiting for anything to come. */
static void
drain (void)
{
  for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static gboolean painted;

static void
painted_cb (GdkFrameClock *clock,
            gpointer       data)
{
  painted = TRUE;
}

static gboolean
has_painted (LabWindow *window)
{
  return painted;
}

/* Lets the window catch up, by events rather than time: a frame laid out
 * and painted (styles and sizes current), then whatever that queued. */
static void
settle (LabWindow *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (painted_cb), NULL);

  painted = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (window));
  wait_for (window, has_painted);
  g_signal_handler_disconnect (clock, id);
  drain ();
}

static LabWindow *
window_new (void)
{
  LabWindow *window = g_object_new (LAB_TYPE_WINDOW, NULL);

  gtk_window_present (GTK_WINDOW (window));
  wait_for (window, is_mapped);
  return window;
}

static void
window_free (LabWindow *window)
{
  wait_for (window, is_idle);
  gtk_window_destroy (GTK_WINDOW (window));
  drain ();
}

static gboolean
action_enabled (LabWindow  *window,
                const char *name)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (window), name);
}

static void
set_experiment (LabExperimentPanel *panel,
                const char         *seconds,
                guint               jobs,
                const char         *strategy,
                guint               workers)
{
  g_assert_true (lab_experiment_panel_set_task (panel, "sleep"));
  lab_experiment_panel_set_seconds (panel, seconds);
  lab_experiment_panel_set_jobs (panel, jobs);
  if (strategy != NULL)
    lab_experiment_panel_set_strategy (panel, strategy);
  lab_experiment_panel_set_workers (panel, workers);
}

static void
test_window_builds (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Concurrency Lab");
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 0);
  g_assert_false (lab_window_is_running (window));
  g_assert_true (action_enabled (window, "run"));
  g_assert_false (action_enabled (window, "cancel"));
  g_assert_false (action_enabled (window, "export"));
  g_assert_false (action_enabled (window, "save-chart"));
  for (guint kind = 0; kind < LAB_N_CHARTS; kind++)
    g_assert_false (gtk_widget_get_sensitive (lab_window_get_chart_button (window, kind)));
  g_assert_cmpuint (lab_window_get_n_experiments (window), ==, 0);
  g_assert_nonnull (lab_experiment_panel_get_task (panel));
  settle (window);

  window_free (window);
}

static gboolean
strv_is (GStrv       strv,
         const char *joined)
{
  g_autofree char *text = g_strjoinv (",", strv);

  if (!g_str_equal (text, joined))
    g_printerr ("strategies: %s, expected %s\n", text, joined);
  return g_str_equal (text, joined);
}

/* A lesson sets every parameter it depends on, and the strategies it
 * compares, the plain loop first. */
static void
test_window_lessons (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  g_auto(GStrv) ten = NULL, pool = NULL, gil = NULL, primes = NULL;
  guint n_lessons;
  const LabLesson * const *lessons = lab_lesson_list (&n_lessons);

  /* A changed parameter the lesson does not name is put back. */
  g_assert_true (lab_experiment_panel_set_task (panel, "sleep"));
  lab_experiment_panel_set_seconds (panel, "9, 9");
  lab_experiment_panel_set_sweep (panel, TRUE);
  lab_experiment_panel_set_repeats (panel, 2);

  g_assert_true (lab_experiment_panel_apply_lesson (panel, "ten-threads"));
  g_assert_cmpstr (lab_experiment_panel_get_task (panel), ==, "sleep");
  ten = lab_experiment_panel_dup_strategies (panel);
  g_assert_true (strv_is (ten, "sequential,threads"));
  g_assert_cmpuint (lab_experiment_panel_get_jobs (panel), ==, 10);
  g_assert_false (lab_experiment_panel_get_sweep (panel));
  /* Repeats are the user's: the lesson is repeated, and still the lesson. */
  g_assert_cmpuint (lab_experiment_panel_get_repeats (panel), ==, 2);
  g_assert_true (lab_experiment_panel_lesson_matches (panel));
  g_assert_true (lab_experiment_panel_get_lesson (panel) == lab_lesson_lookup ("ten-threads"));
  lab_experiment_panel_set_repeats (panel, 1);
  g_assert_true (lab_experiment_panel_lesson_matches (panel));

  g_assert_true (lab_experiment_panel_apply_lesson (panel, "thread-pool"));   /* 5, 4, 3, 2, 1 s */
  pool = lab_experiment_panel_dup_strategies (panel);
  g_assert_true (strv_is (pool, "sequential,thread-pool"));
  g_assert_cmpuint (lab_experiment_panel_get_workers (panel), ==, 5);
  g_assert_cmpuint (lab_experiment_panel_get_jobs (panel), ==, 5);

  g_assert_true (lab_experiment_panel_apply_lesson (panel, "python-gil"));
  gil = lab_experiment_panel_dup_strategies (panel);
  g_assert_true (strv_is (gil, "sequential,threads,process-pool"));
  g_assert_true (lab_experiment_panel_get_gil (panel));

  /* Count Primes: the loop is part of the lesson, and the GIL is off again. */
  g_assert_true (lab_experiment_panel_apply_lesson (panel, "primes"));
  g_assert_cmpstr (lab_experiment_panel_get_task (panel), ==, "primes");
  primes = lab_experiment_panel_dup_strategies (panel);
  g_assert_true (strv_is (primes, "sequential,thread-pool,process-pool"));
  g_assert_false (lab_experiment_panel_get_gil (panel));
  g_assert_true (lab_experiment_panel_lesson_matches (panel));

  /* Changing a setting: the card says the settings are no longer the lesson's. */
  lab_experiment_panel_set_jobs (panel, 3);
  g_assert_false (lab_experiment_panel_lesson_matches (panel));
  g_assert_true (lab_experiment_panel_get_lesson (panel) == lab_lesson_lookup ("primes"));
  g_assert_true (lab_experiment_panel_apply_lesson (panel, "primes"));
  g_assert_true (lab_experiment_panel_lesson_matches (panel));
  g_assert_true (lab_experiment_panel_set_task (panel, "sleep"));
  g_assert_false (lab_experiment_panel_lesson_matches (panel));

  /* The task modules are built for the tests: every lesson can run. */
  for (guint i = 0; i < n_lessons; i++)
    g_assert_true (lab_experiment_panel_lesson_is_available (panel, lessons[i]->id));
  g_assert_false (lab_experiment_panel_apply_lesson (panel, "no-such-lesson"));
  g_assert_cmpstr (lab_experiment_panel_get_task (panel), ==, "sleep");

  window_free (window);
}

static gboolean
has_outcome (LabWindow *window)
{
  return !lab_window_is_running (window) &&
         lab_experiment_panel_get_outcome (lab_window_get_experiment_panel (window)) != NULL;
}

/* One press runs the lesson's whole experiment, the loop and the
 * strategy, and then says what was expected beside what was measured. */
static void
test_window_lesson_runs (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  LabComparisonChart *comparison = LAB_COMPARISON_CHART (lab_window_get_comparison_chart (window));
  const char *outcome;

  g_assert_true (lab_experiment_panel_apply_lesson (panel, "two-threads"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, has_outcome);
  settle (window);

  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 2);
  g_assert_true (lab_strategy_is_loop (lab_run_get_config (lab_window_get_run (window, 0))->strategy));
  g_assert_cmpstr (lab_run_get_config (lab_window_get_run (window, 1))->strategy->name, ==, "threads");
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (lab_run_get_state (lab_window_get_run (window, i)), ==, LAB_RUN_FINISHED);
      g_assert_cmpuint (lab_run_get_n_jobs (lab_window_get_run (window, i)), ==, 2);
    }
  g_assert_cmpuint (lab_window_get_n_experiments (window), ==, 1);
  g_assert_cmpuint (lab_comparison_chart_get_n_rows (comparison), ==, 2);

  /* "expected about 1.00 s, measured 1.00 s": both numbers are there. */
  outcome = lab_experiment_panel_get_outcome (panel);
  g_assert_nonnull (strstr (outcome, "expected"));
  g_assert_nonnull (strstr (outcome, "measured"));
  /* The results say it too, while a run of the lesson is shown. */
  g_assert_nonnull (lab_window_get_outcome_text (window));
  g_assert_nonnull (strstr (lab_window_get_outcome_text (window), "measured"));

  window_free (window);
}

/* The CPU history of the last run is complete: its sampler has stopped,
 * after the run's end. */
static gboolean
last_history_sealed (LabWindow *window)
{
  LabRun *run = lab_window_get_run (window, lab_window_get_n_runs (window) - 1);
  LabCpuHistory *history = g_object_get_data (G_OBJECT (run), "lab-cpu-history");

  return history != NULL && lab_cpu_history_is_sealed (history);
}

static void
test_window_run (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  LabTimeline *timeline = LAB_TIMELINE (lab_window_get_timeline (window));
  LabCpuChart *cpu_chart = LAB_CPU_CHART (lab_window_get_cpu_chart (window));
  LabCpuHistory *history;
  LabRun *run;

  /* A pool of 2 fills exactly 2 lanes with 4 bars. */
  set_experiment (panel, "0.05", 4, "thread-pool", 2);
  g_assert_false (lab_experiment_panel_lesson_matches (panel));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (lab_window_is_running (window));
  g_assert_false (action_enabled (window, "run"));
  g_assert_true (action_enabled (window, "cancel"));
  wait_for (window, is_idle);
  settle (window);

  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 1);
  run = lab_window_get_run (window, 0);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
  g_assert_true (lab_timeline_get_run (timeline) == run);
  g_assert_cmpuint (lab_timeline_get_n_lanes (timeline), ==, 2);
  g_assert_cmpuint (lab_timeline_get_n_bars (timeline), ==, 4);
  g_assert_cmpuint (lab_window_get_n_failed_rows (window), ==, 0);

  /* Threads: one lane per job, all overlapping, sampled until the end. */
  set_experiment (panel, "0.4", 5, "threads", 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  wait_for (window, last_history_sealed);
  settle (window);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 2);
  g_assert_true (lab_timeline_get_run (timeline) == lab_window_get_run (window, 1));
  g_assert_cmpuint (lab_timeline_get_n_lanes (timeline), ==, 5);
  g_assert_cmpuint (lab_timeline_get_n_bars (timeline), ==, 5);
  g_assert_true (action_enabled (window, "export"));

  /* Selecting a run shows its own timeline and CPU history again. */
  lab_window_select_run (window, 0);
  g_assert_true (lab_timeline_get_run (timeline) == lab_window_get_run (window, 0));
  g_assert_cmpuint (lab_timeline_get_n_lanes (timeline), ==, 2);
  lab_window_select_run (window, 1);
  g_assert_cmpuint (lab_timeline_get_n_lanes (timeline), ==, 5);
  history = lab_cpu_chart_get_history (cpu_chart);
  g_assert_nonnull (history);
  g_assert_cmpuint (lab_cpu_history_get_n_samples (history), >, 0);

  window_free (window);
}

/* The last run of the window has @wanted_running jobs running. */
static guint wanted_running;

static gboolean
has_jobs_running (LabWindow *window)
{
  LabRun *run;
  guint n = 0;

  if (lab_window_get_n_runs (window) == 0)
    return FALSE;
  run = lab_window_get_run (window, lab_window_get_n_runs (window) - 1);
  for (guint i = 0; lab_run_has_jobs (run) && i < lab_run_get_n_jobs (run); i++)
    n += lab_run_get_job (run, i)->state == LAB_JOB_RUNNING;
  return n >= wanted_running;
}

/* Cancel stops jobs of an hour, once all three are seen running: the
 * window is idle again only if it did (or the guard fails the test). */
static void
test_window_cancel (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  LabRun *run;

  set_experiment (panel, "3600", 3, "threads", 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (lab_window_is_running (window));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (panel)));
  wanted_running = 3;
  wait_for (window, has_jobs_running);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  wait_for (window, is_idle);
  run = lab_window_get_run (window, 0);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_CANCELLED);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (lab_run_get_job (run, i)->error, ==, "Cancelled");
  lab_test_assert_workers_gone (run);
  /* The jobs the cancel stopped are listed, not hidden. */
  g_assert_cmpuint (lab_window_get_n_failed_rows (window), ==, 3);

  /* Still usable: the controls are back and the next run works. */
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (panel)));
  g_assert_true (action_enabled (window, "run"));
  g_assert_false (action_enabled (window, "cancel"));
  set_experiment (panel, "0.02", 2, "threads", 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 2);
  g_assert_cmpint (lab_run_get_state (lab_window_get_run (window, 1)), ==, LAB_RUN_FINISHED);

  window_free (window);
}

static void
test_window_task_params (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  g_auto(GStrv) strategies = NULL;

  g_assert_true (lab_experiment_panel_set_task (panel, "sleep"));
  g_assert_true (lab_experiment_panel_param_is_visible (panel, "seconds"));
  g_assert_true (lab_experiment_panel_param_is_visible (panel, "jobs"));
  g_assert_false (lab_experiment_panel_param_is_visible (panel, "size"));
  g_assert_false (lab_experiment_panel_param_is_visible (panel, "images"));
  g_assert_true (lab_experiment_panel_strategy_is_sensitive (panel, "async"));

  /* A CPU task: the range size appears, async is explained and refused. */
  lab_experiment_panel_set_strategy (panel, "async");
  g_assert_true (lab_experiment_panel_set_task (panel, "primes"));
  g_assert_false (lab_experiment_panel_param_is_visible (panel, "seconds"));
  g_assert_true (lab_experiment_panel_param_is_visible (panel, "size"));
  g_assert_false (lab_experiment_panel_strategy_is_sensitive (panel, "async"));
  strategies = lab_experiment_panel_dup_strategies (panel);
  g_assert_false (g_strv_contains ((const char * const *) strategies, "async"));
  g_assert_cmpuint (g_strv_length (strategies), >, 0);
  g_clear_pointer (&strategies, g_strfreev);
  lab_experiment_panel_set_strategy (panel, "async");
  strategies = lab_experiment_panel_dup_strategies (panel);
  g_assert_false (g_strv_contains ((const char * const *) strategies, "async"));

  g_assert_false (lab_experiment_panel_set_task (panel, "no-such-task"));
  g_assert_cmpstr (lab_experiment_panel_get_task (panel), ==, "primes");

  window_free (window);
}

static void
test_window_bad_seconds (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  g_autoptr(GError) error = NULL;
  g_autoptr(LabExperiment) experiment = NULL;

  set_experiment (panel, "1, two, 3", 3, "threads", 0);
  g_assert_false (lab_experiment_panel_get_can_run (panel));
  g_assert_false (action_enabled (window, "run"));
  experiment = lab_experiment_panel_dup_experiment (panel, &error);
  g_assert_null (experiment);
  g_assert_nonnull (error);
  /* Run says why it cannot run: the value that is wrong. */
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (lab_window_get_run_button (window)), "two"));
  g_assert_cmpstr (lab_experiment_panel_get_problem (panel), ==, error->message);

  /* Activating a disabled action is harmless. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 0);

  lab_experiment_panel_set_seconds (panel, "-1");
  g_assert_false (lab_experiment_panel_get_can_run (panel));
  lab_experiment_panel_set_seconds (panel, "0.5, 0.25");
  g_assert_true (lab_experiment_panel_get_can_run (panel));
  g_assert_cmpuint (lab_experiment_panel_get_jobs (panel), ==, 2);
  g_assert_true (action_enabled (window, "run"));
  g_assert_null (lab_experiment_panel_get_problem (panel));

  /* No strategy ticked: nothing to run, and Run says so. */
  lab_experiment_panel_set_strategies (panel, (const char *[]) { NULL });
  g_assert_false (action_enabled (window, "run"));
  g_assert_nonnull (lab_experiment_panel_get_problem (panel));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (lab_window_get_run_button (window)), ==,
                   lab_experiment_panel_get_problem (panel));

  window_free (window);
}

static void
test_window_export (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lab-window-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "runs.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad = g_file_new_for_path ("/nonexistent/dir/runs.json");
  g_autofree char *text = NULL;

  set_experiment (panel, "0.01", 2, "sequential", 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);

  g_assert_true (lab_window_export_to_file (window, file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "sleep"));
  g_assert_nonnull (strstr (text, "sequential"));

  g_assert_false (lab_window_export_to_file (window, bad, &error));
  g_assert_nonnull (error);

  g_unlink (path);
  g_rmdir (dir);
  window_free (window);
}

static const char *chart_names[LAB_N_CHARTS] = { "timeline", "breakdown", "cpu", "comparison", "scaling" };

/* Not one uniform colour: something was drawn. */
static gboolean
texture_varies (GdkTexture *texture)
{
  gsize stride = gdk_texture_get_width (texture) * 4;
  gsize size = stride * gdk_texture_get_height (texture);
  g_autofree guchar *pixels = g_malloc (size);

  gdk_texture_download (texture, pixels, stride);
  for (gsize i = 4; i < size; i += 4)
    if (memcmp (pixels, pixels + i, 4) != 0)
      return TRUE;
  return FALSE;
}

/* The top left pixel, outside the card's rounded corner: the window's background. */
static guint
corner_brightness (GdkTexture *texture)
{
  gsize stride = gdk_texture_get_width (texture) * 4;
  g_autofree guchar *pixels = g_malloc (stride * gdk_texture_get_height (texture));

  gdk_texture_download (texture, pixels, stride);
  return (pixels[0] + pixels[1] + pixels[2]) / 3;
}

static GdkTexture *
save_png (LabWindow    *window,
          LabChartKind  kind,
          const char   *dir)
{
  g_autofree char *name = g_strconcat (chart_names[kind], ".png", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GtkWidget *card = lab_window_get_chart_card (window, kind);
  graphene_rect_t box;
  GdkTexture *texture;

  g_assert_true (lab_window_save_chart (window, kind, file, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  /* Twice the card's size, its padding and border included. */
  g_assert_true (gtk_widget_compute_bounds (card, card, &box));
  g_assert_cmpfloat (fabs (gdk_texture_get_width (texture) - 2 * box.size.width), <=, 1);
  g_assert_cmpfloat (fabs (gdk_texture_get_height (texture) - 2 * box.size.height), <=, 1);
  g_assert_true (texture_varies (texture));
  return texture;
}

static const guchar *
pixel_at (GdkPixbuf *pixbuf,
          int        x,
          int        y)
{
  return gdk_pixbuf_read_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf) + x * gdk_pixbuf_get_n_channels (pixbuf);
}

/* The share of pixels that differ clearly between @png and @svg (of the
 * same size), seen at an eighth of the size: text edges differ a little
 * between renderers, a missing line or area a lot. */
static double
differing_share (GdkTexture *png,
                 GdkPixbuf  *svg)
{
  g_autoptr(GBytes) bytes = gdk_texture_save_to_png_bytes (png);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GdkPixbuf) full = gdk_pixbuf_new_from_stream (stream, NULL, NULL);
  int width = gdk_pixbuf_get_width (svg) / 8, height = gdk_pixbuf_get_height (svg) / 8;
  g_autoptr(GdkPixbuf) a = gdk_pixbuf_scale_simple (full, width, height, GDK_INTERP_TILES);
  g_autoptr(GdkPixbuf) b = gdk_pixbuf_scale_simple (svg, width, height, GDK_INTERP_TILES);
  guint n = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guchar *pa = pixel_at (a, x, y), *pb = pixel_at (b, x, y);

        n += ABS (pa[0] - pb[0]) > 16 || ABS (pa[1] - pb[1]) > 16 || ABS (pa[2] - pb[2]) > 16;
      }
  return (double) n / (width * height);
}

/* An SVG that reads back as the PNG saved just before it, @png. */
static void
save_svg (LabWindow    *window,
          LabChartKind  kind,
          const char   *dir,
          GdkTexture   *png)
{
  g_autofree char *name = g_strconcat (chart_names[kind], ".SVG", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *text = NULL;

  g_assert_true (lab_window_save_chart (window, kind, file, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "<?xml") || g_str_has_prefix (text, "<svg"));
  g_assert_nonnull (strstr (text, "<svg"));

  /* Drawn in full: no part cut off or moved (cairo 1.16 by itself cuts
   * the CPU chart's lines and areas off: 27 % of it differs, against < 1 %). */
  pixbuf = gdk_pixbuf_new_from_file_at_scale (path, gdk_texture_get_width (png), gdk_texture_get_height (png),
                                              FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (differing_share (png, pixbuf), <, 0.05);
}

static void
save_fails (LabWindow  *window,
            const char *path,
            GQuark      domain)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_false (lab_window_save_chart (window, LAB_CHART_TIMELINE, file, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == domain);
  g_assert_cmpstr (error->message, !=, "");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* The saved card follows the style: a light background, then a dark one. */
static void
save_light_and_dark (LabWindow  *window,
                     const char *dir)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(GdkTexture) light = save_png (window, LAB_CHART_TIMELINE, dir);
  g_autoptr(GdkTexture) dark = NULL;

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  settle (window);
  dark = save_png (window, LAB_CHART_TIMELINE, dir);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  g_assert_cmpuint (corner_brightness (light), >, 200);
  g_assert_cmpuint (corner_brightness (dark), <, 80);
}

/* Each chart card saves as PNG (twice its size) and as SVG. */
static void
test_window_save_chart (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  g_autofree char *dir = g_dir_make_tmp ("lab-window-XXXXXX", NULL);
  g_autofree char *early = g_build_filename (dir, "early.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-folder", "chart.png", NULL);
  g_autofree char *not_dir = g_build_filename (dir, "timeline.png", "chart.svg", NULL);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  GtkWidget *cpu_card = lab_window_get_chart_card (window, LAB_CHART_CPU);
  graphene_rect_t box;

  /* The app's style sheet, as AdwApplication loads it: the cards' padding
   * is part of the image. */
  gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  /* Nothing drawn yet: an error, no file. */
  save_fails (window, early, LAB_ERROR);

  /* Long enough for the CPU chart to have samples. */
  /* A sweep, so that the speedup chart is there too. */
  set_experiment (panel, "0.1", 4, "thread-pool", 2);
  lab_experiment_panel_set_sweep (panel, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  lab_experiment_panel_set_sweep (panel, FALSE);
  settle (window);
  g_assert_true (gtk_widget_get_visible (lab_window_get_chart_card (window, LAB_CHART_SCALING)));
  g_assert_true (action_enabled (window, "save-chart"));
  g_assert_true (gtk_widget_compute_bounds (cpu_card, cpu_card, &box));
  g_assert_cmpfloat (box.size.width, >=, gtk_widget_get_width (cpu_card) + 24);

  /* .SVG: the extension is read whatever its case. */
  for (guint kind = 0; kind < LAB_N_CHARTS; kind++)
    {
      g_autoptr(GdkTexture) texture = save_png (window, kind, dir);

      g_assert_true (gtk_widget_get_sensitive (lab_window_get_chart_button (window, kind)));
      save_svg (window, kind, dir, texture);
    }
  g_assert_cmpuint (lab_test_count_entries (dir), ==, 2 * LAB_N_CHARTS);

  save_light_and_dark (window, dir);

  /* A folder that is not there, a "folder" that is a file: errors, no file left. */
  save_fails (window, missing, G_IO_ERROR);
  save_fails (window, not_dir, G_IO_ERROR);
  g_assert_cmpuint (lab_test_count_entries (dir), ==, 2 * LAB_N_CHARTS);

  lab_test_remove_tree (dir);
  gtk_style_context_remove_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css));
  window_free (window);
}

/* Jobs fail, the run does not: each failure is listed with its message. */
static void
test_window_failed_jobs (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lab-window-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "urls & <list>.txt", NULL);
  LabRun *run;

  /* Messages with markup characters reach toasts and rows unharmed. */
  g_assert_true (g_file_set_contents (path, "http://127.0.0.1:1/a.jpg?x=<1>&y=2\nftp://example.org/b.jpg\n", -1, NULL));
  g_assert_true (lab_experiment_panel_set_task (panel, "download"));
  g_assert_true (lab_experiment_panel_param_is_visible (panel, "urls-file"));
  lab_experiment_panel_set_urls_file (panel, path);
  lab_experiment_panel_set_strategy (panel, "threads");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);

  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 1);
  run = lab_window_get_run (window, 0);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
  g_assert_cmpuint (lab_run_get_n_jobs (run), ==, 2);   /* one job per line */
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 2);
  g_assert_cmpuint (lab_window_get_n_failed_rows (window), ==, 2);

  /* A run without failures hides the list again. */
  set_experiment (panel, "0.01", 2, "threads", 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  g_assert_cmpuint (lab_window_get_n_failed_rows (window), ==, 0);
  lab_window_select_run (window, 0);
  g_assert_cmpuint (lab_window_get_n_failed_rows (window), ==, 2);

  /* A setup error (the list is gone) is a failed run, with its reason. */
  g_unlink (path);
  g_assert_true (lab_experiment_panel_set_task (panel, "download"));
  lab_experiment_panel_set_urls_file (panel, path);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 3);
  run = lab_window_get_run (window, 2);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FAILED);
  g_assert_nonnull (strstr (lab_run_get_error (run), "urls & <list>.txt"));
  g_assert_true (lab_window_get_selected_run (window) == run);
  g_assert_nonnull (strstr (lab_window_get_verdict (window), "urls & <list>.txt"));
  g_assert_true (action_enabled (window, "run"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (panel)));

  g_rmdir (dir);
  window_free (window);
}

/* The controller of @type that @widget carries. */
static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;   /* the widget keeps it */
    }
  g_assert_not_reached ();
}

/* A click at (@x, @y) of @widget, as its click gesture reports one. */
static void
click_at (GtkWidget *widget,
          double     x,
          double     y)
{
  g_signal_emit_by_name (find_controller (widget, GTK_TYPE_GESTURE_CLICK), "pressed", 1, x, y);
}

static void
run_sleep (LabWindow  *window,
           const char *seconds,
           guint       jobs,
           const char *strategy,
           guint       workers)
{
  set_experiment (lab_window_get_experiment_panel (window), seconds, jobs, strategy, workers);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  settle (window);
}

/* A session of three experiments: the comparison shows one at a time,
 * each with only its own runs, and the switcher changes which. */
static void
test_window_experiments (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  LabComparisonChart *comparison = LAB_COMPARISON_CHART (lab_window_get_comparison_chart (window));
  LabAnalysis *analysis;

  run_sleep (window, "0.02", 4, "sequential", 0);
  run_sleep (window, "0.02", 4, "thread-pool", 2);
  run_sleep (window, "0.02", 8, "sequential", 0);
  lab_experiment_panel_set_strategies (panel, (const char *[]) { "sequential", "threads", NULL });
  g_assert_true (lab_experiment_panel_set_task (panel, "primes"));
  lab_experiment_panel_set_jobs (panel, 2);
  lab_experiment_panel_set_size (panel, 2000);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  settle (window);

  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 5);
  g_assert_cmpuint (lab_window_get_n_experiments (window), ==, 3);

  /* The primes experiment, shown last: its loop and its threads only. */
  analysis = lab_comparison_chart_get_analysis (comparison);
  g_assert_cmpuint (lab_comparison_chart_get_n_rows (comparison), ==, 2);
  for (guint i = 0; i < lab_analysis_get_n_runs (analysis); i++)
    g_assert_cmpstr (lab_run_get_config (lab_analysis_get_run (analysis, i))->task->name, ==, "primes");

  /* The first experiment: 4 jobs × 0.02 s, its loop and its pool; the
   * 8-job loop is another experiment, not a row here. */
  lab_window_choose_experiment (window, 0);
  settle (window);
  analysis = lab_comparison_chart_get_analysis (comparison);
  g_assert_cmpuint (lab_analysis_get_n_runs (analysis), ==, 2);
  g_assert_cmpuint (lab_comparison_chart_get_n_rows (comparison), ==, 2);
  g_assert_true (lab_window_get_selected_run (window) == lab_window_get_run (window, 1));
  for (guint row = 0; row < 2; row++)
    {
      g_autofree char *text = lab_comparison_chart_describe_row (comparison, row);
      g_assert_cmpuint (lab_run_get_n_jobs (lab_comparison_chart_get_row_run (comparison, row)), ==, 4);
      g_assert_nonnull (text);
    }
  /* The pool's speed-up is against the loop of its own experiment. */
  g_assert_true (lab_analysis_get_loop_run (analysis, 1) == lab_window_get_run (window, 0));
  g_assert_cmpfloat (lab_analysis_get_speedup (analysis, 1), >, 0);

  /* Clearing forgets the session; the next run starts a new one. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear", NULL);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 0);
  g_assert_cmpuint (lab_window_get_n_experiments (window), ==, 0);
  g_assert_cmpuint (lab_comparison_chart_get_n_rows (comparison), ==, 0);
  g_assert_null (lab_window_get_selected_run (window));
  g_assert_false (action_enabled (window, "export"));

  window_free (window);
}

/* Choosing a run anywhere selects it everywhere: a comparison bar. */
static void
test_window_one_selection (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  GtkWidget *comparison = lab_window_get_comparison_chart (window);
  LabTimeline *timeline = LAB_TIMELINE (lab_window_get_timeline (window));
  LabCpuChart *cpu_chart = LAB_CPU_CHART (lab_window_get_cpu_chart (window));
  g_autofree char *loop_title = NULL;
  LabRun *loop, *pool;
  guint loop_row = G_MAXUINT;

  lab_experiment_panel_set_strategies (panel, (const char *[]) { "sequential", "thread-pool", NULL });
  run_sleep (window, "0.1", 3, NULL, 3);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 2);
  loop = lab_window_get_run (window, 0);
  pool = lab_window_get_run (window, 1);
  g_assert_true (lab_window_get_selected_run (window) == pool);
  g_assert_cmpuint (lab_timeline_get_n_lanes (timeline), ==, 3);

  for (guint row = 0; row < lab_comparison_chart_get_n_rows (LAB_COMPARISON_CHART (comparison)); row++)
    if (lab_comparison_chart_get_row_run (LAB_COMPARISON_CHART (comparison), row) == loop)
      loop_row = row;
  g_assert_cmpuint (loop_row, !=, G_MAXUINT);

  click_at (comparison, gtk_widget_get_width (comparison) / 2.0,
            lab_comparison_chart_get_row_y (LAB_COMPARISON_CHART (comparison), loop_row));
  settle (window);

  loop_title = lab_run_dup_title (loop);
  g_assert_true (lab_window_get_selected_run (window) == loop);
  g_assert_true (lab_comparison_chart_get_selected (LAB_COMPARISON_CHART (comparison)) == loop);
  g_assert_cmpstr (lab_window_get_title_text (window), ==, loop_title);
  g_assert_true (lab_timeline_get_run (timeline) == loop);
  g_assert_cmpuint (lab_timeline_get_n_lanes (timeline), ==, 1);
  g_assert_true (lab_cpu_chart_get_history (cpu_chart) == g_object_get_data (G_OBJECT (loop), "lab-cpu-history"));
  g_assert_true (lab_run_row_get_run (LAB_RUN_ROW (gtk_list_box_get_selected_row (
                   GTK_LIST_BOX (lab_window_get_runs_list (window))))) == loop);

  /* Below the last bar: nothing is chosen, nothing changes. */
  click_at (comparison, gtk_widget_get_width (comparison) / 2.0, gtk_widget_get_height (comparison) + 50);
  g_assert_true (lab_window_get_selected_run (window) == loop);

  window_free (window);
}

/* What processes cost: a process pool's fork server and workers starting,
 * drawn as their own segments in the start-up colour. */
static void
test_window_startup_segments (void)
{
  LabWindow *window = window_new ();
  LabTimeline *timeline = LAB_TIMELINE (lab_window_get_timeline (window));

  run_sleep (window, "0.05", 8, "process-pool", 4);
  g_assert_cmpint (lab_run_get_state (lab_window_get_run (window, 0)), ==, LAB_RUN_FINISHED);
  /* The four workers and the server they were forked from, of every lane. */
  g_assert_cmpuint (lab_run_get_n_worker_records (lab_window_get_run (window, 0)), ==, 5);
  g_assert_cmpuint (lab_timeline_get_n_segments (timeline, LAB_PART_START), >=, 1);
  g_assert_cmpuint (lab_timeline_get_n_lanes (timeline), ==, 4);

  window_free (window);
}

/* The wheel over a spin button scrolls the pane, unless the button has
 * the keyboard focus; the Workers subtitle says what Auto means here. */
static void
test_window_panel_details (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  GtkWidget *jobs = lab_experiment_panel_get_spin (panel, "jobs");
  GtkEventController *scroll = find_controller (jobs, GTK_TYPE_EVENT_CONTROLLER_SCROLL);
  g_autofree char *cores = g_strdup_printf ("%u", lab_usable_cores ());
  gboolean handled = FALSE;

  set_experiment (panel, "0.1", 90, "threads", 0);
  g_signal_emit_by_name (scroll, "scroll", 0.0, 1.0, &handled);
  g_assert_true (handled);
  g_assert_cmpuint (lab_experiment_panel_get_jobs (panel), ==, 90);
  gtk_widget_grab_focus (jobs);
  g_assert_true (gtk_widget_has_focus (jobs) || gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), jobs));
  handled = TRUE;
  g_signal_emit_by_name (scroll, "scroll", 0.0, 1.0, &handled);
  g_assert_false (handled);

  /* Threads alone: one per job. A pool: one per usable core, said with the number. */
  g_assert_nonnull (strstr (lab_experiment_panel_get_workers_hint (panel), "per job"));
  lab_experiment_panel_set_strategy (panel, "thread-pool");
  g_assert_nonnull (strstr (lab_experiment_panel_get_workers_hint (panel), cores));
  lab_experiment_panel_set_workers (panel, 8);
  g_assert_nonnull (strstr (lab_experiment_panel_get_workers_hint (panel), "8"));
  g_assert_null (strstr (lab_experiment_panel_get_workers_hint (panel), "Auto"));
  lab_experiment_panel_set_strategy (panel, "sequential");
  g_assert_nonnull (strstr (lab_experiment_panel_get_workers_hint (panel), "one worker"));
  lab_experiment_panel_set_workers (panel, 0);

  window_free (window);
}

static LabPreferencesWindow *
find_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* GTK keeps it */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (LAB_IS_PREFERENCES_WINDOW (window))
        return LAB_PREFERENCES_WINDOW (window);   /* GTK keeps it */
    }
  return NULL;
}

static gboolean
measured (LabWindow *window)
{
  LabPreferencesWindow *preferences = find_preferences ();

  return preferences != NULL && !lab_preferences_window_is_measuring (preferences);
}

/* The preferences say where the cache folder is and what it takes, and
 * empty it. */
static void
test_window_preferences (void)
{
  LabWindow *window = window_new ();
  g_autofree char *photos = g_build_filename (g_get_user_cache_dir (), "concurrency-lab", "photos", NULL);
  g_autofree char *photo = g_build_filename (photos, "photo-1.jpg", NULL);
  g_autofree char *data = g_malloc0 (300000);
  LabPreferencesWindow *preferences;

  /* Earlier tests filled the cache: from an empty one, one photo. */
  lab_files_clean_cache ();
  g_assert_cmpint (g_mkdir_with_parents (photos, 0700), ==, 0);
  g_assert_true (g_file_set_contents (photo, data, 300000, NULL));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.preferences", NULL);
  wait_for (window, measured);
  preferences = find_preferences ();
  g_assert_nonnull (strstr (lab_preferences_window_get_cache_text (preferences), "concurrency-lab"));
  g_assert_nonnull (strstr (lab_preferences_window_get_cache_text (preferences), "in 1 file"));
  g_assert_nonnull (strstr (lab_preferences_window_get_cache_text (preferences), "kB"));

  lab_preferences_window_clean (preferences);
  g_assert_true (lab_preferences_window_is_measuring (preferences));
  wait_for (window, measured);
  g_assert_nonnull (strstr (lab_preferences_window_get_cache_text (preferences), "empty"));
  g_assert_false (g_file_test (photo, G_FILE_TEST_EXISTS));

  gtk_window_destroy (GTK_WINDOW (preferences));
  window_free (window);
}

/* The translation needs a font with Chinese glyphs: without one, the
 * window shows boxes (build-aux/apt-packages.txt lists fonts-noto-cjk). */
static void
test_window_chinese_glyphs (void)
{
  LabWindow *window = window_new ();
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (window),
                                                                  "并发实验室：线程适合 I/O 受限任务，进程适合 CPU 受限任务");

  g_assert_cmpint (pango_layout_get_unknown_glyphs_count (layout), ==, 0);
  window_free (window);
}

static guint
count_history (void)
{
  g_autofree char *path = lab_history_get_default_path ();
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS) ||
      !(history = lab_history_open (path, NULL)) ||
      !(entries = lab_history_list (history, 100, NULL)))
    return 0;
  return entries->len;
}

/* Finished runs land in the history database (in a private XDG_DATA_HOME). */
static guint history_before;

static gboolean
history_grew (LabWindow *window)
{
  return count_history () > history_before;
}

static void
test_window_history (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);

  history_before = count_history ();
  set_experiment (panel, "0.01", 3, "thread-pool", 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);

  wait_for (window, history_grew);
  g_assert_cmpuint (count_history (), ==, history_before + 1);

  window_free (window);
}

static guint wanted_runs;

static gboolean
has_wanted_runs (LabWindow *window)
{
  return lab_window_get_n_runs (window) >= wanted_runs;
}

/* Repeats: Run runs the same experiment N times, each a row of its own;
 * a cancel stops the repeats still to come. */
static void
test_window_repeats (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  set_experiment (panel, "0.05", 2, "threads", 0);
  lab_experiment_panel_set_repeats (panel, 3);
  g_assert_cmpuint (g_settings_get_uint (settings, "repeats"), ==, 3);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 3);
  g_assert_false (gtk_widget_get_visible (lab_window_get_chart_card (window, LAB_CHART_SCALING)));
  for (guint i = 0; i < 3; i++)
    {
      LabRun *run = lab_window_get_run (window, i);

      g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
      g_assert_true (lab_run_config_equal (lab_run_get_config (run),
                                           lab_run_get_config (lab_window_get_run (window, 0))));
    }
  /* Three repeats are one bar, with whiskers. */
  g_assert_cmpuint (lab_comparison_chart_get_n_rows (LAB_COMPARISON_CHART (lab_window_get_comparison_chart (window))), ==, 1);

  /* Cancelled during the first of three, jobs of an hour seen running:
   * the window is idle again, and neither of the other two starts. */
  set_experiment (panel, "3600", 2, "threads", 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wanted_runs = 4;
  wait_for (window, has_wanted_runs);
  wanted_running = 2;
  wait_for (window, has_jobs_running);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  wait_for (window, is_idle);
  settle (window);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 4);
  g_assert_cmpint (lab_run_get_state (lab_window_get_run (window, 3)), ==, LAB_RUN_CANCELLED);
  g_assert_false (lab_window_is_running (window));
  g_assert_true (action_enabled (window, "run"));

  /* Back to one run, for the tests after this one. */
  lab_experiment_panel_set_repeats (panel, 0);
  g_assert_cmpuint (lab_experiment_panel_get_repeats (panel), ==, 1);
  window_free (window);
}

/* Sweep: a plain loop, then the strategy on each worker count. */
static void
test_window_sweep (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  g_autoptr(GArray) counts = lab_run_config_sweep_workers ();

  set_experiment (panel, "0.02", 4, "sequential", 0);
  lab_experiment_panel_set_sweep (panel, TRUE);
  /* A loop has nothing to sweep. */
  g_assert_false (lab_experiment_panel_get_sweep (panel));
  lab_experiment_panel_set_strategy (panel, "thread-pool");
  g_assert_true (lab_experiment_panel_get_sweep (panel));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 1 + counts->len);
  g_assert_true (lab_strategy_is_loop (lab_run_get_config (lab_window_get_run (window, 0))->strategy));
  for (guint i = 0; i < counts->len; i++)
    {
      LabRun *run = lab_window_get_run (window, i + 1);

      g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
      g_assert_cmpstr (lab_run_get_config (run)->strategy->name, ==, "thread-pool");
      g_assert_cmpuint (lab_run_get_workers (run), ==, MIN (g_array_index (counts, guint, i), 4));
    }
  /* The speedup chart shows the swept strategy; without a sweep it hides. */
  g_assert_true (gtk_widget_get_visible (lab_window_get_chart_card (window, LAB_CHART_SCALING)));
  g_assert_cmpuint (lab_scaling_chart_get_n_series (LAB_SCALING_CHART (lab_window_get_scaling_chart (window))), ==, 1);

  /* A point of the speed-up chart selects its run everywhere. */
  {
    GtkWidget *scaling = lab_window_get_scaling_chart (window);
    LabRun *point_run = NULL;
    double x, y;

    settle (window);
    g_assert_true (lab_scaling_chart_get_point (LAB_SCALING_CHART (scaling), 0, 0, &x, &y, &point_run));
    g_assert_true (point_run != lab_window_get_selected_run (window));
    click_at (scaling, x + 1, y - 1);
    g_assert_true (lab_window_get_selected_run (window) == point_run);
    g_assert_true (lab_timeline_get_run (LAB_TIMELINE (lab_window_get_timeline (window))) == point_run);
    g_assert_cmpuint (lab_run_get_workers (point_run), ==, 1);
  }

  /* Another experiment, no sweep: the speed-up chart is gone while it is shown,
   * and back with the sweep's runs. */
  lab_experiment_panel_set_sweep (panel, FALSE);
  set_experiment (panel, "0.02", 3, "thread-pool", 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  g_assert_cmpuint (lab_window_get_n_experiments (window), ==, 2);
  g_assert_false (gtk_widget_get_visible (lab_window_get_chart_card (window, LAB_CHART_SCALING)));
  lab_window_select_run (window, 1);
  g_assert_true (gtk_widget_get_visible (lab_window_get_chart_card (window, LAB_CHART_SCALING)));

  lab_experiment_panel_set_sweep (panel, FALSE);
  window_free (window);
}

/* The "Python GIL" switch: offered for the thread strategies, kept in the
 * settings, and carried by the runs it changes. */
static void
test_window_gil (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(LabExperiment) experiment = NULL;
  g_autoptr(LabRunConfig) config = NULL;
  g_autofree char *title = NULL;
  LabRun *run;

  set_experiment (panel, "0.02", 2, "threads", 0);
  lab_experiment_panel_set_gil (panel, TRUE);
  g_assert_true (g_settings_get_boolean (settings, "gil"));
  experiment = lab_experiment_panel_dup_experiment (panel, NULL);
  config = lab_experiment_dup_planned (experiment, 0, NULL);
  g_assert_true (config->gil);
  g_assert_true (lab_run_config_uses_gil (config));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  run = lab_window_get_run (window, 0);
  g_assert_true (lab_run_config_uses_gil (lab_run_get_config (run)));
  title = lab_run_dup_title (run);
  g_assert_true (g_str_has_suffix (title, "and the GIL"));

  /* A sweep keeps the switch on every run of the strategy. */
  lab_experiment_panel_set_sweep (panel, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  lab_experiment_panel_set_sweep (panel, FALSE);
  for (guint i = 2; i < lab_window_get_n_runs (window); i++)
    g_assert_true (lab_run_config_uses_gil (lab_run_get_config (lab_window_get_run (window, i))));
  g_assert_cmpuint (lab_window_get_n_runs (window), >, 3);

  lab_experiment_panel_set_gil (panel, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "gil"));
  window_free (window);
}

/* The C / Python choice: both runtimes run the strategy, the runs say
 * which is which, the choice is remembered; without an interpreter the
 * Python choice cannot be made and its tooltip says why. */
static void
test_window_runtimes (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(LabExperiment) experiment = NULL;
  g_auto(GStrv) runtimes = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("LAB_PYTHON"));
  g_autofree char *title = NULL;
  GtkWidget *python = lab_experiment_panel_get_runtime_button (panel, LAB_RUNTIME_PYTHON);
  const char *tooltip;

  set_experiment (panel, "0.02", 2, "threads", 0);
  if (!gtk_widget_get_sensitive (python))
    {
      g_test_skip (gtk_widget_get_tooltip_text (python));
      window_free (window);
      return;
    }
  lab_experiment_panel_set_runtime (panel, LAB_RUNTIME_PYTHON, TRUE);
  runtimes = g_settings_get_strv (settings, "runtimes");
  g_assert_true (g_strv_contains ((const char * const *) runtimes, "python"));
  g_assert_true (g_strv_contains ((const char * const *) runtimes, "c"));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wait_for (window, is_idle);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 2);
  g_assert_cmpint (lab_run_get_config (lab_window_get_run (window, 0))->runtime, ==, LAB_RUNTIME_C);
  g_assert_cmpint (lab_run_get_config (lab_window_get_run (window, 1))->runtime, ==, LAB_RUNTIME_PYTHON);
  g_assert_cmpint (lab_run_get_state (lab_window_get_run (window, 1)), ==, LAB_RUN_FINISHED);
  title = lab_run_dup_title (lab_window_get_run (window, 1));
  g_assert_nonnull (strstr (title, "Python · Threads"));

  /* No interpreter: the choice is off, and says why. */
  g_setenv ("LAB_PYTHON", "/nonexistent/python3", TRUE);
  lab_runtime_forget_probe ();
  g_assert_true (lab_experiment_panel_set_task (panel, "primes"));
  g_assert_false (gtk_widget_get_sensitive (python));
  tooltip = gtk_widget_get_tooltip_text (python);
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "/nonexistent/python3"));
  experiment = lab_experiment_panel_dup_experiment (panel, NULL);
  g_assert_nonnull (experiment);
  g_assert_cmpuint (lab_experiment_get_n_runtimes (experiment), ==, 1);
  g_assert_cmpint (lab_experiment_get_runtime (experiment, 0), ==, LAB_RUNTIME_C);

  if (saved != NULL)
    g_setenv ("LAB_PYTHON", saved, TRUE);
  else
    g_unsetenv ("LAB_PYTHON");
  lab_runtime_forget_probe ();
  lab_experiment_panel_set_runtime (panel, LAB_RUNTIME_PYTHON, FALSE);
  window_free (window);
}

static void
test_window_settings (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);

  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_auto(GStrv) strategies = NULL;

  g_assert_true (lab_experiment_panel_set_task (panel, "primes"));
  lab_experiment_panel_set_strategies (panel, (const char *[]) { "sequential", "processes", NULL });
  lab_experiment_panel_set_workers (panel, 3);
  strategies = g_settings_get_strv (settings, "strategies");
  g_assert_true (strv_is (strategies, "sequential,processes"));
  g_clear_pointer (&strategies, g_strfreev);

  /* Closing remembers the size. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 690);
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  drain ();
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1000);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 690);
  g_object_unref (window);

  /* A new window starts where the last one stopped. */
  window = window_new ();
  panel = lab_window_get_experiment_panel (window);
  g_assert_cmpstr (lab_experiment_panel_get_task (panel), ==, "primes");
  strategies = lab_experiment_panel_dup_strategies (panel);
  g_assert_true (strv_is (strategies, "sequential,processes"));
  g_assert_cmpuint (lab_experiment_panel_get_workers (panel), ==, 3);
  window_free (window);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_home = NULL;
  int rc;

  /* The window keeps runs in the user's history, and downloads land in the
   * cache: not the real ones. */
  lab_test_init (&argc, &argv);
  data_home = g_dir_make_tmp ("lab-window-data-XXXXXX", NULL);
  g_assert_nonnull (data_home);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CACHE_HOME", data_home, TRUE);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/window/builds", test_window_builds);
  g_test_add_func ("/window/lessons", test_window_lessons);
  g_test_add_func ("/window/lesson-runs", test_window_lesson_runs);
  g_test_add_func ("/window/experiments", test_window_experiments);
  g_test_add_func ("/window/one-selection", test_window_one_selection);
  g_test_add_func ("/window/startup-segments", test_window_startup_segments);
  g_test_add_func ("/window/panel-details", test_window_panel_details);
  g_test_add_func ("/window/preferences", test_window_preferences);
  g_test_add_func ("/window/chinese-glyphs", test_window_chinese_glyphs);
  g_test_add_func ("/window/run", test_window_run);
  g_test_add_func ("/window/cancel", test_window_cancel);
  g_test_add_func ("/window/task-params", test_window_task_params);
  g_test_add_func ("/window/bad-seconds", test_window_bad_seconds);
  g_test_add_func ("/window/export", test_window_export);
  g_test_add_func ("/window/save-chart", test_window_save_chart);
  g_test_add_func ("/window/failed-jobs", test_window_failed_jobs);
  g_test_add_func ("/window/history", test_window_history);
  g_test_add_func ("/window/settings", test_window_settings);
  g_test_add_func ("/window/repeats", test_window_repeats);
  g_test_add_func ("/window/sweep", test_window_sweep);
  g_test_add_func ("/window/gil", test_window_gil);
  g_test_add_func ("/window/runtimes", test_window_runtimes);

  rc = g_test_run ();
  remove_tree (data_home);
  return rc;
}
