/* lab-i18n.h — where the translations are
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *lab_i18n_get_locale_dir (void);
void        lab_i18n_init           (void);
void        lab_i18n_init_messages  (void);

G_END_DECLS
