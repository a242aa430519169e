/* lab-cancel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-cancel"

#include "config.h"

#include "lab-cancel.h"
#include "lab-clock.h"

struct _LabCancel
{
  GMutex   mutex;
  GCond    cond;
  gint     cancelled;
  gpointer data;   /* e.g. the GCancellable of the run, for tasks using GIO */
};

LabCancel *
lab_cancel_new (void)
{
  LabCancel *self = g_new0 (LabCancel, 1);

  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);

  return self;
}

void
lab_cancel_free (LabCancel *self)
{
  if (self == NULL)
    return;

  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self);
}

void
lab_cancel_cancel (LabCancel *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  g_atomic_int_set (&self->cancelled, TRUE);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

gboolean
lab_cancel_is_cancelled (LabCancel *self)
{
  return self != NULL && g_atomic_int_get (&self->cancelled);
}

/**
 * lab_cancel_sleep:
 * @cancel: (nullable): the token, or %NULL for an uninterruptible sleep
 * @ns: how long to sleep
 *
 * Returns: %TRUE when the full time elapsed, %FALSE when cancelled.
 */
gboolean
lab_cancel_sleep (LabCancel *self,
                  gint64     ns)
{
  gint64 deadline_us;
  gboolean completed;

  if (ns <= 0)
    return !lab_cancel_is_cancelled (self);

  if (self == NULL)
    {
      struct timespec ts = { ns / 1000000000, ns % 1000000000 };
      while (nanosleep (&ts, &ts) != 0)
        ;
      return TRUE;
    }

  /* g_cond_wait_until() takes g_get_monotonic_time() microseconds. */
  deadline_us = g_get_monotonic_time () + (ns + 999) / 1000;

  g_mutex_lock (&self->mutex);
  while (!self->cancelled)
    {
      if (!g_cond_wait_until (&self->cond, &self->mutex, deadline_us))
        break;
    }
  completed = !self->cancelled;
  g_mutex_unlock (&self->mutex);

  return completed;
}

void
lab_cancel_set_data (LabCancel *self,
                     gpointer   data)
{
  self->data = data;
}

gpointer
lab_cancel_get_data (LabCancel *self)
{
  return self != NULL ? self->data : NULL;
}
