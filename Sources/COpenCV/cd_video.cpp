// Video reading and writing over cv::VideoCapture / cv::VideoWriter (see cd_video.h).
#include "cd_video.h"
#include "cd_detect_guard.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

struct cd_video_reader {
    cv::VideoCapture capture;
    cv::Mat frame;             // BGR, reused across reads
    bool pending = false;      // `frame` holds the first frame, decoded by cd_video_open
    int64_t pending_position = 0;
    int32_t width = 0;
    int32_t height = 0;
};

struct cd_video_writer {
    cv::VideoWriter writer;
    cv::Mat bgr;
    int32_t width = 0;
    int32_t height = 0;
};

namespace {

int64_t position_of(cv::VideoCapture &capture) {
    double p = capture.get(cv::CAP_PROP_POS_FRAMES);
    return std::isfinite(p) ? static_cast<int64_t>(std::llround(p)) : 0;
}

}  // namespace

extern "C" cd_status cd_video_open(const char *path, cd_video_reader **reader, cd_video_info *info,
                                   char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        if (!path || !reader || !info) throw cd_detail::bad_argument{"missing argument"};
        *reader = nullptr;
        std::memset(info, 0, sizeof(*info));
        auto r = new cd_video_reader();
        // Owned by `r` until returned; freed on every failure path, including exceptions.
        struct Guard {
            cd_video_reader *r;
            ~Guard() { delete r; }
        } guard{r};
        // FFmpeg logs every damaged packet on stderr; the Swift side reports damaged frames
        // itself, in one place. OpenCV reads this once, when its FFmpeg backend starts; a value
        // the user set is kept.
        setenv("OPENCV_FFMPEG_LOGLEVEL", "-8", 0);
        bool pattern = std::strchr(path, '%') != nullptr;
        // Files go to FFmpeg only: it is the backend whose behaviour on damaged input the Swift
        // side relies on, and the fallbacks print their own errors for a file they can't take.
        r->capture.open(path, pattern ? cv::CAP_ANY : cv::CAP_FFMPEG);
        if (!r->capture.isOpened()) {
            cd_detail::set_message(message, message_capacity, "no OpenCV video backend can open it");
            return CD_ERR_UNSUPPORTED;
        }
        if (!r->capture.read(r->frame) || r->frame.empty()) {
            cd_detail::set_message(message, message_capacity, "its first frame does not decode");
            return CD_ERR_UNSUPPORTED;
        }
        if (r->frame.type() != CV_8UC3) {
            cd_detail::set_message(message, message_capacity,
                                   "frames are not 8-bit 3-channel (OpenCV type " + std::to_string(r->frame.type()) + ")");
            return CD_ERR_UNSUPPORTED;
        }
        r->pending = true;
        r->pending_position = position_of(r->capture);
        r->width = r->frame.cols;
        r->height = r->frame.rows;
        info->width = r->width;
        info->height = r->height;
        info->fps = r->capture.get(cv::CAP_PROP_FPS);
        double count = r->capture.get(cv::CAP_PROP_FRAME_COUNT);
        info->frame_count = std::isfinite(count) ? static_cast<int64_t>(std::llround(count)) : 0;
        std::snprintf(info->backend, sizeof(info->backend), "%s", r->capture.getBackendName().c_str());
        *reader = r;
        guard.r = nullptr;
        return CD_OK;
    });
}

extern "C" cd_status cd_video_read(cd_video_reader *reader, uint8_t *rgb, size_t capacity, int32_t *got,
                                   int64_t *position, char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        if (!reader || !got || !position) throw cd_detail::bad_argument{"missing argument"};
        *got = 0;
        cd_detail::check_image(rgb, reader->width, reader->height);
        if (capacity < static_cast<size_t>(reader->width) * reader->height * 3) {
            throw cd_detail::bad_argument{"frame buffer too small"};
        }
        if (reader->pending) {
            reader->pending = false;
            *position = reader->pending_position;
        } else {
            try {
                if (!reader->capture.read(reader->frame) || reader->frame.empty()) {
                    *position = position_of(reader->capture);
                    return CD_OK;
                }
            } catch (const cv::Exception &e) {
                // A decoder failure inside one frame: report it, the stream may go on.
                std::string text = e.err.empty() ? std::string("OpenCV error") : e.err;
                cd_detail::set_message(message, message_capacity, "frame does not decode: " + text);
                *position = position_of(reader->capture);
                return CD_ERR_CORRUPT;
            }
            *position = position_of(reader->capture);
        }
        const cv::Mat &f = reader->frame;
        if (f.cols != reader->width || f.rows != reader->height || f.type() != CV_8UC3) {
            cd_detail::set_message(message, message_capacity,
                                   "frame is " + std::to_string(f.cols) + "x" + std::to_string(f.rows) + " (type " +
                                       std::to_string(f.type()) + "), expected " + std::to_string(reader->width) + "x" +
                                       std::to_string(reader->height) + " 8-bit colour");
            return CD_ERR_CORRUPT;
        }
        cv::Mat out(reader->height, reader->width, CV_8UC3, rgb);
        cv::cvtColor(f, out, cv::COLOR_BGR2RGB);
        *got = 1;
        return CD_OK;
    });
}

extern "C" void cd_video_close(cd_video_reader *reader) {
    try {
        delete reader;
    } catch (...) {
        // A backend failing while it shuts down leaves nothing for the caller to act on.
    }
}

extern "C" cd_status cd_video_writer_open(const char *path, const char *fourcc, double fps,
                                          int32_t width, int32_t height, cd_video_writer **writer,
                                          char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        if (!path || !fourcc || !writer) throw cd_detail::bad_argument{"missing argument"};
        *writer = nullptr;
        if (std::strlen(fourcc) != 4) throw cd_detail::bad_argument{"codec \"" + std::string(fourcc) + "\" is not a fourcc"};
        if (!(fps > 0) || !std::isfinite(fps)) throw cd_detail::bad_argument{"frame rate " + std::to_string(fps) + " is not positive"};
        cd_detail::check_image(reinterpret_cast<const void *>(1), width, height);
        auto w = new cd_video_writer();
        struct Guard {
            cd_video_writer *w;
            ~Guard() { delete w; }
        } guard{w};
        int code = cv::VideoWriter::fourcc(fourcc[0], fourcc[1], fourcc[2], fourcc[3]);
        w->writer.open(path, cv::CAP_FFMPEG, code, fps, cv::Size(width, height), true);
        if (!w->writer.isOpened()) {
            cd_detail::set_message(message, message_capacity,
                                   std::string("the FFmpeg backend cannot write codec ") + fourcc + " to this file type");
            return CD_ERR_UNSUPPORTED;
        }
        w->width = width;
        w->height = height;
        w->bgr.create(height, width, CV_8UC3);
        *writer = w;
        guard.w = nullptr;
        return CD_OK;
    });
}

extern "C" cd_status cd_video_write(cd_video_writer *writer, const uint8_t *rgb, int32_t width, int32_t height,
                                    char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        if (!writer) throw cd_detail::bad_argument{"missing writer"};
        cd_detail::check_image(rgb, width, height);
        if (width != writer->width || height != writer->height) {
            throw cd_detail::bad_argument{"frame is " + std::to_string(width) + "x" + std::to_string(height) +
                                          ", the video is " + std::to_string(writer->width) + "x" +
                                          std::to_string(writer->height)};
        }
        cv::Mat in(height, width, CV_8UC3, const_cast<uint8_t *>(rgb));
        cv::cvtColor(in, writer->bgr, cv::COLOR_RGB2BGR);
        writer->writer.write(writer->bgr);
        return CD_OK;
    });
}

extern "C" cd_status cd_video_writer_close(cd_video_writer *writer, char *message, size_t message_capacity) {
    if (!writer) return CD_OK;
    cd_status status = cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        writer->writer.release();
        return CD_OK;
    });
    try {
        delete writer;
    } catch (...) {
    }
    return status;
}
