// The full-band gather of 8-byte elements (see fused_band_amd64.go).

#include "textflag.h"

// The arguments of both gathers: DI buf, SI src, BX the source stride
// and R8 a band row (bytes), CX the count (COUNT), DX the prefetch
// distance in bytes, and R9-R12 band rows 3, 5, 6 and 7.
#define BANDARGS(COUNT) \
	MOVQ buf+0(FP), DI; \
	MOVQ src+8(FP), SI; \
	MOVQ strideBytes+16(FP), BX; \
	MOVQ rowBytes+24(FP), R8; \
	MOVQ COUNT+32(FP), CX; \
	MOVQ ahead+40(FP), DX; \
	IMULQ BX, DX; \
	LEAQ (R8)(R8*2), R9; \
	LEAQ (R8)(R8*4), R10; \
	LEAQ (R9)(R9*1), R11; \
	LEAQ (R11)(R8*1), R12

// func fillBand8x8(buf, src *uint64, strideBytes, rowBytes, inner, ahead int)
//
// For k < inner: buf[r*rowBytes/8 + k] = src[k*strideBytes/8 + r], r < 8,
// prefetching the source line ahead*strideBytes bytes further on (a
// large stride crosses a page every element, where the hardware
// prefetchers stop).
TEXT ·fillBand8x8(SB), NOSPLIT, $0-48
	BANDARGS(inner)
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

// func fillBand8x8AVX512(buf, src *uint64, strideBytes, rowBytes, blocks, ahead int)
//
// fillBand8x8 for the first 8*blocks k, 8 at a time: the 8x8 block of
// source rows k..k+7 (one line each) is transposed in registers (24
// shuffles) and stored as 8 runs of 8 elements, one per band row,
// instead of 64 scalar loads and stores.
TEXT ·fillBand8x8AVX512(SB), NOSPLIT, $0-48
	BANDARGS(blocks)
	LEAQ (BX)(BX*2), R13 // 3 strides
	TESTQ CX, CX
	JLE done512
loop512:
	LEAQ (SI)(BX*4), AX
	LEAQ (SI)(DX*1), R14
	LEAQ (R14)(BX*4), R15
	PREFETCHT0 (R14)
	PREFETCHT0 (R14)(BX*1)
	PREFETCHT0 (R14)(BX*2)
	PREFETCHT0 (R14)(R13*1)
	PREFETCHT0 (R15)
	PREFETCHT0 (R15)(BX*1)
	PREFETCHT0 (R15)(BX*2)
	PREFETCHT0 (R15)(R13*1)
	VMOVUPD (SI), Z0
	VMOVUPD (SI)(BX*1), Z1
	VMOVUPD (SI)(BX*2), Z2
	VMOVUPD (SI)(R13*1), Z3
	VMOVUPD (AX), Z4
	VMOVUPD (AX)(BX*1), Z5
	VMOVUPD (AX)(BX*2), Z6
	VMOVUPD (AX)(R13*1), Z7
	// pairs of rows, element by element within each 128-bit lane
	VUNPCKLPD Z1, Z0, Z8
	VUNPCKHPD Z1, Z0, Z9
	VUNPCKLPD Z3, Z2, Z10
	VUNPCKHPD Z3, Z2, Z11
	VUNPCKLPD Z5, Z4, Z12
	VUNPCKHPD Z5, Z4, Z13
	VUNPCKLPD Z7, Z6, Z14
	VUNPCKHPD Z7, Z6, Z15
	// lanes 0 and 2 (0x88), 1 and 3 (0xdd) of two pairs
	VSHUFF64X2 $0x88, Z10, Z8, Z16
	VSHUFF64X2 $0xdd, Z10, Z8, Z17
	VSHUFF64X2 $0x88, Z11, Z9, Z18
	VSHUFF64X2 $0xdd, Z11, Z9, Z19
	VSHUFF64X2 $0x88, Z14, Z12, Z20
	VSHUFF64X2 $0xdd, Z14, Z12, Z21
	VSHUFF64X2 $0x88, Z15, Z13, Z22
	VSHUFF64X2 $0xdd, Z15, Z13, Z23
	// the same again gives columns 0, 4 | 2, 6 | 1, 5 | 3, 7
	VSHUFF64X2 $0x88, Z20, Z16, Z24
	VSHUFF64X2 $0xdd, Z20, Z16, Z28
	VSHUFF64X2 $0x88, Z21, Z17, Z26
	VSHUFF64X2 $0xdd, Z21, Z17, Z30
	VSHUFF64X2 $0x88, Z22, Z18, Z25
	VSHUFF64X2 $0xdd, Z22, Z18, Z29
	VSHUFF64X2 $0x88, Z23, Z19, Z27
	VSHUFF64X2 $0xdd, Z23, Z19, Z31
	VMOVUPD Z24, (DI)
	VMOVUPD Z25, (DI)(R8*1)
	VMOVUPD Z26, (DI)(R8*2)
	VMOVUPD Z27, (DI)(R9*1)
	VMOVUPD Z28, (DI)(R8*4)
	VMOVUPD Z29, (DI)(R10*1)
	VMOVUPD Z30, (DI)(R11*1)
	VMOVUPD Z31, (DI)(R12*1)
	LEAQ (SI)(BX*8), SI
	ADDQ $64, DI
	DECQ CX
	JNZ loop512
	VZEROUPPER
done512:
	RET
