/* lab-chart-util.h — what the chart widgets share: colours, text, time axis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Worker and series colours cycle through this many style colours. */
#define LAB_CHART_N_PALETTE 8

/* Charts redraw at most once per slot of this length, all on the same
 * frame, so that three live charts cost 30 frames a second, not 90. */
#define LAB_CHART_SLOT_US   33333

typedef struct {
  guint  tick_id;
  gint64 slot;
} LabChartThrottle;

void  lab_chart_throttle_queue_draw (LabChartThrottle *throttle,
                                     GtkWidget        *widget);
void  lab_chart_throttle_clear      (LabChartThrottle *throttle,
                                     GtkWidget        *widget);

void  lab_chart_get_foreground   (GtkWidget       *widget,
                                  GdkRGBA         *color);
void  lab_chart_lookup_color     (GtkWidget       *widget,
                                  const char      *name,
                                  const char      *fallback,
                                  double           fallback_alpha,
                                  GdkRGBA         *color);
void  lab_chart_palette_color    (GtkWidget       *widget,
                                  guint            index,
                                  GdkRGBA         *color);
void  lab_chart_with_alpha       (const GdkRGBA   *color,
                                  double           alpha,
                                  GdkRGBA         *out);

char *lab_chart_format_seconds   (double           seconds);
double lab_chart_nice_step       (double           range,
                                  double           max_ticks);

/* Draws @text at (@x, @y) (top left, or top right with @xalign 1). */
void  lab_chart_append_text      (GtkWidget       *widget,
                                  GtkSnapshot     *snapshot,
                                  const char      *text,
                                  double           x,
                                  double           y,
                                  double           xalign,
                                  const GdkRGBA   *color);
int   lab_chart_text_width       (GtkWidget       *widget,
                                  const char      *text);
int   lab_chart_line_height      (GtkWidget       *widget);

/* Grid lines across @plot and labelled ticks below it, for @t0..@t1 s. */
void  lab_chart_append_time_axis (GtkWidget             *widget,
                                  GtkSnapshot           *snapshot,
                                  const graphene_rect_t *plot,
                                  double                 t0,
                                  double                 t1);
void  lab_chart_append_legend    (GtkWidget       *widget,
                                  GtkSnapshot     *snapshot,
                                  double           x,
                                  double           y,
                                  const GdkRGBA   *swatch,
                                  const char      *text,
                                  double          *next_x);
double lab_chart_legend_width    (GtkWidget       *widget,
                                  const char      *text);

guint lab_chart_class_init_clickable (GtkWidgetClass *widget_class,
                                      const char     *css_name);
void  lab_chart_init_clickable   (GtkWidget       *widget,
                                  GCallback        pressed,
                                  GCallback        query_tooltip,
                                  const char      *label);
void  lab_chart_set_hover_time   (GtkWidget       *widget,
                                  double          *hover_time,
                                  double           seconds,
                                  GParamSpec      *pspec);

G_END_DECLS
