/* lab-history-page.h — the runs kept in the history, and one of them drawn again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "lab-history-model.h"
#include "lab-run.h"

G_BEGIN_DECLS

#define LAB_TYPE_HISTORY_PAGE (lab_history_page_get_type ())

G_DECLARE_FINAL_TYPE (LabHistoryPage, lab_history_page, LAB, HISTORY_PAGE, AdwBin)

GtkWidget       *lab_history_page_new             (const char     *path);
void             lab_history_page_reload          (LabHistoryPage *self);
LabHistoryModel *lab_history_page_get_model       (LabHistoryPage *self);
void             lab_history_page_set_filter      (LabHistoryPage *self,
                                                   const char     *task,
                                                   const char     *strategy,
                                                   const char     *search);
void             lab_history_page_open            (LabHistoryPage *self,
                                                   guint           position);
LabRun          *lab_history_page_get_opened_run  (LabHistoryPage *self);
gint64           lab_history_page_get_opened_id   (LabHistoryPage *self);
void             lab_history_page_delete          (LabHistoryPage *self,
                                                   guint           position);
void             lab_history_page_delete_listed   (LabHistoryPage *self);
void             lab_history_page_set_pinned      (LabHistoryPage *self,
                                                   gint64          id,
                                                   gboolean        pinned);
GtkWidget       *lab_history_page_get_timeline    (LabHistoryPage *self);
GtkWidget       *lab_history_page_get_cpu_chart   (LabHistoryPage *self);
GtkWidget       *lab_history_page_get_comparison_chart (LabHistoryPage *self);
AdwToast        *lab_history_page_get_toast       (LabHistoryPage *self);

G_END_DECLS
