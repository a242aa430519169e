/* lab-task-pipeline.c — mixed I/O and CPU: download a photo, then blur it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The download half is the `download` task itself, reached through its
 * LabTaskClass: each worker (thread or process) gets its own download
 * plan writing into a private folder, so the one file there after a job
 * is that job's photo, whatever name the download gave it. Those folders
 * are in one folder of the run's, which the app makes and removes when
 * the run ends, however it ends: a worker process killed during a job
 * cannot remove its own (and thread pools may free worker state late).
 */
#define G_LOG_DOMAIN "lab-task-pipeline"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lab-blur.h"
#include "lab-clock.h"
#include "lab-error.h"
#include "lab-files.h"
#include "lab-tasks-vips.h"
#include "lab-url-list.h"

typedef struct {
  const LabTaskClass *download;
  gpointer            download_plan;  /* in the app: keeps the embedded server */
  GVariant           *download_params;/* what each worker's download plan gets */
  char               *output;
  char               *made;           /* what setup made for the output folder */
  char               *tmp;            /* the run's: downloads land in tmp/worker-XXXXXX */
  char               *made_tmp;       /* in the app: what it made for tmp's parent */
  gboolean            owns_tmp;       /* the app's plan, which removes tmp */
  GPtrArray          *dests;          /* the blurred photo of each job */
  guint               n_jobs;
} PipelinePlan;

typedef struct {
  PipelinePlan  *plan;
  gpointer       download_plan;
  gpointer       download_state;
  LabBlurWorker *blur;
  char          *dir;
  GError        *error;               /* the worker could not be set up */
} PipelineWorker;

static void
pipeline_plan_free (gpointer data)
{
  PipelinePlan *plan = data;

  if (plan->download_plan != NULL)
    plan->download->plan_free (plan->download_plan);
  if (plan->owns_tmp)
    {
      g_autofree char *parent = g_path_get_dirname (plan->tmp);

      lab_files_remove_tree (plan->tmp);
      lab_files_unmake_dir (parent, plan->made_tmp);
    }
  if (plan->output != NULL)
    lab_files_unmake_dir (plan->output, plan->made);
  g_clear_pointer (&plan->download_params, g_variant_unref);
  g_clear_pointer (&plan->dests, g_ptr_array_unref);
  g_free (plan->tmp);
  g_free (plan->made_tmp);
  g_free (plan->output);
  g_free (plan->made);
  g_free (plan);
}

/* In the app: a new folder for the run's downloads, under the user's
 * cache (not /tmp, where another user could take its name between two
 * jobs). In a worker process: the app's, from its parameters. */
static gboolean
setup_tmp (PipelinePlan  *plan,
           GVariant      *params,
           GError       **error)
{
  g_autofree char *parent = lab_files_dup_cache_path ("pipeline-downloads", NULL);

  if (!lab_params_dup_path (params, LAB_PARAM_SCRATCH, &plan->tmp, error) || plan->tmp != NULL)
    return plan->tmp != NULL;

  /* Another run may remove the parent it made between our two steps. */
  for (guint attempt = 0; attempt < 3 && plan->tmp == NULL; attempt++)
    {
      g_autofree char *dir = g_build_filename (parent, "run-XXXXXX", NULL);

      g_clear_pointer (&plan->made_tmp, g_free);
      if (lab_files_make_dir (parent, 0700, &plan->made_tmp) == 0 && g_mkdtemp (dir) != NULL)
        plan->tmp = g_steal_pointer (&dir);
      else if (errno != ENOENT)
        break;
    }
  if (plan->tmp == NULL)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (parent);
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED,
                   _("Could not make a temporary folder in %s: %s"), display, g_strerror (saved));
      return FALSE;
    }
  plan->owns_tmp = TRUE;
  return TRUE;
}

/* The user's parameters with --output replaced by @output: that one is
 * where the blurred photos go, not the downloads. */
static GVariant *
with_output (GVariant   *params,
             const char *output)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, params);
  g_variant_dict_insert_value (&dict, LAB_PARAM_OUTPUT, g_variant_new_bytestring (output));
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* A new folder for one worker's downloads, under the user's cache (not
 * /tmp, where another user could take its name between two jobs). */
static char *
make_worker_dir (PipelinePlan  *plan,
                 GError       **error)
{
  g_autofree char *dir = g_build_filename (plan->tmp, "worker-XXXXXX", NULL);

  if (g_mkdtemp (dir) == NULL)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (plan->tmp);

      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED,
                   _("Could not make a temporary folder in %s: %s"), display, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&dir);
}

/* Sets up the download task with its output in a new folder of ours,
 * which is empty again once its setup has checked it can write there. */
static gpointer
setup_download_into (PipelinePlan  *plan,
                     GVariant      *params,
                     LabCancel     *cancel,
                     char         **dir_out,
                     GError       **error)
{
  g_autofree char *dir = make_worker_dir (plan, error);
  g_autoptr(GVariant) download_params = NULL;
  gpointer download_plan;

  if (dir == NULL)
    return NULL;

  download_params = with_output (params, dir);
  download_plan = plan->download->setup (download_params, cancel, error);
  g_rmdir (dir);
  if (dir_out != NULL)
    *dir_out = g_steal_pointer (&dir);
  return download_plan;
}

static gboolean
setup_download (PipelinePlan  *plan,
                GVariant      *params,
                LabCancel     *cancel,
                GError       **error)
{
  if (!(plan->download = lab_task_lookup ("download", error)) ||
      !(plan->download_plan = setup_download_into (plan, params, cancel, NULL, error)))
    return FALSE;

  /* Workers set up their own download plans: with the URLs it decided
   * (the embedded server's, started once, here), not the user's words. */
  plan->download_params = plan->download->resolve_params
                          ? g_variant_ref_sink (plan->download->resolve_params (plan->download_plan))
                          : g_variant_ref (params);
  plan->n_jobs = plan->download->get_n_jobs (plan->download_plan);
  return TRUE;
}

/* OUTPUT/NAME.jpg for each job, NAME from its URL, unique in the run:
 * /a/photo.jpg, /b/photo.png and /c/photo give photo.jpg, photo-2.jpg
 * and photo-3.jpg. Made from the URLs alone, so that the app and every
 * worker process agree. */
static GPtrArray *
output_names (PipelinePlan *plan)
{
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree const char **urls = NULL;
  GPtrArray *dests = g_ptr_array_new_with_free_func (g_free);

  g_variant_lookup (plan->download_params, LAB_PARAM_URLS, "^a&s", &urls);
  for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
    {
      g_autofree char *base = lab_url_file_name (urls[i]);
      g_autofree char *name = NULL;
      char *dot = base ? strrchr (base, '.') : NULL;

      if (dot != NULL && dot != base)
        *dot = '\0';
      name = lab_files_unique_name (taken, base ? base : "download", ".jpg");
      g_ptr_array_add (dests, g_build_filename (plan->output, name, NULL));
    }
  return dests;
}

static gpointer
pipeline_setup (GVariant   *params,
                LabCancel  *cancel,
                GError    **error)
{
  PipelinePlan *plan = g_new0 (PipelinePlan, 1);
  g_autofree char *output = NULL;

  if (!lab_params_dup_path (params, LAB_PARAM_OUTPUT, &output, error))
    goto failed;
  if (output == NULL)
    output = lab_files_dup_cache_path ("pipeline", NULL);

  if (!lab_blur_init (error) || !lab_blur_ensure_dir (output, &plan->made, error))
    goto failed;
  plan->output = g_steal_pointer (&output);
  if (!setup_tmp (plan, params, error) || !setup_download (plan, params, cancel, error))
    goto failed;

  plan->dests = output_names (plan);
  g_assert (plan->dests->len == plan->n_jobs);
  return plan;

failed:
  pipeline_plan_free (plan);
  return NULL;
}

static guint
pipeline_get_n_jobs (gpointer data)
{
  return ((PipelinePlan *) data)->n_jobs;
}

/* For worker processes: the download's decisions, and our output. */
static GVariant *
pipeline_resolve_params (gpointer data)
{
  PipelinePlan *plan = data;
  g_autoptr(GVariant) params = with_output (plan->download_params, plan->output);
  GVariantDict dict;

  g_variant_dict_init (&dict, params);
  g_variant_dict_insert_value (&dict, LAB_PARAM_SCRATCH, g_variant_new_bytestring (plan->tmp));
  return g_variant_dict_end (&dict);
}

static void
pipeline_worker_free (gpointer data)
{
  PipelineWorker *worker = data;

  if (worker->download_state != NULL && worker->plan->download->worker_free != NULL)
    worker->plan->download->worker_free (worker->download_state);
  if (worker->download_plan != NULL)
    worker->plan->download->plan_free (worker->download_plan);
  lab_blur_worker_free (worker->blur);
  lab_files_remove_tree (worker->dir);
  g_free (worker->dir);
  g_clear_error (&worker->error);
  g_free (worker);
}

static gpointer
pipeline_worker_init (gpointer data)
{
  PipelinePlan *plan = data;
  PipelineWorker *worker = g_new0 (PipelineWorker, 1);

  worker->plan = plan;
  worker->blur = lab_blur_worker_new ();
  worker->download_plan = setup_download_into (plan, plan->download_params, NULL, &worker->dir, &worker->error);
  if (worker->download_plan != NULL && plan->download->worker_init != NULL)
    worker->download_state = plan->download->worker_init (worker->download_plan);

  return worker;
}

/* The photo the last download left in this worker's folder. */
static char *
take_download (PipelineWorker  *worker,
               GError         **error)
{
  g_autoptr(GDir) dir = g_dir_open (worker->dir, 0, error);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      return g_build_filename (worker->dir, name, NULL);

  if (dir != NULL)
    g_set_error_literal (error, LAB_ERROR, LAB_ERROR_FAILED, _("The download left no file"));
  return NULL;
}

static gboolean
pipeline_run_job (gpointer       data,
                  gpointer       worker_state,
                  guint          index,
                  LabJobResult  *result,
                  LabCancel     *cancel,
                  GError       **error)
{
  PipelinePlan *plan = data;
  PipelineWorker *worker = worker_state;
  g_autofree char *downloaded = NULL;
  guint64 written = 0;
  gboolean ok;

  if (worker->error != NULL)
    {
      g_propagate_error (error, g_error_copy (worker->error));
      return FALSE;
    }

  if (g_mkdir (worker->dir, 0700) != 0 && errno != EEXIST)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (plan->tmp);

      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED,
                   _("Could not make a temporary folder in %s: %s"), display, g_strerror (saved));
      return FALSE;
    }

  ok = plan->download->run_job (worker->download_plan, worker->download_state,
                                index, result, cancel, error) &&
       (downloaded = take_download (worker, error)) != NULL;

  /* result->bytes stays what the download moved: the I/O half. The
   * timeline draws the two phases of the job apart. */
  if (ok)
    result->phase_ns = lab_clock_now_ns ();
  if (ok)
    ok = lab_blur_file (worker->blur, downloaded, g_ptr_array_index (plan->dests, index), cancel, &written, error);
  lab_files_remove_tree (worker->dir);
  return ok;
}

G_MODULE_EXPORT const LabTaskClass lab_task_pipeline = {
  .setup = pipeline_setup,
  .plan_free = pipeline_plan_free,
  .get_n_jobs = pipeline_get_n_jobs,
  .worker_init = pipeline_worker_init,
  .worker_free = pipeline_worker_free,
  .run_job = pipeline_run_job,
  .resolve_params = pipeline_resolve_params,
};
