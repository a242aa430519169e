/* lab-clock.h — clocks every layer measures with (GLib only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <time.h>
#include <unistd.h>

G_BEGIN_DECLS

/* CLOCK_MONOTONIC is system-wide, so times taken in worker processes and
 * in the app's threads land on one axis. */
static inline gint64
lab_clock_now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static inline gint64
lab_clock_thread_cpu_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static inline gint64
lab_clock_thread_id (void)
{
  return (gint64) gettid ();
}

G_END_DECLS
