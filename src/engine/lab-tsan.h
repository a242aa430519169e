/* lab-tsan.h — hand-overs ThreadSanitizer cannot see by itself
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pointer handed from one thread to another through GLib (a GSource's
 * data, say) synchronises inside a library not built with the sanitizer.
 * LAB_TSAN_RELEASE() before handing @addr over and LAB_TSAN_ACQUIRE()
 * where it arrives tell TSan that everything the first thread did
 * happens before what the second does next. Nothing in other builds.
 */
#pragma once

#if defined(__SANITIZE_THREAD__)
# include <sanitizer/tsan_interface.h>
# define LAB_TSAN_RELEASE(addr) __tsan_release ((void *) (addr))
# define LAB_TSAN_ACQUIRE(addr) __tsan_acquire ((void *) (addr))
#else
# define LAB_TSAN_RELEASE(addr) ((void) (addr))
# define LAB_TSAN_ACQUIRE(addr) ((void) (addr))
#endif
