/* lab-machine-info.c — what a run ran on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Stored with every run in the history, printed by `concurrency-lab
 * machine` and shown on the This Computer page, so that a run from a
 * laptop is never compared with one from a desktop without saying so.
 * Everything read here comes from files another program wrote: missing
 * or odd values give "" or 0, never an error.
 */
#define G_LOG_DOMAIN "lab-machine-info"

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <glib/gi18n-lib.h>

#include "lab-error.h"
#include "lab-machine-info.h"
#include "lab-strategy.h"

G_DEFINE_BOXED_TYPE (LabMachineInfo, lab_machine_info,
                     lab_machine_info_copy, lab_machine_info_free)

#define MAX_FIELD 256

/* The "model name" of /proc/cpuinfo's first processor (x86), or its
 * "Model"/"Hardware" line (ARM). */
static char *
read_cpu_model (void)
{
  g_autofree char *text = NULL;
  static const char *const keys[] = { "model name", "Model", "Hardware", "cpu model", NULL };

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return g_strdup ("");

  for (guint k = 0; keys[k] != NULL; k++)
    {
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          char *colon = strchr (lines[i], ':');

          if (colon == NULL)
            continue;
          *colon = '\0';
          if (g_str_equal (g_strstrip (lines[i]), keys[k]))
            {
              char *value = g_strstrip (colon + 1);

              if (*value != '\0' && g_utf8_validate (value, -1, NULL))
                return g_utf8_substring (value, 0, MIN (g_utf8_strlen (value, -1), MAX_FIELD));
            }
        }
    }
  return g_strdup ("");
}

static guint64
read_memory_bytes (void)
{
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGESIZE);

  if (pages <= 0 || page_size <= 0)
    return 0;
  return (guint64) pages * (guint64) page_size;
}

/* Not the raw machine-id (a secret of sorts: see machine-id(5)), a hash of
 * it, keyed by the app's name, as sd_id128_get_machine_app_specific() does. */
static char *
read_machine_id (const char *host_name)
{
  g_autofree char *raw = NULL;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (sum, (const guchar *) "concurrency-lab:", -1);
  if (g_file_get_contents ("/etc/machine-id", &raw, NULL, NULL) ||
      g_file_get_contents ("/var/lib/dbus/machine-id", &raw, NULL, NULL))
    g_checksum_update (sum, (const guchar *) g_strstrip (raw), -1);
  else
    g_checksum_update (sum, (const guchar *) host_name, -1);
  return g_strndup (g_checksum_get_string (sum), 16);
}

static LabMachineInfo *
measure (void)
{
  LabMachineInfo *info = g_new0 (LabMachineInfo, 1);
  struct utsname un;
  const char *host = g_get_host_name ();

  info->host_name = g_utf8_make_valid (host, -1);
  info->id = read_machine_id (info->host_name);
  info->cpu_model = read_cpu_model ();
  info->cores_online = (guint) MAX (1, sysconf (_SC_NPROCESSORS_ONLN));
  info->usable_cores = lab_usable_cores ();
  info->memory_bytes = read_memory_bytes ();
  if (uname (&un) == 0)
    {
      g_autofree char *kernel = g_strdup_printf ("%s %s", un.sysname, un.release);
      info->kernel = g_utf8_make_valid (kernel, -1);
    }
  else
    info->kernel = g_strdup ("");
  info->app_version = g_strdup (PACKAGE_VERSION);
  return info;
}

/**
 * lab_machine_info_get_current:
 *
 * This machine, read once per process.
 *
 * Returns: (transfer full): a copy to free
 */
LabMachineInfo *
lab_machine_info_get_current (void)
{
  static gsize current;

  if (g_once_init_enter (&current))
    g_once_init_leave (&current, (gsize) measure ());
  return lab_machine_info_copy ((const LabMachineInfo *) current);
}

LabMachineInfo *
lab_machine_info_copy (const LabMachineInfo *info)
{
  LabMachineInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_memdup2 (info, sizeof *info);
  copy->id = g_strdup (info->id);
  copy->host_name = g_strdup (info->host_name);
  copy->cpu_model = g_strdup (info->cpu_model);
  copy->kernel = g_strdup (info->kernel);
  copy->app_version = g_strdup (info->app_version);
  return copy;
}

void
lab_machine_info_free (LabMachineInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->host_name);
  g_free (info->cpu_model);
  g_free (info->kernel);
  g_free (info->app_version);
  g_free (info);
}

/**
 * lab_machine_info_to_json:
 *
 * `{id, host_name, cpu_model, cores_online, usable_cores, memory_bytes,
 * kernel, app_version}`: the `machine` object of `run --format=json`,
 * of `machine --format=json` and of the history.
 */
JsonNode *
lab_machine_info_to_json (const LabMachineInfo *info)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (info != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, info->id);
  json_builder_set_member_name (b, "host_name");
  json_builder_add_string_value (b, info->host_name);
  json_builder_set_member_name (b, "cpu_model");
  json_builder_add_string_value (b, info->cpu_model);
  json_builder_set_member_name (b, "cores_online");
  json_builder_add_int_value (b, info->cores_online);
  json_builder_set_member_name (b, "usable_cores");
  json_builder_add_int_value (b, info->usable_cores);
  json_builder_set_member_name (b, "memory_bytes");
  json_builder_add_int_value (b, (gint64) MIN (info->memory_bytes, (guint64) G_MAXINT64));
  json_builder_set_member_name (b, "kernel");
  json_builder_add_string_value (b, info->kernel);
  json_builder_set_member_name (b, "app_version");
  json_builder_add_string_value (b, info->app_version);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
lab_machine_info_to_string (const LabMachineInfo *info)
{
  g_autoptr(JsonNode) node = lab_machine_info_to_json (info);

  return json_to_string (node, FALSE);
}

static char *
dup_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return g_strdup ("");
  value = json_node_get_string (node);
  return g_utf8_substring (value, 0, MIN (g_utf8_strlen (value, -1), MAX_FIELD));
}

static gint64
get_int_member (JsonObject *object,
                const char *name,
                gint64      max)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  value = json_node_get_int (node);
  return CLAMP (value, 0, max);
}

/**
 * lab_machine_info_from_json:
 *
 * Reads what lab_machine_info_to_json() wrote (from a history that may be
 * old, damaged or written by another version): unknown members are
 * ignored, missing or ill-typed ones read as "" or 0.
 *
 * Returns: (transfer full) (nullable): %NULL with %LAB_ERROR_FAILED when
 *   @node is no object
 */
LabMachineInfo *
lab_machine_info_from_json (JsonNode  *node,
                            GError   **error)
{
  LabMachineInfo *info;
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_FAILED,
                           _("The machine description is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);
  info = g_new0 (LabMachineInfo, 1);
  info->id = dup_string_member (object, "id");
  info->host_name = dup_string_member (object, "host_name");
  info->cpu_model = dup_string_member (object, "cpu_model");
  info->cores_online = (guint) get_int_member (object, "cores_online", G_MAXUINT16);
  info->usable_cores = (guint) get_int_member (object, "usable_cores", G_MAXUINT16);
  info->memory_bytes = (guint64) get_int_member (object, "memory_bytes", G_MAXINT64);
  info->kernel = dup_string_member (object, "kernel");
  info->app_version = dup_string_member (object, "app_version");
  return info;
}

LabMachineInfo *
lab_machine_info_from_string (const char  *json,
                              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_FAILED,
                           _("The machine description is not valid JSON"));
      return NULL;
    }
  return lab_machine_info_from_json (json_parser_get_root (parser), error);
}

/**
 * lab_machine_info_is_current:
 *
 * Whether @info describes the machine this process runs on (same
 * machine id): a baseline from elsewhere is labelled as such.
 */
gboolean
lab_machine_info_is_current (const LabMachineInfo *info)
{
  g_autoptr(LabMachineInfo) here = lab_machine_info_get_current ();

  g_return_val_if_fail (info != NULL, FALSE);
  return g_strcmp0 (info->id, here->id) == 0;
}

/**
 * lab_machine_info_dup_summary:
 *
 * One line for a person: "AMD EPYC 7763 · 2 of 2 cores · 24 GiB · Linux 6.1".
 */
char *
lab_machine_info_dup_summary (const LabMachineInfo *info)
{
  g_autofree char *memory = NULL;
  g_autofree char *cores = NULL;
  const char *model;

  g_return_val_if_fail (info != NULL, NULL);

  model = info->cpu_model != NULL && *info->cpu_model != '\0' ? info->cpu_model : _("Unknown CPU");
  memory = info->memory_bytes > 0 ? g_format_size_full (info->memory_bytes, G_FORMAT_SIZE_IEC_UNITS)
                                  : g_strdup (_("unknown memory"));
  if (info->usable_cores != info->cores_online)
    /* Translators: usable cores of the online ones, e.g. "2 of 8 cores" */
    cores = g_strdup_printf (ngettext ("%u of %u core", "%u of %u cores", info->cores_online),
                             info->usable_cores, info->cores_online);
  else
    cores = g_strdup_printf (ngettext ("%u core", "%u cores", info->cores_online), info->cores_online);
  return g_strdup_printf ("%s · %s · %s · %s", model, cores, memory,
                          info->kernel != NULL ? info->kernel : "");
}
