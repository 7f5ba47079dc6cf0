// WAGI test guest that hands WASI calls pointers outside its memory. The host must answer
// EFAULT (21) instead of touching memory, and keep running.
#include <stdio.h>
#include <wasi/api.h>

int main(void) {
    __wasi_ciovec_t *bad_iovs = (__wasi_ciovec_t *)0xFFFFFFF0u;
    __wasi_size_t written = 0;
    __wasi_errno_t a = __wasi_fd_write(1, bad_iovs, 1, &written);

    static char text[] = "x";
    __wasi_ciovec_t iov = {(const uint8_t *)0xFFFFFF00u, 1024};
    __wasi_errno_t b = __wasi_fd_write(1, &iov, 1, &written);
    (void)text;

    __wasi_errno_t c = __wasi_random_get((uint8_t *)0xFFFFFF00u, 4096);
    __wasi_errno_t d = __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, (__wasi_timestamp_t *)0xFFFFFFFCu);

    printf("content-type: text/plain\n\nfd_write_iovs=%d fd_write_buffer=%d random_get=%d clock_time_get=%d\n", a, b, c, d);
    return 0;
}
