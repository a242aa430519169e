/* lab-fake-tasks-net.c — a lab-tasks-net module without the download task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * As a module of another version might be: the right file name, not the
 * symbol the table names. test-modules loads it through LAB_MODULE_DIR.
 */
#include <gmodule.h>

G_MODULE_EXPORT int lab_task_download_v0;

int lab_task_download_v0 = 1;
