/* lab-job-size-chart.h — speed-up by job size, a line per strategy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-granularity.h"
#include "lab-machine-costs.h"

G_BEGIN_DECLS

#define LAB_TYPE_JOB_SIZE_CHART (lab_job_size_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabJobSizeChart, lab_job_size_chart, LAB, JOB_SIZE_CHART, GtkWidget)

GtkWidget *lab_job_size_chart_new             (void);
void       lab_job_size_chart_set_costs       (LabJobSizeChart       *self,
                                               const LabMachineCosts *costs);
void       lab_job_size_chart_set_granularity (LabJobSizeChart       *self,
                                               GPtrArray             *granularity);
guint      lab_job_size_chart_get_n_series    (LabJobSizeChart       *self);

G_END_DECLS
