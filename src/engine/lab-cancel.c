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
  GPtrArray *watches;  /* WatchSource, under mutex */
  GArray   *handlers;  /* Handler, under mutex */
  guint     next_id;
};

typedef struct {
  guint         id;
  LabCancelFunc func;
  gpointer      user_data;
} Handler;

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
  g_clear_pointer (&self->handlers, g_array_unref);
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
  /* Under the lock: once lab_cancel_disconnect() returns, the handler
   * neither runs nor will. Each runs once. */
  for (guint i = 0; self->handlers != NULL && i < self->handlers->len; i++)
    {
      Handler *h = &g_array_index (self->handlers, Handler, i);

      h->func (h->user_data);
    }
  if (self->handlers != NULL)
    g_array_set_size (self->handlers, 0);
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

/**
 * lab_cancel_connect:
 * @cancel: (nullable): the token; %NULL is one never cancelled
 * @func: called once when the token is cancelled, on the thread that
 *   cancels it, with the token's lock held: it must not use this token
 *
 * For work that waits elsewhere (a GCancellable of GIO, a strategy's own
 * wake-up). When the token is already cancelled, @func is called at once.
 *
 * Returns: the handler's id for lab_cancel_disconnect(), or 0 when @func
 *   was called at once or @cancel is %NULL
 */
guint
lab_cancel_connect (LabCancel     *self,
                    LabCancelFunc  func,
                    gpointer       user_data)
{
  Handler h = { 0, func, user_data };

  g_return_val_if_fail (func != NULL, 0);

  if (self == NULL)
    return 0;
  g_mutex_lock (&self->mutex);
  if (!self->cancelled)
    {
      if (self->handlers == NULL)
        self->handlers = g_array_new (FALSE, FALSE, sizeof (Handler));
      h.id = ++self->next_id;
      g_array_append_val (self->handlers, h);
    }
  g_mutex_unlock (&self->mutex);

  if (h.id == 0)
    func (user_data);
  return h.id;
}

/**
 * lab_cancel_disconnect:
 * @id: from lab_cancel_connect(); 0 does nothing
 *
 * When this returns, the handler is not running and will not run.
 */
void
lab_cancel_disconnect (LabCancel *self,
                       guint      id)
{
  if (self == NULL || id == 0)
    return;

  g_mutex_lock (&self->mutex);
  for (guint i = 0; self->handlers != NULL && i < self->handlers->len; i++)
    if (g_array_index (self->handlers, Handler, i).id == id)
      {
        g_array_remove_index_fast (self->handlers, i);
        break;
      }
  g_mutex_unlock (&self->mutex);
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
