/* lab-history-page.c — the runs kept in the history, and one of them drawn again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list is a LabHistoryModel (pages read off the main loop), newest
 * first, each day's first run headed by the day. Opening a run reads it
 * back on a thread (lab_history_load_run()) with its task's baseline, and
 * draws it with the window's own charts. Deleting hides the run at once
 * and deletes it when the toast goes without "Undo". Every write is a
 * connection of its own, on a thread.
 */
#define G_LOG_DOMAIN "lab-history-page"

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <glib/gi18n.h>

#include "lab-analysis.h"
#include "lab-comparison-chart.h"
#include "lab-cpu-chart.h"
#include "lab-history-page.h"
#include "lab-strategy.h"
#include "lab-task.h"
#include "lab-timeline.h"

struct _LabHistoryPage
{
  AdwBin              parent_instance;

  AdwToastOverlay    *toast_overlay;
  GtkDropDown        *task_dropdown;
  GtkDropDown        *strategy_dropdown;
  GtkSearchEntry     *search_entry;
  GtkButton          *delete_all_button;
  GtkStack           *list_stack;
  GtkListView        *list_view;
  GtkStack           *detail_stack;
  GtkLabel           *run_title;
  GtkLabel           *run_machine;
  GtkLabel           *run_verdict;
  GtkLabel           *run_findings;
  GtkToggleButton    *pin_button;
  GtkButton          *delete_button;
  LabTimeline        *timeline;
  GtkLabel           *cpu_heading;
  LabCpuChart        *cpu_chart;
  LabComparisonChart *comparison_chart;

  LabHistoryModel    *model;
  GtkStringList      *task_names;      /* "" first: every task */
  GtkStringList      *strategy_names;
  LabRun             *opened;
  LabHistoryItem     *opened_item;
  AdwToast           *toast;           /* the last one shown */
  GCancellable       *cancellable;
  gboolean            updating_pin;
  char               *path;
};

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  RUN_OPENED,
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LabHistoryPage, lab_history_page, ADW_TYPE_BIN)

static void
show_toast (LabHistoryPage *self,
            AdwToast       *toast)
{
  g_set_object (&self->toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Toast titles are markup; messages may quote paths with & or < in them. */
static AdwToast *
toast_new (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

static void
message_cb (LabHistoryPage *self,
            const char     *text)
{
  AdwToast *toast = toast_new (text);

  adw_toast_set_timeout (toast, 0);
  show_toast (self, toast);
}

static void
update_stack (LabHistoryPage *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->model)) == 0 &&
                   !lab_history_model_is_loading (self->model);

  gtk_stack_set_visible_child_name (self->list_stack, empty ? "empty" : "list");
  gtk_widget_set_sensitive (GTK_WIDGET (self->delete_all_button), !empty);
}

/* ---- Rows ----------------------------------------------------------------- */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              LabHistoryPage           *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *day = gtk_label_new (NULL);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);
  GtkWidget *delta = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (day), 0);
  gtk_widget_add_css_class (day, "heading");
  gtk_widget_set_margin_top (day, 6);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_add_css_class (delta, "numeric");
  gtk_label_set_wrap (GTK_LABEL (delta), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (delta), 16);
  gtk_label_set_xalign (GTK_LABEL (delta), 1);
  gtk_box_append (GTK_BOX (texts), title);
  gtk_box_append (GTK_BOX (texts), subtitle);
  gtk_box_append (GTK_BOX (line), texts);
  gtk_box_append (GTK_BOX (line), delta);
  gtk_box_append (GTK_BOX (box), day);
  gtk_box_append (GTK_BOX (box), line);
  gtk_list_item_set_child (list_item, box);
}

/* The day heads the first run of each day. */
static gboolean
starts_day (LabHistoryPage *self,
            guint           position,
            const char     *day)
{
  g_autoptr(LabHistoryItem) previous = NULL;
  g_autofree char *previous_day = NULL;

  if (position == 0)
    return TRUE;
  previous = g_list_model_get_item (G_LIST_MODEL (self->model), position - 1);
  previous_day = previous ? lab_history_item_dup_day (previous) : NULL;
  return g_strcmp0 (day, previous_day) != 0;
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             LabHistoryPage           *self)
{
  LabHistoryItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *day = gtk_widget_get_first_child (box);
  GtkWidget *line = gtk_widget_get_next_sibling (day);
  GtkWidget *texts = gtk_widget_get_first_child (line);
  GtkWidget *delta = gtk_widget_get_next_sibling (texts);
  g_autofree char *day_text = lab_history_item_dup_day (item);
  g_autofree char *title = lab_history_item_dup_title (item);
  g_autofree char *subtitle = lab_history_item_dup_subtitle (item);
  g_autofree char *delta_text = lab_history_item_dup_delta_text (item);
  double speedup = lab_history_item_get_delta (item);

  gtk_label_set_text (GTK_LABEL (day), day_text);
  gtk_widget_set_visible (day, starts_day (self, gtk_list_item_get_position (list_item), day_text));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (texts)), title);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (texts)), subtitle);
  gtk_label_set_text (GTK_LABEL (delta), delta_text);
  gtk_widget_remove_css_class (delta, "success");
  gtk_widget_remove_css_class (delta, "warning");
  if (!lab_history_item_get_entry (item)->pinned && isfinite (speedup))
    gtk_widget_add_css_class (delta, speedup >= 1 ? "success" : "warning");
}

/* ---- Opening a run -------------------------------------------------------- */

typedef struct {
  char          *path;
  gint64         id;
  gint64         baseline_id;
  LabRun        *run;         /* out */
  LabCpuHistory *samples;     /* out */
  LabHistoryEntry *baseline;  /* out: its task's baseline, when not itself */
} Opening;

static void
opening_free (Opening *o)
{
  g_free (o->path);
  g_clear_object (&o->run);
  g_clear_pointer (&o->samples, lab_cpu_history_unref);
  g_clear_pointer (&o->baseline, lab_history_entry_free);
  g_free (o);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Opening *o = task_data;
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GError) error = NULL;

  if (!(history = lab_history_open_full (o->path, LAB_HISTORY_READ_ONLY, 0, &error)) ||
      !(o->run = lab_history_load_run (history, o->id, &o->samples, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (o->baseline_id != 0 && o->baseline_id != o->id)
    o->baseline = lab_history_get_run (history, o->baseline_id, NULL);
  g_task_return_boolean (task, TRUE);
}

static char *
findings_text (LabRun *run)
{
  GString *out = g_string_new (NULL);
  const LabFinding *findings;
  guint n;

  findings = lab_run_get_findings (run, &n);
  /* The first is the verdict, shown above. */
  for (guint i = 1; i < n; i++)
    g_string_append_printf (out, "%s• %s", out->len ? "\n" : "", findings[i].text);
  return g_string_free (out, FALSE);
}

static void
show_opened (LabHistoryPage *self,
             Opening        *o)
{
  const LabHistoryEntry *entry = lab_history_item_get_entry (self->opened_item);
  g_autofree char *title = lab_history_item_dup_title (self->opened_item);
  g_autofree char *machine = lab_history_entry_dup_machine_summary (entry);
  g_autofree char *findings = findings_text (o->run);
  g_autoptr(LabAnalysis) analysis = NULL;
  g_autofree char *reference = NULL;

  g_set_object (&self->opened, o->run);
  gtk_label_set_text (self->run_title, title);
  gtk_label_set_text (self->run_machine, machine);
  gtk_label_set_text (self->run_verdict, lab_run_get_verdict (o->run) ? lab_run_get_verdict (o->run) : "");
  gtk_label_set_text (self->run_findings, findings);
  gtk_widget_set_visible (GTK_WIDGET (self->run_findings), *findings != '\0');

  lab_timeline_set_run (self->timeline, o->run);
  lab_timeline_set_history (self->timeline, o->samples);
  lab_cpu_chart_set_history (self->cpu_chart, o->samples);
  gtk_widget_set_visible (GTK_WIDGET (self->cpu_chart), o->samples != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->cpu_heading), o->samples != NULL);

  /* The run's bars, and its task's baseline as a line across them. */
  analysis = lab_analysis_new (&o->run, 1);
  lab_comparison_chart_set_analysis (self->comparison_chart, analysis);
  lab_comparison_chart_set_selected (self->comparison_chart, o->run);
  if (o->baseline != NULL)
    reference = lab_history_entry_same_machine (entry, o->baseline)
      /* Translators: the reference line of the comparison chart */
      ? g_strdup_printf (_("Baseline: run %" PRId64), o->baseline->id)
      : g_strdup_printf (_("Baseline: run %" PRId64 ", another machine"), o->baseline->id);
  lab_comparison_chart_set_reference (self->comparison_chart, o->baseline ? o->baseline->wall_s : NAN, reference);

  self->updating_pin = TRUE;
  gtk_toggle_button_set_active (self->pin_button, entry->pinned);
  self->updating_pin = FALSE;
  gtk_stack_set_visible_child_name (self->detail_stack, "run");
  g_signal_emit (self, signals[RUN_OPENED], 0, o->run);
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LabHistoryPage) self = user_data;
  Opening *o = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, toast_new (error->message));
      return;
    }
  if (self->opened_item != NULL && lab_history_item_get_id (self->opened_item) == o->id)
    show_opened (self, o);
}

/**
 * lab_history_page_open:
 *
 * Reads the run at @position back, and draws it once it is read
 * (LabHistoryPage::run-opened).
 */
void
lab_history_page_open (LabHistoryPage *self,
                       guint           position)
{
  g_autoptr(LabHistoryItem) item = NULL;
  g_autoptr(GTask) task = NULL;
  Opening *o;

  g_return_if_fail (LAB_IS_HISTORY_PAGE (self));

  if (!(item = g_list_model_get_item (G_LIST_MODEL (self->model), position)))
    return;
  g_set_object (&self->opened_item, item);

  o = g_new0 (Opening, 1);
  o->path = g_strdup (lab_history_model_get_path (self->model));
  o->id = lab_history_item_get_id (item);
  o->baseline_id = lab_history_item_get_baseline_id (item);
  task = g_task_new (NULL, self->cancellable, opened_cb, g_object_ref (self));
  g_task_set_source_tag (task, lab_history_page_open);
  g_task_set_task_data (task, o, (GDestroyNotify) opening_free);
  g_task_run_in_thread (task, open_thread);
}

static void
activate_cb (LabHistoryPage *self,
             guint           position)
{
  lab_history_page_open (self, position);
}

/* ---- Changing the history ------------------------------------------------- */

typedef enum {
  CHANGE_DELETE,
  CHANGE_DELETE_MATCHING,
  CHANGE_PIN,
  CHANGE_UNPIN,
} ChangeKind;

typedef struct {
  ChangeKind  kind;
  char       *path;
  gint64      id;
  char       *task;
  char       *strategy;
  char       *search;
} Change;

static void
change_free (Change *c)
{
  g_free (c->path);
  g_free (c->task);
  g_free (c->strategy);
  g_free (c->search);
  g_free (c);
}

static void
change_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Change *c = task_data;
  g_autoptr(LabHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!(history = lab_history_open (c->path, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  switch (c->kind)
    {
    case CHANGE_DELETE:
      ok = lab_history_delete (history, c->id, &error);
      break;
    case CHANGE_DELETE_MATCHING:
      ok = lab_history_delete_matching (history, &(LabHistoryQuery) { .task = c->task, .strategy = c->strategy,
                                                                      .search = c->search }, NULL, &error);
      break;
    case CHANGE_PIN:
    case CHANGE_UNPIN:
    default:
      ok = lab_history_set_pinned (history, c->id, c->kind == CHANGE_PIN, &error);
      break;
    }
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static GWeakRef *
weak_ref_new (gpointer object)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, object);
  return ref;
}

static void
changed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr(LabHistoryPage) self = g_weak_ref_get (ref);
  Change *c = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  weak_ref_free (ref);
  /* The page is gone (the window closed while a toast was up): the
   * change was made all the same. */
  if (self == NULL)
    return;
  if (!ok)
    show_toast (self, toast_new (error->message));
  /* Pins change every delta of the task; a failed delete brings the run back. */
  if (error != NULL || c->kind == CHANGE_PIN || c->kind == CHANGE_UNPIN)
    lab_history_model_reload (self->model);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
change (LabHistoryPage *self,
        Change         *c)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, changed_cb, weak_ref_new (self));

  if (c->path == NULL)
    c->path = g_strdup (lab_history_model_get_path (self->model));
  g_task_set_source_tag (task, change);
  g_task_set_task_data (task, c, (GDestroyNotify) change_free);
  g_task_run_in_thread (task, change_thread);
}

/* A run hidden from the list until its toast goes. The toast lives in
 * the page: it holds the page weakly. */
typedef struct {
  GWeakRef        page;
  LabHistoryItem *item;   /* NULL: every run listed */
  guint           position;
  Change         *change;
  gboolean        undone;
} Pending;

static void
pending_free (gpointer  data,
              GClosure *closure)
{
  Pending *p = data;

  g_weak_ref_clear (&p->page);
  g_clear_object (&p->item);
  if (p->change)
    change_free (p->change);
  g_free (p);
}

static void
undo_cb (AdwToast *toast,
         Pending  *p)
{
  g_autoptr(LabHistoryPage) page = g_weak_ref_get (&p->page);

  p->undone = TRUE;
  if (page == NULL)
    return;
  if (p->item != NULL)
    lab_history_model_put_back (page->model, p->position, p->item);
  else
    lab_history_model_reload (page->model);
  update_stack (page);
}

static void
dismissed_cb (AdwToast *toast,
              Pending  *p)
{
  g_autoptr(LabHistoryPage) page = g_weak_ref_get (&p->page);

  if (!p->undone && page != NULL)
    change (page, g_steal_pointer (&p->change));
}

static void
show_undo_toast (LabHistoryPage *self,
                 const char     *text,
                 Pending        *p)
{
  AdwToast *toast = toast_new (text);

  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (undo_cb), p);
  g_signal_connect_data (toast, "dismissed", G_CALLBACK (dismissed_cb), p, pending_free, 0);
  show_toast (self, toast);
}

static void
close_if_opened (LabHistoryPage *self,
                 gint64          id)
{
  if (self->opened_item == NULL || (id != 0 && lab_history_item_get_id (self->opened_item) != id))
    return;
  g_clear_object (&self->opened_item);
  g_clear_object (&self->opened);
  gtk_stack_set_visible_child_name (self->detail_stack, "none");
}

/**
 * lab_history_page_delete:
 *
 * Hides the run at @position, and deletes it from the history when its
 * toast goes without "Undo".
 */
void
lab_history_page_delete (LabHistoryPage *self,
                         guint           position)
{
  g_autofree char *text = NULL;
  Pending *p;

  g_return_if_fail (LAB_IS_HISTORY_PAGE (self));
  g_return_if_fail (position < g_list_model_get_n_items (G_LIST_MODEL (self->model)));

  p = g_new0 (Pending, 1);
  g_weak_ref_init (&p->page, self);
  p->position = position;
  p->item = lab_history_model_take (self->model, position);
  p->change = g_new0 (Change, 1);
  p->change->kind = CHANGE_DELETE;
  p->change->id = lab_history_item_get_id (p->item);
  close_if_opened (self, p->change->id);
  update_stack (self);

  text = g_strdup_printf (_("Run %" PRId64 " deleted"), p->change->id);
  show_undo_toast (self, text, p);
}

/* Every run the filter lists (not only those loaded yet). */
void
lab_history_page_delete_listed (LabHistoryPage *self)
{
  LabHistoryQuery filter;
  g_autoptr(GPtrArray) items = NULL;
  Pending *p;

  g_return_if_fail (LAB_IS_HISTORY_PAGE (self));

  filter = lab_history_model_get_filter (self->model);
  p = g_new0 (Pending, 1);
  g_weak_ref_init (&p->page, self);
  p->change = g_new0 (Change, 1);
  p->change->kind = CHANGE_DELETE_MATCHING;
  p->change->task = g_strdup (filter.task);
  p->change->strategy = g_strdup (filter.strategy);
  p->change->search = g_strdup (filter.search);
  items = lab_history_model_take_all (self->model);
  close_if_opened (self, 0);
  update_stack (self);

  show_undo_toast (self, filter.task || filter.strategy || filter.search
                           ? _("The runs listed were deleted") : _("Every run was deleted"), p);
}

void
lab_history_page_set_pinned (LabHistoryPage *self,
                             gint64          id,
                             gboolean        pinned)
{
  Change *c = g_new0 (Change, 1);

  g_return_if_fail (LAB_IS_HISTORY_PAGE (self));

  c->kind = pinned ? CHANGE_PIN : CHANGE_UNPIN;
  c->id = id;
  change (self, c);
}

static void
pin_toggled_cb (LabHistoryPage *self)
{
  if (self->updating_pin || self->opened_item == NULL)
    return;
  lab_history_page_set_pinned (self, lab_history_item_get_id (self->opened_item),
                               gtk_toggle_button_get_active (self->pin_button));
}

static void
delete_clicked_cb (LabHistoryPage *self)
{
  gint64 id = self->opened_item ? lab_history_item_get_id (self->opened_item) : 0;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LabHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->model), i);
      if (lab_history_item_get_id (item) == id)
        {
          lab_history_page_delete (self, i);
          return;
        }
    }
}

/* ---- Filters -------------------------------------------------------------- */

static const char *
selected_name (GtkDropDown   *dropdown,
               GtkStringList *names)
{
  guint position = gtk_drop_down_get_selected (dropdown);

  /* The first entry is "All …". */
  if (position == 0 || position == GTK_INVALID_LIST_POSITION)
    return NULL;
  return gtk_string_list_get_string (names, position);
}

static void
filter_changed_cb (LabHistoryPage *self)
{
  lab_history_model_set_filter (self->model,
                                selected_name (self->task_dropdown, self->task_names),
                                selected_name (self->strategy_dropdown, self->strategy_names),
                                gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static guint
find_name (GtkStringList *names,
           const char    *name)
{
  for (guint i = 1; name != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (names)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (names, i), name) == 0)
      return i;
  return 0;
}

/* As if the user had chosen them; an unknown name is "all". */
void
lab_history_page_set_filter (LabHistoryPage *self,
                             const char     *task,
                             const char     *strategy,
                             const char     *search)
{
  g_return_if_fail (LAB_IS_HISTORY_PAGE (self));

  gtk_drop_down_set_selected (self->task_dropdown, find_name (self->task_names, task));
  gtk_drop_down_set_selected (self->strategy_dropdown, find_name (self->strategy_names, strategy));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), search ? search : "");
  filter_changed_cb (self);
}

/* Names to filter by: the engine's tasks and strategies. Shown as they
 * are stored (and typed on the command line). */
static void
fill_filters (LabHistoryPage *self)
{
  const LabTaskInfo * const *tasks = lab_task_info_list (NULL);
  guint n_strategies;
  const LabStrategy * const *strategies = lab_strategy_list (&n_strategies);

  self->task_names = gtk_string_list_new ((const char * const[]) { _("All Tasks"), NULL });
  for (guint i = 0; tasks[i] != NULL; i++)
    gtk_string_list_append (self->task_names, tasks[i]->name);
  self->strategy_names = gtk_string_list_new ((const char * const[]) { _("All Strategies"), NULL });
  for (guint i = 0; i < n_strategies; i++)
    gtk_string_list_append (self->strategy_names, strategies[i]->name);
  gtk_drop_down_set_model (self->task_dropdown, G_LIST_MODEL (self->task_names));
  gtk_drop_down_set_model (self->strategy_dropdown, G_LIST_MODEL (self->strategy_names));
}

/* ---- Life ------------------------------------------------------------------ */

static void
lab_history_page_dispose (GObject *object)
{
  LabHistoryPage *self = (LabHistoryPage *) object;

  g_cancellable_cancel (self->cancellable);
  /* No gtk_widget_dispose_template(): the template's one widget is the
   * AdwBin's child, which AdwBin lets go itself. */
  g_clear_object (&self->opened);
  g_clear_object (&self->opened_item);
  g_clear_object (&self->toast);
  if (self->model)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  g_clear_object (&self->task_names);
  g_clear_object (&self->strategy_names);
  G_OBJECT_CLASS (lab_history_page_parent_class)->dispose (object);
}

static void
lab_history_page_finalize (GObject *object)
{
  LabHistoryPage *self = (LabHistoryPage *) object;

  g_clear_object (&self->cancellable);
  g_free (self->path);
  G_OBJECT_CLASS (lab_history_page_parent_class)->finalize (object);
}

static void set_model (LabHistoryPage *self, LabHistoryModel *model);

static void
lab_history_page_constructed (GObject *object)
{
  LabHistoryPage *self = (LabHistoryPage *) object;

  G_OBJECT_CLASS (lab_history_page_parent_class)->constructed (object);
  set_model (self, lab_history_model_new (self->path));
}

static void
lab_history_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LabHistoryPage *self = LAB_HISTORY_PAGE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lab_history_page_class_init (LabHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lab_history_page_dispose;
  object_class->finalize = lab_history_page_finalize;
  object_class->constructed = lab_history_page_constructed;
  object_class->set_property = lab_history_page_set_property;

  /* The database: NULL for the user's (lab_history_get_default_path()). */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LabHistoryPage::run-opened:
   * @run: the stored run, now drawn
   */
  signals[RUN_OPENED] = g_signal_new ("run-opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                      NULL, NULL, NULL, G_TYPE_NONE, 1, LAB_TYPE_RUN);
  /* A change (delete, pin) was written, or failed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (LAB_TYPE_TIMELINE);
  g_type_ensure (LAB_TYPE_CPU_CHART);
  g_type_ensure (LAB_TYPE_COMPARISON_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/concurrencylab/ConcurrencyLab/lab-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, task_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, strategy_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, delete_all_button);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, run_title);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, run_machine);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, run_verdict);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, run_findings);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, pin_button);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, delete_button);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, timeline);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, cpu_heading);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, cpu_chart);
  gtk_widget_class_bind_template_child (widget_class, LabHistoryPage, comparison_chart);
}

static void
lab_history_page_init (LabHistoryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  fill_filters (self);

  g_signal_connect_object (self->task_dropdown, "notify::selected", G_CALLBACK (filter_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->strategy_dropdown, "notify::selected", G_CALLBACK (filter_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (filter_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->delete_all_button, "clicked", G_CALLBACK (lab_history_page_delete_listed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->delete_button, "clicked", G_CALLBACK (delete_clicked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->pin_button, "toggled", G_CALLBACK (pin_toggled_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (activate_cb), self, G_CONNECT_SWAPPED);
}

static void
set_model (LabHistoryPage  *self,
           LabHistoryModel *model)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  self->model = model;
  g_signal_connect_object (model, "message", G_CALLBACK (message_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (update_stack), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (model, "notify::loading", G_CALLBACK (update_stack), self, G_CONNECT_SWAPPED);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (G_LIST_MODEL (model)))));
  update_stack (self);
}

/**
 * lab_history_page_new:
 * @path: (nullable): the database, or %NULL for the user's
 */
GtkWidget *
lab_history_page_new (const char *path)
{
  return g_object_new (LAB_TYPE_HISTORY_PAGE, "path", path, NULL);
}

/* After a run was kept: the list again from the newest. */
void
lab_history_page_reload (LabHistoryPage *self)
{
  g_return_if_fail (LAB_IS_HISTORY_PAGE (self));
  lab_history_model_reload (self->model);
}

LabHistoryModel *
lab_history_page_get_model (LabHistoryPage *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_PAGE (self), NULL);
  return self->model;
}

LabRun *
lab_history_page_get_opened_run (LabHistoryPage *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_PAGE (self), NULL);
  return self->opened;
}

gint64
lab_history_page_get_opened_id (LabHistoryPage *self)
{
  g_return_val_if_fail (LAB_IS_HISTORY_PAGE (self), 0);
  return self->opened && self->opened_item ? lab_history_item_get_id (self->opened_item) : 0;
}

GtkWidget *
lab_history_page_get_timeline (LabHistoryPage *self)
{
  return GTK_WIDGET (self->timeline);
}

GtkWidget *
lab_history_page_get_cpu_chart (LabHistoryPage *self)
{
  return GTK_WIDGET (self->cpu_chart);
}

GtkWidget *
lab_history_page_get_comparison_chart (LabHistoryPage *self)
{
  return GTK_WIDGET (self->comparison_chart);
}

/* The last toast shown, e.g. to press its "Undo". */
AdwToast *
lab_history_page_get_toast (LabHistoryPage *self)
{
  return self->toast;
}
