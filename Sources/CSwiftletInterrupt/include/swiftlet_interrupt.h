#ifndef SWIFTLET_INTERRUPT_H
#define SWIFTLET_INTERRUPT_H

// Stops a guest that runs in WasmKit's interpreter from another thread without touching
// its store from that thread: the watchdog sends the guest's thread a signal, and the
// handler — running on the guest's own thread — empties the fuel counter the interpreter
// checks at every loop back-edge and call. The handler is plain C because it runs at an
// arbitrary instruction of the interpreter, where Swift's runtime must not be entered.

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One thread's interruption state. Lives as long as its thread.
typedef struct swiftlet_interrupt_slot swiftlet_interrupt_slot;

/// Installs the signal handler once for the process. Returns 0, or an errno.
int swiftlet_interrupt_install(void);

/// The calling thread's slot.
swiftlet_interrupt_slot *swiftlet_interrupt_current_slot(void);

/// On the guest's thread before a call: `counter` is emptied when run `ticket` (non-zero,
/// unique per call) is interrupted.
void swiftlet_interrupt_arm(uint64_t *counter, uint64_t ticket);

/// On the guest's thread after the call; later signals for its ticket do nothing.
void swiftlet_interrupt_disarm(void);

/// From any thread: asks run `ticket` on `thread`, whose slot is `slot`, to stop. The
/// caller guarantees the thread is alive. Returns 0, or an errno from pthread_kill.
int swiftlet_interrupt_send(pthread_t thread, swiftlet_interrupt_slot *slot, uint64_t ticket);

/// Usable size of a heap block, so a scan of an object never reads past it.
size_t swiftlet_allocation_size(const void *block);

#ifdef __cplusplus
}
#endif

#endif
