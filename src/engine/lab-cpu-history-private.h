/* lab-cpu-history-private.h — what the sampler may do to a history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lab-cpu-history.h"
#include "lab-run.h"

G_BEGIN_DECLS

/* @time_ns is CLOCK_MONOTONIC; @run names the workers (NULL: by id). */
void _lab_cpu_history_append_at  (LabCpuHistory *self,
                                  LabRun        *run,
                                  gint64         time_ns,
                                  const double  *cores,
                                  double         app_usage,
                                  const gint64  *worker_ids,
                                  const double  *worker_usage,
                                  guint          n_workers);
void _lab_cpu_history_seal       (LabCpuHistory *self);
void _lab_cpu_history_set_origin (LabCpuHistory *self,
                                  gint64         origin_ns);

G_END_DECLS
