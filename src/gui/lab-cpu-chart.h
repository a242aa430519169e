/* lab-cpu-chart.h — per-core CPU lines and the app's share by worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-cpu-sampler.h"

G_BEGIN_DECLS

#define LAB_TYPE_CPU_CHART (lab_cpu_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabCpuChart, lab_cpu_chart, LAB, CPU_CHART, GtkWidget)

/*
 * Either follow a sampler (the chart shows its current history, live) or
 * show a fixed history (e.g. of an earlier run). Setting one clears the
 * other. Both are properties: "sampler" and "history".
 */
GtkWidget     *lab_cpu_chart_new         (void);
void           lab_cpu_chart_set_sampler (LabCpuChart   *self,
                                          LabCpuSampler *sampler);
LabCpuSampler *lab_cpu_chart_get_sampler (LabCpuChart   *self);
void           lab_cpu_chart_set_history (LabCpuChart   *self,
                                          LabCpuHistory *history);
LabCpuHistory *lab_cpu_chart_get_history (LabCpuChart   *self);
void           lab_cpu_chart_set_hover_time (LabCpuChart *self,
                                          double       seconds);
double         lab_cpu_chart_get_hover_time (LabCpuChart *self);
guint          lab_cpu_chart_get_n_legend_entries (LabCpuChart *self);

/* The colour the chart gives a worker of @history: the timeline's lane
 * swatches use it too. FALSE when the worker has none. */
gboolean       lab_cpu_chart_worker_color (GtkWidget     *widget,
                                           LabCpuHistory *history,
                                           gint64         id,
                                           GdkRGBA       *color);

G_END_DECLS
