/* lab-job-size-chart.c — speed-up by job size, a line per strategy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Job sizes (seconds of work per job) across on a log scale, speed-up
 * over the plain loop up. The loop is the line at 1×, the usable cores
 * the ideal at the top. What the measured costs predict is drawn thin
 * and dashed as soon as the costs are known; the job-size sweep's points
 * are drawn over it, solid, with each strategy's break-even marked on
 * the 1× line. Colours come from the style, one per strategy as in the
 * strategy list.
 */
#define G_LOG_DOMAIN "lab-job-size-chart"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lab-chart-util.h"
#include "lab-job-size-chart.h"

#define PAD         8
#define LEFT        44
#define BOTTOM      26
#define DOT         3.5
#define LINE_WIDTH  2.0
#define CURVE_STEPS 64
#define MIN_JOB_S   1e-6
#define MAX_JOB_S   1.0

struct _LabJobSizeChart
{
  GtkWidget        parent_instance;

  LabMachineCosts *costs;
  GPtrArray       *granularity;   /* LabGranularity, or NULL */
};

enum {
  PROP_0,
  PROP_N_SERIES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LabJobSizeChart, lab_job_size_chart, GTK_TYPE_WIDGET)

typedef struct {
  graphene_rect_t frame;
  double          max_speedup;
} Axes;

static guint
usable_cores (LabJobSizeChart *self)
{
  return self->costs != NULL ? self->costs->usable_cores : lab_usable_cores ();
}

static double
x_of (const Axes *axes,
      double      job_s)
{
  double t = (log10 (CLAMP (job_s, MIN_JOB_S, MAX_JOB_S)) - log10 (MIN_JOB_S)) /
             (log10 (MAX_JOB_S) - log10 (MIN_JOB_S));

  return axes->frame.origin.x + t * axes->frame.size.width;
}

static double
y_of (const Axes *axes,
      double      speedup)
{
  double t = CLAMP (speedup, 0, axes->max_speedup) / axes->max_speedup;

  return axes->frame.origin.y + (1 - t) * axes->frame.size.height;
}

static guint
strategy_color_index (const LabStrategy *strategy)
{
  guint n;
  const LabStrategy * const *list = lab_strategy_list (&n);

  for (guint i = 0; i < n; i++)
    if (list[i] == strategy)
      return i;
  return 0;
}

static void
strategy_color (LabJobSizeChart   *self,
                const LabStrategy *strategy,
                GdkRGBA           *color)
{
  lab_chart_palette_color (GTK_WIDGET (self), strategy_color_index (strategy), color);
}

/* The strategies drawn: those of the sweep, else those with a cost. */
static GPtrArray *
strategies (LabJobSizeChart *self)
{
  GPtrArray *list = g_ptr_array_new ();
  const LabStrategy * const *all = lab_strategy_list (NULL);

  if (self->granularity != NULL && self->granularity->len > 0)
    {
      for (guint i = 0; i < self->granularity->len; i++)
        g_ptr_array_add (list, (gpointer) ((LabGranularity *) g_ptr_array_index (self->granularity, i))->strategy);
      return list;
    }
  for (guint i = 0; self->costs != NULL && all[i] != NULL; i++)
    {
      LabStrategyCost cost;

      if (!lab_strategy_is_loop (all[i]) && lab_machine_costs_get_strategy_cost (self->costs, all[i], &cost))
        g_ptr_array_add (list, (gpointer) all[i]);
    }
  return list;
}

static void
layout (LabJobSizeChart *self,
        double           top,
        Axes            *axes)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double max = usable_cores (self) + 0.5;

  for (guint i = 0; self->granularity != NULL && i < self->granularity->len; i++)
    {
      LabGranularity *g = g_ptr_array_index (self->granularity, i);

      for (guint k = 0; k < g->points->len; k++)
        max = MAX (max, g_array_index (g->points, LabGranularityPoint, k).speedup * 1.1);
    }
  axes->max_speedup = ceil (max * 2) / 2;
  graphene_rect_init (&axes->frame, LEFT, top + PAD, MAX (1, width - LEFT - 2 * PAD),
                      MAX (1, height - top - 2 * PAD - BOTTOM));
}

static double
snapshot_legend (LabJobSizeChart *self,
                 GtkSnapshot     *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr(GPtrArray) list = strategies (self);
  double x = LEFT, y = PAD;
  double line = lab_chart_line_height (widget);

  for (guint i = 0; i < list->len; i++)
    {
      const LabStrategy *strategy = g_ptr_array_index (list, i);
      const char *label = lab_strategy_get_title (strategy);
      GdkRGBA color;

      if (x + lab_chart_legend_width (widget, label) > gtk_widget_get_width (widget) - PAD && x > LEFT)
        {
          x = LEFT;
          y += line + 4;
        }
      strategy_color (self, strategy, &color);
      lab_chart_append_legend (widget, snapshot, x, y, &color, label, &x);
    }
  return y + line + 4;
}

static void
snapshot_axes (LabJobSizeChart *self,
               GtkSnapshot     *snapshot,
               const Axes      *axes)
{
  static const struct { double s; const char *label; } ticks[] = {
    { 1e-6, N_("1 µs") }, { 1e-5, N_("10 µs") }, { 1e-4, N_("100 µs") },
    { 1e-3, N_("1 ms") }, { 1e-2, N_("10 ms") }, { 1e-1, N_("0.1 s") }, { 1, N_("1 s") },
  };
  GtkWidget *widget = GTK_WIDGET (self);
  const graphene_rect_t *f = &axes->frame;
  double line = lab_chart_line_height (widget);
  GdkRGBA fg, grid, text;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.12, &grid);
  lab_chart_with_alpha (&fg, 0.7, &text);

  for (guint i = 0; i < G_N_ELEMENTS (ticks); i++)
    {
      double x = x_of (axes, ticks[i].s);

      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (x, f->origin.y, 1, f->size.height));
      lab_chart_append_text (widget, snapshot, _(ticks[i].label),
                             x - lab_chart_text_width (widget, _(ticks[i].label)) / 2.0,
                             f->origin.y + f->size.height + 4, 0, &text);
    }
  for (double s = 0; s <= axes->max_speedup + 1e-9; s += axes->max_speedup > 6 ? 2 : 1)
    {
      double y = y_of (axes, s);
      g_autofree char *label = g_strdup_printf ("%g×", s);

      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (f->origin.x, y, f->size.width, 1));
      lab_chart_append_text (widget, snapshot, label, f->origin.x - 6, y - line / 2, 1, &text);
    }
  lab_chart_append_text (widget, snapshot, _("work per job →"), f->origin.x + f->size.width,
                         f->origin.y + f->size.height + 4 + line, 1, &text);
}

/* The loop at 1×, and the usable cores, the most a strategy can reach. */
static void
draw_references (LabJobSizeChart *self,
                 cairo_t         *cr,
                 const Axes      *axes)
{
  const graphene_rect_t *f = &axes->frame;
  double dash[] = { 4, 4 };
  GdkRGBA fg;

  lab_chart_get_foreground (GTK_WIDGET (self), &fg);
  cairo_set_line_width (cr, 1.5);
  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_move_to (cr, f->origin.x, y_of (axes, 1));
  cairo_line_to (cr, f->origin.x + f->size.width, y_of (axes, 1));
  cairo_stroke (cr);

  cairo_set_dash (cr, dash, 2, 0);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, fg.alpha * 0.5);
  cairo_move_to (cr, f->origin.x, y_of (axes, usable_cores (self)));
  cairo_line_to (cr, f->origin.x + f->size.width, y_of (axes, usable_cores (self)));
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

/* What the costs predict, thin and dashed. */
static void
draw_predicted (LabJobSizeChart   *self,
                cairo_t           *cr,
                const Axes        *axes,
                const LabStrategy *strategy)
{
  LabStrategyCost loop, cost;
  double dash[] = { 2, 3 };
  GdkRGBA color;

  if (self->costs == NULL ||
      !lab_machine_costs_get_strategy_cost (self->costs, lab_strategy_get_loop (), &loop) ||
      !lab_machine_costs_get_strategy_cost (self->costs, strategy, &cost))
    return;
  strategy_color (self, strategy, &color);
  cairo_set_source_rgba (cr, color.red, color.green, color.blue, color.alpha * 0.8);
  cairo_set_line_width (cr, 1.25);
  cairo_set_dash (cr, dash, 2, 0);
  for (guint i = 0; i <= CURVE_STEPS; i++)
    {
      double w = pow (10, log10 (MIN_JOB_S) + i * (log10 (MAX_JOB_S) - log10 (MIN_JOB_S)) / CURVE_STEPS);
      double s = lab_break_even_speedup (&loop, &cost, self->costs->usable_cores, lab_job_sizes_n_jobs (w), w);

      if (i == 0)
        cairo_move_to (cr, x_of (axes, w), y_of (axes, s));
      else
        cairo_line_to (cr, x_of (axes, w), y_of (axes, s));
    }
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

/* The sweep's points, solid, and the break-even as a diamond on 1×. */
static void
draw_measured (LabJobSizeChart      *self,
               cairo_t              *cr,
               const Axes           *axes,
               const LabGranularity *g)
{
  GdkRGBA color;

  strategy_color (self, g->strategy, &color);
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_set_line_width (cr, LINE_WIDTH);
  for (guint k = 0; k < g->points->len; k++)
    {
      const LabGranularityPoint *p = &g_array_index (g->points, LabGranularityPoint, k);

      if (k == 0)
        cairo_move_to (cr, x_of (axes, p->job_s), y_of (axes, p->speedup));
      else
        cairo_line_to (cr, x_of (axes, p->job_s), y_of (axes, p->speedup));
    }
  cairo_stroke (cr);
  for (guint k = 0; k < g->points->len; k++)
    {
      const LabGranularityPoint *p = &g_array_index (g->points, LabGranularityPoint, k);

      cairo_arc (cr, x_of (axes, p->job_s), y_of (axes, p->speedup), DOT, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  if (isfinite (g->break_even_s))
    {
      double x = x_of (axes, g->break_even_s), y = y_of (axes, 1), r = DOT + 3;

      cairo_move_to (cr, x, y - r);
      cairo_line_to (cr, x + r, y);
      cairo_line_to (cr, x, y + r);
      cairo_line_to (cr, x - r, y);
      cairo_close_path (cr);
      cairo_fill_preserve (cr);
      cairo_set_line_width (cr, 1.5);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
      cairo_stroke (cr);
    }
}

static void
snapshot_empty (LabJobSizeChart *self,
                GtkSnapshot     *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const char *text = _("Measure this computer to see where each strategy pays off");
  GdkRGBA fg, dim;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.55, &dim);
  lab_chart_append_text (widget, snapshot, text,
                         (gtk_widget_get_width (widget) - lab_chart_text_width (widget, text)) / 2.0,
                         gtk_widget_get_height (widget) / 2.0, 0, &dim);
}

static void
lab_job_size_chart_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  LabJobSizeChart *self = LAB_JOB_SIZE_CHART (widget);
  g_autoptr(GPtrArray) list = NULL;
  graphene_rect_t bounds;
  cairo_t *cr;
  Axes axes;

  if (self->costs == NULL && (self->granularity == NULL || self->granularity->len == 0))
    {
      snapshot_empty (self, snapshot);
      return;
    }

  layout (self, snapshot_legend (self, snapshot), &axes);
  snapshot_axes (self, snapshot, &axes);

  graphene_rect_inset_r (&axes.frame, -DOT - 4, -DOT - 4, &bounds);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  draw_references (self, cr, &axes);
  list = strategies (self);
  for (guint i = 0; i < list->len; i++)
    draw_predicted (self, cr, &axes, g_ptr_array_index (list, i));
  for (guint i = 0; self->granularity != NULL && i < self->granularity->len; i++)
    draw_measured (self, cr, &axes, g_ptr_array_index (self->granularity, i));
  cairo_destroy (cr);
}

static void
lab_job_size_chart_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 240;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 560 : 300;
}

static void
lab_job_size_chart_finalize (GObject *object)
{
  LabJobSizeChart *self = (LabJobSizeChart *) object;

  g_clear_pointer (&self->costs, lab_machine_costs_free);
  g_clear_pointer (&self->granularity, g_ptr_array_unref);

  G_OBJECT_CLASS (lab_job_size_chart_parent_class)->finalize (object);
}

static void
lab_job_size_chart_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  LabJobSizeChart *self = LAB_JOB_SIZE_CHART (object);

  switch (prop_id)
    {
    case PROP_N_SERIES:
      g_value_set_uint (value, lab_job_size_chart_get_n_series (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_job_size_chart_class_init (LabJobSizeChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lab_job_size_chart_finalize;
  object_class->get_property = lab_job_size_chart_get_property;
  widget_class->snapshot = lab_job_size_chart_snapshot;
  widget_class->measure = lab_job_size_chart_measure;

  /**
   * LabJobSizeChart:n-series:
   *
   * Strategies with measured points (the sweep's), 0 before a sweep.
   */
  properties[PROP_N_SERIES] =
    g_param_spec_uint ("n-series", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "labjobsizechart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lab_job_size_chart_init (LabJobSizeChart *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Speed-up by job size, a line per strategy, with the break-even points"), -1);
}

GtkWidget *
lab_job_size_chart_new (void)
{
  return g_object_new (LAB_TYPE_JOB_SIZE_CHART, NULL);
}

/* What the costs predict, drawn until (and under) the sweep's points. */
void
lab_job_size_chart_set_costs (LabJobSizeChart       *self,
                              const LabMachineCosts *costs)
{
  g_return_if_fail (LAB_IS_JOB_SIZE_CHART (self));

  g_clear_pointer (&self->costs, lab_machine_costs_free);
  if (costs != NULL)
    self->costs = lab_machine_costs_copy (costs);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * lab_job_size_chart_set_granularity:
 * @granularity: (nullable) (element-type LabGranularity): a sweep's
 *   points (lab_granularity_compute()); a reference is taken
 */
void
lab_job_size_chart_set_granularity (LabJobSizeChart *self,
                                    GPtrArray       *granularity)
{
  g_return_if_fail (LAB_IS_JOB_SIZE_CHART (self));

  if (granularity == self->granularity)
    return;
  g_clear_pointer (&self->granularity, g_ptr_array_unref);
  if (granularity != NULL)
    self->granularity = g_ptr_array_ref (granularity);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SERIES]);
}

guint
lab_job_size_chart_get_n_series (LabJobSizeChart *self)
{
  g_return_val_if_fail (LAB_IS_JOB_SIZE_CHART (self), 0);
  return self->granularity != NULL ? self->granularity->len : 0;
}
