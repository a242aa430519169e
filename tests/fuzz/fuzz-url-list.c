/* fuzz-url-list.c — libFuzzer target: the download task's URL list parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Feeds arbitrary bytes to lab_url_list_parse() and checks what it
 * promises: it never crashes; a list it refuses says so with
 * LAB_ERROR_INVALID_ARGUMENT; one it accepts has 1 to LAB_MAX_JOBS lines,
 * each valid UTF-8, numbered in order, failing (not a URL) when the file's
 * line was not UTF-8; and a file name made from a line is valid UTF-8 of
 * at most 200 bytes, with no slash and no leading dot.
 *
 * Built and run by meson with -Dfuzz=true (see tests/fuzz/README.md); by hand,
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -I_build -Isrc/engine tests/fuzz/fuzz-url-list.c \
 *     src/engine/lab-url-list.c src/engine/lab-types.c \
 *     $(pkg-config --cflags --libs glib-2.0) -o fuzz-url-list
 *   ./fuzz-url-list -max_total_time=60 -max_len=200000 corpus-copy/ tests/fuzz/corpus/url-list/
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lab-error.h"
#include "lab-types.h"
#include "lab-url-list.h"

static void
check_file_name (const char *text)
{
  g_autofree char *name = lab_url_file_name (text);

  if (name == NULL)
    return;
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_cmpuint (strlen (name), >, 0);
  g_assert_cmpuint (strlen (name), <=, 200);
  g_assert_null (strchr (name, '/'));
  g_assert_true (name[0] != '.');
}

static void
check_lines (GPtrArray *lines)
{
  guint previous = 0;

  g_assert_cmpuint (lines->len, >=, 1);
  g_assert_cmpuint (lines->len, <=, LAB_MAX_JOBS);
  for (guint i = 0; i < lines->len; i++)
    {
      const LabUrlLine *line = g_ptr_array_index (lines, i);

      g_assert_cmpuint (line->number, >, previous);
      previous = line->number;
      g_assert_true (g_utf8_validate (line->text, -1, NULL));
      g_assert_cmpuint (strlen (line->text), >, 0);
      g_assert_true (line->error == NULL || g_utf8_validate (line->error, -1, NULL));
      check_file_name (line->text);
    }
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_url_line_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = lab_url_list_escape ((const char *) data, size);

  g_assert_true (g_utf8_validate (escaped, -1, NULL));
  if (lab_url_list_parse ((const char *) data, size, lines, &error))
    check_lines (lines);
  else
    g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
  return 0;
}
