/* ui-stall.c — the worst main-loop stall while a 20 000-job run is drawn
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the same 20 000 tiny jobs (sleep 2 ms, thread pool of 8) twice in
 * one window, as the main window would:
 *   1. reference: the window shows a plain label, nothing follows the run;
 *   2. charts: the CPU chart (following a sampler), the timeline and the
 *      comparison chart follow the run live.
 * A 1 ms timeout measures how late the main loop comes back: the worst
 * and the 99th percentile lateness are the stalls a person would feel.
 * The reference measures what the machine and the run cost by themselves
 * (on a loaded machine it is far from zero), so the ratio is the figure
 * to compare between machines; the goal is a worst stall under 16 ms.
 *
 *   ninja -C BUILD bench/lab-bench-ui-stall
 *   xvfb-run -a BUILD/bench/lab-bench-ui-stall [JOBS [STRATEGY]]
 *
 * Exit status 1 when the charts' worst stall is over 16 ms and over
 * twice the reference's.
 */
#include "config.h"

#include <adwaita.h>

#include "lab-comparison-chart.h"
#include "lab-cpu-chart.h"
#include "lab-task.h"
#include "lab-timeline.h"

#define PROBE_MS  1
#define GOAL_MS   16.0
#define WORKERS   8
#define SETTLE_MS 500

typedef struct {
  gint64  last;
  GArray *lateness;   /* gint64 µs, one per probe */
  guint   renders;
  gint64  paint_start;
  gint64  paint_worst;
  guint   slow_frames;  /* over GOAL_MS */
} Probe;

static gboolean
probe_cb (gpointer data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();
  gint64 late;

  if (probe->last != 0)
    {
      late = MAX (0, now - probe->last - PROBE_MS * 1000);
      g_array_append_val (probe->lateness, late);
    }
  probe->last = now;
  return G_SOURCE_CONTINUE;
}

/* An emission hook: GTK's own handler stops the signal before ours. */
static gboolean
render_hook (GSignalInvocationHint *hint,
             guint                  n_values,
             const GValue          *values,
             gpointer               data)
{
  ((Probe *) data)->renders++;
  return TRUE;
}

static void
before_paint_cb (GdkFrameClock *clock,
                 Probe         *probe)
{
  probe->paint_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                Probe         *probe)
{
  gint64 paint = g_get_monotonic_time () - probe->paint_start;

  probe->paint_worst = MAX (probe->paint_worst, paint);
  probe->slow_frames += paint > GOAL_MS * 1000;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
percentile_ms (GArray *values,
               double  p)
{
  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_gint64);
  return g_array_index (values, gint64, MIN (values->len - 1, (guint) (p * values->len))) / 1000.0;
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lab_run_start_finish (LAB_RUN (object), result, &error))
    g_error ("The run failed: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

static LabRun *
new_run (guint       jobs,
         const char *strategy)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const double seconds = 0.002;
  GVariantDict dict;
  LabRun *run;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", jobs);
  g_variant_dict_insert_value (&dict, LAB_PARAM_SECONDS,
                               g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, &seconds, 1, sizeof seconds));
  config = lab_run_config_new_by_name ("sleep", strategy, WORKERS, g_variant_dict_end (&dict), &error);
  if (config == NULL || !(run = lab_run_new (config, &error)))
    g_error ("%s", error->message);
  return run;
}

/* Lets the window paint what it has to, e.g. its first frame, which
 * costs more than any later one and is not what this measures. */
static void
settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Runs @run to its end while measuring the main loop. */
static void
measure_run (GtkWidget *window,
             LabRun    *run,
             Probe     *probe)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  guint render_signal = g_signal_lookup ("render", GDK_TYPE_SURFACE);
  gboolean done = FALSE;
  gulong ids[3];
  guint probe_id;

  settle (SETTLE_MS);
  *probe = (Probe) { .lateness = g_array_new (FALSE, FALSE, sizeof (gint64)) };
  ids[0] = g_signal_add_emission_hook (render_signal, 0, render_hook, probe, NULL);
  ids[1] = g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), probe);
  ids[2] = g_signal_connect_after (clock, "after-paint", G_CALLBACK (after_paint_cb), probe);
  probe_id = g_timeout_add (PROBE_MS, probe_cb, probe);

  lab_run_start_async (run, NULL, run_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (probe_id);
  g_signal_remove_emission_hook (render_signal, ids[0]);
  g_signal_handler_disconnect (clock, ids[1]);
  g_signal_handler_disconnect (clock, ids[2]);
}

static void
report (const char *what,
        LabRun     *run,
        Probe      *probe)
{
  double seconds = lab_run_get_elapsed_ns (run) / 1e9;

  g_print ("%-10s run %.2f s; stall worst %6.2f ms, p99 %5.2f ms; %u frames (%.0f/s), "
           "slowest %.1f ms, %u over %.0f ms\n",
           what, seconds, percentile_ms (probe->lateness, 1.0), percentile_ms (probe->lateness, 0.99),
           probe->renders, probe->renders / seconds, probe->paint_worst / 1000.0,
           probe->slow_frames, GOAL_MS);
}

static GtkWidget *
build_charts (LabCpuSampler *sampler,
              LabAnalysis   *analysis,
              LabRun        *run,
              LabTimeline  **timeline)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *chart = lab_cpu_chart_new ();
  GtkWidget *comparison = lab_comparison_chart_new ();

  *timeline = LAB_TIMELINE (lab_timeline_new ());
  lab_cpu_chart_set_sampler (LAB_CPU_CHART (chart), sampler);
  lab_timeline_set_run (*timeline, run);
  lab_comparison_chart_set_analysis (LAB_COMPARISON_CHART (comparison), analysis);
  gtk_widget_set_size_request (chart, -1, 220);
  gtk_widget_set_vexpand (GTK_WIDGET (*timeline), TRUE);
  gtk_box_append (GTK_BOX (box), chart);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*timeline));
  gtk_box_append (GTK_BOX (box), comparison);
  return box;
}

int
main (int   argc,
      char *argv[])
{
  guint jobs = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 20000;
  const char *strategy = argc > 2 ? argv[2] : "thread-pool";
  g_autoptr(LabCpuSampler) sampler = lab_cpu_sampler_new ();
  g_autoptr(LabAnalysis) analysis = NULL;
  g_autoptr(LabRun) reference_run = NULL;
  g_autoptr(LabRun) run = NULL;
  LabTimeline *timeline;
  GtkWidget *window;
  Probe reference, charts;
  double worst_reference, worst_charts;

  adw_init ();

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_set_child (GTK_WINDOW (window), gtk_label_new ("Reference run"));
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);

  reference_run = new_run (jobs, strategy);
  measure_run (window, reference_run, &reference);

  run = new_run (jobs, strategy);
  analysis = lab_analysis_new ((LabRun *[]) { reference_run, run }, 2);
  gtk_window_set_child (GTK_WINDOW (window), build_charts (sampler, analysis, run, &timeline));
  lab_cpu_sampler_set_run (sampler, run);
  measure_run (window, run, &charts);

  g_print ("%u jobs of 2 ms, %s with %u workers, window 1200×800\n",
           jobs, strategy, WORKERS);
  report ("reference", reference_run, &reference);
  report ("charts", run, &charts);
  g_print ("timeline: %u lanes, %u bars\n", lab_timeline_get_n_lanes (timeline),
           lab_timeline_get_n_bars (timeline));

  worst_reference = percentile_ms (reference.lateness, 1.0);
  worst_charts = percentile_ms (charts.lateness, 1.0);
  g_print ("worst stall with charts: %.2f ms = %.2f × reference (goal < %.0f ms)\n",
           worst_charts, worst_charts / MAX (worst_reference, 0.01), GOAL_MS);

  g_array_unref (reference.lateness);
  g_array_unref (charts.lateness);
  gtk_window_destroy (GTK_WINDOW (window));
  return worst_charts < GOAL_MS || worst_charts < 2 * worst_reference ? 0 : 1;
}
