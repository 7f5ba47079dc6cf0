// Test guest for inference: the request body is the prompt, the path picks the interface.
//   /complete      llm_complete on "echo": "<answer>|<finish_reason>|<prompt_tokens>"
//   /stream        llm_stream read 3 bytes at a time, pieces joined by '|', then the finish reason
//   /budget        llm_complete until the token budget refuses: "calls=N status=S"
//   /nn            WasmEdge-style wasi_ephemeral_nn: load_by_name, init, set_input, compute, get_output
//   /nn-missing    load_by_name on a component the guest may not use: compute's errno
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "swiftlet.h"

// wasi_ephemeral_nn, as WasmEdge's GGML examples declare it.
typedef struct { const uint32_t *dims; uint32_t dims_len; uint8_t type; const uint8_t *data; uint32_t data_len; } nn_tensor;
#define NN_IMPORT(name) __attribute__((import_module("wasi_ephemeral_nn"), import_name(#name)))
NN_IMPORT(load_by_name) int32_t nn_load_by_name(const char *name, int32_t len, uint32_t *graph);
NN_IMPORT(init_execution_context) int32_t nn_init_execution_context(uint32_t graph, uint32_t *context);
NN_IMPORT(set_input) int32_t nn_set_input(uint32_t context, uint32_t index, const nn_tensor *tensor);
NN_IMPORT(compute) int32_t nn_compute(uint32_t context);
NN_IMPORT(get_output) int32_t nn_get_output(uint32_t context, uint32_t index, uint8_t *out, uint32_t max, uint32_t *written);

static char prompt[4096];
static int32_t prompt_len;

static void say(const char *text) { swiftlet_write_str(text); }

static int32_t nn(const char *model) {
    uint32_t graph = 0, context = 0, dims[1] = {1}, written = 0;
    static uint8_t out[8192];
    char line[128];
    int32_t e = nn_load_by_name(model, (int32_t)strlen(model), &graph);
    if (e == 0) e = nn_init_execution_context(graph, &context);
    nn_tensor input = {dims, 1, 3, (const uint8_t *)prompt, (uint32_t)prompt_len};
    if (e == 0) e = nn_set_input(context, 0, &input);
    const char *options = "{\"n_predict\": 64, \"ctx-size\": 512}";
    nn_tensor config = {dims, 1, 3, (const uint8_t *)options, (uint32_t)strlen(options)};
    if (e == 0) e = nn_set_input(context, 1, &config);
    if (e == 0) e = nn_compute(context);
    if (e == 0) e = nn_get_output(context, 0, out, sizeof out, &written);
    if (e != 0) {
        snprintf(line, sizeof line, "errno=%d", e);
        say(line);
        return 0;
    }
    swiftlet_resp_write(out, (int32_t)written);
    return 0;
}

static int32_t handle(void) {
    char path[64] = {0};
    swiftlet_req_path(path, sizeof path - 1);
    prompt_len = swiftlet_req_body_read(prompt, sizeof prompt);
    if (prompt_len < 0) prompt_len = 0;
    char meta[64] = {0}, tokens[32] = {0}, line[160];
    if (strcmp(path, "/complete") == 0) {
        int32_t n = swiftlet_llm_complete("echo", 4, prompt, prompt_len, 0);
        if (n < 0) { snprintf(line, sizeof line, "error %d", n); say(line); return 0; }
        char *answer = malloc((size_t)n + 1);
        swiftlet_result_read(answer, n);
        swiftlet_resp_write(answer, n);
        swiftlet_result_meta("finish_reason", 13, meta, sizeof meta - 1);
        swiftlet_result_meta("prompt_tokens", 13, tokens, sizeof tokens - 1);
        snprintf(line, sizeof line, "|%s|%s", meta, tokens);
        say(line);
        free(answer);
    } else if (strcmp(path, "/stream") == 0) {
        int32_t h = swiftlet_llm_stream("echo", 4, prompt, prompt_len, 0);
        if (h < 0) { snprintf(line, sizeof line, "error %d", h); say(line); return 0; }
        char piece[3];
        int32_t n;
        while ((n = swiftlet_llm_stream_read(h, piece, sizeof piece)) > 0) {
            swiftlet_resp_write(piece, n);
            say("|");
        }
        if (n < 0) { snprintf(line, sizeof line, "error %d", n); say(line); return 0; }
        swiftlet_result_meta("finish_reason", 13, meta, sizeof meta - 1);
        say(meta);
        swiftlet_llm_stream_close(h);
    } else if (strcmp(path, "/budget") == 0) {
        int32_t calls = 0, status = 0;
        while (calls < 1000 && (status = swiftlet_llm_complete("echo", 4, prompt, prompt_len, 0)) >= 0) calls++;
        snprintf(line, sizeof line, "calls=%d status=%d", calls, status);
        say(line);
    } else if (strcmp(path, "/nn") == 0) {
        return nn("echo");
    } else if (strcmp(path, "/nn-missing") == 0) {
        return nn("not-granted");
    } else {
        swiftlet_resp_status(404);
    }
    return 0;
}

SWIFTLET_HANDLER(handle)
