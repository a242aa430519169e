/* lab-url-list.h — the download task's URL list: one URL a line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A list is read whole before any job starts: these bound what a wrong
 * file (--urls=/dev/zero, a photo, a log) can cost. */
#define LAB_URL_LIST_MAX_SIZE  (256 * 1024 * 1024)   /* the messages say 256 MiB */
#define LAB_URL_LIST_MAX_LINE  (64 * 1024)

/**
 * LabUrlLine:
 * @number: the line's number in the file, from 1
 * @text: valid UTF-8: the line as written, or escaped when it was not
 *   UTF-8 (see lab_url_list_escape())
 * @error: %NULL, or why the line cannot be fetched: its job fails so
 *
 * One job's line of a URL list.
 */
typedef struct {
  guint  number;
  char  *text;
  char  *error;
} LabUrlLine;

void      lab_url_line_free     (LabUrlLine  *line);
gboolean  lab_url_list_parse    (const char  *data,
                                 gsize        len,
                                 GPtrArray   *lines,
                                 GError     **error);
gboolean  lab_url_list_read     (const char  *path,
                                 GPtrArray   *lines,
                                 GError     **error);
char     *lab_url_list_escape   (const char  *text,
                                 gsize        len);
char     *lab_url_file_name     (const char  *url);

G_END_DECLS
