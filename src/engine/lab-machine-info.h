/* lab-machine-info.h — what a run ran on: CPU, cores, memory, kernel, app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LAB_TYPE_MACHINE_INFO (lab_machine_info_get_type ())

typedef struct {
  char   *id;             /* a hash of /etc/machine-id (or the host name), never the raw id */
  char   *host_name;
  char   *cpu_model;      /* "AMD EPYC 7763 64-Core Processor", or "" */
  guint   cores_online;   /* the kernel's online CPUs */
  guint   usable_cores;   /* what this process may use: affinity and cgroup quota */
  guint64 memory_bytes;   /* physical memory, 0 when unknown */
  char   *kernel;         /* "Linux 6.1.0-18-amd64" */
  char   *app_version;    /* PACKAGE_VERSION of the build that ran */
} LabMachineInfo;

GType           lab_machine_info_get_type     (void) G_GNUC_CONST;
LabMachineInfo *lab_machine_info_get_current  (void);
LabMachineInfo *lab_machine_info_copy         (const LabMachineInfo *info);
void            lab_machine_info_free         (LabMachineInfo       *info);
JsonNode       *lab_machine_info_to_json      (const LabMachineInfo *info);
char           *lab_machine_info_to_string    (const LabMachineInfo *info);
LabMachineInfo *lab_machine_info_from_json    (JsonNode             *node,
                                               GError              **error);
LabMachineInfo *lab_machine_info_from_string  (const char           *json,
                                               GError              **error);
gboolean        lab_machine_info_is_current   (const LabMachineInfo *info);
char           *lab_machine_info_dup_summary  (const LabMachineInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabMachineInfo, lab_machine_info_free)

G_END_DECLS
