/* lab-cancel.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "lab-cancel"

#include "config.h"

#include "lab-cancel.h"
#include "lab-clock.h"
#include "lab-gil.h"

struct _LabCancel
{
  GMutex   mutex;
  GCond    cond;
  gint     cancelled;
  gpointer data;   /* e.g. the GCancellable of the run, for tasks using GIO */
  GPtrArray *watches;  /* WatchSource, under mutex */
};

/* A source that dispatches once the token is cancelled; lab_cancel_cancel()
 * wakes the context it is attached to. */
typedef struct {
  GSource       source;
  LabCancel    *cancel;
  GMainContext *context;
} WatchSource;

static gboolean
watch_prepare (GSource *source,
               gint    *timeout)
{
  *timeout = -1;
  return lab_cancel_is_cancelled (((WatchSource *) source)->cancel);
}

static gboolean
watch_check (GSource *source)
{
  return lab_cancel_is_cancelled (((WatchSource *) source)->cancel);
}

static gboolean
watch_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  return callback ? callback (user_data) : G_SOURCE_REMOVE;
}

static void
watch_finalize (GSource *source)
{
  WatchSource *watch = (WatchSource *) source;

  g_mutex_lock (&watch->cancel->mutex);
  g_ptr_array_remove_fast (watch->cancel->watches, watch);
  g_mutex_unlock (&watch->cancel->mutex);
  g_main_context_unref (watch->context);
}

static GSourceFuncs watch_funcs = {
  .prepare = watch_prepare,
  .check = watch_check,
  .dispatch = watch_dispatch,
  .finalize = watch_finalize,
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

  g_assert (self->watches == NULL || self->watches->len == 0);
  g_clear_pointer (&self->watches, g_ptr_array_unref);
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
  for (guint i = 0; self->watches != NULL && i < self->watches->len; i++)
    g_main_context_wakeup (((WatchSource *) g_ptr_array_index (self->watches, i))->context);
  g_mutex_unlock (&self->mutex);
}

gboolean
lab_cancel_is_cancelled (LabCancel *self)
{
  return self != NULL && g_atomic_int_get (&self->cancelled);
}

/**
 * lab_cancel_checkpoint:
 * @cancel: (nullable): the job's token
 *
 * A computing job calls this every millisecond or so, where CPython's
 * eval loop would check between bytecodes. When the runner gave the
 * thread the run's "Python GIL" (lab_gil_set_current()), it offers the
 * lock to the threads waiting for it once the switch interval is over,
 * so every computing task takes turns, not only those that know of the
 * lock.
 *
 * Returns: %TRUE once the job must stop
 */
gboolean
lab_cancel_checkpoint (LabCancel *self)
{
  LabGil *gil = lab_gil_get_current ();

  if (gil != NULL)
    lab_gil_switch_point (gil);
  return lab_cancel_is_cancelled (self);
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

/**
 * lab_cancel_watch:
 * @context: where @func runs
 *
 * Calls @func on @context as soon as the token is cancelled (at once if
 * it already is), for jobs that wait on an event loop. Destroy the source
 * before the token is freed.
 *
 * Returns: (transfer full): the attached source
 */
GSource *
lab_cancel_watch (LabCancel    *self,
                  GMainContext *context,
                  GSourceFunc   func,
                  gpointer      user_data)
{
  GSource *source;
  WatchSource *watch;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (context != NULL, NULL);

  source = g_source_new (&watch_funcs, sizeof (WatchSource));
  watch = (WatchSource *) source;
  watch->cancel = self;
  watch->context = g_main_context_ref (context);
  g_source_set_callback (source, func, user_data, NULL);
  g_source_set_static_name (source, "[lab-cancel-watch]");

  g_mutex_lock (&self->mutex);
  if (self->watches == NULL)
    self->watches = g_ptr_array_new ();
  g_ptr_array_add (self->watches, watch);
  g_mutex_unlock (&self->mutex);

  g_source_attach (source, context);
  return source;
}
