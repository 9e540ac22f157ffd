// The full-band gather of 8-byte elements (see fused_band_amd64.go).

#include "textflag.h"

// func fillBand8x8(buf, src *uint64, strideBytes, rowBytes, inner, ahead int)
//
// For k < inner: buf[r*rowBytes/8 + k] = src[k*strideBytes/8 + r], r < 8,
// prefetching the source line ahead*strideBytes bytes further on (a
// large stride crosses a page every element, where the hardware
// prefetchers stop).
TEXT ·fillBand8x8(SB), NOSPLIT, $0-48
	MOVQ buf+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ strideBytes+16(FP), BX
	MOVQ rowBytes+24(FP), R8
	MOVQ inner+32(FP), CX
	MOVQ ahead+40(FP), DX
	IMULQ BX, DX
	LEAQ (R8)(R8*2), R9  // 3 rows
	LEAQ (R8)(R8*4), R10 // 5 rows
	LEAQ (R9)(R9*1), R11 // 6 rows
	LEAQ (R11)(R8*1), R12 // 7 rows
	TESTQ CX, CX
	JLE done
loop:
	PREFETCHT0 (SI)(DX*1)
	MOVQ 0(SI), AX
	MOVQ AX, (DI)
	MOVQ 8(SI), AX
	MOVQ AX, (DI)(R8*1)
	MOVQ 16(SI), AX
	MOVQ AX, (DI)(R8*2)
	MOVQ 24(SI), AX
	MOVQ AX, (DI)(R9*1)
	MOVQ 32(SI), AX
	MOVQ AX, (DI)(R8*4)
	MOVQ 40(SI), AX
	MOVQ AX, (DI)(R10*1)
	MOVQ 48(SI), AX
	MOVQ AX, (DI)(R11*1)
	MOVQ 56(SI), AX
	MOVQ AX, (DI)(R12*1)
	ADDQ BX, SI
	ADDQ $8, DI
	DECQ CX
	JNZ loop
done:
	RET
