/* lab-blur.h — the seed's image job on libvips: blur, thumbnail, save
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lab-cancel.h"

G_BEGIN_DECLS

/* Pillow's GaussianBlur(15) is a Gaussian of standard deviation 15. */
#define LAB_BLUR_SIGMA        15.0
/* img.thumbnail((1200, 1200)) */
#define LAB_BLUR_BOX          1200
/* Larger images are refused from their header, before any decoding. */
#define LAB_BLUR_MAX_PIXELS   (G_GUINT64_CONSTANT (100) * 1000 * 1000)

typedef struct _LabBlurWorker LabBlurWorker;

gboolean       lab_blur_init             (GError              **error);
LabBlurWorker *lab_blur_worker_new       (void);
void           lab_blur_worker_free      (LabBlurWorker        *worker);
gboolean       lab_blur_file             (LabBlurWorker        *worker,
                                          const char           *source,
                                          const char           *dest,
                                          LabCancel            *cancel,
                                          guint64              *bytes_written,
                                          GError              **error);
gboolean       lab_blur_is_image_name    (const char           *name);
gboolean       lab_blur_ensure_dir       (const char           *dir,
                                          char                **made,
                                          GError              **error);
char          *lab_blur_default_output   (void);
char          *lab_blur_default_images   (LabCancel            *cancel,
                                          GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabBlurWorker, lab_blur_worker_free)

G_END_DECLS
