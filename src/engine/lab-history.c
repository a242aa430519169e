/* lab-history.c — finished runs kept in an SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each run is one row, written in a transaction (WAL journal), so a crash
 * mid-write loses at most that run. A database SQLite cannot read is
 * moved aside, a new one is created, and lab_history_get_notice() says so.
 */
#define G_LOG_DOMAIN "lab-history"

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <sqlite3.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lab-error.h"
#include "lab-history.h"
#include "lab-report.h"

#define SCHEMA_VERSION 1

struct _LabHistory
{
  GObject  parent_instance;
  sqlite3 *db;
  char    *path;
  char    *notice;
};

G_DEFINE_FINAL_TYPE (LabHistory, lab_history, G_TYPE_OBJECT)

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS runs ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  created INTEGER NOT NULL,"
  "  task TEXT NOT NULL,"
  "  strategy TEXT NOT NULL,"
  "  workers INTEGER NOT NULL,"
  "  jobs INTEGER NOT NULL,"
  "  failed INTEGER NOT NULL,"
  "  cancelled INTEGER NOT NULL,"
  "  wall_s REAL NOT NULL,"
  "  cpu_s REAL NOT NULL,"
  "  json TEXT NOT NULL);";

static void
lab_history_finalize (GObject *object)
{
  LabHistory *self = (LabHistory *) object;

  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->path);
  g_free (self->notice);

  G_OBJECT_CLASS (lab_history_parent_class)->finalize (object);
}

static void
lab_history_class_init (LabHistoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lab_history_finalize;
}

static void
lab_history_init (LabHistory *self)
{
}

void
lab_history_entry_free (LabHistoryEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->task);
  g_free (entry->strategy);
  g_free (entry->json);
  g_free (entry);
}

/* In the user data dir: ~/.local/share/concurrency-lab, or the app's own
 * ~/.var/app/<id>/data/concurrency-lab inside a Flatpak. */
char *
lab_history_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "concurrency-lab", "history.db", NULL);
}

static gboolean
set_sqlite_error (LabHistory  *self,
                  GError     **error,
                  const char  *what)
{
  g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("History database %s: %s: %s"),
               self->path, what, self->db ? sqlite3_errmsg (self->db) : _("cannot open"));
  return FALSE;
}

/* Opens and checks the file; FALSE when it is not a usable database. */
static gboolean
try_open (LabHistory  *self,
          GError     **error)
{
  g_autofree char *version_sql = g_strdup_printf ("PRAGMA user_version = %d;", SCHEMA_VERSION);

  g_clear_pointer (&self->db, sqlite3_close);
  if (sqlite3_open_v2 (self->path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, _("open"));

  sqlite3_busy_timeout (self->db, 2000);
  if (sqlite3_exec (self->db, "PRAGMA journal_mode = WAL;", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec (self->db, "PRAGMA quick_check;", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec (self->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec (self->db, version_sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, _("check"));

  return TRUE;
}

static void
move_aside (LabHistory *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *aside = g_strdup_printf ("%s.corrupt-%s", self->path, stamp);
  const char *suffixes[] = { "-wal", "-shm" };

  g_clear_pointer (&self->db, sqlite3_close);
  g_rename (self->path, aside);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *extra = g_strconcat (self->path, suffixes[i], NULL);
      g_unlink (extra);
    }

  self->notice = g_strdup_printf (_("The run history could not be read; it was moved to %s and a new one was started."),
                                  aside);
}

/**
 * lab_history_open:
 * @path: (nullable): the database file, or %NULL for the default
 *
 * Returns: (transfer full): the history, or %NULL when no database can be
 *   created at all (e.g. the folder is not writable)
 */
LabHistory *
lab_history_open (const char  *path,
                  GError     **error)
{
  g_autoptr(LabHistory) self = g_object_new (LAB_TYPE_HISTORY, NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;

  self->path = path ? g_strdup (path) : lab_history_get_default_path ();
  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not create %s: %s"), dir, g_strerror (saved));
      return NULL;
    }

  if (!try_open (self, &local_error))
    {
      if (!g_file_test (self->path, G_FILE_TEST_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_debug ("%s", local_error->message);
      move_aside (self);
      if (!try_open (self, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

const char *
lab_history_get_path (LabHistory *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);
  return self->path;
}

/* A message for the user when opening had to start a new database. */
const char *
lab_history_get_notice (LabHistory *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);
  return self->notice;
}

/**
 * lab_history_add_run:
 *
 * Stores a finished (or cancelled) run.
 *
 * Returns: the new row's id, or 0 with @error set
 */
gint64
lab_history_add_run (LabHistory  *self,
                     LabRun      *run,
                     GError     **error)
{
  const LabRunConfig *config;
  g_autofree char *json = NULL;
  sqlite3_stmt *stmt = NULL;
  LabRunSummary sum;
  gint64 id = 0;

  g_return_val_if_fail (LAB_IS_HISTORY (self), 0);
  g_return_val_if_fail (LAB_IS_RUN (run), 0);

  config = lab_run_get_config (run);
  lab_run_get_summary (run, &sum);
  json = lab_report_format (&run, 1, LAB_REPORT_JSON);

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT INTO runs (created, task, strategy, workers, jobs, failed, cancelled, wall_s, cpu_s, json)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, _("write"));
      return 0;
    }

  sqlite3_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_text (stmt, 2, config->task->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, config->strategy->name, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 4, sum.workers);
  sqlite3_bind_int (stmt, 5, sum.n_jobs);
  sqlite3_bind_int (stmt, 6, sum.n_failed);
  sqlite3_bind_int (stmt, 7, lab_run_get_state (run) == LAB_RUN_CANCELLED);
  sqlite3_bind_double (stmt, 8, sum.wall_ns / 1e9);
  sqlite3_bind_double (stmt, 9, (sum.user_ns + sum.sys_ns) / 1e9);
  sqlite3_bind_text (stmt, 10, json, -1, SQLITE_STATIC);

  if (sqlite3_step (stmt) == SQLITE_DONE)
    id = sqlite3_last_insert_rowid (self->db);
  else
    set_sqlite_error (self, error, _("write"));
  sqlite3_finalize (stmt);

  return id;
}

static LabHistoryEntry *
entry_from_row (sqlite3_stmt *stmt)
{
  LabHistoryEntry *entry = g_new0 (LabHistoryEntry, 1);

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->created = sqlite3_column_int64 (stmt, 1);
  entry->task = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  entry->strategy = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  entry->workers = sqlite3_column_int (stmt, 4);
  entry->jobs = sqlite3_column_int (stmt, 5);
  entry->failed = sqlite3_column_int (stmt, 6);
  entry->cancelled = sqlite3_column_int (stmt, 7);
  entry->wall_s = sqlite3_column_double (stmt, 8);
  entry->cpu_s = sqlite3_column_double (stmt, 9);
  entry->json = g_strdup ((const char *) sqlite3_column_text (stmt, 10));

  return entry;
}

/**
 * lab_history_list:
 * @limit: the most entries to return, newest first; 0 for all
 *
 * Returns: (transfer full) (element-type LabHistoryEntry): the entries
 */
GPtrArray *
lab_history_list (LabHistory  *self,
                  guint        limit,
                  GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_history_entry_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT id, created, task, strategy, workers, jobs, failed, cancelled, wall_s, cpu_s, json"
                          " FROM runs ORDER BY id DESC LIMIT ?;", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, _("read"));
      return NULL;
    }

  sqlite3_bind_int64 (stmt, 1, limit ? (gint64) limit : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (entries, entry_from_row (stmt));
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, _("read"));
      return NULL;
    }

  return g_steal_pointer (&entries);
}

gboolean
lab_history_delete (LabHistory  *self,
                    gint64       id,
                    GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (LAB_IS_HISTORY (self), FALSE);

  if (sqlite3_prepare_v2 (self->db, "DELETE FROM runs WHERE id = ?;", -1, &stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (self, error, _("delete"));

  sqlite3_bind_int64 (stmt, 1, id);
  ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_finalize (stmt);

  if (!ok)
    return set_sqlite_error (self, error, _("delete"));
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("No run %" PRId64 " in the history"), id);
      return FALSE;
    }

  return TRUE;
}
