/* lab-experiment.c — what one press of Run, or one `run` command, means
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An experiment is one task with one set of parameters, run by each of
 * its strategies with each of its worker counts, for its warm-up and
 * measured passes. The strategies take turns within a pass (a, b, c, a,
 * b, c…), so that a machine growing busier or quieter weighs on all of
 * them alike. The list is worked out, not built: each run is made, set
 * up, run and let go in turn, so a hundred planned runs cost nothing
 * until their turn comes. The command line and the window both drive
 * it, and read its analysis.
 */
#define G_LOG_DOMAIN "lab-experiment"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-experiment.h"
#include "lab-findings.h"
#include "lab-granularity.h"

/* One entry of a pass: a strategy with a worker count (0: its default),
 * at one of the job sizes (NO_SIZE: the task's parameters as given). */
typedef struct {
  const LabStrategy *strategy;
  guint              workers;
  guint              size;
  LabRuntime         runtime;
} Slot;

#define NO_SIZE G_MAXUINT

struct _LabExperiment
{
  GObject            parent_instance;

  const LabTaskInfo *task;
  GVariant          *params;
  GPtrArray         *strategies;   /* const LabStrategy */
  GArray            *runtimes;     /* LabRuntime; C when none is added */
  GArray            *workers;      /* guint */
  GArray            *job_sizes;    /* double: seconds of work per job, or NULL */
  gboolean           sweep;
  guint              repeat;
  guint              warmup;
  gboolean           gil;
  gboolean           keep_jobs;

  GArray            *slots;        /* Slot: one pass, worked out at start */
  GPtrArray         *runs;         /* LabRun: the measured ones that ran */
  LabRun            *current;
  LabRun            *loops[LAB_N_RUNTIMES]; /* the last finished loop of each runtime, for findings */
  guint              next;         /* the planned run to start next */
  gboolean           all_ok;
  gboolean           running;
  LabCancel         *cancel;       /* the caller's, while running */
  LabExperimentDoneFunc done;
  gpointer           done_data;
};

enum {
  RUN_STARTED,
  RUN_ADDED,
  RUN_ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LabExperiment, lab_experiment, G_TYPE_OBJECT)

static void
lab_experiment_dispose (GObject *object)
{
  LabExperiment *self = (LabExperiment *) object;

  g_clear_object (&self->current);
  for (guint i = 0; i < LAB_N_RUNTIMES; i++)
    g_clear_object (&self->loops[i]);
  if (self->runs != NULL)
    g_ptr_array_set_size (self->runs, 0);

  G_OBJECT_CLASS (lab_experiment_parent_class)->dispose (object);
}

static void
lab_experiment_finalize (GObject *object)
{
  LabExperiment *self = (LabExperiment *) object;

  g_assert (!self->running);
  g_ptr_array_unref (self->runs);
  g_variant_unref (self->params);
  g_ptr_array_unref (self->strategies);
  g_array_unref (self->runtimes);
  g_array_unref (self->workers);
  g_clear_pointer (&self->job_sizes, g_array_unref);
  g_clear_pointer (&self->slots, g_array_unref);

  G_OBJECT_CLASS (lab_experiment_parent_class)->finalize (object);
}

static void
lab_experiment_class_init (LabExperimentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lab_experiment_dispose;
  object_class->finalize = lab_experiment_finalize;

  /**
   * LabExperiment::run-started:
   * @run: the run, about to be set up and started
   * @warmup: whether it is a warm-up run, left out of the figures
   */
  signals[RUN_STARTED] = g_signal_new ("run-started", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 2, LAB_TYPE_RUN, G_TYPE_BOOLEAN);
  /**
   * LabExperiment::run-added:
   * @run: a measured run that ended, now the last of the runs
   *
   * Emitted just before LabExperiment::run-ended, for lists of the runs.
   */
  signals[RUN_ADDED] = g_signal_new ("run-added", G_TYPE_FROM_CLASS (klass),
                                     G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 1, LAB_TYPE_RUN);
  /**
   * LabExperiment::run-ended:
   * @run: the run, with its records, breakdown and findings
   * @warmup: whether it is a warm-up run
   *
   * Its job records are dropped after this when the experiment does not
   * keep them (lab_experiment_set_keep_jobs()).
   */
  signals[RUN_ENDED] = g_signal_new ("run-ended", G_TYPE_FROM_CLASS (klass),
                                     G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 2, LAB_TYPE_RUN, G_TYPE_BOOLEAN);
}

static void
lab_experiment_init (LabExperiment *self)
{
  guint defaults = 0;

  self->strategies = g_ptr_array_new ();
  self->runtimes = g_array_new (FALSE, FALSE, sizeof (LabRuntime));
  self->workers = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (self->workers, defaults);
  self->repeat = 1;
  self->keep_jobs = TRUE;
  self->runs = g_ptr_array_new_with_free_func (g_object_unref);
  self->all_ok = TRUE;
}

/**
 * lab_experiment_new:
 * @params: (nullable): a{sv} parameters; a floating reference is sunk
 *
 * An experiment over @task's jobs: add strategies, then run it.
 */
LabExperiment *
lab_experiment_new (const LabTaskInfo *task,
                    GVariant          *params)
{
  LabExperiment *self;

  g_return_val_if_fail (task != NULL, NULL);

  self = g_object_new (LAB_TYPE_EXPERIMENT, NULL);
  self->task = task;
  self->params = g_variant_ref_sink (params ? params : g_variant_new ("a{sv}", NULL));
  return self;
}

const LabTaskInfo *
lab_experiment_get_task (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), NULL);
  return self->task;
}

GVariant *
lab_experiment_get_params (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), NULL);
  return self->params;
}

/* Adds a strategy, once; they run in the order they were added. */
void
lab_experiment_add_strategy (LabExperiment     *self,
                             const LabStrategy *strategy)
{
  g_return_if_fail (LAB_IS_EXPERIMENT (self));
  g_return_if_fail (strategy != NULL);
  g_return_if_fail (!self->running);

  if (!g_ptr_array_find (self->strategies, strategy, NULL))
    g_ptr_array_add (self->strategies, (gpointer) strategy);
}

guint
lab_experiment_get_n_strategies (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), 0);
  return self->strategies->len;
}

const LabStrategy *
lab_experiment_get_strategy (LabExperiment *self,
                             guint          i)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), NULL);
  g_return_val_if_fail (i < self->strategies->len, NULL);
  return g_ptr_array_index (self->strategies, i);
}

/**
 * lab_experiment_set_workers:
 * @counts: (array length=n_counts): worker counts; 0 is the strategy's
 *   default. Each count once, in order.
 *
 * Every strategy but the loop runs with each count (the loop has one
 * worker, once a pass).
 */
void
lab_experiment_set_workers (LabExperiment *self,
                            const guint   *counts,
                            guint          n_counts)
{
  g_return_if_fail (LAB_IS_EXPERIMENT (self));
  g_return_if_fail (n_counts > 0);

  g_array_set_size (self->workers, 0);
  for (guint i = 0; i < n_counts; i++)
    {
      gboolean seen = FALSE;

      for (guint k = 0; k < self->workers->len && !seen; k++)
        seen = g_array_index (self->workers, guint, k) == counts[i];
      if (!seen)
        g_array_append_val (self->workers, counts[i]);
    }
  self->sweep = FALSE;
}

/* The counts of a sweep: 1, 2, 4… up to twice the usable cores. */
void
lab_experiment_set_sweep (LabExperiment *self)
{
  g_autoptr(GArray) counts = lab_run_config_sweep_workers ();

  g_return_if_fail (LAB_IS_EXPERIMENT (self));

  lab_experiment_set_workers (self, (guint *) counts->data, counts->len);
  self->sweep = TRUE;
}

gboolean
lab_experiment_is_sweep (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), FALSE);
  return self->sweep;
}

void
lab_experiment_set_repeat (LabExperiment *self,
                           guint          repeat,
                           guint          warmup)
{
  g_return_if_fail (LAB_IS_EXPERIMENT (self));
  g_return_if_fail (repeat >= 1);

  self->repeat = repeat;
  self->warmup = warmup;
}

/**
 * lab_experiment_add_runtime:
 *
 * Adds a runtime, once: every strategy runs in each runtime added, in
 * the order they were added (one pass: C's runs, then Python's). An
 * experiment with none runs in C.
 */
void
lab_experiment_add_runtime (LabExperiment *self,
                            LabRuntime     runtime)
{
  g_return_if_fail (LAB_IS_EXPERIMENT (self));
  g_return_if_fail ((guint) runtime < LAB_N_RUNTIMES);
  g_return_if_fail (self->slots == NULL);

  for (guint i = 0; i < self->runtimes->len; i++)
    if (g_array_index (self->runtimes, LabRuntime, i) == runtime)
      return;
  g_array_append_val (self->runtimes, runtime);
}

/* Forgets the runtimes added: the experiment runs in C until more are. */
void
lab_experiment_clear_runtimes (LabExperiment *self)
{
  g_return_if_fail (LAB_IS_EXPERIMENT (self));
  g_return_if_fail (self->slots == NULL);
  g_array_set_size (self->runtimes, 0);
}

guint
lab_experiment_get_n_runtimes (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), 1);
  return MAX (self->runtimes->len, 1);
}

LabRuntime
lab_experiment_get_runtime (LabExperiment *self,
                            guint          i)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), LAB_RUNTIME_C);
  if (self->runtimes->len == 0)
    return LAB_RUNTIME_C;
  g_return_val_if_fail (i < self->runtimes->len, LAB_RUNTIME_C);
  return g_array_index (self->runtimes, LabRuntime, i);
}

/* The "Python GIL" switch, for the strategies it changes. */
void
lab_experiment_set_gil (LabExperiment *self,
                        gboolean       gil)
{
  g_return_if_fail (LAB_IS_EXPERIMENT (self));
  self->gil = gil;
}

/* Whether ended runs keep their job records (the default); a report of
 * figures alone does not need them. */
void
lab_experiment_set_keep_jobs (LabExperiment *self,
                              gboolean       keep_jobs)
{
  g_return_if_fail (LAB_IS_EXPERIMENT (self));
  self->keep_jobs = keep_jobs;
}

/**
 * lab_experiment_set_loop:
 * @loop: (nullable): a finished plain loop over the same work
 *
 * What the findings compare speed-ups with until this experiment's own
 * loop has run: the window passes the session's last loop.
 */
void
lab_experiment_set_loop (LabExperiment *self,
                         LabRun        *loop)
{
  g_return_if_fail (LAB_IS_EXPERIMENT (self));
  g_return_if_fail (loop == NULL || LAB_IS_RUN (loop));
  if (loop != NULL)
    g_set_object (&self->loops[lab_run_get_config (loop)->runtime], loop);
  else
    for (guint i = 0; i < LAB_N_RUNTIMES; i++)
      g_clear_object (&self->loops[i]);
}

/**
 * lab_experiment_set_job_sizes:
 * @job_s: (array length=n_sizes): seconds of work per job, smallest first
 *
 * A job-size sweep: every strategy runs at each size, and so does the
 * plain loop (added when it is not among the strategies), which the
 * speed-ups are taken against. Only the primes task takes job sizes in
 * seconds (lab_primes_size_for()); a size sets the number of jobs too,
 * unless the parameters set it (lab_job_sizes_n_jobs()).
 */
void
lab_experiment_set_job_sizes (LabExperiment *self,
                              const double  *job_s,
                              guint          n_sizes)
{
  g_return_if_fail (LAB_IS_EXPERIMENT (self));
  g_return_if_fail (!self->running);

  g_clear_pointer (&self->job_sizes, g_array_unref);
  g_clear_pointer (&self->slots, g_array_unref);
  if (n_sizes == 0)
    return;
  self->job_sizes = g_array_sized_new (FALSE, FALSE, sizeof (double), n_sizes);
  g_array_append_vals (self->job_sizes, job_s, n_sizes);
}

/* The job sizes of a job-size sweep, or %NULL. */
GArray *
lab_experiment_get_job_sizes (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), NULL);
  return self->job_sizes;
}

static void
add_slots (LabExperiment *self,
           GArray        *slots,
           guint          size)
{
  for (guint r = 0; r < lab_experiment_get_n_runtimes (self); r++)
    {
      LabRuntime runtime = lab_experiment_get_runtime (self, r);
      gboolean have_loop = FALSE;

      for (guint s = 0; s < self->strategies->len; s++)
        have_loop |= lab_strategy_is_loop (g_ptr_array_index (self->strategies, s));
      if (size != NO_SIZE && !have_loop)
        {
          Slot slot = { lab_strategy_get_loop (), 0, size, runtime };
          g_array_append_val (slots, slot);
        }

      for (guint s = 0; s < self->strategies->len; s++)
        {
          const LabStrategy *strategy = g_ptr_array_index (self->strategies, s);

          for (guint w = 0; w < self->workers->len; w++)
            {
              Slot slot = { strategy, g_array_index (self->workers, guint, w), size, runtime };

              if (lab_strategy_is_loop (strategy))
                {
                  if (w > 0)
                    break;
                  slot.workers = 0;
                }
              g_array_append_val (slots, slot);
            }
        }
    }
}

/* One pass: each strategy with each count, the loop once, in each
 * runtime; at each job size in turn when there are some. */
static GArray *
slots_new (LabExperiment *self)
{
  GArray *slots = g_array_new (FALSE, FALSE, sizeof (Slot));

  if (self->job_sizes == NULL)
    add_slots (self, slots, NO_SIZE);
  else
    for (guint i = 0; i < self->job_sizes->len; i++)
      add_slots (self, slots, i);
  return slots;
}

static GArray *
ensure_slots (LabExperiment *self)
{
  if (self->slots == NULL)
    self->slots = slots_new (self);
  return self->slots;
}

/**
 * lab_experiment_check:
 *
 * Whether every run can start: each strategy can run the task, and the
 * task takes these parameters. The task's own checks (files, values)
 * come when the first run is set up.
 *
 * Returns: %FALSE with @error (%LAB_ERROR_INVALID_ARGUMENT or
 *   %LAB_ERROR_UNSUPPORTED: bad usage)
 */
gboolean
lab_experiment_check (LabExperiment  *self,
                      GError        **error)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), FALSE);

  if (self->strategies->len == 0)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT, _("Choose at least one strategy"));
      return FALSE;
    }
  for (guint i = 0; i < self->workers->len; i++)
    if (g_array_index (self->workers, guint, i) > LAB_MAX_WORKERS)
      {
        g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                     _("--workers must be between 1 and %u"), LAB_MAX_WORKERS);
        return FALSE;
      }
  if (self->job_sizes != NULL && !g_str_equal (self->task->name, "primes"))
    {
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("Job sizes in seconds (--size=sweep or a list) are for the primes task, not %s"),
                   self->task->name);
      return FALSE;
    }
  if (self->job_sizes != NULL && self->workers->len > 1)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                           _("A job-size sweep runs each strategy on one worker count: give --workers one "
                             "count, or leave it out"));
      return FALSE;
    }
  for (guint r = 0; r < lab_experiment_get_n_runtimes (self); r++)
    for (guint i = 0; i < self->strategies->len; i++)
      {
        g_autoptr(LabRunConfig) config = lab_run_config_new (self->task, g_ptr_array_index (self->strategies, i),
                                                             0, self->params);
        config->runtime = lab_experiment_get_runtime (self, r);
        if (!lab_run_config_check (config, error))
          return FALSE;
      }
  return TRUE;
}

/* Runs planned, warm-ups included. */
guint
lab_experiment_get_n_planned (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), 0);
  return ensure_slots (self)->len * (self->warmup + self->repeat);
}

/* The parameters with the size for jobs of @job_s, and the number of
 * jobs that goes with it unless the user gave one. */
static GVariant *
sized_params (LabExperiment *self,
              double         job_s)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (self->params);

  g_variant_dict_insert (&dict, LAB_PARAM_SIZE, "t", lab_primes_size_for (job_s));
  if (!g_variant_dict_contains (&dict, LAB_PARAM_JOBS))
    g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", lab_job_sizes_n_jobs (job_s));
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/**
 * lab_experiment_dup_planned:
 * @warmup: (out) (optional): whether it is a warm-up run
 *
 * Returns: (transfer full): the configuration of planned run @i
 */
LabRunConfig *
lab_experiment_dup_planned (LabExperiment *self,
                            guint          i,
                            gboolean      *warmup)
{
  GArray *slots;
  const Slot *slot;
  LabRunConfig *config;

  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), NULL);
  g_return_val_if_fail (i < lab_experiment_get_n_planned (self), NULL);

  slots = ensure_slots (self);
  slot = &g_array_index (slots, Slot, i % slots->len);
  if (slot->size != NO_SIZE)
    {
      g_autoptr(GVariant) params = sized_params (self, g_array_index (self->job_sizes, double, slot->size));
      config = lab_run_config_new (self->task, slot->strategy, slot->workers, params);
    }
  else
    config = lab_run_config_new (self->task, slot->strategy, slot->workers, self->params);
  config->gil = self->gil;
  config->runtime = slot->runtime;
  if (warmup != NULL)
    *warmup = i / slots->len < self->warmup;
  return config;
}

static void start_next (LabExperiment *self);

static gboolean
is_warmup (LabExperiment *self,
           guint          i)
{
  return i / ensure_slots (self)->len < self->warmup;
}

/* The findings of a run that ended, against the loop of this
 * experiment (or the one it was given) when there is one. */
static void
read_run (LabExperiment *self,
          LabRun        *run)
{
  const LabRunConfig *config = lab_run_get_config (run);
  LabRun *loop = self->loops[config->runtime];

  if (loop != NULL && !lab_run_config_is_loop_of (lab_run_get_config (loop), config))
    loop = NULL;
  if (lab_run_has_jobs (run) || lab_run_get_state (run) == LAB_RUN_FAILED)
    lab_run_set_findings (run, lab_findings_compute (run, lab_strategy_is_loop (config->strategy) ? NULL : loop,
                                                     lab_usable_cores ()));
  if (lab_strategy_is_loop (config->strategy) && lab_run_get_state (run) == LAB_RUN_FINISHED)
    g_set_object (&self->loops[config->runtime], run);
}

static void
finish (LabExperiment *self,
        GError        *error)
{
  LabExperimentDoneFunc done = self->done;

  g_clear_object (&self->current);
  self->running = FALSE;
  self->cancel = NULL;
  self->done = NULL;
  done (self, error, self->done_data);
}

static void
run_done_cb (LabRun   *run,
             gboolean  ok,
             GError   *run_error,
             gpointer  user_data)
{
  g_autoptr(LabExperiment) self = user_data;
  g_autoptr(GError) error = run_error;
  gboolean warmup = is_warmup (self, self->next - 1);
  LabRunState state = lab_run_get_state (run);

  if (state != LAB_RUN_FINISHED || lab_run_get_n_failed (run) > 0)
    self->all_ok = FALSE;

  read_run (self, run);
  if (!warmup)
    {
      g_ptr_array_add (self->runs, g_object_ref (run));
      g_signal_emit (self, signals[RUN_ADDED], 0, run);
    }
  g_signal_emit (self, signals[RUN_ENDED], 0, run, warmup);
  if (!self->keep_jobs && lab_run_has_jobs (run))
    lab_run_drop_jobs (run);

  /* Bad usage shows when the first run is set up (an unreadable URL
   * list): the experiment stops there and says so. A cancel stops it. */
  if (self->next == 1 && g_error_matches (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT))
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  if (state == LAB_RUN_CANCELLED || lab_cancel_is_cancelled (self->cancel))
    {
      finish (self, NULL);
      return;
    }
  start_next (self);
}

static void
start_next (LabExperiment *self)
{
  g_autoptr(LabRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  gboolean warmup;

  if (self->next >= lab_experiment_get_n_planned (self))
    {
      finish (self, NULL);
      return;
    }

  config = lab_experiment_dup_planned (self, self->next++, &warmup);
  g_clear_object (&self->current);
  if (!(self->current = lab_run_new (config, &error)))
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  g_signal_emit (self, signals[RUN_STARTED], 0, self->current, warmup);
  lab_run_start (self->current, self->cancel, run_done_cb, g_object_ref (self));
}

typedef struct {
  LabExperiment *self;
  GError        *error;
} EarlyEnd;

static gboolean
start_cb (gpointer data)
{
  EarlyEnd *early = data;

  if (early->error != NULL)
    finish (early->self, g_steal_pointer (&early->error));
  else
    start_next (early->self);
  g_object_unref (early->self);
  g_free (early);
  return G_SOURCE_REMOVE;
}

/**
 * lab_experiment_start:
 * @cancel: (nullable): stops the experiment from any thread; it must
 *   outlive @done
 * @done: called once every run has ended, or the experiment stopped: with
 *   (transfer full) an error when it could not run at all (bad usage);
 *   see lab_experiment_all_succeeded() for the runs
 *
 * Runs every planned run in turn, from the caller's thread-default main
 * context, where LabExperiment::run-started, run-ended, each run's
 * LabRun::progress and @done come. A failed job or run does not stop the
 * experiment; a cancel does. (lab_experiment_run_async() is the same for
 * GIO.)
 */
void
lab_experiment_start (LabExperiment         *self,
                      LabCancel             *cancel,
                      LabExperimentDoneFunc  done,
                      gpointer               user_data)
{
  EarlyEnd *early;

  g_return_if_fail (LAB_IS_EXPERIMENT (self));
  g_return_if_fail (!self->running && self->next == 0);
  g_return_if_fail (done != NULL);

  early = g_new0 (EarlyEnd, 1);
  self->running = TRUE;
  self->cancel = cancel;
  self->done = done;
  self->done_data = user_data;
  /* Like the runs, the experiment answers from the main loop. */
  early->self = g_object_ref (self);
  lab_experiment_check (self, &early->error);
  g_idle_add_full (G_PRIORITY_DEFAULT, start_cb, early, NULL);
}

/* The run going on, or %NULL. */
LabRun *
lab_experiment_get_current (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), NULL);
  return self->current;
}

/* Runs started so far, warm-ups included: the current one is number n. */
guint
lab_experiment_get_n_started (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), 0);
  return self->next;
}

/* The measured runs that ran (warm-ups left out), in order. */
guint
lab_experiment_get_n_runs (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), 0);
  return self->runs->len;
}

LabRun *
lab_experiment_get_run (LabExperiment *self,
                        guint          i)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), NULL);
  g_return_val_if_fail (i < self->runs->len, NULL);
  return g_ptr_array_index (self->runs, i);
}

/* Whether every run so far finished with every job ok, warm-ups included. */
gboolean
lab_experiment_all_succeeded (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), FALSE);
  return self->all_ok;
}

/* The measured runs taken together (lab-analysis.h). */
LabAnalysis *
lab_experiment_dup_analysis (LabExperiment *self)
{
  g_return_val_if_fail (LAB_IS_EXPERIMENT (self), NULL);

  return lab_analysis_new ((LabRun **) self->runs->pdata, self->runs->len);
}
