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
#define SWIFTLET_ELOOP (-11)       /* service invocation nested too deep (a cycle) */

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

/*
 * Results. Calls that return data (state_get, secret_get, config_get, binding_invoke,
 * http_send, invoke, state_get_bulk) also keep it as "the last result": read it again with
 * result_read (e.g. after a too-small buffer) and its fields with result_meta ("etag",
 * "version", response header names, ...).
 */
SWIFTLET_IMPORT(result_read) int32_t swiftlet_result_read(void *buf, int32_t cap);
SWIFTLET_IMPORT(result_meta)
int32_t swiftlet_result_meta(const char *name, int32_t name_len, char *buf, int32_t cap);

/*
 * State. The store must be listed in the component's `uses`. Keys are namespaced per app.
 * ETags are decimal versions; pass etag_len 0 for none. SWIFTLET_ECONFLICT means the ETag
 * did not match (or, with SWIFTLET_FIRST_WRITE and no ETag, the key exists): read and retry.
 */
#define SWIFTLET_FIRST_WRITE 1
SWIFTLET_IMPORT(state_get)
int32_t swiftlet_state_get(const char *store, int32_t store_len, const char *key, int32_t key_len, void *buf, int32_t cap);
SWIFTLET_IMPORT(state_set)
int32_t swiftlet_state_set(const char *store, int32_t store_len, const char *key, int32_t key_len, const void *value,
                           int32_t value_len, const char *etag, int32_t etag_len, int32_t flags, int32_t ttl_seconds);
SWIFTLET_IMPORT(state_delete)
int32_t swiftlet_state_delete(const char *store, int32_t store_len, const char *key, int32_t key_len, const char *etag,
                              int32_t etag_len, int32_t flags);
/* keys: frames of (u32 length, bytes). Result: per key (u32 len, key, i32 len or -1, value, u32 len, etag). */
SWIFTLET_IMPORT(state_get_bulk)
int32_t swiftlet_state_get_bulk(const char *store, int32_t store_len, const void *keys, int32_t keys_len, void *buf,
                                int32_t cap);
/* ops: per operation u8 kind (1 upsert, 2 delete), u32+key, u32+value, u32+etag, u8 flags, i32 ttl. All or nothing. */
SWIFTLET_IMPORT(state_transact)
int32_t swiftlet_state_transact(const char *store, int32_t store_len, const void *ops, int32_t ops_len);

/* Pub/sub: data is wrapped in a CloudEvent (content_type "application/cloudevents+json" means it is one). */
SWIFTLET_IMPORT(publish)
int32_t swiftlet_publish(const char *pubsub, int32_t pubsub_len, const char *topic, int32_t topic_len, const void *data,
                         int32_t data_len, const char *content_type, int32_t content_type_len);

/* publish with the publish API's metadata as "name: value\n" lines ("rawPayload: true" sends
 * data without an envelope). */
SWIFTLET_IMPORT(publish_meta)
int32_t swiftlet_publish_meta(const char *pubsub, int32_t pubsub_len, const char *topic, int32_t topic_len,
                              const void *data, int32_t data_len, const char *content_type, int32_t content_type_len,
                              const char *metadata, int32_t metadata_len);

/* Secrets and configuration. */
SWIFTLET_IMPORT(secret_get)
int32_t swiftlet_secret_get(const char *store, int32_t store_len, const char *name, int32_t name_len, char *buf, int32_t cap);
SWIFTLET_IMPORT(config_get)
int32_t swiftlet_config_get(const char *store, int32_t store_len, const char *key, int32_t key_len, char *buf, int32_t cap);

/* Output bindings; metadata as "name: value\n" lines. Returns the response data length. */
SWIFTLET_IMPORT(binding_invoke)
int32_t swiftlet_binding_invoke(const char *name, int32_t name_len, const char *operation, int32_t operation_len,
                                const void *data, int32_t data_len, const char *metadata, int32_t metadata_len, void *buf,
                                int32_t cap);

/* Outbound HTTP (allowed_outbound_hosts only) and service invocation. Both return the
 * response status; the body is the last result, headers are its metadata. */
SWIFTLET_IMPORT(http_send)
int32_t swiftlet_http_send(const char *method, int32_t method_len, const char *url, int32_t url_len, const char *headers,
                           int32_t headers_len, const void *body, int32_t body_len);
SWIFTLET_IMPORT(invoke)
int32_t swiftlet_invoke(const char *app_id, int32_t app_id_len, const char *method, int32_t method_len, const char *path,
                        int32_t path_len, const char *headers, int32_t headers_len, const void *body, int32_t body_len);

/*
 * Models: a conversation component in the component's `uses`. Each call spends the request's
 * token budget (limits.tokens, default 4096; SWIFTLET_ETOOLARGE once spent) and ends by its
 * deadline. max_tokens <= 0 means what is left of the budget.
 * llm_complete returns the answer's length; read it with result_read, and "finish_reason",
 * "prompt_tokens", "completion_tokens", "model" with result_meta.
 * llm_stream returns a handle; llm_stream_read waits for the next text and returns the bytes
 * written, 0 at the end (then result_meta has the finish reason and token counts).
 */
SWIFTLET_IMPORT(llm_complete)
int32_t swiftlet_llm_complete(const char *component, int32_t component_len, const char *prompt, int32_t prompt_len,
                              int32_t max_tokens);
SWIFTLET_IMPORT(llm_stream)
int32_t swiftlet_llm_stream(const char *component, int32_t component_len, const char *prompt, int32_t prompt_len,
                            int32_t max_tokens);
SWIFTLET_IMPORT(llm_stream_read) int32_t swiftlet_llm_stream_read(int32_t handle, void *buf, int32_t cap);
SWIFTLET_IMPORT(llm_stream_close) int32_t swiftlet_llm_stream_close(int32_t handle);

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

/* Frames for state_get_bulk and state_transact: append to a caller-owned buffer. */
typedef struct {
    uint8_t *data;
    int32_t len;
    int32_t cap;
} swiftlet_frame;

static inline int swiftlet_frame_raw(swiftlet_frame *f, const void *bytes, int32_t n) {
    if (f->len + n > f->cap) return SWIFTLET_ETOOLARGE;
    for (int32_t i = 0; i < n; i++) f->data[f->len + i] = ((const uint8_t *)bytes)[i];
    f->len += n;
    return SWIFTLET_OK;
}
static inline int swiftlet_frame_u8(swiftlet_frame *f, uint8_t v) { return swiftlet_frame_raw(f, &v, 1); }
static inline int swiftlet_frame_i32(swiftlet_frame *f, int32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return swiftlet_frame_raw(f, b, 4);
}
static inline int swiftlet_frame_bytes(swiftlet_frame *f, const void *bytes, int32_t n) {
    int r = swiftlet_frame_i32(f, n);
    return r ? r : swiftlet_frame_raw(f, bytes, n);
}
static inline int32_t swiftlet_frame_read_i32(const uint8_t *p) {
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* String conveniences for the building blocks. */
static inline int32_t swiftlet_state_get_str(const char *store, const char *key, void *buf, int32_t cap) {
    return swiftlet_state_get(store, (int32_t)swiftlet__strlen(store), key, (int32_t)swiftlet__strlen(key), buf, cap);
}
static inline int32_t swiftlet_etag(char *buf, int32_t cap) { return swiftlet_result_meta("etag", 4, buf, cap); }

#ifdef __cplusplus
}
#endif

#endif /* SWIFTLET_H */
