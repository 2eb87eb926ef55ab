// Resizing of RGB8 buffers with OpenCV's resize (the caller owns both buffers).
#include "cd_detect.h"
#include "cd_detect_guard.hpp"

#include <opencv2/imgproc.hpp>

extern "C" cd_status cd_resize(const uint8_t *src, int32_t src_width, int32_t src_height,
                               uint8_t *dst, int32_t dst_width, int32_t dst_height, int32_t interpolation,
                               char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        cd_detail::check_image(src, src_width, src_height);
        cd_detail::check_image(dst, dst_width, dst_height);
        int flag;
        switch (interpolation) {
            case CD_INTER_LINEAR: flag = cv::INTER_LINEAR; break;
            case CD_INTER_AREA: flag = cv::INTER_AREA; break;
            default: throw cd_detail::bad_argument{"unknown interpolation " + std::to_string(interpolation)};
        }
        cv::Mat from(src_height, src_width, CV_8UC3, const_cast<uint8_t *>(src));
        cv::Mat to(dst_height, dst_width, CV_8UC3, dst);
        // resize writes into `to` in place because its size and type already match.
        cv::resize(from, to, to.size(), 0, 0, flag);
        return CD_OK;
    });
}
