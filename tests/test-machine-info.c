/* test-machine-info.c — what a run ran on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "lab-error.h"
#include "lab-machine-info.h"
#include "lab-strategy.h"
#include "lab-test-util.h"

static void
test_current (void)
{
  g_autoptr(LabMachineInfo) info = lab_machine_info_get_current ();
  g_autofree char *summary = NULL;

  g_assert_cmpuint (info->cores_online, ==, (guint) sysconf (_SC_NPROCESSORS_ONLN));
  g_assert_cmpuint (info->usable_cores, ==, lab_usable_cores ());
  g_assert_cmpuint (info->usable_cores, >=, 1);
  g_assert_cmpuint (info->memory_bytes, >, 64 * 1024 * 1024);
  g_assert_true (g_str_has_prefix (info->kernel, "Linux "));
  g_assert_cmpstr (info->app_version, ==, PACKAGE_VERSION);
  g_assert_cmpuint (strlen (info->id), ==, 16);
  g_assert_true (lab_machine_info_is_current (info));

  summary = lab_machine_info_dup_summary (info);
  g_assert_nonnull (strstr (summary, info->kernel));
}

static void
test_round_trip (void)
{
  g_autoptr(LabMachineInfo) info = lab_machine_info_get_current ();
  g_autofree char *json = lab_machine_info_to_string (info);
  g_autoptr(LabMachineInfo) back = lab_machine_info_from_string (json, NULL);
  g_autofree char *again = NULL;

  g_assert_nonnull (back);
  again = lab_machine_info_to_string (back);
  g_assert_cmpstr (json, ==, again);
  g_assert_true (lab_machine_info_is_current (back));
}

/* Another machine's description, and damaged ones: labelled, never trusted. */
static void
test_other_and_damaged (void)
{
  g_autoptr(LabMachineInfo) other = NULL;
  g_autoptr(LabMachineInfo) odd = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LabMachineInfo) none = NULL;

  other = lab_machine_info_from_string ("{\"id\":\"0123456789abcdef\",\"cpu_model\":\"Laptop CPU\","
                                        "\"cores_online\":8,\"usable_cores\":4,\"memory_bytes\":17179869184,"
                                        "\"kernel\":\"Linux 6.8\",\"app_version\":\"0.1\",\"extra\":[1]}", NULL);
  g_assert_nonnull (other);
  g_assert_false (lab_machine_info_is_current (other));
  g_assert_cmpuint (other->usable_cores, ==, 4);
  {
    g_autofree char *summary = lab_machine_info_dup_summary (other);
    g_assert_nonnull (strstr (summary, "Laptop CPU"));
    g_assert_nonnull (strstr (summary, "4 of 8"));
  }

  odd = lab_machine_info_from_string ("{\"cores_online\":\"eight\",\"usable_cores\":-3,"
                                      "\"memory_bytes\":1e99,\"cpu_model\":17}", NULL);
  g_assert_nonnull (odd);
  g_assert_cmpuint (odd->cores_online, ==, 0);
  g_assert_cmpuint (odd->usable_cores, ==, 0);
  g_assert_cmpstr (odd->cpu_model, ==, "");

  none = lab_machine_info_from_string ("[1, 2", &error);
  g_assert_null (none);
  g_assert_error (error, LAB_ERROR, LAB_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (lab_machine_info_from_string ("42", &error));
  g_assert_error (error, LAB_ERROR, LAB_ERROR_FAILED);
}

int
main (int argc, char **argv)
{
  lab_test_init (&argc, &argv);

  g_test_add_func ("/machine-info/current", test_current);
  g_test_add_func ("/machine-info/round-trip", test_round_trip);
  g_test_add_func ("/machine-info/other-and-damaged", test_other_and_damaged);
  return g_test_run ();
}
