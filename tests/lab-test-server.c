/* lab-test-server.c — the embedded image server, reached in its module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gmodule.h>

#include "lab-task.h"
#include "lab-test-server.h"

/* The module the download task loads (the same file, so the same copy:
 * dlopen() counts references), and one of its functions. */
static gpointer
server_symbol (const char *name)
{
  static GModule *module;
  gpointer symbol = NULL;

  if (g_once_init_enter (&module))
    {
      g_autofree char *path = g_module_build_path (lab_task_get_module_dir (), "lab-tasks-net");
      GModule *opened = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);

      if (opened == NULL)
        g_error ("Cannot load %s: %s", path, g_module_error ());
      g_once_init_leave (&module, opened);
    }
  if (!g_module_symbol (module, name, &symbol))
    g_error ("The net module has no %s: %s", name, g_module_error ());
  return symbol;
}

#define SERVER_FN(name, type) ((type) server_symbol (#name))

/* A fast server for tests that are not about bandwidth. */
LabImageServer *
lab_test_server_new (guint n_images,
                     guint latency_ms)
{
  g_autoptr(GError) error = NULL;
  LabImageServer *server = SERVER_FN (lab_image_server_new,
                                      LabImageServer *(*) (guint, GError **)) (n_images, &error);

  g_assert_no_error (error);
  lab_test_server_set_latency (server, latency_ms);
  lab_test_server_set_bandwidth (server, 0);
  return server;
}

GStrv
lab_test_server_get_photo_urls (LabImageServer *server)
{
  return SERVER_FN (lab_image_server_get_photo_urls, GStrv (*) (LabImageServer *)) (server);
}

char *
lab_test_server_get_url (LabImageServer *server,
                         const char     *path)
{
  return SERVER_FN (lab_image_server_get_url, char *(*) (LabImageServer *, const char *)) (server, path);
}

GBytes *
lab_test_server_get_photo (LabImageServer *server,
                           guint           index)
{
  return SERVER_FN (lab_image_server_get_photo, GBytes *(*) (LabImageServer *, guint)) (server, index);
}

guint16
lab_test_server_get_port (LabImageServer *server)
{
  return SERVER_FN (lab_image_server_get_port, guint16 (*) (LabImageServer *)) (server);
}

void
lab_test_server_set_latency (LabImageServer *server,
                             guint           latency_ms)
{
  SERVER_FN (lab_image_server_set_latency, void (*) (LabImageServer *, guint)) (server, latency_ms);
}

void
lab_test_server_set_bandwidth (LabImageServer *server,
                               guint64         bytes_per_s)
{
  SERVER_FN (lab_image_server_set_bandwidth, void (*) (LabImageServer *, guint64)) (server, bytes_per_s);
}

GBytes *
lab_test_generate_photo (guint index)
{
  return SERVER_FN (lab_image_generate_photo, GBytes *(*) (guint)) (index);
}
