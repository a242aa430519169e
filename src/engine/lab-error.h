/* lab-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LAB_ERROR (lab_error_quark ())

typedef enum {
  LAB_ERROR_INVALID_ARGUMENT,   /* bad usage: the CLI exits 2 */
  LAB_ERROR_UNKNOWN_TASK,
  LAB_ERROR_UNSUPPORTED,        /* e.g. async with a CPU task */
  LAB_ERROR_PROTOCOL,           /* malformed frame on a worker pipe */
  LAB_ERROR_WORKER,             /* worker missing, crashed or hung */
  LAB_ERROR_CANCELLED,
  LAB_ERROR_FAILED,
  LAB_ERROR_BUSY,               /* e.g. another process is writing the history */
  LAB_ERROR_READ_ONLY,          /* no write access, or made by a newer version */
  LAB_ERROR_NOT_FOUND,          /* e.g. no such run in the history */
  LAB_ERROR_CORRUPT,            /* a file is damaged */
} LabErrorCode;

GQuark lab_error_quark (void);

G_END_DECLS
