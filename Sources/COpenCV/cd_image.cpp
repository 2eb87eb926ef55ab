// Decoding of every non-JPEG format through OpenCV's imgcodecs. C++ stays inside this file:
// every exception is caught here and turned into a status code and a one-line message.
#include "COpenCV.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

namespace {

void set_message(char *message, size_t capacity, const std::string &text) {
    if (message && capacity > 0) {
        std::snprintf(message, capacity, "%s", text.c_str());
    }
}

// OpenCV reads OPENCV_IO_MAX_IMAGE_PIXELS once, at its first decode: set it before that, and
// take it out of the environment again once that decode has run, so that child processes
// (a caller's small test limit!) never inherit it.
bool pixel_limit_set_here = false;

void set_opencv_pixel_limit_once(uint64_t max_pixels) {
    static std::once_flag once;
    std::call_once(once, [max_pixels] {
        std::string value = std::to_string(max_pixels);
        pixel_limit_set_here = getenv("OPENCV_IO_MAX_IMAGE_PIXELS") == nullptr;
        setenv("OPENCV_IO_MAX_IMAGE_PIXELS", value.c_str(), 0);
    });
}

struct RestorePixelLimitAfterFirstDecode {
    ~RestorePixelLimitAfterFirstDecode() {
        static std::once_flag once;
        std::call_once(once, [] {
            if (pixel_limit_set_here) unsetenv("OPENCV_IO_MAX_IMAGE_PIXELS");
        });
    }
};

}  // namespace

extern "C" cd_status cd_image_decode(const uint8_t *bytes, size_t count, uint64_t max_pixels,
                                     cd_image *out, char *message, size_t message_capacity) {
    std::memset(out, 0, sizeof(*out));
    try {
        set_opencv_pixel_limit_once(max_pixels);
        if (count == 0) {
            set_message(message, message_capacity, "no bytes to decode");
            return CD_ERR_CORRUPT;
        }
        if (count > static_cast<size_t>(INT32_MAX)) {
            set_message(message, message_capacity, "files over 2 GiB are not supported");
            return CD_ERR_UNSUPPORTED;
        }
        // imdecode only reads the buffer; the const_cast avoids a copy of the whole file.
        cv::Mat raw(1, static_cast<int>(count), CV_8UC1, const_cast<uint8_t *>(bytes));
        cv::Mat image;
        {
            RestorePixelLimitAfterFirstDecode restore;
            image = cv::imdecode(raw, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
        }
        if (image.empty()) {
            set_message(message, message_capacity, "OpenCV could not decode the data");
            return CD_ERR_CORRUPT;
        }
        if (image.dims != 2) {
            set_message(message, message_capacity, "decoded data is not a 2-D image");
            return CD_ERR_UNSUPPORTED;
        }
        int depth = image.depth();
        if (depth != CV_8U && depth != CV_16U) {
            set_message(message, message_capacity,
                        "pixel type " + cv::typeToString(image.type()) + " is not 8- or 16-bit unsigned");
            return CD_ERR_UNSUPPORTED;
        }
        int channels = image.channels();
        if (channels < 1 || channels > 4) {
            set_message(message, message_capacity, std::to_string(channels) + " channels are not supported");
            return CD_ERR_UNSUPPORTED;
        }
        uint64_t pixels = static_cast<uint64_t>(image.rows) * static_cast<uint64_t>(image.cols);
        if (pixels > max_pixels) {
            set_message(message, message_capacity,
                        "image is " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                            " pixels, more than the limit of " + std::to_string(max_pixels));
            return CD_ERR_TOO_LARGE;
        }
        size_t row_bytes = static_cast<size_t>(image.cols) * image.elemSize();
        size_t total = row_bytes * static_cast<size_t>(image.rows);
        auto *data = static_cast<uint8_t *>(std::malloc(total > 0 ? total : 1));
        if (!data) {
            set_message(message, message_capacity, "out of memory");
            return CD_ERR_NO_MEMORY;
        }
        for (int y = 0; y < image.rows; y++) {
            std::memcpy(data + row_bytes * static_cast<size_t>(y), image.ptr(y), row_bytes);
        }
        out->width = image.cols;
        out->height = image.rows;
        out->channels = channels;
        out->bytes_per_sample = depth == CV_8U ? 1 : 2;
        out->order = CD_ORDER_BGR;
        out->adobe_marker = 0;
        out->data = data;
        out->size = total;
        return CD_OK;
    } catch (const cv::Exception &e) {
        // e.what() spans several lines; the short error text is enough for one line.
        std::string text = e.err.empty() ? std::string("OpenCV error") : e.err;
        for (char &c : text) {
            if (c == '\n') c = ' ';
        }
        set_message(message, message_capacity, text);
        return e.code == cv::Error::StsNoMem ? CD_ERR_NO_MEMORY : CD_ERR_CORRUPT;
    } catch (const std::bad_alloc &) {
        set_message(message, message_capacity, "out of memory");
        return CD_ERR_NO_MEMORY;
    } catch (const std::exception &e) {
        set_message(message, message_capacity, e.what());
        return CD_ERR_INTERNAL;
    } catch (...) {
        set_message(message, message_capacity, "unknown C++ exception");
        return CD_ERR_INTERNAL;
    }
}

extern "C" void cd_image_free(cd_image *image) {
    if (image) {
        std::free(image->data);
        image->data = nullptr;
        image->size = 0;
    }
}
