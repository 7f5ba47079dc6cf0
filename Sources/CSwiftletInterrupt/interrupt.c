#define _GNU_SOURCE
#include "swiftlet_interrupt.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

// SIGSYS: nothing else in the process uses it (seccomp's SIGSYS is told apart by its
// si_code and passed on), and no runtime blocks or defers it.
#define SWIFTLET_INTERRUPT_SIGNAL SIGSYS

struct swiftlet_interrupt_slot {
    // The ticket a sender asked to stop; written by any thread.
    _Atomic uint64_t requested;
    // The owner's call in progress (0: none). Atomic only so the handler, which
    // interrupts the owner itself, reads a whole value.
    _Atomic uint64_t armed;
    _Atomic(uint64_t *) counter;
};

// initial-exec: the handler must not trigger a lazy TLS allocation.
static _Thread_local struct swiftlet_interrupt_slot slot __attribute__((tls_model("initial-exec")));

static struct sigaction previous;
static atomic_int installed;

typedef int (*sigaction_function)(int, const struct sigaction *, struct sigaction *);

// The C library's own sigaction. ThreadSanitizer interposes sigaction and runs handlers
// itself, deferring an asynchronous signal until the thread next calls into libc (which a
// guest looping in the interpreter never does) and crashing on a signal it takes for
// synchronous that lands inside its runtime. Installed directly, the kernel runs the
// handler as it would without a sanitizer.
static sigaction_function system_sigaction_function(void) {
    sigaction_function next = (sigaction_function)dlsym(RTLD_NEXT, "sigaction");
    return next ? next : sigaction;
}

// Looked up at install time: dlsym is not safe in a signal handler.
static sigaction_function system_sigaction;

// Not instrumented: the handler may run while the thread is inside a sanitizer's runtime,
// and touches only this thread's slot and the counter this thread's interpreter owns.
__attribute__((disable_sanitizer_instrumentation))
static void handler(int signal, siginfo_t *info, void *context) {
    uint64_t ticket = atomic_load_explicit(&slot.armed, memory_order_relaxed);
    if (ticket != 0 && atomic_load_explicit(&slot.requested, memory_order_relaxed) == ticket) {
        uint64_t *counter = atomic_load_explicit(&slot.counter, memory_order_relaxed);
        // volatile: the store must happen even though nothing in this function reads it.
        if (counter) *(volatile uint64_t *)counter = 0;
        return;
    }
    // Ours but late (the call already ended): nothing to do.
    if (info->si_code == SI_TKILL && info->si_pid == getpid()) return;
    // Someone else's SIGSYS (seccomp): behave as if this handler were not here.
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) previous.sa_sigaction(signal, info, context);
        return;
    }
    if (previous.sa_handler == SIG_IGN) return;
    if (previous.sa_handler == SIG_DFL) {
        struct sigaction fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.sa_handler = SIG_DFL;
        system_sigaction(signal, &fallback, NULL);
        raise(signal);
        return;
    }
    previous.sa_handler(signal);
}

int swiftlet_interrupt_install(void) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&installed, &expected, 1)) return 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = handler;
    // SA_RESTART: a host call the guest is blocked in carries on undisturbed.
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    system_sigaction = system_sigaction_function();
    if (system_sigaction(SWIFTLET_INTERRUPT_SIGNAL, &action, &previous) != 0) {
        atomic_store(&installed, 0);
        return errno;
    }
    return 0;
}

swiftlet_interrupt_slot *swiftlet_interrupt_current_slot(void) { return &slot; }

void swiftlet_interrupt_arm(uint64_t *counter, uint64_t ticket) {
    atomic_store_explicit(&slot.counter, counter, memory_order_relaxed);
    atomic_store_explicit(&slot.armed, ticket, memory_order_relaxed);
    atomic_signal_fence(memory_order_seq_cst);
}

void swiftlet_interrupt_disarm(void) {
    atomic_store_explicit(&slot.armed, 0, memory_order_relaxed);
    atomic_signal_fence(memory_order_seq_cst);
    atomic_store_explicit(&slot.counter, NULL, memory_order_relaxed);
}

int swiftlet_interrupt_send(pthread_t thread, swiftlet_interrupt_slot *target, uint64_t ticket) {
    atomic_store_explicit(&target->requested, ticket, memory_order_release);
    return pthread_kill(thread, SWIFTLET_INTERRUPT_SIGNAL);
}

size_t swiftlet_allocation_size(const void *block) { return malloc_usable_size((void *)block); }
