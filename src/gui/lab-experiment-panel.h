/* lab-experiment-panel.h — the side pane: lessons, task, parameters, strategies, workers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lab-experiment.h"
#include "lab-lessons.h"

G_BEGIN_DECLS

#define LAB_TYPE_EXPERIMENT_PANEL (lab_experiment_panel_get_type ())

G_DECLARE_FINAL_TYPE (LabExperimentPanel, lab_experiment_panel, LAB, EXPERIMENT_PANEL, GtkWidget)

LabExperiment   *lab_experiment_panel_dup_experiment  (LabExperimentPanel  *self,
                                                       GError             **error);
gboolean         lab_experiment_panel_get_can_run     (LabExperimentPanel  *self);
const char      *lab_experiment_panel_get_problem     (LabExperimentPanel  *self);
void             lab_experiment_panel_set_settings    (LabExperimentPanel  *self,
                                                       GSettings           *settings);

/* Lessons: the engine's (lab-lessons.h). */
gboolean         lab_experiment_panel_apply_lesson    (LabExperimentPanel  *self,
                                                       const char          *id);
gboolean         lab_experiment_panel_lesson_is_available (LabExperimentPanel *self,
                                                       const char          *id);
const LabLesson *lab_experiment_panel_get_lesson      (LabExperimentPanel  *self);
gboolean         lab_experiment_panel_lesson_matches  (LabExperimentPanel  *self);
void             lab_experiment_panel_show_outcome    (LabExperimentPanel  *self,
                                                       const char          *outcome);
const char      *lab_experiment_panel_get_outcome     (LabExperimentPanel  *self);

/* What the controls show; the setters are for settings and tests. */
const char      *lab_experiment_panel_get_task        (LabExperimentPanel  *self);
gboolean         lab_experiment_panel_set_task        (LabExperimentPanel  *self,
                                                       const char          *task);
GStrv            lab_experiment_panel_dup_strategies  (LabExperimentPanel  *self);
void             lab_experiment_panel_set_strategies  (LabExperimentPanel  *self,
                                                       const char * const  *names);
void             lab_experiment_panel_set_strategy    (LabExperimentPanel  *self,
                                                       const char          *name);
gboolean         lab_experiment_panel_strategy_is_sensitive (LabExperimentPanel *self,
                                                       const char          *name);
guint            lab_experiment_panel_get_workers     (LabExperimentPanel  *self);
void             lab_experiment_panel_set_workers     (LabExperimentPanel  *self,
                                                       guint                workers);
const char      *lab_experiment_panel_get_workers_hint (LabExperimentPanel *self);
void             lab_experiment_panel_set_runtime     (LabExperimentPanel  *self,
                                                       LabRuntime           runtime,
                                                       gboolean             active);
GtkWidget       *lab_experiment_panel_get_runtime_button (LabExperimentPanel *self,
                                                       LabRuntime           runtime);
gboolean         lab_experiment_panel_get_gil         (LabExperimentPanel  *self);
void             lab_experiment_panel_set_gil         (LabExperimentPanel  *self,
                                                       gboolean             gil);
gboolean         lab_experiment_panel_get_sweep       (LabExperimentPanel  *self);
void             lab_experiment_panel_set_sweep       (LabExperimentPanel  *self,
                                                       gboolean             sweep);
guint            lab_experiment_panel_get_repeats     (LabExperimentPanel  *self);
void             lab_experiment_panel_set_repeats     (LabExperimentPanel  *self,
                                                       guint                repeats);
guint            lab_experiment_panel_get_jobs        (LabExperimentPanel  *self);
void             lab_experiment_panel_set_jobs        (LabExperimentPanel  *self,
                                                       guint                jobs);
guint64          lab_experiment_panel_get_size        (LabExperimentPanel  *self);
void             lab_experiment_panel_set_size        (LabExperimentPanel  *self,
                                                       guint64              size);
void             lab_experiment_panel_set_seconds     (LabExperimentPanel  *self,
                                                       const char          *seconds);
void             lab_experiment_panel_set_urls_file   (LabExperimentPanel  *self,
                                                       const char          *path);
void             lab_experiment_panel_set_images_dir  (LabExperimentPanel  *self,
                                                       const char          *path);
gboolean         lab_experiment_panel_param_is_visible (LabExperimentPanel *self,
                                                       const char          *param);
GtkWidget       *lab_experiment_panel_get_spin        (LabExperimentPanel  *self,
                                                       const char          *name);

G_END_DECLS
