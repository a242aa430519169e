/* lab-timeline.h — a Gantt chart of a run: one lane per worker, one bar per job
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "lab-breakdown-chart.h"
#include "lab-cpu-history.h"
#include "lab-run.h"

G_BEGIN_DECLS

#define LAB_TYPE_TIMELINE (lab_timeline_get_type ())

G_DECLARE_FINAL_TYPE (LabTimeline, lab_timeline, LAB, TIMELINE, GtkWidget)

/* Redraws by itself on LabRun::progress. Properties "run" and
 * "hover-time" (seconds into the run under the pointer, or -1), which
 * the window shares with the CPU chart. */
GtkWidget *lab_timeline_new            (void);
void       lab_timeline_set_run        (LabTimeline *self,
                                        LabRun      *run);
LabRun    *lab_timeline_get_run        (LabTimeline *self);
void       lab_timeline_set_hover_time (LabTimeline *self,
                                        double       seconds);
double     lab_timeline_get_hover_time (LabTimeline *self);
void       lab_timeline_set_history    (LabTimeline   *self,
                                        LabCpuHistory *history);

/* For tests: lanes, bars (started jobs) and start-up or hand-over
 * segments as of the last progress signal, and the tooltip at a job. */
guint      lab_timeline_get_n_lanes    (LabTimeline *self);
guint      lab_timeline_get_n_bars     (LabTimeline *self);
guint      lab_timeline_get_n_phased   (LabTimeline *self);
guint      lab_timeline_get_n_segments (LabTimeline *self,
                                        LabPart      part);
const char *lab_timeline_get_lane_label (LabTimeline *self,
                                         guint        lane);
char      *lab_timeline_describe_job   (LabTimeline *self,
                                        guint        index);

G_END_DECLS
