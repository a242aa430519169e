/* lab-cancel.h — a cancellation flag that needs only GLib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The worker executable links GLib alone (it must start in well under a
 * millisecond), so jobs see this small token instead of a GCancellable.
 * The runner cancels it from GCancellable::cancelled. */
typedef struct _LabCancel LabCancel;

LabCancel *lab_cancel_new          (void);
void       lab_cancel_free         (LabCancel *cancel);
void       lab_cancel_cancel       (LabCancel *cancel);
gboolean   lab_cancel_is_cancelled (LabCancel *cancel);
gboolean   lab_cancel_checkpoint   (LabCancel *cancel);
gboolean   lab_cancel_sleep        (LabCancel *cancel,
                                    gint64     ns);
void       lab_cancel_set_data     (LabCancel *cancel,
                                    gpointer   data);
gpointer   lab_cancel_get_data     (LabCancel *cancel);
GSource   *lab_cancel_watch        (LabCancel    *cancel,
                                    GMainContext *context,
                                    GSourceFunc   func,
                                    gpointer      user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabCancel, lab_cancel_free)

G_END_DECLS
