/* lab-run-row.h — one run of the session in the runs list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lab-run.h"

G_BEGIN_DECLS

#define LAB_TYPE_RUN_ROW (lab_run_row_get_type ())

G_DECLARE_FINAL_TYPE (LabRunRow, lab_run_row, LAB, RUN_ROW, AdwActionRow)

GtkWidget  *lab_run_row_new          (LabRun    *run,
                                      guint      number);
LabRun     *lab_run_row_get_run      (LabRunRow *self);
void        lab_run_row_set_speedup  (LabRunRow *self,
                                      double     speedup);
void        lab_run_row_update       (LabRunRow *self);
void        lab_run_row_set_baseline (LabRunRow  *self,
                                      const char *text);
const char *lab_run_row_get_baseline (LabRunRow *self);

G_END_DECLS
