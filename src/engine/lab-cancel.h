/* lab-cancel.h — a cancellation flag that needs only GLib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The worker executable links GLib alone (it must start in well under a
 * millisecond), so jobs see this small token instead of a GCancellable.
 * Callers that hold a GCancellable forward its cancel to this token. */
typedef struct _LabCancel LabCancel;

LabCancel *lab_cancel_new          (void);
void       lab_cancel_free         (LabCancel *cancel);
void       lab_cancel_cancel       (LabCancel *cancel);
gboolean   lab_cancel_is_cancelled (LabCancel *cancel);
gboolean   lab_cancel_checkpoint   (LabCancel *cancel);
gboolean   lab_cancel_sleep        (LabCancel *cancel,
                                    gint64     ns);

typedef void (*LabCancelFunc) (gpointer user_data);

guint      lab_cancel_connect      (LabCancel     *cancel,
                                    LabCancelFunc  func,
                                    gpointer       user_data);
void       lab_cancel_disconnect   (LabCancel     *cancel,
                                    guint          id);
GSource   *lab_cancel_watch        (LabCancel    *cancel,
                                    GMainContext *context,
                                    GSourceFunc   func,
                                    gpointer      user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabCancel, lab_cancel_free)

G_END_DECLS
