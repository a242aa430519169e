/* lab-task-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lab-task.h"

G_BEGIN_DECLS

extern const LabTaskClass _lab_task_sleep;
extern const LabTaskClass _lab_task_primes;

G_END_DECLS
