/*
 * swiftlet.h — the Swiftlet handler ABI for C guests (import module "swiftlet_v1").
 *
 * A handler module exports `swiftlet_handle` (use SWIFTLET_HANDLER) and reads the request
 * and writes the response through the functions below. Full reference: docs/abi.md.
 *
 * Conventions
 *  - Every function returns an int32_t: >= 0 is success (usually a byte count), < 0 is one
 *    of the SWIFTLET_E* codes. The host never traps for a guest's mistake.
 *  - Functions that copy data out take (buf, cap) and return the full length. When the
 *    length is greater than cap nothing is written: call again with a bigger buffer.
 *  - Every pointer/length pair is checked against linear memory: a bad one returns
 *    SWIFTLET_EFAULT and nothing is read or written.
 */
#ifndef SWIFTLET_H
#define SWIFTLET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SWIFTLET_OK 0
#define SWIFTLET_EFAULT (-1)       /* pointer/length outside linear memory */
#define SWIFTLET_ENOTFOUND (-2)    /* no such header, parameter or key */
#define SWIFTLET_EINVAL (-3)       /* malformed argument (bad UTF-8, status, header) */
#define SWIFTLET_ETOOLARGE (-4)    /* a size limit was hit (response body cap) */
#define SWIFTLET_EBADSTATE (-5)    /* not allowed now (header after the response was sent) */
#define SWIFTLET_EDENIED (-6)      /* capability not granted to this component */
#define SWIFTLET_EUNAVAILABLE (-7) /* backend unreachable; retry later */
#define SWIFTLET_ECONFLICT (-8)    /* optimistic concurrency (ETag) check failed */
#define SWIFTLET_ETIMEOUT (-9)     /* the request's deadline has passed */
#define SWIFTLET_EINTERNAL (-10)   /* host failure */

#define SWIFTLET_LOG_TRACE 0
#define SWIFTLET_LOG_DEBUG 1
#define SWIFTLET_LOG_INFO 2
#define SWIFTLET_LOG_WARNING 3
#define SWIFTLET_LOG_ERROR 4

#define SWIFTLET_IMPORT(name) __attribute__((import_module("swiftlet_v1"), import_name(#name)))

/* Request */
SWIFTLET_IMPORT(req_method) int32_t swiftlet_req_method(char *buf, int32_t cap);
SWIFTLET_IMPORT(req_path) int32_t swiftlet_req_path(char *buf, int32_t cap);
SWIFTLET_IMPORT(req_query) int32_t swiftlet_req_query(char *buf, int32_t cap);
/* One header by name (case-insensitive); SWIFTLET_ENOTFOUND when absent. */
SWIFTLET_IMPORT(req_header)
int32_t swiftlet_req_header(const char *name, int32_t name_len, char *buf, int32_t cap);
/* All headers as "name: value\n" lines, names lower-case. */
SWIFTLET_IMPORT(req_headers) int32_t swiftlet_req_headers(char *buf, int32_t cap);
/* A route parameter (`:name`), or "..." for a wildcard route's remainder. */
SWIFTLET_IMPORT(req_param)
int32_t swiftlet_req_param(const char *name, int32_t name_len, char *buf, int32_t cap);
/* Total request body length in bytes. */
SWIFTLET_IMPORT(req_body_len) int32_t swiftlet_req_body_len(void);
/* Reads the next part of the body; returns the bytes read, 0 at the end. */
SWIFTLET_IMPORT(req_body_read) int32_t swiftlet_req_body_read(void *buf, int32_t cap);

/* Response */
SWIFTLET_IMPORT(resp_status) int32_t swiftlet_resp_status(int32_t status);
SWIFTLET_IMPORT(resp_header)
int32_t swiftlet_resp_header(const char *name, int32_t name_len, const char *value, int32_t value_len);
/* Appends to the body; SWIFTLET_ETOOLARGE past the component's max_response_body. */
SWIFTLET_IMPORT(resp_write) int32_t swiftlet_resp_write(const void *buf, int32_t len);
/* Sends status, headers and the body so far; later writes stream as chunks. */
SWIFTLET_IMPORT(resp_flush) int32_t swiftlet_resp_flush(void);

/* Logging, tagged with the request id by the host. */
SWIFTLET_IMPORT(log) int32_t swiftlet_log(int32_t level, const char *msg, int32_t len);

/* Declares `fn` (int32_t fn(void)) as the module's handler. Return 0 for success. */
#define SWIFTLET_HANDLER(fn)                                                                   \
    __attribute__((export_name("swiftlet_handle"))) int32_t swiftlet_handle(void) { return fn(); }

/* Conveniences for NUL-terminated strings. */
static inline size_t swiftlet__strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}
static inline int32_t swiftlet_write_str(const char *s) {
    return swiftlet_resp_write(s, (int32_t)swiftlet__strlen(s));
}
static inline int32_t swiftlet_set_header(const char *name, const char *value) {
    return swiftlet_resp_header(name, (int32_t)swiftlet__strlen(name), value, (int32_t)swiftlet__strlen(value));
}
static inline int32_t swiftlet_get_header(const char *name, char *buf, int32_t cap) {
    return swiftlet_req_header(name, (int32_t)swiftlet__strlen(name), buf, cap);
}
static inline int32_t swiftlet_get_param(const char *name, char *buf, int32_t cap) {
    return swiftlet_req_param(name, (int32_t)swiftlet__strlen(name), buf, cap);
}
static inline int32_t swiftlet_log_str(int32_t level, const char *msg) {
    return swiftlet_log(level, msg, (int32_t)swiftlet__strlen(msg));
}

#ifdef __cplusplus
}
#endif

#endif /* SWIFTLET_H */
