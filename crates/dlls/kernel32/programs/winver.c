/* winver.exe: ntemu's own version of NT 4.0's system program C:\WINNT\system32\winver.exe,
 * which shows the system's version in an About box and ends when it is closed. Built by
 * build.sh beside this file (mingw-w64); the image is committed and served by KERNEL32 as
 * the file C:\WINNT\system32\winver.exe when the drive holds none of that name. */
#include <windows.h>

void __stdcall start(void)
{
    OSVERSIONINFOA v;
    char text[128];
    v.dwOSVersionInfoSize = sizeof(v);
    GetVersionExA(&v);
    wsprintfA(text, "Microsoft (R) Windows NT (TM)\nVersion %lu.%lu (Build %lu: %s)",
              v.dwMajorVersion, v.dwMinorVersion, v.dwBuildNumber, v.szCSDVersion);
    MessageBoxA(NULL, text, "About Windows NT", MB_OK | MB_ICONINFORMATION);
    ExitProcess(0);
}
