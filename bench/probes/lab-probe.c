/* lab-probe.c — an executable that links one library and does nothing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bench/startup times posix_spawn + wait of it: the price of starting a
 * process that links GLib alone, GIO, libsoup, libvips, every library
 * concurrency-lab links, or every library of the whole engine (chosen
 * with -DLAB_PROBE_*). The volatile pointer keeps the library linked under
 * --as-needed without running any of its code, so what is measured is
 * exec, the dynamic loader and the libraries' constructors.
 */
#if defined(LAB_PROBE_CLI)
/* The libraries concurrency-lab itself links, all of them. */
# include <math.h>
# include <glib-object.h>
# include <gmodule.h>
static void (* volatile keep_more[]) (void) = {
  (void (*) (void)) g_module_open, (void (*) (void)) log1p,
};
# define LAB_PROBE_SYMBOL g_object_new
#elif defined(LAB_PROBE_ENGINE)
/* The libraries of the whole engine: what concurrency-lab linked before
 * its history, JSON and GIO moved to the lab-extras module. */
# include <math.h>
# include <gio/gio.h>
# include <gmodule.h>
# include <json-glib/json-glib.h>
# include <sqlite3.h>
static void (* volatile keep_more[]) (void) = {
  (void (*) (void)) g_module_open, (void (*) (void)) json_node_get_type,
  (void (*) (void)) sqlite3_libversion, (void (*) (void)) log1p,
};
# define LAB_PROBE_SYMBOL g_file_get_type
#elif defined(LAB_PROBE_VIPS)
# include <vips/vips.h>
# define LAB_PROBE_SYMBOL vips_image_get_type
#elif defined(LAB_PROBE_SOUP)
# include <libsoup/soup.h>
# define LAB_PROBE_SYMBOL soup_session_get_type
#elif defined(LAB_PROBE_GIO)
# include <gio/gio.h>
# define LAB_PROBE_SYMBOL g_file_get_type
#else
# include <glib.h>
# define LAB_PROBE_SYMBOL g_get_monotonic_time
#endif

static void (* volatile keep) (void) = (void (*) (void)) LAB_PROBE_SYMBOL;

int
main (void)
{
  return keep == NULL;
}
