/* leak.exe: creates two events, closes one and exits: one handle leaks, for
 * `ntemu run --leaks` (its report must name exactly that handle, created by CreateEventA). */
#include "guest.h"

void __stdcall start(void)
{
    HANDLE kept = CreateEventA(NULL, TRUE, FALSE, "ntemu-leak-kept");
    HANDLE closed = CreateEventA(NULL, FALSE, FALSE, NULL);
    CloseHandle(closed);
    put("leaked: "); put_x((unsigned long)kept); put("\n");
    ExitProcess(0);
}
