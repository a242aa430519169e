/* lab-breakdown.h — where a run's time went
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lab-run.h"

G_BEGIN_DECLS

/* A worker record on this lane serves every lane: a fork server, the
 * event loop's thread. */
#define LAB_LANE_ALL G_MAXUINT16

void lab_breakdown_compute (LabRun       *run,
                            LabBreakdown *breakdown);

G_END_DECLS
