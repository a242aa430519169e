/* lab-gil.c — an imitation of CPython's global interpreter lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With the "Python GIL" switch on, the threads of a run take turns to
 * compute, as the threads of a CPython program do: a CPU-bound job holds
 * the lock while it computes and offers it to the threads waiting for it
 * every switch interval; a job that waits (sleep, download) never takes
 * it, as CPython releases it around blocking calls. Threads get the lock
 * in the order they asked for it, so none starves.
 */
#define G_LOG_DOMAIN "lab-gil"

#include "config.h"

#include "lab-gil.h"

struct _LabGil
{
  GMutex   mutex;
  GCond    cond;
  guint64  next_ticket;   /* the ticket of the next thread to ask */
  guint64  serving;       /* the ticket that may take the lock next */
  gboolean held;
  gint     waiting;       /* atomic: read by the holder without the mutex */
  gint64   interval_us;
  gint64   acquired_us;   /* when the holder took it; the holder's alone */
  guint64  switches;      /* hand-overs to another thread */
};

static GPrivate current_gil;

LabGil *
lab_gil_new (gint64 switch_interval_us)
{
  LabGil *gil = g_new0 (LabGil, 1);

  g_mutex_init (&gil->mutex);
  g_cond_init (&gil->cond);
  gil->interval_us = MAX (switch_interval_us, 1);
  return gil;
}

void
lab_gil_free (LabGil *gil)
{
  if (gil == NULL)
    return;
  g_mutex_clear (&gil->mutex);
  g_cond_clear (&gil->cond);
  g_free (gil);
}

/* Waits for the lock, after every thread that asked before. */
void
lab_gil_acquire (LabGil *gil)
{
  guint64 ticket;

  g_mutex_lock (&gil->mutex);
  ticket = gil->next_ticket++;
  g_atomic_int_inc (&gil->waiting);
  while (gil->held || gil->serving != ticket)
    g_cond_wait (&gil->cond, &gil->mutex);
  gil->held = TRUE;
  gil->serving++;
  g_atomic_int_add (&gil->waiting, -1);
  gil->acquired_us = g_get_monotonic_time ();
  g_mutex_unlock (&gil->mutex);
}

void
lab_gil_release (LabGil *gil)
{
  g_mutex_lock (&gil->mutex);
  gil->held = FALSE;
  g_cond_broadcast (&gil->cond);
  g_mutex_unlock (&gil->mutex);
}

/**
 * lab_gil_switch_point:
 *
 * Called by the holder between two pieces of work, as CPython's eval loop
 * checks between bytecodes: once it has held the lock for the switch
 * interval and another thread waits, it lets that thread go first.
 */
void
lab_gil_switch_point (LabGil *gil)
{
  if (g_atomic_int_get (&gil->waiting) == 0 ||
      g_get_monotonic_time () - gil->acquired_us < gil->interval_us)
    return;

  g_mutex_lock (&gil->mutex);
  gil->switches++;
  g_mutex_unlock (&gil->mutex);
  lab_gil_release (gil);
  lab_gil_acquire (gil);
}

guint64
lab_gil_get_switches (LabGil *gil)
{
  guint64 switches;

  g_mutex_lock (&gil->mutex);
  switches = gil->switches;
  g_mutex_unlock (&gil->mutex);
  return switches;
}

/* Threads waiting for the lock now. */
guint
lab_gil_get_waiting (LabGil *gil)
{
  return g_atomic_int_get (&gil->waiting);
}

LabGil *
lab_gil_get_current (void)
{
  return g_private_get (&current_gil);
}

void
lab_gil_set_current (LabGil *gil)
{
  g_private_set (&current_gil, gil);
}
