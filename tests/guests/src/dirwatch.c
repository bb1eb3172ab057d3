/* dirwatch.exe: directory change notifications. FindFirstChangeNotification's errors (a
 * missing directory, a NULL name, a file, a bad filter); a watch that is not signalled
 * before anything changes, signalled by a new file, reset by FindNextChangeNotification;
 * a subtree watch seeing a file made in a subdirectory; a directory's removal completing
 * its own watch; attribute changes (setting the same ones too) and size changes;
 * FindNext/FindClose of a handle that is not a watch's. Also GetDiskFreeSpace of `\\`, `/`
 * and "", and Windows 2000's GetVolumeNameForVolumeMountPoint of C:\\. Works in the current
 * directory (the drive's root). One line per check ("name: value"); expected/dirwatch.expected,
 * Wine's in expected/dirwatch.wine. */
#include "guest.h"

#define CHECK_FAIL(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_u(name, v_); check_u(name " last_error", GetLastError()); } while (0)

static void make_file(const char *name, DWORD size)
{
    char buf[64] = {0};
    DWORD n;
    HANDLE f = CreateFileA(name, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    if (size) WriteFile(f, buf, size, &n, NULL);
    CloseHandle(f);
}

void __stdcall start(void)
{
    HANDLE h, sub, gone;
    CreateDirectoryA("watchdir", NULL);
    CreateDirectoryA("watchdir\\sub", NULL);
    CreateDirectoryA("gone", NULL);
    make_file("watchdir\\file.txt", 0);

    CHECK_FAIL("FindFirstChangeNotification(missing) invalid",
               FindFirstChangeNotificationA("no-such-dir", FALSE, FILE_NOTIFY_CHANGE_FILE_NAME) == INVALID_HANDLE_VALUE);
    CHECK_FAIL("FindFirstChangeNotification(NULL) invalid",
               FindFirstChangeNotificationA(NULL, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME) == INVALID_HANDLE_VALUE);
    CHECK_FAIL("FindFirstChangeNotification(a file) invalid",
               FindFirstChangeNotificationA("watchdir\\file.txt", FALSE, FILE_NOTIFY_CHANGE_FILE_NAME) == INVALID_HANDLE_VALUE);
    CHECK_FAIL("FindFirstChangeNotification(filter 0) invalid",
               FindFirstChangeNotificationA("watchdir", FALSE, 0) == INVALID_HANDLE_VALUE);
    CHECK_FAIL("FindNextChangeNotification(NULL)", FindNextChangeNotification(NULL));
    CHECK_FAIL("FindCloseChangeNotification(NULL)", FindCloseChangeNotification(NULL));

    h = FindFirstChangeNotificationA("watchdir", FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
    check_u("FindFirstChangeNotification(watchdir) valid", h != INVALID_HANDLE_VALUE);
    check_u("nothing changed yet", WaitForSingleObject(h, 0));
    make_file("watchdir\\new.txt", 0);
    check_u("a new file signals", WaitForSingleObject(h, 5000));
    check_u("FindNextChangeNotification", FindNextChangeNotification(h));
    check_u("reset by FindNextChangeNotification", WaitForSingleObject(h, 0));
    DeleteFileA("watchdir\\new.txt");
    check_u("a deleted file signals", WaitForSingleObject(h, 5000));
    check_u("FindCloseChangeNotification", FindCloseChangeNotification(h));

    h = FindFirstChangeNotificationA("watchdir", TRUE, FILE_NOTIFY_CHANGE_FILE_NAME);
    make_file("watchdir\\sub\\deep.txt", 0);
    check_u("a subtree watch sees a subdirectory's new file", WaitForSingleObject(h, 5000));
    FindCloseChangeNotification(h);

    h = FindFirstChangeNotificationA("watchdir", FALSE, FILE_NOTIFY_CHANGE_ATTRIBUTES);
    SetFileAttributesA("watchdir\\file.txt", FILE_ATTRIBUTE_READONLY);
    check_u("an attribute change signals", WaitForSingleObject(h, 5000));
    FindCloseChangeNotification(h);
    SetFileAttributesA("watchdir\\file.txt", FILE_ATTRIBUTE_NORMAL);
    h = FindFirstChangeNotificationA("watchdir", FALSE, FILE_NOTIFY_CHANGE_ATTRIBUTES);
    SetFileAttributesA("watchdir\\file.txt", FILE_ATTRIBUTE_NORMAL);
    check_u("setting the attributes a file has signals", WaitForSingleObject(h, 5000));
    FindCloseChangeNotification(h);

    h = FindFirstChangeNotificationA("watchdir", FALSE, FILE_NOTIFY_CHANGE_SIZE);
    make_file("watchdir\\file.txt", 40);
    check_u("a size change signals", WaitForSingleObject(h, 5000));
    FindCloseChangeNotification(h);

    h = FindFirstChangeNotificationA("watchdir", FALSE, FILE_NOTIFY_CHANGE_DIR_NAME);
    CreateDirectoryA("watchdir\\made", NULL);
    check_u("a new directory signals", WaitForSingleObject(h, 5000));
    FindCloseChangeNotification(h);

    gone = FindFirstChangeNotificationA("gone", FALSE, FILE_NOTIFY_CHANGE_DIR_NAME);
    check_u("RemoveDirectory(watched)", RemoveDirectoryA("gone"));
    check_u("removing the watched directory completes its watch", WaitForSingleObject(gone, 5000));
    FindCloseChangeNotification(gone);

    sub = FindFirstChangeNotificationA("watchdir\\sub", FALSE, FILE_NOTIFY_CHANGE_FILE_NAME);
    FindCloseChangeNotification(sub);
    DeleteFileA("watchdir\\sub\\deep.txt");
    DeleteFileA("watchdir\\file.txt");
    RemoveDirectoryA("watchdir\\sub");
    RemoveDirectoryA("watchdir\\made");
    RemoveDirectoryA("watchdir");

    {
        DWORD spc, bps, fc, tc, i, shape;
        char vol[64];
        CHECK_FAIL("GetDiskFreeSpaceA(backslash)", GetDiskFreeSpaceA("\\", &spc, &bps, &fc, &tc));
        CHECK_FAIL("GetDiskFreeSpaceA(slash)", GetDiskFreeSpaceA("/", &spc, &bps, &fc, &tc));
        CHECK_FAIL("GetDiskFreeSpaceA(empty)", GetDiskFreeSpaceA("", &spc, &bps, &fc, &tc));
        CHECK_FAIL("GetVolumeNameForVolumeMountPointA(C root)",
                   GetVolumeNameForVolumeMountPointA("C:\\", vol, sizeof vol));
        for (i = 0; vol[i]; i++) ;
        shape = i == 49 && vol[0] == '\\' && vol[2] == '?' && vol[4] == 'V' && vol[10] == '{' && vol[47] == '}';
        check_u("GetVolumeNameForVolumeMountPointA(C root) shape", shape);
        CHECK_FAIL("GetVolumeNameForVolumeMountPointA(too small)",
                   GetVolumeNameForVolumeMountPointA("C:\\", vol, 20));
    }
    ExitProcess(0);
}
