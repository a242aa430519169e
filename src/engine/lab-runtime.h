/* lab-runtime.h — what the jobs are written in: the C engine, or the seed's Python
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-task.h"

G_BEGIN_DECLS

/**
 * LabRuntime:
 * @LAB_RUNTIME_C: the engine's own code, in its threads and worker processes
 * @LAB_RUNTIME_PYTHON: the seed's Python code, run by CPython through the
 *   harness (data/python/concurrency_lab_harness.py) with exactly the
 *   construct the strategy names
 */
typedef enum {
  LAB_RUNTIME_C,
  LAB_RUNTIME_PYTHON,
} LabRuntime;

#define LAB_N_RUNTIMES 2

/**
 * LabRuntimeInfo:
 * @name: the name on the command line, in JSON, CSV and the history
 * @title: the name in the window and in run labels, translatable
 * @summary: one translatable line for --help and the window
 *
 * One entry per runtime in the engine's table (lab-runtime.c).
 */
typedef struct {
  LabRuntime  runtime;
  const char *name;
  const char *title;
  const char *summary;
} LabRuntimeInfo;

const LabRuntimeInfo *lab_runtime_get_info       (LabRuntime          runtime);
gboolean              lab_runtime_from_name      (const char         *name,
                                                  LabRuntime         *runtime);
const char           *lab_runtime_get_name       (LabRuntime          runtime);
const char           *lab_runtime_get_title      (LabRuntime          runtime);
const char           *lab_runtime_get_summary    (LabRuntime          runtime);
gboolean              lab_runtime_check          (LabRuntime          runtime,
                                                  const LabTaskInfo  *task,
                                                  GError            **error);
gboolean              lab_runtime_has_task       (LabRuntime          runtime,
                                                  const LabTaskInfo  *task);

char                 *lab_runtime_dup_python     (GError            **error);
char                 *lab_runtime_dup_harness    (void);
void                  lab_runtime_forget_probe   (void);

G_END_DECLS
