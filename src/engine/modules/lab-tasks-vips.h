/* lab-tasks-vips.h — the tasks of the lab-tasks-vips module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gmodule.h>

#include "lab-task.h"

G_BEGIN_DECLS

/* Exported: lab-task.c's table finds them by these names. */
G_MODULE_EXPORT extern const LabTaskClass lab_task_blur;
G_MODULE_EXPORT extern const LabTaskClass lab_task_pipeline;

G_END_DECLS
