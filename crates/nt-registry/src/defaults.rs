//! What the registry holds on a machine that has never written it: the keys and values an
//! NT 4.0 Workstation (Service Pack 6, U.S. English) installed on C:\WINNT shows its
//! programs, written as REGEDIT4 text so that they read as regedit would show them. The user
//! and computer names come from the machine's [`Identity`](crate::Identity).

use crate::Identity;

/// The processors whose HARDWARE\DESCRIPTION a process sees: its own CPU's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Processor {
    /// An Intel Pentium (family 5 model 2 stepping 4), as GetSystemInfo reports it.
    X86,
    /// A DEC Alpha 21164 (EV5), as GetSystemInfo reports it.
    Alpha,
}

/// HKEY_LOCAL_MACHINE\SOFTWARE.
pub(crate) fn software(id: &Identity) -> String {
    let user = &id.user;
    format!(
        r#"REGEDIT4

[HKEY_LOCAL_MACHINE\SOFTWARE]

[HKEY_LOCAL_MACHINE\SOFTWARE\Classes]

[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\.bat]
@="batfile"

[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\.exe]
@="exefile"

[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\.ini]
@="inifile"

[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\.reg]
@="regfile"

[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\.txt]
@="txtfile"

[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\CLSID]

[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\exefile]
@="Application"

[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\txtfile]
@="Text Document"

[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\txtfile\shell\open\command]
@=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,5c,73,79,73,74,65,6d,33,32,5c,4e,\
  4f,54,45,50,41,44,2e,45,58,45,20,25,31,00

[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft]

[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows]

[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion]
"CommonFilesDir"="C:\\Program Files\\Common Files"
"DevicePath"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,5c,69,6e,66,00
"MediaPath"="C:\\WINNT\\Media"
"ProgramFilesDir"="C:\\Program Files"
"ProgramFilesPath"=hex(2):25,50,72,6f,67,72,61,6d,46,69,6c,65,73,25,00
"WallPaperDir"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,00

[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT]

[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion]
"CSDVersion"="Service Pack 6"
"CurrentBuild"="1.511.1 () (Obsolete data - do not use)"
"CurrentBuildNumber"="1381"
"CurrentType"="Uniprocessor Free"
"CurrentVersion"="4.0"
"InstallDate"=dword:36cc7ba0
"PathName"="C:\\WINNT"
"ProductId"="12345-OEM-0012345-12345"
"ProductName"="Microsoft Windows NT"
"RegisteredOrganization"=""
"RegisteredOwner"="{user}"
"SoftwareType"="SYSTEM"
"SourcePath"="D:\\I386"
"SystemRoot"="C:\\WINNT"

[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Fonts]
"Arial (TrueType)"="ARIAL.TTF"
"Arial Bold (TrueType)"="ARIALBD.TTF"
"Arial Bold Italic (TrueType)"="ARIALBI.TTF"
"Arial Italic (TrueType)"="ARIALI.TTF"
"Courier 10,12,15"="COURE.FON"
"Courier New (TrueType)"="COUR.TTF"
"Courier New Bold (TrueType)"="COURBD.TTF"
"Courier New Bold Italic (TrueType)"="COURBI.TTF"
"Courier New Italic (TrueType)"="COURI.TTF"
"Lucida Console (TrueType)"="LUCON.TTF"
"Marlett (TrueType)"="MARLETT.TTF"
"Modern (Plotter)"="MODERN.FON"
"MS Sans Serif 8,10,12,14,18,24"="SSERIFE.FON"
"MS Serif 8,10,12,14,18,24"="SERIFE.FON"
"Roman (Plotter)"="ROMAN.FON"
"Script (Plotter)"="SCRIPT.FON"
"Small Fonts"="SMALLE.FON"
"Symbol (TrueType)"="SYMBOL.TTF"
"Symbol 8,10,12,14,18,24"="SYMBOLE.FON"
"Times New Roman (TrueType)"="TIMES.TTF"
"Times New Roman Bold (TrueType)"="TIMESBD.TTF"
"Times New Roman Bold Italic (TrueType)"="TIMESBI.TTF"
"Times New Roman Italic (TrueType)"="TIMESI.TTF"
"Wingdings (TrueType)"="WINGDING.TTF"

[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\FontSubstitutes]
"Helv"="MS Sans Serif"
"Helvetica"="Arial"
"MS Shell Dlg"="MS Sans Serif"
"Times"="Times New Roman"
"Tms Rmn"="MS Serif"

[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon]
"DefaultDomainName"="{computer}"
"DefaultUserName"="{user}"
"Shell"="Explorer.exe"
"Userinit"="C:\\WINNT\\system32\\userinit.exe,"
"#,
        computer = id.computer,
    )
}

/// HKEY_LOCAL_MACHINE\SYSTEM. CurrentControlSet is a key of its own here (NT makes it a
/// link to ControlSet001); HKEY_CURRENT_CONFIG is its Hardware Profiles\Current.
pub(crate) fn system(id: &Identity) -> String {
    format!(
        r#"REGEDIT4

[HKEY_LOCAL_MACHINE\SYSTEM]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\ComputerName]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\ComputerName\ComputerName]
"ComputerName"="{computer}"

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\IDConfigDB]
"CurrentConfig"=dword:00000001

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\IDConfigDB\Hardware Profiles]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\IDConfigDB\Hardware Profiles\0001]
"FriendlyName"="Original Configuration"
"HwProfileGuid"="{{3b6b2e40-8ce5-11d2-a7e1-00a0c9aa6f9c}}"
"PreferenceOrder"=dword:00000000

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Nls]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Nls\CodePage]
"ACP"="1252"
"MACCP"="10000"
"OEMCP"="437"

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Nls\Language]
"Default"="0409"
"InstallLanguage"="0409"

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Nls\Locale]
@="00000409"

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\ProductOptions]
"ProductType"="WinNT"

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Session Manager]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Session Manager\Environment]
"ComSpec"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,5c,73,79,73,74,65,6d,33,32,\
  5c,63,6d,64,2e,65,78,65,00
"NUMBER_OF_PROCESSORS"="1"
"Os2LibPath"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,5c,73,79,73,74,65,6d,\
  33,32,5c,6f,73,32,5c,64,6c,6c,3b,00
"OS"="Windows_NT"
"Path"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,5c,73,79,73,74,65,6d,33,32,3b,\
  25,53,79,73,74,65,6d,52,6f,6f,74,25,00
"PATHEXT"=".COM;.EXE;.BAT;.CMD"
"windir"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,00

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\TimeZoneInformation]
"ActiveTimeBias"=dword:00000000
"Bias"=dword:00000000
"DaylightBias"=dword:00000000
"DaylightName"="GMT Daylight Time"
"StandardBias"=dword:00000000
"StandardName"="GMT Standard Time"

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Windows]
"CSDVersion"=dword:00000600
"Directory"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,00
"SystemDirectory"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,5c,73,79,73,74,65,\
  6d,33,32,00

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Hardware Profiles]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Hardware Profiles\Current]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Hardware Profiles\Current\Software]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Hardware Profiles\Current\System]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\EventLog]

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\EventLog\Application]
"File"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,5c,73,79,73,74,65,6d,33,32,5c,\
  63,6f,6e,66,69,67,5c,41,70,70,45,76,65,6e,74,2e,45,76,74,00
"MaxSize"=dword:00080000
"Retention"=dword:00093a80

[HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\EventLog\System]
"MaxSize"=dword:00080000
"Retention"=dword:00093a80
"#,
        computer = id.computer,
    )
}

/// HKEY_LOCAL_MACHINE\SAM: nothing a program may read.
pub(crate) fn sam() -> String {
    "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SAM]\r\n\r\n[HKEY_LOCAL_MACHINE\\SAM\\SAM]\r\n".into()
}

/// HKEY_LOCAL_MACHINE\SECURITY: nothing a program may read.
pub(crate) fn security() -> String {
    "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SECURITY]\r\n".into()
}

/// A user's hive (HKEY_USERS\.DEFAULT or the logged-on user's), its keys under `root`.
pub(crate) fn user(root: &str) -> String {
    format!(
        r#"REGEDIT4

[{root}]

[{root}\Console]
"ColorTable00"=dword:00000000
"ColorTable01"=dword:00800000
"ColorTable02"=dword:00008000
"ColorTable03"=dword:00808000
"ColorTable04"=dword:00000080
"ColorTable05"=dword:00800080
"ColorTable06"=dword:00008080
"ColorTable07"=dword:00c0c0c0
"ColorTable08"=dword:00808080
"ColorTable09"=dword:00ff0000
"ColorTable10"=dword:0000ff00
"ColorTable11"=dword:00ffff00
"ColorTable12"=dword:000000ff
"ColorTable13"=dword:00ff00ff
"ColorTable14"=dword:0000ffff
"ColorTable15"=dword:00ffffff
"CursorSize"=dword:00000019
"FaceName"=""
"FontFamily"=dword:00000000
"FontSize"=dword:00000000
"FontWeight"=dword:00000000
"FullScreen"=dword:00000000
"HistoryBufferSize"=dword:00000032
"InsertMode"=dword:00000000
"NumberOfHistoryBuffers"=dword:00000004
"PopupColors"=dword:000000f5
"QuickEdit"=dword:00000000
"ScreenBufferSize"=dword:012c0050
"ScreenColors"=dword:00000007
"WindowSize"=dword:00190050

[{root}\Control Panel]

[{root}\Control Panel\Colors]
"Background"="0 128 128"
"ButtonFace"="192 192 192"
"ButtonText"="0 0 0"
"Window"="255 255 255"
"WindowText"="0 0 0"

[{root}\Control Panel\Desktop]
"CursorBlinkRate"="530"
"DragFullWindows"="0"
"ScreenSaveActive"="1"
"ScreenSaveTimeOut"="900"
"Wallpaper"="(None)"

[{root}\Control Panel\International]
"iCalendarType"="1"
"iCountry"="1"
"iCurrDigits"="2"
"iCurrency"="0"
"iDate"="0"
"iDigits"="2"
"iFirstDayOfWeek"="6"
"iFirstWeekOfYear"="0"
"iLZero"="1"
"iMeasure"="1"
"iNegCurr"="0"
"iNegNumber"="1"
"iTime"="0"
"iTimePrefix"="0"
"iTLZero"="0"
"Locale"="00000409"
"s1159"="AM"
"s2359"="PM"
"sCountry"="United States"
"sCurrency"="$"
"sDate"="/"
"sDecimal"="."
"sGrouping"="3;0"
"sLanguage"="ENU"
"sList"=","
"sLongDate"="dddd, MMMM dd, yyyy"
"sMonDecimalSep"="."
"sMonGrouping"="3;0"
"sMonThousandSep"=","
"sNativeDigits"="0123456789"
"sNegativeSign"="-"
"sPositiveSign"=""
"sShortDate"="M/d/yy"
"sThousand"=","
"sTime"=":"
"sTimeFormat"="h:mm:ss tt"

[{root}\Environment]
"TEMP"=hex(2):25,53,79,73,74,65,6d,44,72,69,76,65,25,5c,54,45,4d,50,00
"TMP"=hex(2):25,53,79,73,74,65,6d,44,72,69,76,65,25,5c,54,45,4d,50,00

[{root}\Keyboard Layout]

[{root}\Keyboard Layout\Preload]
"1"="00000409"

[{root}\Software]

[{root}\Software\Microsoft]

[{root}\Software\Microsoft\Windows]

[{root}\Software\Microsoft\Windows\CurrentVersion]

[{root}\Software\Microsoft\Windows NT]

[{root}\Software\Microsoft\Windows NT\CurrentVersion]

[{root}\Software\Microsoft\Windows NT\CurrentVersion\Windows]
"Device"=""
"Programs"="com exe bat pif cmd"
"#
    )
}

/// HKEY_LOCAL_MACHINE\HARDWARE (volatile, rebuilt at each boot) for `processor`: the
/// DESCRIPTION of the machine and its one CPU and FPU.
pub(crate) fn hardware(processor: Processor) -> String {
    let (system, cpu, vendor, mhz) = match processor {
        Processor::X86 => (
            "AT/AT COMPATIBLE",
            "x86 Family 5 Model 2 Stepping 4",
            "\"VendorIdentifier\"=\"GenuineIntel\"\r\n",
            133,
        ),
        Processor::Alpha => ("AlphaStation 500", "Alpha 21164 Model 10, Pass 0", "", 500),
    };
    format!(
        r#"REGEDIT4

[HKEY_LOCAL_MACHINE\HARDWARE]

[HKEY_LOCAL_MACHINE\HARDWARE\DESCRIPTION]

[HKEY_LOCAL_MACHINE\HARDWARE\DESCRIPTION\System]
"Component Information"=hex:00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00
"Identifier"="{system}"
"SystemBiosDate"="01/15/99"
"SystemBiosVersion"=hex(7):4e,54,45,4d,55,20,42,49,4f,53,20,31,2e,30,00,00

[HKEY_LOCAL_MACHINE\HARDWARE\DESCRIPTION\System\CentralProcessor]

[HKEY_LOCAL_MACHINE\HARDWARE\DESCRIPTION\System\CentralProcessor\0]
"Component Information"=hex:00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00
"Identifier"="{cpu}"
{vendor}"~MHz"=dword:{mhz:08x}

[HKEY_LOCAL_MACHINE\HARDWARE\DESCRIPTION\System\FloatingPointProcessor]

[HKEY_LOCAL_MACHINE\HARDWARE\DESCRIPTION\System\FloatingPointProcessor\0]
"Component Information"=hex:00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00
"Identifier"="{cpu}"

[HKEY_LOCAL_MACHINE\HARDWARE\DEVICEMAP]

[HKEY_LOCAL_MACHINE\HARDWARE\RESOURCEMAP]
"#
    )
}
