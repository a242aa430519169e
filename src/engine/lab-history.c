/* lab-history.c — finished runs kept in an SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each run is one row, written in a transaction (WAL journal), so a crash
 * mid-write loses at most that run. Opening writes nothing when the schema
 * is current, so a second Concurrency Lab writing at the same time only
 * makes this one wait. Only a file SQLite calls damaged is moved aside (with
 * its -wal and -shm, never over an earlier one); a locked, read-only or
 * newer file is left alone and the one operation that needed it fails.
 */
#define G_LOG_DOMAIN "lab-history"

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lab-error.h"
#include "lab-history.h"
#include "lab-history-private.h"
#include "lab-report.h"
#include "lab-cpu-history.h"
#include "lab-machine-info.h"

#define SCHEMA_VERSION     3
#define DEFAULT_TIMEOUT_MS 10000
/* SQLite's own wait before it answers "busy"; between its tries this file
 * backs off, up to the history's timeout. */
#define BUSY_SLICE_MS      250
/* Stored runs are 4 levels deep ({"runs": [{"job_results": [{…}]}]}). */
#define MAX_JSON_DEPTH     64

struct _LabHistory
{
  GObject          parent_instance;
  sqlite3         *db;
  char            *path;
  char            *notice;
  LabHistoryFlags  flags;
  guint            timeout_ms;
  guint            version;     /* the file's user_version */
  gboolean         has_runs;    /* the runs table exists */
  gboolean         has_v2;      /* with the columns of version 2 */
  gboolean         has_v3;      /* and those of version 3 */
};

G_DEFINE_FINAL_TYPE (LabHistory, lab_history, G_TYPE_OBJECT)

/* What an operation was for, to say what did not happen when it failed. */
typedef enum {
  OP_OPEN,
  OP_READ,
  OP_SAVE,
  OP_DELETE,
} Op;

/* Each step takes a file from version N to N + 1, in one transaction with
 * the others. Version 0 may already hold the table: the first schema set
 * user_version after creating it, not in the same transaction. */
static const char * const migrations[SCHEMA_VERSION] = {
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
  "  json TEXT NOT NULL);",

  /* What the history in the window needs: where and how a run ran, and
   * runs the user keeps at hand; listing is by date. */
  "ALTER TABLE runs ADD COLUMN machine TEXT;"
  "ALTER TABLE runs ADD COLUMN runtime TEXT NOT NULL DEFAULT 'c';"
  "ALTER TABLE runs ADD COLUMN gil INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE runs ADD COLUMN params TEXT;"
  "ALTER TABLE runs ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX IF NOT EXISTS runs_created ON runs (created);",

  /* What a stored run needs to be drawn again: its records (jobs,
   * workers, figures, findings) and CPU samples, each one GVariant; and
   * the runs of a task, found at once for its baseline. */
  "ALTER TABLE runs ADD COLUMN records BLOB;"
  "ALTER TABLE runs ADD COLUMN samples BLOB;"
  "CREATE INDEX IF NOT EXISTS runs_task ON runs (task, strategy);",
};

/* Version 1 rows said whether the GIL switch changed them only in their
 * JSON. Best effort: a row whose JSON SQLite cannot read keeps 0. */
static const char backfill_gil[] =
  "UPDATE runs SET gil = 1 WHERE"
  " CASE WHEN json_valid (json) THEN json_extract (json, '$.runs[0].gil') = 1 ELSE 0 END;";

#define SELECT_COLUMNS_V1 \
  "id, created, task, strategy, workers, jobs, failed, cancelled, wall_s, cpu_s, json"
/* A version 1 file read without migrating it gives the defaults. */
#define SELECT_V1 SELECT_COLUMNS_V1 ", 0, 'c', NULL, NULL, 0"
#define SELECT_V2 SELECT_COLUMNS_V1 ", gil, runtime, params, machine, pinned"
#define SELECT_V3 SELECT_V2 ", records IS NOT NULL, samples IS NOT NULL"
#define SELECT_V2_AS_V3 SELECT_V2 ", 0, 0"
#define SELECT_V1_AS_V3 SELECT_V1 ", 0, 0"

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
  self->timeout_ms = DEFAULT_TIMEOUT_MS;
}

void
lab_history_entry_free (LabHistoryEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->task);
  g_free (entry->strategy);
  g_free (entry->json);
  g_free (entry->runtime);
  g_free (entry->params);
  g_free (entry->machine);
  g_free (entry);
}

/* In the user data dir: ~/.local/share/concurrency-lab, or the app's own
 * ~/.var/app/<id>/data/concurrency-lab inside a Flatpak. */
char *
lab_history_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "concurrency-lab", "history.db", NULL);
}

/* ---- Errors ------------------------------------------------------------ */

static const char *
what_was_lost (Op op)
{
  switch (op)
    {
    case OP_SAVE:   return _("the run was not saved");
    case OP_DELETE: return _("the run was not deleted");
    case OP_OPEN:
    case OP_READ:
    default:        return _("try again in a moment");
    }
}

/* Turns an SQLite result into an error a person can act on. Being busy,
 * read-only or unable to open a file is never taken for damage: only
 * LAB_ERROR_CORRUPT makes lab_history_open() move a file aside. */
static gboolean
sqlite_error (LabHistory  *self,
              int          rc,
              Op           op,
              GError     **error)
{
  const char *detail = self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
  int saved_errno = self->db ? sqlite3_system_errno (self->db) : 0;

  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, LAB_ERROR, LAB_ERROR_BUSY,
                   _("The run history is in use by another Concurrency Lab; %s"), what_was_lost (op));
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      if (op == OP_SAVE || op == OP_DELETE)
        g_set_error (error, LAB_ERROR, LAB_ERROR_READ_ONLY, _("The run history %s cannot be written (%s); %s"),
                     self->path, detail, what_was_lost (op));
      else
        g_set_error (error, LAB_ERROR, LAB_ERROR_READ_ONLY, _("The run history %s cannot be written (%s)"),
                     self->path, detail);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, LAB_ERROR, LAB_ERROR_CORRUPT, _("The run history %s is damaged (%s)"),
                   self->path, detail);
      break;
    default:
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not use the run history %s: %s"), self->path,
                   (rc & 0xff) == SQLITE_CANTOPEN && saved_errno != 0 ? g_strerror (saved_errno) : detail);
      break;
    }
  return FALSE;
}

/* Writing is refused up front when it cannot work or must not be tried. */
static gboolean
check_writable (LabHistory  *self,
                Op           op,
                GError     **error)
{
  if (self->flags & LAB_HISTORY_READ_ONLY)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_READ_ONLY, _("The run history %s was opened for reading only; %s"),
                   self->path, what_was_lost (op));
      return FALSE;
    }
  if (self->version > SCHEMA_VERSION)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_READ_ONLY, _("The run history %s was made by a newer Concurrency Lab; %s"),
                   self->path, what_was_lost (op));
      return FALSE;
    }
  return TRUE;
}

/* ---- Waiting for another writer ---------------------------------------- */

/* Pauses before the next try while another connection holds the lock:
 * 10 ms, doubling up to 160 ms, until @deadline. FALSE: give up (or @rc is
 * no reason to wait). */
static gboolean
wait_for_lock (int     rc,
               gint64  deadline,
               guint  *attempt)
{
  gint64 now = g_get_monotonic_time ();

  if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) || now >= deadline)
    return FALSE;

  g_usleep (MIN ((gint64) 10000 << MIN (*attempt, 4), deadline - now));
  (*attempt)++;
  return TRUE;
}

static gint64
deadline_of (LabHistory *self)
{
  return g_get_monotonic_time () + (gint64) self->timeout_ms * 1000;
}

/* Preparing reads the schema, which a writer in rollback mode can lock. */
static int
prepare (LabHistory    *self,
         const char    *sql,
         sqlite3_stmt **stmt)
{
  gint64 deadline = deadline_of (self);
  guint attempt = 0;
  int rc;

  while ((rc = sqlite3_prepare_v2 (self->db, sql, -1, stmt, NULL)) != SQLITE_OK &&
         wait_for_lock (rc, deadline, &attempt))
    ;
  return rc;
}

/* The first step of a statement, the one that takes the lock. */
static int
step (LabHistory   *self,
      sqlite3_stmt *stmt)
{
  gint64 deadline = deadline_of (self);
  guint attempt = 0;
  int rc;

  while ((rc = sqlite3_step (stmt)) != SQLITE_ROW && rc != SQLITE_DONE &&
         wait_for_lock (rc, deadline, &attempt))
    sqlite3_reset (stmt);
  return rc;
}

/* One statement with no rows to read (BEGIN, COMMIT, PRAGMA x = y). */
static int
exec (LabHistory *self,
      const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if ((rc = prepare (self, sql, &stmt)) == SQLITE_OK)
    {
      while ((rc = step (self, stmt)) == SQLITE_ROW)
        ;
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
  sqlite3_finalize (stmt);
  return rc;
}

static int
query_int (LabHistory *self,
           const char *sql,
           gint64     *value)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *value = 0;
  if ((rc = prepare (self, sql, &stmt)) == SQLITE_OK)
    {
      rc = step (self, stmt);
      if (rc == SQLITE_ROW)
        *value = sqlite3_column_int64 (stmt, 0);
      rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
  sqlite3_finalize (stmt);
  return rc;
}

static gboolean
begin_write (LabHistory  *self,
             Op           op,
             GError     **error)
{
  int rc = exec (self, "BEGIN IMMEDIATE;");

  return rc == SQLITE_OK || sqlite_error (self, rc, op, error);
}

/* Says why @rc failed, then undoes the transaction (which would replace
 * SQLite's message). */
static gboolean
rollback (LabHistory  *self,
          int          rc,
          Op           op,
          GError     **error)
{
  sqlite_error (self, rc, op, error);
  sqlite3_exec (self->db, "ROLLBACK;", NULL, NULL, NULL);
  return FALSE;
}

static gboolean
commit (LabHistory  *self,
        Op           op,
        GError     **error)
{
  int rc = exec (self, "COMMIT;");

  return rc == SQLITE_OK || rollback (self, rc, op, error);
}

/* ---- Opening ------------------------------------------------------------ */

static gboolean
open_connection (LabHistory  *self,
                 gboolean     immutable,
                 GError     **error)
{
  g_autofree char *uri = NULL;
  int flags = (self->flags & LAB_HISTORY_READ_ONLY) ? SQLITE_OPEN_READONLY
                                                    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc;

  if (immutable)
    {
      g_autofree char *absolute = g_canonicalize_filename (self->path, NULL);
      g_autofree char *escaped = g_uri_escape_string (absolute, "/", FALSE);
      uri = g_strconcat ("file://", escaped, "?immutable=1", NULL);
      flags |= SQLITE_OPEN_URI;
    }

  g_clear_pointer (&self->db, sqlite3_close);
  rc = sqlite3_open_v2 (uri ? uri : self->path, &self->db, flags, NULL);
  if (rc != SQLITE_OK)
    return sqlite_error (self, rc, OP_OPEN, error);

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, MIN (BUSY_SLICE_MS, self->timeout_ms));
  return TRUE;
}

/* Reads what the file holds: its schema version, whether it has runs, and
 * which columns (a newer version may have changed them). A negative
 * user_version is no version this build made: newer. */
static int
inspect (LabHistory *self)
{
  gint64 version = 0, tables = 0, v2_columns = 0, v3_columns = 0;
  int rc;

  rc = query_int (self, "PRAGMA user_version;", &version);
  if (rc == SQLITE_OK)
    rc = query_int (self, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'runs';", &tables);
  if (rc == SQLITE_OK)
    rc = query_int (self, "SELECT count(*) FROM pragma_table_info ('runs')"
                          " WHERE name IN ('gil', 'runtime', 'params', 'machine', 'pinned');", &v2_columns);
  if (rc == SQLITE_OK)
    rc = query_int (self, "SELECT count(*) FROM pragma_table_info ('runs')"
                          " WHERE name IN ('records', 'samples');", &v3_columns);

  self->version = version < 0 || version > G_MAXINT ? G_MAXINT : (guint) version;
  self->has_runs = tables > 0;
  self->has_v2 = v2_columns == 5;
  self->has_v3 = self->has_v2 && v3_columns == 2;
  return rc;
}

/* PRAGMA quick_check answers with rows, not with its return code: one row
 * "ok" when the file is sound, else one row per problem found. */
static int
quick_check (LabHistory *self,
             gboolean   *sound)
{
  sqlite3_stmt *stmt = NULL;
  guint n_rows = 0;
  int rc;

  *sound = FALSE;
  if ((rc = prepare (self, "PRAGMA quick_check;", &stmt)) != SQLITE_OK)
    return rc;

  for (rc = step (self, stmt); rc == SQLITE_ROW; rc = sqlite3_step (stmt))
    {
      n_rows++;
      *sound = n_rows == 1 && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") == 0;
    }
  sqlite3_finalize (stmt);

  *sound = *sound && n_rows == 1 && rc == SQLITE_DONE;
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Brings an older file up to SCHEMA_VERSION in one transaction. */
static gboolean
migrate (LabHistory  *self,
         GError     **error)
{
  int rc;

  /* A new file: the journal mode cannot change inside a transaction. Where
   * it cannot change (no shared memory), the rollback journal still works. */
  if (self->version == 0 && !self->has_runs)
    sqlite3_exec (self->db, "PRAGMA journal_mode = WAL;", NULL, NULL, NULL);

  if (!begin_write (self, OP_OPEN, error))
    return FALSE;

  /* Another process may have migrated it while this one waited. */
  if ((rc = inspect (self)) != SQLITE_OK)
    return rollback (self, rc, OP_OPEN, error);
  if (self->version >= SCHEMA_VERSION)
    return commit (self, OP_OPEN, error);

  g_debug ("%s: schema version %u to %d", self->path, self->version, SCHEMA_VERSION);
  for (guint v = self->version; v < SCHEMA_VERSION; v++)
    if ((rc = sqlite3_exec (self->db, migrations[v], NULL, NULL, NULL)) != SQLITE_OK)
      return rollback (self, rc, OP_OPEN, error);
  if (self->version < 2 && sqlite3_exec (self->db, backfill_gil, NULL, NULL, NULL) != SQLITE_OK)
    g_debug ("%s: GIL of older runs left unknown: %s", self->path, sqlite3_errmsg (self->db));
  if ((rc = sqlite3_exec (self->db, "PRAGMA user_version = " G_STRINGIFY (SCHEMA_VERSION) ";",
                          NULL, NULL, NULL)) != SQLITE_OK)
    return rollback (self, rc, OP_OPEN, error);
  if (!commit (self, OP_OPEN, error))
    return FALSE;

  self->version = SCHEMA_VERSION;
  self->has_runs = TRUE;
  self->has_v2 = TRUE;
  self->has_v3 = TRUE;
  return TRUE;
}

/* Opens the file, checks it and brings its schema up to date. The error is
 * LAB_ERROR_CORRUPT only when SQLite found the file damaged. */
static gboolean
open_checked (LabHistory  *self,
              GError     **error)
{
  gboolean sound;
  int rc;

  if (!open_connection (self, FALSE, error))
    return FALSE;
  if ((rc = inspect (self)) != SQLITE_OK)
    return sqlite_error (self, rc, OP_OPEN, error);
  /* Left as it is: lab_history_add_run() refuses to write to it. */
  if (self->version > SCHEMA_VERSION)
    return TRUE;

  if ((rc = quick_check (self, &sound)) != SQLITE_OK)
    return sqlite_error (self, rc, OP_OPEN, error);
  if (!sound)
    return sqlite_error (self, SQLITE_CORRUPT, OP_OPEN, error);

  return self->version == SCHEMA_VERSION || migrate (self, error);
}

/* Moves @from to @to unless @to exists: link() refuses to replace a file,
 * where rename() would. Returns 0 or an errno. */
static int
move_no_replace (const char *from,
                 const char *to)
{
  if (link (from, to) == 0)
    return g_unlink (from) == 0 ? 0 : errno;
  if (errno == EEXIST || errno == ENOENT)
    return errno;

  /* File systems without hard links (FAT, some network ones). */
  if (g_file_test (to, G_FILE_TEST_EXISTS))
    return EEXIST;
  return g_rename (from, to) == 0 ? 0 : errno;
}

/* history.db.corrupt-DATE, or -DATE-2, -3… when an earlier one is there. */
static char *
move_to_unique_name (const char  *path,
                     GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  for (guint n = 1; n < 1000; n++)
    {
      g_autofree char *aside = n == 1 ? g_strdup_printf ("%s.corrupt-%s", path, stamp)
                                      : g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, n);
      int saved_errno = move_no_replace (path, aside);

      if (saved_errno == 0)
        return g_steal_pointer (&aside);
      if (saved_errno != EEXIST)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("The run history %s is damaged and could not be moved aside: %s"),
                       path, g_strerror (saved_errno));
          return NULL;
        }
    }

  g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("The run history %s is damaged and could not be moved aside: %s"),
               path, g_strerror (EEXIST));
  return NULL;
}

/* Keeps the damaged file, and its WAL (committed runs may be there), for
 * whoever wants to recover it. */
static gboolean
move_aside (LabHistory  *self,
            GError     **error)
{
  static const char * const suffixes[] = { "-wal", "-shm" };
  g_autofree char *aside = NULL;

  /* Closing would otherwise copy the WAL into the damaged file, then
   * delete it. */
  if (self->db != NULL)
    sqlite3_db_config (self->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  g_clear_pointer (&self->db, sqlite3_close);

  if (!(aside = move_to_unique_name (self->path, error)))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (self->path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (aside, suffixes[i], NULL);
      int saved_errno = move_no_replace (from, to);

      /* A WAL left behind would be replayed into the new database. */
      if (saved_errno != 0 && saved_errno != ENOENT)
        {
          g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("The run history %s is damaged and could not be moved aside: %s"),
                       from, g_strerror (saved_errno));
          return FALSE;
        }
    }

  g_free (self->notice);
  self->notice = g_strdup_printf (_("The run history could not be read; it was moved to %s and a new one was started."),
                                  aside);
  return TRUE;
}

static gboolean
open_read_write (LabHistory  *self,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = g_path_get_dirname (self->path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not create %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (open_checked (self, &local_error))
    return TRUE;
  if (!g_error_matches (local_error, LAB_ERROR, LAB_ERROR_CORRUPT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_debug ("%s", local_error->message);
  return move_aside (self, error) && open_checked (self, error);
}

/* A WAL file in a folder this user cannot write: SQLite cannot make the
 * -shm index it needs even to read. With no -wal beside it, all that was
 * committed is in the file itself, and "immutable" reads it without one. */
static gboolean
can_read_immutable (LabHistory *self,
                    int         rc)
{
  g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);
  GStatBuf st;

  if ((rc & 0xff) != SQLITE_READONLY && (rc & 0xff) != SQLITE_CANTOPEN)
    return FALSE;
  return g_stat (wal, &st) != 0 || st.st_size == 0;
}

static gboolean
open_read_only (LabHistory  *self,
                GError     **error)
{
  GStatBuf st;
  int rc;

  /* Nothing to list, and nothing is created. (A folder that cannot be
   * searched is not "nothing": opening says why it cannot be read.) */
  if (g_stat (self->path, &st) != 0 && errno == ENOENT)
    return TRUE;

  if (!open_connection (self, FALSE, error))
    return FALSE;
  rc = inspect (self);
  if (rc != SQLITE_OK && can_read_immutable (self, rc))
    {
      g_debug ("%s: read as immutable: %s", self->path, sqlite3_errmsg (self->db));
      if (!open_connection (self, TRUE, error))
        return FALSE;
      rc = inspect (self);
    }

  return rc == SQLITE_OK || sqlite_error (self, rc, OP_READ, error);
}

/**
 * lab_history_open_full:
 * @path: (nullable): the database file, or %NULL for the default
 * @flags: %LAB_HISTORY_READ_ONLY to list without writing anything
 * @timeout_ms: how long an operation waits for another process that
 *   holds the database, or 0 for the default (10 s)
 *
 * Read-write, the file and its folder are created when missing, an older
 * schema is migrated, and a damaged file is moved aside (see
 * lab_history_get_notice()). Read-only, nothing is ever written: a missing
 * file lists no runs.
 *
 * Returns: (transfer full): the history, or %NULL with @error set
 */
LabHistory *
lab_history_open_full (const char       *path,
                       LabHistoryFlags   flags,
                       guint             timeout_ms,
                       GError          **error)
{
  g_autoptr(LabHistory) self = g_object_new (LAB_TYPE_HISTORY, NULL);
  gboolean ok;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self->path = path ? g_strdup (path) : lab_history_get_default_path ();
  self->flags = flags;
  if (timeout_ms > 0)
    self->timeout_ms = timeout_ms;

  ok = (flags & LAB_HISTORY_READ_ONLY) ? open_read_only (self, error) : open_read_write (self, error);
  return ok ? g_steal_pointer (&self) : NULL;
}

/**
 * lab_history_open:
 * @path: (nullable): the database file, or %NULL for the default
 *
 * Opens the history to add runs; see lab_history_open_full().
 *
 * Returns: (transfer full): the history, or %NULL when it cannot be used
 *   (e.g. the folder is not writable, or another process holds it longer
 *   than the timeout while its schema must change)
 */
LabHistory *
lab_history_open (const char  *path,
                  GError     **error)
{
  return lab_history_open_full (path, LAB_HISTORY_READ_WRITE, 0, error);
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
 * lab_history_get_schema_version:
 *
 * Returns: the file's schema version: this build's after a read-write
 *   open, as found after a read-only one (0 when there is no file)
 */
guint
lab_history_get_schema_version (LabHistory *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY (self), 0);
  return self->version;
}

/* ---- Writing ------------------------------------------------------------ */

/* What a run puts in its row. */
typedef struct {
  char       *task;
  const char *strategy;
  guint       workers;
  guint       jobs;
  guint       failed;
  gboolean    cancelled;
  gboolean    gil;
  const char *runtime;    /* the runtime table's name: it outlives the row */
  double      wall_s;
  double      cpu_s;
  char       *params;
  char       *json;
  char       *machine;
  GVariant   *records;
  GVariant   *samples;
} Row;

static void
row_clear (Row *row)
{
  g_free (row->task);
  g_free (row->params);
  g_free (row->json);
  g_free (row->machine);
  g_clear_pointer (&row->records, g_variant_unref);
  g_clear_pointer (&row->samples, g_variant_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Row, row_clear)

/* Everything this file reads from a run is read here, in one place: the
 * LabRun API is still changing. */
static void
row_from_run (LabRun   *run,
              GVariant *samples,
              Row      *row)
{
  const LabRunConfig *config = lab_run_get_config (run);
  g_autoptr(LabMachineInfo) machine = lab_machine_info_get_current ();
  LabRunSummary sum;

  lab_run_get_summary (run, &sum);
  row->task = g_strdup (config->task->name);
  row->strategy = config->strategy->name;   /* the table's: it outlives the row */
  row->workers = sum.workers;
  row->jobs = sum.n_jobs;
  row->failed = sum.n_failed;
  row->cancelled = lab_run_get_state (run) == LAB_RUN_CANCELLED;
  row->gil = lab_run_config_uses_gil (config);
  row->runtime = lab_runtime_get_name (config->runtime);
  row->wall_s = sum.wall_ns / 1e9;
  row->cpu_s = (sum.user_ns + sum.sys_ns) / 1e9;
  row->params = config->params ? g_variant_print (config->params, TRUE) : NULL;
  row->json = lab_report_format (&run, 1, LAB_REPORT_JSON);
  row->machine = lab_machine_info_to_string (machine);
  /* A run whose jobs were let go is drawn again from its JSON. */
  row->records = lab_run_has_jobs (run) ? g_variant_ref_sink (_lab_history_run_to_variant (run)) : NULL;
  row->samples = samples ? g_variant_ref_sink (samples) : NULL;
}

static void
bind_variant (sqlite3_stmt *stmt,
              int           column,
              GVariant     *value)
{
  if (value == NULL)
    sqlite3_bind_null (stmt, column);
  else
    sqlite3_bind_blob64 (stmt, column, g_variant_get_data (value), g_variant_get_size (value), SQLITE_TRANSIENT);
}

/* Stored text is always valid UTF-8 (a job's error may quote bytes from
 * anywhere), so that every reader can print it. */
static void
bind_text (sqlite3_stmt *stmt,
           int           column,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, column);
  else if (g_utf8_validate (text, -1, NULL))
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_text (stmt, column, g_utf8_make_valid (text, -1), -1, g_free);
}

static int
insert_row (LabHistory *self,
            const Row  *row,
            gint64     *id)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db,
                           "INSERT INTO runs (created, task, strategy, workers, jobs, failed, cancelled,"
                           " wall_s, cpu_s, json, gil, runtime, params, machine, records, samples)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;

  sqlite3_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
  bind_text (stmt, 2, row->task);
  bind_text (stmt, 3, row->strategy);
  sqlite3_bind_int64 (stmt, 4, row->workers);
  sqlite3_bind_int64 (stmt, 5, row->jobs);
  sqlite3_bind_int64 (stmt, 6, row->failed);
  sqlite3_bind_int (stmt, 7, row->cancelled);
  sqlite3_bind_double (stmt, 8, row->wall_s);
  sqlite3_bind_double (stmt, 9, row->cpu_s);
  bind_text (stmt, 10, row->json);
  sqlite3_bind_int (stmt, 11, row->gil);
  bind_text (stmt, 12, row->runtime);
  bind_text (stmt, 13, row->params);
  bind_text (stmt, 14, row->machine);
  bind_variant (stmt, 15, row->records);
  bind_variant (stmt, 16, row->samples);

  if ((rc = sqlite3_step (stmt)) == SQLITE_DONE)
    {
      *id = sqlite3_last_insert_rowid (self->db);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  return rc;
}

/**
 * lab_history_add_run:
 *
 * Stores a finished (or cancelled) run. While another process writes to
 * the history, waits for it up to the timeout.
 *
 * Returns: the new row's id, or 0 with @error set: %LAB_ERROR_BUSY when
 *   the wait was in vain, %LAB_ERROR_READ_ONLY when the file cannot or
 *   must not be written
 */
gint64
lab_history_add_run (LabHistory  *self,
                     LabRun      *run,
                     GError     **error)
{
  return lab_history_add_run_full (self, run, NULL, error);
}

/**
 * lab_history_add_run_full:
 * @samples: (nullable) (transfer floating): the run's CPU samples, from
 *   lab_cpu_history_to_variant() (made where the history lives, on its
 *   sampler's context)
 *
 * Stores a run with its records, its samples and the machine it ran on,
 * in one transaction; see lab_history_add_run().
 */
gint64
lab_history_add_run_full (LabHistory  *self,
                          LabRun      *run,
                          GVariant    *samples,
                          GError     **error)
{
  g_auto(Row) row = { 0 };
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (LAB_IS_HISTORY (self), 0);
  g_return_val_if_fail (LAB_IS_RUN (run), 0);

  if (samples != NULL)
    g_variant_ref_sink (samples);
  if (!check_writable (self, OP_SAVE, error))
    {
      g_clear_pointer (&samples, g_variant_unref);
      return 0;
    }

  row_from_run (run, samples, &row);
  g_clear_pointer (&samples, g_variant_unref);
  if (!begin_write (self, OP_SAVE, error))
    return 0;
  if ((rc = insert_row (self, &row, &id)) != SQLITE_OK)
    return rollback (self, rc, OP_SAVE, error);
  if (!commit (self, OP_SAVE, error))
    return 0;

  return id;
}

/**
 * lab_history_delete:
 *
 * Returns: %TRUE when the run was deleted; %LAB_ERROR_NOT_FOUND when there
 *   is no such run
 */
gboolean
lab_history_delete (LabHistory  *self,
                    gint64       id,
                    GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (LAB_IS_HISTORY (self), FALSE);

  if (!check_writable (self, OP_DELETE, error) || !begin_write (self, OP_DELETE, error))
    return FALSE;

  if ((rc = sqlite3_prepare_v2 (self->db, "DELETE FROM runs WHERE id = ?;", -1, &stmt, NULL)) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode (self->db);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_OK)
    return rollback (self, rc, OP_DELETE, error);
  if (sqlite3_changes (self->db) == 0)
    {
      sqlite3_exec (self->db, "ROLLBACK;", NULL, NULL, NULL);
      g_set_error (error, LAB_ERROR, LAB_ERROR_NOT_FOUND, _("No run %" PRId64 " in the history"), id);
      return FALSE;
    }
  return commit (self, OP_DELETE, error);
}

/* ---- Reading ------------------------------------------------------------ */

/**
 * _lab_history_entry_set_text:
 * @bytes: (nullable): a column's bytes, as SQLite gives them: any bytes
 * @len: their length, or -1 when nul-terminated
 *
 * Sets one text field of an entry. Older rows, or rows written by other
 * programs, may hold anything: what is not UTF-8 is replaced, so that
 * every reader can print the entry.
 */
void
_lab_history_entry_set_text (char       **field,
                             const char  *bytes,
                             gssize       len)
{
  g_free (*field);
  *field = bytes ? g_utf8_make_valid (bytes, len) : NULL;
}

static void
set_column_text (char         **field,
                 sqlite3_stmt  *stmt,
                 int            column,
                 const char    *fallback)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  if (text == NULL)
    _lab_history_entry_set_text (field, fallback, -1);
  else
    _lab_history_entry_set_text (field, text, sqlite3_column_bytes (stmt, column));
}

static guint
column_uint (sqlite3_stmt *stmt,
             int           column)
{
  return CLAMP (sqlite3_column_int64 (stmt, column), 0, G_MAXUINT);
}

static LabHistoryEntry *
entry_from_row (sqlite3_stmt *stmt)
{
  LabHistoryEntry *entry = g_new0 (LabHistoryEntry, 1);

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->created = sqlite3_column_int64 (stmt, 1);
  set_column_text (&entry->task, stmt, 2, "");
  set_column_text (&entry->strategy, stmt, 3, "");
  entry->workers = column_uint (stmt, 4);
  entry->jobs = column_uint (stmt, 5);
  entry->failed = column_uint (stmt, 6);
  entry->cancelled = sqlite3_column_int (stmt, 7) != 0;
  entry->wall_s = sqlite3_column_double (stmt, 8);
  entry->cpu_s = sqlite3_column_double (stmt, 9);
  set_column_text (&entry->json, stmt, 10, NULL);
  entry->gil = sqlite3_column_int (stmt, 11) != 0;
  set_column_text (&entry->runtime, stmt, 12, "c");
  set_column_text (&entry->params, stmt, 13, NULL);
  set_column_text (&entry->machine, stmt, 14, NULL);
  entry->pinned = sqlite3_column_int (stmt, 15) != 0;
  entry->has_records = sqlite3_column_int (stmt, 16) != 0;
  entry->has_samples = sqlite3_column_int (stmt, 17) != 0;

  return entry;
}

static const char *
select_columns (LabHistory *self)
{
  return self->has_v3 ? SELECT_V3 : self->has_v2 ? SELECT_V2_AS_V3 : SELECT_V1_AS_V3;
}

/* Binds the named parameters @sql uses: :id, :limit, :before, :task,
 * :strategy, :search. */
static void
bind_query (sqlite3_stmt          *stmt,
            const LabHistoryQuery *q,
            gint64                 id)
{
  int i;

  if ((i = sqlite3_bind_parameter_index (stmt, ":id")))
    sqlite3_bind_int64 (stmt, i, id);
  if ((i = sqlite3_bind_parameter_index (stmt, ":limit")))
    sqlite3_bind_int64 (stmt, i, q && q->limit ? (gint64) q->limit : -1);
  if ((i = sqlite3_bind_parameter_index (stmt, ":before")))
    sqlite3_bind_int64 (stmt, i, q && q->before_id > 0 ? q->before_id : G_MAXINT64);
  if ((i = sqlite3_bind_parameter_index (stmt, ":task")))
    bind_text (stmt, i, q && q->task && *q->task ? q->task : NULL);
  if ((i = sqlite3_bind_parameter_index (stmt, ":strategy")))
    bind_text (stmt, i, q && q->strategy && *q->strategy ? q->strategy : NULL);
  if ((i = sqlite3_bind_parameter_index (stmt, ":search")))
    {
      g_autofree char *folded = q && q->search && *q->search ? g_utf8_strdown (q->search, -1) : NULL;
      bind_text (stmt, i, folded);
    }
}

/* Runs SELECT … FROM runs @where and adds its rows to @entries. */
static gboolean
select_entries (LabHistory            *self,
                const char            *where,
                const LabHistoryQuery *q,
                gint64                 id,
                GPtrArray             *entries,
                GError               **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM runs %s;", select_columns (self), where);
  sqlite3_stmt *stmt = NULL;
  int rc;

  /* A list of 10 000 runs need not read their documents. */
  if (q != NULL && q->without_json)
    {
      char *json = strstr (sql, "cpu_s, json");

      g_assert (json != NULL);
      memcpy (json + strlen ("cpu_s, "), "NULL", 4);
    }

  if ((rc = prepare (self, sql, &stmt)) != SQLITE_OK)
    return sqlite_error (self, rc, OP_READ, error);

  bind_query (stmt, q, id);
  for (rc = step (self, stmt); rc == SQLITE_ROW; rc = sqlite3_step (stmt))
    g_ptr_array_add (entries, entry_from_row (stmt));
  sqlite3_finalize (stmt);

  return rc == SQLITE_DONE || sqlite_error (self, rc, OP_READ, error);
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

  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);

  if (self->db == NULL || !self->has_runs)
    return g_steal_pointer (&entries);
  if (!select_entries (self, "ORDER BY id DESC LIMIT :limit", &(LabHistoryQuery) { .limit = limit }, 0,
                       entries, error))
    return NULL;

  return g_steal_pointer (&entries);
}

/* What a search looks in: the task, strategy and runtime, and the machine's
 * name and CPU (a row's machine may not be JSON: then not that). */
static char *
filter_clause (LabHistory *self)
{
  const char *haystack = self->has_v2
    ? "task || ' ' || strategy || ' ' || runtime || ' ' || CASE WHEN json_valid (machine)"
      " THEN coalesce (json_extract (machine, '$.host_name'), '') || ' ' ||"
      " coalesce (json_extract (machine, '$.cpu_model'), '') ELSE '' END"
    : "task || ' ' || strategy";

  return g_strdup_printf ("WHERE (:task IS NULL OR task = :task)"
                          " AND (:strategy IS NULL OR strategy = :strategy)"
                          " AND (:search IS NULL OR instr (lower (%s), :search) > 0)", haystack);
}

/**
 * lab_history_query:
 * @query: (nullable): which runs, from which one and how many; %NULL for
 *   all
 *
 * The runs that match, newest first. A list shown in pages asks for the
 * next page with @query's before_id set to the last id it got.
 *
 * Returns: (transfer full) (element-type LabHistoryEntry): the entries
 */
GPtrArray *
lab_history_query (LabHistory             *self,
                   const LabHistoryQuery  *query,
                   GError                **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_history_entry_free);
  g_autofree char *where = NULL;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);

  if (self->db == NULL || !self->has_runs)
    return g_steal_pointer (&entries);

  where = filter_clause (self);
  sql = g_strconcat (where, " AND id < :before ORDER BY id DESC LIMIT :limit", NULL);
  if (!select_entries (self, sql, query, 0, entries, error))
    return NULL;
  return g_steal_pointer (&entries);
}

/**
 * lab_history_delete_matching:
 * @query: the runs to delete (its before_id and limit are ignored)
 * @n_deleted: (out) (optional): how many were deleted
 *
 * Deletes every run the query lists, in one transaction.
 */
gboolean
lab_history_delete_matching (LabHistory             *self,
                             const LabHistoryQuery  *query,
                             guint                  *n_deleted,
                             GError                **error)
{
  g_autofree char *where = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (LAB_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (query != NULL, FALSE);

  if (n_deleted)
    *n_deleted = 0;
  if (!check_writable (self, OP_DELETE, error) || !begin_write (self, OP_DELETE, error))
    return FALSE;

  where = filter_clause (self);
  sql = g_strconcat ("DELETE FROM runs ", where, ";", NULL);
  if ((rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL)) == SQLITE_OK)
    {
      bind_query (stmt, &(LabHistoryQuery) { .task = query->task, .strategy = query->strategy,
                                             .search = query->search }, 0);
      rc = sqlite3_step (stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode (self->db);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    return rollback (self, rc, OP_DELETE, error);
  if (n_deleted)
    *n_deleted = sqlite3_changes (self->db);
  return commit (self, OP_DELETE, error);
}

/**
 * lab_history_set_pinned:
 *
 * Pins a run as the baseline of its task (the one pinned before, if any,
 * is let go: a task has one baseline), or lets it go.
 *
 * Returns: %TRUE when done; %LAB_ERROR_NOT_FOUND when there is no such run
 */
gboolean
lab_history_set_pinned (LabHistory  *self,
                        gint64       id,
                        gboolean     pinned,
                        GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = SQLITE_OK;

  g_return_val_if_fail (LAB_IS_HISTORY (self), FALSE);

  if (!check_writable (self, OP_SAVE, error) || !begin_write (self, OP_SAVE, error))
    return FALSE;

  if (pinned)
    rc = sqlite3_prepare_v2 (self->db, "UPDATE runs SET pinned = 0 WHERE pinned = 1 AND id != ?1"
                                       " AND task = (SELECT task FROM runs WHERE id = ?1);", -1, &stmt, NULL);
  if (rc == SQLITE_OK && stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode (self->db);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (rc == SQLITE_OK &&
      (rc = sqlite3_prepare_v2 (self->db, "UPDATE runs SET pinned = ?2 WHERE id = ?1;", -1, &stmt, NULL)) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int (stmt, 2, pinned != FALSE);
      rc = sqlite3_step (stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode (self->db);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_OK)
    return rollback (self, rc, OP_SAVE, error);
  if (sqlite3_changes (self->db) == 0)
    {
      sqlite3_exec (self->db, "ROLLBACK;", NULL, NULL, NULL);
      g_set_error (error, LAB_ERROR, LAB_ERROR_NOT_FOUND, _("No run %" PRId64 " in the history"), id);
      return FALSE;
    }
  return commit (self, OP_SAVE, error);
}

/**
 * lab_history_get_baseline:
 *
 * Returns: (transfer full) (nullable): the run pinned for @task, or %NULL
 *   (with @error set only when the history could not be read)
 */
LabHistoryEntry *
lab_history_get_baseline (LabHistory  *self,
                          const char  *task,
                          GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_history_entry_free);

  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);
  g_return_val_if_fail (task != NULL, NULL);

  if (self->db == NULL || !self->has_v2 ||
      !select_entries (self, "WHERE pinned = 1 AND task = :task ORDER BY id DESC LIMIT 1",
                       &(LabHistoryQuery) { .task = task }, 0, entries, error))
    return NULL;
  return entries->len ? g_ptr_array_steal_index (entries, 0) : NULL;
}

/**
 * lab_history_get_run:
 *
 * Returns: (transfer full): the run with this id, or %NULL with @error
 *   set (%LAB_ERROR_NOT_FOUND when there is none)
 */
LabHistoryEntry *
lab_history_get_run (LabHistory  *self,
                     gint64       id,
                     GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) lab_history_entry_free);

  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);

  if (self->db != NULL && self->has_runs && !select_entries (self, "WHERE id = :id", NULL, id, entries, error))
    return NULL;
  if (entries->len == 0)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_NOT_FOUND, _("No run %" PRId64 " in the history"), id);
      return NULL;
    }

  return g_ptr_array_steal_index (entries, 0);
}

/* ---- Decoding a row ------------------------------------------------------
 *
 * A row's JSON is read back from a file that another version, another
 * program or a damaged disk may have written. What comes out must always
 * be valid: a listing in JSON parses, a CSV has its columns.
 */

static gboolean
read_hex4 (const char *p,
           guint      *value)
{
  *value = 0;
  for (guint i = 0; i < 4; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return FALSE;
      *value = *value << 4 | g_ascii_xdigit_value (p[i]);
    }
  return TRUE;
}

/* Skips the escape at @p (after its backslash). NULL when it is none that
 * JSON has, or a lone surrogate: json-glib swallows what follows those
 * (a quote, even), and would see strings end elsewhere. */
static const char *
skip_escape (const char *p)
{
  guint unit, low;

  if (*p != '\0' && strchr ("\"\\/bfnrt", *p) != NULL)
    return p + 1;
  if (*p != 'u' || !read_hex4 (p + 1, &unit))
    return NULL;
  if (unit < 0xD800 || unit > 0xDFFF)
    return p + 5;
  if (unit <= 0xDBFF && p[5] == '\\' && p[6] == 'u' && read_hex4 (p + 7, &low) && low >= 0xDC00 && low <= 0xDFFF)
    return p + 11;
  return NULL;
}

/**
 * _lab_history_json_is_plain:
 *
 * Whether @text keeps to the JSON this file writes, nested at most
 * @max_depth deep. json-glib's parser recurses once per level (a row of
 * 100 000 "[" overflows the stack), and also accepts comments,
 * single-quoted strings and broken escapes, after which it does not see
 * strings end where JSON does. A row with any of them is taken for
 * damaged and never parsed; in the others, the brackets this counts are
 * the ones json-glib sees, and the depth it finds is the depth json-glib
 * reaches.
 */
gboolean
_lab_history_json_is_plain (const char *text,
                            guint       max_depth)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (in_string)
        {
          if (*p == '\\')
            {
              const char *next = skip_escape (p + 1);

              if (next == NULL)
                return FALSE;
              p = next - 1;
            }
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }
      if (*p == '"')
        in_string = TRUE;
      else if (*p == '\'' || *p == '/')
        return FALSE;
      else if ((*p == '[' || *p == '{') && ++depth > max_depth)
        return FALSE;
      else if ((*p == ']' || *p == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

static void sanitize_node (JsonNode *node);

/* json-glib 1.6 escapes every control character but U+001F, which JSON
 * does not allow as it is: it goes, with what is not UTF-8. */
static gboolean
is_json_text (const char *text)
{
  return g_utf8_validate (text, -1, NULL) && strchr (text, '\x1f') == NULL;
}

static char *
make_json_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_auto(GStrv) parts = g_strsplit (valid, "\x1f", -1);

  return g_strjoinv ("\357\277\275", parts);
}

/* json-glib 1.6 prints a double as "%.17g" and adds ".0" where there is no
 * point: 1e-13 becomes "1e-13.0", which is not JSON. Such a number (only a
 * damaged or hand-made row holds one; measured times never print so) moves
 * by one unit in the last place, to a neighbour printed with its point. */
static double
printable_double (double value)
{
  for (guint i = 0; i < 4 && isfinite (value); i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (buf, sizeof buf, "%.17g", value);
      if (strchr (buf, 'e') == NULL || strchr (buf, '.') != NULL)
        return value;
      value = nextafter (value, 0.0);
    }
  return NAN;
}

/* Member names are strings too. json-glib cannot rename a member: an
 * object with a name to repair is copied, in order. */
static void
sanitize_object (JsonNode *node)
{
  JsonObject *object = json_node_get_object (node);
  g_autoptr(GList) names = json_object_get_members (object);
  g_autoptr(JsonObject) copy = NULL;
  gboolean names_valid = TRUE;

  for (GList *l = names; l != NULL; l = l->next)
    {
      sanitize_node (json_object_get_member (object, l->data));
      names_valid = names_valid && is_json_text (l->data);
    }
  if (names_valid)
    return;

  copy = json_object_new ();
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *name = make_json_text (l->data);
      json_object_set_member (copy, name, json_node_ref (json_object_get_member (object, l->data)));
    }
  json_node_set_object (node, copy);
}

/* In place, so that json-glib prints JSON: strings and names become text
 * JSON can hold (make_json_text()), numbers that are not finite (1e999
 * parses as infinity, printed "inf") become null, and the others print
 * with their point (printable_double()). Depth is bounded by
 * _lab_history_json_is_plain(). */
static void
sanitize_node (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    sanitize_object (node);
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autoptr(GList) elements = json_array_get_elements (json_node_get_array (node));
      for (GList *l = elements; l != NULL; l = l->next)
        sanitize_node (l->data);
    }
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double printable = printable_double (json_node_get_double (node));

      if (isnan (printable))
        json_node_init_null (node);
      else if (printable != json_node_get_double (node))
        json_node_set_double (node, printable);
    }
  else if (json_node_get_value_type (node) == G_TYPE_STRING && !is_json_text (json_node_get_string (node)))
    {
      g_autofree char *valid = make_json_text (json_node_get_string (node));
      json_node_set_string (node, valid);
    }
}

static JsonObject *
node_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* The stored {"runs": [{…}]} document, sanitized, or NULL when the text is
 * not one. @run is its first run. */
static JsonNode *
parse_stored (const char  *text,
              JsonObject **run)
{
  g_autoptr(JsonNode) root = NULL;
  JsonArray *runs;

  if (text == NULL || !_lab_history_json_is_plain (text, MAX_JSON_DEPTH) ||
      !(root = json_from_string (text, NULL)))
    return NULL;

  /* First: sanitizing may replace objects. */
  sanitize_node (root);
  runs = member_array (node_object (root), "runs");
  if (runs == NULL || json_array_get_length (runs) == 0 ||
      !(*run = node_object (json_array_get_element (runs, 0))))
    return NULL;

  return g_steal_pointer (&root);
}

static void
add_double_member (JsonBuilder *b,
                   const char  *name,
                   double       value)
{
  double printable = printable_double (value);

  json_builder_set_member_name (b, name);
  if (isnan (printable))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, printable);
}

static void
add_string_member (JsonBuilder *b,
                   const char  *name,
                   const char  *text)
{
  g_autofree char *valid = make_json_text (text ? text : "");

  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, valid);
}

/* What the row's columns say, when its JSON cannot be read. */
static JsonNode *
run_from_columns (const LabHistoryEntry *entry)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string_member (b, "task", entry->task);
  add_string_member (b, "strategy", entry->strategy);
  json_builder_set_member_name (b, "workers");
  json_builder_add_int_value (b, entry->workers);
  json_builder_set_member_name (b, "jobs");
  json_builder_add_int_value (b, entry->jobs);
  json_builder_set_member_name (b, "failed");
  json_builder_add_int_value (b, entry->failed);
  json_builder_set_member_name (b, "cancelled");
  json_builder_add_boolean_value (b, entry->cancelled);
  add_double_member (b, "wall_s", entry->wall_s);
  add_double_member (b, "cpu_s", entry->cpu_s);
  json_builder_set_member_name (b, "gil");
  json_builder_add_boolean_value (b, entry->gil);
  json_builder_set_member_name (b, "job_results");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "history_damaged");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

/**
 * lab_history_entry_to_json:
 * @complete: (out) (optional): %FALSE when the stored JSON could not be
 *   read and the run is only what its columns say (with
 *   `"history_damaged": true` and no job results)
 *
 * The run for `history --format=json`: the stored run object, with its
 * `history_id`. Whatever the row holds, the node prints as valid JSON.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
lab_history_entry_to_json (const LabHistoryEntry *entry,
                           gboolean              *complete)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *stored = NULL;
  JsonNode *run;

  g_return_val_if_fail (entry != NULL, NULL);

  root = parse_stored (entry->json, &stored);
  run = stored ? json_node_init_object (json_node_alloc (), stored) : run_from_columns (entry);
  json_object_set_int_member (json_node_get_object (run), "history_id", entry->id);

  if (complete)
    *complete = stored != NULL;
  return run;
}

static void
append_csv_text (GString    *out,
                 const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* Six decimals and a dot, whatever the locale; what cannot be a time (a
 * damaged row) in the shortest form that reads back, or empty. */
static void
append_csv_double (GString *out,
                   double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    return;
  if (fabs (value) < 1e15)
    g_ascii_formatd (buf, sizeof buf, "%.6f", value);
  else
    g_ascii_dtostr (buf, sizeof buf, value);
  g_string_append (out, buf);
}

/* A job's member as a CSV field: empty when it is missing or not a value. */
static void
append_csv_member (GString    *out,
                   JsonObject *job,
                   const char *name)
{
  JsonNode *node = json_object_get_member (job, name);
  GType type = node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (type == G_TYPE_INT64)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    append_csv_double (out, json_node_get_double (node));
  else if (type == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else if (type == G_TYPE_STRING)
    append_csv_text (out, json_node_get_string (node));
}

static char *
jobs_to_csv (JsonObject *run)
{
  static const char * const columns[] = {
    "index", "worker", "start_s", "end_s", "cpu_s", "ok", "error", "value", "bytes", "status",
  };
  GString *out = g_string_new ("index,worker,start_s,end_s,cpu_s,ok,error,value,bytes,status\n");
  JsonArray *jobs = member_array (run, "job_results");

  for (guint i = 0; jobs != NULL && i < json_array_get_length (jobs); i++)
    {
      JsonObject *job = node_object (json_array_get_element (jobs, i));

      if (job == NULL)
        continue;
      for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
        {
          if (c > 0)
            g_string_append_c (out, ',');
          append_csv_member (out, job, columns[c]);
        }
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

/**
 * lab_history_entry_export:
 * @format: %LAB_REPORT_JSON: the run as `run --format=json` printed it (the
 *   stored document); %LAB_REPORT_CSV: a header, then one line per job
 *
 * Returns: (transfer full): the text, or %NULL with @error set
 *   (%LAB_ERROR_CORRUPT when the stored run cannot be read)
 */
char *
lab_history_entry_export (const LabHistoryEntry  *entry,
                          LabReportFormat         format,
                          GError                **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *run = NULL;

  g_return_val_if_fail (entry != NULL, NULL);

  if (format != LAB_REPORT_JSON && format != LAB_REPORT_CSV)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("A run can be exported as json or csv"));
      return NULL;
    }
  if (!(root = parse_stored (entry->json, &run)))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_CORRUPT, _("Run %" PRId64 " in the history is damaged and cannot be exported"),
                   entry->id);
      return NULL;
    }

  if (format == LAB_REPORT_CSV)
    return jobs_to_csv (run);

  /* Printed again from the parsed document: the same text for the rows
   * this file writes, and valid JSON for any other that parses. */
  {
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autofree char *data = NULL;

    json_generator_set_root (gen, root);
    json_generator_set_pretty (gen, TRUE);
    data = json_generator_to_data (gen, NULL);
    return g_strconcat (data, "\n", NULL);
  }
}

/**
 * lab_history_format_csv:
 * @entries: (element-type LabHistoryEntry): as lab_history_list() gives them
 *
 * The listing as CSV: the table's columns, numbers with a dot whatever the
 * locale, times in ISO 8601.
 *
 * Returns: (transfer full): a header line, then one line per entry
 */
char *
lab_history_format_csv (GPtrArray *entries)
{
  GString *out = g_string_new ("id,when,task,strategy,workers,failed,wall_s,cpu_s,cancelled\n");

  for (guint i = 0; i < entries->len; i++)
    {
      const LabHistoryEntry *e = g_ptr_array_index (entries, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (e->created);
      g_autofree char *stamp = when ? g_date_time_format_iso8601 (when) : NULL;

      g_string_append_printf (out, "%" G_GINT64_FORMAT ",%s,", e->id, stamp ? stamp : "");
      append_csv_text (out, e->task ? e->task : "");
      g_string_append_c (out, ',');
      append_csv_text (out, e->strategy ? e->strategy : "");
      g_string_append_printf (out, ",%u,%u,", e->workers, e->failed);
      append_csv_double (out, e->wall_s);
      g_string_append_c (out, ',');
      append_csv_double (out, e->cpu_s);
      g_string_append_printf (out, ",%s\n", e->cancelled ? "true" : "false");
    }

  return g_string_free (out, FALSE);
}

/* ---- A stored run, back as a run ------------------------------------------ */

static GVariant *
column_variant (sqlite3_stmt *stmt,
                int           column,
                const char   *type)
{
  const void *data = sqlite3_column_blob (stmt, column);
  g_autoptr(GBytes) bytes = NULL;

  if (data == NULL)
    return NULL;
  bytes = g_bytes_new (data, sqlite3_column_bytes (stmt, column));
  /* Not trusted: GVariant checks serialised data it did not make as it
   * reads it, and gives a default for what does not fit. */
  return g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (type), bytes, FALSE));
}

static LabRun *
run_from_stored_json (const char  *json,
                      const char  *params_text,
                      LabRuntime   runtime,
                      gint64       id,
                      GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GVariant) params = NULL;
  JsonObject *run = NULL;

  if (!(root = parse_stored (json, &run)))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_CORRUPT, _("Run %" PRId64 " in the history is damaged and cannot be opened"), id);
      return NULL;
    }
  if (params_text != NULL)
    params = g_variant_parse (G_VARIANT_TYPE_VARDICT, params_text, NULL, NULL, NULL);
  return _lab_history_run_from_json (run, params, runtime, error);
}

/**
 * lab_history_load_run:
 * @samples: (out) (optional) (transfer full) (nullable): its CPU samples,
 *   or %NULL when none were kept (runs of the command line, or of an
 *   older version) or they are damaged
 *
 * The run with this id, made again from what was kept, to be drawn as it
 * was: its jobs, workers, figures and findings. A run kept by an older
 * version comes back from its JSON.
 *
 * Returns: (transfer full): the run, or %NULL with @error set:
 *   %LAB_ERROR_NOT_FOUND, %LAB_ERROR_CORRUPT
 */
LabRun *
lab_history_load_run (LabHistory     *self,
                      gint64          id,
                      LabCpuHistory **samples,
                      GError        **error)
{
  g_autoptr(GVariant) records = NULL;
  g_autoptr(GVariant) samples_v = NULL;
  g_autofree char *json = NULL;
  g_autofree char *params = NULL;
  g_autofree char *runtime_name = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GError) local_error = NULL;
  LabRuntime runtime = LAB_RUNTIME_C;
  sqlite3_stmt *stmt = NULL;
  LabRun *run;
  int rc;

  g_return_val_if_fail (LAB_IS_HISTORY (self), NULL);

  if (samples)
    *samples = NULL;
  if (self->db == NULL || !self->has_runs)
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_NOT_FOUND, _("No run %" PRId64 " in the history"), id);
      return NULL;
    }

  sql = g_strdup_printf ("SELECT json, %s, %s, %s FROM runs WHERE id = ?;",
                         self->has_v2 ? "params" : "NULL",
                         self->has_v3 ? "records, samples" : "NULL, NULL",
                         self->has_v2 ? "runtime" : "'c'");
  if ((rc = prepare (self, sql, &stmt)) != SQLITE_OK)
    return sqlite_error (self, rc, OP_READ, error), NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if ((rc = step (self, stmt)) == SQLITE_ROW)
    {
      set_column_text (&json, stmt, 0, NULL);
      set_column_text (&params, stmt, 1, NULL);
      records = column_variant (stmt, 2, _LAB_HISTORY_RECORDS_TYPE);
      samples_v = column_variant (stmt, 3, LAB_CPU_HISTORY_VARIANT_TYPE);
      set_column_text (&runtime_name, stmt, 4, "c");
    }
  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, LAB_ERROR, LAB_ERROR_NOT_FOUND, _("No run %" PRId64 " in the history"), id);
  if (rc != SQLITE_ROW)
    return rc == SQLITE_DONE ? NULL : (sqlite_error (self, rc, OP_READ, error), NULL);

  /* A runtime this build does not know is no run it can make again. */
  if (!lab_runtime_from_name (runtime_name, &runtime))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("Run %" PRId64 " ran in “%s”, which this version does not have"), id, runtime_name);
      return NULL;
    }
  if (records != NULL)
    run = _lab_history_run_from_variant (records, runtime, error);
  else
    run = run_from_stored_json (json, params, runtime, id, error);
  if (run == NULL)
    return NULL;

  if (samples && samples_v &&
      !(*samples = lab_cpu_history_new_from_variant (samples_v, &local_error)))
    g_debug ("Run %" PRId64 ": %s", id, local_error->message);
  return run;
}

/* ---- Against a baseline ---------------------------------------------------- */

/**
 * lab_history_entry_speedup_against:
 *
 * Returns: how many times faster @entry ran than @baseline (2: in half
 *   its time), or NAN when either has no wall time
 */
double
lab_history_entry_speedup_against (const LabHistoryEntry *entry,
                                   const LabHistoryEntry *baseline)
{
  g_return_val_if_fail (entry != NULL && baseline != NULL, NAN);

  if (!(entry->wall_s > 0) || !(baseline->wall_s > 0) || !isfinite (entry->wall_s) || !isfinite (baseline->wall_s))
    return NAN;
  return baseline->wall_s / entry->wall_s;
}

static LabMachineInfo *
entry_machine (const LabHistoryEntry *entry)
{
  return entry->machine ? lab_machine_info_from_string (entry->machine, NULL) : NULL;
}

/* Whether the run is known to have run on this machine. */
gboolean
lab_history_entry_ran_here (const LabHistoryEntry *entry)
{
  g_autoptr(LabMachineInfo) info = NULL;

  g_return_val_if_fail (entry != NULL, FALSE);
  return (info = entry_machine (entry)) != NULL && lab_machine_info_is_current (info);
}

/* Whether both runs are known to have run on one machine. */
gboolean
lab_history_entry_same_machine (const LabHistoryEntry *a,
                                const LabHistoryEntry *b)
{
  g_autoptr(LabMachineInfo) x = NULL;
  g_autoptr(LabMachineInfo) y = NULL;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);
  return (x = entry_machine (a)) != NULL && (y = entry_machine (b)) != NULL &&
         x->id != NULL && *x->id != '\0' && g_strcmp0 (x->id, y->id) == 0;
}

/**
 * lab_history_entry_dup_machine_summary:
 *
 * Returns: (transfer full): one line on the machine the run ran on, or
 *   "Unknown machine" for runs kept before machines were
 */
char *
lab_history_entry_dup_machine_summary (const LabHistoryEntry *entry)
{
  g_autoptr(LabMachineInfo) info = NULL;

  g_return_val_if_fail (entry != NULL, NULL);
  if ((info = entry_machine (entry)) == NULL)
    return g_strdup (_("Unknown machine"));
  return lab_machine_info_dup_summary (info);
}
