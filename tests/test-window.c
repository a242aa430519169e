/* test-window.c — the main window: build, presets, run, cancel, parameters
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "lab-cpu-chart.h"
#include "lab-error.h"
#include "lab-experiment-panel.h"
#include "lab-format.h"
#include "lab-history.h"
#include "lab-test-util.h"
#include "lab-timeline.h"
#include "lab-window.h"

typedef gboolean (*Condition) (LabWindow *window);

/* Iterates the main loop until @cond holds; FALSE after @timeout_ms. */
static gboolean
wait_for (LabWindow *window,
          Condition  cond,
          guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (!cond (window))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
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

static void
settle (LabWindow *window,
        guint      ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static LabWindow *
window_new (void)
{
  LabWindow *window = g_object_new (LAB_TYPE_WINDOW, NULL);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (window, is_mapped, 5000));
  return window;
}

static void
window_free (LabWindow *window)
{
  g_assert_true (wait_for (window, is_idle, 10000));
  gtk_window_destroy (GTK_WINDOW (window));
  settle (window, 20);
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
                LabStrategy         strategy,
                guint               workers)
{
  g_assert_true (lab_experiment_panel_set_task (panel, "sleep"));
  lab_experiment_panel_set_seconds (panel, seconds);
  lab_experiment_panel_set_jobs (panel, jobs);
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
  g_assert_cmpuint (lab_experiment_panel_get_n_presets (panel), ==, 7);
  g_assert_nonnull (lab_experiment_panel_get_task (panel));
  settle (window, 50);

  window_free (window);
}

static void
test_window_presets (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);

  g_assert_true (lab_experiment_panel_apply_preset (panel, 1));   /* ten threads */
  g_assert_cmpstr (lab_experiment_panel_get_task (panel), ==, "sleep");
  g_assert_cmpint (lab_experiment_panel_get_strategy (panel), ==, "threads");
  g_assert_cmpuint (lab_experiment_panel_get_jobs (panel), ==, 10);

  g_assert_true (lab_experiment_panel_apply_preset (panel, 2));   /* pool with 5, 4, 3, 2, 1 s */
  g_assert_cmpint (lab_experiment_panel_get_strategy (panel), ==, "thread-pool");
  g_assert_cmpuint (lab_experiment_panel_get_workers (panel), ==, 5);
  g_assert_cmpuint (lab_experiment_panel_get_jobs (panel), ==, 5);

  g_assert_true (lab_experiment_panel_apply_preset (panel, 6));   /* threads and the GIL */
  g_assert_cmpint (lab_experiment_panel_get_strategy (panel), ==, "threads");
  g_assert_true (lab_experiment_panel_get_gil (panel));
  lab_experiment_panel_set_sweep (panel, TRUE);

  g_assert_true (lab_experiment_panel_apply_preset (panel, 5));   /* count primes */
  g_assert_cmpstr (lab_experiment_panel_get_task (panel), ==, "primes");
  g_assert_cmpint (lab_experiment_panel_get_strategy (panel), ==, "process-pool");
  /* Each lesson is the experiment it describes. */
  g_assert_false (lab_experiment_panel_get_gil (panel));
  g_assert_false (lab_experiment_panel_get_sweep (panel));

  /* The task modules are built for the tests: every lesson can run. */
  g_assert_true (lab_experiment_panel_preset_is_available (panel, 3));   /* download */
  g_assert_true (lab_experiment_panel_preset_is_available (panel, 4));   /* blur */

  /* A lesson whose task is missing is insensitive, and applying it changes nothing. */
  for (guint i = 0; i < lab_experiment_panel_get_n_presets (panel); i++)
    {
      if (lab_experiment_panel_preset_is_available (panel, i))
        continue;
      g_assert_false (lab_experiment_panel_apply_preset (panel, i));
      g_assert_cmpstr (lab_experiment_panel_get_task (panel), ==, "primes");
    }

  window_free (window);
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
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (lab_window_is_running (window));
  g_assert_false (action_enabled (window, "run"));
  g_assert_true (action_enabled (window, "cancel"));
  g_assert_true (wait_for (window, is_idle, 10000));
  settle (window, 50);

  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 1);
  run = lab_window_get_run (window, 0);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
  g_assert_true (lab_timeline_get_run (timeline) == run);
  g_assert_cmpuint (lab_timeline_get_n_lanes (timeline), ==, 2);
  g_assert_cmpuint (lab_timeline_get_n_bars (timeline), ==, 4);
  g_assert_cmpuint (lab_window_get_n_failed_rows (window), ==, 0);

  /* Threads: one lane per job, all overlapping; long enough to sample. */
  set_experiment (panel, "0.4", 5, "threads", 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (wait_for (window, is_idle, 10000));
  settle (window, 50);
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

static void
test_window_cancel (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  gint64 start;

  set_experiment (panel, "30", 3, "threads", 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (lab_window_is_running (window));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (panel)));
  settle (window, 150);

  start = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  g_assert_true (wait_for (window, is_idle, 5000));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_cmpint (lab_run_get_state (lab_window_get_run (window, 0)), ==, LAB_RUN_CANCELLED);
  /* The jobs the cancel stopped are listed, not hidden. */
  g_assert_cmpuint (lab_window_get_n_failed_rows (window), ==, 3);

  /* Still usable: the controls are back and the next run works. */
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (panel)));
  g_assert_true (action_enabled (window, "run"));
  g_assert_false (action_enabled (window, "cancel"));
  set_experiment (panel, "0.02", 2, "threads", 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (wait_for (window, is_idle, 10000));
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 2);
  g_assert_cmpint (lab_run_get_state (lab_window_get_run (window, 1)), ==, LAB_RUN_FINISHED);

  window_free (window);
}

static void
test_window_task_params (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);

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
  g_assert_cmpint (lab_experiment_panel_get_strategy (panel), !=, "async");
  lab_experiment_panel_set_strategy (panel, "async");
  g_assert_cmpint (lab_experiment_panel_get_strategy (panel), !=, "async");

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
  g_autoptr(LabRunConfig) config = NULL;

  set_experiment (panel, "1, two, 3", 3, "threads", 0);
  g_assert_false (lab_experiment_panel_get_can_run (panel));
  g_assert_false (action_enabled (window, "run"));
  config = lab_experiment_panel_dup_config (panel, &error);
  g_assert_null (config);
  g_assert_nonnull (error);

  /* Activating a disabled action is harmless. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 0);

  lab_experiment_panel_set_seconds (panel, "-1");
  g_assert_false (lab_experiment_panel_get_can_run (panel));
  lab_experiment_panel_set_seconds (panel, "0.5, 0.25");
  g_assert_true (lab_experiment_panel_get_can_run (panel));
  g_assert_cmpuint (lab_experiment_panel_get_jobs (panel), ==, 2);
  g_assert_true (action_enabled (window, "run"));

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
  g_assert_true (wait_for (window, is_idle, 10000));

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

static const char *chart_names[LAB_N_CHARTS] = { "timeline", "cpu", "comparison", "scaling" };

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
  settle (window, 200);
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
  g_assert_true (wait_for (window, is_idle, 20000));
  lab_experiment_panel_set_sweep (panel, FALSE);
  settle (window, 100);
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
  g_assert_true (wait_for (window, is_idle, 20000));

  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 1);
  run = lab_window_get_run (window, 0);
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
  g_assert_cmpuint (lab_run_get_n_jobs (run), ==, 2);   /* one job per line */
  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 2);
  g_assert_cmpuint (lab_window_get_n_failed_rows (window), ==, 2);

  /* A run without failures hides the list again. */
  set_experiment (panel, "0.01", 2, "threads", 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (wait_for (window, is_idle, 10000));
  g_assert_cmpuint (lab_window_get_n_failed_rows (window), ==, 0);
  lab_window_select_run (window, 0);
  g_assert_cmpuint (lab_window_get_n_failed_rows (window), ==, 2);

  /* A setup error (the list is gone) is told, and no run is added. */
  g_unlink (path);
  g_assert_true (lab_experiment_panel_set_task (panel, "download"));
  lab_experiment_panel_set_urls_file (panel, path);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (wait_for (window, is_idle, 10000));
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 2);
  g_assert_true (action_enabled (window, "run"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (panel)));

  g_rmdir (dir);
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
static void
test_window_history (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);
  guint before = count_history ();
  gint64 deadline;

  set_experiment (panel, "0.01", 3, "thread-pool", 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (wait_for (window, is_idle, 10000));

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (count_history () == before && g_get_monotonic_time () < deadline)
    settle (window, 20);
  g_assert_cmpuint (count_history (), ==, before + 1);

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
  g_assert_true (wait_for (window, is_idle, 10000));
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 3);
  g_assert_false (gtk_widget_get_visible (lab_window_get_chart_card (window, LAB_CHART_SCALING)));
  for (guint i = 0; i < 3; i++)
    {
      LabRun *run = lab_window_get_run (window, i);

      g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
      g_assert_true (lab_run_config_equal (lab_run_get_config (run),
                                           lab_run_get_config (lab_window_get_run (window, 0))));
    }

  /* Cancelled during the second of three: no third one starts. */
  set_experiment (panel, "1.0", 2, "threads", 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  wanted_runs = 5;
  g_assert_true (wait_for (window, has_wanted_runs, 10000));
  g_assert_true (lab_window_is_running (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  g_assert_true (wait_for (window, is_idle, 5000));
  settle (window, 400);
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 5);
  g_assert_cmpint (lab_run_get_state (lab_window_get_run (window, 3)), ==, LAB_RUN_FINISHED);
  g_assert_cmpint (lab_run_get_state (lab_window_get_run (window, 4)), ==, LAB_RUN_CANCELLED);
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
  g_assert_true (wait_for (window, is_idle, 30000));
  g_assert_cmpuint (lab_window_get_n_runs (window), ==, 1 + counts->len);
  g_assert_cmpint (lab_run_get_config (lab_window_get_run (window, 0))->strategy, ==, "sequential");
  for (guint i = 0; i < counts->len; i++)
    {
      LabRun *run = lab_window_get_run (window, i + 1);

      g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_FINISHED);
      g_assert_cmpint (lab_run_get_config (run)->strategy, ==, "thread-pool");
      g_assert_cmpuint (lab_run_get_workers (run), ==, MIN (g_array_index (counts, guint, i), 4));
    }
  /* The speedup chart shows the swept strategy; without a sweep it hides. */
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
  g_autoptr(LabRunConfig) config = NULL;
  g_autofree char *title = NULL;
  LabRun *run;

  set_experiment (panel, "0.02", 2, "threads", 0);
  lab_experiment_panel_set_gil (panel, TRUE);
  g_assert_true (g_settings_get_boolean (settings, "gil"));
  config = lab_experiment_panel_dup_config (panel, NULL);
  g_assert_true (config->gil);
  g_assert_true (lab_run_config_uses_gil (config));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (wait_for (window, is_idle, 10000));
  run = lab_window_get_run (window, 0);
  g_assert_true (lab_run_config_uses_gil (lab_run_get_config (run)));
  title = lab_format_run_title (run);
  g_assert_true (g_str_has_suffix (title, "and the GIL"));

  /* A sweep keeps the switch on every run of the strategy. */
  lab_experiment_panel_set_sweep (panel, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL);
  g_assert_true (wait_for (window, is_idle, 20000));
  lab_experiment_panel_set_sweep (panel, FALSE);
  for (guint i = 2; i < lab_window_get_n_runs (window); i++)
    g_assert_true (lab_run_config_uses_gil (lab_run_get_config (lab_window_get_run (window, i))));
  g_assert_cmpuint (lab_window_get_n_runs (window), >, 3);

  lab_experiment_panel_set_gil (panel, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "gil"));
  window_free (window);
}

static void
test_window_settings (void)
{
  LabWindow *window = window_new ();
  LabExperimentPanel *panel = lab_window_get_experiment_panel (window);

  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *strategy = NULL;

  g_assert_true (lab_experiment_panel_set_task (panel, "primes"));
  lab_experiment_panel_set_strategy (panel, "processes");
  lab_experiment_panel_set_workers (panel, 3);
  strategy = g_settings_get_string (settings, "strategy");
  g_assert_cmpstr (strategy, ==, "processes");

  /* Closing remembers the size. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 690);
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  settle (window, 20);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1000);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 690);
  g_object_unref (window);

  /* A new window starts where the last one stopped. */
  window = window_new ();
  panel = lab_window_get_experiment_panel (window);
  g_assert_cmpstr (lab_experiment_panel_get_task (panel), ==, "primes");
  g_assert_cmpint (lab_experiment_panel_get_strategy (panel), ==, "processes");
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
  g_test_add_func ("/window/presets", test_window_presets);
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

  rc = g_test_run ();
  remove_tree (data_home);
  return rc;
}
