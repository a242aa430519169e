/* lab-test-server.h — the embedded image server, reached in its module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lab-image-server.h"

G_BEGIN_DECLS

/* The server lives in the lab-tasks-net module, with the download task.
 * Tests call it there rather than link a copy of their own: a process
 * then has one LabImageServer type, whether a test or the task started
 * the server. Each wraps the lab_image_server_* function of that name. */
LabImageServer *lab_test_server_new            (guint           n_images,
                                                guint           latency_ms);
GStrv           lab_test_server_get_photo_urls (LabImageServer *server);
char           *lab_test_server_get_url        (LabImageServer *server,
                                                const char     *path);
GBytes         *lab_test_server_get_photo      (LabImageServer *server,
                                                guint           index);
guint16         lab_test_server_get_port       (LabImageServer *server);
void            lab_test_server_set_latency    (LabImageServer *server,
                                                guint           latency_ms);
void            lab_test_server_set_bandwidth  (LabImageServer *server,
                                                guint64         bytes_per_s);
GBytes         *lab_test_generate_photo        (guint           index);

typedef struct _LabTestHttp LabTestHttp;

LabTestHttp    *lab_test_http_new              (void);
char           *lab_test_http_get_url          (LabTestHttp    *http,
                                                const char     *path);
guint           lab_test_http_get_held         (LabTestHttp    *http);
void            lab_test_http_free             (LabTestHttp    *http);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabTestHttp, lab_test_http_free)

G_END_DECLS
