/*
 * swiftlet_wasmtime.h - Swiftlet's own declarations for the part of the
 * Wasmtime 50 C API it uses, reached at run time through dlopen().
 *
 * Why this file exists instead of Wasmtime's headers:
 *  - The library ships in the PyPI wheel `wasmtime==50.0.1`
 *    (wasmtime/<platform>/_libwasmtime.so) without headers, and the C API
 *    changes between major versions. We pin the v50 ABI here and check every
 *    by-value layout against the wheel's own ctypes declarations (test.c).
 *  - Swiftlet must build and run without the library present (WasmKit is the
 *    fallback), so nothing links against it: every entry point is a function
 *    pointer in `swiftlet_wasmtime_api`, filled by swiftlet_wasmtime_load().
 *  - Because no symbol of this header is ever linked, the type names can stay
 *    those of Wasmtime (easier to read next to its documentation), but never
 *    include this together with the real <wasmtime.h>.
 *
 * Ownership conventions of the C API (apply to every entry below):
 *  - A returned `wasmtime_error_t *` is NULL on success; otherwise the caller
 *    owns it and frees it with wasmtime_error_delete().
 *  - A `wasm_trap_t **trap_out` is set only when wasm (or a host function)
 *    trapped; the caller owns the trap (wasm_trap_delete).
 *  - Out-parameters of type wasm_byte_vec_t / *_vec_t are owned by the caller
 *    and freed with the matching *_vec_delete().
 *  - Pointers returned by accessors (wasm_importtype_name, wasm_functype_params,
 *    ...) are borrowed from their parent object.
 */
#ifndef SWIFTLET_WASMTIME_H
#define SWIFTLET_WASMTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Opaque handles: only ever used through pointers.                          */

typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasm_valtype_t wasm_valtype_t;
typedef struct wasm_functype_t wasm_functype_t;
typedef struct wasm_externtype_t wasm_externtype_t;
typedef struct wasm_importtype_t wasm_importtype_t;
typedef struct wasm_exporttype_t wasm_exporttype_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasmtime_module wasmtime_module_t;
typedef struct wasmtime_store wasmtime_store_t;
typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasmtime_caller wasmtime_caller_t;
typedef struct wasmtime_linker wasmtime_linker_t;
typedef struct wasmtime_instance_pre wasmtime_instance_pre_t;
typedef struct wasmtime_sharedmemory wasmtime_sharedmemory_t;
typedef struct wasmtime_pooling_allocation_config wasmtime_pooling_allocation_config_t;

/* ------------------------------------------------------------------------ */
/* Vectors: {size, data}. `data` is owned by the vector.                     */

typedef struct wasm_byte_vec_t {
  size_t size;
  uint8_t *data;
} wasm_byte_vec_t;
typedef wasm_byte_vec_t wasm_name_t;    /* not NUL-terminated */
typedef wasm_byte_vec_t wasm_message_t; /* trap messages: NUL included in size */

typedef struct wasm_valtype_vec_t {
  size_t size;
  wasm_valtype_t **data;
} wasm_valtype_vec_t;

typedef struct wasm_importtype_vec_t {
  size_t size;
  wasm_importtype_t **data;
} wasm_importtype_vec_t;

typedef struct wasm_exporttype_vec_t {
  size_t size;
  wasm_exporttype_t **data;
} wasm_exporttype_vec_t;


/* ------------------------------------------------------------------------ */
/* Small enumerations (all carried as uint8_t in v50).                       */

/* wasm_valtype_new() / wasm_valtype_kind() (wasm.h numbering). */
typedef uint8_t wasm_valkind_t;
#define WASM_I32 0
#define WASM_I64 1
#define WASM_F32 2
#define WASM_F64 3
#define WASM_V128 4
#define WASM_EXTERNREF 128
#define WASM_FUNCREF 129

/* wasm_externtype_kind() (wasm.h numbering). */
typedef uint8_t wasm_externkind_t;
#define WASM_EXTERN_FUNC 0
#define WASM_EXTERN_GLOBAL 1
#define WASM_EXTERN_TABLE 2
#define WASM_EXTERN_MEMORY 3

/* wasmtime_extern_t.kind (Wasmtime numbering; differs from wasm.h past 3). */
typedef uint8_t wasmtime_extern_kind_t;
#define WASMTIME_EXTERN_FUNC 0
#define WASMTIME_EXTERN_GLOBAL 1
#define WASMTIME_EXTERN_TABLE 2
#define WASMTIME_EXTERN_MEMORY 3
#define WASMTIME_EXTERN_SHAREDMEMORY 4
#define WASMTIME_EXTERN_TAG 5

/* wasmtime_val_t.kind (Wasmtime numbering; NOT the wasm.h one above). */
typedef uint8_t wasmtime_valkind_t;
#define WASMTIME_I32 0
#define WASMTIME_I64 1
#define WASMTIME_F32 2
#define WASMTIME_F64 3
#define WASMTIME_V128 4
#define WASMTIME_FUNCREF 5
#define WASMTIME_EXTERNREF 6
#define WASMTIME_ANYREF 7

typedef uint8_t wasmtime_opt_level_t;
#define WASMTIME_OPT_LEVEL_NONE 0
#define WASMTIME_OPT_LEVEL_SPEED 1
#define WASMTIME_OPT_LEVEL_SPEED_AND_SIZE 2

typedef uint8_t wasmtime_strategy_t;
#define WASMTIME_STRATEGY_AUTO 0
#define WASMTIME_STRATEGY_CRANELIFT 1

/* Written by an epoch-deadline callback to say how to resume. */
typedef uint8_t wasmtime_update_deadline_kind_t;
#define WASMTIME_UPDATE_DEADLINE_CONTINUE 0
#define WASMTIME_UPDATE_DEADLINE_YIELD 1 /* needs async support: unused here */

/* wasmtime_trap_code(). Only the core-wasm codes are listed; v50 defines
 * 54 values (0..53), the rest belong to the component model / GC / stack
 * switching. */
typedef uint8_t wasmtime_trap_code_t;
#define WASMTIME_TRAP_CODE_STACK_OVERFLOW 0
#define WASMTIME_TRAP_CODE_MEMORY_OUT_OF_BOUNDS 1
#define WASMTIME_TRAP_CODE_HEAP_MISALIGNED 2
#define WASMTIME_TRAP_CODE_TABLE_OUT_OF_BOUNDS 3
#define WASMTIME_TRAP_CODE_INDIRECT_CALL_TO_NULL 4
#define WASMTIME_TRAP_CODE_BAD_SIGNATURE 5
#define WASMTIME_TRAP_CODE_INTEGER_OVERFLOW 6
#define WASMTIME_TRAP_CODE_INTEGER_DIVISION_BY_ZERO 7
#define WASMTIME_TRAP_CODE_BAD_CONVERSION_TO_INTEGER 8
#define WASMTIME_TRAP_CODE_UNREACHABLE_CODE_REACHED 9
#define WASMTIME_TRAP_CODE_INTERRUPT 10
#define WASMTIME_TRAP_CODE_OUT_OF_FUEL 11
#define WASMTIME_TRAP_CODE_ATOMIC_WAIT_NON_SHARED_MEMORY 12
#define WASMTIME_TRAP_CODE_NULL_REFERENCE 13
#define WASMTIME_TRAP_CODE_ARRAY_OUT_OF_BOUNDS 14
#define WASMTIME_TRAP_CODE_ALLOCATION_TOO_LARGE 15
#define WASMTIME_TRAP_CODE_CAST_FAILURE 16

/* ------------------------------------------------------------------------ */
/* Store-scoped handles. They are plain values (copy freely) that index into */
/* the store that made them; they carry no destructor and are meaningless   */
/* once that store is deleted.                                              */

typedef struct wasmtime_func {
  uint64_t store_id; /* 0 means a null funcref */
  void *opaque;
} wasmtime_func_t;

/* table, memory and tag nest {store_id, u32} in an inner struct, so the last
 * u32 sits at offset 16 (not 12): the struct is 24 bytes. A flat
 * {u64; u32; u32} would be 16 bytes and corrupt wasmtime_extern_t. */
typedef struct wasmtime_store_ref32 {
  uint64_t store_id;
  uint32_t opaque1;
} wasmtime_store_ref32_t;

typedef struct wasmtime_table {
  wasmtime_store_ref32_t ref;
  uint32_t opaque2;
} wasmtime_table_t;

typedef struct wasmtime_memory {
  wasmtime_store_ref32_t ref;
  uint32_t opaque2;
} wasmtime_memory_t;

typedef struct wasmtime_tag {
  wasmtime_store_ref32_t ref;
  uint32_t opaque2;
} wasmtime_tag_t;

typedef struct wasmtime_global {
  uint64_t store_id;
  uint32_t opaque1;
  uint32_t opaque2;
  uint32_t opaque3;
} wasmtime_global_t;

typedef union wasmtime_extern_union {
  wasmtime_func_t func;
  wasmtime_global_t global;
  wasmtime_table_t table;
  wasmtime_memory_t memory;
  wasmtime_sharedmemory_t *sharedmemory; /* owned: wasmtime_extern_delete */
  wasmtime_tag_t tag;
} wasmtime_extern_union_t;

/* 32 bytes: kind at 0, payload at 8. */
typedef struct wasmtime_extern {
  wasmtime_extern_kind_t kind;
  wasmtime_extern_union_t of;
} wasmtime_extern_t;

typedef struct wasmtime_instance {
  uint64_t store_id;
  size_t opaque;
} wasmtime_instance_t;

/* One untyped 16-byte slot of the *_unchecked calls. The caller knows the
 * types from the function signature; a call passes one array that holds the
 * parameters on entry and the results on return, so it must have
 * max(#params, #results) slots. Values are little-endian. */
typedef union wasmtime_val_raw {
  int32_t i32;
  int64_t i64;
  float f32;
  double f64;
  uint8_t v128[16];
  uint32_t anyref;    /* GC heap index, 0 = null */
  uint32_t externref; /* GC heap index, 0 = null */
  uint32_t exnref;    /* GC heap index, 0 = null */
  void *funcref;      /* NULL = null funcref */
} wasmtime_val_raw_t;

/* ------------------------------------------------------------------------ */
/* Callback types.                                                           */

typedef void (*wasmtime_finalizer_t)(void *env);

/* Host function, untyped slots. Read the parameters from
 * args_and_results[0..nparams), write the results to args_and_results[0..).
 * Return NULL, or a trap (e.g. from wasmtime_trap_new) to abort the call;
 * Wasmtime takes ownership of the returned trap. */
typedef wasm_trap_t *(*wasmtime_func_unchecked_callback_t)(
    void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *args_and_results,
    size_t num_args_and_results);

/* Called when the store's epoch deadline is reached. Return an error to stop
 * the guest (the call then fails with that error, not with a trap), or set
 * *epoch_deadline_delta (and *update_kind = CONTINUE) and return NULL to
 * resume with a new deadline of current epoch + delta. */
typedef wasmtime_error_t *(*wasmtime_epoch_deadline_callback_t)(
    wasmtime_context_t *context, void *env, uint64_t *epoch_deadline_delta,
    wasmtime_update_deadline_kind_t *update_kind);

/* ------------------------------------------------------------------------ */
/* The function table.                                                       */
/*                                                                           */
/* X(return type, name, (parameters)). REQUIRED entries must all resolve or */
/* loading fails; OPTIONAL entries are left NULL when the library lacks     */
/* them (they come and go between Wasmtime versions / build features).      */

#define SWIFTLET_WASMTIME_REQUIRED(X)                                          \
  /* engine and configuration; wasm_engine_new_with_config takes ownership   \
     of the config */                                                        \
  X(wasm_config_t *, wasm_config_new, (void))                                  \
  X(void, wasm_config_delete, (wasm_config_t * config))                        \
  X(void, wasmtime_config_consume_fuel_set, (wasm_config_t * config, bool on)) \
  X(void, wasmtime_config_epoch_interruption_set,                              \
    (wasm_config_t * config, bool on))                                         \
  X(void, wasmtime_config_cranelift_opt_level_set,                             \
    (wasm_config_t * config, wasmtime_opt_level_t level))                      \
  X(void, wasmtime_config_max_wasm_stack_set,                                  \
    (wasm_config_t * config, size_t bytes))                                    \
  X(void, wasmtime_config_memory_init_cow_set, (wasm_config_t * config, bool on)) \
  X(void, wasmtime_config_parallel_compilation_set,                            \
    (wasm_config_t * config, bool on))                                         \
  /* virtual reservation per linear memory (v50 name of the former           \
     static_memory_maximum_size) and its guard region */                     \
  X(void, wasmtime_config_memory_reservation_set,                              \
    (wasm_config_t * config, uint64_t bytes))                                  \
  X(void, wasmtime_config_memory_guard_size_set,                               \
    (wasm_config_t * config, uint64_t bytes))                                  \
  X(void, wasmtime_config_memory_reservation_for_growth_set,                   \
    (wasm_config_t * config, uint64_t bytes))                                  \
  X(wasm_engine_t *, wasm_engine_new_with_config, (wasm_config_t * config))    \
  X(void, wasm_engine_delete, (wasm_engine_t * engine))                        \
  /* thread-safe: may be called from any thread, e.g. a timer */              \
  X(void, wasmtime_engine_increment_epoch, (wasm_engine_t * engine))           \
                                                                               \
  /* modules */                                                                \
  X(wasmtime_error_t *, wasmtime_module_new,                                   \
    (wasm_engine_t * engine, const uint8_t *wasm, size_t len,                  \
     wasmtime_module_t **module_out))                                          \
  X(void, wasmtime_module_delete, (wasmtime_module_t * module))                \
  X(wasmtime_error_t *, wasmtime_module_validate,                              \
    (wasm_engine_t * engine, const uint8_t *wasm, size_t len))                 \
  X(wasmtime_error_t *, wasmtime_module_serialize,                             \
    (wasmtime_module_t * module, wasm_byte_vec_t * bytes_out))                 \
  X(wasmtime_error_t *, wasmtime_module_deserialize,                           \
    (wasm_engine_t * engine, const uint8_t *bytes, size_t len,                 \
     wasmtime_module_t **module_out))                                          \
  X(void, wasmtime_module_imports,                                             \
    (const wasmtime_module_t *module, wasm_importtype_vec_t *out))             \
  X(void, wasmtime_module_exports,                                             \
    (const wasmtime_module_t *module, wasm_exporttype_vec_t *out))             \
                                                                               \
  /* type reflection */                                                        \
  X(const wasm_name_t *, wasm_importtype_module,                               \
    (const wasm_importtype_t *import))                                         \
  X(const wasm_name_t *, wasm_importtype_name, (const wasm_importtype_t *import)) \
  X(const wasm_externtype_t *, wasm_importtype_type,                           \
    (const wasm_importtype_t *import))                                         \
  X(void, wasm_importtype_vec_delete, (wasm_importtype_vec_t * vec))           \
  X(const wasm_name_t *, wasm_exporttype_name, (const wasm_exporttype_t *export_)) \
  X(const wasm_externtype_t *, wasm_exporttype_type,                           \
    (const wasm_exporttype_t *export_))                                        \
  X(void, wasm_exporttype_vec_delete, (wasm_exporttype_vec_t * vec))           \
  X(wasm_externkind_t, wasm_externtype_kind, (const wasm_externtype_t *type))  \
  /* NULL unless the extern type is a function */                             \
  X(const wasm_functype_t *, wasm_externtype_as_functype_const,                \
    (const wasm_externtype_t *type))                                           \
  X(const wasm_valtype_vec_t *, wasm_functype_params,                          \
    (const wasm_functype_t *type))                                             \
  X(const wasm_valtype_vec_t *, wasm_functype_results,                         \
    (const wasm_functype_t *type))                                             \
  /* takes ownership of both vectors (and the valtypes in them) */            \
  X(wasm_functype_t *, wasm_functype_new,                                      \
    (wasm_valtype_vec_t * params, wasm_valtype_vec_t * results))               \
  X(void, wasm_functype_delete, (wasm_functype_t * type))                      \
  X(wasm_valtype_t *, wasm_valtype_new, (wasm_valkind_t kind))                 \
  X(wasm_valkind_t, wasm_valtype_kind, (const wasm_valtype_t *type))           \
  X(void, wasm_valtype_delete, (wasm_valtype_t * type))                        \
  /* copies the pointer array, takes ownership of the valtypes */             \
  X(void, wasm_valtype_vec_new,                                                \
    (wasm_valtype_vec_t * out, size_t size, wasm_valtype_t *const *data))      \
  X(void, wasm_valtype_vec_new_empty, (wasm_valtype_vec_t * out))              \
  X(void, wasm_valtype_vec_delete, (wasm_valtype_vec_t * vec))                 \
  /* copies `data` */                                                         \
  X(void, wasm_byte_vec_new,                                                   \
    (wasm_byte_vec_t * out, size_t size, const uint8_t *data))                 \
  X(void, wasm_byte_vec_delete, (wasm_byte_vec_t * vec))                       \
                                                                               \
  /* stores; `data` is returned by wasmtime_context_get_data and handed to   \
     `finalizer` by wasmtime_store_delete */                                 \
  X(wasmtime_store_t *, wasmtime_store_new,                                    \
    (wasm_engine_t * engine, void *data, wasmtime_finalizer_t finalizer))      \
  X(wasmtime_context_t *, wasmtime_store_context, (wasmtime_store_t * store))  \
  X(void, wasmtime_store_delete, (wasmtime_store_t * store))                   \
  /* each limit in bytes/counts; a negative value keeps Wasmtime's default   \
     (unlimited) */                                                          \
  X(void, wasmtime_store_limiter,                                              \
    (wasmtime_store_t * store, int64_t memory_size, int64_t table_elements,    \
     int64_t instances, int64_t tables, int64_t memories))                     \
  X(void *, wasmtime_context_get_data, (const wasmtime_context_t *context))    \
  X(void, wasmtime_context_set_data, (wasmtime_context_t * context, void *data)) \
  X(wasmtime_error_t *, wasmtime_context_set_fuel,                             \
    (wasmtime_context_t * context, uint64_t fuel))                             \
  X(wasmtime_error_t *, wasmtime_context_get_fuel,                             \
    (const wasmtime_context_t *context, uint64_t *fuel_out))                   \
  /* deadline = current engine epoch + ticks */                               \
  X(void, wasmtime_context_set_epoch_deadline,                                 \
    (wasmtime_context_t * context, uint64_t ticks))                            \
  X(void, wasmtime_store_epoch_deadline_callback,                              \
    (wasmtime_store_t * store, wasmtime_epoch_deadline_callback_t callback,    \
     void *env, wasmtime_finalizer_t finalizer))                               \
                                                                               \
  /* linking and instantiation */                                              \
  X(wasmtime_linker_t *, wasmtime_linker_new, (wasm_engine_t * engine))        \
  X(void, wasmtime_linker_delete, (wasmtime_linker_t * linker))                \
  X(void, wasmtime_linker_allow_shadowing,                                     \
    (wasmtime_linker_t * linker, bool allow))                                  \
  /* `type` is borrowed (delete it afterwards); `env` is handed to          \
     `finalizer` when the linker and every store using the function are    \
     gone */                                                                 \
  X(wasmtime_error_t *, wasmtime_linker_define_func_unchecked,                 \
    (wasmtime_linker_t * linker, const char *module, size_t module_len,        \
     const char *name, size_t name_len, const wasm_functype_t *type,           \
     wasmtime_func_unchecked_callback_t callback, void *env,                   \
     wasmtime_finalizer_t finalizer))                                          \
  /* resolves imports once; the result is store-independent and reusable */   \
  X(wasmtime_error_t *, wasmtime_linker_instantiate_pre,                       \
    (const wasmtime_linker_t *linker, const wasmtime_module_t *module,         \
     wasmtime_instance_pre_t **pre_out))                                       \
  X(wasmtime_error_t *, wasmtime_instance_pre_instantiate,                     \
    (const wasmtime_instance_pre_t *pre, wasmtime_context_t *context,          \
     wasmtime_instance_t *instance_out, wasm_trap_t **trap_out))               \
  X(void, wasmtime_instance_pre_delete, (wasmtime_instance_pre_t * pre))       \
  X(bool, wasmtime_instance_export_get,                                        \
    (wasmtime_context_t * context, const wasmtime_instance_t *instance,        \
     const char *name, size_t name_len, wasmtime_extern_t *item_out))          \
  /* inside a host callback: the calling instance's exports (e.g. "memory") */ \
  X(bool, wasmtime_caller_export_get,                                          \
    (wasmtime_caller_t * caller, const char *name, size_t name_len,            \
     wasmtime_extern_t *item_out))                                             \
  X(wasmtime_context_t *, wasmtime_caller_context, (wasmtime_caller_t * caller)) \
  X(void, wasmtime_extern_delete, (wasmtime_extern_t * item))                  \
                                                                               \
  /* functions */                                                              \
  X(wasmtime_error_t *, wasmtime_func_call_unchecked,                          \
    (wasmtime_context_t * context, const wasmtime_func_t *func,                \
     wasmtime_val_raw_t *args_and_results, size_t args_and_results_len,        \
     wasm_trap_t **trap_out))                                                  \
                                                                               \
  /* memories: the base pointer may change when the memory grows (always     \
     re-read it after anything that can run wasm or grow memory) */          \
  X(uint8_t *, wasmtime_memory_data,                                           \
    (const wasmtime_context_t *context, const wasmtime_memory_t *memory))      \
  X(size_t, wasmtime_memory_data_size,                                         \
    (const wasmtime_context_t *context, const wasmtime_memory_t *memory))      \
  /* in wasm pages */                                                         \
  X(uint64_t, wasmtime_memory_size,                                            \
    (const wasmtime_context_t *context, const wasmtime_memory_t *memory))      \
                                                                               \
  /* errors and traps */                                                       \
  X(wasmtime_error_t *, wasmtime_error_new, (const char *message))             \
  X(void, wasmtime_error_message,                                              \
    (const wasmtime_error_t *error, wasm_name_t *message_out))                 \
  X(void, wasmtime_error_delete, (wasmtime_error_t * error))                   \
  /* true when the error is a WASI proc_exit; *status gets the exit code */  \
  X(bool, wasmtime_error_exit_status,                                          \
    (const wasmtime_error_t *error, int *status_out))                          \
  /* message is copied; need not be NUL-terminated */                         \
  X(wasm_trap_t *, wasmtime_trap_new, (const char *message, size_t len))       \
  X(wasm_trap_t *, wasmtime_trap_new_code, (wasmtime_trap_code_t code))        \
  X(void, wasm_trap_delete, (wasm_trap_t * trap))                              \
  /* false for traps without a code (e.g. made by wasmtime_trap_new) */      \
  X(bool, wasmtime_trap_code,                                                  \
    (const wasm_trap_t *trap, wasmtime_trap_code_t *code_out))                 \
  X(void, wasm_trap_message, (const wasm_trap_t *trap, wasm_message_t *out))   \
                                                                               \

#define SWIFTLET_WASMTIME_OPTIONAL(X)                                          \
  /* false: explicit bounds checks instead of SIGSEGV-based ones, no signal  \
     handlers (for hosts whose own handlers conflict) */                     \
  X(void, wasmtime_config_signals_based_traps_set, (wasm_config_t * config, bool on)) \
  X(void, wasmtime_config_memory_may_move_set, (wasm_config_t * config, bool on)) \
  /* pooling instance allocator (pre-reserved slots for fast instantiate) */  \
  X(wasmtime_pooling_allocation_config_t *,                                    \
    wasmtime_pooling_allocation_config_new, (void))                            \
  X(void, wasmtime_pooling_allocation_config_delete,                           \
    (wasmtime_pooling_allocation_config_t * pool))                             \
  X(void, wasmtime_pooling_allocation_config_total_core_instances_set,         \
    (wasmtime_pooling_allocation_config_t * pool, uint32_t count))             \
  X(void, wasmtime_pooling_allocation_config_total_memories_set,               \
    (wasmtime_pooling_allocation_config_t * pool, uint32_t count))             \
  X(void, wasmtime_pooling_allocation_config_total_tables_set,                 \
    (wasmtime_pooling_allocation_config_t * pool, uint32_t count))             \
  X(void, wasmtime_pooling_allocation_config_max_memory_size_set,              \
    (wasmtime_pooling_allocation_config_t * pool, size_t bytes))               \
  /* bytes of each memory / table zeroed in place instead of given back to  \
     the kernel when a slot is freed (madvise flushes every core's TLB) */   \
  X(void, wasmtime_pooling_allocation_config_linear_memory_keep_resident_set,  \
    (wasmtime_pooling_allocation_config_t * pool, size_t bytes))               \
  X(void, wasmtime_pooling_allocation_config_table_keep_resident_set,          \
    (wasmtime_pooling_allocation_config_t * pool, size_t bytes))               \
  /* fiber stacks for async calls, which Swiftlet does not make */           \
  X(void, wasmtime_pooling_allocation_config_total_stacks_set,                 \
    (wasmtime_pooling_allocation_config_t * pool, uint32_t count))             \
  /* copies the pool config; the caller still deletes it */                  \
  X(void, wasmtime_pooling_allocation_strategy_set,                            \
    (wasm_config_t * config, const wasmtime_pooling_allocation_config_t *pool))

/* One function-pointer member per entry, named exactly like the C symbol. */
typedef struct swiftlet_wasmtime_api {
  void *handle; /* from dlopen */
#define SWIFTLET_WASMTIME_MEMBER(ret, name, params) ret(*name) params;
  SWIFTLET_WASMTIME_REQUIRED(SWIFTLET_WASMTIME_MEMBER)
  SWIFTLET_WASMTIME_OPTIONAL(SWIFTLET_WASMTIME_MEMBER)
#undef SWIFTLET_WASMTIME_MEMBER
} swiftlet_wasmtime_api;

/* Loads the library at `path` (dlopen RTLD_NOW | RTLD_LOCAL) and resolves
 * every entry. Returns 0 on success. On failure returns -1, leaves `api`
 * zeroed, and writes a NUL-terminated message (dlerror() text, or the name
 * of the first missing required symbol) into `error` (may be NULL). */
int swiftlet_wasmtime_load(const char *path, swiftlet_wasmtime_api *api,
                           char *error, size_t error_capacity);

/* Copies an error's message into `buf` (NUL-terminated, truncated to fit) and
 * deletes the error. Returns `buf`. Convenience for logging. */
const char *swiftlet_wasmtime_error_take(const swiftlet_wasmtime_api *api,
                                         wasmtime_error_t *error, char *buf,
                                         size_t capacity);

/* Same for a trap; also reports its code through *code_out (-1 when the trap
 * has none). Deletes the trap. */
const char *swiftlet_wasmtime_trap_take(const swiftlet_wasmtime_api *api,
                                        wasm_trap_t *trap, int *code_out,
                                        char *buf, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif /* SWIFTLET_WASMTIME_H */
