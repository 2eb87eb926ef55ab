// Drawing primitives on RGB8 buffers, in place. The colour is passed through unchanged, so it
// lands in the buffer's own R,G,B order.
#include "cd_detect.h"
#include "cd_detect_guard.hpp"

#include <string>

#include <opencv2/imgproc.hpp>

namespace {

cv::Mat wrap(uint8_t *rgb, int32_t width, int32_t height) {
    cd_detail::check_image(rgb, width, height);
    return cv::Mat(height, width, CV_8UC3, rgb);
}

}  // namespace

extern "C" cd_status cd_draw_rectangle(uint8_t *rgb, int32_t width, int32_t height,
                                       int32_t x1, int32_t y1, int32_t x2, int32_t y2,
                                       uint8_t r, uint8_t g, uint8_t b, int32_t thickness,
                                       char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        cv::Mat image = wrap(rgb, width, height);
        if (thickness < 1) throw cd_detail::bad_argument{"line thickness " + std::to_string(thickness) + " is below 1"};
        cv::rectangle(image, cv::Point(x1, y1), cv::Point(x2, y2), cv::Scalar(r, g, b), thickness, cv::LINE_8);
        return CD_OK;
    });
}

extern "C" cd_status cd_fill_rectangle(uint8_t *rgb, int32_t width, int32_t height,
                                       int32_t x1, int32_t y1, int32_t x2, int32_t y2,
                                       uint8_t r, uint8_t g, uint8_t b,
                                       char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        cv::Mat image = wrap(rgb, width, height);
        cv::rectangle(image, cv::Point(x1, y1), cv::Point(x2, y2), cv::Scalar(r, g, b), cv::FILLED, cv::LINE_8);
        return CD_OK;
    });
}

extern "C" cd_status cd_text_size(const char *text, double font_scale, int32_t thickness,
                                  int32_t *text_width, int32_t *text_height, int32_t *baseline,
                                  char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        if (!text || !text_width || !text_height || !baseline) throw cd_detail::bad_argument{"missing text or outputs"};
        int base = 0;
        cv::Size size = cv::getTextSize(std::string(text), cv::FONT_HERSHEY_SIMPLEX, font_scale, thickness, &base);
        *text_width = size.width;
        *text_height = size.height;
        *baseline = base;
        return CD_OK;
    });
}

extern "C" cd_status cd_draw_text(uint8_t *rgb, int32_t width, int32_t height, const char *text,
                                  int32_t x, int32_t y, double font_scale, int32_t thickness,
                                  uint8_t r, uint8_t g, uint8_t b,
                                  char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        cv::Mat image = wrap(rgb, width, height);
        if (!text) throw cd_detail::bad_argument{"no text"};
        cv::putText(image, std::string(text), cv::Point(x, y), cv::FONT_HERSHEY_SIMPLEX, font_scale,
                    cv::Scalar(r, g, b), thickness, cv::LINE_AA);
        return CD_OK;
    });
}
