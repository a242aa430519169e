/* test-charts.c — LabCpuChart, LabTimeline, LabBreakdownChart, LabComparisonChart and LabScalingChart render
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each chart is shown in a window, snapshotted into a GtkSnapshot, and
 * the render nodes are counted: empty, one-run
 * and many-run data must all draw something, and what they draw must
 * follow the data (lanes, bars, rows) and the style (light and dark).
 */
#include "config.h"

#include <adwaita.h>

#include "lab-breakdown-chart.h"
#include "lab-chart-util.h"
#include "lab-comparison-chart.h"
#include "lab-cpu-chart.h"
#include "lab-scaling-chart.h"
#include "lab-task.h"
#include "lab-test-util.h"
#include "lab-timeline.h"

typedef struct {
  GdkRGBA         color;
  graphene_rect_t bounds;
} ColorRect;

typedef struct {
  guint   n_color;
  guint   n_text;
  guint   n_cairo;
  GArray *rects;    /* ColorRect */
} NodeStats;

static void
walk_nodes (GskRenderNode *node,
            NodeStats     *stats)
{
  ColorRect rect;

  switch ((int) gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        walk_nodes (gsk_container_node_get_child (node, i), stats);
      break;
    case GSK_TRANSFORM_NODE:
      walk_nodes (gsk_transform_node_get_child (node), stats);
      break;
    case GSK_CLIP_NODE:
      walk_nodes (gsk_clip_node_get_child (node), stats);
      break;
    case GSK_ROUNDED_CLIP_NODE:
      walk_nodes (gsk_rounded_clip_node_get_child (node), stats);
      break;
    case GSK_OPACITY_NODE:
      walk_nodes (gsk_opacity_node_get_child (node), stats);
      break;
    case GSK_DEBUG_NODE:
      walk_nodes (gsk_debug_node_get_child (node), stats);
      break;
    case GSK_COLOR_NODE:
      stats->n_color++;
      rect.color = *gsk_color_node_get_color (node);
      gsk_render_node_get_bounds (node, &rect.bounds);
      g_array_append_val (stats->rects, rect);
      break;
    case GSK_TEXT_NODE:
      stats->n_text++;
      break;
    case GSK_CAIRO_NODE:
      stats->n_cairo++;
      break;
    default:
      break;
    }
}

static void
stats_clear (NodeStats *stats)
{
  g_clear_pointer (&stats->rects, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NodeStats, stats_clear)

static gboolean
is_shown (gpointer widget)
{
  return gtk_widget_get_width (widget) > 0 && gtk_widget_get_mapped (widget);
}

static gboolean
is_true (gpointer flag)
{
  return *(gboolean *) flag;
}

static void
painted_cb (GdkFrameClock *clock,
            gboolean      *painted)
{
  *painted = TRUE;
}

/* Lets the window lay out and paint a frame, so sizes are current. */
static void
wait_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong id;

  id = g_signal_connect (clock, "after-paint", G_CALLBACK (painted_cb), &painted);
  gtk_widget_queue_draw (widget);
  lab_test_wait_until (is_true, &painted, "a frame painted");
  g_signal_handler_disconnect (clock, id);
}

/* Shows @widget in a window of @width × @height and waits for it to be
 * laid out and painted. */
static GtkWindow *
show_widget (GtkWidget *widget,
             int        width,
             int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, widget);
  gtk_window_present (window);
  lab_test_wait_until (is_shown, widget, "the window shown");
  wait_frame (widget);
  return window;
}

/* Snapshots @widget now, as its window does on each frame. */
static void
render (GtkWidget *widget,
        NodeStats *stats)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  wait_frame (widget);
  gtk_widget_snapshot_child (gtk_widget_get_parent (widget), widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  *stats = (NodeStats) { .rects = g_array_new (FALSE, FALSE, sizeof (ColorRect)) };
  if (node != NULL)
    walk_nodes (node, stats);
}

/* Colour nodes of @color, and how many distinct rows they sit on. */
static guint
count_color (NodeStats     *stats,
             const GdkRGBA *color,
             guint         *n_rows)
{
  g_autoptr(GHashTable) rows = g_hash_table_new (NULL, NULL);
  guint n = 0;

  for (guint i = 0; i < stats->rects->len; i++)
    {
      const ColorRect *rect = &g_array_index (stats->rects, ColorRect, i);

      if (!gdk_rgba_equal (&rect->color, color))
        continue;
      n++;
      g_hash_table_add (rows, GINT_TO_POINTER ((int) rect->bounds.origin.y + 1));
    }
  if (n_rows != NULL)
    *n_rows = g_hash_table_size (rows);
  return n;
}

static void
lookup (GtkWidget  *widget,
        const char *name,
        GdkRGBA    *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color));
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lab_run_start_finish (LAB_RUN (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* Runs to the end while the main loop turns, as in the window. */
static LabRun *
run_task (const char  *task,
          const char  *strategy,
          guint        workers,
          const char  *params)
{
  g_autoptr(LabRunConfig) config = lab_test_config (task, strategy, workers,
                                                       g_variant_new_parsed (params));
  g_autoptr(GError) error = NULL;
  LabRun *run = lab_run_new (config, &error);
  gboolean done = FALSE;

  g_assert_no_error (error);
  lab_run_start_async (run, NULL, run_done_cb, &done);
  lab_test_wait_until (is_true, &done, "the run ended");
  return run;
}

/* ---------------------------------------------------------------- */

static LabCpuHistory *
make_history (guint n_samples,
              guint n_workers)
{
  LabCpuHistory *history = lab_cpu_history_new (2);
  g_autofree gint64 *ids = g_new (gint64, n_workers);
  g_autofree double *usage = g_new (double, n_workers);

  for (guint w = 0; w < n_workers; w++)
    ids[w] = 1000 + w, usage[w] = 0.8 / n_workers;
  for (guint s = 0; s < n_samples; s++)
    {
      double cores[2] = { (s % 10) / 10.0, 0.5 };

      lab_cpu_history_append (history, s * G_GINT64_CONSTANT (100000000), cores, 1.0,
                              ids, usage, n_workers);
    }
  return history;
}

static void
test_cpu_chart_empty (void)
{
  GtkWidget *chart = lab_cpu_chart_new ();
  GtkWindow *window = show_widget (chart, 600, 240);
  g_auto(NodeStats) stats;

  render (chart, &stats);
  /* Grid lines and axis labels, no series. */
  g_assert_cmpuint (stats.n_color, >=, 5);
  g_assert_cmpuint (stats.n_text, >=, 5);
  g_assert_cmpuint (stats.n_cairo, ==, 0);
  gtk_window_destroy (window);
}

static void
test_cpu_chart_history (void)
{
  g_autoptr(LabCpuHistory) one = make_history (50, 1);
  g_autoptr(LabCpuHistory) many = make_history (LAB_CPU_SAMPLE_HZ * LAB_CPU_HISTORY_SECONDS, 300);
  GtkWidget *chart = lab_cpu_chart_new ();
  GtkWindow *window = show_widget (chart, 600, 240);
  g_auto(NodeStats) first;
  g_auto(NodeStats) second;

  lab_cpu_chart_set_history (LAB_CPU_CHART (chart), one);
  g_assert_true (lab_cpu_chart_get_history (LAB_CPU_CHART (chart)) == one);
  render (chart, &first);
  g_assert_cmpuint (first.n_cairo, ==, 1);
  /* Legend: cores, the app, and the one worker by name. */
  g_assert_cmpuint (first.n_color, >=, 3 + 5);

  lab_cpu_chart_set_history (LAB_CPU_CHART (chart), many);
  render (chart, &second);
  g_assert_cmpuint (second.n_cairo, ==, 1);
  g_assert_cmpuint (second.n_text, >, first.n_text);
  gtk_window_destroy (window);
}

/* However narrow the chart, every band drawn has its legend entry: the
 * first six workers by name, then "Other workers". */
static void
test_cpu_chart_legend (void)
{
  g_autoptr(LabCpuHistory) ten = make_history (20, 10);
  GtkWidget *chart = lab_cpu_chart_new ();
  GtkWindow *window = show_widget (chart, 260, 300);
  g_auto(NodeStats) stats;

  lab_cpu_chart_set_history (LAB_CPU_CHART (chart), ten);
  render (chart, &stats);
  g_assert_cmpuint (lab_cpu_chart_get_n_legend_entries (LAB_CPU_CHART (chart)), ==, 2 + 6 + 1);
  gtk_window_destroy (window);
}

/* The hover line: set from the timeline, drawn here too. */
static void
test_cpu_chart_hover (void)
{
  g_autoptr(LabCpuHistory) history = make_history (50, 1);
  GtkWidget *chart = lab_cpu_chart_new ();
  GtkWindow *window = show_widget (chart, 600, 240);
  g_auto(NodeStats) without;
  g_auto(NodeStats) with;

  lab_cpu_chart_set_history (LAB_CPU_CHART (chart), history);
  render (chart, &without);
  g_object_set (chart, "hover-time", 2.0, NULL);
  g_assert_cmpfloat (lab_cpu_chart_get_hover_time (LAB_CPU_CHART (chart)), ==, 2.0);
  render (chart, &with);
  g_assert_cmpuint (with.n_color, ==, without.n_color + 1);
  lab_cpu_chart_set_hover_time (LAB_CPU_CHART (chart), -5);
  g_assert_cmpfloat (lab_cpu_chart_get_hover_time (LAB_CPU_CHART (chart)), ==, -1);
  gtk_window_destroy (window);
}

static gboolean
has_a_sample (gpointer sampler)
{
  LabCpuHistory *history = lab_cpu_sampler_get_history (sampler);

  return history != NULL && lab_cpu_history_get_n_samples (history) > 0;
}

static void
test_cpu_chart_sampler (void)
{
  g_autoptr(LabCpuSampler) sampler = lab_cpu_sampler_new ();
  GtkWidget *chart = lab_cpu_chart_new ();
  GtkWindow *window = show_widget (chart, 600, 240);
  g_autoptr(LabCpuHistory) fixed = make_history (5, 0);
  g_auto(NodeStats) stats;

  lab_cpu_chart_set_history (LAB_CPU_CHART (chart), fixed);
  lab_cpu_chart_set_sampler (LAB_CPU_CHART (chart), sampler);
  g_assert_null (lab_cpu_chart_get_history (LAB_CPU_CHART (chart)));
  lab_cpu_sampler_start (sampler);
  /* The chart follows the sampler's history, and draws its samples. */
  lab_test_wait_until (has_a_sample, sampler, "a sample");
  g_assert_true (lab_cpu_chart_get_history (LAB_CPU_CHART (chart)) ==
                 lab_cpu_sampler_get_history (sampler));
  render (chart, &stats);
  g_assert_cmpuint (stats.n_cairo, ==, 1);
  lab_cpu_sampler_stop (sampler);

  lab_cpu_chart_set_history (LAB_CPU_CHART (chart), fixed);
  g_assert_null (lab_cpu_chart_get_sampler (LAB_CPU_CHART (chart)));
  gtk_window_destroy (window);
}

/* ---------------------------------------------------------------- */

static void
test_timeline_empty (void)
{
  GtkWidget *timeline = lab_timeline_new ();
  GtkWindow *window = show_widget (timeline, 600, 300);
  g_autoptr(LabRunConfig) config = lab_test_config ("sleep", "threads", 2, NULL);
  g_autoptr(LabRun) run = lab_run_new (config, NULL);
  g_auto(NodeStats) stats;

  render (timeline, &stats);
  g_assert_cmpuint (stats.n_color + stats.n_text, ==, 0);
  lab_timeline_set_run (LAB_TIMELINE (timeline), run);
  /* Not set up yet: no jobs, no bars. */
  g_assert_cmpuint (lab_timeline_get_n_bars (LAB_TIMELINE (timeline)), ==, 0);
  gtk_window_destroy (window);
}

/* The seed's lesson: ten sleeping threads overlap, ten lanes side by side. */
static void
test_timeline_ten_threads (void)
{
  g_autoptr(LabRun) run = run_task ("sleep", "threads", 10,
                                    "{'jobs': <uint32 10>, 'seconds': <[0.2]>}");
  GtkWidget *timeline = lab_timeline_new ();
  GtkWindow *window = show_widget (timeline, 700, 400);
  g_auto(NodeStats) stats;
  g_autofree char *text = NULL;
  g_autofree char *duration = NULL;
  const LabJobRecord *job;
  GtkTooltip *tooltip;
  gboolean shown;
  GdkRGBA ok;
  guint n_rows;

  lab_timeline_set_run (LAB_TIMELINE (timeline), run);
  g_assert_cmpuint (lab_timeline_get_n_lanes (LAB_TIMELINE (timeline)), ==, 10);
  g_assert_cmpuint (lab_timeline_get_n_bars (LAB_TIMELINE (timeline)), ==, 10);
  g_assert_true (g_str_has_prefix (lab_timeline_get_lane_label (LAB_TIMELINE (timeline), 0), "thread "));

  render (timeline, &stats);
  lookup (timeline, "lab_job_ok", &ok);
  g_assert_cmpuint (count_color (&stats, &ok, &n_rows), ==, 10);
  g_assert_cmpuint (n_rows, ==, 10);
  /* Ten lane labels, and time labels under them. */
  g_assert_cmpuint (stats.n_text, >, 10);

  text = lab_timeline_describe_job (LAB_TIMELINE (timeline), 3);
  g_assert_nonnull (strstr (text, "Job 4 · thread "));
  /* Its own duration, as recorded (a busy machine wakes a sleep late). */
  job = lab_run_get_job (run, 3);
  duration = g_strdup_printf ("(%.3f s)", (job->end_ns - job->start_ns) / 1e9);
  g_assert_nonnull (strstr (text, duration));

  /* Hovering a bar asks for a tooltip; the margin left of the bars
   * (lane labels) has none. */
  tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  g_signal_emit_by_name (timeline, "query-tooltip", gtk_widget_get_width (timeline) / 2, 10,
                         FALSE, tooltip, &shown);
  g_assert_true (shown);
  g_signal_emit_by_name (timeline, "query-tooltip", 2, 10, FALSE, tooltip, &shown);
  g_assert_false (shown);
  g_object_unref (tooltip);
  gtk_window_destroy (window);
}

/* A pool of two: six jobs, exactly two lanes, three bars in each. */
static void
check_pool (const char  *strategy,
            const char  *worker_kind)
{
  g_autoptr(LabRun) run = run_task ("sleep", strategy, 2,
                                    "{'jobs': <uint32 6>, 'seconds': <[0.1]>}");
  GtkWidget *timeline = lab_timeline_new ();
  GtkWindow *window = show_widget (timeline, 700, 300);
  g_autofree char *text = NULL;
  g_auto(NodeStats) stats;
  GdkRGBA ok;
  guint n_rows;

  lab_timeline_set_run (LAB_TIMELINE (timeline), run);
  g_assert_cmpuint (lab_timeline_get_n_lanes (LAB_TIMELINE (timeline)), ==, 2);
  g_assert_cmpuint (lab_timeline_get_n_bars (LAB_TIMELINE (timeline)), ==, 6);
  render (timeline, &stats);
  lookup (timeline, "lab_job_ok", &ok);
  g_assert_cmpuint (count_color (&stats, &ok, &n_rows), >=, 2);
  g_assert_cmpuint (n_rows, ==, 2);

  text = lab_timeline_describe_job (LAB_TIMELINE (timeline), 5);
  g_assert_nonnull (strstr (text, worker_kind));
  gtk_window_destroy (window);
}

static void
test_timeline_thread_pool (void)
{
  check_pool ("thread-pool", "· thread ");
}

static void
test_timeline_process_pool (void)
{
  check_pool ("process-pool", "· process ");
}

/* What processes cost shows: a pool's workers starting, a process per
 * job forked, drawn in the start-up colour of Where the Time Went. */
static void
test_timeline_startup (void)
{
  static const char * const strategies[] = { "process-pool", "processes" };

  for (guint s = 0; s < G_N_ELEMENTS (strategies); s++)
    {
      g_autoptr(LabRun) run = run_task ("sleep", strategies[s], 4,
                                        "{'jobs': <uint32 8>, 'seconds': <[0.05]>}");
      GtkWidget *timeline = lab_timeline_new ();
      GtkWindow *window = show_widget (timeline, 800, 300);
      g_auto(NodeStats) stats;
      GdkRGBA start;

      lab_timeline_set_run (LAB_TIMELINE (timeline), run);
      render (timeline, &stats);
      lab_breakdown_part_color (timeline, LAB_PART_START, &start);
      g_assert_cmpuint (lab_timeline_get_n_segments (LAB_TIMELINE (timeline), LAB_PART_START), >, 0);
      g_assert_cmpuint (count_color (&stats, &start, NULL), >, 0);
      gtk_window_destroy (window);
    }
}

/* A pipeline job's two phases: its download in a colour of its own over
 * the bar, and in the tooltip; a job of one phase is one colour. */
static void
test_timeline_phases (void)
{
  g_autoptr(LabRunConfig) config = lab_test_config ("pipeline", "thread-pool", 2, NULL);
  LabRunSummary sum = { .wall_ns = 2000000000, .n_jobs = 4, .workers = 2 };
  LabJobRecord jobs[4];
  g_autoptr(LabRun) run = NULL;
  GtkWidget *timeline = lab_timeline_new ();
  GtkWindow *window = show_widget (timeline, 800, 300);
  g_autofree char *tooltip = NULL, *single = NULL;
  g_auto(NodeStats) stats;
  GdkRGBA ok, first;

  for (guint i = 0; i < 4; i++)
    {
      jobs[i] = (LabJobRecord) { .lane = i % 2, .worker = 100 + i % 2, .state = LAB_JOB_OK,
                                 .start_ns = (i / 2) * 1000000000, .end_ns = (i / 2 + 1) * 1000000000 };
      jobs[i].dispatch_ns = jobs[i].start_ns;
      jobs[i].back_ns = jobs[i].end_ns;
      /* The last job has one phase. */
      lab_job_record_set_phase (&jobs[i], i < 3 ? jobs[i].start_ns + 700000000 : -1);
    }
  run = lab_run_new_from_records (config, LAB_RUN_FINISHED, &sum, jobs, 4, NULL, 0);

  lab_timeline_set_run (LAB_TIMELINE (timeline), run);
  render (timeline, &stats);
  g_assert_cmpuint (lab_timeline_get_n_bars (LAB_TIMELINE (timeline)), ==, 4);
  g_assert_cmpuint (lab_timeline_get_n_phased (LAB_TIMELINE (timeline)), ==, 3);
  lab_chart_lookup_color (timeline, "lab_job_ok", "success_bg_color", 0.8, &ok);
  g_assert_cmpuint (count_color (&stats, &ok, NULL), >=, 4);
  lab_chart_lookup_color (timeline, "lab_job_first_phase", "accent_bg_color", 0.55, &first);
  g_assert_cmpuint (count_color (&stats, &first, NULL), ==, 3);

  tooltip = lab_timeline_describe_job (LAB_TIMELINE (timeline), 0);
  g_assert_nonnull (strstr (tooltip, "download 0.700 s, then blur 0.300 s"));
  single = lab_timeline_describe_job (LAB_TIMELINE (timeline), 3);
  g_assert_null (strstr (single, "then blur"));
  gtk_window_destroy (window);
}

static gboolean
three_running (gpointer data)
{
  return lab_timeline_get_n_bars (data) == 3;
}

static gboolean
has_ended (gpointer run)
{
  return lab_run_get_state (run) >= LAB_RUN_FINISHED;
}

/* Lanes appear while the run goes on, redrawn on each progress signal. */
static void
test_timeline_live (void)
{
  g_autoptr(LabRunConfig) config = lab_test_config ("sleep", "thread-pool", 3,
                                                       g_variant_new_parsed ("{'seconds': <[3600.0, 3600.0, 3600.0]>}"));
  g_autoptr(LabRun) run = lab_run_new (config, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GtkWidget *timeline = lab_timeline_new ();
  GtkWindow *window = show_widget (timeline, 600, 200);
  g_auto(NodeStats) stats;
  GdkRGBA running;

  lab_timeline_set_run (LAB_TIMELINE (timeline), run);
  lab_run_start_async (run, cancellable, NULL, NULL);
  lab_test_wait_until (three_running, timeline, "three bars");
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_RUNNING);
  g_assert_cmpuint (lab_timeline_get_n_lanes (LAB_TIMELINE (timeline)), ==, 3);
  render (timeline, &stats);
  lookup (timeline, "lab_job_running", &running);
  g_assert_cmpuint (count_color (&stats, &running, NULL), ==, 3);
  g_cancellable_cancel (cancellable);
  lab_test_wait_until (has_ended, run, "the run ended after its cancel");
  g_assert_cmpint (lab_run_get_state (run), ==, LAB_RUN_CANCELLED);
  gtk_window_destroy (window);
}

/* 20 000 tiny jobs are drawn as merged bars, not one node per job. */
static void
test_timeline_many_jobs (void)
{
  g_autoptr(LabRun) run = run_task ("sleep", "thread-pool", 4,
                                    "{'jobs': <uint32 20000>, 'seconds': <[0.0]>}");
  GtkWidget *timeline = lab_timeline_new ();
  GtkWindow *window = show_widget (timeline, 800, 300);
  g_auto(NodeStats) stats;

  lab_timeline_set_run (LAB_TIMELINE (timeline), run);
  g_assert_cmpuint (lab_timeline_get_n_bars (LAB_TIMELINE (timeline)), ==, 20000);
  g_assert_cmpuint (lab_timeline_get_n_lanes (LAB_TIMELINE (timeline)), ==, 4);
  render (timeline, &stats);
  g_assert_cmpuint (stats.n_color, >=, 4);
  g_assert_cmpuint (stats.n_color, <=, 4 * 800);
  gtk_window_destroy (window);
}

/* Many lanes shrink to fit rather than push the time axis away. */
static void
test_timeline_many_lanes (void)
{
  g_autoptr(LabRun) run = run_task ("sleep", "threads", 40,
                                    "{'jobs': <uint32 40>, 'seconds': <[0.01]>}");
  GtkWidget *timeline = lab_timeline_new ();
  GtkWindow *window = show_widget (timeline, 800, 300);
  int natural_40, natural_2;

  lab_timeline_set_run (LAB_TIMELINE (timeline), run);
  g_assert_cmpuint (lab_timeline_get_n_lanes (LAB_TIMELINE (timeline)), ==, 40);
  gtk_widget_measure (timeline, GTK_ORIENTATION_VERTICAL, -1, NULL, &natural_40, NULL, NULL);
  {
    g_autoptr(LabRun) two = run_task ("sleep", "threads", 2, "{'jobs': <uint32 2>, 'seconds': <[0.01]>}");
    lab_timeline_set_run (LAB_TIMELINE (timeline), two);
    gtk_widget_measure (timeline, GTK_ORIENTATION_VERTICAL, -1, NULL, &natural_2, NULL, NULL);
  }
  /* 40 lanes are as tall as 16, not twenty times two. */
  g_assert_cmpint (natural_40, <, natural_2 * 10);
  g_assert_cmpint (natural_40, >, natural_2);
  gtk_window_destroy (window);
}

/* Failed jobs have their own colour, and their error in the tooltip. */
static void
test_timeline_failed (void)
{
  g_autoptr(LabRun) run = run_task ("download", "thread-pool", 2,
                                    "{'urls': <['http://127.0.0.1:9/a.jpg', 'http://127.0.0.1:9/b.jpg']>,"
                                    " 'timeout': <2.0>}");
  GtkWidget *timeline = lab_timeline_new ();
  GtkWindow *window = show_widget (timeline, 600, 200);
  g_autofree char *text = NULL;
  g_auto(NodeStats) stats;
  GdkRGBA failed, ok;

  g_assert_cmpuint (lab_run_get_n_failed (run), ==, 2);
  lab_timeline_set_run (LAB_TIMELINE (timeline), run);
  render (timeline, &stats);
  lookup (timeline, "lab_job_failed", &failed);
  lookup (timeline, "lab_job_ok", &ok);
  g_assert_false (gdk_rgba_equal (&failed, &ok));
  g_assert_cmpuint (count_color (&stats, &failed, NULL), ==, 2);
  g_assert_cmpuint (count_color (&stats, &ok, NULL), ==, 0);

  text = lab_timeline_describe_job (LAB_TIMELINE (timeline), 1);
  g_assert_nonnull (strstr (text, lab_run_get_job (run, 1)->error));
  gtk_window_destroy (window);
}

/* Bars take their colours from the style: dark mode changes them. */
static void
test_timeline_dark (void)
{
  g_autoptr(LabRun) run = run_task ("sleep", "threads", 2,
                                    "{'seconds': <[0.05, 0.05]>}");
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkWidget *timeline = lab_timeline_new ();
  GtkWindow *window = show_widget (timeline, 600, 200);
  g_auto(NodeStats) light;
  g_auto(NodeStats) dark;
  GdkRGBA ok_light, ok_dark;

  lab_timeline_set_run (LAB_TIMELINE (timeline), run);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  render (timeline, &light);
  lookup (timeline, "success_bg_color", &ok_light);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  render (timeline, &dark);
  lookup (timeline, "success_bg_color", &ok_dark);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);

  g_assert_false (gdk_rgba_equal (&ok_light, &ok_dark));
  g_assert_cmpuint (count_color (&light, &ok_light, NULL), ==, 2);
  g_assert_cmpuint (count_color (&dark, &ok_dark, NULL), ==, 2);
  gtk_window_destroy (window);
}

/* ---------------------------------------------------------------- */

#define SLEEP_2 "{'seconds': <[1.0, 1.0]>}"

/* A made-up run that ended as @state: the charts draw figures, not clocks. */
static LabRun *
fake_run (const char  *strategy,
          guint        workers,
          const char  *params,
          double       wall_s,
          double       cpu_s,
          LabRunState  state)
{
  g_autoptr(LabRun) finished = lab_test_fake_run ("sleep", strategy, workers, params, 2, wall_s, cpu_s);
  LabRunSummary sum;
  LabJobRecord jobs[2];

  if (state == LAB_RUN_FINISHED)
    return g_steal_pointer (&finished);
  lab_run_get_summary (finished, &sum);
  for (guint i = 0; i < 2; i++)
    jobs[i] = *lab_run_get_job (finished, i);
  return lab_run_new_from_records (lab_run_get_config (finished), state, &sum, jobs, 2, NULL, 0);
}

static LabAnalysis *
analyse (GPtrArray *runs)
{
  return lab_analysis_new ((LabRun **) runs->pdata, runs->len);
}

/* One experiment: a loop, threads, a process pool. */
static GPtrArray *
three_runs (void)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (runs, fake_run ("sequential", 1, SLEEP_2, 2.0, 0.0002, LAB_RUN_FINISHED));
  g_ptr_array_add (runs, fake_run ("threads", 2, SLEEP_2, 1.0, 0.0002, LAB_RUN_FINISHED));
  g_ptr_array_add (runs, fake_run ("process-pool", 2, SLEEP_2, 1.02, 0.01, LAB_RUN_FINISHED));
  return runs;
}

static void
test_comparison_empty (void)
{
  GtkWidget *chart = lab_comparison_chart_new ();
  GtkWindow *window = show_widget (chart, 500, 300);
  g_auto(NodeStats) none;

  render (chart, &none);
  g_assert_cmpuint (none.n_text, ==, 2);   /* the legend */
  g_assert_cmpuint (lab_comparison_chart_get_n_rows (LAB_COMPARISON_CHART (chart)), ==, 0);
  g_assert_null (lab_comparison_chart_get_selected (LAB_COMPARISON_CHART (chart)));
  gtk_window_destroy (window);
}

/* One row per strategy with its two bars; sleeping jobs' CPU bars are
 * slivers next to their elapsed bars. */
static void
test_comparison_runs (void)
{
  g_autoptr(GPtrArray) runs = three_runs ();
  g_autoptr(LabAnalysis) analysis = analyse (runs);
  GtkWidget *chart = lab_comparison_chart_new ();
  GtkWindow *window = show_widget (chart, 500, 400);
  g_auto(NodeStats) three;
  g_auto(NodeStats) selected;
  g_autofree char *row = NULL;
  GdkRGBA elapsed, cpu;

  lab_comparison_chart_set_analysis (LAB_COMPARISON_CHART (chart), analysis);
  g_assert_cmpuint (lab_comparison_chart_get_n_rows (LAB_COMPARISON_CHART (chart)), ==, 3);
  render (chart, &three);
  lookup (chart, "lab_elapsed_bar", &elapsed);
  /* The legend swatch and one bar per row. */
  g_assert_cmpuint (count_color (&three, &elapsed, NULL), ==, 1 + 3);
  lookup (chart, "lab_cpu_bar", &cpu);
  g_assert_cmpuint (count_color (&three, &cpu, NULL), ==, 1 + 3);
  for (guint i = 0; i < three.rects->len; i++)
    {
      const ColorRect *rect = &g_array_index (three.rects, ColorRect, i);

      /* 0.2 ms of CPU beside 2 s of wall: at most a pixel or two. */
      if (gdk_rgba_equal (&rect->color, &cpu) && rect->bounds.origin.y > 20 && rect->bounds.size.width <= 2)
        continue;
      if (gdk_rgba_equal (&rect->color, &cpu) && rect->bounds.origin.y > 20)
        g_assert_cmpfloat (rect->bounds.size.width, <, 10);
    }
  row = lab_comparison_chart_describe_row (LAB_COMPARISON_CHART (chart), 1);
  g_assert_nonnull (strstr (row, "Threads · 2 workers"));
  g_assert_nonnull (strstr (row, "2.00×"));

  lab_comparison_chart_set_selected (LAB_COMPARISON_CHART (chart), g_ptr_array_index (runs, 1));
  render (chart, &selected);
  g_assert_cmpuint (selected.n_color, ==, three.n_color + 1);
  gtk_window_destroy (window);
}

/* Repeats collapse into one row, whiskers from the fastest to the
 * slowest with the median: four marks; a run done once gets none. */
static void
test_comparison_repeats (void)
{
  g_autoptr(GPtrArray) runs = three_runs ();
  g_autoptr(LabAnalysis) once = analyse (runs);
  g_autoptr(LabAnalysis) repeated = NULL;
  GtkWidget *chart = lab_comparison_chart_new ();
  GtkWindow *window = show_widget (chart, 500, 400);
  g_auto(NodeStats) a;
  g_auto(NodeStats) b;
  g_autofree char *row = NULL;
  GdkRGBA whisker;

  lab_comparison_chart_set_analysis (LAB_COMPARISON_CHART (chart), once);
  render (chart, &a);
  lookup (chart, "lab_whisker", &whisker);
  g_assert_cmpuint (count_color (&a, &whisker, NULL), ==, 0);

  g_ptr_array_add (runs, fake_run ("threads", 2, SLEEP_2, 1.1, 0.0002, LAB_RUN_FINISHED));
  g_ptr_array_add (runs, fake_run ("threads", 2, SLEEP_2, 1.3, 0.0002, LAB_RUN_FINISHED));
  repeated = analyse (runs);
  lab_comparison_chart_set_analysis (LAB_COMPARISON_CHART (chart), repeated);
  g_assert_cmpuint (lab_comparison_chart_get_n_rows (LAB_COMPARISON_CHART (chart)), ==, 3);
  render (chart, &b);
  g_assert_cmpuint (count_color (&b, &whisker, NULL), ==, 4);
  row = lab_comparison_chart_describe_row (LAB_COMPARISON_CHART (chart), 1);
  g_assert_nonnull (strstr (row, "3 runs"));
  g_assert_nonnull (strstr (row, "Median 1.10 s of 3 finished runs, fastest 1.00 s, slowest 1.30 s"));
  /* The row stands for its median repeat. */
  g_assert_true (lab_comparison_chart_get_row_run (LAB_COMPARISON_CHART (chart), 1) == g_ptr_array_index (runs, 3));
  gtk_window_destroy (window);
}

/* A configuration that never finished says how it ended. */
static void
test_comparison_cancelled (void)
{
  g_autoptr(GPtrArray) runs = three_runs ();
  g_autoptr(LabAnalysis) analysis = NULL;
  GtkWidget *chart = lab_comparison_chart_new ();
  GtkWindow *window = show_widget (chart, 500, 400);
  g_autofree char *cancelled = NULL;
  g_autofree char *repeat = NULL;

  g_ptr_array_add (runs, fake_run ("thread-pool", 2, SLEEP_2, 0.4, 0.0001, LAB_RUN_CANCELLED));
  g_ptr_array_add (runs, fake_run ("threads", 2, SLEEP_2, 0.3, 0.0001, LAB_RUN_CANCELLED));
  analysis = analyse (runs);
  lab_comparison_chart_set_analysis (LAB_COMPARISON_CHART (chart), analysis);
  g_assert_cmpuint (lab_comparison_chart_get_n_rows (LAB_COMPARISON_CHART (chart)), ==, 4);
  cancelled = lab_comparison_chart_describe_row (LAB_COMPARISON_CHART (chart), 3);
  g_assert_nonnull (strstr (cancelled, "1 cancelled"));
  repeat = lab_comparison_chart_describe_row (LAB_COMPARISON_CHART (chart), 1);
  g_assert_nonnull (strstr (repeat, "2 runs · 1 cancelled"));
  gtk_window_destroy (window);
}

static void
run_activated_cb (GtkWidget *chart,
                  LabRun    *run,
                  LabRun   **activated)
{
  *activated = run;
}

/* A click on a row says which run it stands for. */
static void
click (GtkWidget *widget,
       double     x,
       double     y)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller))
        g_signal_emit_by_name (controller, "pressed", 1, x, y);
    }
}

static void
test_comparison_click (void)
{
  g_autoptr(GPtrArray) runs = three_runs ();
  g_autoptr(LabAnalysis) analysis = analyse (runs);
  GtkWidget *chart = lab_comparison_chart_new ();
  GtkWindow *window = show_widget (chart, 500, 400);
  LabRun *activated = NULL;

  lab_comparison_chart_set_analysis (LAB_COMPARISON_CHART (chart), analysis);
  g_signal_connect (chart, "run-activated", G_CALLBACK (run_activated_cb), &activated);
  wait_frame (chart);
  for (guint row = 0; row < 3; row++)
    {
      click (chart, 20, lab_comparison_chart_get_row_y (LAB_COMPARISON_CHART (chart), row));
      g_assert_true (activated == g_ptr_array_index (runs, row));
    }
  /* Below the rows: nothing. */
  activated = NULL;
  click (chart, 20, 1000);
  g_assert_null (activated);
  gtk_window_destroy (window);
}

/* ---------------------------------------------------------------- */

static void
test_breakdown (void)
{
  g_autoptr(GPtrArray) runs = three_runs ();
  g_autoptr(LabAnalysis) analysis = NULL;
  GtkWidget *chart = lab_breakdown_chart_new ();
  GtkWindow *window = show_widget (chart, 600, 300);
  g_autofree char *tooltip = NULL;
  g_auto(NodeStats) stats;
  double shares[LAB_N_PARTS], sum = 0;
  LabRun *activated = NULL;
  GdkRGBA work;

  g_ptr_array_add (runs, fake_run ("threads", 2, SLEEP_2, 0.3, 0.0001, LAB_RUN_CANCELLED));
  analysis = analyse (runs);
  lab_breakdown_chart_set_analysis (LAB_BREAKDOWN_CHART (chart), analysis);
  /* One bar per configuration that has a finished run. */
  g_assert_cmpuint (lab_breakdown_chart_get_n_rows (LAB_BREAKDOWN_CHART (chart)), ==, 3);
  lab_breakdown_chart_get_shares (LAB_BREAKDOWN_CHART (chart), 1, shares);
  for (guint p = 0; p < LAB_N_PARTS; p++)
    sum += shares[p];
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-9);
  /* Back-to-back jobs of 1 s on 2 lanes over 1 s: all work. */
  g_assert_cmpfloat_with_epsilon (shares[LAB_PART_WORK], 1.0, 1e-6);
  tooltip = lab_breakdown_chart_describe_part (LAB_BREAKDOWN_CHART (chart), 1, LAB_PART_WORK);
  g_assert_nonnull (strstr (tooltip, "work: 2.00 s"));
  g_assert_nonnull (strstr (tooltip, "100 %"));

  render (chart, &stats);
  lab_breakdown_part_color (chart, LAB_PART_WORK, &work);
  g_assert_cmpuint (count_color (&stats, &work, NULL), ==, 1 + 3);

  g_signal_connect (chart, "run-activated", G_CALLBACK (run_activated_cb), &activated);
  click (chart, 20, lab_breakdown_chart_get_row_y (LAB_BREAKDOWN_CHART (chart), 2));
  g_assert_true (activated == lab_breakdown_chart_get_row_run (LAB_BREAKDOWN_CHART (chart), 2));
  g_assert_true (activated == g_ptr_array_index (runs, 2));
  activated = NULL;
  click (chart, 20, 2);   /* the legend */
  g_assert_null (activated);
  gtk_window_destroy (window);
}

/* ---------------------------------------------------------------- */

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *n_notify)
{
  (*n_notify)++;
}

/* The colour the chart draws the ideal line and its legend swatch in. */
static void
ideal_color (GtkWidget *widget,
             GdkRGBA   *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  color->alpha *= 0.45;
}

/* A loop, and two strategies on one and two workers. */
static GPtrArray *
sweep_runs (const char *a,
            const char *b)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_add (runs, fake_run ("sequential", 1, SLEEP_2, 2.0, 0.001, LAB_RUN_FINISHED));
  g_ptr_array_add (runs, fake_run (a, 1, SLEEP_2, 2.0, 0.001, LAB_RUN_FINISHED));
  g_ptr_array_add (runs, fake_run (b, 1, SLEEP_2, 2.1, 0.001, LAB_RUN_FINISHED));
  g_ptr_array_add (runs, fake_run (a, 2, SLEEP_2, 1.0, 0.001, LAB_RUN_FINISHED));
  g_ptr_array_add (runs, fake_run (b, 2, SLEEP_2, 1.1, 0.001, LAB_RUN_FINISHED));
  return runs;
}

/* No sweep: no series, a one-line message and nothing plotted. */
static void
test_scaling_empty (void)
{
  GtkWidget *chart = lab_scaling_chart_new ();
  GtkWindow *window = show_widget (chart, 500, 300);
  g_autoptr(GPtrArray) runs = three_runs ();
  g_autoptr(LabAnalysis) analysis = analyse (runs);
  g_auto(NodeStats) none;
  g_auto(NodeStats) single;
  guint n_notify = 0;
  int height;

  render (chart, &none);
  g_assert_cmpuint (lab_scaling_chart_get_n_series (LAB_SCALING_CHART (chart)), ==, 0);
  g_assert_cmpuint (none.n_text, >=, 1);   /* the message */
  g_assert_cmpuint (none.n_color + none.n_cairo, ==, 0);
  gtk_widget_measure (chart, GTK_ORIENTATION_VERTICAL, -1, &height, NULL, NULL, NULL);
  g_assert_cmpint (height, >=, 200);

  /* One worker count each: no sweep. */
  g_signal_connect (chart, "notify::n-series", G_CALLBACK (count_notify_cb), &n_notify);
  g_assert_false (lab_analysis_is_sweep (analysis));
  lab_scaling_chart_set_analysis (LAB_SCALING_CHART (chart), analysis);
  render (chart, &single);
  g_assert_cmpuint (lab_scaling_chart_get_n_series (LAB_SCALING_CHART (chart)), ==, 0);
  g_assert_cmpuint (n_notify, ==, 0);
  g_assert_cmpuint (single.n_color + single.n_cairo, ==, 0);
  gtk_window_destroy (window);
}

static void
check_sweep_nodes (GtkWidget *chart,
                   NodeStats *stats)
{
  GdkRGBA first, second, ideal;

  lab_chart_palette_color (chart, 0, &first);
  lab_chart_palette_color (chart, 1, &second);
  ideal_color (chart, &ideal);
  g_assert_false (gdk_rgba_equal (&first, &second));
  /* Two dots and the legend swatch for each strategy; the swatch of the
   * ideal line; the lines and curves in one cairo node. */
  g_assert_cmpuint (count_color (stats, &first, NULL), ==, 2 + 1);
  g_assert_cmpuint (count_color (stats, &second, NULL), ==, 2 + 1);
  g_assert_cmpuint (count_color (stats, &ideal, NULL), ==, 1);
  g_assert_cmpuint (stats->n_cairo, ==, 1);
  /* Three legend entries, 0× to 2× at least, counts 1 and 2, the titles
   * of both axes. */
  g_assert_cmpuint (stats->n_text, >=, 3 + 3 + 2 + 2);
}

/* Two strategies on one and two workers: two series; none again once
 * the chart is given no sweep. */
static void
test_scaling_sweep (void)
{
  g_autoptr(GPtrArray) runs = sweep_runs ("thread-pool", "process-pool");
  g_autoptr(LabAnalysis) analysis = analyse (runs);
  GtkWidget *chart = lab_scaling_chart_new ();
  GtkWindow *window = show_widget (chart, 600, 320);
  g_auto(NodeStats) stats;
  guint n_notify = 0;
  guint n_series;

  g_signal_connect (chart, "notify::n-series", G_CALLBACK (count_notify_cb), &n_notify);
  g_assert_true (lab_analysis_is_sweep (analysis));
  lab_scaling_chart_set_analysis (LAB_SCALING_CHART (chart), analysis);
  g_assert_cmpuint (n_notify, ==, 1);
  g_object_get (chart, "n-series", &n_series, NULL);
  g_assert_cmpuint (n_series, ==, 2);

  render (chart, &stats);
  check_sweep_nodes (chart, &stats);

  lab_scaling_chart_set_analysis (LAB_SCALING_CHART (chart), NULL);
  g_assert_cmpuint (lab_scaling_chart_get_n_series (LAB_SCALING_CHART (chart)), ==, 0);
  g_assert_cmpuint (n_notify, ==, 2);
  gtk_window_destroy (window);
}

/* The neutral lines follow the style: dark mode changes them. */
static void
test_scaling_dark (void)
{
  g_autoptr(GPtrArray) runs = sweep_runs ("threads", "processes");
  g_autoptr(LabAnalysis) analysis = analyse (runs);
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkWidget *chart = lab_scaling_chart_new ();
  GtkWindow *window = show_widget (chart, 600, 320);
  g_auto(NodeStats) light;
  g_auto(NodeStats) dark;
  GdkRGBA ideal_light, ideal_dark;

  lab_scaling_chart_set_analysis (LAB_SCALING_CHART (chart), analysis);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  render (chart, &light);
  check_sweep_nodes (chart, &light);
  ideal_color (chart, &ideal_light);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  render (chart, &dark);
  check_sweep_nodes (chart, &dark);
  ideal_color (chart, &ideal_dark);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);

  g_assert_false (gdk_rgba_equal (&ideal_light, &ideal_dark));
  g_assert_cmpuint (light.n_text, ==, dark.n_text);
  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) provider = NULL;

  lab_test_init (&argc, &argv);
  adw_init ();
  /* What AdwApplication loads for the app. */
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add_func ("/charts/cpu/empty", test_cpu_chart_empty);
  g_test_add_func ("/charts/cpu/history", test_cpu_chart_history);
  g_test_add_func ("/charts/cpu/sampler", test_cpu_chart_sampler);
  g_test_add_func ("/charts/cpu/legend", test_cpu_chart_legend);
  g_test_add_func ("/charts/cpu/hover", test_cpu_chart_hover);
  g_test_add_func ("/charts/timeline/empty", test_timeline_empty);
  g_test_add_func ("/charts/timeline/ten-threads", test_timeline_ten_threads);
  g_test_add_func ("/charts/timeline/thread-pool", test_timeline_thread_pool);
  g_test_add_func ("/charts/timeline/process-pool", test_timeline_process_pool);
  g_test_add_func ("/charts/timeline/startup", test_timeline_startup);
  g_test_add_func ("/charts/timeline/phases", test_timeline_phases);
  g_test_add_func ("/charts/timeline/many-lanes", test_timeline_many_lanes);
  g_test_add_func ("/charts/timeline/live", test_timeline_live);
  g_test_add_func ("/charts/timeline/many-jobs", test_timeline_many_jobs);
  g_test_add_func ("/charts/timeline/failed", test_timeline_failed);
  g_test_add_func ("/charts/timeline/dark", test_timeline_dark);
  g_test_add_func ("/charts/comparison/empty", test_comparison_empty);
  g_test_add_func ("/charts/comparison/runs", test_comparison_runs);
  g_test_add_func ("/charts/comparison/repeats", test_comparison_repeats);
  g_test_add_func ("/charts/comparison/cancelled", test_comparison_cancelled);
  g_test_add_func ("/charts/comparison/click", test_comparison_click);
  g_test_add_func ("/charts/breakdown", test_breakdown);
  g_test_add_func ("/charts/scaling/empty", test_scaling_empty);
  g_test_add_func ("/charts/scaling/sweep", test_scaling_sweep);
  g_test_add_func ("/charts/scaling/dark", test_scaling_dark);

  return g_test_run ();
}
