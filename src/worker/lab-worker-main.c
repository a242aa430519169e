/* lab-worker-main.c — concurrency-lab-worker: runs jobs for the process strategies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Links GLib alone so that starting one costs about half a millisecond;
 * the protocol it speaks on stdin/stdout is described in lab-protocol.h.
 */
#define G_LOG_DOMAIN "lab-worker"

#include "config.h"

#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "lab-i18n.h"
#include "lab-paths-private.h"
#include "lab-worker-loop.h"

int
main (int    argc,
      char **argv)
{
  if (!lab_worker_watch_parent ())
    return LAB_WORKER_EXIT_ORPHANED;
  _lab_prepare_environment ();
  lab_i18n_init_messages ();

  /* --fork: a fork server for the processes strategy, a process per job. */
  if (argc == 2 && g_str_equal (argv[1], "--fork"))
    return lab_worker_serve_forking (STDIN_FILENO, STDOUT_FILENO);

  if (argc > 1)
    {
      g_printerr (_("concurrency-lab-worker runs jobs for Concurrency Lab; it takes no arguments\n"
                    "and speaks a binary protocol on its standard input and output.\n"));
      return LAB_WORKER_EXIT_USAGE;
    }

  return lab_worker_serve (STDIN_FILENO, STDOUT_FILENO);
}
