/* test-url-list.c — the URL list parser, file names from URLs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lab-error.h"
#include "lab-files.h"
#include "lab-types.h"
#include "lab-url-list.h"
#include "lab-test-util.h"

typedef struct {
  const char *data;
  gssize      len;       /* -1: strlen */
  guint       n_lines;   /* when it parses */
  const char *first;     /* the first line's text */
  const char *message;   /* the list's error, or the first line's */
} Case;

static const Case cases[] = {
  { "http://a/1.jpg\nhttp://a/2.jpg\n", -1, 2, "http://a/1.jpg", NULL },
  { "# photos\n\n  http://a/1.jpg  \r\n\t\n", -1, 1, "http://a/1.jpg", NULL },
  { "\xEF\xBB\xBFhttp://a/1.jpg", -1, 1, "http://a/1.jpg", NULL },
  { "http://127.0.0.1:1/\xff.jpg\n", -1, 1, "http://127.0.0.1:1/\\xFF.jpg",
    "line 1 is not valid UTF-8: “http://127.0.0.1:1/\\xFF.jpg”" },
  { "http://a/\n\nhttp://a/b\\c\xc3\n", -1, 2, "http://a/", NULL },
  { "http://a/b\\c.jpg\n", -1, 1, "http://a/b\\c.jpg", NULL },   /* as written */
  { "http://a/1.jpg\nhttp://a/\0.jpg\nhttp://a/3.jpg\n", 40, 0, NULL, "line 2 contains a NUL byte" },
  { "", 0, 0, NULL, "it must have between 1 and" },
  { "# only a comment\n\n", -1, 0, NULL, "it must have between 1 and" },
};

static void
test_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_url_line_free);
      g_autoptr(GError) error = NULL;
      gboolean ok = lab_url_list_parse (c->data, c->len < 0 ? strlen (c->data) : (gsize) c->len, lines, &error);

      g_test_message ("case %u", i);
      if (c->first == NULL)
        {
          g_assert_false (ok);
          g_assert_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT);
          g_assert_nonnull (strstr (error->message, c->message));
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpuint (lines->len, ==, c->n_lines);
      g_assert_cmpstr (((LabUrlLine *) lines->pdata[0])->text, ==, c->first);
      g_assert_cmpstr (((LabUrlLine *) lines->pdata[0])->error, ==, c->message);
      for (guint j = 0; j < lines->len; j++)
        g_assert_true (g_utf8_validate (((LabUrlLine *) lines->pdata[j])->text, -1, NULL));
    }
}

/* Escapes can be told from the text: a backslash is doubled. */
static void
test_escape (void)
{
  static const struct { const char *in; const char *out; } escapes[] = {
    { "caf\xc3\xa9", "caf\xc3\xa9" },
    { "a\\xFF", "a\\\\xFF" },
    { "a\xff", "a\\xFF" },
    { "a\x1b[31m", "a\\x1B[31m" },
    { "\xc3", "\\xC3" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (escapes); i++)
    {
      g_autofree char *out = lab_url_list_escape (escapes[i].in, strlen (escapes[i].in));
      g_assert_cmpstr (out, ==, escapes[i].out);
    }
}

/* Too long a line, too many lines: refused, not cut. */
static void
test_limits (void)
{
  gsize long_len = 10 + LAB_URL_LIST_MAX_LINE + 1;
  g_autofree char *long_line = g_malloc (long_len);
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_url_line_free);
  g_autoptr(GError) error = NULL;

  memset (long_line, 'a', long_len);
  memcpy (long_line, "http://a/\n", 10);
  g_assert_false (lab_url_list_parse (long_line, long_len, lines, &error));
  g_assert_nonnull (strstr (error->message, "line 2 is longer than 64 KiB"));
  g_clear_error (&error);

  for (guint i = 0; i <= LAB_MAX_JOBS; i++)
    g_string_append (many, "http://a/\n");
  g_ptr_array_set_size (lines, 0);
  g_assert_false (lab_url_list_parse (many->str, many->len, lines, &error));
  g_assert_nonnull (strstr (error->message, "it must have between 1 and"));
  g_clear_error (&error);

  /* A long line that is not UTF-8 is shown by its start. */
  memset (long_line + 10, 0xff, LAB_URL_LIST_MAX_LINE);
  g_ptr_array_set_size (lines, 0);
  g_assert_true (lab_url_list_parse (long_line, 10 + LAB_URL_LIST_MAX_LINE, lines, &error));
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpuint (strlen (((LabUrlLine *) lines->pdata[1])->error), <, 1000);
  g_assert_true (g_str_has_suffix (((LabUrlLine *) lines->pdata[1])->text, "\\xFF…"));
}

/* A file is read no further than it takes to know it is no list. */
static void
test_read (void)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_url_line_free);
  g_autoptr(GError) error = NULL;

  g_assert_false (lab_url_list_read ("/dev/zero", lines, &error));
  g_assert_cmpstr (error->message, ==, "Cannot use the URL list /dev/zero: line 1 contains a NUL byte (is it a text file?)");
  g_clear_error (&error);
  g_assert_false (lab_url_list_read ("/nonexistent/urls.txt", lines, &error));
  g_assert_cmpstr (error->message, ==, "Cannot read the URL list /nonexistent/urls.txt: No such file or directory");
  g_clear_error (&error);
  g_assert_false (lab_url_list_read ("/", lines, &error));
  g_assert_nonnull (strstr (error->message, "Is a directory"));
}

static void
test_file_names (void)
{
  static const struct { const char *url; const char *name; } names[] = {
    { "http://a/photos/photo-01.jpg?size=large", "photo-01.jpg" },
    { "http://a/caf%E9.jpg", "caf\xef\xbf\xbd.jpg" },
    { "http://a/caf%C3%A9.jpg", "caf\xc3\xa9.jpg" },
    { "http://a/a%2Fb%00c.jpg", "a_b_c.jpg" },
    { "http://a/.hidden", "_.hidden" },
    { "http://a/", "download" },
    { "http://a/%2E%2E", "download" },
    { "http://a", "download" },
  };
  g_autoptr(GString) long_url = g_string_new ("http://a/");
  g_autofree char *name = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *got = lab_url_file_name (names[i].url);
      g_assert_cmpstr (got, ==, names[i].name);
    }
  g_assert_null (lab_url_file_name ("not a url"));

  /* 300 × "é" escaped as a byte each: 200 bytes of valid UTF-8 at most. */
  for (guint i = 0; i < 300; i++)
    g_string_append (long_url, "%E9");
  name = lab_url_file_name (long_url->str);
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_cmpuint (strlen (name), <=, 200);
  g_assert_cmpuint (strlen (name), >, 190);
}

/* Found by tests/fuzz/fuzz-url-list.c: a hidden name of 200 bytes got
 * its “_” after being cut to 200, and so was 201 bytes long. */
static void
test_file_name_fuzz_crash (void)
{
  static const char crash[] = "p:/\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
                              "/.\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
                              "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
                              "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
                              "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xffppg\nh\xda";
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_url_line_free);
  g_autoptr(GString) hidden = g_string_new ("http://a/.");
  g_autofree char *name = NULL;

  g_assert_true (lab_url_list_parse (crash, sizeof crash - 1, lines, NULL));
  for (guint i = 0; i < lines->len; i++)
    {
      g_autofree char *line_name = lab_url_file_name (((LabUrlLine *) lines->pdata[i])->text);
      g_assert_true (line_name == NULL || strlen (line_name) <= 200);
    }

  for (guint i = 0; i < 250; i++)
    g_string_append_c (hidden, 'x');
  name = lab_url_file_name (hidden->str);
  g_assert_cmpuint (strlen (name), ==, 200);
  g_assert_true (g_str_has_prefix (name, "_.xxx"));
}

static void
test_unique_names (void)
{
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *wished[][2] = {
    { "a-3", ".jpg" }, { "a", ".jpg" }, { "a", ".jpg" }, { "a", ".jpg" },
  };
  const char *expected[] = { "a-3.jpg", "a.jpg", "a-2.jpg", "a-4.jpg" };

  for (guint i = 0; i < G_N_ELEMENTS (wished); i++)
    {
      g_autofree char *name = lab_files_unique_name (taken, wished[i][0], wished[i][1]);
      g_assert_cmpstr (name, ==, expected[i]);
    }
  {
    g_autofree char *kept = lab_files_unique_name (taken, "photo.png", NULL);
    g_autofree char *again = lab_files_unique_name (taken, "photo.png", NULL);
    g_assert_cmpstr (kept, ==, "photo.png");
    g_assert_cmpstr (again, ==, "photo-2.png");
  }
}

int
main (int    argc,
      char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/url-list/parse", test_parse);
  g_test_add_func ("/url-list/escape", test_escape);
  g_test_add_func ("/url-list/limits", test_limits);
  g_test_add_func ("/url-list/read", test_read);
  g_test_add_func ("/url-list/file-names", test_file_names);
  g_test_add_func ("/url-list/file-name-fuzz-crash", test_file_name_fuzz_crash);
  g_test_add_func ("/url-list/unique-names", test_unique_names);

  return g_test_run ();
}
