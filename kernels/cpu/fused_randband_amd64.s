// The transposes of a random band's runs (see fused_randband_amd64.go).

#include "textflag.h"

// func transposeRuns64x4(dst *uint64, rowBytes int, src *uint64, groups int, off *[4]int)
//
// For each group of four runs (256 bytes of src, 32 of each row): run c's
// eight values from src+off[c] become element c of rows 0-7 (dst +
// j*rowBytes). Y0-Y3 hold the runs' first halves, Y4-Y7 their second;
// each half is a 4x4 transpose (unpack pairs, then swap 128-bit halves).
TEXT ·transposeRuns64x4(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ rowBytes+8(FP), BX
	MOVQ src+16(FP), SI
	MOVQ groups+24(FP), CX
	MOVQ off+32(FP), AX
	MOVQ 0(AX), R8
	MOVQ 8(AX), R9
	MOVQ 16(AX), R10
	MOVQ 24(AX), R11
	LEAQ (BX)(BX*2), R12 // 3 rows
	LEAQ (DI)(BX*4), DX  // row 4
	TESTQ CX, CX
	JLE done64
loop64:
	VMOVDQU 0(SI)(R8*1), Y0
	VMOVDQU 0(SI)(R9*1), Y1
	VMOVDQU 0(SI)(R10*1), Y2
	VMOVDQU 0(SI)(R11*1), Y3
	VMOVDQU 32(SI)(R8*1), Y4
	VMOVDQU 32(SI)(R9*1), Y5
	VMOVDQU 32(SI)(R10*1), Y6
	VMOVDQU 32(SI)(R11*1), Y7
	VPUNPCKLQDQ Y1, Y0, Y8   // r0[0] r1[0] r0[2] r1[2]
	VPUNPCKHQDQ Y1, Y0, Y9   // r0[1] r1[1] r0[3] r1[3]
	VPUNPCKLQDQ Y3, Y2, Y10  // r2[0] r3[0] r2[2] r3[2]
	VPUNPCKHQDQ Y3, Y2, Y11  // r2[1] r3[1] r2[3] r3[3]
	VPERM2I128 $0x20, Y10, Y8, Y0 // row 0
	VPERM2I128 $0x20, Y11, Y9, Y1 // row 1
	VPERM2I128 $0x31, Y10, Y8, Y2 // row 2
	VPERM2I128 $0x31, Y11, Y9, Y3 // row 3
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, (DI)(BX*1)
	VMOVDQU Y2, (DI)(BX*2)
	VMOVDQU Y3, (DI)(R12*1)
	VPUNPCKLQDQ Y5, Y4, Y8
	VPUNPCKHQDQ Y5, Y4, Y9
	VPUNPCKLQDQ Y7, Y6, Y10
	VPUNPCKHQDQ Y7, Y6, Y11
	VPERM2I128 $0x20, Y10, Y8, Y4 // row 4
	VPERM2I128 $0x20, Y11, Y9, Y5 // row 5
	VPERM2I128 $0x31, Y10, Y8, Y6 // row 6
	VPERM2I128 $0x31, Y11, Y9, Y7 // row 7
	VMOVDQU Y4, (DX)
	VMOVDQU Y5, (DX)(BX*1)
	VMOVDQU Y6, (DX)(BX*2)
	VMOVDQU Y7, (DX)(R12*1)
	ADDQ $256, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ loop64
done64:
	VZEROUPPER
	RET

// func transposeRuns32x8(dst *uint32, rowBytes int, src *uint32, groups int, off *[4]int)
//
// For each group of eight runs (256 bytes of src, 32 of each row): run c's
// eight values from src+off[c%4] (+128 bytes for c >= 4) become element
// c of rows 0-7. The 8x8 transpose: unpack pairs of runs (Y8-Y15), shuffle
// pairs of pairs (Y0-Y7: rows j and j+4 of runs 0-3 and of runs 4-7),
// then join 128-bit halves.
TEXT ·transposeRuns32x8(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ rowBytes+8(FP), BX
	MOVQ src+16(FP), SI
	MOVQ groups+24(FP), CX
	MOVQ off+32(FP), AX
	MOVQ 0(AX), R8
	MOVQ 8(AX), R9
	MOVQ 16(AX), R10
	MOVQ 24(AX), R11
	LEAQ (BX)(BX*2), R12 // 3 rows
	LEAQ (DI)(BX*4), DX  // row 4
	TESTQ CX, CX
	JLE done32
loop32:
	VMOVDQU 0(SI)(R8*1), Y0
	VMOVDQU 0(SI)(R9*1), Y1
	VMOVDQU 0(SI)(R10*1), Y2
	VMOVDQU 0(SI)(R11*1), Y3
	VMOVDQU 128(SI)(R8*1), Y4
	VMOVDQU 128(SI)(R9*1), Y5
	VMOVDQU 128(SI)(R10*1), Y6
	VMOVDQU 128(SI)(R11*1), Y7
	VPUNPCKLDQ Y1, Y0, Y8   // r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5]
	VPUNPCKHDQ Y1, Y0, Y9   // r0[2] r1[2] r0[3] r1[3] | r0[6] r1[6] r0[7] r1[7]
	VPUNPCKLDQ Y3, Y2, Y10
	VPUNPCKHDQ Y3, Y2, Y11
	VPUNPCKLDQ Y5, Y4, Y12
	VPUNPCKHDQ Y5, Y4, Y13
	VPUNPCKLDQ Y7, Y6, Y14
	VPUNPCKHDQ Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0   // r0-3[0] | r0-3[4]
	VSHUFPS $0xEE, Y10, Y8, Y1   // r0-3[1] | r0-3[5]
	VSHUFPS $0x44, Y11, Y9, Y2   // r0-3[2] | r0-3[6]
	VSHUFPS $0xEE, Y11, Y9, Y3   // r0-3[3] | r0-3[7]
	VSHUFPS $0x44, Y14, Y12, Y4  // r4-7[0] | r4-7[4]
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2I128 $0x20, Y4, Y0, Y8  // row 0
	VPERM2I128 $0x20, Y5, Y1, Y9  // row 1
	VPERM2I128 $0x20, Y6, Y2, Y10 // row 2
	VPERM2I128 $0x20, Y7, Y3, Y11 // row 3
	VPERM2I128 $0x31, Y4, Y0, Y12 // row 4
	VPERM2I128 $0x31, Y5, Y1, Y13 // row 5
	VPERM2I128 $0x31, Y6, Y2, Y14 // row 6
	VPERM2I128 $0x31, Y7, Y3, Y15 // row 7
	VMOVDQU Y8, (DI)
	VMOVDQU Y9, (DI)(BX*1)
	VMOVDQU Y10, (DI)(BX*2)
	VMOVDQU Y11, (DI)(R12*1)
	VMOVDQU Y12, (DX)
	VMOVDQU Y13, (DX)(BX*1)
	VMOVDQU Y14, (DX)(BX*2)
	VMOVDQU Y15, (DX)(R12*1)
	ADDQ $256, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ loop32
done32:
	VZEROUPPER
	RET
