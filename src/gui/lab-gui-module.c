/* lab-gui-module.c — the window, loaded only when it opens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK and libadwaita live in this module, not in the concurrency-lab
 * program: `run`, `history`, `export` and `--help` start without mapping
 * them (about 40 ms at every start). The module resolves the engine's
 * lab_* symbols from the program that loads it, as task modules do.
 */
#define G_LOG_DOMAIN "concurrency-lab"

#include "config.h"

#include <gmodule.h>

#include "lab-application.h"

G_MODULE_EXPORT int lab_gui_main (int    argc,
                                  char **argv);

/**
 * lab_gui_main:
 *
 * Runs the application with the program's arguments.
 *
 * Returns: the exit status
 */
int
lab_gui_main (int    argc,
              char **argv)
{
  g_autoptr(LabApplication) app = lab_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
