/* lab-extras.c — finds the engine's other half when a command needs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-extras"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gmodule.h>

#include "lab-error.h"
#include "lab-extras-private.h"
#include "lab-paths-private.h"

static const LabEngineExtras *registered;
static GModule *module;

static char *
describe_failure (const char *reason)
{
  return g_strdup_printf (_("Could not load the lab-extras module, which keeps the history, "
                            "writes JSON and measures the machine: %s"), reason);
}

/* Called from the other half's constructor: as the tests start (it is
 * linked into them), or as the module is loaded. */
void
_lab_engine_extras_register (const LabEngineExtras *extras)
{
  registered = extras;
}

/**
 * _lab_engine_extras:
 *
 * The engine's other half, loaded the first time it is needed. It is
 * loaded with its symbols global, so that the window's module, loaded
 * after it, finds them. Thread-safe.
 *
 * Returns: (transfer none): the table, or %NULL with @error when the
 *   module cannot be loaded (a broken installation)
 */
const LabEngineExtras *
_lab_engine_extras (GError **error)
{
  static GMutex lock;
  static char *failure;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  if (registered == NULL && failure == NULL)
    {
      g_autofree char *dir = _lab_locate ("LAB_EXTRAS_MODULE_DIR", LAB_BUILD_DIR, LAB_MODULE_DIR);
      g_autofree char *path = g_module_build_path (dir, "lab-extras");
      module = g_module_open (path, G_MODULE_BIND_LAZY);
      if (module != NULL)
        g_module_make_resident (module);
      if (registered == NULL)
        {
          /* g_module_error() may quote the path: keep the message valid UTF-8. */
          g_autofree char *reason = g_utf8_make_valid (module ? path : g_module_error (), -1);

          failure = describe_failure (reason);
        }
    }
  if (registered == NULL)
    g_set_error_literal (error, LAB_ERROR, LAB_ERROR_FAILED, failure);
  return registered;
}

/**
 * _lab_engine_extras_symbol:
 *
 * A symbol of the lab-extras module (the command line's own parts of it),
 * loading it when needed.
 *
 * Returns: the symbol's address, or %NULL with @error
 */
gpointer
_lab_engine_extras_symbol (const char  *name,
                           GError     **error)
{
  gpointer symbol = NULL;

  if (_lab_engine_extras (error) == NULL)
    return NULL;
  if (module == NULL || !g_module_symbol (module, name, &symbol) || symbol == NULL)
    {
      g_autofree char *message = describe_failure (name);

      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_FAILED, message);
      return NULL;
    }
  return symbol;
}
