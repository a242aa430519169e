/* lab-gil.h — an imitation of CPython's global interpreter lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CPython hands the lock over every 5 ms (sys.getswitchinterval ()). */
#define LAB_GIL_SWITCH_INTERVAL_US 5000

typedef struct _LabGil LabGil;

LabGil  *lab_gil_new            (gint64  switch_interval_us);
void     lab_gil_free           (LabGil *gil);
void     lab_gil_acquire        (LabGil *gil);
void     lab_gil_release        (LabGil *gil);
void     lab_gil_switch_point   (LabGil *gil);
guint64  lab_gil_get_switches   (LabGil *gil);
guint    lab_gil_get_waiting    (LabGil *gil);

/* The lock of the run whose job this thread is running, or NULL. */
LabGil  *lab_gil_get_current    (void);
void     lab_gil_set_current    (LabGil *gil);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabGil, lab_gil_free)

G_END_DECLS
