/* lab-task-blur.c — CPU-bound: blur and thumbnail a folder of photos
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-task-blur"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lab-blur.h"
#include "lab-error.h"
#include "lab-files.h"
#include "lab-tasks-vips.h"

typedef struct {
  char      *images;    /* the folder */
  char      *output;
  char      *made;      /* what setup made for the output folder */
  GPtrArray *sources;   /* full paths, sorted by name */
  GPtrArray *dests;     /* one per source */
  guint      n_jobs;
} BlurPlan;

static void
blur_plan_free (gpointer data)
{
  BlurPlan *plan = data;

  /* The output folder goes if setup made it and no job filled it. */
  if (plan->output != NULL)
    lab_files_unmake_dir (plan->output, plan->made);
  g_free (plan->images);
  g_free (plan->output);
  g_free (plan->made);
  g_clear_pointer (&plan->sources, g_ptr_array_unref);
  g_clear_pointer (&plan->dests, g_ptr_array_unref);
  g_free (plan);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* g_dir_open() with errno set when it fails: GLib's message would name
 * a folder whose name is not UTF-8 “(null)”. */
static GDir *
open_dir (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    return NULL;
  close (fd);
  return g_dir_open (dir, 0, NULL);
}

/* The images of @dir, sorted so that a worker process that scans the
 * folder again gives job i the same file. */
static GPtrArray *
list_images (const char  *dir,
             GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) gdir = NULL;
  g_autofree char *display = g_filename_display_name (dir);
  const char *name;

  if ((gdir = open_dir (dir)) == NULL)
    {
      int saved = errno;
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("Cannot read the image folder %s: %s"), display, g_strerror (saved));
      return NULL;
    }

  while ((name = g_dir_read_name (gdir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (lab_blur_is_image_name (name) && g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_steal_pointer (&path));
    }

  if (names->len == 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("No JPEG, PNG, WebP or TIFF files in %s"), display);
      return NULL;
    }

  g_ptr_array_sort (names, compare_paths);
  return g_steal_pointer (&names);
}

/* photo.png → OUTPUT/photo.jpg; another “photo” (photo.jpg, photo.tif)
 * becomes photo-2.jpg, then photo-3.jpg: unlike any other name of the run
 * (a photo-2.jpg of the folder's own included). */
static GPtrArray *
output_names (GPtrArray  *sources,
              const char *output)
{
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *dests = g_ptr_array_new_full (sources->len, g_free);

  for (guint i = 0; i < sources->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (sources, i));
      g_autofree char *name = NULL;
      char *dot = strrchr (base, '.');

      if (dot != NULL && dot != base)
        *dot = '\0';
      name = lab_files_unique_name (taken, base, ".jpg");
      g_ptr_array_add (dests, g_build_filename (output, name, NULL));
    }

  return dests;
}

static gboolean
read_folders (GVariant   *params,
              BlurPlan   *plan,
              LabCancel  *cancel,
              GError    **error)
{
  g_autofree char *output = NULL;

  if (!lab_params_dup_path (params, LAB_PARAM_IMAGES, &plan->images, error) ||
      !lab_params_dup_path (params, LAB_PARAM_OUTPUT, &output, error))
    return FALSE;

  if (plan->images == NULL && !(plan->images = lab_blur_default_images (cancel, error)))
    return FALSE;
  if (output == NULL)
    output = lab_blur_default_output ();

  if (!lab_blur_ensure_dir (output, &plan->made, error))
    return FALSE;
  plan->output = g_steal_pointer (&output);
  return TRUE;
}

static gpointer
blur_setup (GVariant   *params,
            LabCancel  *cancel,
            GError    **error)
{
  BlurPlan *plan = g_new0 (BlurPlan, 1);

  if (!lab_blur_init (error) ||
      !read_folders (params, plan, cancel, error) ||
      !(plan->sources = list_images (plan->images, error)) ||
      /* One job per image; --jobs=N cycles through them. */
      !lab_params_get_uint (params, LAB_PARAM_JOBS, plan->sources->len, 1, LAB_MAX_JOBS,
                            &plan->n_jobs, error))
    {
      blur_plan_free (plan);
      return NULL;
    }

  plan->dests = output_names (plan->sources, plan->output);
  return plan;
}

static guint
blur_get_n_jobs (gpointer data)
{
  return ((BlurPlan *) data)->n_jobs;
}

/* For worker processes: the folders decided here, so a worker neither
 * picks another default nor makes the sample photos again. */
static GVariant *
blur_resolve_params (gpointer data)
{
  BlurPlan *plan = data;
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, LAB_PARAM_IMAGES, g_variant_new_bytestring (plan->images));
  g_variant_dict_insert_value (&dict, LAB_PARAM_OUTPUT, g_variant_new_bytestring (plan->output));
  g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", plan->n_jobs);
  return g_variant_dict_end (&dict);
}

static gpointer
blur_worker_init (gpointer data)
{
  return lab_blur_worker_new ();
}

static void
blur_worker_free (gpointer state)
{
  lab_blur_worker_free (state);
}

static gboolean
blur_run_job (gpointer       data,
              gpointer       worker_state,
              guint          index,
              LabJobResult  *result,
              LabCancel     *cancel,
              GError       **error)
{
  BlurPlan *plan = data;
  guint i = index % plan->sources->len;

  return lab_blur_file (worker_state,
                        g_ptr_array_index (plan->sources, i),
                        g_ptr_array_index (plan->dests, i),
                        cancel, &result->bytes, error);
}

G_MODULE_EXPORT const LabTaskClass lab_task_blur = {
  .setup = blur_setup,
  .plan_free = blur_plan_free,
  .get_n_jobs = blur_get_n_jobs,
  .worker_init = blur_worker_init,
  .worker_free = blur_worker_free,
  .run_job = blur_run_job,
  .resolve_params = blur_resolve_params,
};
