/* lab-image-server.c — an HTTP server of generated photos on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The `download` task uses it when the user gives no URLs, so the
 * I/O-bound lesson works offline and the same way every time. It runs on
 * a thread of its own ("lab-image-server") with its own main context, so
 * it answers while the app's threads block on their downloads.
 *
 * Photos are made once per process (deterministic per index) and encoded
 * with libjpeg directly: libvips would link about a hundred libraries into
 * every program that links the engine; libjpeg is one, and encodes a
 * 2400×1600 photo in about 40 ms.
 */
#define G_LOG_DOMAIN "lab-image-server"

#include "config.h"

#include <stdio.h>
#include <math.h>
#include <jpeglib.h>
#include <libsoup/soup.h>
#include <glib/gi18n-lib.h>

#include "lab-cancel.h"
#include "lab-error.h"
#include "lab-image-server.h"

/* Distinct photos; higher indices reuse them, so --jobs=1000 costs no
 * more memory than 64 photos. */
#define N_VARIANTS     64
#define JPEG_QUALITY   92
#define CHUNK_INTERVAL_MS 20

struct _LabImageServer
{
  GObject       parent_instance;

  guint         n_images;
  GPtrArray    *photos;        /* GBytes, one per image */
  guint         latency_ms;    /* atomic */
  guint64       bandwidth;     /* bytes/s per request, 0: no cap; read on the server thread */
  GMutex        mutex;

  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  GHashTable   *replies;       /* Reply, on the server thread only */
  guint16       port;
  GError       *start_error;
  gboolean      started;
  GCond         started_cond;
};

enum {
  PROP_0,
  PROP_PORT,
  PROP_N_IMAGES,
  PROP_LATENCY,
  PROP_BANDWIDTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LabImageServer, lab_image_server, G_TYPE_OBJECT)

/* --- photos ------------------------------------------------------------ */

static guint32
next_random (guint32 *state)
{
  /* xorshift32: the same photo on every machine */
  guint32 x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/* A smooth wave per row and per column (sky, hills) plus grain, which is
 * what makes a photo 1–3 MB as a JPEG rather than 100 kB. */
static void
fill_waves (double  *table,
            guint    n,
            guint32 *rng)
{
  for (guint c = 0; c < 3; c++)
    {
      double f1 = (1 + next_random (rng) % 6) * G_PI / n;
      double f2 = (5 + next_random (rng) % 40) * G_PI / n;
      double p1 = (next_random (rng) % 628) / 100.0;
      double a1 = 40 + next_random (rng) % 50;

      for (guint i = 0; i < n; i++)
        table[i * 3 + c] = a1 * sin (i * f1 + p1) + 12 * sin (i * f2);
    }
}

/* Returns %NULL once @cancel is cancelled (checked every few rows). */
static guchar *
render_photo (guint      variant,
              LabCancel *cancel,
              guint     *width,
              guint     *height)
{
  static const guint sizes[][2] = { { 2400, 1600 }, { 1920, 1280 }, { 2048, 1536 }, { 1600, 2400 }, { 2560, 1440 } };
  guint32 rng = 0x9e3779b9u ^ (variant * 2654435761u);
  guint w = sizes[variant % G_N_ELEMENTS (sizes)][0];
  guint h = sizes[variant % G_N_ELEMENTS (sizes)][1];
  g_autofree double *cols = g_new (double, w * 3);
  g_autofree double *rows = g_new (double, h * 3);
  guchar *pixels = g_malloc ((gsize) w * h * 3);
  /* Smaller frames get more grain, so every photo is 1–3 MB. */
  guint grain = (22 + next_random (&rng) % 12) * 3840000 / (w * h);
  double base[3];

  for (guint c = 0; c < 3; c++)
    base[c] = 70 + next_random (&rng) % 110;
  fill_waves (cols, w, &rng);
  fill_waves (rows, h, &rng);

  for (guint y = 0; y < h; y++)
    {
      if (y % 64 == 0 && lab_cancel_is_cancelled (cancel))
        {
          g_free (pixels);
          return NULL;
        }
      for (guint x = 0; x < w; x++)
        for (guint c = 0; c < 3; c++)
          {
            double v = base[c] + cols[x * 3 + c] + rows[y * 3 + c]
                     + (double) (next_random (&rng) % (2 * grain)) - grain;
            pixels[((gsize) y * w + x) * 3 + c] = (guchar) CLAMP (v, 0, 255);
          }
    }

  *width = w;
  *height = h;
  return pixels;
}

static GBytes *
encode_jpeg (const guchar *pixels,
             guint         width,
             guint         height)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  unsigned char *out = NULL;
  unsigned long out_len = 0;
  GBytes *bytes;

  /* Encoding to memory can only fail on out-of-memory, which aborts
   * anyway, so libjpeg's default error handler (exit) is acceptable. */
  cinfo.err = jpeg_std_error (&jerr);
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &out, &out_len);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, JPEG_QUALITY, TRUE);
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW row = (JSAMPROW) (pixels + (gsize) cinfo.next_scanline * width * 3);
      jpeg_write_scanlines (&cinfo, &row, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);

  bytes = g_bytes_new (out, out_len);
  free (out);
  return bytes;
}

static GBytes *photo_cache[N_VARIANTS];
G_LOCK_DEFINE_STATIC (photo_cache);

/* The photo of @index, from the cache or made now; %NULL when @cancel is
 * cancelled first. */
static GBytes *
generate_photo (guint      index,
                LabCancel *cancel)
{
  guint variant = index % N_VARIANTS;
  g_autofree guchar *pixels = NULL;
  GBytes *bytes;
  guint w, h;

  G_LOCK (photo_cache);
  bytes = photo_cache[variant] ? g_bytes_ref (photo_cache[variant]) : NULL;
  G_UNLOCK (photo_cache);
  if (bytes != NULL)
    return bytes;

  if (!(pixels = render_photo (variant, cancel, &w, &h)))
    return NULL;
  bytes = encode_jpeg (pixels, w, h);
  G_LOCK (photo_cache);
  if (photo_cache[variant] == NULL)
    photo_cache[variant] = g_bytes_ref (bytes);
  G_UNLOCK (photo_cache);
  return bytes;
}

/**
 * lab_image_generate_photo:
 * @index: any number; the same index gives the same bytes
 *
 * Returns: (transfer full): a photo-like JPEG of about 1–3 MB
 */
GBytes *
lab_image_generate_photo (guint index)
{
  return generate_photo (index, NULL);
}

typedef struct {
  LabImageServer *self;
  LabCancel      *cancel;
} Generating;

static gpointer
generate_thread (gpointer data)
{
  Generating *generating = data;
  LabImageServer *self = generating->self;

  while (!lab_cancel_is_cancelled (generating->cancel))
    {
      GBytes *bytes;
      guint i;

      g_mutex_lock (&self->mutex);
      i = self->photos->len;
      if (i < self->n_images)
        g_ptr_array_add (self->photos, NULL);
      g_mutex_unlock (&self->mutex);
      if (i >= self->n_images)
        break;

      /* Each thread fills the slot it took. */
      bytes = generate_photo (i, generating->cancel);
      g_mutex_lock (&self->mutex);
      g_ptr_array_index (self->photos, i) = bytes;
      g_mutex_unlock (&self->mutex);
    }
  return NULL;
}

/* Photos are made before the server starts, on every core, so a run's
 * CPU figures never include them. Making 15 takes about a second: a
 * cancel stops it within a few rows. */
static gboolean
generate_photos (LabImageServer  *self,
                 LabCancel       *cancel,
                 GError         **error)
{
  guint n_threads = CLAMP (g_get_num_processors (), 1, 8);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  Generating generating = { self, cancel };

  for (guint t = 1; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("lab-photo", generate_thread, &generating));
  generate_thread (&generating);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));

  if (lab_cancel_is_cancelled (cancel))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_CANCELLED, _("Cancelled"));
      return FALSE;
    }
  return TRUE;
}

/* --- replies ----------------------------------------------------------- */

typedef struct {
  LabImageServer    *self;
  SoupServerMessage *msg;
  GBytes            *body;
  guint              status;
  const char        *content_type;
  gsize              offset;
  gint64             t0_us;
  guint64            bandwidth;
  GSource           *timer;
  gboolean           gone;     /* the client hung up */
} Reply;

static void
reply_free (Reply *reply)
{
  if (reply->timer != NULL)
    {
      g_source_destroy (reply->timer);
      g_source_unref (reply->timer);
    }
  g_clear_pointer (&reply->body, g_bytes_unref);
  /* "disconnected" may still come after "finished". */
  g_signal_handlers_disconnect_by_data (reply->msg, reply);
  g_object_unref (reply->msg);
  g_free (reply);
}

static void
reply_finished_cb (Reply *reply)
{
  g_hash_table_remove (reply->self->replies, reply);
  reply_free (reply);
}

static void
reply_gone_cb (Reply *reply)
{
  reply->gone = TRUE;
  if (reply->timer != NULL)
    g_source_destroy (reply->timer);
}

/* At shutdown: replies still waiting must not touch their messages. */
static void
drop_replies (LabImageServer *self)
{
  GList *all = g_hash_table_get_keys (self->replies);

  g_hash_table_steal_all (self->replies);
  for (GList *l = all; l != NULL; l = l->next)
    {
      reply_free (l->data);
    }
  g_list_free (all);
}

static void
reply_schedule (Reply       *reply,
                guint        ms,
                GSourceFunc  func)
{
  if (reply->timer != NULL)
    {
      g_source_destroy (reply->timer);
      g_source_unref (reply->timer);
    }
  reply->timer = g_timeout_source_new (ms);
  g_source_set_callback (reply->timer, func, reply, NULL);
  g_source_attach (reply->timer, reply->self->context);
}

static gboolean
send_chunk_cb (gpointer data)
{
  Reply *reply = data;
  gsize total = g_bytes_get_size (reply->body);
  gsize chunk = MAX (reply->bandwidth * CHUNK_INTERVAL_MS / 1000, 1024);
  SoupMessageBody *body = soup_server_message_get_response_body (reply->msg);
  g_autoptr(GBytes) piece = NULL;

  g_clear_pointer (&reply->timer, g_source_unref);
  if (reply->gone)
    return G_SOURCE_REMOVE;
  chunk = MIN (chunk, total - reply->offset);
  soup_message_body_append_bytes (body, piece = g_bytes_new_from_bytes (reply->body, reply->offset, chunk));
  reply->offset += chunk;
  if (reply->offset == total)
    soup_message_body_complete (body);
  soup_server_message_unpause (reply->msg);

  return G_SOURCE_REMOVE;
}

/* Paces the body: the next chunk leaves when the cap allows it. */
static void
wrote_chunk_cb (SoupServerMessage *msg,
                Reply             *reply)
{
  gint64 due_us, now_us = g_get_monotonic_time ();

  if (reply->offset >= g_bytes_get_size (reply->body))
    return;

  due_us = reply->t0_us + (gint64) (reply->offset * G_USEC_PER_SEC / reply->bandwidth);
  soup_server_message_pause (msg);
  reply_schedule (reply, due_us > now_us ? (guint) ((due_us - now_us) / 1000) : 0, send_chunk_cb);
}

static gboolean
respond_cb (gpointer data)
{
  Reply *reply = data;
  SoupServerMessage *msg = reply->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  g_clear_pointer (&reply->timer, g_source_unref);
  if (reply->gone)
    return G_SOURCE_REMOVE;
  soup_server_message_set_status (msg, reply->status, NULL);
  soup_message_headers_replace (headers, "Content-Type", reply->content_type);

  if (reply->bandwidth == 0 || soup_server_message_get_method (msg) == SOUP_METHOD_HEAD)
    {
      soup_message_body_append_bytes (soup_server_message_get_response_body (msg), reply->body);
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      soup_server_message_unpause (msg);
      return G_SOURCE_REMOVE;
    }

  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CONTENT_LENGTH);
  soup_message_headers_set_content_length (headers, g_bytes_get_size (reply->body));
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (wrote_chunk_cb), reply);
  reply->t0_us = g_get_monotonic_time ();
  send_chunk_cb (reply);

  return G_SOURCE_REMOVE;
}

static void
reply_later (LabImageServer    *self,
             SoupServerMessage *msg,
             guint              status,
             const char        *content_type,
             GBytes            *body)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->self = self;
  reply->msg = g_object_ref (msg);
  reply->status = status;
  reply->content_type = content_type;
  reply->body = body;
  reply->bandwidth = status == SOUP_STATUS_OK ? lab_image_server_get_bandwidth (self) : 0;
  g_hash_table_add (self->replies, reply);
  g_signal_connect_swapped (msg, "finished", G_CALLBACK (reply_finished_cb), reply);
  g_signal_connect_swapped (msg, "disconnected", G_CALLBACK (reply_gone_cb), reply);

  /* The latency of a far-away server: nothing at all, then the answer. */
  soup_server_message_pause (msg);
  reply_schedule (reply, g_atomic_int_get (&self->latency_ms), respond_cb);
}

/* --- a body that stops half way ------------------------------------------ */

typedef struct {
  GIOStream *stream;
  GBytes    *data;
} RawReply;

static void
raw_written_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  RawReply *raw = data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL);
  g_io_stream_close (raw->stream, NULL, NULL);
  g_object_unref (raw->stream);
  g_bytes_unref (raw->data);
  g_free (raw);
}

/* Sends the headers of a whole photo and half its bytes, then hangs up. */
static void
reply_truncated (LabImageServer    *self,
                 SoupServerMessage *msg)
{
  g_autoptr(GBytes) photo = g_bytes_ref (g_ptr_array_index (self->photos, 0));
  gsize half = g_bytes_get_size (photo) / 2;
  GString *out = g_string_new (NULL);
  RawReply *raw = g_new0 (RawReply, 1);

  g_string_append_printf (out, "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n"
                               "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                          g_bytes_get_size (photo));
  g_string_append_len (out, g_bytes_get_data (photo, NULL), half);
  raw->data = g_string_free_to_bytes (out);
  raw->stream = soup_server_message_steal_connection (msg);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (raw->stream),
                                   g_bytes_get_data (raw->data, NULL), g_bytes_get_size (raw->data),
                                   G_PRIORITY_DEFAULT, NULL, raw_written_cb, raw);
}

/* --- routes -------------------------------------------------------------- */

static GBytes *
html_page (const char *text)
{
  char *page = g_strdup_printf ("<!DOCTYPE html>\n<html><body><h1>%s</h1></body></html>\n", text);

  return g_bytes_new_take (page, strlen (page));
}

static gboolean
parse_photo_path (LabImageServer *self,
                  const char     *path,
                  guint          *index)
{
  guint64 n;

  if (!g_str_has_prefix (path, "/photos/photo-") || !g_str_has_suffix (path, ".jpg"))
    return FALSE;
  {
    g_autofree char *digits = g_strndup (path + strlen ("/photos/photo-"),
                                         strlen (path) - strlen ("/photos/photo-") - strlen (".jpg"));
    if (!g_ascii_string_to_unsigned (digits, 10, 1, self->n_images, &n, NULL))
      return FALSE;
  }
  *index = (guint) n - 1;
  return TRUE;
}

static void
handle_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           data)
{
  LabImageServer *self = data;
  const char *method = soup_server_message_get_method (msg);
  guint index;

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
  else if (parse_photo_path (self, path, &index))
    reply_later (self, msg, SOUP_STATUS_OK, "image/jpeg", g_bytes_ref (g_ptr_array_index (self->photos, index)));
  else if (g_str_equal (path, LAB_IMAGE_SERVER_PATH_500))
    reply_later (self, msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/html", html_page ("500 Internal Server Error"));
  else if (g_str_equal (path, LAB_IMAGE_SERVER_PATH_NOT_IMAGE))
    reply_later (self, msg, SOUP_STATUS_OK, "text/html", html_page ("This is a web page, not a photo"));
  else if (g_str_equal (path, LAB_IMAGE_SERVER_PATH_STALL))
    soup_server_message_pause (msg);   /* never answers */
  else if (g_str_equal (path, LAB_IMAGE_SERVER_PATH_TRUNCATED))
    reply_truncated (self, msg);
  else
    reply_later (self, msg, SOUP_STATUS_NOT_FOUND, "text/html", html_page ("404 Not Found"));
}

/* --- the server thread --------------------------------------------------- */

static void
signal_started (LabImageServer *self,
                GError         *error)
{
  g_mutex_lock (&self->mutex);
  self->start_error = error;
  self->started = TRUE;
  g_cond_signal (&self->started_cond);
  g_mutex_unlock (&self->mutex);
}

static gpointer
server_thread (gpointer data)
{
  LabImageServer *self = data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (self->context);

  server = soup_server_new ("server-header", "concurrency-lab ", NULL);
  soup_server_add_handler (server, NULL, handle_cb, self, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      signal_started (self, g_error_new (LAB_ERROR, LAB_ERROR_FAILED,
                                         _("Could not start the image server: %s"), error->message));
      g_main_context_pop_thread_default (self->context);
      return NULL;
    }

  uris = soup_server_get_uris (server);
  self->port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  signal_started (self, NULL);

  g_main_loop_run (self->loop);

  drop_replies (self);
  soup_server_disconnect (server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
lab_image_server_finalize (GObject *object)
{
  LabImageServer *self = (LabImageServer *) object;

  if (self->thread != NULL)
    {
      /* Quit from inside the loop: g_main_loop_quit() before the thread
       * reaches g_main_loop_run() would be lost. */
      GSource *idle = g_idle_source_new ();

      g_source_set_callback (idle, quit_cb, self->loop, NULL);
      g_source_attach (idle, self->context);
      g_source_unref (idle);
      g_thread_join (self->thread);
    }
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->photos, g_ptr_array_unref);
  g_clear_pointer (&self->replies, g_hash_table_unref);
  g_clear_error (&self->start_error);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->started_cond);

  G_OBJECT_CLASS (lab_image_server_parent_class)->finalize (object);
}

static void
lab_image_server_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LabImageServer *self = LAB_IMAGE_SERVER (object);

  switch (prop_id)
    {
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_N_IMAGES:
      g_value_set_uint (value, self->n_images);
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, lab_image_server_get_latency (self));
      break;
    case PROP_BANDWIDTH:
      g_value_set_uint64 (value, lab_image_server_get_bandwidth (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_image_server_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LabImageServer *self = LAB_IMAGE_SERVER (object);

  switch (prop_id)
    {
    case PROP_LATENCY:
      lab_image_server_set_latency (self, g_value_get_uint (value));
      break;
    case PROP_BANDWIDTH:
      lab_image_server_set_bandwidth (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_image_server_class_init (LabImageServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lab_image_server_finalize;
  object_class->get_property = lab_image_server_get_property;
  object_class->set_property = lab_image_server_set_property;

  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_IMAGES] =
    g_param_spec_uint ("n-images", NULL, NULL, 0, LAB_IMAGE_SERVER_MAX_IMAGES, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LATENCY] =
    g_param_spec_uint ("latency", NULL, NULL, 0, 60000, LAB_IMAGE_SERVER_DEFAULT_LATENCY_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BANDWIDTH] =
    g_param_spec_uint64 ("bandwidth", NULL, NULL, 0, G_MAXUINT64, LAB_IMAGE_SERVER_DEFAULT_BANDWIDTH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* A slot is empty when making its photo was cancelled. */
static void
photo_free (gpointer bytes)
{
  g_clear_pointer (&bytes, g_bytes_unref);
}

static void
lab_image_server_init (LabImageServer *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->started_cond);
  self->latency_ms = LAB_IMAGE_SERVER_DEFAULT_LATENCY_MS;
  self->bandwidth = LAB_IMAGE_SERVER_DEFAULT_BANDWIDTH;
  self->photos = g_ptr_array_new_with_free_func (photo_free);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->replies = g_hash_table_new (NULL, NULL);
}

/**
 * lab_image_server_new:
 * @n_images: photos to serve, 1 to %LAB_IMAGE_SERVER_MAX_IMAGES
 * @cancel: (nullable): stops the making of the photos
 *
 * Makes the photos and starts serving them on 127.0.0.1, on a free port,
 * until the last reference is dropped.
 *
 * Returns: (transfer full): a running server, or %NULL with @error set
 *   (%LAB_ERROR_CANCELLED once @cancel is cancelled)
 */
LabImageServer *
lab_image_server_new (guint       n_images,
                      LabCancel  *cancel,
                      GError    **error)
{
  g_autoptr(LabImageServer) self = NULL;

  g_return_val_if_fail (n_images >= 1 && n_images <= LAB_IMAGE_SERVER_MAX_IMAGES, NULL);

  self = g_object_new (LAB_TYPE_IMAGE_SERVER, NULL);
  self->n_images = n_images;
  if (!generate_photos (self, cancel, error))
    return NULL;

  self->thread = g_thread_new ("lab-image-server", server_thread, self);
  g_mutex_lock (&self->mutex);
  while (!self->started)
    g_cond_wait (&self->started_cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  if (self->start_error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      return NULL;
    }

  return g_steal_pointer (&self);
}

guint16
lab_image_server_get_port (LabImageServer *self)
{
  g_return_val_if_fail (LAB_IS_IMAGE_SERVER (self), 0);
  return self->port;
}

guint
lab_image_server_get_n_images (LabImageServer *self)
{
  g_return_val_if_fail (LAB_IS_IMAGE_SERVER (self), 0);
  return self->n_images;
}

char *
lab_image_server_get_url (LabImageServer *self,
                          const char     *path)
{
  g_return_val_if_fail (LAB_IS_IMAGE_SERVER (self), NULL);
  g_return_val_if_fail (path != NULL && path[0] == '/', NULL);
  return g_strdup_printf ("http://127.0.0.1:%u%s", self->port, path);
}

/**
 * lab_image_server_get_photo_urls:
 *
 * Returns: (transfer full): the URL of every photo, in order
 */
GStrv
lab_image_server_get_photo_urls (LabImageServer *self)
{
  GStrv urls;

  g_return_val_if_fail (LAB_IS_IMAGE_SERVER (self), NULL);

  urls = g_new0 (char *, self->n_images + 1);
  for (guint i = 0; i < self->n_images; i++)
    urls[i] = g_strdup_printf ("http://127.0.0.1:%u/photos/photo-%02u.jpg", self->port, i + 1);
  return urls;
}

/**
 * lab_image_server_get_photo:
 * @index: 0 for the first photo
 *
 * Returns: (transfer full): the bytes the server sends for that photo
 */
GBytes *
lab_image_server_get_photo (LabImageServer *self,
                            guint           index)
{
  g_return_val_if_fail (LAB_IS_IMAGE_SERVER (self), NULL);
  g_return_val_if_fail (index < self->n_images, NULL);
  return g_bytes_ref (g_ptr_array_index (self->photos, index));
}

guint
lab_image_server_get_latency (LabImageServer *self)
{
  g_return_val_if_fail (LAB_IS_IMAGE_SERVER (self), 0);
  return g_atomic_int_get (&self->latency_ms);
}

void
lab_image_server_set_latency (LabImageServer *self,
                              guint           latency_ms)
{
  g_return_if_fail (LAB_IS_IMAGE_SERVER (self));

  if (lab_image_server_get_latency (self) == latency_ms)
    return;
  g_atomic_int_set (&self->latency_ms, latency_ms);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATENCY]);
}

guint64
lab_image_server_get_bandwidth (LabImageServer *self)
{
  guint64 value;

  g_return_val_if_fail (LAB_IS_IMAGE_SERVER (self), 0);
  g_mutex_lock (&self->mutex);
  value = self->bandwidth;
  g_mutex_unlock (&self->mutex);
  return value;
}

/**
 * lab_image_server_set_bandwidth:
 * @bytes_per_s: the cap for each response, 0 for none
 */
void
lab_image_server_set_bandwidth (LabImageServer *self,
                                guint64         bytes_per_s)
{
  g_return_if_fail (LAB_IS_IMAGE_SERVER (self));

  if (lab_image_server_get_bandwidth (self) == bytes_per_s)
    return;
  g_mutex_lock (&self->mutex);
  self->bandwidth = bytes_per_s;
  g_mutex_unlock (&self->mutex);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BANDWIDTH]);
}
