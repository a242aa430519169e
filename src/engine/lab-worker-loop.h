/* lab-worker-loop.h — the worker side of the protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LAB_WORKER_EXIT_OK       0
#define LAB_WORKER_EXIT_USAGE    2
#define LAB_WORKER_EXIT_PROTOCOL 3
/* Started by a process that was gone before the worker could watch it. */
#define LAB_WORKER_EXIT_ORPHANED 4

/* The app's pid, in the worker's environment: the worker exits at once
 * when its parent is no longer that process. */
#define LAB_WORKER_PARENT_ENV    "LAB_WORKER_PARENT_PID"

char    *lab_worker_describe_exit (int status);
gboolean lab_worker_watch_parent  (void);
int      lab_worker_open_pidfd    (int pid);

int lab_worker_serve         (int in_fd,
                              int out_fd);
int lab_worker_serve_forking (int in_fd,
                              int out_fd);

G_END_DECLS
