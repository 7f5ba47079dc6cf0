// WAGI test guest for mounts: reads a read-only file, tries to write beside it (must fail
// with EROFS), writes into a writable directory, and reads a staged single file.
#include <errno.h>
#include <stdio.h>
#include <string.h>

static void show_file(const char *label, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { printf("%s=error:%s\n", label, strerror(errno)); return; }
    char line[256] = {0};
    if (!fgets(line, sizeof line, f)) line[0] = 0;
    line[strcspn(line, "\n")] = 0;
    printf("%s=%s\n", label, line);
    fclose(f);
}

static void try_write(const char *label, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f) { printf("%s=error:%s\n", label, strerror(errno)); return; }
    int ok = fputs("written by the guest\n", f) >= 0;
    fclose(f);
    printf("%s=%s\n", label, ok ? "ok" : "error:write");
}

int main(void) {
    printf("content-type: text/plain\n\n");
    show_file("read", "/static/hello.txt");
    try_write("write_readonly", "/static/new.txt");
    try_write("write_writable", "/scratch/out.txt");
    show_file("readback", "/scratch/out.txt");
    show_file("staged", "/config/settings.txt");
    show_file("escape", "/static/../../etc/passwd");
    return 0;
}
