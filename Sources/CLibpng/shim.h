#ifndef VELOCITY_CLIBPNG_SHIM_H
#define VELOCITY_CLIBPNG_SHIM_H
// Only libpng's simplified png_image_* API is used: it reports errors through the image's
// message field, so no setjmp/longjmp crosses Swift frames.
#include <png.h>

static inline int velocity_png_image_failed(const png_image *image) {
    return PNG_IMAGE_FAILED(*image);
}
static inline size_t velocity_png_image_size(const png_image *image) {
    return PNG_IMAGE_SIZE(*image);
}
static inline size_t velocity_png_image_row_stride(const png_image *image) {
    return PNG_IMAGE_ROW_STRIDE(*image);
}
// Format macros built from flags, which Swift cannot import.
static const png_uint_32 velocity_png_format_rgba = PNG_FORMAT_RGBA;
static const png_uint_32 velocity_png_format_rgb = PNG_FORMAT_RGB;
static const png_uint_32 velocity_png_format_gray = PNG_FORMAT_GRAY;
#endif
