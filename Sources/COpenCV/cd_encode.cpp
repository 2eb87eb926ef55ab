// In-memory JPEG/PNG encoding of RGB8 buffers through OpenCV's imgcodecs.
#include "cd_detect.h"
#include "cd_detect_guard.hpp"

#include <cstdlib>
#include <cstring>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace {

cd_status encode(const uint8_t *rgb, int32_t width, int32_t height, const char *extension,
                 const std::vector<int> &params, cd_buffer *out) {
    cd_detail::check_image(rgb, width, height);
    if (!out) throw cd_detail::bad_argument{"no output buffer"};
    cv::Mat input(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
    // imencode expects OpenCV's BGR order.
    cv::Mat bgr;
    cv::cvtColor(input, bgr, cv::COLOR_RGB2BGR);
    std::vector<uint8_t> bytes;
    if (!cv::imencode(extension, bgr, bytes, params) || bytes.empty()) {
        throw cd_detail::bad_argument{std::string("OpenCV could not encode the image as ") + (extension + 1)};
    }
    auto *data = static_cast<uint8_t *>(std::malloc(bytes.size()));
    if (!data) throw std::bad_alloc();
    std::memcpy(data, bytes.data(), bytes.size());
    out->data = data;
    out->size = bytes.size();
    return CD_OK;
}

}  // namespace

extern "C" cd_status cd_encode_jpeg(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality,
                                    cd_buffer *out, char *message, size_t message_capacity) {
    if (out) *out = cd_buffer{nullptr, 0};
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        if (quality < 1 || quality > 100) {
            throw cd_detail::bad_argument{"JPEG quality " + std::to_string(quality) + " is outside 1...100"};
        }
        return encode(rgb, width, height, ".jpg", {cv::IMWRITE_JPEG_QUALITY, quality}, out);
    });
}

extern "C" cd_status cd_encode_png(const uint8_t *rgb, int32_t width, int32_t height,
                                   cd_buffer *out, char *message, size_t message_capacity) {
    if (out) *out = cd_buffer{nullptr, 0};
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        return encode(rgb, width, height, ".png", {}, out);
    });
}

extern "C" void cd_buffer_free(cd_buffer *buffer) {
    if (buffer) {
        std::free(buffer->data);
        buffer->data = nullptr;
        buffer->size = 0;
    }
}
