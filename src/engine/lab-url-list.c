/* lab-url-list.c — the download task's URL list: one URL a line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * In lab-core, with GLib alone, so that the parser can be tested and
 * fuzzed (tests/fuzz/fuzz-url-list.c) without a network or a module.
 */
#define G_LOG_DOMAIN "lab-url-list"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lab-error.h"
#include "lab-types.h"
#include "lab-url-list.h"

#define READ_CHUNK  (64 * 1024)
#define MAX_NAME    200   /* bytes of a file name made from a URL */
#define SHOWN_MAX   200   /* characters of a line that is not UTF-8 */

void
lab_url_line_free (LabUrlLine *line)
{
  if (line == NULL)
    return;
  g_free (line->text);
  g_free (line->error);
  g_free (line);
}

static gboolean
is_control (gunichar c)
{
  return c < 0x20 || c == 0x7f;
}

/**
 * lab_url_list_escape:
 *
 * @text as valid UTF-8 that shows every byte: a byte that is not part of
 * a UTF-8 character, and a control character, become \xNN; a backslash
 * becomes \\ (so the escapes cannot be mistaken for the line's own text).
 *
 * Returns: (transfer full): the escaped text
 */
char *
lab_url_list_escape (const char *text,
                     gsize       len)
{
  GString *out = g_string_sized_new (len);
  const char *p = text, *end = text + len;

  while (p < end)
    {
      const char *valid_end;

      g_utf8_validate_len (p, end - p, &valid_end);
      for (; p < valid_end; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (c == '\\')
            g_string_append (out, "\\\\");
          else if (is_control (c))
            g_string_append_printf (out, "\\x%02X", c);
          else
            g_string_append_len (out, p, g_utf8_next_char (p) - p);
        }
      if (p < end)
        g_string_append_printf (out, "\\x%02X", (guchar) *p++);
    }
  return g_string_free (out, FALSE);
}

/* A line that is no URL is shown, not fetched: its start is enough, and
 * it travels to each worker process (in a frame of at most 1 MiB). */
static void
shorten (char **text)
{
  if (g_utf8_strlen (*text, -1) > SHOWN_MAX)
    {
      g_autofree char *start = g_utf8_substring (*text, 0, SHOWN_MAX);

      g_free (*text);
      *text = g_strconcat (start, "…", NULL);
    }
}

/* Adds the line [start, start + len) unless it is blank or a comment. A
 * line that is not text fails the whole list; one that is not UTF-8 is
 * a job that fails. */
static gboolean
add_line (const char  *start,
          gsize        len,
          guint        number,
          GPtrArray   *lines,
          GError     **error)
{
  LabUrlLine *line;

  if (memchr (start, '\0', len) != NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("line %u contains a NUL byte (is it a text file?)"), number);
      return FALSE;
    }
  if (len > LAB_URL_LIST_MAX_LINE)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("line %u is longer than %u KiB"), number, LAB_URL_LIST_MAX_LINE / 1024);
      return FALSE;
    }

  while (len > 0 && g_ascii_isspace (start[0]))
    start++, len--;
  while (len > 0 && g_ascii_isspace (start[len - 1]))
    len--;
  if (len == 0 || start[0] == '#')
    return TRUE;

  /* A URL is kept as written; messages escape what they show of it. */
  line = g_new0 (LabUrlLine, 1);
  line->number = number;
  if (g_utf8_validate_len (start, len, NULL))
    line->text = g_strndup (start, len);
  else
    {
      line->text = lab_url_list_escape (start, len);
      shorten (&line->text);
      line->error = g_strdup_printf (_("line %u is not valid UTF-8: “%s”"), number, line->text);
    }
  g_ptr_array_add (lines, line);
  return TRUE;
}

/**
 * lab_url_list_parse:
 * @data: the list's bytes; need not end with a NUL
 * @lines: (element-type LabUrlLine): where the lines with a URL go, one
 *   per job
 *
 * One URL a line; blank lines and lines starting with # are skipped, and
 * so are spaces around a URL and a UTF-8 byte order mark.
 *
 * Returns: %FALSE with %LAB_ERROR_INVALID_ARGUMENT when the list cannot
 *   be used at all: too large, a line too long or with a NUL byte, no URL
 *   or more than %LAB_MAX_JOBS
 */
gboolean
lab_url_list_parse (const char  *data,
                    gsize        len,
                    GPtrArray   *lines,
                    GError     **error)
{
  guint first = lines->len, number = 0;
  gsize start = 0;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len > LAB_URL_LIST_MAX_SIZE)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("it is larger than 256 MiB"));
      return FALSE;
    }
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    start = 3;

  while (start < len)
    {
      const char *newline = memchr (data + start, '\n', len - start);
      gsize end = newline ? (gsize) (newline - data) : len;

      if (!add_line (data + start, end - start, ++number, lines, error))
        return FALSE;
      if (lines->len - first > LAB_MAX_JOBS)
        break;
      start = end + 1;
    }

  if (lines->len == first || lines->len - first > LAB_MAX_JOBS)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("it must have between 1 and %u URLs (one a line)"), LAB_MAX_JOBS);
      return FALSE;
    }
  return TRUE;
}

/* Whether what was read so far already fails the list: a NUL byte, or a
 * last line longer than any line may be. Reading stops there, so that
 * --urls=/dev/zero fails at once rather than after 256 MiB. */
static gboolean
already_bad (GByteArray *data,
             gsize       chunk_start)
{
  const guint8 *last_newline = NULL;

  if (memchr (data->data + chunk_start, '\0', data->len - chunk_start) != NULL)
    return TRUE;
  for (gsize i = data->len; i > 0 && last_newline == NULL; i--)
    if (data->data[i - 1] == '\n')
      last_newline = data->data + i - 1;
  return data->len - (last_newline ? (gsize) (last_newline + 1 - data->data) : 0) > LAB_URL_LIST_MAX_LINE;
}

/* Reads at most one byte more than LAB_URL_LIST_MAX_SIZE; returns %NULL
 * with errno set when reading fails. */
static GByteArray *
read_bounded (int fd)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();

  for (;;)
    {
      gsize start = data->len;
      gssize n;

      g_byte_array_set_size (data, start + READ_CHUNK);
      do
        n = read (fd, data->data + start, READ_CHUNK);
      while (n < 0 && errno == EINTR);
      if (n < 0)
        return NULL;
      g_byte_array_set_size (data, start + n);
      if (n == 0 || data->len > LAB_URL_LIST_MAX_SIZE || already_bad (data, start))
        return g_steal_pointer (&data);
    }
}

/**
 * lab_url_list_read:
 * @path: the list, a file name (bytes)
 *
 * Reads and parses a URL list (see lab_url_list_parse()), reading no
 * more of it than it takes to know it is too large or not text.
 *
 * Returns: %FALSE with %LAB_ERROR_INVALID_ARGUMENT and a message naming
 *   the file when it cannot be read or used
 */
gboolean
lab_url_list_read (const char  *path,
                   GPtrArray   *lines,
                   GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autoptr(GByteArray) data = NULL;
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int saved = errno;

  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > LAB_URL_LIST_MAX_SIZE)
    {
      close (fd);
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("Cannot use the URL list %s: %s"),
                   display, _("it is larger than 256 MiB"));
      return FALSE;
    }
  if (fd >= 0)
    {
      data = read_bounded (fd);
      saved = errno;
      close (fd);
    }
  if (data == NULL)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("Cannot read the URL list %s: %s"), display, g_strerror (saved));
      return FALSE;
    }
  if (!lab_url_list_parse ((const char *) data->data, data->len, lines, error))
    {
      g_prefix_error (error, _("Cannot use the URL list %s: "), display);
      return FALSE;
    }
  return TRUE;
}

/* The bytes of the last segment of @uri's path, percent-decoded, with no
 * byte that a file name cannot or should not hold. */
static GString *
last_segment (GUri *uri)
{
  const char *path = g_uri_get_path (uri);
  const char *slash = strrchr (path, '/');
  const char *segment = slash ? slash + 1 : path;
  g_autoptr(GBytes) bytes = g_uri_unescape_bytes (segment, -1, NULL, NULL);
  gsize len = bytes ? g_bytes_get_size (bytes) : strlen (segment);
  const char *data = bytes ? g_bytes_get_data (bytes, NULL) : segment;
  GString *name = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    g_string_append_c (name, ((guchar) data[i] < 0x20 || data[i] == 0x7f ||
                              data[i] == '/' || data[i] == '\\') ? '_' : data[i]);
  return name;
}

/**
 * lab_url_file_name:
 *
 * A file name for what @url points to: the last part of its path,
 * percent-decoded (%E9 is a byte, perhaps not UTF-8), made valid UTF-8,
 * at most 200 bytes, without slashes, control characters or a leading
 * dot (hidden names are the app's temporary files); "download" when
 * nothing is left.
 *
 * Returns: (transfer full) (nullable): the name, or %NULL when @url
 *   cannot be parsed
 */
char *
lab_url_file_name (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GString) bytes = NULL;
  g_autofree char *name = NULL;
  const char *end;

  if (uri == NULL)
    return NULL;
  bytes = last_segment (uri);
  name = g_utf8_make_valid (bytes->str, bytes->len);
  if (name[0] == '\0' || g_str_equal (name, ".") || g_str_equal (name, ".."))
    return g_strdup ("download");
  if (name[0] == '.')
    {
      char *shown = g_strconcat ("_", name, NULL);
      g_free (name);
      name = shown;
    }

  /* Last, so that nothing lengthens it again (found by fuzzing). */
  if (strlen (name) > MAX_NAME)
    {
      end = g_utf8_find_prev_char (name, name + MAX_NAME + 1);
      name[end - name] = '\0';
    }
  return g_steal_pointer (&name);
}
