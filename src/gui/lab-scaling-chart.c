/* lab-scaling-chart.c — speedup by number of workers, against the ideal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sweep runs one task with a strategy on 1, 2, 4… workers. For each
 * strategy swept, the chart draws the speedup of its median run at each
 * count (the engine's analysis, LabScaling), the curve of Amdahl's law fitted to it,
 * the ideal speedup (as many times faster as there are workers) and a
 * marker at the number of cores, past which CPU-bound work cannot gain.
 *
 * The x axis is linear, so the ideal is a straight diagonal and Amdahl's
 * curve flattens the way the textbooks draw it; its ticks are the worker
 * counts that ran.
 */
#define G_LOG_DOMAIN "lab-scaling-chart"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lab-chart-util.h"
#include "lab-format.h"
#include "lab-run.h"
#include "lab-scaling-chart.h"

#define PAD          8
#define INSET        10   /* between the frame and the first and last counts */
#define TICK_LENGTH  4
#define DOT          7
#define LINE_WIDTH   2.0
#define CURVE_WIDTH  1.25
#define CURVE_STEPS  64

/* A strategy's points, in ascending worker counts. */
typedef struct {
  LabRun *first;
  GArray *workers;          /* guint */
  GArray *speedup;          /* double */
  GPtrArray *runs;          /* LabRun: the run each point is told by */
  double  serial_fraction;
} Series;

struct _LabScalingChart
{
  GtkWidget    parent_instance;

  LabAnalysis *analysis;
  GPtrArray   *series;     /* Series */
};

/* Where the data goes: counts 1…max_workers across, 0…max_speedup up. */
typedef struct {
  graphene_rect_t frame;
  guint           max_workers;
  double          max_speedup;
  double          step;
} Axes;

enum {
  PROP_0,
  PROP_N_SERIES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  RUN_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LabScalingChart, lab_scaling_chart, GTK_TYPE_WIDGET)

static void
series_free (gpointer data)
{
  Series *series = data;

  g_object_unref (series->first);
  g_array_unref (series->workers);
  g_array_unref (series->speedup);
  g_ptr_array_unref (series->runs);
  g_free (series);
}

/* The analysis keeps the order the counts ran in; lines join them from
 * left to right. */
static void
sort_points (Series *series)
{
  guint *workers = (guint *) series->workers->data;
  double *speedup = (double *) series->speedup->data;
  gpointer *runs = series->runs->pdata;

  for (guint i = 1; i < series->workers->len; i++)
    for (guint j = i; j > 0 && workers[j - 1] > workers[j]; j--)
      {
        guint w = workers[j];
        double s = speedup[j];
        gpointer r = runs[j];

        workers[j] = workers[j - 1], speedup[j] = speedup[j - 1], runs[j] = runs[j - 1];
        workers[j - 1] = w, speedup[j - 1] = s, runs[j - 1] = r;
      }
}

static Series *
series_new (const LabScaling *scaling)
{
  Series *series = g_new0 (Series, 1);

  series->first = g_object_ref (scaling->first);
  series->workers = g_array_copy (scaling->workers);
  series->speedup = g_array_copy (scaling->speedup);
  series->runs = g_ptr_array_copy (scaling->runs, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  g_ptr_array_set_free_func (series->runs, g_object_unref);
  series->serial_fraction = scaling->serial_fraction;
  sort_points (series);
  return series;
}

static double
axes_x (const Axes *axes,
        double      workers)
{
  double width = axes->frame.size.width - 2 * INSET;

  return axes->frame.origin.x + INSET + (workers - 1) / (axes->max_workers - 1) * width;
}

static double
axes_y (const Axes *axes,
        double      speedup)
{
  return axes->frame.origin.y + axes->frame.size.height * (1 - speedup / axes->max_speedup);
}

static double
amdahl (double serial,
        double workers)
{
  return 1 / (serial + (1 - serial) / workers);
}

/* The counts run, and the speedup axis: up to the best speedup or the
 * ideal at the highest count, whichever is higher, in whole steps. */
static void
compute_ranges (LabScalingChart *self,
                Axes            *axes)
{
  int line = lab_chart_line_height (GTK_WIDGET (self));
  double top = 1;

  axes->max_workers = 2;
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *scaling = g_ptr_array_index (self->series, i);

      for (guint k = 0; k < scaling->workers->len; k++)
        {
          axes->max_workers = MAX (axes->max_workers, g_array_index (scaling->workers, guint, k));
          top = MAX (top, g_array_index (scaling->speedup, double, k));
        }
    }
  top = MAX (top, axes->max_workers);
  axes->step = MAX (0.5, lab_chart_nice_step (top, MAX (1, axes->frame.size.height / (1.8 * line))));
  axes->max_speedup = ceil (top / axes->step - 1e-9) * axes->step;
}

static char *
format_speedup (double speedup)
{
  /* Translators: a speedup on the chart's axis, "2×" */
  return g_strdup_printf (_("%g×"), speedup);
}

static char *
describe_series (LabScalingChart  *self,
                 Series *scaling)
{
  const LabRunConfig *config = lab_run_get_config (scaling->first);
  GString *text = g_string_new (NULL);

  g_string_append (text, lab_strategy_get_title (config->strategy));
  if (lab_run_config_uses_gil (config))
    g_string_append (text, _(" · GIL"));
  if (!isnan (scaling->serial_fraction))
    {
      g_string_append (text, " — ");
      /* Translators: the serial fraction of Amdahl's law fitted to a
       * strategy's speedups, e.g. "serial 2.0 %" */
      g_string_append_printf (text, _("serial %.1f %%"), scaling->serial_fraction * 100);
    }
  return g_string_free (text, FALSE);
}

static void
ideal_color (GtkWidget *widget,
             GdkRGBA   *color)
{
  lab_chart_get_foreground (widget, color);
  lab_chart_with_alpha (color, 0.45, color);
}

/* One entry per series, then the ideal; wraps to further lines when the
 * widget is narrow. Returns the height used. */
static double
snapshot_legend (LabScalingChart *self,
                 GtkSnapshot     *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int line = lab_chart_line_height (widget);
  double width = gtk_widget_get_width (widget);
  double x = PAD, y = 0;
  GdkRGBA color;

  for (guint i = 0; i <= self->series->len; i++)
    {
      g_autofree char *label = NULL;
      double entry;

      if (i < self->series->len)
        {
          label = describe_series (self, g_ptr_array_index (self->series, i));
          lab_chart_palette_color (widget, i, &color);
        }
      else
        {
          label = g_strdup (_("Ideal"));
          ideal_color (widget, &color);
        }
      entry = round (line * 0.6) + 6 + lab_chart_text_width (widget, label);
      if (x > PAD && x + entry > width - PAD)
        x = PAD, y += line + 2;
      if (snapshot != NULL)
        lab_chart_append_legend (widget, snapshot, x, y, &color, label, &x);
      else
        x += lab_chart_legend_width (widget, label);
    }
  return y + line;
}

/* Horizontal lines and labels at each speedup step, and the titles of
 * both axes. */
static void
snapshot_speedup_axis (LabScalingChart *self,
                       GtkSnapshot     *snapshot,
                       const Axes      *axes)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const graphene_rect_t *frame = &axes->frame;
  int line = lab_chart_line_height (widget);
  const char *title = _("Speedup");
  GdkRGBA fg, grid, text;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.7, &text);
  for (double s = 0; s <= axes->max_speedup + 1e-9; s += axes->step)
    {
      g_autofree char *label = format_speedup (s);
      double y = round (axes_y (axes, s));

      lab_chart_with_alpha (&fg, s == 0 ? 0.3 : 0.1, &grid);
      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (frame->origin.x, y - (s == 0 ? 1 : 0),
                                                      frame->size.width, 1));
      lab_chart_append_text (widget, snapshot, label, frame->origin.x - 6, y - line / 2.0, 1, &text);
    }

  /* Read bottom to top, as axis titles are. */
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (PAD / 2.0, frame->origin.y + frame->size.height / 2));
  gtk_snapshot_rotate (snapshot, -90);
  lab_chart_append_text (widget, snapshot, title, lab_chart_text_width (widget, title) / 2.0, 0, 1, &text);
  gtk_snapshot_restore (snapshot);
}

static gboolean
count_was_run (LabScalingChart *self,
               guint            workers)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *scaling = g_ptr_array_index (self->series, i);

      for (guint k = 0; k < scaling->workers->len; k++)
        if (g_array_index (scaling->workers, guint, k) == workers)
          return TRUE;
    }
  return workers == 1;
}

/* A tick and a grid line at each count that ran; labels that would
 * overlap the one before are left out. */
static void
snapshot_workers_axis (LabScalingChart *self,
                       GtkSnapshot     *snapshot,
                       const Axes      *axes)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const graphene_rect_t *frame = &axes->frame;
  int line = lab_chart_line_height (widget);
  double bottom = frame->origin.y + frame->size.height;
  double last_end = -G_MAXDOUBLE;
  const char *title = _("Workers");
  GdkRGBA fg, grid, text;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.1, &grid);
  lab_chart_with_alpha (&fg, 0.7, &text);
  for (guint w = 1; w <= axes->max_workers; w++)
    {
      g_autofree char *label = g_strdup_printf ("%u", w);
      double x = round (axes_x (axes, w));
      double half = lab_chart_text_width (widget, label) / 2.0;

      if (!count_was_run (self, w))
        continue;
      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (x, frame->origin.y, 1, frame->size.height + TICK_LENGTH));
      if (x - half < last_end + 6)
        continue;
      lab_chart_append_text (widget, snapshot, label, x, bottom + TICK_LENGTH, 0.5, &text);
      last_end = x + half;
    }
  lab_chart_append_text (widget, snapshot, title, frame->origin.x + frame->size.width / 2,
                         bottom + TICK_LENGTH + line + 2, 0.5, &text);
}

/* Past the number of cores, CPU-bound work cannot go any faster. */
static void
snapshot_cores (LabScalingChart *self,
                GtkSnapshot     *snapshot,
                const Axes      *axes)
{
  GtkWidget *widget = GTK_WIDGET (self);
  guint cores = lab_usable_cores ();   /* affinity and CPU quota, as the pools */
  int line = lab_chart_line_height (widget);
  double x = round (axes_x (axes, cores));
  double right = axes->frame.origin.x + axes->frame.size.width;
  g_autofree char *label = NULL;
  double width, xalign = 0.5;
  GdkRGBA color;

  if (cores > axes->max_workers)
    return;
  /* Translators: the marker at the machine's number of cores on the
   * speedup chart */
  label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u core", "%u cores", cores), cores);
  width = lab_chart_text_width (widget, label);
  if (x + width / 2 > right + INSET)
    xalign = 1;
  else if (x - width / 2 < axes->frame.origin.x)
    xalign = 0;
  lab_chart_lookup_color (widget, "accent_color", NULL, 0.6, &color);
  lab_chart_with_alpha (&color, 0.7, &color);
  gtk_snapshot_append_color (snapshot, &color,
                             &GRAPHENE_RECT_INIT (x, axes->frame.origin.y - 2, 1, axes->frame.size.height + 2));
  lab_chart_append_text (widget, snapshot, label, x + (xalign == 0 ? -1 : xalign == 1 ? 2 : 0),
                         axes->frame.origin.y - line - 2, xalign, &color);
}

static void
draw_ideal (LabScalingChart *self,
            cairo_t         *cr,
            const Axes      *axes)
{
  static const double dashes[] = { 6, 4 };
  GdkRGBA color;

  ideal_color (GTK_WIDGET (self), &color);
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_set_line_width (cr, 1.5);
  cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
  cairo_move_to (cr, axes_x (axes, 1), axes_y (axes, 1));
  cairo_line_to (cr, axes_x (axes, axes->max_workers), axes_y (axes, axes->max_workers));
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

/* Amdahl's curve, thin, under the measured line of the same colour. */
static void
draw_series (LabScalingChart  *self,
             cairo_t          *cr,
             const Axes       *axes,
             Series *scaling,
             const GdkRGBA    *color)
{
  GdkRGBA faint;

  if (!isnan (scaling->serial_fraction))
    {
      lab_chart_with_alpha (color, 0.6, &faint);
      gdk_cairo_set_source_rgba (cr, &faint);
      cairo_set_line_width (cr, CURVE_WIDTH);
      cairo_new_path (cr);
      for (guint i = 0; i <= CURVE_STEPS; i++)
        {
          double n = 1 + (axes->max_workers - 1) * (double) i / CURVE_STEPS;

          cairo_line_to (cr, axes_x (axes, n), axes_y (axes, amdahl (scaling->serial_fraction, n)));
        }
      cairo_stroke (cr);
    }

  gdk_cairo_set_source_rgba (cr, color);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_new_path (cr);
  for (guint k = 0; k < scaling->workers->len; k++)
    cairo_line_to (cr, axes_x (axes, g_array_index (scaling->workers, guint, k)),
                   axes_y (axes, g_array_index (scaling->speedup, double, k)));
  cairo_stroke (cr);
}

/* The measured points as dots over the lines, in the series' colour. */
static void
snapshot_dots (LabScalingChart  *self,
               GtkSnapshot      *snapshot,
               const Axes       *axes,
               Series *scaling,
               const GdkRGBA    *color)
{
  for (guint k = 0; k < scaling->workers->len; k++)
    {
      double x = axes_x (axes, g_array_index (scaling->workers, guint, k));
      double y = axes_y (axes, g_array_index (scaling->speedup, double, k));
      GskRoundedRect dot;

      gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT (x - DOT / 2.0, y - DOT / 2.0, DOT, DOT),
                                       DOT / 2.0);
      gtk_snapshot_push_rounded_clip (snapshot, &dot);
      gtk_snapshot_append_color (snapshot, color, &dot.bounds);
      gtk_snapshot_pop (snapshot);
    }
}

static void
snapshot_plot (LabScalingChart *self,
               GtkSnapshot     *snapshot,
               const Axes      *axes)
{
  GtkWidget *widget = GTK_WIDGET (self);
  graphene_rect_t bounds;
  cairo_t *cr;
  GdkRGBA color;

  graphene_rect_inset_r (&axes->frame, -DOT, -DOT, &bounds);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  draw_ideal (self, cr, axes);
  for (guint i = 0; i < self->series->len; i++)
    {
      lab_chart_palette_color (widget, i, &color);
      draw_series (self, cr, axes, g_ptr_array_index (self->series, i), &color);
    }
  cairo_destroy (cr);

  for (guint i = 0; i < self->series->len; i++)
    {
      lab_chart_palette_color (widget, i, &color);
      snapshot_dots (self, snapshot, axes, g_ptr_array_index (self->series, i), &color);
    }
}

/* Centred, and wrapped when the widget is narrower than the sentence. */
static void
snapshot_empty (LabScalingChart *self,
                GtkSnapshot     *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr(PangoLayout) layout = NULL;
  int width = MAX (1, gtk_widget_get_width (widget) - 2 * PAD);
  int height;
  GdkRGBA color;

  layout = gtk_widget_create_pango_layout (widget, _("Run a strategy with several worker counts to see how it scales"));
  pango_layout_set_width (layout, width * PANGO_SCALE);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_get_pixel_size (layout, NULL, &height);
  lab_chart_get_foreground (widget, &color);
  lab_chart_with_alpha (&color, 0.55, &color);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (PAD, round ((gtk_widget_get_height (widget) - height) / 2.0)));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

/* Where the plot lies, below the legend, left of the speed-up labels. */
static void
layout (LabScalingChart *self,
        Axes            *axes)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int line = lab_chart_line_height (widget);
  double top = snapshot_legend (self, NULL) + PAD + line + 2;
  g_autofree char *widest = NULL;
  double left, right;

  axes->frame = GRAPHENE_RECT_INIT (0, top, 1, MAX (1, gtk_widget_get_height (widget) - top - TICK_LENGTH - 2 * line - 2 - PAD / 2.0));
  compute_ranges (self, axes);
  widest = format_speedup (axes->max_speedup);
  left = PAD / 2.0 + line + PAD + lab_chart_text_width (widget, widest) + 6;
  right = PAD + lab_chart_text_width (widget, "00") / 2.0;
  axes->frame.origin.x = round (left);
  axes->frame.size.width = MAX (2 * INSET + 1, gtk_widget_get_width (widget) - left - right);
}

/* The point nearest (@x, @y), within a few pixels; its run in @run. */
static gboolean
point_at (LabScalingChart  *self,
          double            x,
          double            y,
          LabRun          **run,
          double           *px,
          double           *py)
{
  double best = (DOT + 6) * (DOT + 6);
  Axes axes;

  *run = NULL;
  if (self->series->len == 0)
    return FALSE;
  layout (self, &axes);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);

      for (guint k = 0; k < series->workers->len; k++)
        {
          double dx = axes_x (&axes, g_array_index (series->workers, guint, k)) - x;
          double dy = axes_y (&axes, g_array_index (series->speedup, double, k)) - y;

          if (dx * dx + dy * dy <= best)
            {
              best = dx * dx + dy * dy;
              *run = g_ptr_array_index (series->runs, k);
              if (px != NULL)
                *px = x + dx, *py = y + dy;
            }
        }
    }
  return *run != NULL;
}

static void
pressed_cb (LabScalingChart *self,
            int              n_press,
            double           x,
            double           y)
{
  LabRun *run;

  if (point_at (self, x, y, &run, NULL, NULL))
    g_signal_emit (self, signals[RUN_ACTIVATED], 0, run);
}

static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip)
{
  LabRun *run;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  g_autofree char *wall = NULL;

  if (keyboard || !point_at (LAB_SCALING_CHART (widget), x, y, &run, NULL, NULL))
    return FALSE;
  title = lab_run_dup_title (run);
  wall = lab_format_seconds (lab_run_get_elapsed_ns (run));
  /* Translators: "Thread Pool · 4 workers: 1.02 s. Click to show this run." */
  text = g_strdup_printf (_("%s: %s. Click to show this run."), title, wall);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
lab_scaling_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  LabScalingChart *self = LAB_SCALING_CHART (widget);
  Axes axes;

  if (self->series->len == 0)
    {
      snapshot_empty (self, snapshot);
      return;
    }

  snapshot_legend (self, snapshot);
  layout (self, &axes);
  snapshot_speedup_axis (self, snapshot, &axes);
  snapshot_workers_axis (self, snapshot, &axes);
  snapshot_cores (self, snapshot, &axes);
  snapshot_plot (self, snapshot, &axes);
}

static void
lab_scaling_chart_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 480;
    }
  else
    {
      *minimum = 220;
      *natural = 260;
    }
}

static void
lab_scaling_chart_dispose (GObject *object)
{
  LabScalingChart *self = (LabScalingChart *) object;

  lab_scaling_chart_set_analysis (self, NULL);

  G_OBJECT_CLASS (lab_scaling_chart_parent_class)->dispose (object);
}

static void
lab_scaling_chart_finalize (GObject *object)
{
  LabScalingChart *self = (LabScalingChart *) object;

  g_clear_pointer (&self->series, g_ptr_array_unref);

  G_OBJECT_CLASS (lab_scaling_chart_parent_class)->finalize (object);
}

static void
lab_scaling_chart_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LabScalingChart *self = LAB_SCALING_CHART (object);

  switch (prop_id)
    {
    case PROP_N_SERIES:
      g_value_set_uint (value, lab_scaling_chart_get_n_series (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_scaling_chart_class_init (LabScalingChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_scaling_chart_dispose;
  object_class->finalize = lab_scaling_chart_finalize;
  object_class->get_property = lab_scaling_chart_get_property;

  widget_class->snapshot = lab_scaling_chart_snapshot;
  widget_class->measure = lab_scaling_chart_measure;

  properties[PROP_N_SERIES] =
    g_param_spec_uint ("n-series", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LabScalingChart::run-activated:
   * @run: the run of the point clicked (its median repeat)
   */
  signals[RUN_ACTIVATED] = lab_chart_class_init_clickable (widget_class, "labscalingchart");
}

static void
lab_scaling_chart_init (LabScalingChart *self)
{
  self->series = g_ptr_array_new_with_free_func (series_free);
  lab_chart_init_clickable (GTK_WIDGET (self), G_CALLBACK (pressed_cb), G_CALLBACK (query_tooltip_cb),
                            _("Speedup by number of workers, with the ideal and Amdahl's law"));
}

GtkWidget *
lab_scaling_chart_new (void)
{
  return g_object_new (LAB_TYPE_SCALING_CHART, NULL);
}

/**
 * lab_scaling_chart_set_analysis:
 * @analysis: (nullable): one experiment's runs
 *
 * Draws each strategy of @analysis that ran with two worker counts or
 * more (a sweep); the speed-ups are of the finished runs' medians.
 */
void
lab_scaling_chart_set_analysis (LabScalingChart *self,
                                LabAnalysis     *analysis)
{
  guint n_before;

  g_return_if_fail (LAB_IS_SCALING_CHART (self));

  n_before = self->series->len;
  g_clear_pointer (&self->analysis, lab_analysis_unref);
  g_ptr_array_set_size (self->series, 0);
  if (analysis != NULL)
    {
      self->analysis = lab_analysis_ref (analysis);
      for (guint i = 0; i < lab_analysis_get_n_scalings (analysis); i++)
        {
          const LabScaling *scaling = lab_analysis_get_scaling (analysis, i);
          if (scaling->workers->len >= 2)
            g_ptr_array_add (self->series, series_new (scaling));
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (n_before != self->series->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SERIES]);
}

guint
lab_scaling_chart_get_n_series (LabScalingChart *self)
{
  g_return_val_if_fail (LAB_IS_SCALING_CHART (self), 0);
  return self->series != NULL ? self->series->len : 0;
}

/* Where the point of series @series at @index is drawn, for tests. */
gboolean
lab_scaling_chart_get_point (LabScalingChart *self,
                             guint            series,
                             guint            index,
                             double          *x,
                             double          *y,
                             LabRun         **run)
{
  Series *s;
  Axes axes;

  g_return_val_if_fail (LAB_IS_SCALING_CHART (self), FALSE);

  if (series >= self->series->len || index >= ((Series *) g_ptr_array_index (self->series, series))->workers->len)
    return FALSE;
  s = g_ptr_array_index (self->series, series);
  layout (self, &axes);
  *x = axes_x (&axes, g_array_index (s->workers, guint, index));
  *y = axes_y (&axes, g_array_index (s->speedup, double, index));
  if (run != NULL)
    *run = g_ptr_array_index (s->runs, index);
  return TRUE;
}
