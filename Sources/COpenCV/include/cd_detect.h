// COpenCV, detection half: region proposals, resizing, drawing and encoding of RGB8 buffers.
//
// Same rules as COpenCV.h: thin cd_ entry points over plain buffers, every C++ exception caught
// and returned as a cd_status with a one-line message in a caller-supplied buffer. Pixels are
// always tightly packed 8-bit R,G,B rows, top row first (CLIP's RGBImage layout). Colours are
// given in that same R,G,B order. What to draw where, in which colour, and which boxes to keep is
// decided in Swift; these functions only run the one OpenCV call they are named after.
#ifndef CD_DETECT_H
#define CD_DETECT_H

#include "COpenCV.h"

#ifdef __cplusplus
extern "C" {
#endif

/// An axis-aligned rectangle in pixels: columns x ..< x+width, rows y ..< y+height.
typedef struct cd_rect {
    int32_t x;
    int32_t y;
    int32_t width;
    int32_t height;
} cd_rect;

/// Bytes owned by the shim: release them with cd_buffer_free.
typedef struct cd_buffer {
    uint8_t *data;
    size_t size;
} cd_buffer;

/// Runs OpenCV contrib's ximgproc SelectiveSearchSegmentation on an RGB8 image.
/// `quality` 0 selects switchToSelectiveSearchFast, anything else switchToSelectiveSearchQuality
/// (OpenCV's default k = 150, step 150, sigma = 0.8 in both).
/// On success `*rects` holds `*count` rectangles in OpenCV's output order (its randomised
/// "rank", lower first, exact duplicates removed); free them with cd_rects_free.
/// Deterministic: OpenCV ranks regions with the C library's rand(), so this call seeds it with
/// a fixed value and serialises all selective-search calls of the process behind one lock.
cd_status cd_selective_search(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality,
                              cd_rect **rects, size_t *count, char *message, size_t message_capacity);

/// Releases rectangles returned by cd_selective_search; safe on NULL.
void cd_rects_free(cd_rect *rects);

/// Runs cv::grabCut initialised with `rect` (outside it: background; inside: probably
/// foreground) for `iterations` rounds on an RGB8 image, and writes the result into the
/// caller's `mask` of width * height bytes: 1 where the pixel ends as (probable) foreground,
/// 0 elsewhere. `rect` must lie inside the image with both sides at least 2 pixels; an empty
/// result (all 0) is not an error.
/// Deterministic: grabCut's colour models start from k-means++ drawn with OpenCV's
/// thread-local RNG, which this call seeds with a fixed value first.
cd_status cd_grab_cut(const uint8_t *rgb, int32_t width, int32_t height, cd_rect rect, int32_t iterations,
                      uint8_t *mask, char *message, size_t message_capacity);

/// Resampling filters of cd_resize.
typedef enum cd_interpolation {
    /// cv::INTER_LINEAR: bilinear, for enlarging.
    CD_INTER_LINEAR = 0,
    /// cv::INTER_AREA: pixel-area averaging, the alias-free choice for shrinking.
    CD_INTER_AREA = 1,
} cd_interpolation;

/// Resizes an RGB8 image into the caller's buffer `dst` of dst_width * dst_height * 3 bytes.
cd_status cd_resize(const uint8_t *src, int32_t src_width, int32_t src_height,
                    uint8_t *dst, int32_t dst_width, int32_t dst_height, int32_t interpolation,
                    char *message, size_t message_capacity);

/// Draws the outline of the rectangle with corners (x1, y1) and (x2, y2) (inclusive pixels) in
/// place, `thickness` pixels wide centred on the outline (cv::rectangle, 8-connected lines).
/// Parts outside the image are clipped by OpenCV.
cd_status cd_draw_rectangle(uint8_t *rgb, int32_t width, int32_t height,
                            int32_t x1, int32_t y1, int32_t x2, int32_t y2,
                            uint8_t r, uint8_t g, uint8_t b, int32_t thickness,
                            char *message, size_t message_capacity);

/// Fills the rectangle with corners (x1, y1) and (x2, y2) (inclusive pixels) in place.
cd_status cd_fill_rectangle(uint8_t *rgb, int32_t width, int32_t height,
                            int32_t x1, int32_t y1, int32_t x2, int32_t y2,
                            uint8_t r, uint8_t g, uint8_t b,
                            char *message, size_t message_capacity);

/// Measures `text` (UTF-8; OpenCV's Hershey fonts draw ASCII only, others show as '?') in
/// FONT_HERSHEY_SIMPLEX (cv::getTextSize): the width and height above the baseline, and the
/// descent below it, in pixels.
cd_status cd_text_size(const char *text, double font_scale, int32_t thickness,
                       int32_t *text_width, int32_t *text_height, int32_t *baseline,
                       char *message, size_t message_capacity);

/// Draws `text` in FONT_HERSHEY_SIMPLEX, anti-aliased (LINE_AA), with the left end of its
/// baseline at (x, y), in place (cv::putText). Parts outside the image are clipped.
cd_status cd_draw_text(uint8_t *rgb, int32_t width, int32_t height, const char *text,
                       int32_t x, int32_t y, double font_scale, int32_t thickness,
                       uint8_t r, uint8_t g, uint8_t b,
                       char *message, size_t message_capacity);

/// Encodes an RGB8 image as baseline JPEG (quality 1...100, 4:2:0 as OpenCV defaults) into
/// `*out`; free it with cd_buffer_free.
cd_status cd_encode_jpeg(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality,
                         cd_buffer *out, char *message, size_t message_capacity);

/// Encodes an RGB8 image as an 8-bit RGB PNG (OpenCV's default compression) into `*out`.
cd_status cd_encode_png(const uint8_t *rgb, int32_t width, int32_t height,
                        cd_buffer *out, char *message, size_t message_capacity);

/// Releases bytes returned by a cd_encode function; safe on a zeroed struct.
void cd_buffer_free(cd_buffer *buffer);

#ifdef __cplusplus
}
#endif

#endif
