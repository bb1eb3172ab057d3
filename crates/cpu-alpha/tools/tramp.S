# Runs one test sequence for gen-vectors.c.
# void run_case(struct frame *f)   (a0 = f)
# frame layout (bytes): 0 epilogue address, 8 host sp, 16 r0..r8 (9 x 8), 88 f0..f8,
# 160 fpcr, 168 address of the test code.
# During the test, sp ($30) holds the frame address; the test code uses only r0-r8 and
# f0-f8 (and r31/f31) and ends with "ldq $28,0($30); jmp $31,($28)".
        .set noreorder
        .set noat
        .text
        .globl run_case
        .ent run_case
run_case:
        lda $30,-160($30)
        stq $26,0($30)
        stq $9,8($30)
        stq $10,16($30)
        stq $11,24($30)
        stq $12,32($30)
        stq $13,40($30)
        stq $14,48($30)
        stq $15,56($30)
        stq $29,64($30)
        stt $f2,72($30)
        stt $f3,80($30)
        stt $f4,88($30)
        stt $f5,96($30)
        stt $f6,104($30)
        stt $f7,112($30)
        stt $f8,120($30)
        stt $f9,128($30)
        br $28,1f
1:      lda $28,epilogue-1b($28)
        stq $28,0($16)
        stq $30,8($16)
        mov $16,$30
        ldt $f10,160($30)
        excb
        mt_fpcr $f10
        excb
        ldt $f0,88($30)
        ldt $f1,96($30)
        ldt $f2,104($30)
        ldt $f3,112($30)
        ldt $f4,120($30)
        ldt $f5,128($30)
        ldt $f6,136($30)
        ldt $f7,144($30)
        ldt $f8,152($30)
        ldq $0,16($30)
        ldq $1,24($30)
        ldq $2,32($30)
        ldq $3,40($30)
        ldq $4,48($30)
        ldq $5,56($30)
        ldq $6,64($30)
        ldq $7,72($30)
        ldq $8,80($30)
        ldq $28,168($30)
        jmp $31,($28)
epilogue:
        stq $0,16($30)
        stq $1,24($30)
        stq $2,32($30)
        stq $3,40($30)
        stq $4,48($30)
        stq $5,56($30)
        stq $6,64($30)
        stq $7,72($30)
        stq $8,80($30)
        stt $f0,88($30)
        stt $f1,96($30)
        stt $f2,104($30)
        stt $f3,112($30)
        stt $f4,120($30)
        stt $f5,128($30)
        stt $f6,136($30)
        stt $f7,144($30)
        stt $f8,152($30)
        excb
        mf_fpcr $f10
        excb
        stt $f10,160($30)
        ldq $30,8($30)
        ldq $26,0($30)
        ldq $9,8($30)
        ldq $10,16($30)
        ldq $11,24($30)
        ldq $12,32($30)
        ldq $13,40($30)
        ldq $14,48($30)
        ldq $15,56($30)
        ldq $29,64($30)
        ldt $f2,72($30)
        ldt $f3,80($30)
        ldt $f4,88($30)
        ldt $f5,96($30)
        ldt $f6,104($30)
        ldt $f7,112($30)
        ldt $f8,120($30)
        ldt $f9,128($30)
        lda $30,160($30)
        ret $31,($26),1
        .end run_case
