/* lab-test-util.h — helpers shared by the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lab-run.h"
#include "lab-strategy.h"

G_BEGIN_DECLS

/* Under ThreadSanitizer every lock, atomic and fork is instrumented (a
 * thread hand-over costs a hundred times more, forking an instrumented
 * process far more than that), so orderings of costs measured in the run
 * are not what that build checks; tests still run every step there. */
#if defined(__SANITIZE_THREAD__)
# define LAB_TEST_UNDER_TSAN 1
#else
# define LAB_TEST_UNDER_TSAN 0
#endif

/* Hang guards, never measures: how long a wait for something that must
 * happen may take before the test fails with a message. They only end a
 * test that would otherwise hang until meson's timeout; no assertion
 * compares a clock. */
#define LAB_TEST_DEADLINE_S     30
#define LAB_TEST_CLI_DEADLINE_S 60

typedef struct _LabTestWatchdog LabTestWatchdog;

guint    lab_test_count_threads     (void);
char    *lab_test_describe_threads  (void);
guint    lab_test_count_children    (void);
void     lab_test_wait_until        (gboolean    (*cond) (gpointer),
                                     gpointer      data,
                                     const char   *what);
gboolean lab_test_wait_threads      (guint        expected,
                                     guint        timeout_ms);
int      lab_test_run_cli           (const char * const *argv,
                                     const char * const *extra_env,
                                     char              **out,
                                     char              **err);
void     lab_test_init              (int          *argc,
                                     char       ***argv);
void     lab_test_jpeg_size         (const char   *path,
                                     guint        *width,
                                     guint        *height);
char    *lab_test_make_dir          (const char   *parent,
                                     const char   *name);
guint    lab_test_count_entries     (const char   *dir);
void     lab_test_remove_tree       (const char   *dir);
void     lab_test_hide_info         (const char   *log_domain);
const char *lab_test_ensure_locale  (const char   *name);
void     lab_test_run_and_cancel    (LabRun       *run,
                                     guint         n_running);
LabRunConfig *lab_test_config       (const char   *task,
                                     const char   *strategy,
                                     guint         workers,
                                     GVariant     *params);
gboolean lab_test_run               (LabRun       *run,
                                     GError      **error);
LabRun  *lab_test_fake_run          (const char   *task,
                                     const char   *strategy,
                                     guint         workers,
                                     const char   *params,
                                     guint         n_jobs,
                                     double        wall_s,
                                     double        cpu_s);
GSubprocess *lab_test_spawn_cli     (const char * const *argv,
                                     const char * const *extra_env,
                                     const char   *out_path,
                                     const char   *err_path);
gboolean lab_test_wait_process      (GSubprocess  *process,
                                     guint         timeout_ms);
gboolean lab_test_pid_alive         (GPid          pid);
GArray  *lab_test_find_descendants  (GPid          root);
gboolean lab_test_wait_descendants  (GPid          root,
                                     guint         n,
                                     guint         timeout_ms);
gboolean lab_test_wait_pids_gone    (GArray       *pids,
                                     guint         timeout_ms);
guint64  lab_test_signal_set        (GPid          pid,
                                     const char   *field);
void     lab_test_run_and_cancel_when (LabRun      *run,
                                      const char  *dir,
                                      const char  *prefix);
void     lab_test_assert_empty      (const char   *dir);
void     lab_test_assert_workers_gone (LabRun      *run);
gboolean lab_test_thread_stat       (GPid          tid,
                                     char         *state,
                                     guint64      *cpu_ticks);
glong    lab_test_thread_syscall    (GPid          tid);
LabTestWatchdog *lab_test_watchdog_new (guint      seconds,
                                     const char   *what);
void     lab_test_watchdog_free     (LabTestWatchdog *dog);
void     lab_test_expect_setup_error (const LabRunConfig *config,
                                     gint          code,
                                     const char   *needle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabTestWatchdog, lab_test_watchdog_free)

G_END_DECLS
