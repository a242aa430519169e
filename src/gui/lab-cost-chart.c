/* lab-cost-chart.c — what each operation costs here, as bars on a log scale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A row per measurement: its name, a bar to the median on a log scale
 * from 0.1 µs to 100 ms (costs here span six decades), a whisker over
 * the 10th to 90th percentile, and the reference figure as a tick with
 * its value beside. Bars use the accent colour, the reference the
 * foreground: both from the style.
 */
#define G_LOG_DOMAIN "lab-cost-chart"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lab-chart-util.h"
#include "lab-cost-chart.h"

#define PAD        8
#define ROW        24
#define BAR        12
#define LABEL_W    300
#define VALUE_W    150
#define MIN_S      1e-7
#define MAX_S      1e-1

struct _LabCostChart
{
  GtkWidget        parent_instance;

  LabMachineCosts *costs;
};

G_DEFINE_FINAL_TYPE (LabCostChart, lab_cost_chart, GTK_TYPE_WIDGET)

static double
x_of (double x0,
      double width,
      double s)
{
  double t = (log10 (CLAMP (s, MIN_S, MAX_S)) - log10 (MIN_S)) / (log10 (MAX_S) - log10 (MIN_S));

  return x0 + t * width;
}

static void
snapshot_scale (LabCostChart *self,
                GtkSnapshot  *snapshot,
                double        x0,
                double        width,
                double        height)
{
  static const struct { double s; const char *label; } ticks[] = {
    { 1e-7, N_("0.1 µs") }, { 1e-6, N_("1 µs") }, { 1e-5, N_("10 µs") }, { 1e-4, N_("100 µs") },
    { 1e-3, N_("1 ms") }, { 1e-2, N_("10 ms") }, { 1e-1, N_("100 ms") },
  };
  GtkWidget *widget = GTK_WIDGET (self);
  GdkRGBA fg, grid, text;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.12, &grid);
  lab_chart_with_alpha (&fg, 0.7, &text);
  for (guint i = 0; i < G_N_ELEMENTS (ticks); i++)
    {
      double x = x_of (x0, width, ticks[i].s);

      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (x, PAD, 1, height));
      lab_chart_append_text (widget, snapshot, _(ticks[i].label),
                             x - lab_chart_text_width (widget, _(ticks[i].label)) / 2.0, PAD + height + 2, 0, &text);
    }
}

static void
snapshot_row (LabCostChart  *self,
              GtkSnapshot   *snapshot,
              const LabCost *cost,
              double         y,
              double         x0,
              double         width)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autofree char *median = lab_machine_costs_format_seconds (cost->median_s);
  double line = lab_chart_line_height (widget);
  double mid = y + ROW / 2.0;
  double x = x_of (x0, width, cost->median_s);
  GdkRGBA fg, accent, whisker, text;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.85, &text);
  lab_chart_lookup_color (widget, "accent_color", "blue_3", 1.0, &accent);
  lab_chart_with_alpha (&fg, 0.6, &whisker);

  lab_chart_append_text (widget, snapshot, lab_cost_get_title (cost), PAD, mid - line / 2, 0, &text);
  gtk_snapshot_append_color (snapshot, &accent, &GRAPHENE_RECT_INIT (x0, mid - BAR / 2.0, MAX (1, x - x0), BAR));
  gtk_snapshot_append_color (snapshot, &whisker,
                             &GRAPHENE_RECT_INIT (x_of (x0, width, cost->low_s), mid - 0.75,
                                                  MAX (1, x_of (x0, width, cost->high_s) - x_of (x0, width, cost->low_s)),
                                                  1.5));

  if (cost->reference != NULL)
    {
      double rx = x_of (x0, width, cost->reference->seconds);
      g_autofree char *ref = lab_machine_costs_format_seconds (cost->reference->seconds);
      g_autofree char *both = NULL;

      gtk_snapshot_append_color (snapshot, &fg, &GRAPHENE_RECT_INIT (rx - 1, y + 2, 2, ROW - 4));
      /* Translators: a cost measured here, and a reference figure: "42 µs · ref. 39 µs" */
      both = g_strdup_printf (_("%s · ref. %s"), median, ref);
      lab_chart_append_text (widget, snapshot, both, x0 + width + PAD, mid - line / 2, 0, &text);
    }
  else
    lab_chart_append_text (widget, snapshot, median, x0 + width + PAD, mid - line / 2, 0, &text);
}

static void
lab_cost_chart_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  LabCostChart *self = LAB_COST_CHART (widget);
  double width = gtk_widget_get_width (widget);
  double x0 = LABEL_W, plot_w = MAX (40, width - LABEL_W - VALUE_W - PAD);

  if (self->costs == NULL)
    return;
  snapshot_scale (self, snapshot, x0, plot_w, LAB_N_COSTS * ROW);
  for (guint k = 0; k < LAB_N_COSTS; k++)
    snapshot_row (self, snapshot, &self->costs->costs[k], PAD + k * ROW, x0, plot_w);
}

static void
lab_cost_chart_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = LABEL_W + VALUE_W + 120;
      *natural = LABEL_W + VALUE_W + 360;
    }
  else
    *minimum = *natural = 2 * PAD + LAB_N_COSTS * ROW + lab_chart_line_height (widget) + 4;
}

static void
lab_cost_chart_finalize (GObject *object)
{
  LabCostChart *self = (LabCostChart *) object;

  g_clear_pointer (&self->costs, lab_machine_costs_free);

  G_OBJECT_CLASS (lab_cost_chart_parent_class)->finalize (object);
}

static void
lab_cost_chart_class_init (LabCostChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lab_cost_chart_finalize;
  widget_class->snapshot = lab_cost_chart_snapshot;
  widget_class->measure = lab_cost_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "labcostchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lab_cost_chart_init (LabCostChart *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("What each operation costs here, on a log scale, beside a reference"), -1);
}

GtkWidget *
lab_cost_chart_new (void)
{
  return g_object_new (LAB_TYPE_COST_CHART, NULL);
}

void
lab_cost_chart_set_costs (LabCostChart          *self,
                          const LabMachineCosts *costs)
{
  g_return_if_fail (LAB_IS_COST_CHART (self));

  g_clear_pointer (&self->costs, lab_machine_costs_free);
  if (costs != NULL)
    self->costs = lab_machine_costs_copy (costs);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* Bars drawn: one per measurement once costs are set. */
guint
lab_cost_chart_get_n_bars (LabCostChart *self)
{
  g_return_val_if_fail (LAB_IS_COST_CHART (self), 0);
  return self->costs != NULL ? LAB_N_COSTS : 0;
}
