// COpenCV, text half: outline fonts for labels in any script.
//
// Glyphs are rendered by OpenCV contrib's freetype module (FreeType outlines; HarfBuzz picks the
// glyphs, so Arabic comes out joined and right to left, but glyphs advance by FreeType's
// advances) and fonts are found through fontconfig. Same rules as COpenCV.h: thin cd_ entry points, plain buffers, every C++ exception
// caught and returned as a cd_status with a one-line message. Text is UTF-8; pixels are tightly
// packed R,G,B rows, top row first; colours are given in that same order. Which font to use for
// which text, at which size, is decided in Swift.
#ifndef CD_TEXT_H
#define CD_TEXT_H

#include "COpenCV.h"

#ifdef __cplusplus
extern "C" {
#endif

/// An open font face (cv::freetype::FreeType2 plus the face's character set); close it with
/// cd_font_close. Calls on one font are serialised by a lock inside, so it may be shared.
typedef struct cd_font cd_font;

/// Asks fontconfig for the best-matching font of `family` (e.g. "sans-serif") that has a glyph
/// for every character of `text`. On success `*found` is 1 and `path` / `*face_index` name the
/// file and the face inside it (.ttc collections hold several), or `*found` is 0 when no
/// installed outline font covers the text (or the path does not fit in `path_capacity`).
cd_status cd_font_find(const char *text, const char *family, char *path, size_t path_capacity,
                       int32_t *face_index, int32_t *found, char *message, size_t message_capacity);

/// Opens face `face_index` of the font file at `path` (TrueType, OpenType, .ttc, ...).
/// Fails with CD_ERR_UNSUPPORTED when the file is not a font FreeType can read.
cd_status cd_font_open(const char *path, int32_t face_index, cd_font **font,
                       char *message, size_t message_capacity);

/// Closes a font; safe on NULL.
void cd_font_close(cd_font *font);

/// Counts the characters of `text` the font has no glyph for (into `*missing`).
cd_status cd_font_missing(cd_font *font, const char *text, int32_t *missing,
                          char *message, size_t message_capacity);

/// Measures the ink of `text` drawn `pixel_height` pixels per em with the left end of its
/// baseline at the origin: its inked pixels span columns `left ..< right` and rows
/// `-ascent ..< descent` (y down). Empty text or only spaces measure all zeros.
cd_status cd_font_text_size(cd_font *font, const char *text, int32_t pixel_height,
                            int32_t *left, int32_t *right, int32_t *ascent, int32_t *descent,
                            char *message, size_t message_capacity);

/// Draws `text` anti-aliased, `pixel_height` pixels per em, with the left end of its baseline
/// at (x, baseline), in place. Parts outside the image are clipped.
cd_status cd_font_draw_text(cd_font *font, uint8_t *rgb, int32_t width, int32_t height, const char *text,
                            int32_t x, int32_t baseline, int32_t pixel_height,
                            uint8_t r, uint8_t g, uint8_t b, char *message, size_t message_capacity);

#ifdef __cplusplus
}
#endif

#endif
