/* lab-history-model.c — the runs of the history, as a list loaded in pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list fills in pages of PAGE_SIZE runs, each read on a thread, the
 * next asked for when one arrives, so that 10 000 stored runs never stall
 * the window: it shows the newest at once and grows. A new filter or a
 * reload starts again; a page of an earlier load that arrives late is
 * dropped (each load has its number). The database is opened once, on the
 * first page's thread: that is where an old schema migrates and a
 * damaged file is moved aside; what the user must know comes back as
 * LabHistoryModel::message.
 *
 * Each item knows its task's baseline (the pinned run) and its change
 * against it, worked out on the thread too.
 */
#define G_LOG_DOMAIN "lab-history-model"

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <glib/gi18n.h>

#include "lab-history-model.h"
#include "lab-format.h"
#include "lab-report.h"

#define PAGE_SIZE 200

/* ---- LabHistoryItem ------------------------------------------------------ */

static char *
format_seconds (double seconds)
{
  return lab_format_seconds (isfinite (seconds) ? (gint64) CLAMP (seconds * 1e9, -1e18, 1e18) : 0);
}

struct _LabHistoryItem
{
  GObject          parent_instance;
  LabHistoryEntry *entry;
  gint64           baseline_id;       /* 0: none */
  double           delta;             /* the baseline's wall over this run's */
  gboolean         baseline_elsewhere;
  double           baseline_wall_s;
  gboolean         baseline_here;     /* the baseline ran on this machine */
};

G_DEFINE_FINAL_TYPE (LabHistoryItem, lab_history_item, G_TYPE_OBJECT)

static void
lab_history_item_finalize (GObject *object)
{
  LabHistoryItem *self = (LabHistoryItem *) object;

  g_clear_pointer (&self->entry, lab_history_entry_free);
  G_OBJECT_CLASS (lab_history_item_parent_class)->finalize (object);
}

static void
lab_history_item_class_init (LabHistoryItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lab_history_item_finalize;
}

static void
lab_history_item_init (LabHistoryItem *self)
{
  self->delta = NAN;
}

/* Takes @entry. */
static LabHistoryItem *
item_new (LabHistoryEntry       *entry,
          const LabHistoryEntry *baseline)
{
  LabHistoryItem *self = g_object_new (LAB_TYPE_HISTORY_ITEM, NULL);

  self->entry = entry;
  if (baseline != NULL)
    {
      self->baseline_id = baseline->id;
      self->delta = lab_history_entry_speedup_against (entry, baseline);
      self->baseline_elsewhere = !lab_history_entry_same_machine (entry, baseline);
      self->baseline_wall_s = baseline->wall_s;
      self->baseline_here = lab_history_entry_ran_here (baseline);
    }
  return self;
}

const LabHistoryEntry *
lab_history_item_get_entry (LabHistoryItem *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ITEM (self), NULL);
  return self->entry;
}

gint64
lab_history_item_get_id (LabHistoryItem *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ITEM (self), 0);
  return self->entry->id;
}

/* How many times faster than its task's baseline, or NAN. */
double
lab_history_item_get_delta (LabHistoryItem *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ITEM (self), NAN);
  return self->delta;
}

gint64
lab_history_item_get_baseline_id (LabHistoryItem *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ITEM (self), 0);
  return self->baseline_id;
}

/* The baseline ran on another machine (or one not recorded). */
gboolean
lab_history_item_is_baseline_elsewhere (LabHistoryItem *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_ITEM (self), FALSE);
  return self->baseline_id != 0 && self->baseline_elsewhere;
}

/* "Today", "Yesterday", or the date: the list's groups. */
char *
lab_history_item_dup_day (LabHistoryItem *self)
{
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  int days;

  g_return_val_if_fail (LAB_IS_HISTORY_ITEM (self), NULL);

  if (!(when = g_date_time_new_from_unix_local (self->entry->created)))
    return g_strdup (_("Unknown date"));
  days = g_date_time_get_year (now) * 400 + g_date_time_get_day_of_year (now)
       - (g_date_time_get_year (when) * 400 + g_date_time_get_day_of_year (when));
  if (days == 0)
    return g_strdup (_("Today"));
  if (days == 1)
    return g_strdup (_("Yesterday"));
  /* Translators: a day of the history, see g_date_time_format() */
  return g_date_time_format (when, _("%A %e %B %Y"));
}

char *
lab_history_item_dup_title (LabHistoryItem *self)
{
  const LabHistoryEntry *e;

  g_return_val_if_fail (LAB_IS_HISTORY_ITEM (self), NULL);
  e = self->entry;
  /* Translators: a stored run: "Run 12 · primes · thread-pool" */
  return g_strdup_printf (_("Run %" PRId64 " · %s · %s%s"), e->id, e->task, e->strategy,
                          e->gil ? _(" · GIL") : "");
}

/* Runtime, workers, wall, CPU, when and the machine. */
char *
lab_history_item_dup_subtitle (LabHistoryItem *self)
{
  const LabHistoryEntry *e;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *time = NULL, *wall = NULL, *cpu = NULL, *machine = NULL, *workers = NULL;

  g_return_val_if_fail (LAB_IS_HISTORY_ITEM (self), NULL);
  e = self->entry;
  when = g_date_time_new_from_unix_local (e->created);
  time = when ? g_date_time_format (when, "%H:%M") : g_strdup ("");
  wall = format_seconds (e->wall_s);
  cpu = format_seconds (e->cpu_s);
  machine = lab_history_entry_dup_machine_summary (e);
  workers = g_strdup_printf (ngettext ("%u worker", "%u workers", e->workers), e->workers);
  /* Translators: "14:05 · C · 4 workers · 1.20 s wall · 2.10 s CPU · laptop, 4 cores" */
  return g_strdup_printf (_("%s · %s · %s · %s wall · %s CPU · %s"), time,
                          g_strcmp0 (e->runtime, "c") == 0 ? "C" : e->runtime, workers, wall, cpu, machine);
}

/* "2.00× faster (−50 %)", "baseline", or "" without one. */
char *
lab_history_item_dup_delta_text (LabHistoryItem *self)
{
  g_autofree char *delta = NULL;

  g_return_val_if_fail (LAB_IS_HISTORY_ITEM (self), NULL);

  if (self->entry->pinned)
    return g_strdup (_("Baseline"));
  if (self->baseline_id == 0)
    return g_strdup ("");
  delta = lab_report_describe_delta (self->delta);
  if (self->baseline_elsewhere)
    /* Translators: the change against a baseline that ran on another machine */
    return g_strdup_printf (_("%s (baseline from another machine)"), delta);
  return g_steal_pointer (&delta);
}

/* ---- LabHistoryModel ----------------------------------------------------- */

struct _LabHistoryModel
{
  GObject     parent_instance;
  char       *path;
  GPtrArray  *items;        /* LabHistoryItem */
  LabHistory *history;      /* opened by the first page's thread */
  char       *task;
  char       *strategy;
  char       *search;
  guint       generation;   /* of the load under way */
  gboolean    loading;
  gboolean    in_flight;    /* a page is being read */
  GCancellable *cancellable;
};

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

enum {
  MESSAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LabHistoryModel, lab_history_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return LAB_TYPE_HISTORY_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return LAB_HISTORY_MODEL (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  LabHistoryModel *self = LAB_HISTORY_MODEL (model);

  return position < self->items->len ? g_object_ref (g_ptr_array_index (self->items, position)) : NULL;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* What a page's thread is given and gives back. */
typedef struct {
  char       *path;
  LabHistory *history;    /* in: the open one, or NULL; out: the one used */
  char       *task;
  char       *strategy;
  char       *search;
  gint64      before_id;
  guint       generation;
  GPtrArray  *items;      /* out */
  char       *message;    /* out: what the user must be told */
} Page;

static void
page_free (Page *page)
{
  g_free (page->path);
  g_clear_object (&page->history);
  g_free (page->task);
  g_free (page->strategy);
  g_free (page->search);
  g_clear_pointer (&page->items, g_ptr_array_unref);
  g_free (page->message);
  g_free (page);
}

/* The baselines of the page's tasks, read once each. */
static const LabHistoryEntry *
baseline_of (LabHistory *history,
             GHashTable *baselines,
             const char *task)
{
  LabHistoryEntry *baseline;

  if (g_hash_table_lookup_extended (baselines, task, NULL, (gpointer *) &baseline))
    return baseline;
  baseline = lab_history_get_baseline (history, task, NULL);
  g_hash_table_insert (baselines, g_strdup (task), baseline);
  return baseline;
}

static void
load_page_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Page *page = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) baselines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) lab_history_entry_free);
  LabHistoryQuery query = {
    .task = page->task, .strategy = page->strategy, .search = page->search,
    .before_id = page->before_id, .limit = PAGE_SIZE, .without_json = TRUE,
  };

  page->items = g_ptr_array_new_with_free_func (g_object_unref);
  if (page->history == NULL)
    {
      /* Opened to write: an old schema is migrated, a damaged file moved
       * aside. A file that cannot be opened at all lists nothing. */
      if (!(page->history = lab_history_open (page->path, &error)))
        {
          page->message = g_strdup_printf (_("The run history cannot be opened: %s"), error->message);
          return;
        }
      page->message = g_strdup (lab_history_get_notice (page->history));
    }

  if (!(entries = lab_history_query (page->history, &query, &error)))
    {
      page->message = g_strdup_printf (_("The run history cannot be read: %s"), error->message);
      return;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      LabHistoryEntry *entry = g_ptr_array_index (entries, i);
      const LabHistoryEntry *baseline = baseline_of (page->history, baselines, entry->task);

      g_ptr_array_add (page->items, item_new (g_steal_pointer (&entries->pdata[i]), baseline));
    }
}

static void load_next_page (LabHistoryModel *self);

static void
set_loading (LabHistoryModel *self,
             gboolean         loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
page_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LabHistoryModel) self = user_data;
  Page *page = g_task_get_task_data (G_TASK (result));
  guint position = self->items->len;
  guint n = page->items ? page->items->len : 0;

  self->in_flight = FALSE;
  /* The list is gone: nothing more to read. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (self->history == NULL && page->history != NULL)
    self->history = g_object_ref (page->history);
  if (page->message != NULL)
    g_signal_emit (self, signals[MESSAGE], 0, page->message);

  /* A page of a load that was replaced: that load starts now. */
  if (page->generation != self->generation)
    {
      load_next_page (self);
      return;
    }

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->items, g_object_ref (g_ptr_array_index (page->items, i)));
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, 0, n);

  if (n == PAGE_SIZE)
    load_next_page (self);
  else
    set_loading (self, FALSE);
}

/* One page at a time, on the history's connection. */
static void
load_next_page (LabHistoryModel *self)
{
  g_autoptr(GTask) task = NULL;
  Page *page;

  if (self->in_flight)
    return;

  page = g_new0 (Page, 1);
  page->path = g_strdup (self->path);
  page->history = self->history ? g_object_ref (self->history) : NULL;
  page->task = g_strdup (self->task);
  page->strategy = g_strdup (self->strategy);
  page->search = g_strdup (self->search);
  page->generation = self->generation;
  page->before_id = self->items->len
    ? lab_history_item_get_id (g_ptr_array_index (self->items, self->items->len - 1)) : 0;

  self->in_flight = TRUE;
  set_loading (self, TRUE);
  task = g_task_new (NULL, self->cancellable, page_loaded_cb, g_object_ref (self));
  g_task_set_source_tag (task, load_next_page);
  g_task_set_task_data (task, page, (GDestroyNotify) page_free);
  g_task_run_in_thread (task, load_page_thread);
}

static void
lab_history_model_dispose (GObject *object)
{
  LabHistoryModel *self = (LabHistoryModel *) object;

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (lab_history_model_parent_class)->dispose (object);
}

static void
lab_history_model_finalize (GObject *object)
{
  LabHistoryModel *self = (LabHistoryModel *) object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->history);
  g_ptr_array_unref (self->items);
  g_free (self->path);
  g_free (self->task);
  g_free (self->strategy);
  g_free (self->search);
  G_OBJECT_CLASS (lab_history_model_parent_class)->finalize (object);
}

static void
lab_history_model_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  LabHistoryModel *self = LAB_HISTORY_MODEL (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_history_model_class_init (LabHistoryModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lab_history_model_dispose;
  object_class->finalize = lab_history_model_finalize;
  object_class->get_property = lab_history_model_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LabHistoryModel::message:
   * @text: what the user must be told (a damaged file moved aside, a
   *   history that cannot be read)
   */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lab_history_model_init (LabHistoryModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

/**
 * lab_history_model_new:
 * @path: (nullable): the database, or %NULL for the user's
 *
 * An empty list that starts loading at once.
 */
LabHistoryModel *
lab_history_model_new (const char *path)
{
  LabHistoryModel *self = g_object_new (LAB_TYPE_HISTORY_MODEL, NULL);

  self->path = path ? g_strdup (path) : lab_history_get_default_path ();
  lab_history_model_reload (self);
  return self;
}

const char *
lab_history_model_get_path (LabHistoryModel *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_MODEL (self), NULL);
  return self->path;
}

/* Empties the list and loads it again from the newest run. */
void
lab_history_model_reload (LabHistoryModel *self)
{
  guint n;

  g_return_if_fail (LAB_IS_HISTORY_MODEL (self));

  n = self->items->len;
  self->generation++;
  g_ptr_array_set_size (self->items, 0);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  load_next_page (self);
}

static gboolean
set_text (char       **field,
          const char  *text)
{
  if (text != NULL && *text == '\0')
    text = NULL;
  if (g_strcmp0 (*field, text) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (text);
  return TRUE;
}

/* Only the runs of @task and @strategy (%NULL: any) that match @search. */
void
lab_history_model_set_filter (LabHistoryModel *self,
                              const char      *task,
                              const char      *strategy,
                              const char      *search)
{
  gboolean changed = FALSE;

  g_return_if_fail (LAB_IS_HISTORY_MODEL (self));

  changed |= set_text (&self->task, task);
  changed |= set_text (&self->strategy, strategy);
  changed |= set_text (&self->search, search);
  if (changed)
    lab_history_model_reload (self);
}

/* The filter, for deleting what it lists. Valid until it changes. */
LabHistoryQuery
lab_history_model_get_filter (LabHistoryModel *self)
{
  return (LabHistoryQuery) { .task = self->task, .strategy = self->strategy, .search = self->search };
}

gboolean
lab_history_model_is_loading (LabHistoryModel *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_MODEL (self), FALSE);
  return self->loading;
}

/* Removes an item from the list (a delete that may be undone). */
LabHistoryItem *
lab_history_model_take (LabHistoryModel *self,
                        guint            position)
{
  LabHistoryItem *item;

  g_return_val_if_fail (LAB_IS_HISTORY_MODEL (self), NULL);
  g_return_val_if_fail (position < self->items->len, NULL);

  item = g_ptr_array_steal_index (self->items, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  return item;
}

void
lab_history_model_put_back (LabHistoryModel *self,
                            guint            position,
                            LabHistoryItem  *item)
{
  g_return_if_fail (LAB_IS_HISTORY_MODEL (self));

  position = MIN (position, self->items->len);
  g_ptr_array_insert (self->items, position, g_object_ref (item));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

/**
 * lab_history_model_lookup_baseline:
 * @wall_s: (out): its wall time
 * @id: (out): its number
 * @here: (out): whether it ran on this machine
 *
 * The baseline of @task, as the runs listed so far know it.
 *
 * Returns: whether @task has one among them
 */
gboolean
lab_history_model_lookup_baseline (LabHistoryModel *self,
                                   const char      *task,
                                   double          *wall_s,
                                   gint64          *id,
                                   gboolean        *here)
{
  g_return_val_if_fail (LAB_IS_HISTORY_MODEL (self), FALSE);

  for (guint i = 0; i < self->items->len; i++)
    {
      LabHistoryItem *item = g_ptr_array_index (self->items, i);

      if (item->baseline_id == 0 || g_strcmp0 (item->entry->task, task) != 0)
        continue;
      *wall_s = item->baseline_wall_s;
      *id = item->baseline_id;
      *here = item->baseline_here;
      return TRUE;
    }
  return FALSE;
}

/* Empties the list, giving its items. */
GPtrArray *
lab_history_model_take_all (LabHistoryModel *self)
{
  GPtrArray *items;
  guint n;

  g_return_val_if_fail (LAB_IS_HISTORY_MODEL (self), NULL);

  n = self->items->len;
  items = g_steal_pointer (&self->items);
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->generation++;
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  return items;
}
