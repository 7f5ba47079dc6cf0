/*
 * loader.c - run-time loader for the Wasmtime 50 C API declared in
 * swiftlet_wasmtime.h.
 */
#include "swiftlet_wasmtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  const char *name;
  size_t offset; /* of the member in swiftlet_wasmtime_api */
  bool required;
} symbol_entry;

/* The same X-lists that declare the members drive the lookup, so a member
 * can never be forgotten here. */
#define SWIFTLET_REQUIRED_ENTRY(ret, name, params)                             \
  {#name, offsetof(swiftlet_wasmtime_api, name), true},
#define SWIFTLET_OPTIONAL_ENTRY(ret, name, params)                             \
  {#name, offsetof(swiftlet_wasmtime_api, name), false},

static const symbol_entry symbols[] = {
    SWIFTLET_WASMTIME_REQUIRED(SWIFTLET_REQUIRED_ENTRY)
    SWIFTLET_WASMTIME_OPTIONAL(SWIFTLET_OPTIONAL_ENTRY)};

static void set_error(char *error, size_t capacity, const char *format,
                      const char *a, const char *b) {
  if (error != NULL && capacity > 0)
    snprintf(error, capacity, format, a, b);
}

int swiftlet_wasmtime_load(const char *path, swiftlet_wasmtime_api *api,
                           char *error, size_t error_capacity) {
  memset(api, 0, sizeof *api);

  /* RTLD_NOW: surface unresolved dependencies here rather than at the first
   * call. RTLD_LOCAL: keep Wasmtime's ~800 exported symbols (and its bundled
   * Rust runtime) out of the global namespace, where they could interpose
   * on, or be interposed by, other libraries in the Swift process. */
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    const char *why = dlerror();
    set_error(error, error_capacity, "dlopen(%s) failed: %s", path,
              why ? why : "unknown error");
    return -1;
  }

  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
    dlerror(); /* clear: a symbol's value could legitimately be NULL */
    void *address = dlsym(handle, symbols[i].name);
    if (address == NULL && symbols[i].required) {
      set_error(error, error_capacity,
                "%s: missing symbol %s (is this Wasmtime 50?)", path,
                symbols[i].name);
      /* Deliberately no dlclose(): see below. */
      memset(api, 0, sizeof *api);
      return -1;
    }
    /* POSIX guarantees object and function pointers share a representation,
     * which is what makes dlsym usable for functions at all. */
    memcpy((char *)api + symbols[i].offset, &address, sizeof address);
  }
  api->handle = handle;
  /* There is intentionally no unload function. Once an engine exists,
   * Wasmtime has installed process-wide signal handlers and thread-local
   * destructors that point into the library; unmapping it would leave them
   * dangling. Loading it once per process and keeping it is the only safe
   * lifetime. */
  if (error != NULL && error_capacity > 0)
    error[0] = '\0';
  return 0;
}

/* Copies a wasm_name_t/wasm_message_t into a C string. Trap messages
 * include their own NUL in `size`; error messages do not. */
static void copy_name(const wasm_byte_vec_t *name, char *buf, size_t capacity) {
  if (buf == NULL || capacity == 0)
    return;
  size_t n = name->size;
  if (n > 0 && name->data[n - 1] == '\0')
    n--;
  if (n >= capacity)
    n = capacity - 1;
  if (n > 0)
    memcpy(buf, name->data, n);
  buf[n] = '\0';
}

const char *swiftlet_wasmtime_error_take(const swiftlet_wasmtime_api *api,
                                         wasmtime_error_t *error, char *buf,
                                         size_t capacity) {
  wasm_name_t message = {0, NULL};
  api->wasmtime_error_message(error, &message);
  copy_name(&message, buf, capacity);
  api->wasm_byte_vec_delete(&message);
  api->wasmtime_error_delete(error);
  return buf;
}

const char *swiftlet_wasmtime_trap_take(const swiftlet_wasmtime_api *api,
                                        wasm_trap_t *trap, int *code_out,
                                        char *buf, size_t capacity) {
  wasmtime_trap_code_t code;
  if (code_out != NULL)
    *code_out = api->wasmtime_trap_code(trap, &code) ? (int)code : -1;
  wasm_message_t message = {0, NULL};
  api->wasm_trap_message(trap, &message);
  copy_name(&message, buf, capacity);
  api->wasm_byte_vec_delete(&message);
  api->wasm_trap_delete(trap);
  return buf;
}
