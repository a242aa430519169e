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

char *lab_worker_describe_exit (int status);

int lab_worker_serve         (int in_fd,
                              int out_fd);
int lab_worker_serve_forking (int in_fd,
                              int out_fd);

G_END_DECLS
