// WASI behaviours Swiftlet corrects over WasmKit 0.4.2, each printed as name=result. Run
// with a writable directory preopened as "/": swiftlet run --dir DIR::/ wasi-compat.wasm
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *error_name(int error) {
    switch (error) {
    case 0: return "ok";
    case EPERM: return "EPERM";
    case EBADF: return "EBADF";
    case ENOTSUP: return "ENOTSUP";
    case EISDIR: return "EISDIR";
    default: return strerror(error);
    }
}

int main(void) {
    // An absolute symlink target would name the host's file system.
    printf("symlink_absolute=%s\n", error_name(symlink("/etc/passwd", "/escape") == 0 ? 0 : errno));
    printf("symlink_relative=%s\n", error_name(symlink("target", "/relative") == 0 ? 0 : errno));

    // fd_allocate on a directory is a bad descriptor.
    int directory = open("/", O_RDONLY | O_DIRECTORY);
    printf("allocate_directory=%s\n", error_name(posix_fallocate(directory, 0, 16)));
    close(directory);

    // Synchronized I/O flags are kept, reported and honoured.
    int file = open("/synced", O_WRONLY | O_CREAT | O_TRUNC | O_SYNC, 0644);
    int flags = fcntl(file, F_GETFL);
    printf("sync_flag=%s\n", (flags & O_SYNC) == O_SYNC ? "kept" : "dropped");
    printf("sync_write=%zd\n", write(file, "durable\n", 8));
    close(file);
    int dsync = open("/dsynced", O_WRONLY | O_CREAT | O_DSYNC, 0644);
    printf("dsync_flag=%s\n", (fcntl(dsync, F_GETFL) & O_DSYNC) == O_DSYNC ? "kept" : "dropped");
    close(dsync);
    int plain = open("/plain", O_WRONLY | O_CREAT, 0644);
    printf("plain_flags=%s\n", (fcntl(plain, F_GETFL) & (O_SYNC | O_DSYNC)) == 0 ? "none" : "some");
    close(plain);
    return 0;
}
