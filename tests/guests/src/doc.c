/* doc.exe: the delete-on-close attack of issue 13. The test gives the guest a drive holding
 * C:\c\s, a host symbolic link to a folder outside the drive with doomed.txt in it. The guest
 * creates C:\b\s\doomed.txt with FILE_FLAG_DELETE_ON_CLOSE, moves its folder C:\b away to
 * C:\b2, moves C:\c (the folder holding the link) to C:\b, and closes the handle: a close
 * that deleted by the path recorded at open would now run through the link and delete the
 * outside file. The file it made must go, and nothing outside may change. */
#include "guest.h"

void __stdcall start(void)
{
    HANDLE h;
    DWORD written = 0;

    check_u("link-looks-absent", GetFileAttributesA("C:\\c\\s") == INVALID_FILE_ATTRIBUTES);
    check_u("link-looks-absent-error", GetLastError());
    check_u("mkdir-b", CreateDirectoryA("C:\\b", NULL));
    check_u("mkdir-b-s", CreateDirectoryA("C:\\b\\s", NULL));
    h = CreateFileA("C:\\b\\s\\doomed.txt", GENERIC_WRITE, FILE_SHARE_DELETE, NULL, CREATE_NEW,
                    FILE_FLAG_DELETE_ON_CLOSE, NULL);
    check_u("create-delete-on-close", h != INVALID_HANDLE_VALUE);
    check_u("write", WriteFile(h, "inside\r\n", 8, &written, NULL));
    check_u("move-b-away", MoveFileA("C:\\b", "C:\\b2"));
    check_u("move-c-to-b", MoveFileA("C:\\c", "C:\\b"));
    check_u("through-link-looks-absent",
            GetFileAttributesA("C:\\b\\s\\doomed.txt") == INVALID_FILE_ATTRIBUTES);
    check_u("moved-file-there", GetFileAttributesA("C:\\b2\\s\\doomed.txt") != INVALID_FILE_ATTRIBUTES);
    check_u("close", CloseHandle(h));
    check_u("moved-file-deleted-on-close",
            GetFileAttributesA("C:\\b2\\s\\doomed.txt") == INVALID_FILE_ATTRIBUTES);
    check_u("deleted-error", GetLastError());
    ExitProcess(0);
}
