/* lab-run-private.h — what the runner and the analysis tell a run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run's records belong to the context that owns the run: the one that
 * called lab_run_start_async() (or lab_run_execute()). The run's threads
 * never write them: they post copies here, under the run's lock, and the
 * owner takes them in on its own thread (at most ~30 times a second,
 * before LabRun::progress, and once more at the end).
 */
#pragma once

#include "lab-cancel.h"
#include "lab-run.h"

G_BEGIN_DECLS

LabCancel *_lab_run_get_cancel      (LabRun                 *self);
void       _lab_run_post_prepared   (LabRun                 *self,
                                     guint                   n_jobs,
                                     guint                   workers,
                                     GVariant               *resolved_params);
void       _lab_run_post_started    (LabRun                 *self,
                                     gint64                  t0_ns);
void       _lab_run_post_job        (LabRun                 *self,
                                     guint                   index,
                                     LabJobRecord           *record);
void       _lab_run_post_worker     (LabRun                 *self,
                                     guint                   index,
                                     const LabWorkerRecord  *record);
void       _lab_run_post_ended      (LabRun                 *self,
                                     LabRunState             state,
                                     const LabRunSummary    *figures,
                                     const char             *error);

G_END_DECLS
