/* lab-paths-private.h — where the program's companions are
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *_lab_locate (const char *env_var,
                   const char *build_path,
                   const char *installed_path);

void  _lab_prepare_environment (void);

G_END_DECLS
