/* fuzz-history-row.c — any bytes in a history row, decoded for listing and export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a row as SQLite would hand it over: its text columns (json,
 * task, strategy, params, machine, runtime) separated by NUL bytes, then
 * its numbers (id, created, wall_s, cpu_s as 8 bytes each, workers, jobs,
 * failed as 4, one byte of flags), zeros when short. The row goes through
 * the code `history` and `export` use, and what comes out is checked, not
 * only that nothing crashes: the listing prints as JSON that parses back
 * (and holds no control character as it is in a string, which json-glib
 * would accept), every CSV record has its columns, export works exactly
 * when the row's JSON could be read, and json-glib never nests deeper than
 * _lab_history_json_is_plain() counted.
 *
 * Not built by meson yet. By hand, after `meson setup _build && ninja -C _build`:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *     -I_build -Isrc/engine $(pkg-config --cflags gio-2.0 json-glib-1.0 sqlite3) \
 *     tests/fuzz/fuzz-history-row.c src/engine/lab-history.c \
 *     _build/src/engine/liblab-engine.a _build/src/engine/liblab-core.a \
 *     $(pkg-config --libs gio-2.0 gio-unix-2.0 gmodule-2.0 json-glib-1.0 sqlite3 libsoup-3.0 libjpeg) \
 *     -lm -o _build/fuzz-history-row
 *   _build/fuzz-history-row -max_total_time=60 -max_len=8192 tests/fuzz/corpus/history-row/
 */
#include "config.h"

#include <locale.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "lab-history.h"
#include "lab-history-private.h"

#define N_TEXTS   6
#define MAX_DEPTH 64

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Copies up to @len bytes of @data into @out, zeros after. */
static void
take (const uint8_t **data,
      size_t         *size,
      void           *out,
      size_t          len)
{
  size_t n = MIN (len, *size);

  memset (out, 0, len);
  memcpy (out, *data, n);
  *data += n;
  *size -= n;
}

static LabHistoryEntry *
entry_from_input (const uint8_t *data,
                  size_t         size)
{
  LabHistoryEntry *entry = g_new0 (LabHistoryEntry, 1);
  char **texts[N_TEXTS] = {
    &entry->json, &entry->task, &entry->strategy, &entry->params, &entry->machine, &entry->runtime,
  };
  guint32 counts[3];
  guint8 flags;

  for (guint i = 0; i < N_TEXTS && size > 0; i++)
    {
      const uint8_t *end = memchr (data, '\0', size);
      size_t len = end ? (size_t) (end - data) : size;

      _lab_history_entry_set_text (texts[i], (const char *) data, len);
      data += MIN (len + 1, size);
      size -= MIN (len + 1, size);
    }

  take (&data, &size, &entry->id, sizeof entry->id);
  take (&data, &size, &entry->created, sizeof entry->created);
  take (&data, &size, &entry->wall_s, sizeof entry->wall_s);
  take (&data, &size, &entry->cpu_s, sizeof entry->cpu_s);
  take (&data, &size, counts, sizeof counts);
  take (&data, &size, &flags, sizeof flags);
  entry->workers = counts[0];
  entry->jobs = counts[1];
  entry->failed = counts[2];
  entry->cancelled = flags & 1;
  entry->gil = (flags >> 1) & 1;
  entry->pinned = (flags >> 2) & 1;
  return entry;
}

/* abort(), which libFuzzer catches and keeps the input of (g_error()
 * traps, which it does not). */
static void G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN
fail_check (const char *format,
            ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  abort ();
}

/* json-glib's parser is lenient: JSON does not hold control characters as
 * they are in strings. */
static void
check_strict_strings (const char *text)
{
  gboolean in_string = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (in_string && *p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '"')
        in_string = !in_string;
      else if (in_string && (guchar) *p < 0x20)
        fail_check ("control character %#x in a JSON string: %s", *p, text);
    }
}

static void
check_json_text (const char *text)
{
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_utf8_validate (text, -1, NULL));
  check_strict_strings (text);
  back = json_from_string (text, &error);
  if (back == NULL)
    fail_check ("printed JSON does not parse back (%s): %s", error->message, text);
}

/* Counts the fields of each record (quoted fields may hold commas, quotes
 * and newlines) and checks they are all @n_fields. Returns the records. */
static guint
check_csv (const char *csv,
           guint       n_fields)
{
  gboolean quoted = FALSE;
  guint fields = 1, records = 0;

  g_assert_true (g_utf8_validate (csv, -1, NULL));
  g_assert_true (g_str_has_suffix (csv, "\n"));
  for (const char *p = csv; *p != '\0'; p++)
    {
      if (quoted)
        {
          if (*p == '"' && p[1] == '"')
            p++;
          else if (*p == '"')
            quoted = FALSE;
        }
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == ',')
        fields++;
      else if (*p == '\n')
        {
          if (fields != n_fields)
            fail_check ("a CSV record has %u fields, not %u: %s", fields, n_fields, csv);
          records++;
          fields = 1;
        }
    }
  g_assert_false (quoted);
  return records;
}

static guint
node_depth (JsonNode *node)
{
  guint deepest = 0;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) values = json_object_get_values (json_node_get_object (node));
      for (GList *l = values; l; l = l->next)
        deepest = MAX (deepest, node_depth (l->data));
      return deepest + 1;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autoptr(GList) elements = json_array_get_elements (json_node_get_array (node));
      for (GList *l = elements; l; l = l->next)
        deepest = MAX (deepest, node_depth (l->data));
      return deepest + 1;
    }
  return 0;
}

/* The depth check stands in for json-glib's own nesting: where it lets a
 * text through, json-glib must not go deeper than it counted. */
static void
check_depth_agrees (const char *json)
{
  g_autoptr(JsonNode) root = NULL;
  guint counted = 0;

  if (json == NULL || !_lab_history_json_is_plain (json, MAX_DEPTH))
    return;
  while (!_lab_history_json_is_plain (json, counted))
    counted++;
  if ((root = json_from_string (json, NULL)) != NULL && node_depth (root) > counted)
    fail_check ("json-glib nests %u deep where %u were counted: %s", node_depth (root), counted, json);
}

static void
decode (LabHistoryEntry *entry)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  g_autoptr(JsonNode) run = NULL;
  g_autofree char *text = NULL, *listing = NULL, *exported = NULL, *jobs = NULL;
  g_autoptr(GError) error = NULL;
  gboolean complete = FALSE;

  run = lab_history_entry_to_json (entry, &complete);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (run));
  text = json_to_string (run, TRUE);
  check_json_text (text);

  exported = lab_history_entry_export (entry, LAB_REPORT_JSON, &error);
  g_assert_true ((exported != NULL) == complete);
  if (exported)
    check_json_text (exported);
  g_clear_error (&error);

  jobs = lab_history_entry_export (entry, LAB_REPORT_CSV, &error);
  g_assert_true ((jobs != NULL) == complete);
  if (jobs)
    check_csv (jobs, 10);
  g_clear_error (&error);

  g_ptr_array_add (entries, entry);
  listing = lab_history_format_csv (entries);
  g_assert_cmpuint (check_csv (listing, 9), ==, 2);

  check_depth_agrees (entry->json);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  static const char seed[] = "{\"runs\" : [{\"task\" : \"sleep\", \"job_results\" : [{\"index\" : 0}]}]}";
  LabHistoryEntry *entry;

  setlocale (LC_ALL, "C.UTF-8");
  /* A critical or a warning is a bug found, as under G_DEBUG=fatal-warnings. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  /* GLib and json-glib allocate their types, quarks and time zone once:
   * not leaks of the first input. */
  entry = entry_from_input ((const uint8_t *) seed, sizeof seed - 1);
  decode (entry);
  lab_history_entry_free (entry);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(LabHistoryEntry) entry = entry_from_input (data, size);

  decode (entry);
  return 0;
}
