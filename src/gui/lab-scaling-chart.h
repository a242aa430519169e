/* lab-scaling-chart.h — speedup by number of workers, against the ideal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-analysis.h"

G_BEGIN_DECLS

#define LAB_TYPE_SCALING_CHART (lab_scaling_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabScalingChart, lab_scaling_chart, LAB, SCALING_CHART, GtkWidget)

GtkWidget  *lab_scaling_chart_new          (void);
void        lab_scaling_chart_set_analysis (LabScalingChart *self,
                                            LabAnalysis     *analysis);

/* The strategies drawn (read-only property "n-series"): 0 when no sweep
 * is among the runs. */
guint       lab_scaling_chart_get_n_series (LabScalingChart *self);
gboolean    lab_scaling_chart_get_point    (LabScalingChart *self,
                                            guint            series,
                                            guint            index,
                                            double          *x,
                                            double          *y,
                                            LabRun         **run);

G_END_DECLS
