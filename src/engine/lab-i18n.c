/* lab-i18n.c — where the translations are
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-i18n"

#include "config.h"

#include <locale.h>
#include <glib/gi18n-lib.h>

#include "lab-i18n.h"
#include "lab-paths-private.h"

/**
 * lab_i18n_get_locale_dir:
 *
 * $LAB_LOCALEDIR when set, the build tree's compiled catalogues (po/) when
 * the program runs from the build tree, so that a language can be tried
 * before installing; else the installed locale folder.
 */
const char *
lab_i18n_get_locale_dir (void)
{
  static char *dir;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      dir = _lab_locate ("LAB_LOCALEDIR", LAB_BUILD_DIR "/../po", LOCALEDIR);
      g_once_init_leave (&initialized, 1);
    }

  return dir;
}

static void
bind_catalogue (void)
{
  bindtextdomain (GETTEXT_PACKAGE, lab_i18n_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}

/**
 * lab_i18n_init:
 *
 * Takes the locale from the environment and binds the message catalogue;
 * every program of the project calls it first.
 */
void
lab_i18n_init (void)
{
  setlocale (LC_ALL, "");
  bind_catalogue ();
}

/**
 * lab_i18n_init_messages:
 *
 * Like lab_i18n_init(), for the worker process: takes from the environment
 * only what its messages depend on (language, character set, numbers).
 * Loading the other nine locale categories costs about 0.1 ms per process
 * start, which the processes strategy pays once per job (bench/README.md).
 */
void
lab_i18n_init_messages (void)
{
  setlocale (LC_CTYPE, "");
  setlocale (LC_MESSAGES, "");
  setlocale (LC_NUMERIC, "");
  bind_catalogue ();
}
