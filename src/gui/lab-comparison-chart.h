/* lab-comparison-chart.h — one experiment's strategies side by side
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-analysis.h"

G_BEGIN_DECLS

#define LAB_TYPE_COMPARISON_CHART (lab_comparison_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabComparisonChart, lab_comparison_chart, LAB, COMPARISON_CHART, GtkWidget)

/*
 * @analysis: the runs of ONE experiment (lab_analysis_split_experiments()):
 * one row per configuration, its repeats in one bar with their spread.
 * The chart follows the progress of its runs still going on. Clicking a
 * row emits "run-activated" with the run the row stands for.
 */
GtkWidget   *lab_comparison_chart_new           (void);
void         lab_comparison_chart_set_analysis  (LabComparisonChart *self,
                                                 LabAnalysis        *analysis);
LabAnalysis *lab_comparison_chart_get_analysis  (LabComparisonChart *self);
void         lab_comparison_chart_set_selected  (LabComparisonChart *self,
                                                 LabRun             *run);
LabRun      *lab_comparison_chart_get_selected  (LabComparisonChart *self);
void         lab_comparison_chart_set_reference (LabComparisonChart *self,
                                                 double              seconds,
                                                 const char         *label);
double       lab_comparison_chart_get_reference (LabComparisonChart *self);

/* For tests: rows drawn, the run each stands for, and where it is. */
guint        lab_comparison_chart_get_n_rows    (LabComparisonChart *self);
LabRun      *lab_comparison_chart_get_row_run   (LabComparisonChart *self,
                                                 guint               row);
double       lab_comparison_chart_get_row_y     (LabComparisonChart *self,
                                                 guint               row);
char        *lab_comparison_chart_describe_row  (LabComparisonChart *self,
                                                 guint               row);

G_END_DECLS
