/* lab-test-server.c — the embedded image server, reached in its module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gmodule.h>
#include <libsoup/soup.h>

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
                                      LabImageServer *(*) (guint, LabCancel *, GError **)) (n_images, NULL, &error);

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

/* --- a plain test server ---------------------------------------------------- */

/* For what the embedded server does not do: any path is the first photo
 * (so URLs can be made up: /a/photo.jpg, /caf%E9.jpg); /empty.jpg is a
 * 200 image/jpeg without a body; a path under /gzip/ sends the photo
 * gzip-compressed (Content-Encoding: gzip, the compressed Content-Length);
 * one under /late/ sends it after LATE_MS; one under /hold/ is counted
 * and never answered, so that a test knows a client has got that far. */
struct _LabTestHttp
{
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  GBytes       *photo;
  GBytes       *gzipped;
  guint16       port;
  guint         held;    /* atomic */
};

/* Long enough that a job of one is never "tiny" to a process pool (which
 * then sends one job at a time); a lower bound, so load cannot spoil it. */
#define LATE_MS 50

static GBytes *
gzip_bytes (GBytes *bytes)
{
  g_autoptr(GConverter) gzip = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1));
  g_autoptr(GInputStream) plain = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GInputStream) packed = g_converter_input_stream_new (plain, gzip);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (out, packed, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                          NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static gboolean
answer_late_cb (gpointer data)
{
  soup_server_message_unpause (data);
  return G_SOURCE_REMOVE;
}

static void
http_handle_cb (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           data)
{
  LabTestHttp *self = data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  GBytes *body = self->photo;

  if (g_str_has_prefix (path, "/hold/"))
    {
      soup_server_message_pause (msg);
      g_atomic_int_inc (&self->held);
      return;
    }
  if (g_str_has_prefix (path, "/late/"))
    {
      GSource *late = g_timeout_source_new (LATE_MS);

      soup_server_message_pause (msg);
      g_source_set_callback (late, answer_late_cb, g_object_ref (msg), g_object_unref);
      g_source_attach (late, self->context);
      g_source_unref (late);
    }
  if (g_str_equal (path, "/empty.jpg"))
    body = NULL;
  else if (g_str_has_prefix (path, "/gzip/"))
    {
      body = self->gzipped;
      soup_message_headers_replace (headers, "Content-Encoding", "gzip");
    }
  soup_message_headers_replace (headers, "Content-Type", "image/jpeg");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (body != NULL)
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
}

static gpointer
http_thread (gpointer data)
{
  LabTestHttp *self = data;

  g_main_context_push_thread_default (self->context);
  g_main_loop_run (self->loop);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

LabTestHttp *
lab_test_http_new (void)
{
  LabTestHttp *self = g_new0 (LabTestHttp, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  self->photo = lab_test_generate_photo (0);
  self->gzipped = gzip_bytes (self->photo);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);

  /* Made on this thread with the server's context as its default, so
   * that it listens there; then served from a thread of its own. */
  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, http_handle_cb, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_main_context_pop_thread_default (self->context);
  g_assert_no_error (error);

  uris = soup_server_get_uris (self->server);
  self->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  self->thread = g_thread_new ("lab-test-http", http_thread, self);
  return self;
}

char *
lab_test_http_get_url (LabTestHttp *self,
                       const char  *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", self->port, path);
}

/* How many requests under /hold/ came, so far. */
guint
lab_test_http_get_held (LabTestHttp *self)
{
  return g_atomic_int_get (&self->held);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
lab_test_http_free (LabTestHttp *self)
{
  g_main_context_invoke (self->context, quit_cb, self->loop);
  g_thread_join (self->thread);
  g_main_context_push_thread_default (self->context);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_bytes_unref (self->photo);
  g_bytes_unref (self->gzipped);
  g_free (self);
}
