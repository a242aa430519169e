/* lab-task.c — the table of tasks, their modules, parameter helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-task"

#include "config.h"

#include <inttypes.h>
#include <gmodule.h>
#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-paths-private.h"
#include "lab-task-private.h"
#include "lab-task.h"

/* The tasks, in the order the window and --help list them. Tasks that
 * need a big library (libsoup, libvips) live in loadable modules, so that
 * a worker process that never runs them starts with GLib alone; the
 * module exports the task's LabTaskClass under @symbol.
 *
 * Adding a task: its file (here, or in a module) and one entry below. */
static const char * const sleep_params[] = { LAB_PARAM_JOBS, LAB_PARAM_SECONDS, NULL };
static const char * const primes_params[] = { LAB_PARAM_JOBS, LAB_PARAM_SIZE, NULL };
static const char * const download_params[] = {
  LAB_PARAM_JOBS, LAB_PARAM_URLS, LAB_PARAM_URLS_FILE, LAB_PARAM_OUTPUT,
  LAB_PARAM_TIMEOUT, LAB_PARAM_MAX_BYTES, NULL
};
/* Translators: the two phases of a job of the "Download and Blur" task */
static const char * const pipeline_phases[] = { N_("download"), N_("blur"), NULL };
static const char * const blur_params[] = { LAB_PARAM_IMAGES, LAB_PARAM_OUTPUT, LAB_PARAM_JOBS, NULL };

static const LabTaskInfo tasks[] = {
  {
    .name = "sleep", .title = N_("Sleep"),
    .summary = N_("Each job sleeps for some seconds, like the seed’s do_something()"),
    .python = "time.sleep(seconds)",
    .kind = LAB_TASK_KIND_WAIT, .default_jobs = 5,
    .params = sleep_params, .builtin = &_lab_task_sleep,
  },
  {
    .name = "primes", .title = N_("Count Primes"),
    .summary = N_("Each job counts primes in a range by trial division (pure CPU)"),
    .python = "sum(is_prime(n) for n in range(first, first + size))",
    .kind = LAB_TASK_KIND_CPU, .default_jobs = 8, .holds_gil = TRUE,
    .params = primes_params, .builtin = &_lab_task_primes,
  },
  {
    .name = "download", .title = N_("Download"),
    .summary = N_("Each job downloads one photo over HTTP (the embedded server by default, or a URL list)"),
    .python = "requests.get(url).content",
    .kind = LAB_TASK_KIND_IO, .default_jobs = 15,
    .params = download_params, .module = "lab-tasks-net", .symbol = "lab_task_download",
  },
  {
    .name = "blur", .title = N_("Blur"),
    .summary = N_("Each job blurs a photo and makes its 1200×1200 thumbnail with libvips (CPU)"),
    .python = "img.filter(ImageFilter.GaussianBlur(15)).thumbnail((1200, 1200))",
    .kind = LAB_TASK_KIND_CPU, .default_jobs = 0,
    .params = blur_params, .module = "lab-tasks-vips", .symbol = "lab_task_blur",
  },
  {
    .name = "pipeline", .title = N_("Download and Blur"),
    .summary = N_("Each job downloads a photo, then blurs it (I/O, then CPU)"),
    .python = "blur(download(url))",
    .kind = LAB_TASK_KIND_MIXED, .default_jobs = 15,
    .params = download_params, .module = "lab-tasks-vips", .symbol = "lab_task_pipeline",
    .phases = pipeline_phases,
  },
};

/**
 * lab_task_get_module_dir:
 *
 * $LAB_MODULE_DIR when set (tests), the build tree's module folder when
 * the program runs from the build tree, else the installed one.
 */
const char *
lab_task_get_module_dir (void)
{
  static char *dir;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      dir = _lab_locate ("LAB_MODULE_DIR", LAB_BUILD_DIR "/engine/modules", LAB_MODULE_DIR);
      g_once_init_leave (&initialized, 1);
    }

  return dir;
}

const LabTaskInfo *
lab_task_info_lookup (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (tasks); i++)
    if (g_str_equal (tasks[i].name, name))
      return &tasks[i];
  return NULL;
}

/**
 * lab_task_info_list:
 * @n_tasks: (out) (optional): how many
 *
 * Returns: (transfer none): every task, whether its module is there or
 *   not (see lab_task_info_is_available()), %NULL-terminated
 */
const LabTaskInfo * const *
lab_task_info_list (guint *n_tasks)
{
  static const LabTaskInfo *list[G_N_ELEMENTS (tasks) + 1];
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
        list[i] = &tasks[i];
      g_once_init_leave (&initialized, 1);
    }
  if (n_tasks != NULL)
    *n_tasks = G_N_ELEMENTS (tasks);
  return list;
}

/* The translated name of phase @i (0 or 1) of a job of two phases, or %NULL. */
const char *
lab_task_info_get_phase (const LabTaskInfo *info,
                         guint              i)
{
  g_return_val_if_fail (info != NULL, NULL);
  return info->phases != NULL && i < 2 ? _(info->phases[i]) : NULL;
}

const char *
lab_task_info_get_title (const LabTaskInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);
  return _(info->title);
}

const char *
lab_task_info_get_summary (const LabTaskInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);
  return _(info->summary);
}

/* A module found, opened and checked once per process; the answer is
 * kept (a missing module stays missing). */
typedef struct {
  GModule *module;
  char    *error;
} ModuleSlot;

static GModule *
open_module (const char  *name,
             GError     **error)
{
  static GHashTable *modules;   /* name → ModuleSlot */
  static GMutex mutex;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&mutex);
  ModuleSlot *slot;

  if (modules == NULL)
    modules = g_hash_table_new (g_str_hash, g_str_equal);
  if (!(slot = g_hash_table_lookup (modules, name)))
    {
      g_autofree char *path = g_module_build_path (lab_task_get_module_dir (), name);

      slot = g_new0 (ModuleSlot, 1);
      if ((slot->module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL)))
        g_module_make_resident (slot->module);
      else
        slot->error = g_strdup_printf (_("Could not load the task module %s: %s"), path, g_module_error ());
      g_hash_table_insert (modules, (gpointer) name, slot);
    }

  if (slot->module == NULL)
    g_set_error_literal (error, LAB_ERROR, LAB_ERROR_UNKNOWN_TASK, slot->error);
  return slot->module;
}

/**
 * lab_task_info_get_class:
 *
 * The task's functions: built in, or loaded from its module on first use.
 *
 * Returns: (nullable): the class, or %NULL with @error when the module
 *   is missing or does not have the task
 */
const LabTaskClass *
lab_task_info_get_class (const LabTaskInfo  *info,
                         GError            **error)
{
  GModule *module;
  gpointer klass = NULL;

  g_return_val_if_fail (info != NULL, NULL);

  if (info->builtin != NULL)
    return info->builtin;
  if (!(module = open_module (info->module, error)))
    return NULL;
  if (!g_module_symbol (module, info->symbol, &klass) || klass == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNKNOWN_TASK,
                   _("The task module %s has no %s task (symbol %s): is it from another version?"),
                   g_module_name (module), info->name, info->symbol);
      return NULL;
    }
  return klass;
}

gboolean
lab_task_info_is_available (const LabTaskInfo  *info,
                            GError            **error)
{
  return lab_task_info_get_class (info, error) != NULL;
}

const LabTaskClass *
lab_task_lookup (const char  *name,
                 GError     **error)
{
  const LabTaskInfo *info = lab_task_info_lookup (name);

  if (info == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNKNOWN_TASK,
                   _("Unknown task “%s” (see --help for the list)"), name ? name : "");
      return NULL;
    }
  return lab_task_info_get_class (info, error);
}

gboolean
lab_task_info_accepts (const LabTaskInfo *info,
                       const char        *param)
{
  return info->params != NULL && param != NULL && g_strv_contains (info->params, param);
}

/* Refuses parameters the task does not read, so a misspelt or misplaced
 * option is reported instead of silently ignored. */
gboolean
lab_task_check_params (const LabTaskInfo   *info,
                       GVariant            *params,
                       GError             **error)
{
  GVariantIter iter;
  const char *key;

  if (params == NULL)
    return TRUE;

  g_return_val_if_fail (g_variant_is_of_type (params, G_VARIANT_TYPE_VARDICT), FALSE);

  g_variant_iter_init (&iter, params);
  while (g_variant_iter_next (&iter, "{&sv}", &key, NULL))
    {
      if (!lab_task_info_accepts (info, key))
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("--%s does not apply to the %s task"), key, info->name);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
lookup_checked (GVariant            *params,
                const char          *key,
                const GVariantType  *type,
                GVariant           **out,
                GError             **error)
{
  *out = params ? g_variant_lookup_value (params, key, NULL) : NULL;

  if (*out != NULL && !g_variant_is_of_type (*out, type))
    {
      g_clear_pointer (out, g_variant_unref);
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--%s has the wrong type"), key);
      return FALSE;
    }

  return TRUE;
}

gboolean
lab_params_get_uint64 (GVariant    *params,
                       const char  *key,
                       guint64      fallback,
                       guint64      min,
                       guint64      max,
                       guint64     *out,
                       GError     **error)
{
  g_autoptr(GVariant) value = NULL;
  guint64 v;

  if (!lookup_checked (params, key, G_VARIANT_TYPE_UINT64, &value, error))
    return FALSE;

  v = value ? g_variant_get_uint64 (value) : fallback;
  if (v < min || v > max)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--%s must be between %" PRIu64 " and %" PRIu64),
                   key, min, max);
      return FALSE;
    }

  *out = v;
  return TRUE;
}

gboolean
lab_params_get_uint (GVariant    *params,
                     const char  *key,
                     guint        fallback,
                     guint        min,
                     guint        max,
                     guint       *out,
                     GError     **error)
{
  g_autoptr(GVariant) value = NULL;
  guint v;

  if (!lookup_checked (params, key, G_VARIANT_TYPE_UINT32, &value, error))
    return FALSE;

  v = value ? g_variant_get_uint32 (value) : fallback;
  if (v < min || v > max)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--%s must be between %u and %u"), key, min, max);
      return FALSE;
    }

  *out = v;
  return TRUE;
}

/**
 * lab_params_dup_path:
 * @out: (out) (transfer full) (nullable): the path, or %NULL when the
 *   parameters do not have @key
 *
 * Paths are bytestrings ("ay", g_variant_new_bytestring()), not strings:
 * a file name is bytes, and need not be valid UTF-8.
 *
 * Returns: %FALSE with @error when @key has another type or is empty
 */
gboolean
lab_params_dup_path (GVariant    *params,
                     const char  *key,
                     char       **out,
                     GError     **error)
{
  g_autoptr(GVariant) value = NULL;

  *out = NULL;
  if (!lookup_checked (params, key, G_VARIANT_TYPE_BYTESTRING, &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;

  /* g_variant_get_bytestring() gives "" for bytes without their NUL. */
  if (g_variant_get_bytestring (value)[0] == '\0')
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("--%s needs a value"), key);
      return FALSE;
    }
  *out = g_variant_dup_bytestring (value, NULL);
  return TRUE;
}
