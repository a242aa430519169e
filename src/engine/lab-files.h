/* lab-files.h — folders and file names that tasks make, and unmake
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *lab_files_unique_name (GHashTable  *taken,
                             const char  *name,
                             const char  *suffix);
int   lab_files_make_dir    (const char  *dir,
                             int          mode,
                             char       **made);
void  lab_files_unmake_dir  (const char  *dir,
                             const char  *made);
void  lab_files_remove_tree (const char  *dir);

char *lab_files_dup_cache_dir  (void);
char *lab_files_dup_cache_path (const char *first,
                                ...) G_GNUC_NULL_TERMINATED;
void  lab_files_measure_tree (const char  *dir,
                              guint64     *bytes,
                              guint       *files);
void  lab_files_clean_cache  (void);

G_END_DECLS
