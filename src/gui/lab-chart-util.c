/* lab-chart-util.c — what the chart widgets share: colours, text, time axis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-chart"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lab-chart-util.h"
#include "lab-run.h"

#define TICK_LENGTH 4

static gboolean
throttle_tick_cb (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       data)
{
  LabChartThrottle *throttle = data;

  if (gdk_frame_clock_get_frame_time (clock) / LAB_CHART_SLOT_US <= throttle->slot)
    return G_SOURCE_CONTINUE;
  throttle->tick_id = 0;
  gtk_widget_queue_draw (widget);
  return G_SOURCE_REMOVE;
}

/* Redraws @widget on the first frame of the next slot: requests within
 * one slot, from any chart, share one frame. */
void
lab_chart_throttle_queue_draw (LabChartThrottle *throttle,
                               GtkWidget        *widget)
{
  if (throttle->tick_id != 0)
    return;
  if (!gtk_widget_get_mapped (widget))
    {
      gtk_widget_queue_draw (widget);
      return;
    }
  throttle->slot = g_get_monotonic_time () / LAB_CHART_SLOT_US;
  throttle->tick_id = gtk_widget_add_tick_callback (widget, throttle_tick_cb, throttle, NULL);
}

void
lab_chart_throttle_clear (LabChartThrottle *throttle,
                          GtkWidget        *widget)
{
  if (throttle->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, throttle->tick_id);
  throttle->tick_id = 0;
}

/* The widget's text colour: every neutral line and label derives from it,
 * so light and dark styles both work. */
void
lab_chart_get_foreground (GtkWidget *widget,
                          GdkRGBA   *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

void
lab_chart_with_alpha (const GdkRGBA *color,
                      double         alpha,
                      GdkRGBA       *out)
{
  *out = *color;
  out->alpha = color->alpha * alpha;
}

/* A named colour from the style sheet (ui/style.css), else @fallback (a
 * libadwaita colour), else the text colour at @fallback_alpha. */
void
lab_chart_lookup_color (GtkWidget  *widget,
                        const char *name,
                        const char *fallback,
                        double      fallback_alpha,
                        GdkRGBA    *color)
{
  GtkStyleContext *context;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (widget);
  if (gtk_style_context_lookup_color (context, name, color) ||
      (fallback != NULL && gtk_style_context_lookup_color (context, fallback, color)))
    return;
  G_GNUC_END_IGNORE_DEPRECATIONS

  lab_chart_get_foreground (widget, color);
  color->alpha *= fallback_alpha;
}

void
lab_chart_palette_color (GtkWidget *widget,
                         guint      index,
                         GdkRGBA   *color)
{
  static const char *fallbacks[LAB_CHART_N_PALETTE] = {
    "blue_3", "green_4", "orange_3", "purple_2",
    "red_2", "yellow_4", "brown_2", "light_4",
  };
  char name[32];

  index %= LAB_CHART_N_PALETTE;
  g_snprintf (name, sizeof name, "lab_series_%u", index + 1);
  lab_chart_lookup_color (widget, name, fallbacks[index],
                          1.0 - 0.1 * index, color);
}

char *
lab_chart_format_seconds (double seconds)
{
  if (fabs (seconds) < 0.0005)
    seconds = 0;
  if (seconds != 0 && fabs (seconds) < 0.01)
    /* Translators: milliseconds on a chart */
    return g_strdup_printf (_("%.1f ms"), seconds * 1000);
  if (fabs (seconds) < 10 && fabs (seconds - round (seconds)) > 1e-9)
    /* Translators: seconds on a chart */
    return g_strdup_printf (_("%.2g s"), seconds);
  return g_strdup_printf (_("%.0f s"), seconds);
}

/* A step of 1, 2 or 5 times a power of ten giving at most @max_ticks. */
double
lab_chart_nice_step (double range,
                     double max_ticks)
{
  double raw, magnitude, step;

  if (range <= 0 || max_ticks < 1)
    return 1;
  raw = range / max_ticks;
  magnitude = pow (10, floor (log10 (raw)));
  step = magnitude;
  if (step < raw)
    step = 2 * magnitude;
  if (step < raw)
    step = 5 * magnitude;
  if (step < raw)
    step = 10 * magnitude;
  return step;
}

static PangoLayout *
create_layout (GtkWidget  *widget,
               const char *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);

  pango_layout_set_single_paragraph_mode (layout, TRUE);
  return layout;
}

int
lab_chart_text_width (GtkWidget  *widget,
                      const char *text)
{
  g_autoptr(PangoLayout) layout = create_layout (widget, text);
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

int
lab_chart_line_height (GtkWidget *widget)
{
  g_autoptr(PangoLayout) layout = create_layout (widget, "0");
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);
  return height;
}

void
lab_chart_append_text (GtkWidget     *widget,
                       GtkSnapshot   *snapshot,
                       const char    *text,
                       double         x,
                       double         y,
                       double         xalign,
                       const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = create_layout (widget, text);
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x - xalign * width), round (y)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

void
lab_chart_append_time_axis (GtkWidget             *widget,
                            GtkSnapshot           *snapshot,
                            const graphene_rect_t *plot,
                            double                 t0,
                            double                 t1)
{
  GdkRGBA fg, grid, text;
  double step;
  double label_width = lab_chart_text_width (widget, "00.00 s") + 32;

  if (t1 <= t0 || plot->size.width < 1)
    return;

  lab_chart_get_foreground (widget, &fg);
  lab_chart_with_alpha (&fg, 0.12, &grid);
  lab_chart_with_alpha (&fg, 0.7, &text);
  step = lab_chart_nice_step (t1 - t0, MAX (1, plot->size.width / label_width));

  for (double t = ceil (t0 / step) * step; t <= t1 + step * 1e-6; t += step)
    {
      double x = plot->origin.x + (t - t0) / (t1 - t0) * plot->size.width;
      g_autofree char *label = lab_chart_format_seconds (fabs (t) < step * 1e-6 ? 0 : t);
      double xalign = x > plot->origin.x + plot->size.width - label_width / 2 ? 1 : 0.5;

      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (round (x), plot->origin.y, 1,
                                                      plot->size.height + TICK_LENGTH));
      lab_chart_append_text (widget, snapshot, label, x,
                             plot->origin.y + plot->size.height + TICK_LENGTH,
                             x - label_width / 2 < plot->origin.x ? 0 : xalign, &text);
    }
}

/* A colour swatch and its label; *@next_x is where the next one goes. */
void
lab_chart_append_legend (GtkWidget     *widget,
                         GtkSnapshot   *snapshot,
                         double         x,
                         double         y,
                         const GdkRGBA *swatch,
                         const char    *text,
                         double        *next_x)
{
  int line = lab_chart_line_height (widget);
  double size = round (line * 0.6);
  GdkRGBA fg;

  lab_chart_get_foreground (widget, &fg);
  gtk_snapshot_append_color (snapshot, swatch,
                             &GRAPHENE_RECT_INIT (x, y + round ((line - size) / 2), size, size));
  lab_chart_append_text (widget, snapshot, text, x + size + 6, y, 0, &fg);
  if (next_x != NULL)
    *next_x = x + lab_chart_legend_width (widget, text);
}

/* How far a legend entry moves the next one along, its gap included. */
double
lab_chart_legend_width (GtkWidget  *widget,
                        const char *text)
{
  return round (lab_chart_line_height (widget) * 0.6) + 6 + lab_chart_text_width (widget, text) + 18;
}

/**
 * lab_chart_class_init_clickable:
 * @css_name: the chart's CSS name
 *
 * What every chart whose runs can be clicked declares: its CSS name, an
 * image for assistive technologies, and the signal
 * `run-activated (LabRun *run)`.
 *
 * Returns: the signal's id
 */
guint
lab_chart_class_init_clickable (GtkWidgetClass *widget_class,
                                const char     *css_name)
{
  gtk_widget_class_set_css_name (widget_class, css_name);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  return g_signal_new ("run-activated", G_TYPE_FROM_CLASS (widget_class),
                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                       G_TYPE_NONE, 1, LAB_TYPE_RUN);
}

/**
 * lab_chart_init_clickable:
 * @pressed: (scope notified): called as `pressed (widget, n_press, x, y)`
 * @query_tooltip: the widget's tooltip handler
 * @label: what the chart shows, for assistive technologies
 */
void
lab_chart_init_clickable (GtkWidget  *widget,
                          GCallback   pressed,
                          GCallback   query_tooltip,
                          const char *label)
{
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect_swapped (click, "pressed", pressed, widget);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_has_tooltip (widget, TRUE);
  g_signal_connect (widget, "query-tooltip", query_tooltip, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/**
 * lab_chart_set_hover_time:
 * @hover_time: the chart's field
 * @seconds: into the run, or -1 for no line
 * @pspec: the chart's hover-time property
 *
 * The line the timeline and the CPU chart share: stores @seconds, redraws
 * and notifies when it moved.
 */
void
lab_chart_set_hover_time (GtkWidget  *widget,
                          double     *hover_time,
                          double      seconds,
                          GParamSpec *pspec)
{
  if (seconds < 0)
    seconds = -1;
  if (seconds == *hover_time)
    return;
  *hover_time = seconds;
  gtk_widget_queue_draw (widget);
  g_object_notify_by_pspec (G_OBJECT (widget), pspec);
}
