// Outline-font text on RGB8 buffers (cv::freetype) and font discovery (fontconfig).
#include "cd_text.h"
#include "cd_detect_guard.hpp"

#include <fontconfig/fontconfig.h>
#include <fontconfig/fcfreetype.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

struct cd_font {
    cv::Ptr<cv::freetype::FreeType2> face;
    FcCharSet *charset = nullptr;  // null when fontconfig cannot read the file's coverage
    std::mutex lock;

    ~cd_font() {
        if (charset) FcCharSetDestroy(charset);
    }
};

namespace {

/// The code points of UTF-8 `text`; invalid bytes are an argument error.
std::vector<FcChar32> code_points(const char *text) {
    if (!text) throw cd_detail::bad_argument{"no text"};
    std::vector<FcChar32> out;
    const FcChar8 *p = reinterpret_cast<const FcChar8 *>(text);
    int length = static_cast<int>(std::strlen(text));
    while (length > 0) {
        FcChar32 c = 0;
        int used = FcUtf8ToUcs4(p, &c, length);
        if (used <= 0) throw cd_detail::bad_argument{"text is not valid UTF-8"};
        out.push_back(c);
        p += used;
        length -= used;
    }
    return out;
}

/// Characters that need no glyph of their own (controls, spaces, joiners, variation selectors).
bool needs_glyph(FcChar32 c) {
    if (c < 0x21 || (c >= 0x7F && c <= 0xA0)) return false;
    if (c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF) return false;
    if ((c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF)) return false;
    return true;
}

int32_t count_missing(const FcCharSet *charset, const std::vector<FcChar32> &chars) {
    int32_t missing = 0;
    for (FcChar32 c : chars) {
        if (needs_glyph(c) && !FcCharSetHasChar(charset, c)) missing += 1;
    }
    return missing;
}

std::once_flag fc_once;
bool fc_ready = false;

}  // namespace

extern "C" cd_status cd_font_find(const char *text, const char *family, char *path, size_t path_capacity,
                                  int32_t *face_index, int32_t *found, char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        if (!path || path_capacity == 0 || !face_index || !found) throw cd_detail::bad_argument{"missing outputs"};
        *found = 0;
        std::vector<FcChar32> chars = code_points(text);
        std::call_once(fc_once, [] { fc_ready = FcInit() == FcTrue; });
        if (!fc_ready) throw cd_detail::bad_argument{"fontconfig could not load its configuration"};
        std::unique_ptr<FcPattern, decltype(&FcPatternDestroy)> pattern(
            FcNameParse(reinterpret_cast<const FcChar8 *>(family && *family ? family : "sans-serif")), FcPatternDestroy);
        if (!pattern) throw cd_detail::bad_argument{"bad font family name"};
        std::unique_ptr<FcCharSet, decltype(&FcCharSetDestroy)> wanted(FcCharSetCreate(), FcCharSetDestroy);
        for (FcChar32 c : chars) {
            if (needs_glyph(c)) FcCharSetAddChar(wanted.get(), c);
        }
        FcPatternAddCharSet(pattern.get(), FC_CHARSET, wanted.get());
        FcPatternAddBool(pattern.get(), FC_OUTLINE, FcTrue);
        FcConfigSubstitute(nullptr, pattern.get(), FcMatchPattern);
        FcDefaultSubstitute(pattern.get());
        FcResult result = FcResultNoMatch;
        std::unique_ptr<FcFontSet, decltype(&FcFontSetDestroy)> fonts(
            FcFontSort(nullptr, pattern.get(), FcFalse, nullptr, &result), FcFontSetDestroy);
        if (!fonts) return CD_OK;
        // Sorted best match first; take the first outline font that covers every character.
        for (int i = 0; i < fonts->nfont; ++i) {
            FcPattern *font = fonts->fonts[i];
            FcBool outline = FcFalse;
            FcCharSet *charset = nullptr;
            FcChar8 *file = nullptr;
            int index = 0;
            if (FcPatternGetBool(font, FC_OUTLINE, 0, &outline) != FcResultMatch || !outline) continue;
            if (FcPatternGetCharSet(font, FC_CHARSET, 0, &charset) != FcResultMatch) continue;
            if (FcPatternGetString(font, FC_FILE, 0, &file) != FcResultMatch) continue;
            if (FcPatternGetInteger(font, FC_INDEX, 0, &index) != FcResultMatch) index = 0;
            if (count_missing(charset, chars) != 0) continue;
            size_t length = std::strlen(reinterpret_cast<const char *>(file));
            if (length + 1 > path_capacity) return CD_OK;
            std::memcpy(path, file, length + 1);
            *face_index = index & 0xFFFF;  // the high bits name a variable-font instance
            *found = 1;
            return CD_OK;
        }
        return CD_OK;
    });
}

extern "C" cd_status cd_font_open(const char *path, int32_t face_index, cd_font **font,
                                  char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        if (!path || !font) throw cd_detail::bad_argument{"missing path or output"};
        *font = nullptr;
        if (face_index < 0) throw cd_detail::bad_argument{"face index " + std::to_string(face_index) + " is negative"};
        std::call_once(fc_once, [] { fc_ready = FcInit() == FcTrue; });
        auto opened = std::make_unique<cd_font>();
        int faces = 0;
        FcPattern *query = FcFreeTypeQuery(reinterpret_cast<const FcChar8 *>(path), face_index, nullptr, &faces);
        if (!query) {
            cd_detail::set_message(message, message_capacity, "not a font file FreeType can read");
            return CD_ERR_UNSUPPORTED;
        }
        FcCharSet *charset = nullptr;
        if (FcPatternGetCharSet(query, FC_CHARSET, 0, &charset) == FcResultMatch) {
            opened->charset = FcCharSetCopy(charset);
        }
        FcPatternDestroy(query);
        opened->face = cv::freetype::createFreeType2();
        opened->face->loadFontData(std::string(path), face_index);
        *font = opened.release();
        return CD_OK;
    });
}

extern "C" void cd_font_close(cd_font *font) { delete font; }

extern "C" cd_status cd_font_missing(cd_font *font, const char *text, int32_t *missing,
                                     char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        if (!font || !missing) throw cd_detail::bad_argument{"missing font or output"};
        std::vector<FcChar32> chars = code_points(text);
        *missing = font->charset ? count_missing(font->charset, chars) : 0;
        return CD_OK;
    });
}

extern "C" cd_status cd_font_text_size(cd_font *font, const char *text, int32_t pixel_height,
                                       int32_t *left, int32_t *right, int32_t *ascent, int32_t *descent,
                                       char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        if (!font || !text || !left || !right || !ascent || !descent) {
            throw cd_detail::bad_argument{"missing font, text or outputs"};
        }
        if (pixel_height < 1) throw cd_detail::bad_argument{"pixel height " + std::to_string(pixel_height) + " is below 1"};
        *left = *right = *ascent = *descent = 0;
        if (*text == 0) return CD_OK;
        std::lock_guard<std::mutex> guard(font->lock);
        // getTextSize reports an ink box without its left offset, and putText places glyphs by
        // truncated bearings and advances; drawing into a scratch image and taking the box of
        // the inked pixels measures exactly what putText will draw.
        int below = 0;
        const std::string string(text);
        cv::Size estimate = font->face->getTextSize(string, pixel_height, -1, &below);
        const int margin = 2 * pixel_height + 4;
        cv::Mat scratch = cv::Mat::zeros(estimate.height + below + 2 * margin, estimate.width + 2 * margin, CV_8UC3);
        const cv::Point origin(margin, margin + estimate.height);
        font->face->putText(scratch, string, origin, pixel_height, cv::Scalar(255, 255, 255), -1, cv::LINE_AA, true);
        cv::Mat ink;
        cv::extractChannel(scratch, ink, 0);
        cv::Rect box = cv::boundingRect(ink);
        if (box.area() == 0) return CD_OK;  // only spaces
        *left = box.x - origin.x;
        *right = box.x + box.width - origin.x;
        *ascent = origin.y - box.y;
        *descent = box.y + box.height - origin.y;
        return CD_OK;
    });
}

extern "C" cd_status cd_font_draw_text(cd_font *font, uint8_t *rgb, int32_t width, int32_t height, const char *text,
                                       int32_t x, int32_t baseline, int32_t pixel_height,
                                       uint8_t r, uint8_t g, uint8_t b, char *message, size_t message_capacity) {
    return cd_detail::guarded(message, message_capacity, [&]() -> cd_status {
        cd_detail::check_image(rgb, width, height);
        if (!font || !text) throw cd_detail::bad_argument{"missing font or text"};
        if (pixel_height < 1) throw cd_detail::bad_argument{"pixel height " + std::to_string(pixel_height) + " is below 1"};
        if (*text == 0) return CD_OK;
        cv::Mat image(height, width, CV_8UC3, rgb);
        std::lock_guard<std::mutex> guard(font->lock);
        // bottomLeftOrigin = true: `org` is the left end of the baseline (as for cv::putText).
        font->face->putText(image, std::string(text), cv::Point(x, baseline), pixel_height, cv::Scalar(r, g, b),
                            -1, cv::LINE_AA, true);
        return CD_OK;
    });
}
