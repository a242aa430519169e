/* lab-lessons.h — the seed's experiments, ready to run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lab-analysis.h"
#include "lab-experiment.h"

G_BEGIN_DECLS

/**
 * LabLesson:
 * @id: the name on the command line (`run --lesson=ten-threads`)
 * @title: translatable
 * @setup: what it runs, in a few words, translatable
 * @text: what to expect, why, and what to look for in the charts
 * @task: the task's name
 * @seconds: sleep's seconds, or %NULL
 * @jobs: jobs, or 0 for the task's default
 * @strategies: the strategies it compares, a comma list, the loop first
 * @workers: workers, or 0 for each strategy's default
 * @gil: the "Python GIL" switch
 * @job_sizes: a job-size sweep ("sweep", or a list as `--size` takes
 *   it), or %NULL
 */
typedef struct {
  const char *id;
  const char *title;
  const char *setup;
  const char *text;
  const char *task;
  const char *seconds;
  guint       jobs;
  const char *strategies;
  guint       workers;
  gboolean    gil;
  const char *job_sizes;
} LabLesson;

const LabLesson * const *lab_lesson_list         (guint            *n_lessons);
const LabLesson         *lab_lesson_lookup       (const char       *id);
const char              *lab_lesson_get_title    (const LabLesson  *lesson);
const char              *lab_lesson_get_setup    (const LabLesson  *lesson);
const char              *lab_lesson_get_text     (const LabLesson  *lesson);
GVariant                *lab_lesson_dup_params   (const LabLesson  *lesson);
gboolean                 lab_lesson_is_available (const LabLesson  *lesson,
                                                  GError          **error);
LabExperiment           *lab_lesson_new_experiment (const LabLesson *lesson);
char                    *lab_lesson_describe_expected (const LabLesson *lesson);
char                    *lab_lesson_describe_outcome (const LabLesson *lesson,
                                                      LabAnalysis     *analysis);

G_END_DECLS
