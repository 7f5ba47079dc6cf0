// Handler test guest with one misbehaviour per route parameter :what. The host must turn
// each into a clear 5xx and keep serving.
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "swiftlet.h"

static volatile int sink;
static char *volatile kept;

// Recursion that lives on the engine's call stack only.
static int recurse(int depth) {
    int result = recurse(depth + 1);
    sink += result;
    return result;
}

// Recursion whose frames live in linear memory (the C shadow stack), which runs out first.
static int recurse_frames(int depth) {
    volatile char frame[128];
    frame[depth & 127] = (char)depth;
    return recurse_frames(depth + 1) + frame[0];
}

static int32_t bad_pointers(void) {
    // Every pointer-taking host function, each given a range past the end of memory.
    char *bad = (char *)0xFFFFFF00u;
    int32_t big = 0x1000;
    char ok[16];
    swiftlet_req_method(bad, big);
    swiftlet_req_path(bad, big);
    swiftlet_req_query(bad, big);
    swiftlet_req_header(bad, big, ok, sizeof ok);
    swiftlet_req_header("host", 4, bad, big);
    swiftlet_req_headers(bad, big);
    swiftlet_req_param(bad, big, ok, sizeof ok);
    swiftlet_req_param("what", 4, bad, big);
    swiftlet_req_body_read(bad, big);
    swiftlet_resp_header(bad, big, "v", 1);
    swiftlet_resp_header("n", 1, bad, big);
    swiftlet_resp_write(bad, big);
    swiftlet_log(SWIFTLET_LOG_INFO, bad, big);
    swiftlet_write_str("survived\n");
    return 0;
}

static int32_t handle(void) {
    char what[32] = {0};
    int32_t n = swiftlet_get_param("what", what, sizeof what - 1);
    if (n < 0 || n >= (int32_t)sizeof what) return 2;
    what[n] = 0;
    swiftlet_set_header("content-type", "text/plain");

    if (!strcmp(what, "ok")) {
        swiftlet_write_str("fine\n");
    } else if (!strcmp(what, "loop")) {
        for (;;) sink++;
    } else if (!strcmp(what, "bomb")) {
        for (;;) {
            char *block = malloc(1 << 20);
            if (!block) __builtin_trap();  // out of memory: give up like abort() would
            for (int page = 0; page < (1 << 20); page += 4096) block[page] = 1;
            kept = block;  // observable, so the compiler cannot elide the allocations
        }
    } else if (!strcmp(what, "recurse")) {
        sink = recurse(0);
    } else if (!strcmp(what, "recurse-frames")) {
        sink = recurse_frames(0);
    } else if (!strcmp(what, "giant")) {
        static char block[1 << 16];
        memset(block, 'x', sizeof block);
        while (swiftlet_resp_write(block, sizeof block) >= 0) {}
    } else if (!strcmp(what, "trap")) {
        __builtin_trap();
    } else if (!strcmp(what, "badptr")) {
        return bad_pointers();
    } else if (!strcmp(what, "fail")) {
        return 7;
    } else if (!strcmp(what, "stream")) {
        swiftlet_write_str("first\n");
        swiftlet_resp_flush();
        struct timespec pause = {0, 50 * 1000000L};
        nanosleep(&pause, NULL);
        swiftlet_write_str("second\n");
        swiftlet_resp_flush();
        swiftlet_write_str("third\n");
    } else if (!strcmp(what, "stream-slow")) {
        // The head and a first chunk, then a long pause: a host that streams delivers them
        // a second and a half before the end; one that buffers delivers all at once.
        swiftlet_write_str("early\n");
        swiftlet_resp_flush();
        struct timespec pause = {1, 500 * 1000000L};
        nanosleep(&pause, NULL);
        swiftlet_write_str("late\n");
    } else if (!strcmp(what, "stream-giant")) {
        static char block[1 << 16];
        memset(block, 'y', sizeof block);
        swiftlet_resp_write(block, sizeof block);
        swiftlet_resp_flush();
        while (swiftlet_resp_write(block, sizeof block) >= 0) swiftlet_resp_flush();
    } else if (!strcmp(what, "hog")) {
        // Keeps 4 MiB for good, then counts like "counter": recycle_memory should retire it.
        static int hogs;
        kept = malloc(4 << 20);
        for (int page = 0; page < (4 << 20); page += 4096) kept[page] = 1;
        char text[2] = {(char)('0' + (++hogs % 10)), '\n'};
        swiftlet_resp_write(text, 2);
    } else if (!strcmp(what, "counter")) {
        // Warm instances keep their memory between requests.
        static int count;
        char text[32];
        int len = 0, value = ++count;
        char digits[16];
        int d = 0;
        do { digits[d++] = (char)('0' + value % 10); value /= 10; } while (value);
        while (d) text[len++] = digits[--d];
        text[len++] = '\n';
        swiftlet_resp_write(text, len);
    } else {
        swiftlet_resp_status(404);
        swiftlet_write_str("unknown misbehaviour\n");
    }
    return 0;
}

SWIFTLET_HANDLER(handle)
