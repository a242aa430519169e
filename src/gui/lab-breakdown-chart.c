/* lab-breakdown-chart.c — where each run's time went, as stacked bars
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One bar per configuration of the experiment (its median run): the
 * workers' time, lanes × (set-up + wall), split as the engine's breakdown
 * says (lab-breakdown.c): set-up, starting workers, the jobs' own work,
 * handing jobs over, idle, stopping. The parts have the timeline's
 * colours; hovering one says its seconds and share.
 */
#define G_LOG_DOMAIN "lab-breakdown-chart"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lab-breakdown-chart.h"
#include "lab-chart-util.h"
#include "lab-format.h"

#define PAD      8
#define BAR      14
#define ROW_GAP  10

struct _LabBreakdownChart
{
  GtkWidget    parent_instance;

  LabAnalysis *analysis;
  GPtrArray   *rows;       /* LabRun: the run each row stands for */
  LabRun      *selected;
};

enum {
  RUN_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LabBreakdownChart, lab_breakdown_chart, GTK_TYPE_WIDGET)

static const struct {
  const char *name;
  const char *color;
  const char *fallback;
  double      alpha;
} parts[LAB_N_PARTS] = {
  [LAB_PART_SETUP]    = { N_("set-up"),   "lab_part_setup",    NULL,               0.25 },
  [LAB_PART_START]    = { N_("start"),    "lab_part_start",    "purple_2",         1.0 },
  [LAB_PART_WORK]     = { N_("work"),     "lab_job_ok",        "success_bg_color", 0.8 },
  [LAB_PART_TRANSFER] = { N_("transfer"), "lab_part_transfer", "blue_2",           1.0 },
  [LAB_PART_IDLE]     = { N_("idle"),     "lab_part_idle",     NULL,               0.08 },
  [LAB_PART_STOP]     = { N_("stop"),     "lab_part_stop",     "brown_2",          1.0 },
};

void
lab_breakdown_part_color (GtkWidget *widget,
                          LabPart    part,
                          GdkRGBA   *color)
{
  g_return_if_fail (part < LAB_N_PARTS);
  lab_chart_lookup_color (widget, parts[part].color, parts[part].fallback, parts[part].alpha, color);
}

const char *
lab_breakdown_part_name (LabPart part)
{
  g_return_val_if_fail (part < LAB_N_PARTS, NULL);
  return _(parts[part].name);
}

/* Seconds of each part of @run's lanes × (set-up + wall). */
static double
part_seconds (LabRun *run,
              double *seconds)
{
  const LabBreakdown *b = lab_run_get_breakdown (run);
  double total = 0;

  seconds[LAB_PART_SETUP] = b->setup_s * lab_run_get_workers (run);
  seconds[LAB_PART_START] = b->start_s;
  seconds[LAB_PART_WORK] = b->work_s;
  seconds[LAB_PART_TRANSFER] = b->transfer_s;
  seconds[LAB_PART_IDLE] = b->idle_s;
  seconds[LAB_PART_STOP] = b->stop_s;
  for (guint p = 0; p < LAB_N_PARTS; p++)
    total += seconds[p];
  return total;
}


static int
row_height (GtkWidget *widget)
{
  return lab_chart_line_height (widget) + 2 + BAR + ROW_GAP;
}

/* Lays the legend out for @width: each entry's place, and the lines. */
static guint
legend_layout (GtkWidget *widget,
               int        width,
               double    *xs,
               double    *ys)
{
  double x = PAD, y = 0;

  for (guint p = 0; p < LAB_N_PARTS; p++)
    {
      double entry = 16 + lab_chart_text_width (widget, lab_breakdown_part_name (p)) + 12;

      if (x + entry > width && x > PAD)
        {
          x = PAD;
          y += lab_chart_line_height (widget) + 4;
        }
      if (xs != NULL)
        xs[p] = x, ys[p] = y;
      x += entry;
    }
  return (guint) (y / (lab_chart_line_height (widget) + 4)) + 1;
}

static double
first_row_y_for (GtkWidget *widget,
                 int        width)
{
  guint lines = legend_layout (widget, width, NULL, NULL);

  return lines * (lab_chart_line_height (widget) + 4) + PAD;
}

static double
first_row_y (GtkWidget *widget)
{
  return first_row_y_for (widget, gtk_widget_get_width (widget));
}

static void
snapshot_legend (LabBreakdownChart *self,
                 GtkSnapshot       *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double xs[LAB_N_PARTS], ys[LAB_N_PARTS];

  legend_layout (widget, gtk_widget_get_width (widget), xs, ys);
  for (guint p = 0; p < LAB_N_PARTS; p++)
    {
      GdkRGBA color;
      double unused;

      lab_breakdown_part_color (widget, p, &color);
      lab_chart_append_legend (widget, snapshot, xs[p], ys[p], &color, lab_breakdown_part_name (p), &unused);
    }
}

static char *
row_label (LabRun *run)
{
  const LabRunConfig *config = lab_run_get_config (run);
  guint workers = lab_run_get_workers (run);
  g_autofree char *who = lab_run_config_dup_strategy_title (config);

  /* Translators: "Thread Pool · 2 workers" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %u worker%s", "%s · %u workers%s", workers),
                          who, workers,
                          lab_run_config_uses_gil (config) ? _(" · GIL") : "");
}

static void
snapshot_row (LabBreakdownChart *self,
              GtkSnapshot       *snapshot,
              LabRun            *run,
              double             y)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double width = MAX (1, gtk_widget_get_width (widget) - 2 * PAD);
  g_autofree char *label = row_label (run);
  double seconds[LAB_N_PARTS], total, x = PAD;
  GdkRGBA fg;

  lab_chart_get_foreground (widget, &fg);
  if (run == self->selected)
    {
      GdkRGBA highlight;

      lab_chart_lookup_color (widget, "lab_selected_run", NULL, 0.08, &highlight);
      gtk_snapshot_append_color (snapshot, &highlight,
                                 &GRAPHENE_RECT_INIT (2, y - ROW_GAP / 2.0, gtk_widget_get_width (widget) - 4,
                                                      row_height (widget)));
    }
  lab_chart_append_text (widget, snapshot, label, PAD, y, 0, &fg);
  y += lab_chart_line_height (widget) + 2;

  total = part_seconds (run, seconds);
  for (guint p = 0; p < LAB_N_PARTS && total > 0; p++)
    {
      double w = width * seconds[p] / total;
      GdkRGBA color;

      if (w <= 0)
        continue;
      lab_breakdown_part_color (widget, p, &color);
      gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x, y, MAX (w, 1), BAR));
      x += w;
    }
}

static void
lab_breakdown_chart_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  LabBreakdownChart *self = LAB_BREAKDOWN_CHART (widget);
  double y = first_row_y (widget);

  snapshot_legend (self, snapshot);
  for (guint row = 0; row < self->rows->len; row++, y += row_height (widget))
    snapshot_row (self, snapshot, g_ptr_array_index (self->rows, row), y);
}

static void
lab_breakdown_chart_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  LabBreakdownChart *self = LAB_BREAKDOWN_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 400;
    }
  else
    *minimum = *natural = first_row_y_for (widget, for_size > 0 ? for_size : 400) +
                          MAX (self->rows->len, 1) * row_height (widget);
}

static guint
row_at (LabBreakdownChart *self,
        double             y)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double row = (y - first_row_y (widget) + ROW_GAP / 2.0) / row_height (widget);

  return row >= 0 && row < self->rows->len ? (guint) row : G_MAXUINT;
}

/* The part of row @row's bar under @x. */
static LabPart
part_at (LabBreakdownChart *self,
         guint              row,
         double             x)
{
  double width = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)) - 2 * PAD);
  double seconds[LAB_N_PARTS];
  double total = part_seconds (g_ptr_array_index (self->rows, row), seconds), edge = PAD;

  for (guint p = 0; p < LAB_N_PARTS && total > 0; p++)
    {
      edge += width * seconds[p] / total;
      if (x < edge && seconds[p] > 0)
        return p;
    }
  return LAB_N_PARTS;
}

static gboolean
query_tooltip_cb (LabBreakdownChart *self,
                  int                x,
                  int                y,
                  gboolean           keyboard,
                  GtkTooltip        *tooltip)
{
  g_autofree char *text = NULL;
  guint row = row_at (self, y);
  LabPart part;

  if (keyboard || row == G_MAXUINT || (part = part_at (self, row, x)) == LAB_N_PARTS)
    return FALSE;
  text = lab_breakdown_chart_describe_part (self, row, part);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
pressed_cb (LabBreakdownChart *self,
            int                n_press,
            double             x,
            double             y)
{
  guint row = row_at (self, y);

  if (row != G_MAXUINT)
    g_signal_emit (self, signals[RUN_ACTIVATED], 0, g_ptr_array_index (self->rows, row));
}

static void
lab_breakdown_chart_dispose (GObject *object)
{
  LabBreakdownChart *self = (LabBreakdownChart *) object;

  lab_breakdown_chart_set_analysis (self, NULL);
  g_clear_object (&self->selected);

  G_OBJECT_CLASS (lab_breakdown_chart_parent_class)->dispose (object);
}

static void
lab_breakdown_chart_finalize (GObject *object)
{
  LabBreakdownChart *self = (LabBreakdownChart *) object;

  g_ptr_array_unref (self->rows);

  G_OBJECT_CLASS (lab_breakdown_chart_parent_class)->finalize (object);
}

static GtkSizeRequestMode
lab_breakdown_chart_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
lab_breakdown_chart_class_init (LabBreakdownChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_breakdown_chart_dispose;
  object_class->finalize = lab_breakdown_chart_finalize;
  widget_class->snapshot = lab_breakdown_chart_snapshot;
  widget_class->measure = lab_breakdown_chart_measure;
  widget_class->get_request_mode = lab_breakdown_chart_get_request_mode;

  /**
   * LabBreakdownChart::run-activated:
   * @run: the run of the bar clicked
   */
  signals[RUN_ACTIVATED] = lab_chart_class_init_clickable (widget_class, "labbreakdownchart");
}

static void
lab_breakdown_chart_init (LabBreakdownChart *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
  lab_chart_init_clickable (GTK_WIDGET (self), G_CALLBACK (pressed_cb), G_CALLBACK (query_tooltip_cb),
                            _("Where the time of each run went"));
}

GtkWidget *
lab_breakdown_chart_new (void)
{
  return g_object_new (LAB_TYPE_BREAKDOWN_CHART, NULL);
}

/* @analysis: (nullable): one experiment's runs; those that ended get a bar */
void
lab_breakdown_chart_set_analysis (LabBreakdownChart *self,
                                  LabAnalysis       *analysis)
{
  g_return_if_fail (LAB_IS_BREAKDOWN_CHART (self));

  g_clear_pointer (&self->analysis, lab_analysis_unref);
  g_ptr_array_set_size (self->rows, 0);
  if (analysis != NULL)
    {
      self->analysis = lab_analysis_ref (analysis);
      for (guint g = 0; g < lab_analysis_get_n_groups (analysis); g++)
        {
          /* A configuration with a finished run, told by its median repeat. */
          LabRun *run = lab_run_group_get_median_run (lab_analysis_get_group (analysis, g));

          if (lab_run_get_state (run) >= LAB_RUN_FINISHED && lab_run_get_breakdown (run)->capacity_s > 0)
            g_ptr_array_add (self->rows, g_object_ref (run));
        }
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
lab_breakdown_chart_set_selected (LabBreakdownChart *self,
                                  LabRun            *run)
{
  g_return_if_fail (LAB_IS_BREAKDOWN_CHART (self));

  if (g_set_object (&self->selected, run))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
lab_breakdown_chart_get_n_rows (LabBreakdownChart *self)
{
  g_return_val_if_fail (LAB_IS_BREAKDOWN_CHART (self), 0);
  return self->rows->len;
}

LabRun *
lab_breakdown_chart_get_row_run (LabBreakdownChart *self,
                                 guint              row)
{
  g_return_val_if_fail (LAB_IS_BREAKDOWN_CHART (self), NULL);
  g_return_val_if_fail (row < self->rows->len, NULL);
  return g_ptr_array_index (self->rows, row);
}

/* @shares: (out caller-allocates): LAB_N_PARTS shares of the bar, 0 to 1 */
void
lab_breakdown_chart_get_shares (LabBreakdownChart *self,
                                guint              row,
                                double            *shares)
{
  double total;

  g_return_if_fail (LAB_IS_BREAKDOWN_CHART (self));
  g_return_if_fail (row < self->rows->len);

  total = part_seconds (g_ptr_array_index (self->rows, row), shares);
  for (guint p = 0; p < LAB_N_PARTS; p++)
    shares[p] = total > 0 ? shares[p] / total : 0;
}

/**
 * lab_breakdown_chart_describe_part:
 *
 * Returns: (transfer full): the tooltip of a part: its seconds and share
 */
char *
lab_breakdown_chart_describe_part (LabBreakdownChart *self,
                                   guint              row,
                                   LabPart            part)
{
  double seconds[LAB_N_PARTS], total;
  g_autofree char *duration = NULL;
  g_autofree char *share = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (LAB_IS_BREAKDOWN_CHART (self), NULL);
  g_return_val_if_fail (row < self->rows->len && part < LAB_N_PARTS, NULL);

  total = part_seconds (g_ptr_array_index (self->rows, row), seconds);
  duration = lab_format_seconds (llround (seconds[part] * 1e9));
  share = lab_format_percent (total > 0 ? seconds[part] / total : 0);
  label = row_label (g_ptr_array_index (self->rows, row));
  /* Translators: "Thread Pool · 2 workers\nwork: 3.10 s of the workers' time, 97 %" */
  return g_strdup_printf (_("%s\n%s: %s of the workers’ time, %s"), label, lab_breakdown_part_name (part),
                          duration, share);
}

/* The middle of row @row, in the chart's coordinates: where a click chooses it. */
double
lab_breakdown_chart_get_row_y (LabBreakdownChart *self,
                               guint              row)
{
  GtkWidget *widget = GTK_WIDGET (self);

  g_return_val_if_fail (LAB_IS_BREAKDOWN_CHART (self), 0);
  return first_row_y (widget) + (row + 0.5) * row_height (widget) - ROW_GAP / 2.0;
}
