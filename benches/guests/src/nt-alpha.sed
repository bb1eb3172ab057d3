# Rewrites alpha-linux-gnu-gcc's assembly (-mexplicit-relocs -mlarge-data) for an NT image
# made by tools/alpha-pe (benches/guests/build.sh): no GP (its loads go), a !literal load of
# a KERNEL32 function becomes a load from its import address table slot, any other !literal
# an absolute address as a !gprelhigh/!gprellow pair against GP 0, the lituse and samegp
# annotations go, and the string and constant sections are .rodata.
/!gpdisp/d
s/^\tldq (\$[0-9]+),(GetCommandLineA|GetStdHandle|WriteFile|QueryPerformanceCounter|QueryPerformanceFrequency|ExitProcess)\(\$29\)\t*!literal!?[0-9]*/\tldah \1,__imp_\2($31)\t!gprelhigh\n\tldl \1,__imp_\2(\1)\t!gprellow/
s/^\tldq (\$[0-9]+),([A-Za-z_.$][A-Za-z0-9_.$]*)\(\$29\)\t*!literal!?[0-9]*/\tldah \1,\2($31)\t!gprelhigh\n\tlda \1,\2(\1)\t!gprellow/
s/\(\$29\)(\t*!gprelhigh)/($31)\1/
s/\t*!lituse_[a-z]+!?[0-9]*//
s/\t*!samegp//
s/^\t\.section\t\.rodata\..*/\t.section\t.rodata/
s/^\tjsr (\$[0-9]+),\((\$[0-9]+)\),[A-Za-z_.$][A-Za-z0-9_.$]*/\tjsr \1,(\2),0/
