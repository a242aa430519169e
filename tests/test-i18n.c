/* test-i18n.c — the command line speaks Simplified Chinese under zh_CN.UTF-8
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real binary with the catalogue built in <build>/po. When the
 * system has no zh_CN.UTF-8 locale, one is generated with localedef into the
 * build tree and found through LOCPATH, so no root and no manual step are
 * needed (the `locales` package provides the definitions).
 */
#include "config.h"

#include <locale.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "lab-test-util.h"

static const char *locpath;   /* NULL: the system has the locale */

/* What a child needs to speak @lang with this build's catalogues. */
static GStrv
locale_env (const char *lang)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *lc_all = g_strdup_printf ("LC_ALL=%s", lang);
  g_autofree char *catalogues = g_strdup_printf ("LAB_LOCALEDIR=%s/po", g_getenv ("LAB_BUILD_DIR"));
  g_autofree char *loc = g_strdup_printf ("LOCPATH=%s", locpath ? locpath : "");

  g_strv_builder_add_many (builder, lc_all, "LANGUAGE=", catalogues, NULL);
  if (locpath != NULL)
    g_strv_builder_add (builder, loc);
  return g_strv_builder_end (builder);
}

/* Runs the CLI in @lang; returns its exit status. */
static int
run_in (const char          *lang,
        const char * const  *argv,
        char               **out,
        char               **err)
{
  g_auto(GStrv) env = locale_env (lang);

  return lab_test_run_cli (argv, (const char * const *) env, out, err);
}

static void
test_help_in_chinese (void)
{
  const char *argv[] = { "--help", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_in ("zh_CN.UTF-8", argv, &out, &err), ==, 0);
  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_assert_nonnull (strstr (out, "用法"));
  g_assert_nonnull (strstr (out, "线程"));
  g_assert_nonnull (strstr (out, "进程池"));
  /* Command-line names stay as typed. */
  g_assert_nonnull (strstr (out, "process-pool"));
  g_assert_null (strstr (out, "Usage:"));
}

static void
test_run_help_in_chinese (void)
{
  const char *argv[] = { "run", "--help", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_in ("zh_CN.UTF-8", argv, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "任务"));
  g_assert_nonnull (strstr (out, "--workers"));
  g_assert_null (strstr (out, "Number of jobs"));
}

static void
test_usage_error_in_chinese (void)
{
  const char *argv[] = { "run", "--task=sleep", "--strategy=nonsense", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_in ("zh_CN.UTF-8", argv, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "nonsense"));
  g_assert_nonnull (strstr (err, "未知"));
}

/* The terminal column where @word first starts in @text. */
static int
column_of (const char *text,
           const char *word)
{
  const char *at = strstr (text, word);
  const char *line;
  int column = 0;

  g_assert_nonnull (at);
  for (line = at; line > text && line[-1] != '\n'; line--)
    ;
  for (const char *p = line; p < at; p = g_utf8_next_char (p))
    column += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  return column;
}

static void
test_report_in_chinese (void)
{
  const char *argv[] = { "run", "--task=sleep", "--strategy=process-pool", "--jobs=2",
                         "--seconds=0.01", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_in ("zh_CN.UTF-8", argv, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "策略"));
  g_assert_null (strstr (out, "Strategy"));
  /* Chinese characters take two columns: the job table still lines up. */
  g_assert_cmpint (column_of (out, "结果"), >, 0);
  g_assert_cmpint (column_of (out, "结果"), ==, column_of (out, "成功"));
}

/* The same binary speaks English when asked: the Chinese above is not an accident. */
static void
test_c_locale_stays_english (void)
{
  const char *argv[] = { "--help", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_in ("C.UTF-8", argv, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "Usage:"));
  g_assert_null (strstr (out, "用法"));
}

/* The worker takes only some locale categories from the environment
 * (lab_i18n_init_messages(), it starts faster): its messages must still
 * be translated and written as UTF-8. */
static char *
worker_usage_in (const char *lang)
{
  const char *argv[] = { g_getenv ("LAB_WORKER_PATH"), "--help", NULL };
  g_auto(GStrv) env = locale_env (lang);
  g_autoptr(GError) error = NULL;
  char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, (char **) env, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_true (g_utf8_validate (err, -1, NULL));
  return err;
}

static void
test_worker_in_chinese (void)
{
  g_autofree char *zh = worker_usage_in ("zh_CN.UTF-8");
  g_autofree char *c = worker_usage_in ("C.UTF-8");

  g_assert_nonnull (strstr (zh, "二进制协议"));
  g_assert_null (strstr (zh, "binary protocol"));
  g_assert_nonnull (strstr (c, "binary protocol"));
}

int
main (int   argc,
      char *argv[])
{
  lab_test_init (&argc, &argv);
  locpath = lab_test_ensure_locale ("zh_CN");

  g_test_add_func ("/i18n/help", test_help_in_chinese);
  g_test_add_func ("/i18n/run-help", test_run_help_in_chinese);
  g_test_add_func ("/i18n/usage-error", test_usage_error_in_chinese);
  g_test_add_func ("/i18n/report", test_report_in_chinese);
  g_test_add_func ("/i18n/c-locale", test_c_locale_stays_english);
  g_test_add_func ("/i18n/worker", test_worker_in_chinese);

  return g_test_run ();
}
