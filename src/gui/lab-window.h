/* lab-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lab-application.h"
#include "lab-experiment-panel.h"
#include "lab-history-page.h"
#include "lab-run.h"

G_BEGIN_DECLS

#define LAB_TYPE_WINDOW (lab_window_get_type ())

G_DECLARE_FINAL_TYPE (LabWindow, lab_window, LAB, WINDOW, AdwApplicationWindow)

/* The chart cards of the window, each of which can be saved as an image. */
typedef enum {
  LAB_CHART_TIMELINE,
  LAB_CHART_BREAKDOWN,
  LAB_CHART_CPU,
  LAB_CHART_COMPARISON,
  LAB_CHART_SCALING,
  LAB_N_CHARTS,
} LabChartKind;

LabWindow          *lab_window_new                  (LabApplication *application);

/* For tests and screenshots. */
LabExperimentPanel *lab_window_get_experiment_panel (LabWindow      *self);
LabHistoryPage     *lab_window_get_history_page     (LabWindow      *self);
GtkWidget          *lab_window_get_timeline         (LabWindow      *self);
GtkWidget          *lab_window_get_cpu_chart        (LabWindow      *self);
GtkWidget          *lab_window_get_comparison_chart (LabWindow      *self);
GtkWidget          *lab_window_get_breakdown_chart  (LabWindow      *self);
GtkWidget          *lab_window_get_scaling_chart    (LabWindow      *self);
LabRun             *lab_window_get_selected_run     (LabWindow      *self);
guint               lab_window_get_n_experiments    (LabWindow      *self);
void                lab_window_choose_experiment    (LabWindow      *self,
                                                     guint           position);
const char         *lab_window_get_verdict          (LabWindow      *self);
const char         *lab_window_get_findings_text    (LabWindow      *self);
const char         *lab_window_get_title_text       (LabWindow      *self);
const char         *lab_window_get_outcome_text     (LabWindow      *self);
GtkWidget          *lab_window_get_run_button       (LabWindow      *self);
GtkWidget          *lab_window_get_runs_list        (LabWindow      *self);
guint               lab_window_get_n_runs           (LabWindow      *self);
LabRun             *lab_window_get_run              (LabWindow      *self,
                                                     guint           index);
void                lab_window_select_run           (LabWindow      *self,
                                                     guint           index);
gboolean            lab_window_is_running           (LabWindow      *self);
guint               lab_window_get_n_failed_rows    (LabWindow      *self);
void                lab_window_dismiss_toast        (LabWindow      *self);
gboolean            lab_window_export_to_file       (LabWindow      *self,
                                                     GFile          *file,
                                                     GError        **error);
GtkWidget          *lab_window_get_chart_card       (LabWindow      *self,
                                                     LabChartKind    kind);
GtkWidget          *lab_window_get_chart_button     (LabWindow      *self,
                                                     LabChartKind    kind);
gboolean            lab_window_save_chart           (LabWindow      *self,
                                                     LabChartKind    kind,
                                                     GFile          *file,
                                                     GError        **error);

G_END_DECLS
