/* lab-cpu-chart.c — per-core CPU lines and the app's share by worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both series share one scale, a share of the machine: a core's line goes
 * up to 100 %, and the app's stacked areas (one per worker, the first few
 * by name, then "other workers" and the rest of the app) add up to what
 * the app used of all cores together. More samples than pixels are
 * averaged per pixel column, so a 10-minute history costs what a short
 * one does.
 */
#define G_LOG_DOMAIN "lab-cpu-chart"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lab-chart-util.h"
#include "lab-cpu-chart.h"

/* Workers with a band of their own; the others share one. */
#define N_NAMED_WORKERS  6
#define BAND_OTHERS      N_NAMED_WORKERS
#define BAND_REST        (N_NAMED_WORKERS + 1)
#define N_BANDS          (N_NAMED_WORKERS + 2)
#define EMPTY_SECONDS    5.0   /* the axis before any sample */
#define PAD              8

struct _LabCpuChart
{
  GtkWidget      parent_instance;

  LabCpuSampler *sampler;
  LabCpuHistory *history;
  LabChartThrottle throttle;
  double         hover_time;
  guint          n_legend_entries;
  double         plot_left;
  double         plot_width;
  double         t1;
};

/* One pixel column: the average of the samples that fall in it. */
typedef struct {
  double x;
  double bands[N_BANDS];
  double cores[];
} Column;

enum {
  PROP_0,
  PROP_SAMPLER,
  PROP_HISTORY,
  PROP_HOVER_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LabCpuChart, lab_cpu_chart, GTK_TYPE_WIDGET)

static void
sampler_changed_cb (LabCpuChart *self)
{
  lab_chart_throttle_queue_draw (&self->throttle, GTK_WIDGET (self));
}

static void
add_sample (LabCpuHistory *history,
            guint          sample,
            Column        *column,
            guint          n_cores)
{
  const LabCpuWorkerUsage *workers;
  guint n_workers;
  double named = 0;

  for (guint c = 0; c < n_cores; c++)
    column->cores[c] += lab_cpu_history_get_core_usage (history, sample, c);
  workers = lab_cpu_history_get_sample_workers (history, sample, &n_workers);
  for (guint w = 0; w < n_workers; w++)
    {
      guint band = MIN (workers[w].worker, BAND_OTHERS);

      column->bands[band] += workers[w].usage / n_cores;
      named += workers[w].usage;
    }
  column->bands[BAND_REST] += MAX (0, lab_cpu_history_get_app_usage (history, sample) - named) / n_cores;
}

static void
scale_column (Column *column,
              guint   n_cores,
              guint   n)
{
  for (guint c = 0; c < n_cores; c++)
    column->cores[c] /= n;
  for (guint b = 0; b < N_BANDS; b++)
    column->bands[b] /= n;
}

/* Averages the samples per pixel column; returns the columns made. */
static guint
build_columns (LabCpuHistory         *history,
               const graphene_rect_t *plot,
               double                 t1,
               GByteArray            *storage,
               gsize                  column_size)
{
  guint n_cores = lab_cpu_history_get_n_cores (history);
  guint n_columns = 0, in_column = 0;
  Column *column = NULL;

  for (guint s = 0; s < lab_cpu_history_get_n_samples (history); s++)
    {
      double t = lab_cpu_history_get_time (history, s) / 1e9;
      double x = plot->origin.x + floor (t / t1 * plot->size.width);

      if (t < 0)
        continue;
      if (column == NULL || x != column->x)
        {
          if (column != NULL)
            scale_column (column, n_cores, in_column);
          g_byte_array_set_size (storage, (n_columns + 1) * column_size);
          column = (Column *) (storage->data + n_columns++ * column_size);
          memset (column, 0, column_size);
          column->x = x;
          in_column = 0;
        }
      add_sample (history, s, column, n_cores);
      in_column++;
    }
  if (column != NULL)
    scale_column (column, n_cores, in_column);
  return n_columns;
}

static inline const Column *
column_at (GByteArray *storage,
           gsize       column_size,
           guint       i)
{
  return (const Column *) (storage->data + i * column_size);
}

static double
band_top (const Column *column,
          guint         band)
{
  double sum = 0;

  for (guint b = 0; b <= band; b++)
    sum += column->bands[b];
  return sum;
}

static void
band_color (LabCpuChart *self,
            guint        band,
            GdkRGBA     *color)
{
  if (band == BAND_OTHERS)
    lab_chart_lookup_color (GTK_WIDGET (self), "lab_other_workers", NULL, 0.35, color);
  else if (band == BAND_REST)
    lab_chart_lookup_color (GTK_WIDGET (self), "lab_app_rest", NULL, 0.18, color);
  else
    lab_chart_palette_color (GTK_WIDGET (self), band, color);
}

static gboolean
band_is_used (GByteArray *storage,
              gsize       column_size,
              guint       n_columns,
              guint       band)
{
  for (guint i = 0; i < n_columns; i++)
    if (column_at (storage, column_size, i)->bands[band] > 0)
      return TRUE;
  return FALSE;
}

static void
draw_bands (LabCpuChart           *self,
            cairo_t               *cr,
            const graphene_rect_t *plot,
            GByteArray            *storage,
            gsize                  column_size,
            guint                  n_columns)
{
  double y0 = plot->origin.y + plot->size.height, h = plot->size.height;

  for (guint band = 0; band < N_BANDS; band++)
    {
      GdkRGBA color;

      if (!band_is_used (storage, column_size, n_columns, band))
        continue;
      band_color (self, band, &color);
      cairo_new_path (cr);
      for (guint i = 0; i < n_columns; i++)
        {
          const Column *c = column_at (storage, column_size, i);
          cairo_line_to (cr, c->x, y0 - MIN (1, band_top (c, band)) * h);
        }
      for (guint i = n_columns; i-- > 0;)
        {
          const Column *c = column_at (storage, column_size, i);
          cairo_line_to (cr, c->x, y0 - MIN (1, band_top (c, band) - c->bands[band]) * h);
        }
      cairo_close_path (cr);
      color.alpha *= 0.75;
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_fill (cr);
    }
}

static void
draw_cores (LabCpuChart           *self,
            cairo_t               *cr,
            const graphene_rect_t *plot,
            GByteArray            *storage,
            gsize                  column_size,
            guint                  n_columns,
            guint                  n_cores)
{
  double y0 = plot->origin.y + plot->size.height, h = plot->size.height;
  GdkRGBA color;

  lab_chart_lookup_color (GTK_WIDGET (self), "lab_core_line", NULL, 0.75, &color);
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  for (guint core = 0; core < n_cores; core++)
    {
      cairo_new_path (cr);
      for (guint i = 0; i < n_columns; i++)
        {
          const Column *c = column_at (storage, column_size, i);
          cairo_line_to (cr, c->x, y0 - c->cores[core] * h);
        }
      cairo_stroke (cr);
    }
}

static void
snapshot_series (LabCpuChart           *self,
                 GtkSnapshot           *snapshot,
                 LabCpuHistory         *history,
                 const graphene_rect_t *plot,
                 double                 t1)
{
  guint n_cores = lab_cpu_history_get_n_cores (history);
  gsize column_size = sizeof (Column) + n_cores * sizeof (double);
  g_autoptr(GByteArray) storage = g_byte_array_new ();
  graphene_rect_t bounds;
  guint n_columns;
  cairo_t *cr;

  n_columns = build_columns (history, plot, t1, storage, column_size);
  if (n_columns == 0)
    return;

  /* A little room above 100 % so a busy core's line is not cut in half. */
  graphene_rect_inset_r (plot, 0, -2, &bounds);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  draw_bands (self, cr, plot, storage, column_size, n_columns);
  draw_cores (self, cr, plot, storage, column_size, n_columns, n_cores);
  cairo_destroy (cr);
}

static void
snapshot_grid (LabCpuChart           *self,
               GtkSnapshot           *snapshot,
               const graphene_rect_t *plot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int line = lab_chart_line_height (widget);
  GdkRGBA fg, grid, text;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.12, &grid);
  lab_chart_with_alpha (&fg, 0.7, &text);

  for (guint percent = 0; percent <= 100; percent += 25)
    {
      double y = round (plot->origin.y + plot->size.height * (1 - percent / 100.0));
      /* Translators: a percentage on the CPU chart's axis */
      g_autofree char *label = g_strdup_printf (_("%u %%"), percent);

      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (plot->origin.x, y, plot->size.width, 1));
      if (plot->size.height >= 2 * line)
        lab_chart_append_text (widget, snapshot, label, plot->origin.x - PAD, y - line / 2, 1, &text);
    }
}

/* One entry of the legend, on the next line when this one is full. */
static void
legend_entry (LabCpuChart   *self,
              GtkSnapshot   *snapshot,
              double        *x,
              double        *y,
              const GdkRGBA *color,
              const char    *text)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (*x > PAD && *x + lab_chart_text_width (widget, text) + 24 > gtk_widget_get_width (widget))
    {
      *x = PAD;
      *y += lab_chart_line_height (widget) + 4;
    }
  lab_chart_append_legend (widget, snapshot, *x, *y, color, text, x);
  self->n_legend_entries++;
}

/* Cores, the app, its first workers by name, then all the others in
 * one entry: every band drawn has its name. Returns the legend's height. */
static double
snapshot_legend (LabCpuChart   *self,
                 GtkSnapshot   *snapshot,
                 LabCpuHistory *history)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double x = PAD, y = 0;
  guint n_workers = history ? lab_cpu_history_get_n_workers (history) : 0;
  GdkRGBA color;

  self->n_legend_entries = 0;
  lab_chart_lookup_color (widget, "lab_core_line", NULL, 0.75, &color);
  legend_entry (self, snapshot, &x, &y, &color, _("Each core"));
  lab_chart_lookup_color (widget, "lab_app_rest", NULL, 0.18, &color);
  legend_entry (self, snapshot, &x, &y, &color, _("This app"));
  for (guint w = 0; w < MIN (n_workers, N_NAMED_WORKERS); w++)
    {
      lab_chart_palette_color (widget, w, &color);
      legend_entry (self, snapshot, &x, &y, &color, lab_cpu_history_get_worker_label (history, w));
    }
  if (n_workers > N_NAMED_WORKERS)
    {
      band_color (self, BAND_OTHERS, &color);
      legend_entry (self, snapshot, &x, &y, &color, _("Other workers"));
    }
  return y + lab_chart_line_height (widget) + PAD;
}

static void
snapshot_hover (LabCpuChart           *self,
                GtkSnapshot           *snapshot,
                const graphene_rect_t *plot,
                double                 t1)
{
  GdkRGBA fg;

  if (self->hover_time < 0 || self->hover_time > t1)
    return;
  lab_chart_get_foreground (GTK_WIDGET (self), &fg);
  lab_chart_with_alpha (&fg, 0.6, &fg);
  gtk_snapshot_append_color (snapshot, &fg,
                             &GRAPHENE_RECT_INIT (plot->origin.x + self->hover_time / t1 * plot->size.width,
                                                  plot->origin.y, 1, plot->size.height));
}

static void
lab_cpu_chart_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  LabCpuChart *self = LAB_CPU_CHART (widget);
  LabCpuHistory *history = lab_cpu_chart_get_history (self);
  int line = lab_chart_line_height (widget);
  double left = lab_chart_text_width (widget, _("100 %")) + 2 * PAD;
  double top, t1 = EMPTY_SECONDS;
  graphene_rect_t plot;

  top = snapshot_legend (self, snapshot, history);
  plot = GRAPHENE_RECT_INIT (left, top + line / 2,
                             MAX (1, gtk_widget_get_width (widget) - left - PAD),
                             MAX (1, gtk_widget_get_height (widget) - top - 2 * line));
  /* The run so far, as the timeline above it shows it: one time axis
   * for both, and one hover line. */
  if (history != NULL)
    t1 = MAX (0.1, lab_cpu_history_get_duration (history) / 1e9);

  snapshot_grid (self, snapshot, &plot);
  lab_chart_append_time_axis (widget, snapshot, &plot, 0, t1);
  if (history != NULL)
    snapshot_series (self, snapshot, history, &plot, t1);
  snapshot_hover (self, snapshot, &plot, t1);
  self->plot_left = plot.origin.x;
  self->plot_width = plot.size.width;
  self->t1 = t1;
}

static void
lab_cpu_chart_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 600;
    }
  else
    {
      *minimum = 120;
      *natural = 200;
    }
}

static void
lab_cpu_chart_dispose (GObject *object)
{
  LabCpuChart *self = (LabCpuChart *) object;

  lab_cpu_chart_set_history (self, NULL);
  lab_chart_throttle_clear (&self->throttle, GTK_WIDGET (self));

  G_OBJECT_CLASS (lab_cpu_chart_parent_class)->dispose (object);
}

static void
lab_cpu_chart_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LabCpuChart *self = LAB_CPU_CHART (object);

  switch (prop_id)
    {
    case PROP_SAMPLER:
      g_value_set_object (value, self->sampler);
      break;
    case PROP_HISTORY:
      g_value_set_boxed (value, lab_cpu_chart_get_history (self));
      break;
    case PROP_HOVER_TIME:
      g_value_set_double (value, self->hover_time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_cpu_chart_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LabCpuChart *self = LAB_CPU_CHART (object);

  switch (prop_id)
    {
    case PROP_SAMPLER:
      lab_cpu_chart_set_sampler (self, g_value_get_object (value));
      break;
    case PROP_HISTORY:
      lab_cpu_chart_set_history (self, g_value_get_boxed (value));
      break;
    case PROP_HOVER_TIME:
      lab_cpu_chart_set_hover_time (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_cpu_chart_class_init (LabCpuChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_cpu_chart_dispose;
  object_class->get_property = lab_cpu_chart_get_property;
  object_class->set_property = lab_cpu_chart_set_property;

  widget_class->snapshot = lab_cpu_chart_snapshot;
  widget_class->measure = lab_cpu_chart_measure;

  properties[PROP_SAMPLER] =
    g_param_spec_object ("sampler", NULL, NULL, LAB_TYPE_CPU_SAMPLER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_boxed ("history", NULL, NULL, LAB_TYPE_CPU_HISTORY,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOVER_TIME] =
    g_param_spec_double ("hover-time", NULL, NULL, -1, G_MAXDOUBLE, -1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "labcpuchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
motion_cb (LabCpuChart *self,
           double       x,
           double       y)
{
  if (self->plot_width <= 0 || x < self->plot_left)
    lab_cpu_chart_set_hover_time (self, -1);
  else
    lab_cpu_chart_set_hover_time (self, (x - self->plot_left) / self->plot_width * self->t1);
}

static void
leave_cb (LabCpuChart *self)
{
  lab_cpu_chart_set_hover_time (self, -1);
}

static void
lab_cpu_chart_init (LabCpuChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->hover_time = -1;
  g_signal_connect_swapped (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect_swapped (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("CPU use"),
                                  -1);
}

GtkWidget *
lab_cpu_chart_new (void)
{
  return g_object_new (LAB_TYPE_CPU_CHART, NULL);
}

void
lab_cpu_chart_set_sampler (LabCpuChart   *self,
                           LabCpuSampler *sampler)
{
  g_return_if_fail (LAB_IS_CPU_CHART (self));
  g_return_if_fail (sampler == NULL || LAB_IS_CPU_SAMPLER (sampler));

  if (sampler == self->sampler)
    return;
  if (self->sampler != NULL)
    g_signal_handlers_disconnect_by_func (self->sampler, sampler_changed_cb, self);
  g_set_object (&self->sampler, sampler);
  if (sampler != NULL)
    {
      g_signal_connect_object (sampler, "updated", G_CALLBACK (sampler_changed_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (sampler, "notify::history", G_CALLBACK (sampler_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }
  g_clear_pointer (&self->history, lab_cpu_history_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

LabCpuSampler *
lab_cpu_chart_get_sampler (LabCpuChart *self)
{
  g_return_val_if_fail (LAB_IS_CPU_CHART (self), NULL);
  return self->sampler;
}

void
lab_cpu_chart_set_history (LabCpuChart   *self,
                           LabCpuHistory *history)
{
  g_return_if_fail (LAB_IS_CPU_CHART (self));

  if (history == self->history && self->sampler == NULL)
    return;
  if (self->sampler != NULL)
    g_signal_handlers_disconnect_by_func (self->sampler, sampler_changed_cb, self);
  g_clear_object (&self->sampler);
  g_clear_pointer (&self->history, lab_cpu_history_unref);
  self->history = history ? lab_cpu_history_ref (history) : NULL;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

/* Returns: (transfer none) (nullable): the history drawn */
LabCpuHistory *
lab_cpu_chart_get_history (LabCpuChart *self)
{
  g_return_val_if_fail (LAB_IS_CPU_CHART (self), NULL);

  if (self->sampler != NULL)
    return lab_cpu_sampler_get_history (self->sampler);
  return self->history;
}

/* @seconds: into the run, or -1 for no line */
void
lab_cpu_chart_set_hover_time (LabCpuChart *self,
                              double       seconds)
{
  g_return_if_fail (LAB_IS_CPU_CHART (self));
  lab_chart_set_hover_time (GTK_WIDGET (self), &self->hover_time, seconds, properties[PROP_HOVER_TIME]);
}

double
lab_cpu_chart_get_hover_time (LabCpuChart *self)
{
  g_return_val_if_fail (LAB_IS_CPU_CHART (self), -1);
  return self->hover_time;
}

/* Entries of the legend in the last frame (for tests). */
guint
lab_cpu_chart_get_n_legend_entries (LabCpuChart *self)
{
  g_return_val_if_fail (LAB_IS_CPU_CHART (self), 0);
  return self->n_legend_entries;
}

gboolean
lab_cpu_chart_worker_color (GtkWidget     *widget,
                            LabCpuHistory *history,
                            gint64         id,
                            GdkRGBA       *color)
{
  guint worker;

  if (history == NULL || !lab_cpu_history_find_worker (history, id, &worker))
    return FALSE;
  if (worker < N_NAMED_WORKERS)
    lab_chart_palette_color (widget, worker, color);
  else
    lab_chart_lookup_color (widget, "lab_other_workers", NULL, 0.35, color);
  return TRUE;
}
