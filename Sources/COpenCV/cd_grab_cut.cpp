// GrabCut foreground segmentation (OpenCV imgproc) of an RGB8 buffer, initialised by a rectangle.
#include "cd_detect.h"
#include "cd_detect_guard.hpp"

#include <string>

#include <opencv2/imgproc.hpp>

namespace {

// grabCut seeds its two colour models with k-means++ (cv::kmeans, KMEANS_PP_CENTERS) drawn from
// cv::theRNG(), whose per-thread state otherwise carries over from earlier calls.
constexpr uint64_t grab_cut_seed = 0x5eed12ULL;

}  // namespace

extern "C" cd_status cd_grab_cut(const uint8_t *rgb, int32_t width, int32_t height, cd_rect rect, int32_t iterations,
                                 uint8_t *mask, char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        cd_detail::check_image(rgb, width, height);
        if (!mask) throw cd_detail::bad_argument{"no output for the mask"};
        if (iterations < 1 || iterations > 100) {
            throw cd_detail::bad_argument{"grabCut iterations " + std::to_string(iterations) + " not in 1...100"};
        }
        if (rect.width < 2 || rect.height < 2 || rect.x < 0 || rect.y < 0 ||
            static_cast<int64_t>(rect.x) + rect.width > width || static_cast<int64_t>(rect.y) + rect.height > height) {
            throw cd_detail::bad_argument{"grabCut rectangle is not inside the " + std::to_string(width) + "x" +
                                          std::to_string(height) + " image"};
        }
        cv::Mat input(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
        cv::Mat bgr;
        cv::cvtColor(input, bgr, cv::COLOR_RGB2BGR);
        cv::Mat labels(height, width, CV_8UC1, cv::Scalar(cv::GC_BGD));
        cv::Mat background, foreground;
        cv::theRNG().state = grab_cut_seed;
        cv::grabCut(bgr, labels, cv::Rect(rect.x, rect.y, rect.width, rect.height), background, foreground,
                    iterations, cv::GC_INIT_WITH_RECT);
        cv::Mat out(height, width, CV_8UC1, mask);
        // GC_FGD = 1, GC_PR_FGD = 3: the labels with bit 0 set.
        cv::bitwise_and(labels, cv::Scalar(1), out);
        return CD_OK;
    });
}
