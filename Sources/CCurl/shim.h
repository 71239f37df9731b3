#ifndef VELOCITY_CCURL_SHIM_H
#define VELOCITY_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic: Swift cannot call them, so each
// argument type gets a typed wrapper.
static inline CURLcode velocity_curl_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode velocity_curl_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode velocity_curl_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode velocity_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode velocity_curl_setopt_offset(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
typedef size_t (*velocity_curl_data_callback)(char *, size_t, size_t, void *);
static inline CURLcode velocity_curl_setopt_data_callback(CURL *h, CURLoption o, velocity_curl_data_callback v) {
    return curl_easy_setopt(h, o, v);
}
typedef int (*velocity_curl_xferinfo_callback)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
static inline CURLcode velocity_curl_setopt_xferinfo_callback(CURL *h, CURLoption o, velocity_curl_xferinfo_callback v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode velocity_curl_getinfo_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode velocity_curl_getinfo_offset(CURL *h, CURLINFO i, curl_off_t *v) {
    return curl_easy_getinfo(h, i, v);
}
static inline CURLcode velocity_curl_getinfo_double(CURL *h, CURLINFO i, double *v) {
    return curl_easy_getinfo(h, i, v);
}
/// CURLVERSION_NOW is a macro alias Swift cannot import.
static inline curl_version_info_data *velocity_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}
/// CURLOPT_MIMEPOST takes a curl_mime, an opaque struct Swift sees as OpaquePointer.
static inline CURLcode velocity_curl_setopt_mime(CURL *h, CURLoption o, curl_mime *v) {
    return curl_easy_setopt(h, o, v);
}
/// CURL_GLOBAL_ALL is a macro expression; one call before any thread uses libcurl.
static inline CURLcode velocity_curl_global_init_all(void) {
    return curl_global_init(CURL_GLOBAL_ALL);
}
#endif
