// COpenCV, video half: reading frames from video files and image sequences, writing videos.
//
// Same rules as COpenCV.h: thin cd_ entry points, every C++ exception caught and returned as a
// cd_status with a one-line message in a caller-supplied buffer. Frames cross the boundary as
// tightly packed 8-bit R,G,B rows, top row first (CLIP's RGBImage layout); the BGR↔RGB swap
// OpenCV needs happens in here. Which frames to process, what to draw and which codec to pick
// for an output name are decided in Swift.
#ifndef CD_VIDEO_H
#define CD_VIDEO_H

#include "COpenCV.h"

#ifdef __cplusplus
extern "C" {
#endif

/// An open video source (cv::VideoCapture); close it with cd_video_close.
typedef struct cd_video_reader cd_video_reader;

/// An open video sink (cv::VideoWriter); finish it with cd_video_writer_close.
typedef struct cd_video_writer cd_video_writer;

/// What the container says about a source. Any field may be unknown to the backend.
typedef struct cd_video_info {
    int32_t width;        ///< of the first decoded frame (always known once opened)
    int32_t height;
    double fps;           ///< ≤ 0 or NaN when unknown (image sequences)
    int64_t frame_count;  ///< ≤ 0 when unknown; an estimate for some containers
    char backend[32];     ///< OpenCV's backend name, e.g. "FFMPEG" or "CV_IMAGES"
} cd_video_info;

/// Opens `path` (a video file, or an image-sequence pattern such as "frames/%05d.png") and
/// decodes its first frame to learn the frame size; that frame is returned by the first
/// cd_video_read. Files go to the FFmpeg backend, patterns (paths containing '%') to any
/// backend that takes them. CD_ERR_UNSUPPORTED when no backend can open the source or its
/// first frame does not decode. Sets OPENCV_FFMPEG_LOGLEVEL to quiet (-8) unless already set,
/// so FFmpeg does not print its own line for every damaged packet.
cd_status cd_video_open(const char *path, cd_video_reader **reader, cd_video_info *info,
                        char *message, size_t message_capacity);

/// Reads the next frame into `rgb` (capacity ≥ width * height * 3 bytes, the size from
/// cd_video_open) and sets `*got` to 1, and `*position` to the source's own index of the
/// frame after it (CAP_PROP_POS_FRAMES; with FFmpeg it counts decoded frames only).
/// Otherwise returns CD_OK with `*got` = 0: the FFmpeg backend answers so both at the end of
/// the stream and for one packet that does not decode (the next read then goes on with the
/// following frame), so the caller tells the two apart by reading on. A frame that was read
/// but cannot be converted (wrong size, decoder exception) returns CD_ERR_CORRUPT.
cd_status cd_video_read(cd_video_reader *reader, uint8_t *rgb, size_t capacity, int32_t *got,
                        int64_t *position, char *message, size_t message_capacity);

/// Releases a reader; safe on NULL.
void cd_video_close(cd_video_reader *reader);

/// Creates `path` with the FFmpeg backend, codec `fourcc` (4 characters, e.g. "mp4v", "MJPG";
/// the container comes from the file extension), `fps` frames per second and frames of
/// width × height. CD_ERR_UNSUPPORTED when the backend refuses the combination.
cd_status cd_video_writer_open(const char *path, const char *fourcc, double fps,
                               int32_t width, int32_t height, cd_video_writer **writer,
                               char *message, size_t message_capacity);

/// Appends one RGB8 frame of the writer's size.
cd_status cd_video_write(cd_video_writer *writer, const uint8_t *rgb, int32_t width, int32_t height,
                         char *message, size_t message_capacity);

/// Finishes the file (writes the container's index: without it most players reject the file)
/// and releases the writer; safe on NULL.
cd_status cd_video_writer_close(cd_video_writer *writer, char *message, size_t message_capacity);

#ifdef __cplusplus
}
#endif

#endif
