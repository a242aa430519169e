/* lab-lessons.c — the seed's experiments, ready to run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each lesson is a whole experiment: the plain loop and the strategies it
 * talks about, with every parameter it depends on, and what the learner
 * should see. The window lists them on its side; `run --lesson=ID` runs
 * one from the command line. What is expected is worked out from the
 * lesson's parameters and the usable cores, so that it can be set beside
 * what was measured.
 */
#define G_LOG_DOMAIN "lab-lessons"

#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "lab-extras-private.h"
#include "lab-format.h"
#include "lab-granularity.h"
#include "lab-lessons.h"

static const LabLesson lessons[] = {
  {
    "two-threads", N_("Two Sleeping Threads"), N_("2 jobs × 1 s · a loop, then threads"),
    N_("The seed’s first example: two jobs each sleep for one second. Sleeping is waiting, not "
       "computing, so two threads overlap the waits: about 1 s instead of the loop’s 2 s, with almost "
       "no CPU time. In the timeline, the two threads’ bars lie side by side."),
    "sleep", "1", 2, "sequential,threads", 0, FALSE,
  },
  {
    "ten-threads", N_("Ten Threads"), N_("10 jobs × 1.5 s · a loop, then threads"),
    N_("Ten jobs each wait 1.5 s. The loop waits for one after the other, 15 s; a waiting thread "
       "hands the CPU back, so ten threads wait at once: about 1.5 s, and ten lanes side by side in "
       "the timeline. Where the time went: nearly all of it waiting in the jobs, not starting threads."),
    "sleep", "1.5", 10, "sequential,threads", 0, FALSE,
  },
  {
    "thread-pool", N_("Thread Pool With 5, 4, 3, 2, 1 s"), N_("5 jobs · a loop, then a pool of 5"),
    N_("ThreadPoolExecutor runs the seed’s list of waits on a pool of threads. Every job waits at "
       "the same time, so the run lasts as long as the longest job, 5 s, against the loop’s 15 s. "
       "With fewer workers than jobs the pool queues the rest: the imbalance finding shows a long job "
       "running alone at the end."),
    "sleep", "5, 4, 3, 2, 1", 5, "sequential,thread-pool", 5, FALSE,
  },
  {
    "download", N_("Download Photos"), N_("I/O-bound · a loop, then a thread pool of 8"),
    N_("Fetching photos is I/O-bound: most of the time goes to waiting for the network. A thread "
       "pool keeps several requests in flight, so the elapsed time falls while the CPU time stays "
       "small. The findings call the jobs waiting, and the CPU chart stays low."),
    "download", NULL, 0, "sequential,thread-pool", 8, FALSE,
  },
  {
    "blur", N_("Blur Photos"), N_("CPU-bound · a loop, then a process pool"),
    N_("Blurring and thumbnailing is CPU-bound: every job keeps a core busy. A process pool spreads "
       "the jobs over every core, so expect a speed-up close to the number of cores and CPU time "
       "well above the elapsed time. Where the time went: the pool’s start-up is a thin slice."),
    "blur", NULL, 0, "sequential,process-pool", 0, FALSE,
  },
  {
    "primes", N_("Count Primes"), N_("CPU-bound · a loop, a thread pool and a process pool"),
    N_("Trial division is pure computation with no waiting. With N cores both pools are almost N "
       "times faster than the loop, and the CPU chart shows every core busy. C threads share one "
       "process and still compute in parallel; processes pay a little to start."),
    "primes", NULL, 8, "sequential,thread-pool,process-pool", 0, FALSE,
  },
  {
    "python-gil", N_("Python Threads and the GIL"), N_("CPU-bound · a loop, threads, processes · in C and in Python"),
    N_("The seed’s puzzle: Python threads do not speed up computation, because only the thread "
       "holding the global interpreter lock runs Python code. The lesson runs the real thing, the "
       "seed’s code in CPython, next to the C imitation of the lock. Expect Python threads no faster "
       "than Python’s loop, with about one core busy; Python processes faster, one interpreter and "
       "one lock each, using every core; and C faster still, many times over, in every strategy."),
    "primes", NULL, 8, "sequential,threads,process-pool", 0, TRUE, NULL, "c,python", 20000,
  },
  {
    "granularity", N_("When Do Processes Pay Off?"), N_("primes · jobs from 10 µs to 0.1 s · two pools and processes"),
    N_("Every strategy pays something per job: a thread pool a hand-over of microseconds, a process "
       "pool a round trip through a pipe, a process per job a whole fork. The same work is cut into "
       "jobs from 10 µs to 0.1 s, and each strategy is timed against the plain loop at each size. Look "
       "for the size where each line crosses 1×: the thread pool first, then the process pool, a "
       "process per job last, each near the break-even the This Computer page predicts from what "
       "threads and processes cost here. With big jobs all of them approach the number of cores."),
    "primes", NULL, 0, "sequential,thread-pool,process-pool,processes", 0, FALSE, "sweep",
  },
};

const LabLesson * const *
lab_lesson_list (guint *n_lessons)
{
  static const LabLesson *list[G_N_ELEMENTS (lessons) + 1];
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (lessons); i++)
        list[i] = &lessons[i];
      g_once_init_leave (&initialized, 1);
    }
  if (n_lessons != NULL)
    *n_lessons = G_N_ELEMENTS (lessons);
  return list;
}

const LabLesson *
lab_lesson_lookup (const char *id)
{
  for (guint i = 0; id != NULL && i < G_N_ELEMENTS (lessons); i++)
    if (g_str_equal (lessons[i].id, id))
      return &lessons[i];
  return NULL;
}

const char *
lab_lesson_get_title (const LabLesson *lesson)
{
  return _(lesson->title);
}

const char *
lab_lesson_get_setup (const LabLesson *lesson)
{
  return _(lesson->setup);
}

const char *
lab_lesson_get_text (const LabLesson *lesson)
{
  return _(lesson->text);
}

/* "5, 4, 3, 2, 1" → [5, 4, 3, 2, 1] */
static GVariant *
seconds_variant (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      double v = g_ascii_strtod (g_strstrip (parts[i]), NULL);
      g_array_append_val (values, v);
    }
  return g_variant_new_fixed_array (G_VARIANT_TYPE_DOUBLE, values->data, values->len, sizeof (double));
}

/* Returns: (transfer full): the lesson's parameters, an a{sv} */
GVariant *
lab_lesson_dup_params (const LabLesson *lesson)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  if (lesson->seconds != NULL)
    g_variant_dict_insert_value (&dict, LAB_PARAM_SECONDS, seconds_variant (lesson->seconds));
  if (lesson->jobs != 0)
    g_variant_dict_insert (&dict, LAB_PARAM_JOBS, "u", lesson->jobs);
  if (lesson->size != 0)
    g_variant_dict_insert (&dict, LAB_PARAM_SIZE, "t", lesson->size);
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

/* Whether the lesson's task is there (its module may not be built). */
gboolean
lab_lesson_is_available (const LabLesson  *lesson,
                         GError          **error)
{
  return lab_task_info_is_available (lab_task_info_lookup (lesson->task), error);
}

/**
 * lab_lesson_new_experiment:
 *
 * Returns: (transfer full): the lesson's whole experiment
 */
LabExperiment *
lab_lesson_new_experiment (const LabLesson *lesson)
{
  g_autoptr(GVariant) params = lab_lesson_dup_params (lesson);
  g_auto(GStrv) names = g_strsplit (lesson->strategies, ",", -1);
  LabExperiment *experiment = lab_experiment_new (lab_task_info_lookup (lesson->task), params);

  for (guint i = 0; names[i] != NULL; i++)
    lab_experiment_add_strategy (experiment, lab_strategy_lookup (names[i]));
  lab_experiment_set_workers (experiment, &lesson->workers, 1);
  lab_experiment_set_gil (experiment, lesson->gil);
  if (lesson->job_sizes != NULL)
    {
      g_autoptr(GArray) sizes = NULL;

      if (lab_job_sizes_parse (lesson->job_sizes, &sizes, NULL))
        lab_experiment_set_job_sizes (experiment, (double *) sizes->data, sizes->len);
    }
  if (lesson->runtimes != NULL)
    {
      g_auto(GStrv) runtimes = g_strsplit (lesson->runtimes, ",", -1);

      /* Python where it can run here; C always. */
      for (guint i = 0; runtimes[i] != NULL; i++)
        {
          LabRuntime runtime;

          if (lab_runtime_from_name (runtimes[i], &runtime) &&
              lab_runtime_check (runtime, lab_task_info_lookup (lesson->task), NULL))
            lab_experiment_add_runtime (experiment, runtime);
        }
    }
  return experiment;
}

/* --- what to expect -------------------------------------------------------- */

/* A wait's elapsed time on @workers: each job goes to the first worker
 * free, in order, as a pool hands them out. */
static double
scheduled_wait (const LabLesson *lesson,
                guint            workers)
{
  g_auto(GStrv) parts = g_strsplit (lesson->seconds, ",", -1);
  guint n_values = g_strv_length (parts);
  guint n_jobs = lesson->jobs ? lesson->jobs : n_values;
  g_autofree double *free_at = g_new0 (double, MAX (workers, 1));
  double end = 0;

  for (guint j = 0; j < n_jobs; j++)
    {
      guint first = 0;

      for (guint w = 1; w < workers; w++)
        if (free_at[w] < free_at[first])
          first = w;
      free_at[first] += g_ascii_strtod (g_strstrip (parts[j % n_values]), NULL);
      end = MAX (end, free_at[first]);
    }
  return end;
}

static guint
lesson_workers (const LabLesson   *lesson,
                const LabStrategy *strategy,
                guint              n_jobs)
{
  guint workers = lesson->workers ? lesson->workers : lab_strategy_default_workers (strategy, n_jobs);

  return lab_strategy_is_loop (strategy) ? 1 : MIN (workers, MAX (n_jobs, 1));
}

/* What a strategy should give in this lesson: an elapsed time for the
 * waits (@wall_s), else a speed-up over the loop (@speedup). */
static void
expect (const LabLesson   *lesson,
        const LabStrategy *strategy,
        LabRuntime         runtime,
        double            *wall_s,
        double            *speedup)
{
  const LabTaskInfo *task = lab_task_info_lookup (lesson->task);
  guint n_jobs = lesson->jobs ? lesson->jobs : task->default_jobs;
  guint workers;

  *wall_s = *speedup = 0;
  if (lesson->seconds != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (lesson->seconds, ",", -1);

      n_jobs = lesson->jobs ? lesson->jobs : g_strv_length (parts);
      *wall_s = scheduled_wait (lesson, lesson_workers (lesson, strategy, n_jobs));
      return;
    }

  workers = lesson_workers (lesson, strategy, n_jobs);
  /* CPython's own lock holds whatever the switch says. */
  if ((lesson->gil || runtime == LAB_RUNTIME_PYTHON) && strategy->shares_gil && task->holds_gil)
    *speedup = 1;
  else if (task->kind == LAB_TASK_KIND_CPU || task->kind == LAB_TASK_KIND_MIXED)
    *speedup = MIN (workers, lab_usable_cores ());
  else
    *speedup = workers;
}

static void
append_expected (GString           *out,
                 const LabLesson   *lesson,
                 const LabStrategy *strategy)
{
  double wall_s, speedup;

  expect (lesson, strategy, LAB_RUNTIME_C, &wall_s, &speedup);
  if (out->len > 0)
    g_string_append (out, "; ");
  if (wall_s > 0)
    {
      g_autofree char *wall = lab_format_seconds (llround (wall_s * 1e9));
      /* Translators: "Threads about 1.50 s" */
      g_string_append_printf (out, _("%s about %s"), lab_strategy_get_title (strategy), wall);
    }
  else if (!lab_strategy_is_loop (strategy))
    /* Translators: "Process Pool about 2× the loop" */
    g_string_append_printf (out, _("%s about %.0f× the loop"), lab_strategy_get_title (strategy), speedup);
}

/**
 * lab_lesson_describe_expected:
 *
 * Returns: what the lesson should show on this computer, e.g. "Expected:
 *   Sequential about 15.00 s; Threads about 1.50 s"
 */
char *
lab_lesson_describe_expected (const LabLesson *lesson)
{
  g_auto(GStrv) names = g_strsplit (lesson->strategies, ",", -1);
  g_autoptr(GString) list = g_string_new (NULL);

  if (lesson->job_sizes != NULL)
    return g_strdup_printf (_("Expected: each strategy beats the loop from some job size on — the thread pool "
                              "first, then the process pool, then a process per job — and nears %u× the "
                              "loop with the biggest jobs."), lab_usable_cores ());
  for (guint i = 0; names[i] != NULL; i++)
    append_expected (list, lesson, lab_strategy_lookup (names[i]));
  /* Translators: %s lists what each strategy should give */
  return g_strdup_printf (_("Expected: %s."), list->str);
}

/**
 * lab_lesson_describe_outcome:
 * @analysis: the lesson's runs
 *
 * Returns: what was expected beside what was measured, strategy by
 *   strategy, e.g. "Threads: expected about 1.50 s, measured 1.51 s"
 */
char *
lab_lesson_describe_outcome (const LabLesson *lesson,
                             LabAnalysis     *analysis)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (lesson->job_sizes != NULL)
    return _lab_engine_extras (NULL)->describe_granularity (analysis);
  for (guint g = 0; g < lab_analysis_get_n_groups (analysis); g++)
    {
      const LabRunGroup *group = lab_analysis_get_group (analysis, g);
      const LabRunConfig *config = lab_run_get_config (group->first);
      const LabStrategy *strategy = config->strategy;
      g_autofree char *who = lab_run_config_dup_strategy_title (config);
      double wall_s, speedup;

      if (group->wall.n == 0)
        continue;
      expect (lesson, strategy, config->runtime, &wall_s, &speedup);
      if (out->len > 0)
        g_string_append_c (out, '\n');
      if (wall_s > 0)
        {
          g_autofree char *expected = lab_format_seconds (llround (wall_s * 1e9));
          g_autofree char *measured = lab_format_seconds (llround (group->wall.median * 1e9));
          /* Translators: "Threads: expected about 1.50 s, measured 1.51 s" */
          g_string_append_printf (out, _("%s: expected about %s, measured %s"),
                                  who, expected, measured);
        }
      else if (!lab_strategy_is_loop (strategy) && group->speedup > 0)
        /* Translators: "Process Pool: expected about 2× the loop, measured 1.96×" */
        g_string_append_printf (out, _("%s: expected about %.0f× the loop, measured %.2f×"),
                                who, speedup, group->speedup);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
