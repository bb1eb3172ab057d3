/* handles.exe: events, mutexes, semaphores, named objects, duplication, invalid-handle
 * errors and waits with timeouts; one result line per check. */
#include "guest.h"

void __stdcall start(void)
{
    HANDLE e, e2, m, s, d, self = GetCurrentProcess();
    DWORD flags = 0;
    LONG prev = -1;
    HANDLE pair[2];

    e = CreateEventA(NULL, TRUE, FALSE, NULL);
    check_u("event-created", e != NULL);
    check_u("event-wait-unsignalled", WaitForSingleObject(e, 0));
    check_u("set-event", SetEvent(e));
    check_u("event-wait-signalled", WaitForSingleObject(e, 0));
    check_u("reset-event", ResetEvent(e));
    check_u("event-wait-after-reset", WaitForSingleObject(e, 10));

    SetLastError(1234);
    e2 = CreateEventA(NULL, FALSE, TRUE, "ntemu-handles-event");
    check_u("named-event-last-error", GetLastError());
    CloseHandle(CreateEventA(NULL, FALSE, FALSE, "ntemu-handles-event"));
    check_u("named-event-again-last-error", GetLastError());
    check_u("auto-reset-first-wait", WaitForSingleObject(e2, 0));
    check_u("auto-reset-second-wait", WaitForSingleObject(e2, 0));
    check_u("open-missing-event", OpenEventA(EVENT_ALL_ACCESS, FALSE, "ntemu-no-such") == NULL);
    check_u("open-missing-event-error", GetLastError());
    check_u("mutex-over-event-name", CreateMutexA(NULL, FALSE, "ntemu-handles-event") == NULL);
    check_u("mutex-over-event-name-error", GetLastError());

    m = CreateMutexA(NULL, TRUE, NULL);
    check_u("mutex-recursive-wait", WaitForSingleObject(m, 0));
    check_u("release-mutex-1", ReleaseMutex(m));
    check_u("release-mutex-2", ReleaseMutex(m));
    check_u("release-unowned-mutex", ReleaseMutex(m));
    check_u("release-unowned-mutex-error", GetLastError());

    s = CreateSemaphoreA(NULL, 1, 2, NULL);
    check_u("semaphore-wait-1", WaitForSingleObject(s, 0));
    check_u("semaphore-wait-2", WaitForSingleObject(s, 0));
    check_u("release-semaphore-2", ReleaseSemaphore(s, 2, &prev));
    check_u("release-semaphore-previous", (unsigned long)prev);
    check_u("release-semaphore-past-max", ReleaseSemaphore(s, 1, NULL));
    check_u("release-semaphore-past-max-error", GetLastError());
    check_u("bad-semaphore", CreateSemaphoreA(NULL, 3, 2, NULL) == NULL);
    check_u("bad-semaphore-error", GetLastError());

    check_u("duplicate", DuplicateHandle(self, e, self, &d, 0, FALSE, DUPLICATE_SAME_ACCESS));
    check_u("duplicate-is-new", d != e);
    check_u("duplicate-close-source", DuplicateHandle(self, d, self, &d, 0, FALSE,
                                                      DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
    check_u("duplicate-narrow", DuplicateHandle(self, e, self, &d, SYNCHRONIZE, FALSE, 0));
    check_u("set-event-narrow", SetEvent(d));
    check_u("set-event-narrow-error", GetLastError());

    check_u("set-handle-information", SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE, HANDLE_FLAG_PROTECT_FROM_CLOSE));
    check_u("get-handle-information", GetHandleInformation(e, &flags));
    check_u("handle-flags", flags);
    check_u("close-protected", CloseHandle(e));
    check_u("close-protected-error", GetLastError());
    SetHandleInformation(e, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0);
    check_u("close-unprotected", CloseHandle(e));

    check_u("close-invalid", CloseHandle((HANDLE)0x1230));
    check_u("close-invalid-error", GetLastError());
    check_u("wait-invalid", WaitForSingleObject((HANDLE)0x1230, 0));
    check_u("wait-invalid-error", GetLastError());
    check_u("set-event-on-mutex", SetEvent(m));
    check_u("set-event-on-mutex-error", GetLastError());

    pair[0] = CreateEventA(NULL, TRUE, FALSE, NULL);
    pair[1] = CreateEventA(NULL, TRUE, TRUE, NULL);
    check_u("wait-any", WaitForMultipleObjects(2, pair, FALSE, 0));
    check_u("wait-all-timeout", WaitForMultipleObjects(2, pair, TRUE, 5));
    SetEvent(pair[0]);
    check_u("wait-all", WaitForMultipleObjects(2, pair, TRUE, 0));
    check_u("wait-zero-objects", WaitForMultipleObjects(0, pair, FALSE, 0));
    check_u("wait-zero-objects-error", GetLastError());

    put("done\n");
    ExitProcess(0);
}
