/* lab-blur.c — the seed's image job on libvips: blur, thumbnail, save
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seed (Pillow) does, per photo:
 *
 *   img = Image.open(name)
 *   img = img.filter(ImageFilter.GaussianBlur(15))
 *   img.thumbnail((1200, 1200))
 *   img.save(out)
 *
 * This computes the same function with libvips, on one core:
 *
 *   load (sequential, into the worker's buffer) → vertical blur
 *     → vertical reduce → horizontal blur → horizontal reduce → JPEG
 *
 * The Gaussian is separable and so is the thumbnail's cubic reduction,
 * and operations along different axes commute, so
 * reduceh ∘ reducev ∘ blurh ∘ blurv = reduceh ∘ blurh ∘ reducev ∘ blurv:
 * the horizontal blur then only runs on the rows the thumbnail keeps.
 * Every blurred value is still taken over the full-resolution
 * neighbourhood; only values the thumbnail throws away are not computed.
 * That, integer precision (what Pillow's 8-bit filters keep), a pipeline
 * with no intermediate image between the decoded photo and the thumbnail,
 * and memory each worker reuses from photo to photo make it faster than
 * Pillow on one core (see bench/blur).
 *
 * Pixels are computed on the calling thread, strip by strip, rather than
 * in libvips's thread pool: the job's CPU time then shows on its own
 * thread's clock, cancellation is checked between strips, and the
 * strategy alone decides how many cores work.
 */
#define G_LOG_DOMAIN "lab-blur"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <vips/vips.h>

#include "lab-blur.h"
#include "lab-error.h"
#include "lab-files.h"

/* A VipsImage that owns the intermediate images of one job (through
 * vips_object_local_array()), so they all go with it. */
typedef VipsImage LabVipsContext;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LabVipsContext, g_object_unref)

/* Output rows per strip: about 10 ms of work, so a cancel is noticed
 * quickly, and enough rows that the margins cost little (the vertical
 * reduce of a strip needs 9 rows the strip before also needed, which
 * are blurred again: 7 % of the vertical blur, 14 % with 32 rows). */
#define STRIP_HEIGHT 64
/* Rows decoded at a time (see decode()): a few milliseconds. */
#define DECODE_HEIGHT 64
/* Photos larger than this, decoded, are not kept whole in memory: they
 * stream through the blur as they decode (about 22 megapixels in colour). */
#define DECODE_MAX   (64 * 1024 * 1024)
#define JPEG_QUALITY 75   /* Pillow's default */
#define JPEG_TAIL    (64 * 1024)

/* Memory a worker keeps from one job to the next. Mapped apart from the
 * heap: a block kept there would sit among the blocks libvips frees, and
 * split the space they leave, so that the heap grew again on later photos. */
typedef struct {
  void  *data;
  gsize  size;
} Buffer;

struct _LabBlurWorker
{
  VipsImage *hmask;
  VipsImage *vmask;
  Buffer     photo;   /* the photo being blurred, decoded */
  Buffer     thumb;   /* its thumbnail, before encoding */
};

/* Formats are told by their first bytes, not by the name, and only the
 * four photo formats are decoded: libvips could open far more (SVG, PDF,
 * FITS...), none of which belongs in a photo folder. */
typedef int (*LoadFunc) (const char *filename, VipsImage **out, ...);

typedef struct {
  const char *magic;
  guint       offset;
  guint       length;
  LoadFunc    load;    /* NULL: an image, but not one we take */
} Format;

static const Format formats[] = {
  { "\xFF\xD8\xFF", 0, 3, vips_jpegload },
  { "\x89PNG\r\n\x1A\n", 0, 8, vips_pngload },
  { "WEBP", 8, 4, vips_webpload },
  { "II*\0", 0, 4, vips_tiffload },
  { "MM\0*", 0, 4, vips_tiffload },
  { "GIF8", 0, 4, NULL },
  { "BM", 0, 2, NULL },
  { "ftyp", 4, 4, NULL },   /* HEIF, AVIF */
};

/* Loaders fail on anything libjpeg, libpng… only warn about (a JPEG cut
 * short behind a fake end marker is otherwise blurred, grey where the
 * data stopped). */
#if VIPS_MAJOR_VERSION > 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 12)
#define LOAD_FAIL_OPTION "fail_on", VIPS_FAIL_ON_WARNING
#else
#define LOAD_FAIL_OPTION "fail", TRUE
#endif

/* libvips keeps one error buffer per process, which every thread's
 * failures append to: read after a job failed, it may hold another
 * job's error. So jobs use libvips through a gate: many at once
 * (gate_share()), except when one failed and must learn why. That one
 * waits for the others to leave, has libvips to itself (gate_own()),
 * clears the buffer and fails again: what the buffer then holds is its
 * own. Failures are rare; the other jobs wait the time of one. */
static struct {
  GMutex   mutex;
  GCond    cond;
  guint    sharing;
  guint    waiting;   /* to own it: they go first, or they could starve */
  gboolean owned;
} gate;

static void
gate_share (void)
{
  g_mutex_lock (&gate.mutex);
  while (gate.owned || gate.waiting > 0)
    g_cond_wait (&gate.cond, &gate.mutex);
  gate.sharing++;
  g_mutex_unlock (&gate.mutex);
}

static void
gate_unshare (void)
{
  g_mutex_lock (&gate.mutex);
  gate.sharing--;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.mutex);
}

static void
gate_own (void)
{
  g_mutex_lock (&gate.mutex);
  gate.waiting++;
  while (gate.owned || gate.sharing > 0)
    g_cond_wait (&gate.cond, &gate.mutex);
  gate.waiting--;
  gate.owned = TRUE;
  g_mutex_unlock (&gate.mutex);
}

static void
gate_disown (void)
{
  g_mutex_lock (&gate.mutex);
  gate.owned = FALSE;
  g_cond_broadcast (&gate.cond);
  g_mutex_unlock (&gate.mutex);
}

static const char * const image_suffixes[] = {
  ".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff",
};

static char *init_error;

static void
drop_warning_cb (const char     *log_domain,
                 GLogLevelFlags  level,
                 const char     *message,
                 gpointer        data)
{
}

/* libvips computes each strip of each stage of a job into buffers it
 * calloc()s and frees as it goes: some 280 blocks of 50 KB–2 MB for a
 * 2400×1600 photo, 135 MB in all. glibc starts by serving blocks over
 * 128 KiB with a fresh mmap(), unmapped again on free(), and raises that
 * threshold (to at most 32 MiB, trimming the heap above twice that) only
 * as it sees such blocks freed. So the first photo a process blurred
 * faulted in some 150 MB of zeroed pages, 40 000 faults, four times the
 * CPU of a later one; worker processes each paid that, and a run that
 * followed another in the app did not, which skewed comparisons. Set
 * where glibc's heuristic ends up, from the start, every photo reuses the
 * heap's pages. It is process-wide (mallopt() has no other scope): set
 * once, when a blur or pipeline task is first set up, in the app and in
 * each worker process (a fork server's children inherit it). A heap then
 * keeps up to 64 MiB of freed memory instead of returning it. */
#define MMAP_THRESHOLD (32 * 1024 * 1024)
#define TRIM_THRESHOLD (64 * 1024 * 1024)

static void
keep_freed_buffers (void)
{
#ifdef __GLIBC__
  mallopt (M_MMAP_THRESHOLD, MMAP_THRESHOLD);
  mallopt (M_TRIM_THRESHOLD, TRIM_THRESHOLD);
#endif
}

static gpointer
init_once (gpointer data)
{
  keep_freed_buffers ();

  if (VIPS_INIT ("concurrency-lab") != 0)
    {
      g_autofree char *message = vips_error_buffer_copy ();
      init_error = g_strdup_printf (_("Could not start libvips: %s"), message);
      return NULL;
    }

  /* One core per job: the strategy decides how many cores work. No
   * operation cache: every job computes its own photo. */
  vips_concurrency_set (1);
  vips_cache_set_max (0);
  /* Besides failing, libvips tells of a damaged file in warnings on
   * stderr (“error in tile 0 x 808”, libpng's and libtiff's complaints).
   * The job's message says what matters, so they are dropped. */
  g_log_set_handler ("VIPS", G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                     drop_warning_cb, NULL);
#if VIPS_MAJOR_VERSION > 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION >= 13)
  vips_block_untrusted_set (TRUE);
#endif
  return NULL;
}

/**
 * lab_blur_init:
 *
 * Starts libvips once per process, from whichever thread comes first.
 */
gboolean
lab_blur_init (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_once, NULL);
  if (init_error != NULL)
    {
      g_set_error_literal (error, LAB_ERROR, LAB_ERROR_FAILED, init_error);
      return FALSE;
    }
  return TRUE;
}

static void
buffer_clear (Buffer *buffer)
{
  if (buffer->data != NULL)
    munmap (buffer->data, buffer->size);
  buffer->data = NULL;
  buffer->size = 0;
}

/* Leaves @buffer empty when the memory cannot be had. */
static void
buffer_grow (Buffer *buffer,
             gsize   size)
{
  void *data;

  buffer_clear (buffer);
  data = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED)
    return;

  /* The first photo of a worker otherwise takes a page fault per 4 KiB
   * (2 800 for a 2400×1600 photo, several microseconds each in a virtual
   * machine): huge pages where the system gives them on request, all
   * mapped in one call. Hints only: a kernel that lacks them faults the
   * pages in as before. */
#ifdef MADV_HUGEPAGE
  madvise (data, size, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
  madvise (data, size, MADV_POPULATE_WRITE);
#endif
  buffer->data = data;
  buffer->size = size;
}

LabBlurWorker *
lab_blur_worker_new (void)
{
  LabBlurWorker *worker = g_new0 (LabBlurWorker, 1);

  /* Global in libvips; set again in case something else changed it. */
  vips_concurrency_set (1);

  /* vips_gaussblur()'s own mask: amplitude down to 0.2, integer. A
   * failure shows in each job (build_pipeline() has no mask). */
  gate_share ();
  if (vips_gaussmat (&worker->hmask, LAB_BLUR_SIGMA, 0.2,
                     "separable", TRUE, "precision", VIPS_PRECISION_INTEGER, NULL) == 0)
    vips_rot (worker->hmask, &worker->vmask, VIPS_ANGLE_D90, NULL);
  gate_unshare ();

  return worker;
}

void
lab_blur_worker_free (LabBlurWorker *worker)
{
  if (worker == NULL)
    return;

  g_clear_object (&worker->hmask);
  g_clear_object (&worker->vmask);
  buffer_clear (&worker->photo);
  buffer_clear (&worker->thumb);
  g_free (worker);
}

/* The first line of libvips's error text, which it keeps per process:
 * taking a copy also clears it for the next job. */
static char *
take_vips_message (void)
{
  g_autofree char *text = vips_error_buffer_copy ();
  char *newline;

  if (text == NULL || text[0] == '\0')
    return g_strdup (_("unknown libvips error"));
  if ((newline = strchr (text, '\n')) != NULL)
    *newline = '\0';
  return g_strdup (g_strstrip (text));
}

gboolean
lab_blur_is_image_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (name[0] == '.')
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (image_suffixes); i++)
    if (g_str_has_suffix (lower, image_suffixes[i]))
      return TRUE;
  return FALSE;
}

/* Returns the number of bytes read into @head, or -1 with errno set. */
static gssize
read_head (const char *path,
           guchar     *head,
           gsize       size)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gssize n;
  int saved;

  if (fd < 0)
    return -1;
  n = read (fd, head, size);
  saved = errno;
  close (fd);
  errno = saved;
  return n;
}

static const Format *
sniff (const guchar *head,
       gsize         n)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].offset + formats[i].length <= n &&
        memcmp (head + formats[i].offset, formats[i].magic, formats[i].length) == 0)
      return &formats[i];
  return NULL;
}

/* A JPEG ends with the EOI marker (FF D9), perhaps followed by some
 * padding or a vendor trailer; compressed data never contains it. One
 * without it near its end was cut short. Checked before decoding, as
 * libvips reports a decode error also as a warning on stderr. */
static gboolean
lacks_jpeg_end (const char *path)
{
  g_autofree guchar *tail = g_malloc (JPEG_TAIL);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  off_t size, start;
  ssize_t n;

  if (fd < 0)
    return FALSE;
  size = lseek (fd, 0, SEEK_END);
  start = MAX (size - JPEG_TAIL, 0);
  n = size > 0 ? pread (fd, tail, size - start, start) : -1;
  close (fd);

  for (ssize_t i = n - 2; i >= 0; i--)
    if (tail[i] == 0xFF && tail[i + 1] == 0xD9)
      return FALSE;
  return n >= 0;
}

static gpointer
fail (GError     **error,
      const char  *path,
      const char  *format,
      ...) G_GNUC_PRINTF (3, 4);

/* Sets the job's error: the file's name, then what is wrong with it.
 * Returns %NULL, for the callers' convenience. */
static gpointer
fail (GError     **error,
      const char  *path,
      const char  *format,
      ...)
{
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, "%s: %s", name, what);
  return NULL;
}

/* Checks what can be checked before libvips reads the file: it is
 * there, not empty, a photo format, and (a JPEG) not plainly cut short. */
static const Format *
check_file (const char  *path,
            GError     **error)
{
  guchar head[16];
  gssize n = read_head (path, head, sizeof head);
  const Format *format;

  if (n < 0)
    return fail (error, path, _("cannot open: %s"), g_strerror (errno));
  if (n == 0)
    return fail (error, path, _("empty file (0 bytes)"));
  if ((format = sniff (head, n)) == NULL)
    return fail (error, path, _("not an image"));
  if (format->load == NULL)
    return fail (error, path, _("not a JPEG, PNG, WebP or TIFF image"));
  if (format->load == vips_jpegload && lacks_jpeg_end (path))
    return fail (error, path, _("truncated JPEG"));
  return format;
}

/* img.thumbnail((1200, 1200)): fit the box, keep the aspect ratio, never
 * enlarge; Pillow rounds the short side to the integer whose aspect ratio
 * is closest to the original's. */
static int
round_aspect (double number,
              double aspect,
              double other,
              gboolean number_is_width)
{
  int lo = (int) floor (number), hi = (int) ceil (number);
  double err_lo, err_hi;

  if (number_is_width)
    err_lo = fabs (aspect - lo / other), err_hi = fabs (aspect - hi / other);
  else
    err_lo = lo == 0 ? 0 : fabs (aspect - other / lo), err_hi = fabs (aspect - other / hi);

  return MAX (err_hi < err_lo ? hi : lo, 1);
}

static void
thumbnail_size (int  width,
                int  height,
                int *out_width,
                int *out_height)
{
  double aspect = (double) width / height;

  *out_width = width;
  *out_height = height;
  if (width <= LAB_BLUR_BOX && height <= LAB_BLUR_BOX)
    return;

  if (aspect <= 1.0)
    {
      *out_width = round_aspect (LAB_BLUR_BOX * aspect, aspect, LAB_BLUR_BOX, TRUE);
      *out_height = LAB_BLUR_BOX;
    }
  else
    {
      *out_width = LAB_BLUR_BOX;
      *out_height = round_aspect (LAB_BLUR_BOX / aspect, aspect, LAB_BLUR_BOX, FALSE);
    }
}

/* 8-bit sRGB or grey without alpha, as a JPEG holds; a no-op for photos. */
static int
to_jpeg_bands (VipsImage  *context,
               VipsImage  *in,
               VipsImage **out)
{
  VipsImage **t = (VipsImage **) vips_object_local_array (VIPS_OBJECT (context), 3);
  VipsInterpretation interpretation = vips_image_guess_interpretation (in);
  VipsInterpretation target = interpretation == VIPS_INTERPRETATION_B_W ||
                              interpretation == VIPS_INTERPRETATION_GREY16
                              ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;

  if (vips_image_hasalpha (in))
    {
      /* Flattened on white: a JPEG has no alpha (Pillow refuses to save). */
      double white = in->BandFmt == VIPS_FORMAT_USHORT ? 65535.0 : 255.0;
      VipsArrayDouble *background = vips_array_double_new (&white, 1);
      int status = vips_flatten (in, &t[0], "background", background, NULL);

      vips_area_unref (VIPS_AREA (background));
      if (status != 0)
        return -1;
      in = t[0];
    }
  if (in->Type != target && vips_colourspace (in, &t[1], target, NULL) != 0)
    return -1;
  in = t[1] ? t[1] : in;
  if (in->BandFmt != VIPS_FORMAT_UCHAR && vips_cast_uchar (in, &t[2], NULL) != 0)
    return -1;

  *out = t[2] ? t[2] : in;
  return 0;
}

/* One axis of blur-then-thumbnail: blur along @direction with @mask, then
 * reduce that axis to @size with Pillow's thumbnail filter (bicubic). */
static int
blur_axis (VipsImage     *context,
           VipsImage     *in,
           VipsImage     *mask,
           VipsDirection  direction,
           int            size,
           VipsImage    **out)
{
  VipsImage **t = (VipsImage **) vips_object_local_array (VIPS_OBJECT (context), 2);
  gboolean vertical = direction == VIPS_DIRECTION_VERTICAL;
  int length = vertical ? in->Ysize : in->Xsize;
  double factor = (double) length / size;

  if (vips_conv (in, &t[0], mask, "precision", VIPS_PRECISION_INTEGER, NULL) != 0)
    return -1;
  if (size == length)
    {
      *out = t[0];
      return 0;
    }
  if ((vertical ? vips_reducev (t[0], &t[1], factor, "kernel", VIPS_KERNEL_CUBIC, NULL)
                : vips_reduceh (t[0], &t[1], factor, "kernel", VIPS_KERNEL_CUBIC, NULL)) != 0)
    return -1;
  *out = t[1];
  return 0;
}

/* The lazy pipeline: nothing is computed until a region asks for pixels. */
static int
build_pipeline (LabBlurWorker  *worker,
                VipsImage      *context,
                VipsImage      *photo,
                VipsImage     **out)
{
  VipsImage *rows;
  int width, height;

  if (worker->vmask == NULL)
    return -1;

  thumbnail_size (photo->Xsize, photo->Ysize, &width, &height);

  return blur_axis (context, photo, worker->vmask, VIPS_DIRECTION_VERTICAL, height, &rows) != 0 ||
         blur_axis (context, rows, worker->hmask, VIPS_DIRECTION_HORIZONTAL, width, out) != 0 ? -1 : 0;
}

/* An image in memory like @like, to compute @like into: over @buffer
 * (grown when too small) when there is one, an image of libvips's own
 * otherwise, or when @buffer cannot grow. */
static VipsImage *
new_target (VipsImage *context,
            Buffer    *buffer,
            VipsImage *like)
{
  gsize size = VIPS_IMAGE_SIZEOF_IMAGE (like);
  VipsImage *image;

  if (buffer != NULL && size > buffer->size)
    buffer_grow (buffer, size);

  /* Over the buffer: 8-bit, one or three bands, which it takes for grey
   * and sRGB as to_jpeg_bands() makes them. */
  if (buffer != NULL && buffer->data != NULL)
    image = vips_image_new_from_memory (buffer->data, size, like->Xsize, like->Ysize,
                                        like->Bands, like->BandFmt);
  else if ((image = vips_image_new_memory ()) != NULL &&
           (vips_image_pipelinev (image, VIPS_DEMAND_STYLE_THINSTRIP, like, NULL) != 0 ||
            vips_image_write_prepare (image) != 0))
    g_clear_object (&image);

  if (image != NULL)
    vips_object_local (context, image);
  return image;
}

/* Computes @image into @target on this thread, @height rows at a time
 * from the top (the order a sequential loader needs). Returns 1 when
 * cancelled. */
static int
compute_in_strips (VipsImage  *context,
                   VipsImage  *image,
                   VipsImage  *target,
                   int         height,
                   LabCancel  *cancel)
{
  VipsObject **t = vips_object_local_array (VIPS_OBJECT (context), 2);

  t[0] = VIPS_OBJECT (vips_region_new (image));
  t[1] = VIPS_OBJECT (vips_region_new (target));
  for (int y = 0; y < image->Ysize; y += height)
    {
      VipsRect strip = { 0, y, image->Xsize, MIN (height, image->Ysize - y) };

      if (lab_cancel_is_cancelled (cancel))
        return 1;
      if (vips_region_image ((VipsRegion *) t[1], &strip) != 0 ||
          vips_region_prepare_to ((VipsRegion *) t[0], (VipsRegion *) t[1], &strip, 0, y) != 0)
        return -1;
    }
  return 0;
}

/* Decodes @photo (8-bit, as to_jpeg_bands() makes it) whole into the
 * worker's buffer, which the next job reuses. Pillow decodes whole too;
 * here it spares libvips's sequential pipeline, which copies each strip
 * through a chain of caches, and lets the vertical reduce take a strip
 * in one piece (on a sequential source it adds a cache of its own and
 * works 10 rows at a time: each time the blur's 52 rows of margin are
 * copied again, and the 9 rows its kernel overlaps are blurred again).
 * A photo over DECODE_MAX is left to stream: @out is then @photo. */
static int
decode (LabBlurWorker  *worker,
        VipsImage      *context,
        VipsImage      *photo,
        VipsImage     **out,
        LabCancel      *cancel)
{
  VipsImage *memory;
  int status;

  *out = photo;
  if (VIPS_IMAGE_SIZEOF_IMAGE (photo) > DECODE_MAX)
    return 0;
  if ((memory = new_target (context, &worker->photo, photo)) == NULL)
    return -1;
  if ((status = compute_in_strips (context, photo, memory, DECODE_HEIGHT, cancel)) == 0)
    *out = memory;
  return status;
}

/* Where a job's libvips part failed. */
typedef enum {
  STEP_OPEN,
  STEP_COMPUTE,
  STEP_ENCODE,
} Step;

typedef struct {
  const Format *format;
  Step          step;
  void         *buffer;   /* the JPEG made */
  size_t        length;
} Attempt;

/* The job's libvips part, from the file's header to the JPEG in memory,
 * in the gate. Returns 0; 1 when cancelled; -1 when libvips failed at
 * @attempt's step (its error buffer says why); -2 with @error (too large). */
static int
attempt_blur (LabBlurWorker  *worker,
              const char     *path,
              LabCancel      *cancel,
              Attempt        *attempt,
              GError        **error)
{
  g_autoptr(LabVipsContext) context = vips_image_new ();
  VipsImage *in, *photo, *pipeline, *result;
  int status;

  /* Reads the header only; pixels are decoded as the pipeline pulls them. */
  attempt->step = STEP_OPEN;
  if (attempt->format->load (path, &in, "access", VIPS_ACCESS_SEQUENTIAL, LOAD_FAIL_OPTION, NULL) != 0)
    return -1;
  vips_object_local (context, in);
  if ((guint64) in->Xsize * (guint64) in->Ysize > LAB_BLUR_MAX_PIXELS)
    {
      fail (error, path, _("too large: %d×%d (the limit is %u megapixels)"),
            in->Xsize, in->Ysize, (guint) (LAB_BLUR_MAX_PIXELS / 1000000));
      return -2;
    }

  attempt->step = STEP_COMPUTE;
  if (to_jpeg_bands (context, in, &photo) != 0)
    return -1;
  if ((status = decode (worker, context, photo, &photo, cancel)) != 0)
    return status;
  if (build_pipeline (worker, context, photo, &pipeline) != 0 ||
      (result = new_target (context, &worker->thumb, pipeline)) == NULL)
    return -1;
  if ((status = compute_in_strips (context, pipeline, result, STRIP_HEIGHT, cancel)) != 0)
    return status;

  /* Like Pillow's save(): quality 75, no metadata carried over. */
  attempt->step = STEP_ENCODE;
  return vips_jpegsave_buffer (result, &attempt->buffer, &attempt->length,
                               "Q", JPEG_QUALITY, "strip", TRUE, NULL) != 0 ? -1 : 0;
}

/* Sets the error of a job that libvips failed, from its @message. A
 * JPEG whose data ends early is “truncated”, as libjpeg says (“premature
 * end of data segment”, “Premature end of JPEG file”). */
static void
set_vips_error (const char     *path,
                const Attempt  *attempt,
                const char     *message,
                GError        **error)
{
  g_autofree char *lower = g_ascii_strdown (message, -1);

  if (attempt->step == STEP_ENCODE)
    fail (error, path, _("could not encode: %s"), message);
  else if (attempt->format->load == vips_jpegload && strstr (lower, "premature end") != NULL)
    fail (error, path, _("truncated JPEG"));
  else
    fail (error, path, _("damaged image: %s"), message);
}

/* Learns why libvips failed on @path: with libvips to itself (see the
 * gate), it fails again on a clear error buffer. Returns 1 when
 * cancelled meanwhile, else -1 with @error. */
static int
explain_failure (LabBlurWorker  *worker,
                 const char     *path,
                 LabCancel      *cancel,
                 Attempt        *attempt,
                 GError        **error)
{
  Attempt again = { attempt->format };
  g_autofree char *message = NULL;
  int status;

  gate_own ();
  vips_error_clear ();
  status = attempt_blur (worker, path, cancel, &again, error);
  message = take_vips_message ();
  gate_disown ();
  g_free (again.buffer);

  if (status == 1 || status == -2)
    return status;
  /* (Had it worked this time, the first failure stays unexplained.) */
  set_vips_error (path, status == -1 ? &again : attempt, message, error);
  return -1;
}

/* A temporary file renamed over the destination: never a partial file. */
static gboolean
save_file (const char     *dest,
           const Attempt  *attempt,
           guint64        *bytes_written,
           GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;

  if (g_file_set_contents (dest, attempt->buffer, attempt->length, &local_error))
    {
      *bytes_written = attempt->length;
      return TRUE;
    }
  name = g_filename_display_basename (dest);
  g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not save %s: %s"), name, local_error->message);
  return FALSE;
}

/**
 * lab_blur_file:
 * @worker: this thread's masks, from lab_blur_worker_new()
 * @source: an image file
 * @dest: the JPEG to write (replaced atomically)
 * @cancel: (nullable): checked between strips
 *
 * Blurs @source like the seed, makes the thumbnail and saves it. Every
 * failure is this job's: a message naming the file and what is wrong
 * with it (never another job's libvips error: see the gate).
 */
gboolean
lab_blur_file (LabBlurWorker  *worker,
               const char     *source,
               const char     *dest,
               LabCancel      *cancel,
               guint64        *bytes_written,
               GError        **error)
{
  Attempt attempt = { 0 };
  gboolean ok;
  int status;

  if ((attempt.format = check_file (source, error)) == NULL)
    return FALSE;

  gate_share ();
  status = attempt_blur (worker, source, cancel, &attempt, error);
  gate_unshare ();
  if (status == -1)
    status = explain_failure (worker, source, cancel, &attempt, error);

  if (status == 1)
    g_set_error_literal (error, LAB_ERROR, LAB_ERROR_CANCELLED, _("Cancelled"));
  ok = status == 0 && save_file (dest, &attempt, bytes_written, error);
  g_free (attempt.buffer);
  return ok;
}

/**
 * lab_blur_ensure_dir:
 * @made: (out) (transfer full): what was made for it (see
 *   lab_files_make_dir()), for lab_files_unmake_dir() when no job fills it
 *
 * Creates @dir if needed and checks that files can be written there, so
 * an unusable output folder is reported before any job runs.
 */
gboolean
lab_blur_ensure_dir (const char  *dir,
                     char       **made,
                     GError     **error)
{
  g_autofree char *display = g_filename_display_name (dir);

  if (lab_files_make_dir (dir, 0755, made) != 0 || g_access (dir, W_OK | X_OK) != 0)
    {
      int saved = errno;
      g_set_error (error, LAB_ERROR, LAB_ERROR_INVALID_ARGUMENT,
                   _("Cannot write to the output folder %s: %s"), display, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

char *
lab_blur_default_output (void)
{
  return lab_files_dup_cache_path ("blurred", NULL);
}

/* Photo-like: smooth shapes (Perlin noise, made small and enlarged) in
 * three colour channels plus fine grain, so that the JPEG weighs and
 * decodes like a camera photo. Deterministic per @seed. Computed in
 * strips like a job, so that a cancel stops it: 1 then, -1 on failure. */
static int
make_photo (int         seed,
            LabCancel  *cancel,
            void      **buffer,
            size_t     *length)
{
  g_autoptr(LabVipsContext) context = vips_image_new ();
  VipsImage **t = (VipsImage **) vips_object_local_array (VIPS_OBJECT (context), 9);
  double scale[] = { 90, 80, 100 }, offset[] = { 120, 110, 100 };
  VipsImage *memory;
  int status;

  if (vips_perlin (&t[0], 600, 400, "cell_size", 80, "seed", seed * 3, NULL) != 0 ||
      vips_perlin (&t[1], 600, 400, "cell_size", 120, "seed", seed * 3 + 1, NULL) != 0 ||
      vips_perlin (&t[2], 600, 400, "cell_size", 60, "seed", seed * 3 + 2, NULL) != 0 ||
      vips_bandjoin (t, &t[3], 3, NULL) != 0 ||
      vips_linear (t[3], &t[4], scale, offset, 3, NULL) != 0 ||
      vips_resize (t[4], &t[5], 4.0, "kernel", VIPS_KERNEL_LINEAR, NULL) != 0 ||
      vips_gaussnoise (&t[6], t[5]->Xsize, t[5]->Ysize, "sigma", 12.0, "mean", 0.0, "seed", seed, NULL) != 0 ||
      vips_add (t[5], t[6], &t[7], NULL) != 0 ||
      vips_cast_uchar (t[7], &t[8], NULL) != 0)
    return -1;

  if ((memory = new_target (context, NULL, t[8])) == NULL)
    return -1;
  if ((status = compute_in_strips (context, t[8], memory, STRIP_HEIGHT, cancel)) != 0)
    return status;
  return vips_jpegsave_buffer (memory, buffer, length, "Q", 90, NULL);
}

#define N_SAMPLES 8

static char *
sample_path (const char *dir,
             int         i)
{
  g_autofree char *name = g_strdup_printf ("photo-%d.jpg", i);

  return g_build_filename (dir, name, NULL);
}

static gboolean
has_samples (const char *dir)
{
  for (int i = 1; i <= N_SAMPLES; i++)
    {
      g_autofree char *path = sample_path (dir, i);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return FALSE;
    }
  return TRUE;
}

/* Makes the sample photos in @dir: 0, 1 when cancelled, -1 with @error. */
static int
make_samples (const char  *dir,
              LabCancel   *cancel,
              GError     **error)
{
  for (int i = 1; i <= N_SAMPLES; i++)
    {
      g_autofree char *path = sample_path (dir, i);
      g_autofree void *buffer = NULL;
      size_t length = 0;
      int status = make_photo (i, cancel, &buffer, &length);

      if (status == 1)
        return 1;
      if (status != 0)
        {
          g_autofree char *message = take_vips_message ();
          g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not make the sample photos: %s"), message);
          return -1;
        }
      if (!g_file_set_contents (path, buffer, length, error))
        return -1;
    }
  return 0;
}

/* Puts the complete set made in @tmp in place as @dir, unless another
 * process was quicker: its set is as good. */
static void
install_samples (const char *tmp,
                 const char *dir)
{
  if (!has_samples (dir))
    lab_files_remove_tree (dir);   /* an incomplete set */
  g_rename (tmp, dir);
  lab_files_remove_tree (tmp);     /* when the rename lost the race */
}

/**
 * lab_blur_default_images:
 * @cancel: (nullable): stops making the photos
 *
 * The folder blur uses without --images: eight 2400×1600 photo-like
 * JPEGs in the user cache folder, made on first use (a few seconds) and
 * kept. They are made in a temporary folder that gets its name once
 * complete, so a cancel or a failure leaves nothing, and processes that
 * race to make them agree.
 */
char *
lab_blur_default_images (LabCancel  *cancel,
                         GError    **error)
{
  g_autofree char *parent = lab_files_dup_cache_dir ();
  g_autofree char *dir = g_build_filename (parent, "photos", NULL);
  g_autofree char *tmp = g_build_filename (parent, ".photos-XXXXXX", NULL);
  g_autofree char *made = NULL;
  int status = -1;

  if (has_samples (dir))
    return g_steal_pointer (&dir);

  if (lab_files_make_dir (parent, 0755, &made) != 0 || g_mkdtemp (tmp) == NULL)
    {
      int saved = errno;
      g_set_error (error, LAB_ERROR, LAB_ERROR_FAILED, _("Could not make the sample photos: %s"), g_strerror (saved));
    }
  else
    {
      /* With libvips to itself, so that a failure's message is its own. */
      gate_own ();
      vips_error_clear ();
      status = make_samples (tmp, cancel, error);
      gate_disown ();
      if (status == 0)
        install_samples (tmp, dir);
      else
        lab_files_remove_tree (tmp);
    }

  if (status == 1)
    g_set_error_literal (error, LAB_ERROR, LAB_ERROR_CANCELLED, _("Cancelled"));
  if (status != 0)
    lab_files_unmake_dir (parent, made);
  return status == 0 ? g_steal_pointer (&dir) : NULL;
}
