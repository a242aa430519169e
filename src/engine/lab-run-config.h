/* lab-run-config.h — what to run: task, parameters, strategy, workers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "lab-runtime.h"
#include "lab-strategy.h"
#include "lab-task.h"
#include "lab-types.h"

G_BEGIN_DECLS

#define LAB_TYPE_RUN_CONFIG (lab_run_config_get_type ())

typedef struct {
  const LabTaskInfo *task;
  const LabStrategy *strategy;
  guint              workers;   /* 0: the strategy's default */
  GVariant          *params;    /* a{sv} of LAB_PARAM_* keys, never NULL */
  gboolean           gil;       /* threads take turns to compute, as in CPython */
  LabRuntime         runtime;   /* C, or the seed's Python in CPython */
} LabRunConfig;

GType         lab_run_config_get_type       (void) G_GNUC_CONST;
LabRunConfig *lab_run_config_new            (const LabTaskInfo   *task,
                                             const LabStrategy   *strategy,
                                             guint                workers,
                                             GVariant            *params);
LabRunConfig *lab_run_config_new_by_name    (const char          *task,
                                             const char          *strategy,
                                             guint                workers,
                                             GVariant            *params,
                                             GError             **error);
LabRunConfig *lab_run_config_copy           (const LabRunConfig  *config);
gboolean      lab_run_config_equal          (const LabRunConfig  *a,
                                             const LabRunConfig  *b);
gboolean      lab_run_config_same_work      (const LabRunConfig  *a,
                                             const LabRunConfig  *b);
GArray       *lab_run_config_sweep_workers  (void);
gboolean      lab_run_config_uses_gil       (const LabRunConfig  *config);
gboolean      lab_run_config_gil_ignored    (const LabRunConfig  *config);
gboolean      lab_run_config_is_loop_of     (const LabRunConfig  *loop,
                                             const LabRunConfig  *config);
void          lab_run_config_free           (LabRunConfig        *config);
gboolean      lab_run_config_check          (const LabRunConfig  *config,
                                             GError             **error);
char         *lab_run_config_dup_label      (const LabRunConfig  *config);
char         *lab_run_config_dup_title      (const LabRunConfig  *config);
char         *lab_run_config_dup_strategy_title (const LabRunConfig *config);
char         *lab_run_config_dup_work_label (const LabRunConfig  *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabRunConfig, lab_run_config_free)

G_END_DECLS
