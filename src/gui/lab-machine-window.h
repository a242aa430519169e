/* lab-machine-window.h — This Computer: what a thread and a process cost here
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lab-cost-chart.h"
#include "lab-job-size-chart.h"
#include "lab-machine-costs.h"

G_BEGIN_DECLS

#define LAB_TYPE_MACHINE_WINDOW (lab_machine_window_get_type ())

G_DECLARE_FINAL_TYPE (LabMachineWindow, lab_machine_window, LAB, MACHINE_WINDOW, AdwWindow)

LabMachineWindow      *lab_machine_window_new             (GtkWindow        *parent);
void                   lab_machine_window_measure         (LabMachineWindow *self);
void                   lab_machine_window_run_sweep       (LabMachineWindow *self);
gboolean               lab_machine_window_is_busy         (LabMachineWindow *self);
const LabMachineCosts *lab_machine_window_get_costs       (LabMachineWindow *self);
LabCostChart          *lab_machine_window_get_cost_chart  (LabMachineWindow *self);
LabJobSizeChart       *lab_machine_window_get_job_size_chart (LabMachineWindow *self);
guint                  lab_machine_window_get_n_break_even_rows (LabMachineWindow *self);

G_END_DECLS
