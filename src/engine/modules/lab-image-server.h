/* lab-image-server.h — an HTTP server of generated photos on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "lab-cancel.h"

G_BEGIN_DECLS

#define LAB_IMAGE_SERVER_DEFAULT_IMAGES     15
#define LAB_IMAGE_SERVER_DEFAULT_LATENCY_MS 300
#define LAB_IMAGE_SERVER_DEFAULT_BANDWIDTH  (10 * 1000 * 1000)  /* bytes/s per request */
#define LAB_IMAGE_SERVER_MAX_IMAGES         1000

/* Paths that fail on purpose, for tests and for the lesson. */
#define LAB_IMAGE_SERVER_PATH_404        "/missing.jpg"
#define LAB_IMAGE_SERVER_PATH_500        "/error.jpg"
#define LAB_IMAGE_SERVER_PATH_STALL      "/stall.jpg"
#define LAB_IMAGE_SERVER_PATH_TRUNCATED  "/truncated.jpg"
#define LAB_IMAGE_SERVER_PATH_NOT_IMAGE  "/not-an-image.jpg"

#define LAB_TYPE_IMAGE_SERVER (lab_image_server_get_type ())

G_DECLARE_FINAL_TYPE (LabImageServer, lab_image_server, LAB, IMAGE_SERVER, GObject)

LabImageServer *lab_image_server_new             (guint            n_images,
                                                  LabCancel       *cancel,
                                                  GError         **error);
guint16         lab_image_server_get_port        (LabImageServer  *self);
guint           lab_image_server_get_n_images    (LabImageServer  *self);
char           *lab_image_server_get_url         (LabImageServer  *self,
                                                  const char      *path);
GStrv           lab_image_server_get_photo_urls  (LabImageServer  *self);
GBytes         *lab_image_server_get_photo       (LabImageServer  *self,
                                                  guint            index);
guint           lab_image_server_get_latency     (LabImageServer  *self);
void            lab_image_server_set_latency     (LabImageServer  *self,
                                                  guint            latency_ms);
guint64         lab_image_server_get_bandwidth   (LabImageServer  *self);
void            lab_image_server_set_bandwidth   (LabImageServer  *self,
                                                  guint64          bytes_per_s);

GBytes         *lab_image_generate_photo         (guint            index);

G_END_DECLS
