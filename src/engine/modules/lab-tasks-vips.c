/* lab-tasks-vips.c — the module that brings libvips: blur and pipeline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loaded with GModule on the first use of one of its tasks, so a worker
 * process pays for libvips (about a hundred libraries) only when it blurs.
 */
#define G_LOG_DOMAIN "lab-tasks-vips"

#include "config.h"

#include <gmodule.h>

#include "lab-tasks-vips.h"

void
lab_tasks_module_register (void)
{
  lab_task_register (&_lab_task_blur);
  lab_task_register (&_lab_task_pipeline);
}
