/* lab-experiment-panel.h — the side pane: lessons, task, parameters, strategy, workers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lab-run-config.h"

G_BEGIN_DECLS

#define LAB_TYPE_EXPERIMENT_PANEL (lab_experiment_panel_get_type ())

G_DECLARE_FINAL_TYPE (LabExperimentPanel, lab_experiment_panel, LAB, EXPERIMENT_PANEL, GtkWidget)

LabRunConfig *lab_experiment_panel_dup_config      (LabExperimentPanel  *self,
                                                    GError             **error);
gboolean      lab_experiment_panel_get_can_run     (LabExperimentPanel  *self);
void          lab_experiment_panel_set_settings    (LabExperimentPanel  *self,
                                                    GSettings           *settings);

guint         lab_experiment_panel_get_n_presets   (LabExperimentPanel  *self);
gboolean      lab_experiment_panel_apply_preset    (LabExperimentPanel  *self,
                                                    guint                index);
gboolean      lab_experiment_panel_preset_is_available (LabExperimentPanel *self,
                                                        guint               index);

/* What the controls show; the setters are for settings and tests. */
const char   *lab_experiment_panel_get_task        (LabExperimentPanel  *self);
gboolean      lab_experiment_panel_set_task        (LabExperimentPanel  *self,
                                                    const char          *task);
LabStrategy   lab_experiment_panel_get_strategy    (LabExperimentPanel  *self);
void          lab_experiment_panel_set_strategy    (LabExperimentPanel  *self,
                                                    LabStrategy          strategy);
gboolean      lab_experiment_panel_strategy_is_sensitive (LabExperimentPanel *self,
                                                          LabStrategy         strategy);
guint         lab_experiment_panel_get_workers     (LabExperimentPanel  *self);
void          lab_experiment_panel_set_workers     (LabExperimentPanel  *self,
                                                    guint                workers);
gboolean      lab_experiment_panel_get_gil         (LabExperimentPanel  *self);
void          lab_experiment_panel_set_gil         (LabExperimentPanel  *self,
                                                    gboolean             gil);
gboolean      lab_experiment_panel_get_sweep       (LabExperimentPanel  *self);
void          lab_experiment_panel_set_sweep       (LabExperimentPanel  *self,
                                                    gboolean             sweep);
guint         lab_experiment_panel_get_repeats     (LabExperimentPanel  *self);
void          lab_experiment_panel_set_repeats     (LabExperimentPanel  *self,
                                                    guint                repeats);
guint         lab_experiment_panel_get_jobs        (LabExperimentPanel  *self);
void          lab_experiment_panel_set_jobs        (LabExperimentPanel  *self,
                                                    guint                jobs);
void          lab_experiment_panel_set_seconds     (LabExperimentPanel  *self,
                                                    const char          *seconds);
void          lab_experiment_panel_set_urls_file   (LabExperimentPanel  *self,
                                                    const char          *path);
void          lab_experiment_panel_set_images_dir  (LabExperimentPanel  *self,
                                                    const char          *path);
gboolean      lab_experiment_panel_param_is_visible (LabExperimentPanel *self,
                                                     const char         *param);

G_END_DECLS
