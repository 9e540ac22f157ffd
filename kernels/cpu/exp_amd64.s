// Vector exp (see exp_amd64.go): expSlice's fast path lane for lane, the
// same operations in the same order with the same FMAs, so the bits equal
// the Go code's. Each kernel stops before the first vector holding a lane
// outside (-708, 709) or NaN and returns how many elements it wrote; the
// caller finishes that vector in Go. Entry k of expTab is at 64*k.

#include "textflag.h"

// func expAVX2(dst, src *float64, nvec int, tab *expTab) int
TEXT ·expAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ nvec+16(FP), CX
	MOVQ tab+24(FP), R8
	XORQ AX, AX
expAVX2loop:
	CMPQ AX, CX
	JGE expAVX2done
	VMOVUPD (SI), Y0
	VCMPPD $0x1e, 0(R8), Y0, Y1 // x > -708, false for NaN
	VCMPPD $0x11, 64(R8), Y0, Y2 // x < 709
	VANDPD Y2, Y1, Y1
	VMOVMSKPD Y1, BX
	CMPQ BX, $0x0f
	JNE expAVX2done
	VMOVUPD 192(R8), Y1
	VFMADD231PD 128(R8), Y0, Y1 // t = x/ln2 + magic
	VSUBPD 192(R8), Y1, Y2 // k
	VMOVAPD Y0, Y3
	VFNMADD231PD 256(R8), Y2, Y3
	VFNMADD231PD 320(R8), Y2, Y3 // r
	VMULPD Y3, Y3, Y4 // r2
	VMULPD Y4, Y4, Y5 // r4
	VMOVUPD 448(R8), Y6
	VFMADD213PD 384(R8), Y3, Y6 // p01
	VMOVUPD 576(R8), Y7
	VFMADD213PD 512(R8), Y3, Y7 // p23
	VMOVUPD 704(R8), Y8
	VFMADD213PD 640(R8), Y3, Y8 // p45
	VMOVUPD 832(R8), Y9
	VFMADD213PD 768(R8), Y3, Y9 // p67
	VMOVUPD 960(R8), Y10
	VFMADD213PD 896(R8), Y3, Y10 // p89
	VMOVUPD 1088(R8), Y11
	VFMADD213PD 1024(R8), Y3, Y11 // p1011
	VFMADD213PD Y10, Y4, Y11 // p1011*r2 + p89
	VFMADD213PD Y8, Y4, Y9 // p67*r2 + p45
	VFMADD213PD Y9, Y5, Y11 // hi
	VFMADD213PD Y6, Y4, Y7 // p23*r2 + p01
	VFMADD213PD Y7, Y5, Y11 // p
	VFMADD213PD Y3, Y4, Y11 // r2*p + r
	VADDPD 1152(R8), Y11, Y11 // e
	VPSUBQ 192(R8), Y1, Y12 // k as an integer
	VPSLLQ $52, Y12, Y12
	VPADDQ Y12, Y11, Y11 // e * 2^k
	VMOVUPD Y11, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	INCQ AX
	JMP expAVX2loop
expAVX2done:
	SHLQ $2, AX
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET

// func expAVX512(dst, src *float64, nvec int, tab *expTab) int
TEXT ·expAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ nvec+16(FP), CX
	MOVQ tab+24(FP), R8
	XORQ AX, AX
expAVX512loop:
	CMPQ AX, CX
	JGE expAVX512done
	VMOVUPD (SI), Z0
	VCMPPD $0x1e, 0(R8), Z0, K1 // x > -708, false for NaN
	VCMPPD $0x11, 64(R8), Z0, K2 // x < 709
	KANDW K1, K2, K1
	KMOVW K1, BX
	CMPQ BX, $0xff
	JNE expAVX512done
	VMOVUPD 192(R8), Z1
	VFMADD231PD 128(R8), Z0, Z1 // t = x/ln2 + magic
	VSUBPD 192(R8), Z1, Z2 // k
	VMOVAPD Z0, Z3
	VFNMADD231PD 256(R8), Z2, Z3
	VFNMADD231PD 320(R8), Z2, Z3 // r
	VMULPD Z3, Z3, Z4 // r2
	VMULPD Z4, Z4, Z5 // r4
	VMOVUPD 448(R8), Z6
	VFMADD213PD 384(R8), Z3, Z6 // p01
	VMOVUPD 576(R8), Z7
	VFMADD213PD 512(R8), Z3, Z7 // p23
	VMOVUPD 704(R8), Z8
	VFMADD213PD 640(R8), Z3, Z8 // p45
	VMOVUPD 832(R8), Z9
	VFMADD213PD 768(R8), Z3, Z9 // p67
	VMOVUPD 960(R8), Z10
	VFMADD213PD 896(R8), Z3, Z10 // p89
	VMOVUPD 1088(R8), Z11
	VFMADD213PD 1024(R8), Z3, Z11 // p1011
	VFMADD213PD Z10, Z4, Z11 // p1011*r2 + p89
	VFMADD213PD Z8, Z4, Z9 // p67*r2 + p45
	VFMADD213PD Z9, Z5, Z11 // hi
	VFMADD213PD Z6, Z4, Z7 // p23*r2 + p01
	VFMADD213PD Z7, Z5, Z11 // p
	VFMADD213PD Z3, Z4, Z11 // r2*p + r
	VADDPD 1152(R8), Z11, Z11 // e
	VPSUBQ 192(R8), Z1, Z12 // k as an integer
	VPSLLQ $52, Z12, Z12
	VPADDQ Z12, Z11, Z11 // e * 2^k
	VMOVUPD Z11, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	INCQ AX
	JMP expAVX512loop
expAVX512done:
	SHLQ $3, AX
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET
