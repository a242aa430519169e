/* lab-comparison-chart.h — elapsed and CPU time of several runs side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LAB_TYPE_COMPARISON_CHART (lab_comparison_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabComparisonChart, lab_comparison_chart, LAB, COMPARISON_CHART, GtkWidget)

/* @runs: a GListModel of LabRun (property "runs"); the chart follows its
 * changes and the progress of runs still going on. */
GtkWidget  *lab_comparison_chart_new      (void);
void        lab_comparison_chart_set_runs (LabComparisonChart *self,
                                           GListModel         *runs);
GListModel *lab_comparison_chart_get_runs (LabComparisonChart *self);

/* The run drawn highlighted (property "selected"), or
 * GTK_INVALID_LIST_POSITION for none. */
void        lab_comparison_chart_set_selected (LabComparisonChart *self,
                                               guint               position);
guint       lab_comparison_chart_get_selected (LabComparisonChart *self);

G_END_DECLS
