/* lab-history-model.h — the runs of the history, as a list loaded in pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lab-history.h"

G_BEGIN_DECLS

#define LAB_TYPE_HISTORY_ITEM (lab_history_item_get_type ())

G_DECLARE_FINAL_TYPE (LabHistoryItem, lab_history_item, LAB, HISTORY_ITEM, GObject)

const LabHistoryEntry *lab_history_item_get_entry        (LabHistoryItem *self);
gint64                 lab_history_item_get_id           (LabHistoryItem *self);
double                 lab_history_item_get_delta        (LabHistoryItem *self);
gint64                 lab_history_item_get_baseline_id  (LabHistoryItem *self);
gboolean               lab_history_item_is_baseline_elsewhere (LabHistoryItem *self);
char                  *lab_history_item_dup_day          (LabHistoryItem *self);
char                  *lab_history_item_dup_title        (LabHistoryItem *self);
char                  *lab_history_item_dup_subtitle     (LabHistoryItem *self);
char                  *lab_history_item_dup_delta_text   (LabHistoryItem *self);

#define LAB_TYPE_HISTORY_MODEL (lab_history_model_get_type ())

G_DECLARE_FINAL_TYPE (LabHistoryModel, lab_history_model, LAB, HISTORY_MODEL, GObject)

LabHistoryModel *lab_history_model_new          (const char      *path);
const char      *lab_history_model_get_path     (LabHistoryModel *self);
void             lab_history_model_set_filter   (LabHistoryModel *self,
                                                 const char      *task,
                                                 const char      *strategy,
                                                 const char      *search);
LabHistoryQuery  lab_history_model_get_filter   (LabHistoryModel *self);
void             lab_history_model_reload       (LabHistoryModel *self);
gboolean         lab_history_model_is_loading   (LabHistoryModel *self);
LabHistoryItem  *lab_history_model_take         (LabHistoryModel *self,
                                                 guint            position);
void             lab_history_model_put_back     (LabHistoryModel *self,
                                                 guint            position,
                                                 LabHistoryItem  *item);
GPtrArray       *lab_history_model_take_all     (LabHistoryModel *self);
gboolean         lab_history_model_lookup_baseline (LabHistoryModel *self,
                                                 const char      *task,
                                                 double          *wall_s,
                                                 gint64          *id,
                                                 gboolean        *here);

G_END_DECLS
