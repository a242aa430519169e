/* lab-cost-chart.h — what each operation costs here, as bars on a log scale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-machine-costs.h"

G_BEGIN_DECLS

#define LAB_TYPE_COST_CHART (lab_cost_chart_get_type ())

G_DECLARE_FINAL_TYPE (LabCostChart, lab_cost_chart, LAB, COST_CHART, GtkWidget)

GtkWidget *lab_cost_chart_new       (void);
void       lab_cost_chart_set_costs (LabCostChart          *self,
                                     const LabMachineCosts *costs);
guint      lab_cost_chart_get_n_bars (LabCostChart         *self);

G_END_DECLS
