// Private to the detection half of the shim (cd_detect.h): the one place that turns C++
// failures into a cd_status and a one-line message, so no exception ever unwinds into Swift.
#ifndef CD_DETECT_GUARD_HPP
#define CD_DETECT_GUARD_HPP

#include "COpenCV.h"

#include <cstdint>
#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include <opencv2/core.hpp>

namespace cd_detail {

inline void set_message(char *message, size_t capacity, const std::string &text) {
    if (message && capacity > 0) {
        std::snprintf(message, capacity, "%s", text.c_str());
    }
}

/// Thrown by argument checks inside `body` so they share the single catch site below.
struct bad_argument {
    std::string text;
};

/// Valid RGB8 geometry: positive sides whose byte count fits OpenCV's int-indexed Mat.
inline void check_image(const void *pixels, int32_t width, int32_t height) {
    if (!pixels) throw bad_argument{"no pixel buffer"};
    if (width <= 0 || height <= 0) {
        throw bad_argument{"image size " + std::to_string(width) + "x" + std::to_string(height) + " is empty"};
    }
    if (static_cast<int64_t>(width) * 3 > INT32_MAX || static_cast<int64_t>(width) * height > INT32_MAX / 3) {
        throw bad_argument{"image size " + std::to_string(width) + "x" + std::to_string(height) + " is too large"};
    }
}

/// Runs `body` (which returns cd_status) and maps every exception to a status and message.
template <typename Body>
cd_status guarded(char *message, size_t capacity, Body &&body) {
    try {
        return body();
    } catch (const bad_argument &e) {
        set_message(message, capacity, e.text);
        return CD_ERR_INTERNAL;
    } catch (const cv::Exception &e) {
        // e.what() spans several lines with source locations; the short text is the useful part.
        std::string text = e.err.empty() ? std::string("OpenCV error") : e.err;
        for (char &c : text) {
            if (c == '\n') c = ' ';
        }
        set_message(message, capacity, text);
        return e.code == cv::Error::StsNoMem ? CD_ERR_NO_MEMORY : CD_ERR_INTERNAL;
    } catch (const std::bad_alloc &) {
        set_message(message, capacity, "out of memory");
        return CD_ERR_NO_MEMORY;
    } catch (const std::exception &e) {
        set_message(message, capacity, e.what());
        return CD_ERR_INTERNAL;
    } catch (...) {
        set_message(message, capacity, "unknown C++ exception");
        return CD_ERR_INTERNAL;
    }
}

}  // namespace cd_detail

#endif
