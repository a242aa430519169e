/* lab-breakdown-chart.h — where each run's time went, as stacked bars
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-analysis.h"

G_BEGIN_DECLS

#define LAB_TYPE_BREAKDOWN_CHART (lab_breakdown_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabBreakdownChart, lab_breakdown_chart, LAB, BREAKDOWN_CHART, GtkWidget)

/* The parts of a bar, in the order they are drawn. */
typedef enum {
  LAB_PART_SETUP,
  LAB_PART_START,
  LAB_PART_WORK,
  LAB_PART_TRANSFER,
  LAB_PART_IDLE,
  LAB_PART_STOP,
  LAB_N_PARTS,
} LabPart;

GtkWidget   *lab_breakdown_chart_new          (void);
void         lab_breakdown_chart_set_analysis (LabBreakdownChart *self,
                                               LabAnalysis       *analysis);
void         lab_breakdown_chart_set_selected (LabBreakdownChart *self,
                                               LabRun            *run);
guint        lab_breakdown_chart_get_n_rows   (LabBreakdownChart *self);
LabRun      *lab_breakdown_chart_get_row_run  (LabBreakdownChart *self,
                                               guint              row);
double       lab_breakdown_chart_get_row_y    (LabBreakdownChart *self,
                                               guint              row);
void         lab_breakdown_chart_get_shares   (LabBreakdownChart *self,
                                               guint              row,
                                               double            *shares);
char        *lab_breakdown_chart_describe_part (LabBreakdownChart *self,
                                               guint              row,
                                               LabPart            part);

/* The colour of a part, shared with the timeline's segments. */
void         lab_breakdown_part_color         (GtkWidget         *widget,
                                               LabPart            part,
                                               GdkRGBA           *color);
const char  *lab_breakdown_part_name          (LabPart            part);

G_END_DECLS
