/* lab-format.h — names and figures as the window shows them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lab-run.h"

G_BEGIN_DECLS

const char *lab_format_task_title     (const char  *task);
const char *lab_format_strategy_title (LabStrategy  strategy);
char       *lab_format_seconds        (gint64       ns);
gint64      lab_format_jobs_cpu_ns    (LabRun      *run);
char       *lab_format_run_title      (LabRun      *run);
char       *lab_format_verdict        (LabRun      *run);

G_END_DECLS
