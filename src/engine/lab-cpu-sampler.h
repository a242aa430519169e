/* lab-cpu-sampler.h — CPU use per core and per worker, sampled off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "lab-cpu-history.h"
#include "lab-run.h"

G_BEGIN_DECLS

#define LAB_TYPE_CPU_SAMPLER (lab_cpu_sampler_get_type ())

G_DECLARE_FINAL_TYPE (LabCpuSampler, lab_cpu_sampler, LAB, CPU_SAMPLER, GObject)

/*
 * Usage: lab_cpu_sampler_set_run (sampler, run) when a run starts (before
 * or after lab_run_start_async()): a new history begins and the
 * "lab-sampler" thread starts. When the run has ended, the sampler seals
 * the history and stops its thread by itself; the history stays
 * available (lab_cpu_sampler_get_history()) until the next set_run().
 * "updated" is emitted on the main context that called set_run()/start(),
 * at most LAB_CPU_SAMPLE_HZ times a second. "notify::history" says that a
 * new history began.
 *
 * lab_cpu_sampler_start()/stop() sample without a run (times relative to
 * the call to start()).
 */
LabCpuSampler *lab_cpu_sampler_new         (void);
void           lab_cpu_sampler_set_run     (LabCpuSampler *self,
                                            LabRun        *run);
LabRun        *lab_cpu_sampler_get_run     (LabCpuSampler *self);
void           lab_cpu_sampler_start       (LabCpuSampler *self);
void           lab_cpu_sampler_stop        (LabCpuSampler *self);
gboolean       lab_cpu_sampler_is_running  (LabCpuSampler *self);
LabCpuHistory *lab_cpu_sampler_get_history (LabCpuSampler *self);
guint          lab_cpu_sampler_get_n_cores (LabCpuSampler *self);

G_END_DECLS
