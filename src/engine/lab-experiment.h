/* lab-experiment.h — what one press of Run, or one `run` command, means
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lab-analysis.h"
#include "lab-run.h"

G_BEGIN_DECLS

#define LAB_TYPE_EXPERIMENT (lab_experiment_get_type ())

G_DECLARE_FINAL_TYPE (LabExperiment, lab_experiment, LAB, EXPERIMENT, GObject)

LabExperiment *lab_experiment_new            (const LabTaskInfo   *task,
                                              GVariant            *params);
const LabTaskInfo *lab_experiment_get_task   (LabExperiment       *self);
GVariant      *lab_experiment_get_params     (LabExperiment       *self);
void           lab_experiment_add_strategy   (LabExperiment       *self,
                                              const LabStrategy   *strategy);
guint          lab_experiment_get_n_strategies (LabExperiment     *self);
const LabStrategy *lab_experiment_get_strategy (LabExperiment     *self,
                                              guint                i);
void           lab_experiment_set_workers    (LabExperiment       *self,
                                              const guint         *counts,
                                              guint                n_counts);
void           lab_experiment_set_sweep      (LabExperiment       *self);
gboolean       lab_experiment_is_sweep       (LabExperiment       *self);
void           lab_experiment_set_job_sizes  (LabExperiment       *self,
                                              const double        *job_s,
                                              guint                n_sizes);
GArray        *lab_experiment_get_job_sizes  (LabExperiment       *self);
void           lab_experiment_set_repeat     (LabExperiment       *self,
                                              guint                repeat,
                                              guint                warmup);
void           lab_experiment_add_runtime    (LabExperiment       *self,
                                              LabRuntime           runtime);
void           lab_experiment_clear_runtimes (LabExperiment       *self);
guint          lab_experiment_get_n_runtimes (LabExperiment       *self);
LabRuntime     lab_experiment_get_runtime    (LabExperiment       *self,
                                              guint                i);
void           lab_experiment_set_gil        (LabExperiment       *self,
                                              gboolean             gil);
void           lab_experiment_set_keep_jobs  (LabExperiment       *self,
                                              gboolean             keep_jobs);
void           lab_experiment_set_loop       (LabExperiment       *self,
                                              LabRun              *loop);
gboolean       lab_experiment_check          (LabExperiment       *self,
                                              GError             **error);

guint          lab_experiment_get_n_planned  (LabExperiment       *self);
LabRunConfig  *lab_experiment_dup_planned    (LabExperiment       *self,
                                              guint                i,
                                              gboolean            *warmup);

/**
 * LabExperimentDoneFunc:
 * @error: (transfer full) (nullable): why the experiment could not run
 */
typedef void (*LabExperimentDoneFunc) (LabExperiment *experiment,
                                       GError        *error,
                                       gpointer       user_data);

void           lab_experiment_start          (LabExperiment       *self,
                                              LabCancel           *cancel,
                                              LabExperimentDoneFunc done,
                                              gpointer             user_data);

/* The same for GIO, in the engine's other half (lab-async.c). */
void           lab_experiment_run_async      (LabExperiment       *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       lab_experiment_run_finish     (LabExperiment       *self,
                                              GAsyncResult        *result,
                                              GError             **error);

LabRun        *lab_experiment_get_current    (LabExperiment       *self);
guint          lab_experiment_get_n_started  (LabExperiment       *self);
guint          lab_experiment_get_n_runs     (LabExperiment       *self);
LabRun        *lab_experiment_get_run        (LabExperiment       *self,
                                              guint                i);
GListModel    *lab_experiment_get_runs       (LabExperiment       *self);
gboolean       lab_experiment_all_succeeded  (LabExperiment       *self);
LabAnalysis   *lab_experiment_dup_analysis   (LabExperiment       *self);

G_END_DECLS
