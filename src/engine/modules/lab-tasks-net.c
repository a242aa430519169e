/* lab-tasks-net.c — the `download` task: HTTP GET of one photo with libsoup
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A loadable module, so that a worker process loads libsoup only when a
 * download job reaches it. It links GLib, GIO and libsoup; lab_* symbols
 * come from the program that loads it.
 *
 * A body is streamed into an unnamed file in the output folder (O_TMPFILE)
 * that gets its name only once the whole body has arrived and passed every
 * check: a failed, cancelled or killed job leaves nothing behind. Where
 * the file system has no O_TMPFILE, a hidden temporary file is renamed.
 */
#define G_LOG_DOMAIN "lab-tasks-net"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <math.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gmodule.h>
#include <libsoup/soup.h>

#include "lab-error.h"
#include "lab-files.h"
#include "lab-image-server.h"
#include "lab-task.h"
#include "lab-url-list.h"

#define DEFAULT_TIMEOUT   30.0
#define MAX_TIMEOUT       3600.0
#define DEFAULT_MAX_BYTES (50 * 1000 * 1000)
#define DEFAULT_PHOTOS    15
#define MAX_PHOTOS        1000
#define CHUNK_SIZE        (256 * 1024)  /* fewer system calls: 20 % less CPU than 64 kB */

typedef struct {
  GPtrArray *urls;       /* char *, one per job, as the user wrote it */
  GPtrArray *names;      /* file name per job; NULL when the URL is unusable */
  GPtrArray *url_errors; /* char *, why a URL is unusable, or NULL */
  char      *output;
  char      *made;       /* what setup made for the output: see lab_files_make_dir() */
  gboolean   temporary;  /* the output is a folder of ours, removed with the plan */
  double     timeout;
  guint64    max_bytes;
  gboolean   all_loopback; /* every URL is on 127.0.0.1 or localhost */
  LabImageServer *server; /* the embedded image server, in the app only */
} NetPlan;

/* One download in progress: the checks and the file, shared by the
 * blocking (threads, processes) and the async code paths. */
typedef struct {
  NetPlan      *plan;
  guint         index;
  LabJobResult *result;
  char         *content_type;
  goffset       content_length;   /* -1 when not sent */
  guint64       received;
  guchar        head[16];
  gsize         head_len;
  gboolean      checked;          /* is an image */
  int           fd;
  char         *tmp_path;         /* NULL with O_TMPFILE */
} Download;

static gboolean net_setup_urls (NetPlan *plan, GVariant *params, LabCancel *cancel, GError **error);

/* --- words for what went wrong ------------------------------------------- */

static char *
format_limit (guint64 bytes)
{
  if (bytes % (1000 * 1000) == 0)
    return g_strdup_printf (_("%" PRIu64 " MB"), bytes / (1000 * 1000));
  return g_format_size (bytes);
}

static GError *
too_large (NetPlan *plan)
{
  g_autofree char *limit = format_limit (plan->max_bytes);
  return g_error_new (LAB_ERROR, LAB_ERROR_FAILED, _("larger than %s (see --max-bytes)"), limit);
}

static char *
host_and_port (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  if (uri == NULL)
    return g_strdup (url);
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf (strchr (g_uri_get_host (uri), ':') ? "[%s]:%d" : "%s:%d",
                            g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup (g_uri_get_host (uri));
}

/* Turns a GIO or libsoup error into words a person can act on. */
static GError *
describe_error (Download *dl,
                GError   *error)
{
  const char *url = g_ptr_array_index (dl->plan->urls, dl->index);
  g_autofree char *host = host_and_port (url);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new_literal (LAB_ERROR, LAB_ERROR_CANCELLED, _("Cancelled"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (LAB_ERROR, LAB_ERROR_FAILED, _("no response in %g s from %s (see --timeout)"),
                        dl->plan->timeout, host);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (LAB_ERROR, LAB_ERROR_FAILED, _("connection refused by %s"), host);
  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (LAB_ERROR, LAB_ERROR_FAILED, _("could not find the host %s"), host);
  if (dl->content_length > 0 && dl->received < (guint64) dl->content_length)
    return g_error_new (LAB_ERROR, LAB_ERROR_FAILED,
                        _("truncated: the connection closed after %" PRIu64 " of %" PRId64 " bytes"),
                        dl->received, (gint64) dl->content_length);
  return g_error_new (LAB_ERROR, LAB_ERROR_FAILED, _("%s: %s"), host, error->message);
}

/* --- the output file ------------------------------------------------------ */

static gboolean
output_open (Download  *dl,
             GError   **error)
{
  const char *name = g_ptr_array_index (dl->plan->names, dl->index);
  g_autofree char *display = NULL;
  int saved;

#ifdef O_TMPFILE
  dl->fd = open (dl->plan->output, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (dl->fd >= 0)
    return TRUE;
#endif
  dl->tmp_path = g_strdup_printf ("%s/.%s.XXXXXX.part", dl->plan->output, name);
  dl->fd = g_mkstemp_full (dl->tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (dl->fd >= 0)
    return TRUE;

  saved = errno;
  g_clear_pointer (&dl->tmp_path, g_free);
  display = g_filename_display_name (dl->plan->output);
  g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not write in %s: %s"),
               display, g_strerror (saved));
  return FALSE;
}

static gboolean
output_write (Download      *dl,
              const guchar  *data,
              gsize          len,
              GError       **error)
{
  while (len > 0)
    {
      gssize n = write (dl->fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_autofree char *display = g_filename_display_name (dl->plan->output);

          g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not write in %s: %s"),
                       display, g_strerror (saved));
          return FALSE;
        }
      data += n;
      len -= n;
    }
  return TRUE;
}

static void
output_discard (Download *dl)
{
  if (dl->fd >= 0)
    close (dl->fd);
  dl->fd = -1;
  if (dl->tmp_path != NULL)
    g_unlink (dl->tmp_path);
  g_clear_pointer (&dl->tmp_path, g_free);
}

/* Gives the finished file its name, replacing an older file of that name
 * in one step (rename), so a reader never sees half a photo. */
static gboolean
output_commit (Download  *dl,
               GError   **error)
{
  const char *name = g_ptr_array_index (dl->plan->names, dl->index);
  g_autofree char *final = g_build_filename (dl->plan->output, name, NULL);
  int saved = 0;

  if (dl->tmp_path == NULL)
    {
      static gint counter;
      g_autofree char *proc = g_strdup_printf ("/proc/self/fd/%d", dl->fd);

      dl->tmp_path = g_strdup_printf ("%s/.%s.%d-%d.part", dl->plan->output, name,
                                      (int) getpid (), g_atomic_int_add (&counter, 1));
      if (linkat (AT_FDCWD, proc, AT_FDCWD, dl->tmp_path, AT_SYMLINK_FOLLOW) != 0)
        {
          saved = errno;
          g_clear_pointer (&dl->tmp_path, g_free);
        }
    }
  if (saved == 0 && g_rename (dl->tmp_path, final) != 0)
    saved = errno;

  output_discard (dl);
  if (saved != 0)
    {
      g_autofree char *display = g_filename_display_name (final);
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not save %s: %s"), display, g_strerror (saved));
    }
  return saved == 0;
}

/* --- the checks ------------------------------------------------------------- */

static gboolean
looks_like_image (const guchar *b,
                  gsize         n)
{
  return (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) ||
         (n >= 8 && memcmp (b, "\x89PNG\r\n\x1a\n", 8) == 0) ||
         (n >= 4 && memcmp (b, "GIF8", 4) == 0) ||
         (n >= 12 && memcmp (b, "RIFF", 4) == 0 && memcmp (b + 8, "WEBP", 4) == 0) ||
         (n >= 4 && (memcmp (b, "II*\0", 4) == 0 || memcmp (b, "MM\0*", 4) == 0)) ||
         (n >= 12 && memcmp (b + 4, "ftyp", 4) == 0) ||   /* AVIF, HEIC */
         (n >= 2 && memcmp (b, "BM", 2) == 0);
}

static gboolean
check_image (Download  *dl,
             GError   **error)
{
  dl->checked = TRUE;
  if (dl->content_type != NULL && g_str_has_prefix (dl->content_type, "image/"))
    return TRUE;
  if (looks_like_image (dl->head, dl->head_len))
    return TRUE;

  g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("not an image (%s)"),
               dl->content_type ? dl->content_type : _("no content type"));
  return FALSE;
}

/* libsoup decodes a gzip or deflate body as it arrives: the Content-Length
 * is then the size of what was sent, not of what we count. */
static gboolean
is_content_encoded (SoupMessageHeaders *headers)
{
  const char *encoding = soup_message_headers_get_one (headers, "Content-Encoding");

  return encoding != NULL && g_ascii_strcasecmp (encoding, "identity") != 0;
}

/* After the response headers: the status, the announced size, a file. */
static gboolean
download_begin (Download     *dl,
                SoupMessage  *msg,
                GError      **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  guint status = soup_message_get_status (msg);

  dl->result->status = status;
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      const char *reason = soup_message_get_reason_phrase (msg);
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, "HTTP %u %s", status,
                   reason && *reason ? reason : soup_status_get_phrase (status));
      return FALSE;
    }

  dl->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  dl->content_length = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
                       !is_content_encoded (headers)
                       ? soup_message_headers_get_content_length (headers) : -1;
  if (dl->content_length > 0 && (guint64) dl->content_length > dl->plan->max_bytes)
    {
      g_propagate_error (error, too_large (dl->plan));
      return FALSE;
    }

  return output_open (dl, error);
}

static gboolean
download_feed (Download      *dl,
               const guchar  *data,
               gsize          len,
               GError       **error)
{
  if (!dl->checked)
    {
      gsize take = MIN (len, sizeof dl->head - dl->head_len);

      memcpy (dl->head + dl->head_len, data, take);
      dl->head_len += take;
      if (dl->head_len == sizeof dl->head && !check_image (dl, error))
        return FALSE;
    }

  dl->received += len;
  dl->result->bytes = dl->received;
  if (dl->received > dl->plan->max_bytes)
    {
      g_propagate_error (error, too_large (dl->plan));
      return FALSE;
    }

  return output_write (dl, data, len, error);
}

static gboolean
download_end (Download  *dl,
              GError   **error)
{
  if (dl->content_length >= 0 && dl->received < (guint64) dl->content_length)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED,
                   _("truncated: the connection closed after %" PRIu64 " of %" PRId64 " bytes"),
                   dl->received, (gint64) dl->content_length);
      return FALSE;
    }
  if (dl->received == 0)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_FAILED, _("empty response (0 bytes)"));
      return FALSE;
    }
  if (!dl->checked && !check_image (dl, error))
    return FALSE;

  return output_commit (dl, error);
}

static void
download_clear (Download *dl)
{
  output_discard (dl);
  g_clear_pointer (&dl->content_type, g_free);
}

/* A URL the task cannot fetch fails its own job, with the reason. */
static gboolean
download_init (Download      *dl,
               NetPlan       *plan,
               guint          index,
               LabJobResult  *result,
               SoupMessage  **msg,
               GError       **error)
{
  const char *url_error = g_ptr_array_index (plan->url_errors, index);

  *dl = (Download) { .plan = plan, .index = index, .result = result, .content_length = -1, .fd = -1 };
  result->bytes = 0;
  result->status = 0;
  if (url_error != NULL)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_FAILED, url_error);
      return FALSE;
    }

  /* "GET", not SOUP_METHOD_GET: that macro interns the string the first
   * time it is read, a race (ThreadSanitizer says so) when two jobs' first
   * downloads start at once. libsoup interns the method itself. */
  *msg = soup_message_new ("GET", g_ptr_array_index (plan->urls, index));
  if (*msg == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("“%s” is not a URL; only http and https URLs are supported"),
                   (const char *) g_ptr_array_index (plan->urls, index));
      return FALSE;
    }
  return TRUE;
}

/* --- blocking: threads and worker processes -------------------------------- */

static gboolean
download_read_all (Download      *dl,
                   GInputStream  *stream,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree guchar *buf = g_malloc (CHUNK_SIZE);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n = g_input_stream_read (stream, buf, CHUNK_SIZE, cancellable, &local_error);

      if (n < 0)
        {
          g_propagate_error (error, describe_error (dl, local_error));
          return FALSE;
        }
      if (n == 0)
        return download_end (dl, error);
      if (!download_feed (dl, buf, n, error))
        return FALSE;
    }
}

static void
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
}

/* libsoup stops through a GCancellable: one for the job, cancelled with
 * the job's token. */
static GCancellable *
job_cancellable_new (LabCancel *cancel,
                     guint     *handler)
{
  GCancellable *cancellable = g_cancellable_new ();

  *handler = lab_cancel_connect (cancel, cancel_cb, cancellable);
  return cancellable;
}

static void
job_cancellable_free (GCancellable *cancellable,
                      LabCancel    *cancel,
                      guint         handler)
{
  lab_cancel_disconnect (cancel, handler);
  g_object_unref (cancellable);
}

static gboolean
net_run_job (gpointer       data,
             gpointer       worker_state,
             guint          index,
             LabJobResult  *result,
             LabCancel     *cancel,
             GError       **error)
{
  NetPlan *plan = data;
  SoupSession *session = worker_state;
  guint handler;
  GCancellable *cancellable = job_cancellable_new (cancel, &handler);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  Download dl;
  gboolean ok;

  if (!download_init (&dl, plan, index, result, &msg, error))
    {
      job_cancellable_free (cancellable, cancel, handler);
      return FALSE;
    }

  stream = soup_session_send (session, msg, cancellable, &local_error);
  if (stream == NULL)
    g_propagate_error (error, describe_error (&dl, local_error));
  ok = stream != NULL && download_begin (&dl, msg, error) && download_read_all (&dl, stream, cancellable, error);
  if (stream != NULL)
    g_input_stream_close (stream, NULL, NULL);
  download_clear (&dl);
  job_cancellable_free (cancellable, cancel, handler);
  return ok;
}

/* --- async: one thread, one event loop ------------------------------------- */

typedef struct {
  Download        dl;
  SoupSession    *session;
  SoupMessage    *msg;
  GInputStream   *stream;
  GCancellable   *cancellable;
  LabCancel      *cancel;
  guint           cancel_handler;
  guchar         *buf;
  LabJobDoneFunc  done;
  gpointer        user_data;
} AsyncDownload;

static void
async_finish (AsyncDownload *ad,
              GError        *error)
{
  LabJobDoneFunc done = ad->done;
  gpointer user_data = ad->user_data;

  if (ad->stream != NULL)
    g_input_stream_close_async (ad->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  download_clear (&ad->dl);
  g_clear_object (&ad->stream);
  g_clear_object (&ad->msg);
  job_cancellable_free (ad->cancellable, ad->cancel, ad->cancel_handler);
  g_free (ad->buf);
  g_free (ad);
  done (error, user_data);
}

/* Handles one read; returns TRUE when more should be read. */
static gboolean
async_got (AsyncDownload *ad,
           gssize         n,
           GError        *error)
{
  g_autoptr(GError) local_error = NULL;

  if (n < 0)
    async_finish (ad, describe_error (&ad->dl, error));
  else if (n == 0)
    async_finish (ad, download_end (&ad->dl, &local_error) ? NULL : g_steal_pointer (&local_error));
  else if (!download_feed (&ad->dl, ad->buf, n, &local_error))
    async_finish (ad, g_steal_pointer (&local_error));
  else
    return TRUE;
  return FALSE;
}

static void async_read_next (AsyncDownload *ad);

static void
async_read_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  AsyncDownload *ad = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (async_got (ad, n, error))
    async_read_next (ad);
}

static gboolean
async_readable_cb (GObject  *stream,
                   gpointer  data)
{
  async_read_next (data);
  return G_SOURCE_REMOVE;
}

/* Reads what has arrived without waiting, then waits for more: one main
 * loop iteration per burst of data rather than one (and a GTask) per
 * chunk as with g_input_stream_read_async(). */
static void
async_read_next (AsyncDownload *ad)
{
  GPollableInputStream *pollable = G_POLLABLE_INPUT_STREAM (ad->stream);

  if (!G_IS_POLLABLE_INPUT_STREAM (ad->stream) || !g_pollable_input_stream_can_poll (pollable))
    {
      g_input_stream_read_async (ad->stream, ad->buf, CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                 ad->cancellable, async_read_cb, ad);
      return;
    }

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (pollable, ad->buf, CHUNK_SIZE, ad->cancellable, &error);
      g_autoptr(GSource) source = NULL;

      if (n >= 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          if (!async_got (ad, n, error))
            return;
          continue;
        }
      source = g_pollable_input_stream_create_source (pollable, ad->cancellable);
      g_source_set_callback (source, G_SOURCE_FUNC (async_readable_cb), ad, NULL);
      g_source_attach (source, g_main_context_get_thread_default ());
      return;
    }
}

static void
async_sent_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      data)
{
  AsyncDownload *ad = data;
  g_autoptr(GError) error = NULL;

  ad->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (ad->stream == NULL)
    {
      async_finish (ad, describe_error (&ad->dl, error));
      return;
    }
  if (!download_begin (&ad->dl, ad->msg, &error))
    {
      async_finish (ad, g_steal_pointer (&error));
      return;
    }

  ad->buf = g_malloc (CHUNK_SIZE);
  async_read_next (ad);
}

static void
net_start_job (gpointer        data,
               gpointer        worker_state,
               guint           index,
               LabJobResult   *result,
               LabCancel      *cancel,
               GMainContext   *context,
               LabJobDoneFunc  done,
               gpointer        user_data)
{
  AsyncDownload *ad = g_new0 (AsyncDownload, 1);
  GError *error = NULL;

  g_assert (context == g_main_context_get_thread_default ());

  ad->session = worker_state;
  ad->done = done;
  ad->user_data = user_data;
  ad->cancel = cancel;
  ad->cancellable = job_cancellable_new (cancel, &ad->cancel_handler);
  if (!download_init (&ad->dl, data, index, result, &ad->msg, &error))
    {
      async_finish (ad, error);
      return;
    }

  soup_session_send_async (ad->session, ad->msg, G_PRIORITY_DEFAULT, ad->cancellable, async_sent_cb, ad);
}

/* --- sessions ----------------------------------------------------------------- */

/* One session per worker thread or process. Its connection limits are
 * the highest worker count, so only --workers limits a run. */
static gpointer
net_worker_init (gpointer data)
{
  NetPlan *plan = data;
  SoupSession *session;

  session = soup_session_new_with_options ("max-conns", LAB_MAX_WORKERS,
                                           "max-conns-per-host", LAB_MAX_WORKERS,
                                           "timeout", (guint) ceil (plan->timeout),
                                           "user-agent", "concurrency-lab/" PACKAGE_VERSION " ",
                                           NULL);
  /* No proxy stands between a program and its own machine (GNOME's
   * default ignore-hosts says the same); asking the proxy resolver costs
   * about 8 % of a local run's CPU time. */
  if (plan->all_loopback)
    soup_session_set_proxy_resolver (session, NULL);
  return session;
}

static void
net_worker_free (gpointer state)
{
  g_object_unref (state);
}

/* --- setup --------------------------------------------------------------------- */

/* Removes what setup made that no job filled: the output folder (and its
 * parents) when it made it and it is empty; its own temporary folder,
 * with the downloads in it. */
static void
net_plan_free (gpointer data)
{
  NetPlan *plan = data;

  if (plan->temporary)
    {
      g_autofree char *parent = g_path_get_dirname (plan->output);

      lab_files_remove_tree (plan->output);
      lab_files_unmake_dir (parent, plan->made);
    }
  else if (plan->output != NULL)
    lab_files_unmake_dir (plan->output, plan->made);

  g_ptr_array_unref (plan->urls);
  g_ptr_array_unref (plan->names);
  g_ptr_array_unref (plan->url_errors);
  g_free (plan->output);
  g_free (plan->made);
  /* The embedded server stops with the last reference. */
  g_clear_object (&plan->server);
  g_free (plan);
}

/* Without --output, the downloads go to a new folder of ours in the user
 * cache that the plan removes: files the user did not ask to keep must
 * not pile up. Returns %NULL with errno set on failure. */
static char *
make_temporary_output (char **made)
{
  g_autofree char *parent = lab_files_dup_cache_dir ();

  /* Another run may remove the parent it made between our two steps. */
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      g_autofree char *dir = g_build_filename (parent, "downloads-XXXXXX", NULL);

      g_clear_pointer (made, g_free);
      if (lab_files_make_dir (parent, 0755, made) != 0)
        return NULL;
      if (g_mkdtemp (dir) != NULL)
        return g_steal_pointer (&dir);
      if (errno != ENOENT)
        return NULL;
    }
  return NULL;
}

static gboolean
net_setup_output (NetPlan   *plan,
                  GVariant  *params,
                  GError   **error)
{
  g_autofree char *probe = NULL;
  g_autofree char *display = NULL;
  int fd, saved;

  if (!lab_params_dup_path (params, LAB_PARAM_OUTPUT, &plan->output, error))
    return FALSE;
  if (plan->output == NULL)
    {
      if (!(plan->output = make_temporary_output (&plan->made)))
        {
          saved = errno;
          plan->output = lab_files_dup_cache_dir ();
          goto failed;
        }
      plan->temporary = TRUE;
    }
  else if (lab_files_make_dir (plan->output, 0755, &plan->made) != 0)
    {
      saved = errno;
      goto failed;
    }

  /* Fail before any job starts, not once per job. */
  probe = g_build_filename (plan->output, ".concurrency-lab-XXXXXX", NULL);
  if ((fd = g_mkstemp (probe)) < 0)
    {
      saved = errno;
      goto failed;
    }
  close (fd);
  g_unlink (probe);
  return TRUE;

failed:
  display = g_filename_display_name (plan->output);
  g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
               _("Cannot write to the output folder %s: %s"), display, g_strerror (saved));
  return FALSE;
}

static gpointer
net_setup (GVariant   *params,
           LabCancel  *cancel,
           GError    **error)
{
  g_autoptr(GVariant) timeout = NULL;
  NetPlan *plan = g_new0 (NetPlan, 1);

  plan->urls = g_ptr_array_new_with_free_func (g_free);
  plan->names = g_ptr_array_new_with_free_func (g_free);
  plan->url_errors = g_ptr_array_new_with_free_func (g_free);
  plan->timeout = DEFAULT_TIMEOUT;

  timeout = g_variant_lookup_value (params, LAB_PARAM_TIMEOUT, G_VARIANT_TYPE_DOUBLE);
  if (timeout != NULL)
    plan->timeout = g_variant_get_double (timeout);
  if (!(plan->timeout > 0 && plan->timeout <= MAX_TIMEOUT))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--timeout must be more than 0 and at most %.0f seconds"), MAX_TIMEOUT);
      goto failed;
    }

  /* The folder first: a bad one is reported before the server starts. */
  if (!lab_params_get_uint64 (params, LAB_PARAM_MAX_BYTES, DEFAULT_MAX_BYTES, 1, G_MAXINT64,
                              &plan->max_bytes, error) ||
      !net_setup_output (plan, params, error))
    goto failed;
  if (!net_setup_urls (plan, params, cancel, error))
    goto failed;

  return plan;

failed:
  net_plan_free (plan);
  return NULL;
}

/* --- URLs and file names -------------------------------------------------- */

static gboolean
is_loopback (const char *host)
{
  return g_str_equal (host, "127.0.0.1") || g_str_equal (host, "localhost");
}

/* Why @url cannot be fetched, or %NULL. Parsed without decoding: a
 * percent-escape need not be UTF-8 (caf%E9.jpg is a URL). */
static char *
check_url (const char *url,
           GUri       *uri)
{
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;
  const char *host = uri ? g_uri_get_host (uri) : NULL;
  g_autofree char *shown = lab_url_list_escape (url, strlen (url));

  if (uri != NULL && g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    return g_strdup_printf (_("%s: only http and https URLs are supported"), shown);
  if (uri == NULL || host == NULL || host[0] == '\0')
    return g_strdup_printf (_("“%s” is not a URL; only http and https URLs are supported"), shown);
  return NULL;
}

/* One job: its URL, and the file name it saves to (unique in the run), or
 * why it fails: the list said so (@line_error), or the URL does. */
static void
add_url (NetPlan    *plan,
         GHashTable *used,
         const char *url,
         const char *line_error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  char *why = line_error ? g_strdup (line_error) : check_url (url, uri);
  g_autofree char *name = NULL;

  g_ptr_array_add (plan->urls, g_strdup (url));
  g_ptr_array_add (plan->url_errors, why);
  if (why != NULL)
    {
      g_ptr_array_add (plan->names, NULL);
      return;
    }

  if (!is_loopback (g_uri_get_host (uri)))
    plan->all_loopback = FALSE;
  name = lab_url_file_name (url);
  g_ptr_array_add (plan->names, lab_files_unique_name (used, name, NULL));
}

/* The URLs given as a parameter: the user's (valid UTF-8, as "as" is),
 * or the app's for a worker process, with the failures it found
 * (LAB_PARAM_URL_ERRORS: lines of the list that were not UTF-8). */
static void
given_lines (GVariant   *params,
             const char *const *given,
             GPtrArray  *lines)
{
  g_autoptr(GVariant) errors = params ? g_variant_lookup_value (params, LAB_PARAM_URL_ERRORS, G_VARIANT_TYPE ("a{us}"))
                                      : NULL;

  for (guint i = 0; given[i] != NULL; i++)
    {
      LabUrlLine *line = g_new0 (LabUrlLine, 1);

      line->number = i + 1;
      line->text = g_strdup (given[i]);
      g_ptr_array_add (lines, line);
    }
  for (guint i = 0; errors != NULL && i < g_variant_n_children (errors); i++)
    {
      guint32 index;
      const char *why;

      g_variant_get_child (errors, i, "{u&s}", &index, &why);
      if (index < lines->len)
        {
          LabUrlLine *line = g_ptr_array_index (lines, index);

          g_free (line->error);
          line->error = g_strdup (why);
        }
    }
}

/* The embedded server (lab-image-server.c, in this module): started in
 * the app only; worker processes get its URLs (net_resolve_params()). */
static gboolean
start_server (NetPlan    *plan,
              guint       n_photos,
              LabCancel  *cancel,
              GPtrArray  *lines,
              GError    **error)
{
  g_auto(GStrv) urls = NULL;

  if (!(plan->server = lab_image_server_new (n_photos, cancel, error)))
    return FALSE;
  urls = lab_image_server_get_photo_urls (plan->server);
  given_lines (NULL, (const char * const *) urls, lines);
  return TRUE;
}

static gboolean
net_setup_urls (NetPlan    *plan,
                GVariant   *params,
                LabCancel  *cancel,
                GError    **error)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_url_line_free);
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree const char **given = NULL;
  g_autofree char *file = NULL;
  gboolean has_jobs = g_variant_lookup (params, LAB_PARAM_JOBS, "u", NULL);
  guint n_photos;

  g_variant_lookup (params, LAB_PARAM_URLS, "^a&s", &given);
  if (!lab_params_dup_path (params, LAB_PARAM_URLS_FILE, &file, error))
    return FALSE;

  if ((given != NULL || file != NULL) && has_jobs)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("--jobs is the number of photos of the embedded server; with --urls each line is a job"));
      return FALSE;
    }

  if (given != NULL)
    given_lines (params, given, lines);
  else if (file != NULL && !lab_url_list_read (file, lines, error))
    return FALSE;
  else if (file == NULL &&
           (!lab_params_get_uint (params, LAB_PARAM_JOBS, DEFAULT_PHOTOS, 1, MAX_PHOTOS, &n_photos, error) ||
            !start_server (plan, n_photos, cancel, lines, error)))
    return FALSE;

  if (lines->len == 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("No URLs to download"));
      return FALSE;
    }

  plan->all_loopback = TRUE;
  for (guint i = 0; i < lines->len; i++)
    {
      LabUrlLine *line = g_ptr_array_index (lines, i);
      add_url (plan, used, line->text, line->error);
    }
  return TRUE;
}

/* What the worker processes get: the URLs and folder decided here, and
 * the jobs that fail for what their line is. */
static GVariant *
net_resolve_params (gpointer data)
{
  NetPlan *plan = data;
  GVariantDict dict;
  GVariantBuilder errors;
  gboolean any = FALSE;

  g_variant_builder_init (&errors, G_VARIANT_TYPE ("a{us}"));
  for (guint i = 0; i < plan->url_errors->len; i++)
    if (g_ptr_array_index (plan->url_errors, i) != NULL)
      {
        g_variant_builder_add (&errors, "{us}", i, g_ptr_array_index (plan->url_errors, i));
        any = TRUE;
      }

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert_value (&dict, LAB_PARAM_URLS,
                               g_variant_new_strv ((const char * const *) plan->urls->pdata, plan->urls->len));
  if (any)
    g_variant_dict_insert_value (&dict, LAB_PARAM_URL_ERRORS, g_variant_builder_end (&errors));
  else
    g_variant_builder_clear (&errors);
  g_variant_dict_insert_value (&dict, LAB_PARAM_OUTPUT, g_variant_new_bytestring (plan->output));
  /* The Python runtime names its files as this task does; a job whose
   * line failed has no name ("" here, and its error). */
  {
    g_autoptr(GPtrArray) names = g_ptr_array_new ();
    for (guint i = 0; i < plan->names->len; i++)
      g_ptr_array_add (names, g_ptr_array_index (plan->names, i) ? g_ptr_array_index (plan->names, i) : (gpointer) "");
    g_variant_dict_insert_value (&dict, LAB_PARAM_NAMES,
                                 g_variant_new_strv ((const char * const *) names->pdata, names->len));
  }
  g_variant_dict_insert (&dict, LAB_PARAM_TIMEOUT, "d", plan->timeout);
  g_variant_dict_insert (&dict, LAB_PARAM_MAX_BYTES, "t", plan->max_bytes);
  return g_variant_dict_end (&dict);
}

static guint
net_get_n_jobs (gpointer data)
{
  return ((NetPlan *) data)->urls->len;
}

G_MODULE_EXPORT const LabTaskClass lab_task_download;

/* Exported: lab-task.c's table finds the task by this name. */
const LabTaskClass lab_task_download = {
  .setup = net_setup,
  .plan_free = net_plan_free,
  .get_n_jobs = net_get_n_jobs,
  .worker_init = net_worker_init,
  .worker_free = net_worker_free,
  .run_job = net_run_job,
  .resolve_params = net_resolve_params,
  .start_job = net_start_job,
};
