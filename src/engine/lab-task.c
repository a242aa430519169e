/* lab-task.c — the task registry and parameter helpers
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

static GPtrArray *registry;
static GMutex registry_mutex;

/* Tasks that need a big library (libsoup, libvips) live in loadable
 * modules, so that a worker process that never runs them starts with GLib
 * alone. Each module exports lab_tasks_module_register(), which calls
 * lab_task_register() for its tasks. */
static const struct {
  const char *task;
  const char *module;
} module_tasks[] = {
  { "download", "lab-tasks-net" },
  { "blur",     "lab-tasks-vips" },
  { "pipeline", "lab-tasks-vips" },
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

/* Called with the registry unlocked: the module registers its tasks. */
static gboolean
load_module (const char  *name,
             GError     **error)
{
  static GHashTable *loaded;
  static GMutex load_mutex;
  g_autofree char *path = NULL;
  void (*register_func) (void) = NULL;
  GModule *module;
  gboolean ok = TRUE;

  g_mutex_lock (&load_mutex);
  if (loaded == NULL)
    loaded = g_hash_table_new (g_str_hash, g_str_equal);
  if (g_hash_table_contains (loaded, name))
    goto out;

  path = g_module_build_path (lab_task_get_module_dir (), name);
  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL || !g_module_symbol (module, "lab_tasks_module_register", (gpointer *) &register_func))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_UNKNOWN_TASK,
                   _("Could not load the task module %s: %s"), path, g_module_error ());
      ok = FALSE;
      goto out;
    }

  g_module_make_resident (module);
  g_hash_table_add (loaded, (gpointer) name);
  register_func ();

out:
  g_mutex_unlock (&load_mutex);
  return ok;
}

static const char *
module_for_task (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (module_tasks); i++)
    if (g_str_equal (module_tasks[i].task, name))
      return module_tasks[i].module;
  return NULL;
}

static void
ensure_builtins_locked (void)
{
  if (registry != NULL)
    return;

  registry = g_ptr_array_new ();
  g_ptr_array_add (registry, (gpointer) &_lab_task_sleep);
  g_ptr_array_add (registry, (gpointer) &_lab_task_primes);
}

/**
 * lab_task_register:
 * @klass: a task class that stays valid for the life of the process
 *
 * Adds a task; a task of the same name is replaced.
 */
void
lab_task_register (const LabTaskClass *klass)
{
  g_return_if_fail (klass != NULL && klass->name != NULL);

  g_mutex_lock (&registry_mutex);
  ensure_builtins_locked ();
  for (guint i = 0; i < registry->len; i++)
    {
      const LabTaskClass *other = g_ptr_array_index (registry, i);
      if (g_str_equal (other->name, klass->name))
        {
          g_ptr_array_index (registry, i) = (gpointer) klass;
          g_mutex_unlock (&registry_mutex);
          return;
        }
    }
  g_ptr_array_add (registry, (gpointer) klass);
  g_mutex_unlock (&registry_mutex);
}

static const LabTaskClass *
lookup_registered (const char *name)
{
  const LabTaskClass *found = NULL;

  g_mutex_lock (&registry_mutex);
  ensure_builtins_locked ();
  for (guint i = 0; name != NULL && i < registry->len; i++)
    {
      const LabTaskClass *klass = g_ptr_array_index (registry, i);
      if (g_str_equal (klass->name, name))
        found = klass;
    }
  g_mutex_unlock (&registry_mutex);

  return found;
}

const LabTaskClass *
lab_task_lookup (const char  *name,
                 GError     **error)
{
  const LabTaskClass *found = lookup_registered (name);
  const char *module;

  if (found == NULL && (module = module_for_task (name)) != NULL)
    {
      if (!load_module (module, error))
        return NULL;
      found = lookup_registered (name);
    }

  if (found == NULL)
    g_set_error (error, LAB_ERROR, LAB_ERROR_UNKNOWN_TASK,
                 _("Unknown task “%s” (see --help for the list)"),
                 name ? name : "");

  return found;
}

/**
 * lab_task_list:
 * @n_tasks: (out): how many
 *
 * Returns: (transfer container): the registered task classes, in order
 */
const LabTaskClass **
lab_task_list (guint *n_tasks)
{
  const LabTaskClass **list;

  /* Modules that are not built (yet) are simply not listed. */
  for (guint i = 0; i < G_N_ELEMENTS (module_tasks); i++)
    if (lookup_registered (module_tasks[i].task) == NULL)
      load_module (module_tasks[i].module, NULL);

  g_mutex_lock (&registry_mutex);
  ensure_builtins_locked ();
  list = g_new0 (const LabTaskClass *, registry->len + 1);
  for (guint i = 0; i < registry->len; i++)
    list[i] = g_ptr_array_index (registry, i);
  *n_tasks = registry->len;
  g_mutex_unlock (&registry_mutex);

  return list;
}

gboolean
lab_task_accepts (const LabTaskClass *klass,
                  const char         *param)
{
  return klass->params != NULL && g_strv_contains ((const char * const *) klass->params, param);
}

/* Refuses parameters the task does not read, so a misspelt or misplaced
 * option is reported instead of silently ignored. */
gboolean
lab_task_check_params (const LabTaskClass  *klass,
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
      if (!lab_task_accepts (klass, key))
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                       _("--%s does not apply to the %s task"), key, klass->name);
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
