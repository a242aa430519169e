/* lab-tsan.c — teaches ThreadSanitizer what GLib's locks mean
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built into lab-core only with -Db_sanitize=thread. GLib's GMutex and
 * GCond are futexes in a library that was not built with TSan, so the
 * sanitizer sees neither lock nor unlock, and reports every access they
 * protect as a race. These wrappers stand in for the GLib functions in
 * the program (and in the task modules it loads), call the real ones, and
 * tell TSan the acquire and release each one is. g_once_init_leave() is
 * a release its readers' atomic load pairs with.
 */
#include "config.h"

#include <dlfcn.h>
#include <glib.h>
#include <sanitizer/tsan_interface.h>

typedef void     (*LockFunc)     (GMutex *);
typedef gboolean (*TryLockFunc)  (GMutex *);
typedef void     (*WaitFunc)     (GCond *, GMutex *);
typedef gboolean (*WaitUntilFunc) (GCond *, GMutex *, gint64);
typedef void     (*OnceLeaveFunc) (volatile void *, gsize);
typedef gboolean (*OnceEnterFunc) (volatile void *);

/* The GLib function this one stands for. */
#define REAL(name, type) \
  static gpointer real_symbol; \
  type real = g_atomic_pointer_get (&real_symbol); \
  if (G_UNLIKELY (real == NULL)) \
    { \
      real = (type) dlsym (RTLD_NEXT, name); \
      g_atomic_pointer_set (&real_symbol, (gpointer) real); \
    }

void
g_mutex_lock (GMutex *mutex)
{
  REAL ("g_mutex_lock", LockFunc);
  real (mutex);
  __tsan_acquire (mutex);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  REAL ("g_mutex_trylock", TryLockFunc);
  if (!real (mutex))
    return FALSE;
  __tsan_acquire (mutex);
  return TRUE;
}

void
g_mutex_unlock (GMutex *mutex)
{
  REAL ("g_mutex_unlock", LockFunc);
  __tsan_release (mutex);
  real (mutex);
}

void
g_cond_wait (GCond  *cond,
             GMutex *mutex)
{
  REAL ("g_cond_wait", WaitFunc);
  __tsan_release (mutex);
  real (cond, mutex);
  __tsan_acquire (mutex);
}

gboolean
g_cond_wait_until (GCond  *cond,
                   GMutex *mutex,
                   gint64  end_time)
{
  gboolean signalled;

  REAL ("g_cond_wait_until", WaitUntilFunc);
  __tsan_release (mutex);
  signalled = real (cond, mutex, end_time);
  __tsan_acquire (mutex);
  return signalled;
}

void
(g_once_init_leave) (volatile void *location,
                     gsize          result)
{
  REAL ("g_once_init_leave", OnceLeaveFunc);
  __tsan_release ((void *) location);
  real (location, result);
}

gboolean
(g_once_init_enter) (volatile void *location)
{
  gboolean first;

  REAL ("g_once_init_enter", OnceEnterFunc);
  first = real (location);
  __tsan_acquire ((void *) location);
  return first;
}
