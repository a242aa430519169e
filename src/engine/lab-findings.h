/* lab-findings.h — what a run's figures mean, in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lab-run.h"

G_BEGIN_DECLS

/* Thresholds, shared with the tests that pin them. */
#define LAB_FINDING_BUSY_SHARE      0.20  /* others' share of the CPU that makes figures unreliable */
#define LAB_FINDING_WAIT_SHARE      0.25  /* CPU per second of job time below which jobs waited */
#define LAB_FINDING_SCALED_SHARE    0.80  /* of the ideal speed-up that counts as scaled */
#define LAB_FINDING_OVERHEAD_SHARE  0.25  /* of the capacity spent starting and handing over */
#define LAB_FINDING_IDLE_SHARE      0.05  /* of the capacity idle at the end */
#define LAB_FINDING_TAIL_SHARE      0.10  /* of the wall time one straggler ran alone */

GArray *lab_findings_compute (LabRun *run,
                              LabRun *loop,
                              guint   usable_cores);

G_END_DECLS
