// COpenCV: the project's only door to OpenCV and libjpeg.
//
// Why this shim exists: Swift cannot call C++ APIs such as cv::Mat or catch C++ exceptions,
// and libjpeg reports fatal errors through longjmp, which must never cross a Swift frame.
// Every function here is a thin, prefixed (cd_) C entry point over plain structs and buffers:
// it catches every exception / longjmp inside and returns a status code plus a one-line message
// in a caller-supplied buffer. All policy (pixel formats, limits, orientation, colour rules)
// lives in Swift; the shim only moves bytes.
#ifndef COPENCV_H
#define COPENCV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes returned by every cd_ function.
typedef enum cd_status {
    CD_OK = 0,
    /// The bytes are damaged or truncated (message says how).
    CD_ERR_CORRUPT = 1,
    /// The bytes are not in a format this build can decode.
    CD_ERR_UNSUPPORTED = 2,
    /// The image is larger than the caller's pixel limit.
    CD_ERR_TOO_LARGE = 3,
    /// Allocation failed.
    CD_ERR_NO_MEMORY = 4,
    /// Any other failure inside OpenCV or libjpeg.
    CD_ERR_INTERNAL = 5,
} cd_status;

/// Order of the colour samples of a decoded pixel.
typedef enum cd_channel_order {
    /// 1 channel: grey; 3: R,G,B; 4: R,G,B,A.
    CD_ORDER_RGB = 0,
    /// 3 channels: B,G,R; 4: B,G,R,A (OpenCV's convention).
    CD_ORDER_BGR = 1,
    /// 4 channels: C,M,Y,K as stored in the file (Adobe files store them inverted).
    CD_ORDER_CMYK = 2,
} cd_channel_order;

/// A decoded raster owned by the shim: release it with cd_image_free.
/// Samples are tightly packed rows, top row first: `width * channels * bytes_per_sample`
/// bytes per row; 2-byte samples are in native byte order.
typedef struct cd_image {
    int32_t width;
    int32_t height;
    int32_t channels;          ///< 1, 2 (grey+alpha), 3 or 4
    int32_t bytes_per_sample;  ///< 1 or 2
    int32_t order;             ///< a cd_channel_order
    int32_t adobe_marker;      ///< JPEG only: 1 when the file carried an Adobe APP14 marker
    uint8_t *data;
    size_t size;               ///< bytes in data
} cd_image;

/// Decodes a JPEG with libjpeg(-turbo) at its defaults (islow IDCT, fancy upsampling) into
/// RGB (3 channels), grey (1) or CMYK (4, raw). Truncated or corrupt entropy data is an error
/// (libjpeg itself only warns). Fails with CD_ERR_TOO_LARGE when width*height > max_pixels.
cd_status cd_jpeg_decode(const uint8_t *bytes, size_t count, uint64_t max_pixels,
                         cd_image *out, char *message, size_t message_capacity);

/// Decodes any format OpenCV's imgcodecs reads (PNG, BMP, TIFF, WebP, ...) with
/// IMREAD_UNCHANGED | IMREAD_IGNORE_ORIENTATION: raw channel count and bit depth, BGR order.
/// 8- and 16-bit unsigned samples only; anything else is CD_ERR_UNSUPPORTED.
/// On first use also sets OPENCV_IO_MAX_IMAGE_PIXELS to max_pixels (OpenCV reads it once).
cd_status cd_image_decode(const uint8_t *bytes, size_t count, uint64_t max_pixels,
                          cd_image *out, char *message, size_t message_capacity);

/// Releases the pixels of an image filled by a cd_ decode function; safe on a zeroed struct.
void cd_image_free(cd_image *image);

#ifdef __cplusplus
}
#endif

#endif
