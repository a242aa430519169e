/* lab-comparison-chart.c — one experiment's strategies side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per configuration of ONE experiment (the same jobs: task and
 * parameters), as the engine's analysis groups them: a bar for the
 * elapsed time and one for the CPU time just below, on one scale, so
 * that threads waiting together and processes working in parallel tell
 * their story side by side. Repeats collapse into one bar, their median,
 * with whiskers from the fastest to the slowest; a configuration that
 * never finished says whether it was cancelled or failed.
 */
#define G_LOG_DOMAIN "lab-comparison-chart"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lab-chart-util.h"
#include "lab-comparison-chart.h"
#include "lab-format.h"

#define PAD       8
#define BAR       10
#define BAR_GAP   2
#define ROW_GAP   10
#define WHISKER   2   /* line width of the whiskers */
/* Elapsed bars of runs still going grow on this tick. */
#define TICK_MS   100  /* at idle priority, as the timeline's */

struct _LabComparisonChart
{
  GtkWidget    parent_instance;

  LabAnalysis *analysis;
  GPtrArray   *watched;     /* LabRun whose progress we follow */
  guint        tick_id;
  LabChartThrottle throttle;
  LabRun      *selected;
  double       reference_s;  /* a baseline's elapsed time, or NAN */
  char        *reference_label;
};

enum {
  PROP_0,
  PROP_SELECTED,
  N_PROPS
};

enum {
  RUN_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LabComparisonChart, lab_comparison_chart, GTK_TYPE_WIDGET)

static guint
n_rows (LabComparisonChart *self)
{
  return self->analysis ? lab_analysis_get_n_groups (self->analysis) : 0;
}

static const LabRunGroup *
group_at (LabComparisonChart *self,
          guint               row)
{
  return lab_analysis_get_group (self->analysis, row);
}


static gboolean
row_contains (const LabRunGroup *group,
              LabRun            *run)
{
  return run != NULL && g_ptr_array_find (group->runs, run, NULL);
}

static void
run_progress_cb (LabComparisonChart *self)
{
  lab_chart_throttle_queue_draw (&self->throttle, GTK_WIDGET (self));
}

static gboolean
any_running (LabComparisonChart *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    if (lab_run_get_state (g_ptr_array_index (self->watched, i)) < LAB_RUN_FINISHED)
      return TRUE;
  return FALSE;
}

static gboolean
tick_cb (gpointer data)
{
  LabComparisonChart *self = data;

  lab_chart_throttle_queue_draw (&self->throttle, GTK_WIDGET (self));
  if (any_running (self))
    return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static void
unwatch_runs (LabComparisonChart *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i), run_progress_cb, self);
  g_ptr_array_set_size (self->watched, 0);
}

/* Finished runs do not change: only runs still going are followed. */
static void
watch_runs (LabComparisonChart *self)
{
  unwatch_runs (self);
  for (guint i = 0; self->analysis != NULL && i < lab_analysis_get_n_runs (self->analysis); i++)
    {
      LabRun *run = lab_analysis_get_run (self->analysis, i);

      if (lab_run_get_state (run) >= LAB_RUN_FINISHED)
        continue;
      g_signal_connect_object (run, "progress", G_CALLBACK (run_progress_cb), self, G_CONNECT_SWAPPED);
      g_ptr_array_add (self->watched, g_object_ref (run));
    }
  if (self->watched->len > 0)
    self->tick_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, TICK_MS, tick_cb, self, NULL);
}

/* Seconds of the elapsed and CPU bars: the medians of the finished
 * repeats, or what the last run did so far. */
static void
row_figures (const LabRunGroup *group,
             double            *wall,
             double            *cpu)
{
  LabRun *last = g_ptr_array_index (group->runs, group->runs->len - 1);
  LabRunSummary sum;

  if (group->wall.n > 0)
    {
      *wall = group->wall.median;
      *cpu = group->cpu.median;
      return;
    }
  lab_run_get_summary (last, &sum);
  *wall = sum.wall_ns / 1e9;
  *cpu = (sum.user_ns + sum.sys_ns) / 1e9;
}

static guint
count_state (const LabRunGroup *group,
             LabRunState        state)
{
  guint n = 0;

  for (guint i = 0; i < group->runs->len; i++)
    n += lab_run_get_state (g_ptr_array_index (group->runs, i)) == state;
  return n;
}

/* "Threads · 10 workers · 3 runs · 1 cancelled" */
static char *
describe_group (const LabRunGroup *group)
{
  const LabRunConfig *config = lab_run_get_config (group->first);
  guint workers = lab_run_get_workers (group->first);
  guint cancelled = count_state (group, LAB_RUN_CANCELLED);
  guint failed = count_state (group, LAB_RUN_FAILED);
  g_autofree char *who = lab_run_config_dup_strategy_title (config);
  GString *text = g_string_new (who);

  if (workers > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u worker", "%u workers", workers), workers);
    }
  if (lab_run_config_uses_gil (config))
    g_string_append (text, _(" · GIL"));
  if (group->runs->len > 1)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u run", "%u runs", group->runs->len),
                              group->runs->len);
    }
  if (cancelled > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u cancelled", "%u cancelled", cancelled), cancelled);
    }
  if (failed > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u could not run", "%u could not run", failed), failed);
    }
  return g_string_free (text, FALSE);
}

/* From one bar to the next: room for the value written beside it. */
static int
bar_pitch (GtkWidget *widget)
{
  return MAX (BAR + BAR_GAP, lab_chart_line_height (widget));
}

static int
row_height (GtkWidget *widget)
{
  return lab_chart_line_height (widget) + 2 + bar_pitch (widget) + BAR + ROW_GAP;
}

static double
first_row_y (GtkWidget *widget)
{
  return lab_chart_line_height (widget) + PAD + ROW_GAP / 2.0;
}

/* The bar, and its text after @text_x (or after the bar when further). */
static void
snapshot_bar (GtkWidget     *widget,
              GtkSnapshot   *snapshot,
              double         x,
              double         y,
              double         width,
              double         text_x,
              const GdkRGBA *color,
              const char    *text)
{
  int line = lab_chart_line_height (widget);
  GdkRGBA fg;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.75, &fg);
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, MAX (1, width), BAR));
  lab_chart_append_text (widget, snapshot, text, MAX (text_x, x + MAX (1, width)) + 6,
                         y + BAR / 2.0 - line / 2.0, 0, &fg);
}

/* Min to max as a line with end caps, the median as a taller tick. */
static void
snapshot_whiskers (GtkWidget      *widget,
                   GtkSnapshot    *snapshot,
                   double          y,
                   double          scale,
                   const LabStats *stats)
{
  double mid = y + BAR / 2.0;
  double x0 = PAD + stats->min * scale;
  double x1 = PAD + stats->max * scale;
  double xm = PAD + stats->median * scale;
  GdkRGBA color;

  lab_chart_lookup_color (widget, "lab_whisker", NULL, 0.7, &color);
  gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x0, mid - WHISKER / 2.0, MAX (1, x1 - x0), WHISKER));
  gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x0 - WHISKER / 2.0, y - 1, WHISKER, BAR + 2));
  gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x1 - WHISKER / 2.0, y - 1, WHISKER, BAR + 2));
  gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (xm - WHISKER / 2.0, y - 3, WHISKER, BAR + 6));
}

static void
snapshot_highlight (GtkWidget   *widget,
                    GtkSnapshot *snapshot,
                    double       y)
{
  GskRoundedRect outline;
  GdkRGBA highlight;

  lab_chart_lookup_color (widget, "lab_selected_run", NULL, 0.08, &highlight);
  gsk_rounded_rect_init_from_rect (&outline,
                                   &GRAPHENE_RECT_INIT (2, y - ROW_GAP / 2.0 + 1,
                                                        gtk_widget_get_width (widget) - 4,
                                                        row_height (widget) - 2), 6);
  gtk_snapshot_push_rounded_clip (snapshot, &outline);
  gtk_snapshot_append_color (snapshot, &highlight, &outline.bounds);
  gtk_snapshot_pop (snapshot);
}

/* "1.50 s elapsed", or "2.10 s, then cancelled" when nothing finished. */
static char *
elapsed_text (const LabRunGroup *group,
              double             wall)
{
  g_autofree char *seconds = lab_format_seconds (llround (wall * 1e9));
  LabRunState state = lab_run_get_state (g_ptr_array_index (group->runs, group->runs->len - 1));

  if (group->wall.n == 0 && state == LAB_RUN_CANCELLED)
    /* Translators: %s is a duration, e.g. "2.10 s" */
    return g_strdup_printf (_("%s, then cancelled"), seconds);
  if (group->wall.n == 0 && state == LAB_RUN_FAILED)
    return g_strdup (_("could not run"));
  if (group->speedup > 0 && !lab_strategy_is_loop (lab_run_get_config (group->first)->strategy))
    /* Translators: a duration and a speed-up, e.g. "1.50 s · 9.9× the loop" */
    return g_strdup_printf (_("%s · %.1f× the loop"), seconds, group->speedup);
  /* Translators: %s is a duration, e.g. "1.5 s" */
  return g_strdup_printf (_("%s elapsed"), seconds);
}

static void
snapshot_row (LabComparisonChart *self,
              GtkSnapshot        *snapshot,
              guint               row,
              double              y,
              double              scale)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const LabRunGroup *group = group_at (self, row);
  int line = lab_chart_line_height (widget);
  gboolean done = group->wall.n > 0;
  g_autofree char *label = describe_group (group);
  g_autofree char *wall_label = NULL;
  g_autofree char *cpu_label = NULL;
  g_autofree char *cpu_text = NULL;
  double wall, cpu;
  GdkRGBA fg, color;

  row_figures (group, &wall, &cpu);
  lab_chart_get_foreground (widget, &fg);
  if (row_contains (group, self->selected))
    snapshot_highlight (widget, snapshot, y);

  lab_chart_append_text (widget, snapshot, label, PAD, y, 0, &fg);
  y += line + 2;
  lab_chart_lookup_color (widget, "lab_elapsed_bar", "accent_bg_color", 0.8, &color);
  if (!done)
    lab_chart_with_alpha (&color, 0.45, &color);
  wall_label = elapsed_text (group, wall);
  snapshot_bar (widget, snapshot, PAD, y, wall * scale, group->wall.n >= 2 ? PAD + group->wall.max * scale : 0,
                &color, wall_label);
  if (group->wall.n >= 2)
    snapshot_whiskers (widget, snapshot, y, scale, &group->wall);
  lab_chart_lookup_color (widget, "lab_cpu_bar", "orange_3", 0.45, &color);
  cpu_text = lab_format_seconds (llround (cpu * 1e9));
  /* Translators: %s is a duration, e.g. "0.02 s" */
  cpu_label = g_strdup_printf (_("%s CPU"), cpu_text);
  snapshot_bar (widget, snapshot, PAD, y + bar_pitch (widget), cpu * scale, 0, &color, cpu_label);
}

/* Pixels per second so that the longest bar leaves room for its text. */
static double
compute_scale (LabComparisonChart *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double longest = 0.001;
  double room = gtk_widget_get_width (widget) - 2 * PAD -
                lab_chart_text_width (widget, _("00.00 s · 00.0× the loop")) - 6;

  for (guint row = 0; row < n_rows (self); row++)
    {
      const LabRunGroup *group = group_at (self, row);
      double wall, cpu;

      row_figures (group, &wall, &cpu);
      longest = MAX (longest, MAX (wall, cpu));
      if (group->wall.n > 0)
        longest = MAX (longest, group->wall.max);
    }
  if (isfinite (self->reference_s))
    longest = MAX (longest, self->reference_s);
  return MAX (room, 1) / longest;
}

static void
snapshot_legend (LabComparisonChart *self,
                 GtkSnapshot        *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double x = PAD;
  GdkRGBA color;

  lab_chart_lookup_color (widget, "lab_elapsed_bar", "accent_bg_color", 0.8, &color);
  lab_chart_append_legend (widget, snapshot, x, 0, &color, _("Elapsed time (median of repeats)"), &x);
  lab_chart_lookup_color (widget, "lab_cpu_bar", "orange_3", 0.45, &color);
  lab_chart_append_legend (widget, snapshot, x, 0, &color, _("CPU time"), &x);
}

/* A dashed line across the rows at the baseline's elapsed time, its
 * label below them. */
static void
snapshot_reference (LabComparisonChart *self,
                    GtkSnapshot        *snapshot,
                    double              scale,
                    double              bottom)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double x = PAD + self->reference_s * scale;
  double top = first_row_y (widget);
  GdkRGBA fg, color;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.7, &color);
  for (double y = top; y < bottom; y += 8)
    gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x - 1, y, 2, MIN (4, bottom - y)));
  lab_chart_append_text (widget, snapshot, self->reference_label ? self->reference_label : "",
                         MAX (PAD, x - lab_chart_text_width (widget, self->reference_label ? self->reference_label : "") / 2),
                         bottom + 2, 0, &fg);
}

static void
lab_comparison_chart_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  LabComparisonChart *self = LAB_COMPARISON_CHART (widget);
  double y = first_row_y (widget);
  double scale;

  snapshot_legend (self, snapshot);
  if (n_rows (self) == 0)
    return;

  scale = compute_scale (self);
  for (guint row = 0; row < n_rows (self); row++, y += row_height (widget))
    snapshot_row (self, snapshot, row, y, scale);
  if (isfinite (self->reference_s))
    snapshot_reference (self, snapshot, scale, y);
}

static void
lab_comparison_chart_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  LabComparisonChart *self = LAB_COMPARISON_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 400;
    }
  else
    *minimum = *natural = lab_chart_line_height (widget) + PAD + MAX (n_rows (self), 1) * row_height (widget) +
                          (isfinite (self->reference_s) ? lab_chart_line_height (widget) + 4 : 0);
}

static guint
row_at (LabComparisonChart *self,
        double              y)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double row = (y - first_row_y (widget) + ROW_GAP / 2.0) / row_height (widget);

  return row >= 0 && row < n_rows (self) ? (guint) row : G_MAXUINT;
}

/* A click chooses the run the row stands for, everywhere in the window. */
static void
pressed_cb (LabComparisonChart *self,
            int                 n_press,
            double              x,
            double              y)
{
  guint row = row_at (self, y);

  if (row != G_MAXUINT)
    g_signal_emit (self, signals[RUN_ACTIVATED], 0, lab_run_group_get_median_run (group_at (self, row)));
}

static gboolean
query_tooltip_cb (LabComparisonChart *self,
                  int                 x,
                  int                 y,
                  gboolean            keyboard,
                  GtkTooltip         *tooltip)
{
  g_autofree char *text = NULL;
  guint row = row_at (self, y);

  if (keyboard || row == G_MAXUINT)
    return FALSE;
  text = lab_comparison_chart_describe_row (self, row);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
lab_comparison_chart_dispose (GObject *object)
{
  LabComparisonChart *self = (LabComparisonChart *) object;

  lab_comparison_chart_set_analysis (self, NULL);
  g_clear_object (&self->selected);
  lab_chart_throttle_clear (&self->throttle, GTK_WIDGET (self));

  G_OBJECT_CLASS (lab_comparison_chart_parent_class)->dispose (object);
}

static void
lab_comparison_chart_finalize (GObject *object)
{
  LabComparisonChart *self = (LabComparisonChart *) object;

  g_ptr_array_unref (self->watched);
  g_free (self->reference_label);

  G_OBJECT_CLASS (lab_comparison_chart_parent_class)->finalize (object);
}

static void
lab_comparison_chart_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LabComparisonChart *self = LAB_COMPARISON_CHART (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      g_value_set_object (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_comparison_chart_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  LabComparisonChart *self = LAB_COMPARISON_CHART (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      lab_comparison_chart_set_selected (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_comparison_chart_class_init (LabComparisonChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_comparison_chart_dispose;
  object_class->finalize = lab_comparison_chart_finalize;
  object_class->get_property = lab_comparison_chart_get_property;
  object_class->set_property = lab_comparison_chart_set_property;

  widget_class->snapshot = lab_comparison_chart_snapshot;
  widget_class->measure = lab_comparison_chart_measure;

  properties[PROP_SELECTED] =
    g_param_spec_object ("selected", NULL, NULL, LAB_TYPE_RUN,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LabComparisonChart::run-activated:
   * @run: the run of the row clicked (its median repeat)
   */
  signals[RUN_ACTIVATED] = lab_chart_class_init_clickable (widget_class, "labcomparisonchart");
}

static void
lab_comparison_chart_init (LabComparisonChart *self)
{
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->reference_s = NAN;

  lab_chart_init_clickable (GTK_WIDGET (self), G_CALLBACK (pressed_cb), G_CALLBACK (query_tooltip_cb),
                            _("Elapsed and CPU time of each strategy of the experiment"));
}

GtkWidget *
lab_comparison_chart_new (void)
{
  return g_object_new (LAB_TYPE_COMPARISON_CHART, NULL);
}

/* @analysis: (nullable): one experiment's runs */
void
lab_comparison_chart_set_analysis (LabComparisonChart *self,
                                   LabAnalysis        *analysis)
{
  g_return_if_fail (LAB_IS_COMPARISON_CHART (self));

  if (analysis == self->analysis)
    return;
  g_clear_pointer (&self->analysis, lab_analysis_unref);
  self->analysis = analysis ? lab_analysis_ref (analysis) : NULL;
  watch_runs (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

LabAnalysis *
lab_comparison_chart_get_analysis (LabComparisonChart *self)
{
  g_return_val_if_fail (LAB_IS_COMPARISON_CHART (self), NULL);
  return self->analysis;
}

/* The row holding @run is drawn highlighted. */
void
lab_comparison_chart_set_selected (LabComparisonChart *self,
                                   LabRun             *run)
{
  g_return_if_fail (LAB_IS_COMPARISON_CHART (self));

  if (g_set_object (&self->selected, run))
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
    }
}

LabRun *
lab_comparison_chart_get_selected (LabComparisonChart *self)
{
  g_return_val_if_fail (LAB_IS_COMPARISON_CHART (self), NULL);
  return self->selected;
}

/**
 * lab_comparison_chart_set_reference:
 * @seconds: a baseline's elapsed time, or NAN for none
 * @label: (nullable): what the line is, e.g. "Baseline: run 3"
 *
 * Draws a reference line across the bars at @seconds.
 */
void
lab_comparison_chart_set_reference (LabComparisonChart *self,
                                    double              seconds,
                                    const char         *label)
{
  g_return_if_fail (LAB_IS_COMPARISON_CHART (self));

  self->reference_s = seconds > 0 && isfinite (seconds) ? seconds : NAN;
  g_free (self->reference_label);
  self->reference_label = g_strdup (label);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

double
lab_comparison_chart_get_reference (LabComparisonChart *self)
{
  g_return_val_if_fail (LAB_IS_COMPARISON_CHART (self), NAN);
  return self->reference_s;
}

guint
lab_comparison_chart_get_n_rows (LabComparisonChart *self)
{
  g_return_val_if_fail (LAB_IS_COMPARISON_CHART (self), 0);
  return n_rows (self);
}

LabRun *
lab_comparison_chart_get_row_run (LabComparisonChart *self,
                                  guint               row)
{
  g_return_val_if_fail (LAB_IS_COMPARISON_CHART (self), NULL);
  g_return_val_if_fail (row < n_rows (self), NULL);
  return lab_run_group_get_median_run (group_at (self, row));
}

/* The middle of the row's elapsed bar, in the widget's coordinates. */
double
lab_comparison_chart_get_row_y (LabComparisonChart *self,
                                guint               row)
{
  GtkWidget *widget = GTK_WIDGET (self);

  g_return_val_if_fail (LAB_IS_COMPARISON_CHART (self), 0);
  return first_row_y (widget) + row * row_height (widget) + lab_chart_line_height (widget) + 2 + BAR / 2.0;
}

/**
 * lab_comparison_chart_describe_row:
 *
 * Returns: (transfer full): the row's figures, as its tooltip says them
 */
char *
lab_comparison_chart_describe_row (LabComparisonChart *self,
                                   guint               row)
{
  const LabRunGroup *group;
  g_autofree char *title = NULL;
  g_autofree char *median = NULL, *low = NULL, *high = NULL, *cpu = NULL;
  GString *text;
  double wall, cpu_s;

  g_return_val_if_fail (LAB_IS_COMPARISON_CHART (self), NULL);
  g_return_val_if_fail (row < n_rows (self), NULL);

  group = group_at (self, row);
  row_figures (group, &wall, &cpu_s);
  title = describe_group (group);
  text = g_string_new (title);
  median = lab_format_seconds (llround (wall * 1e9));
  cpu = lab_format_seconds (llround (cpu_s * 1e9));
  if (group->wall.n >= 2)
    {
      low = lab_format_seconds (llround (group->wall.min * 1e9));
      high = lab_format_seconds (llround (group->wall.max * 1e9));
      /* Translators: the elapsed times of the finished repeats */
      g_string_append_printf (text, _("\nMedian %s of %u finished runs, fastest %s, slowest %s"),
                              median, group->wall.n, low, high);
    }
  else
    g_string_append_printf (text, _("\nElapsed %s"), median);
  g_string_append_printf (text, _("\nCPU %s"), cpu);
  if (group->speedup > 0)
    g_string_append_printf (text, _("\nSpeed-up against the loop %.2f×"), group->speedup);
  return g_string_free (text, FALSE);
}
