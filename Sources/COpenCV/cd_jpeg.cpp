// JPEG decoding straight through libjpeg(-turbo), the library Pillow uses, so pixels match
// PIL's, and so that truncated or corrupt files are caught: libjpeg only *warns* on premature
// end of data and pads the image with grey, which would silently feed garbage to the model.
// libjpeg's error exits longjmp: this file stays plain C in style (no object with a destructor
// lives in a frame the jump crosses) even though it compiles as C++ with the rest of the shim.
#include "COpenCV.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

typedef struct cd_jpeg_error {
    struct jpeg_error_mgr base;
    jmp_buf escape;
    int fatal_warning;  // first warning that means damaged data, else 0
    char warning_text[JMSG_LENGTH_MAX];
} cd_jpeg_error;

static void cd_jpeg_error_exit(j_common_ptr cinfo) {
    cd_jpeg_error *err = (cd_jpeg_error *)cinfo->err;
    longjmp(err->escape, 1);
}

// Warnings that mean pixels were invented (missing or undecodable entropy data).
static int cd_jpeg_warning_is_damage(int code) {
    switch (code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION:
        return 1;
    default:
        return 0;
    }
}

static void cd_jpeg_emit_message(j_common_ptr cinfo, int level) {
    cd_jpeg_error *err = (cd_jpeg_error *)cinfo->err;
    if (level >= 0) {
        return;  // trace messages
    }
    err->base.num_warnings++;
    if (!err->fatal_warning && cd_jpeg_warning_is_damage(err->base.msg_code)) {
        err->fatal_warning = err->base.msg_code;
        err->base.format_message(cinfo, err->warning_text);
    }
}

static void cd_set_message(char *message, size_t capacity, const char *text) {
    if (message && capacity > 0) {
        snprintf(message, capacity, "%s", text);
    }
}

cd_status cd_jpeg_decode(const uint8_t *bytes, size_t count, uint64_t max_pixels,
                         cd_image *out, char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    cd_jpeg_error err;
    // volatile: read after longjmp.
    uint8_t *volatile pixels = NULL;
    volatile cd_status status = CD_OK;

    memset(out, 0, sizeof(*out));
    memset(&err, 0, sizeof(err));
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = cd_jpeg_error_exit;
    err.base.emit_message = cd_jpeg_emit_message;

    if (setjmp(err.escape)) {
        char text[JMSG_LENGTH_MAX];
        err.base.format_message((j_common_ptr)&cinfo, text);
        cd_set_message(message, message_capacity, text);
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        if (err.base.msg_code == JERR_OUT_OF_MEMORY) {
            return CD_ERR_NO_MEMORY;
        }
        return status == CD_OK ? CD_ERR_CORRUPT : status;
    }

    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, bytes, (unsigned long)count);
    jpeg_read_header(&cinfo, TRUE);

    if ((uint64_t)cinfo.image_width * (uint64_t)cinfo.image_height > max_pixels) {
        char text[160];
        snprintf(text, sizeof(text), "image is %ux%u pixels, more than the limit of %llu",
                 cinfo.image_width, cinfo.image_height, (unsigned long long)max_pixels);
        cd_set_message(message, message_capacity, text);
        jpeg_destroy_decompress(&cinfo);
        return CD_ERR_TOO_LARGE;
    }

    int32_t order = CD_ORDER_RGB;
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo.out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo.out_color_space = JCS_CMYK;
        order = CD_ORDER_CMYK;
        break;
    default:
        cinfo.out_color_space = JCS_RGB;
        break;
    }

    jpeg_start_decompress(&cinfo);
    size_t row_bytes = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    size_t total = row_bytes * (size_t)cinfo.output_height;
    pixels = (uint8_t *)malloc(total > 0 ? total : 1);
    if (!pixels) {
        status = CD_ERR_NO_MEMORY;
        ERREXIT(&cinfo, JERR_OUT_OF_MEMORY);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + row_bytes * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);

    if (err.fatal_warning) {
        cd_set_message(message, message_capacity, err.warning_text);
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        return CD_ERR_CORRUPT;
    }

    out->width = (int32_t)cinfo.output_width;
    out->height = (int32_t)cinfo.output_height;
    out->channels = (int32_t)cinfo.output_components;
    out->bytes_per_sample = 1;
    out->order = order;
    out->adobe_marker = cinfo.saw_Adobe_marker ? 1 : 0;
    out->data = pixels;
    out->size = total;
    jpeg_destroy_decompress(&cinfo);
    return CD_OK;
}
