// Selective search (OpenCV contrib ximgproc) over an RGB8 buffer.
#include "cd_detect.h"
#include "cd_detect_guard.hpp"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc/segmentation.hpp>

namespace {

// OpenCV ranks every region with rand() (selectivesearchsegmentation.cpp, hierarchicalGrouping),
// so the output order depends on the process-wide rand() state. Seeding it right before each
// run, under one lock, makes the same image give the same rectangles in the same order.
std::mutex selective_search_lock;
constexpr unsigned selective_search_seed = 20240531u;

}  // namespace

extern "C" cd_status cd_selective_search(const uint8_t *rgb, int32_t width, int32_t height, int32_t quality,
                                         cd_rect **rects, size_t *count, char *message, size_t message_capacity) {
    if (rects) *rects = nullptr;
    if (count) *count = 0;
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        cd_detail::check_image(rgb, width, height);
        if (!rects || !count) throw cd_detail::bad_argument{"no output for the rectangles"};
        cv::Mat input(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
        // OpenCV's colour-space strategies (BGR2HSV, BGR2Lab) assume BGR input.
        cv::Mat bgr;
        cv::cvtColor(input, bgr, cv::COLOR_RGB2BGR);

        std::vector<cv::Rect> found;
        {
            std::lock_guard<std::mutex> hold(selective_search_lock);
            auto search = cv::ximgproc::segmentation::createSelectiveSearchSegmentation();
            search->setBaseImage(bgr);
            if (quality) {
                search->switchToSelectiveSearchQuality();
            } else {
                search->switchToSelectiveSearchFast();
            }
            std::srand(selective_search_seed);
            search->process(found);
        }

        auto *out = static_cast<cd_rect *>(std::malloc(sizeof(cd_rect) * (found.empty() ? 1 : found.size())));
        if (!out) throw std::bad_alloc();
        for (size_t i = 0; i < found.size(); i++) {
            out[i] = cd_rect{found[i].x, found[i].y, found[i].width, found[i].height};
        }
        *rects = out;
        *count = found.size();
        return CD_OK;
    });
}

extern "C" void cd_rects_free(cd_rect *rects) {
    std::free(rects);
}
