/* lab-tasks-vips.h — the tasks of the lab-tasks-vips module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gmodule.h>

#include "lab-task.h"

G_BEGIN_DECLS

extern const LabTaskClass _lab_task_blur;
extern const LabTaskClass _lab_task_pipeline;

/* Exported: lab-task.c looks it up when "blur" or "pipeline" is asked for. */
G_MODULE_EXPORT void lab_tasks_module_register (void);

G_END_DECLS
