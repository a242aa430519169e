/* lab-timeline.h — a Gantt chart of a run: one lane per worker, one bar per job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-run.h"

G_BEGIN_DECLS

#define LAB_TYPE_TIMELINE (lab_timeline_get_type ())

G_DECLARE_FINAL_TYPE (LabTimeline, lab_timeline, LAB, TIMELINE, GtkWidget)

/* Redraws by itself on LabRun::progress. Property "run". */
GtkWidget *lab_timeline_new         (void);
void       lab_timeline_set_run     (LabTimeline *self,
                                     LabRun      *run);
LabRun    *lab_timeline_get_run     (LabTimeline *self);

/* For tests: lanes (distinct workers) and bars (started jobs) as of the
 * last progress signal, and the tooltip text at a job. */
guint      lab_timeline_get_n_lanes (LabTimeline *self);
guint      lab_timeline_get_n_bars  (LabTimeline *self);
char      *lab_timeline_describe_job (LabTimeline *self,
                                      guint        index);

G_END_DECLS
