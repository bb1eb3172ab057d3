# reg.exe for NT on Alpha: a subset of the x86 twin's checks (tests/guests/src/reg.c), printing
# the same lines in the same order (expected/reg-alpha.expected), but for the processor's
# identifier, which is the Alpha's own: the default contents, ADVAPI32's registry functions
# with their error codes (access masks, volatile keys, deleted keys, handles, paths,
# notification), NtOpenKey, SIDs and account lookup, tokens and impersonation, privileges,
# IsTextUnicode, GetCurrentHwProfile, the event log and the profile functions. Run it with a
# writable drive C:.
        .include "common.inc"

# Prints "NAME: value" (NAME a quoted string: names here have spaces).
        .macro SHOW name, reg
        mov     \reg, $17
        .pushsection .data
.Lshow\@:
        .asciz  "\name"
        .popsection
        LA      $16, .Lshow\@
        bsr     $26, show_u
        .endm

        .macro SHOWX name, reg
        mov     \reg, $17
        .pushsection .data
.Lshowx\@:
        .asciz  "\name"
        .popsection
        LA      $16, .Lshowx\@
        bsr     $26, show_x
        .endm

# Prints NAME: "the string at OFFSET($30)".
        .macro SHOWS name, offset
        lda     $17, \offset($30)
        .pushsection .data
.Lshows\@:
        .asciz  "\name"
        .popsection
        LA      $16, .Lshows\@
        bsr     $26, show_s
        .endm

# Loads a predefined key (0x80000000 + n, sign-extended as a handle is).
        .macro HKEY reg, n
        ldah    \reg, -32768($31)
        lda     \reg, \n(\reg)
        .endm

        .macro LOADW reg, offset
        ldl     \reg, \offset($30)
        .endm

        .macro SETW offset, value
        lda     $1, \value($31)
        stl     $1, \offset($30)
        .endm

# The frame: outgoing stack arguments at 0-63, saved registers at 64-103, then: disp 104,
# type 108, size 112, dw 116, a key handle 120, n 124, buf[128] 128, name[64] 256, token 320,
# sid 324, event 328, luid 332, use 340, domain size 344, HW_PROFILE_INFOA 352,
# UNICODE_STRING 480, OBJECT_ATTRIBUTES 488.
        .text
        .globl start
        .ent start
start:
        lda     $30, -528($30)
        stq     $26, 64($30)
        stq     $9, 72($30)
        stq     $10, 80($30)
        stq     $11, 88($30)

        # ----- the default contents -----
        HKEY    $16, 2
        LA      $17, s_currentversion_key
        mov     $31, $18
        ldah    $19, 2($31)
        lda     $19, 25($19)                    # KEY_READ
        lda     $20, 120($30)
        CALL    ADVAPI32$RegOpenKeyExA
        SETW    112, 128
        LOADW   $16, 120
        LA      $17, s_currentversion
        mov     $31, $18
        lda     $19, 108($30)
        lda     $20, 128($30)
        lda     $21, 112($30)
        CALL    ADVAPI32$RegQueryValueExA
        SHOWS   "current version", 128
        LOADW   $16, 120
        CALL    ADVAPI32$RegCloseKey
        HKEY    $16, 2
        LA      $17, s_cpu_key
        mov     $31, $18
        ldah    $19, 2($31)
        lda     $19, 25($19)
        lda     $20, 120($30)
        CALL    ADVAPI32$RegOpenKeyExA
        SHOW    "open cpu", $0
        SETW    112, 128
        LOADW   $16, 120
        LA      $17, s_identifier
        mov     $31, $18
        lda     $19, 108($30)
        lda     $20, 128($30)
        lda     $21, 112($30)
        CALL    ADVAPI32$RegQueryValueExA
        SHOWS   "cpu identifier", 128
        LOADW   $16, 120
        CALL    ADVAPI32$RegCloseKey

        # ----- keys and values -----
        HKEY    $16, 1
        LA      $17, s_test_deep
        mov     $31, $18
        LA      $19, s_the_class
        mov     $31, $20
        ldah    $21, 15($31)
        lda     $21, 63($21)                    # KEY_ALL_ACCESS
        stq     $31, 0($30)
        lda     $1, 120($30)
        stq     $1, 8($30)
        lda     $1, 104($30)
        stq     $1, 16($30)
        CALL    ADVAPI32$RegCreateKeyExA
        SHOW    "create new", $0
        LOADW   $1, 104
        SHOW    "create disposition", $1
        LOADW   $16, 120
        CALL    ADVAPI32$RegCloseKey
        HKEY    $16, 1
        LA      $17, s_test
        mov     $31, $18
        mov     $31, $19
        mov     $31, $20
        ldah    $21, 15($31)
        lda     $21, 63($21)
        stq     $31, 0($30)
        lda     $1, 120($30)
        stq     $1, 8($30)
        lda     $1, 104($30)
        stq     $1, 16($30)
        CALL    ADVAPI32$RegCreateKeyExA
        SHOW    "create existing", $0
        LOADW   $1, 104
        SHOW    "create existing disposition", $1
        LOADW   $9, 120                         # s0: the test key

        ldah    $1, 0x1234($31)
        lda     $1, 0x5678($1)
        stl     $1, 116($30)
        mov     $9, $16
        LA      $17, s_number
        mov     $31, $18
        lda     $19, 4($31)                     # REG_DWORD
        lda     $20, 116($30)
        lda     $21, 4($31)
        CALL    ADVAPI32$RegSetValueExA
        SHOW    "set dword", $0
        mov     $9, $16
        LA      $17, s_text
        mov     $31, $18
        lda     $19, 1($31)                     # REG_SZ
        LA      $20, s_hello
        lda     $21, 6($31)
        CALL    ADVAPI32$RegSetValueExA
        SHOW    "set sz", $0

        SETW    112, 4
        stl     $31, 116($30)
        mov     $9, $16
        LA      $17, s_number_lower
        mov     $31, $18
        lda     $19, 108($30)
        lda     $20, 116($30)
        lda     $21, 112($30)
        CALL    ADVAPI32$RegQueryValueExA
        SHOW    "query dword", $0
        LOADW   $1, 108
        SHOW    "query dword type", $1
        LOADW   $1, 116
        SHOWX   "query dword value", $1
        SETW    112, 64
        mov     $9, $16
        LA      $17, s_text
        mov     $31, $18
        lda     $19, 108($30)
        lda     $20, 128($30)
        lda     $21, 112($30)
        CALL    ADVAPI32$RegQueryValueExA
        SHOW    "query sz", $0
        LOADW   $1, 112
        SHOW    "query sz size", $1
        SHOWS   "query sz data", 128
        SETW    112, 2
        mov     $9, $16
        LA      $17, s_text
        mov     $31, $18
        lda     $19, 108($30)
        lda     $20, 128($30)
        lda     $21, 112($30)
        CALL    ADVAPI32$RegQueryValueExA
        SHOW    "query short buffer", $0
        LOADW   $1, 112
        SHOW    "query short buffer size", $1
        SETW    112, 77
        mov     $9, $16
        LA      $17, s_missing
        mov     $31, $18
        lda     $19, 108($30)
        mov     $31, $20
        lda     $21, 112($30)
        CALL    ADVAPI32$RegQueryValueExA
        SHOW    "query missing", $0
        LOADW   $1, 112
        SHOW    "query missing size", $1

        # RegSetValue / RegQueryValue: the default value of a subkey.
        mov     $9, $16
        LA      $17, s_dv
        lda     $18, 1($31)
        LA      $19, s_default_text
        mov     $31, $20
        CALL    ADVAPI32$RegSetValueA
        SHOW    "setvalue", $0
        SETW    112, 128
        mov     $9, $16
        LA      $17, s_dv
        lda     $18, 128($30)
        lda     $19, 112($30)
        CALL    ADVAPI32$RegQueryValueA
        SHOW    "queryvalue", $0
        SHOWS   "queryvalue data", 128
        LOADW   $1, 112
        SHOW    "queryvalue size", $1

        # A key opened for reading cannot be written.
        HKEY    $16, 1
        LA      $17, s_test
        mov     $31, $18
        ldah    $19, 2($31)
        lda     $19, 25($19)
        lda     $20, 120($30)
        CALL    ADVAPI32$RegOpenKeyExA
        SHOW    "open read", $0
        LOADW   $16, 120
        LA      $17, s_x
        mov     $31, $18
        lda     $19, 4($31)
        lda     $20, 116($30)
        lda     $21, 4($31)
        CALL    ADVAPI32$RegSetValueExA
        SHOW    "write read-only", $0
        LOADW   $11, 120                        # the read-only handle
        mov     $11, $16
        LA      $17, s_viaro
        mov     $31, $18
        mov     $31, $19
        mov     $31, $20
        ldah    $21, 2($31)
        lda     $21, 25($21)
        stq     $31, 0($30)
        lda     $1, 120($30)
        stq     $1, 8($30)
        lda     $1, 104($30)
        stq     $1, 16($30)
        CALL    ADVAPI32$RegCreateKeyExA
        SHOW    "create under read-only", $0
        LOADW   $16, 120
        CALL    ADVAPI32$RegCloseKey
        mov     $11, $16
        CALL    ADVAPI32$RegCloseKey

        # Enumeration: subkeys sorted without regard to case.
        mov     $9, $16
        LA      $17, s_zeta
        lda     $18, 120($30)
        CALL    ADVAPI32$RegCreateKeyA
        LOADW   $16, 120
        CALL    ADVAPI32$RegCloseKey
        mov     $9, $16
        LA      $17, s_alpha
        lda     $18, 120($30)
        CALL    ADVAPI32$RegCreateKeyA
        LOADW   $16, 120
        CALL    ADVAPI32$RegCloseKey
        mov     $31, $10                        # s1: the index
1:      SETW    124, 64
        mov     $9, $16
        mov     $10, $17
        lda     $18, 256($30)
        lda     $19, 124($30)
        mov     $31, $20
        mov     $31, $21
        stq     $31, 0($30)
        stq     $31, 8($30)
        CALL    ADVAPI32$RegEnumKeyExA
        bne     $0, 2f
        LA      $16, s_enum_key
        bsr     $26, put
        mov     $10, $16
        bsr     $26, put_dec
        LA      $16, show_colon
        bsr     $26, put
        lda     $16, 256($30)
        bsr     $26, put
        LA      $16, show_newline
        bsr     $26, put
        addq    $10, 1, $10
        br      $31, 1b
2:      SHOW    "enum key end", $0

        mov     $9, $16
        mov     $31, $17
        mov     $31, $18
        mov     $31, $19
        lda     $20, 104($30)                   # subkeys
        lda     $21, 124($30)                   # max subkey length
        stq     $31, 0($30)
        stq     $31, 8($30)
        stq     $31, 16($30)
        stq     $31, 24($30)
        stq     $31, 32($30)
        stq     $31, 40($30)
        CALL    ADVAPI32$RegQueryInfoKeyA
        SHOW    "info", $0
        LOADW   $1, 104
        SHOW    "info subkeys", $1
        LOADW   $1, 124
        SHOW    "info max subkey", $1

        # Volatile keys, and deleting.
        mov     $9, $16
        LA      $17, s_vol
        mov     $31, $18
        mov     $31, $19
        lda     $20, 1($31)                     # REG_OPTION_VOLATILE
        ldah    $21, 15($31)
        lda     $21, 63($21)
        stq     $31, 0($30)
        lda     $1, 120($30)
        stq     $1, 8($30)
        lda     $1, 104($30)
        stq     $1, 16($30)
        CALL    ADVAPI32$RegCreateKeyExA
        SHOW    "create volatile", $0
        LOADW   $10, 120                        # s1: the volatile key
        mov     $10, $16
        LA      $17, s_child
        mov     $31, $18
        mov     $31, $19
        mov     $31, $20
        ldah    $21, 15($31)
        lda     $21, 63($21)
        stq     $31, 0($30)
        lda     $1, 120($30)
        stq     $1, 8($30)
        lda     $1, 104($30)
        stq     $1, 16($30)
        CALL    ADVAPI32$RegCreateKeyExA
        SHOW    "child must be volatile", $0
        mov     $10, $16
        LA      $17, s_child
        mov     $31, $18
        mov     $31, $19
        lda     $20, 1($31)
        ldah    $21, 15($31)
        lda     $21, 63($21)
        stq     $31, 0($30)
        lda     $1, 120($30)
        stq     $1, 8($30)
        lda     $1, 104($30)
        stq     $1, 16($30)
        CALL    ADVAPI32$RegCreateKeyExA
        SHOW    "volatile child", $0
        LOADW   $16, 120
        CALL    ADVAPI32$RegCloseKey
        mov     $9, $16
        LA      $17, s_vol
        CALL    ADVAPI32$RegDeleteKeyA
        SHOW    "delete with subkeys", $0
        mov     $10, $16
        LA      $17, s_child
        CALL    ADVAPI32$RegDeleteKeyA
        SHOW    "delete volatile child", $0
        mov     $9, $16
        LA      $17, s_vol
        CALL    ADVAPI32$RegDeleteKeyA
        SHOW    "delete volatile", $0
        mov     $10, $16
        LA      $17, s_x
        mov     $31, $18
        mov     $31, $19
        mov     $31, $20
        mov     $31, $21
        CALL    ADVAPI32$RegQueryValueExA
        SHOW    "deleted key query", $0
        mov     $10, $16
        LA      $17, s_x
        mov     $31, $18
        lda     $19, 4($31)
        lda     $20, 116($30)
        lda     $21, 4($31)
        CALL    ADVAPI32$RegSetValueExA
        SHOW    "deleted key set", $0
        mov     $10, $16
        CALL    ADVAPI32$RegCloseKey
        SHOW    "close deleted key", $0
        mov     $9, $16
        LA      $17, s_missing
        CALL    ADVAPI32$RegDeleteValueA
        SHOW    "delete missing value", $0

        # Handles and paths.
        lda     $16, 0x1234($31)
        CALL    ADVAPI32$RegCloseKey
        SHOW    "close bad handle", $0
        mov     $31, $16
        CALL    ADVAPI32$RegCloseKey
        SHOW    "close null", $0
        HKEY    $16, 2
        CALL    ADVAPI32$RegCloseKey
        SHOW    "close predefined", $0
        HKEY    $16, 1
        LA      $17, s_backslash_software
        mov     $31, $18
        ldah    $19, 2($31)
        lda     $19, 25($19)
        lda     $20, 120($30)
        CALL    ADVAPI32$RegOpenKeyExA
        SHOW    "open leading backslash", $0
        mov     $9, $16
        CALL    ADVAPI32$RegFlushKey
        SHOW    "flush", $0

        # Change notification.
        mov     $31, $16
        mov     $31, $17
        mov     $31, $18
        mov     $31, $19
        CALL    CreateEventA
        stl     $0, 328($30)
        mov     $9, $16
        mov     $31, $17
        lda     $18, 4($31)                     # REG_NOTIFY_CHANGE_LAST_SET
        LOADW   $19, 328
        lda     $20, 1($31)
        CALL    ADVAPI32$RegNotifyChangeKeyValue
        SHOW    "notify", $0
        LOADW   $16, 328
        mov     $31, $17
        CALL    WaitForSingleObject
        SHOW    "notify before", $0
        mov     $9, $16
        LA      $17, s_number
        mov     $31, $18
        lda     $19, 4($31)
        lda     $20, 116($30)
        lda     $21, 4($31)
        CALL    ADVAPI32$RegSetValueExA
        LOADW   $16, 328
        mov     $31, $17
        CALL    WaitForSingleObject
        SHOW    "notify after set", $0
        LOADW   $16, 328
        CALL    CloseHandle
        mov     $9, $16
        CALL    ADVAPI32$RegCloseKey

        # ----- NTDLL -----
        lda     $16, 480($30)
        LA      $17, w_registry_user
        CALL    NTDLL$RtlInitUnicodeString
        ldwu    $1, 480($30)
        SHOW    "rtl init length", $1
        ldwu    $1, 482($30)
        SHOW    "rtl init maximum", $1
        lda     $1, 24($31)
        stl     $1, 488($30)                    # Length
        stl     $31, 492($30)                   # RootDirectory
        lda     $1, 480($30)
        stl     $1, 496($30)                    # ObjectName
        lda     $1, 0x40($31)
        stl     $1, 500($30)                    # OBJ_CASE_INSENSITIVE
        stl     $31, 504($30)
        stl     $31, 508($30)
        lda     $16, 120($30)
        ldah    $17, 2($31)
        lda     $17, 25($17)
        lda     $18, 488($30)
        CALL    NTDLL$NtOpenKey
        SHOWX   "nt open absolute", $0
        LOADW   $16, 120
        CALL    NTDLL$NtClose

        # ----- security -----
        SETW    112, 64
        lda     $16, 256($30)
        lda     $17, 112($30)
        CALL    ADVAPI32$GetUserNameA
        SHOW    "getusername", $0
        LA      $16, nt_authority
        lda     $17, 2($31)
        lda     $18, 32($31)                    # SECURITY_BUILTIN_DOMAIN_RID
        lda     $19, 544($31)                   # DOMAIN_ALIAS_RID_ADMINS
        mov     $31, $20
        mov     $31, $21
        stq     $31, 0($30)
        stq     $31, 8($30)
        stq     $31, 16($30)
        stq     $31, 24($30)
        lda     $1, 324($30)
        stq     $1, 32($30)
        CALL    ADVAPI32$AllocateAndInitializeSid
        SHOW    "allocate sid", $0
        LOADW   $16, 324
        CALL    ADVAPI32$IsValidSid
        SHOW    "sid valid", $0
        LOADW   $16, 324
        CALL    ADVAPI32$GetLengthSid
        SHOW    "sid length", $0
        SETW    124, 64
        SETW    344, 64
        mov     $31, $16
        LOADW   $17, 324
        lda     $18, 256($30)
        lda     $19, 124($30)
        lda     $20, 128($30)
        lda     $21, 344($30)
        lda     $1, 340($30)
        stq     $1, 0($30)
        CALL    ADVAPI32$LookupAccountSidA
        SHOW    "lookup sid", $0
        SHOWS   "lookup sid name", 256
        SHOWS   "lookup sid domain", 128
        LOADW   $1, 340
        SHOW    "lookup sid use", $1
        lda     $16, -1($31)                    # GetCurrentProcess()
        lda     $17, 8($31)                     # TOKEN_QUERY
        lda     $18, 320($30)
        CALL    ADVAPI32$OpenProcessToken
        SHOW    "open process token", $0
        LOADW   $16, 320
        CALL    CloseHandle
        mov     $31, $16
        LA      $17, s_backup_lower
        lda     $18, 332($30)
        CALL    ADVAPI32$LookupPrivilegeValueA
        SHOW    "lookup privilege value", $0
        LOADW   $1, 332
        SHOW    "lookup privilege luid", $1
        lda     $16, 2($31)                     # SecurityImpersonation
        CALL    ADVAPI32$ImpersonateSelf
        SHOW    "impersonate self", $0
        lda     $16, -2($31)                    # GetCurrentThread()
        lda     $17, 8($31)
        mov     $31, $18
        lda     $19, 320($30)
        CALL    ADVAPI32$OpenThreadToken
        SHOW    "open thread token", $0
        LOADW   $16, 320
        CALL    CloseHandle
        CALL    ADVAPI32$RevertToSelf
        SHOW    "revert", $0
        mov     $31, $16
        CALL    SetLastError
        lda     $16, -2($31)
        lda     $17, 8($31)
        mov     $31, $18
        lda     $19, 320($30)
        CALL    ADVAPI32$OpenThreadToken
        SHOW    "open thread token after revert", $0
        CALL    GetLastError
        SHOW    "open thread token error", $0

        # ----- IsTextUnicode, GetCurrentHwProfile, the event log -----
        LA      $16, w_hello_wide
        lda     $17, 34($31)
        mov     $31, $18
        CALL    ADVAPI32$IsTextUnicode
        SHOW    "text unicode wide", $0
        LA      $16, s_hello_narrow
        lda     $17, 19($31)
        mov     $31, $18
        CALL    ADVAPI32$IsTextUnicode
        SHOW    "text unicode ansi", $0
        lda     $16, 352($30)
        CALL    ADVAPI32$GetCurrentHwProfileA
        SHOW    "hw profile", $0
        lda     $16, 356($30)
        CALL    lstrlenA
        SHOW    "hw profile guid length", $0
        mov     $31, $16
        LA      $17, s_source
        CALL    ADVAPI32$RegisterEventSourceA
        stl     $0, 328($30)
        cmpult  $31, $0, $1
        SHOW    "register event source", $1
        LA      $1, s_hello
        stl     $1, 256($30)
        LA      $1, s_source
        stl     $1, 260($30)
        LOADW   $16, 328
        lda     $17, 4($31)                     # EVENTLOG_INFORMATION_TYPE
        lda     $18, 1($31)
        lda     $19, 0x1234($31)
        mov     $31, $20
        lda     $21, 2($31)
        stq     $31, 0($30)
        lda     $1, 256($30)
        stq     $1, 8($30)
        stq     $31, 16($30)
        CALL    ADVAPI32$ReportEventA
        SHOW    "report event", $0
        LOADW   $16, 328
        CALL    ADVAPI32$DeregisterEventSource
        SHOW    "deregister event source", $0

        # ----- the profile functions -----
        LA      $16, s_section
        LA      $17, s_key
        LA      $18, s_value
        LA      $19, s_ini
        CALL    WritePrivateProfileStringA
        SHOW    "write profile", $0
        LA      $16, s_section_upper
        LA      $17, s_key_upper
        LA      $18, s_dflt
        lda     $19, 128($30)
        lda     $20, 64($31)
        LA      $21, s_ini
        CALL    GetPrivateProfileStringA
        SHOW    "get profile", $0
        SHOWS   "get profile text", 128

        LA      $16, s_done
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
        .end start

# show_s(a0 = name, a1 = string): prints name: "string".
        .ent show_s
show_s:
        lda     $30, -32($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        mov     $17, $9
        bsr     $26, put
        LA      $16, s_open_quote
        bsr     $26, put
        mov     $9, $16
        bsr     $26, put
        LA      $16, s_close_quote
        bsr     $26, put
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        lda     $30, 32($30)
        ret     $31, ($26)
        .end show_s

        .include "helpers.inc"

        .data
nt_authority:           .byte 0, 0, 0, 0, 0, 5
s_open_quote:           .asciz ": \""
s_close_quote:          .asciz "\"\n"
s_currentversion_key:   .asciz "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
s_currentversion:       .asciz "CurrentVersion"
s_cpu_key:              .asciz "HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0"
s_identifier:           .asciz "Identifier"
s_test:                 .asciz "Software\\ntemu-regtest"
s_test_deep:            .asciz "Software\\ntemu-regtest\\deep"
s_the_class:            .asciz "the class"
s_number:               .asciz "Number"
s_number_lower:         .asciz "number"
s_text:                 .asciz "Text"
s_hello:                .asciz "hello"
s_missing:              .asciz "Missing"
s_dv:                   .asciz "dv"
s_default_text:         .asciz "default text"
s_x:                    .asciz "x"
s_viaro:                .asciz "viaro"
s_zeta:                 .asciz "Zeta"
s_alpha:                .asciz "alpha"
s_enum_key:             .asciz "enum key "
s_vol:                  .asciz "vol"
s_child:                .asciz "child"
s_backslash_software:   .asciz "\\Software"
s_backup_lower:         .asciz "sebackupprivilege"
s_hello_narrow:         .asciz "Hello, narrow world"
s_source:               .asciz "ntemu-reg"
s_section:              .asciz "Section"
s_section_upper:        .asciz "SECTION"
s_key:                  .asciz "Key"
s_key_upper:            .asciz "KEY"
s_value:                .asciz "value"
s_dflt:                 .asciz "dflt"
s_ini:                  .asciz "C:\\ntemu-reg.ini"
s_done:                 .asciz "done\n"
        .align 1
w_registry_user:        .short 0x5c, 0x52, 0x65, 0x67, 0x69, 0x73, 0x74, 0x72, 0x79, 0x5c
                        .short 0x55, 0x73, 0x65, 0x72, 0
w_hello_wide:           .short 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x77, 0x69, 0x64
                        .short 0x65, 0x20, 0x77, 0x6f, 0x72, 0x6c, 0x64, 0
