/* lab-task.h — what a job does, in the app's threads or in a worker process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-cancel.h"
#include "lab-types.h"

G_BEGIN_DECLS

typedef struct _LabTaskClass LabTaskClass;

/**
 * LabTaskInfo:
 * @name: the name on the command line and in the settings ("sleep")
 * @title: the name in the window, translatable ("Sleep")
 * @summary: one translatable line for --help and the window
 * @python: what one job is in the seed's Python
 * @kind: waits, I/O, CPU or mixed
 * @default_jobs: jobs when the user says nothing (0: one per input file)
 * @holds_gil: its computing is interpreted code in CPython, so the
 *   "Python GIL" switch makes threads take turns on it (libvips releases
 *   the lock, as Pillow does: blur does not hold it)
 * @params: the parameter keys (of the a{sv} dictionary) the task accepts
 * @module: the loadable module that has the task, or %NULL when built in
 * @symbol: the LabTaskClass the module exports under this name
 * @builtin: a built-in task's class
 * @phases: for a job of two phases, their translatable names, in order
 *   ({ "download", "blur" }); %NULL for one
 *
 * One entry per task in the engine's table (lab-task.c): everything the
 * command line, the window, the settings and the tests know of a task.
 */
typedef struct {
  const char          *name;
  const char          *title;
  const char          *summary;
  const char          *python;
  LabTaskKind          kind;
  guint                default_jobs;
  gboolean             holds_gil;
  const char * const  *params;
  const char          *module;
  const char          *symbol;
  const LabTaskClass  *builtin;
  const char * const  *phases;
} LabTaskInfo;

/* How a job started with start_job() ends: @error is NULL when it
 * succeeded; the callee takes it. */
typedef void (*LabJobDoneFunc) (GError   *error,
                                gpointer  user_data);

/**
 * LabTaskClass:
 * @setup: parses and checks @params; returns the plan every job reads.
 *   Runs once per process (in the app, and in each worker process); it
 *   must return promptly with %LAB_ERROR_CANCELLED once @cancel is
 *   cancelled, and leave nothing behind when it fails.
 * @plan_free: frees the plan, and removes what setup made that no job
 *   filled (an output folder it made, left empty) and the temporary
 *   folders of the task's own (see lab-files.h); in a worker process the
 *   plan made none of them, so it removes nothing
 * @get_n_jobs: how many jobs the plan holds
 * @worker_init: (optional): per-worker state, e.g. one HTTP session per thread
 * @worker_free: (optional): frees it, on the thread that made it
 * @run_job: runs job @index; fills @result's value, bytes and status; returns
 *   %FALSE with @error set when the job failed. Must be thread-safe with
 *   respect to the plan and return promptly once @cancel is cancelled;
 *   a computing loop calls lab_cancel_checkpoint() every millisecond or so.
 * @resolve_params: (optional): in the app, after @setup: the parameters
 *   worker processes get instead of the user's, with everything @setup
 *   decided made explicit (e.g. the embedded server's URLs, the output
 *   folder it created), so a worker repeats none of it
 * @start_job: (optional): starts job @index on @context and returns at
 *   once; calls @done exactly once, on @context, when the job ends. For
 *   the async strategy (one thread, one event loop); I/O tasks only.
 *
 * Names, titles and what applies to the task are in its LabTaskInfo.
 */
struct _LabTaskClass
{
  gpointer (*setup)       (GVariant      *params,
                           LabCancel     *cancel,
                           GError       **error);
  void     (*plan_free)   (gpointer       plan);
  guint    (*get_n_jobs)  (gpointer       plan);
  gpointer (*worker_init) (gpointer       plan);
  void     (*worker_free) (gpointer       worker_state);
  gboolean (*run_job)     (gpointer       plan,
                           gpointer       worker_state,
                           guint          index,
                           LabJobResult  *result,
                           LabCancel     *cancel,
                           GError       **error);
  GVariant *(*resolve_params) (gpointer    plan);
  void     (*start_job)   (gpointer       plan,
                           gpointer       worker_state,
                           guint          index,
                           LabJobResult  *result,
                           LabCancel     *cancel,
                           GMainContext  *context,
                           LabJobDoneFunc done,
                           gpointer       user_data);
};

/* Parameter keys shared by tasks and front ends. */
#define LAB_PARAM_JOBS      "jobs"       /* u */
#define LAB_PARAM_SECONDS   "seconds"    /* ad */
#define LAB_PARAM_SIZE      "size"       /* t */

/* primes: the numbers a job checks when --size is not given (about 0.15 s). */
#define LAB_PRIMES_DEFAULT_SIZE G_GUINT64_CONSTANT (90000)

/* sleep: the seconds a job sleeps when --seconds is not given. */
#define LAB_SLEEP_DEFAULT_SECONDS 1.0
#define LAB_PARAM_URLS      "urls"       /* as */
#define LAB_PARAM_URLS_FILE "urls-file"  /* ay: a path, bytes (g_variant_new_bytestring) */
#define LAB_PARAM_OUTPUT    "output"     /* ay: a path */
#define LAB_PARAM_TIMEOUT   "timeout"    /* d */
#define LAB_PARAM_MAX_BYTES "max-bytes"  /* t */
#define LAB_PARAM_IMAGES    "images"     /* ay: a path */

/* What a task's setup in the app tells its setup in worker processes
 * (see resolve_params); no task lists them, so users cannot give them. */
#define LAB_PARAM_URL_ERRORS "url-errors" /* a{us}: job → why its URL line fails */
#define LAB_PARAM_SCRATCH    "scratch"    /* ay: the run's folder for temporary files */
#define LAB_PARAM_NAMES      "names"      /* as: job → its file's name in the output folder (the Python runtime's) */

const LabTaskInfo         *lab_task_info_lookup      (const char         *name);
const LabTaskInfo * const *lab_task_info_list        (guint              *n_tasks);
const char                *lab_task_info_get_title   (const LabTaskInfo  *info);
const char                *lab_task_info_get_phase   (const LabTaskInfo  *info,
                                                      guint               i);
const char                *lab_task_info_get_summary (const LabTaskInfo  *info);
gboolean                   lab_task_info_accepts     (const LabTaskInfo  *info,
                                                      const char         *param);
gboolean                   lab_task_info_is_available (const LabTaskInfo *info,
                                                       GError           **error);
const LabTaskClass        *lab_task_info_get_class   (const LabTaskInfo  *info,
                                                      GError            **error);

const char          *lab_task_get_module_dir (void);
const LabTaskClass  *lab_task_lookup       (const char         *name,
                                            GError            **error);
gboolean             lab_task_check_params (const LabTaskInfo  *info,
                                            GVariant           *params,
                                            GError            **error);

/* Helpers for tasks reading their parameters. */
gboolean lab_params_get_uint   (GVariant    *params,
                                const char  *key,
                                guint        fallback,
                                guint        min,
                                guint        max,
                                guint       *out,
                                GError     **error);
gboolean lab_params_get_uint64 (GVariant    *params,
                                const char  *key,
                                guint64      fallback,
                                guint64      min,
                                guint64      max,
                                guint64     *out,
                                GError     **error);
gboolean lab_params_dup_path   (GVariant    *params,
                                const char  *key,
                                char       **out,
                                GError     **error);

G_END_DECLS
