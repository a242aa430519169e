/* lab-task.h — what a job does, in the app's threads or in a worker process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-cancel.h"
#include "lab-types.h"

G_BEGIN_DECLS

/**
 * LabTaskClass:
 * @name: the name on the command line ("sleep")
 * @kind: waits, I/O, CPU or mixed
 * @summary: one translatable line for --help and the GUI
 * @params: the parameter keys (of the a{sv} dictionary) the task accepts
 * @setup: parses and checks @params; returns the plan every job reads. Runs
 *   once per process (in the app, and in each worker process).
 * @plan_free: frees the plan
 * @get_n_jobs: how many jobs the plan holds
 * @worker_init: (optional): per-worker state, e.g. one HTTP session per thread
 * @worker_free: (optional): frees it, on the thread that made it
 * @run_job: runs job @index; fills @result's value, bytes and status; returns
 *   %FALSE with @error set when the job failed. Must be thread-safe with
 *   respect to the plan and return promptly once @cancel is cancelled.
 * @resolve_params: (optional): in the app, after @setup: the parameters
 *   worker processes get instead of the user's, with everything @setup
 *   decided made explicit (e.g. the embedded server's URLs, the output
 *   folder it created), so a worker repeats none of it
 * @start_job: (optional): starts job @index on @context and returns at
 *   once; calls @done exactly once, on @context, when the job ends. For
 *   the async strategy (one thread, one event loop); I/O tasks only.
 *
 * The engine has the built-in tasks; others may be registered from a
 * loadable module so that the worker process starts with GLib alone.
 */
typedef struct _LabTaskClass LabTaskClass;

/* How a job started with start_job() ends: @error is NULL when it
 * succeeded; the callee takes it. */
typedef void (*LabJobDoneFunc) (GError   *error,
                                gpointer  user_data);

struct _LabTaskClass
{
  const char         *name;
  LabTaskKind         kind;
  const char         *summary;
  const char * const *params;

  gpointer (*setup)       (GVariant      *params,
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
#define LAB_PARAM_URLS      "urls"       /* as */
#define LAB_PARAM_URLS_FILE "urls-file"  /* s */
#define LAB_PARAM_OUTPUT    "output"     /* s */
#define LAB_PARAM_TIMEOUT   "timeout"    /* d */
#define LAB_PARAM_MAX_BYTES "max-bytes"  /* t */
#define LAB_PARAM_IMAGES    "images"     /* s */

const char          *lab_task_get_module_dir (void);
void                 lab_task_register     (const LabTaskClass *klass);
const LabTaskClass  *lab_task_lookup       (const char         *name,
                                            GError            **error);
const LabTaskClass **lab_task_list         (guint              *n_tasks);
gboolean             lab_task_accepts      (const LabTaskClass *klass,
                                            const char         *param);
gboolean             lab_task_check_params (const LabTaskClass *klass,
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

G_END_DECLS
