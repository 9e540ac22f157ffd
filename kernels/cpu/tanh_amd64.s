// Vector tanh (see tanh_amd64.go): tanhGo's fast path lane for lane, with
// expm1Core written out as exp_amd64.s writes expGo (the same operations
// in the same order with the same FMAs), so the bits equal the Go code's.
// Each kernel stops before the first vector holding a lane with NaN or
// |x| > 22 and returns how many elements it wrote. Entry k of tanhTab is
// at 64*k.

#include "textflag.h"

// func tanhAVX2(dst, src *float64, nvec int, tab *tanhTab) int
TEXT ·tanhAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ nvec+16(FP), CX
	MOVQ tab+24(FP), R8
	XORQ AX, AX
tanhAVX2loop:
	CMPQ AX, CX
	JGE tanhAVX2done
	VMOVUPD (SI), Y0
	VANDPD 0(R8), Y0, Y1 // ax = |x|
	VCMPPD $0x12, 64(R8), Y1, Y2 // ax <= 22, false for NaN
	VMOVMSKPD Y2, BX
	CMPQ BX, $0x0f
	JNE tanhAVX2done
	VADDPD Y1, Y1, Y2 // y = 2ax
	VMOVUPD 192(R8), Y3
	VFMADD231PD 128(R8), Y2, Y3 // t = y/ln2 + magic
	VSUBPD 192(R8), Y3, Y4 // k
	VMOVAPD Y2, Y5
	VFNMADD231PD 256(R8), Y4, Y5
	VFNMADD231PD 320(R8), Y4, Y5 // r
	VMULPD Y5, Y5, Y6 // r2
	VMULPD Y6, Y6, Y7 // r4
	VMOVUPD 448(R8), Y8
	VFMADD213PD 384(R8), Y5, Y8 // p01
	VMOVUPD 576(R8), Y9
	VFMADD213PD 512(R8), Y5, Y9 // p23
	VMOVUPD 704(R8), Y10
	VFMADD213PD 640(R8), Y5, Y10 // p45
	VMOVUPD 832(R8), Y11
	VFMADD213PD 768(R8), Y5, Y11 // p67
	VMOVUPD 960(R8), Y12
	VFMADD213PD 896(R8), Y5, Y12 // p89
	VMOVUPD 1088(R8), Y13
	VFMADD213PD 1024(R8), Y5, Y13 // p1011
	VFMADD213PD Y12, Y6, Y13 // p1011*r2 + p89
	VFMADD213PD Y10, Y6, Y11 // p67*r2 + p45
	VFMADD213PD Y11, Y7, Y13 // hi
	VFMADD213PD Y8, Y6, Y9 // p23*r2 + p01
	VFMADD213PD Y9, Y7, Y13 // p
	VFMADD213PD Y5, Y6, Y13 // q = r2*p + r = exp(r) - 1
	VPSUBQ 192(R8), Y3, Y14 // k as an integer
	VPSLLQ $52, Y14, Y14
	VPADDQ 1152(R8), Y14, Y14 // s = 2^k
	VSUBPD 1152(R8), Y14, Y15 // s - 1
	VFMADD231PD Y13, Y14, Y15 // e = s*q + (s-1)
	VADDPD 1216(R8), Y15, Y14 // e + 2
	VDIVPD Y14, Y15, Y15 // e/(e+2)
	VANDPD 0(R8), Y15, Y15
	VANDPD 1344(R8), Y0, Y14
	VORPD Y14, Y15, Y15 // the sign of x
	VCMPPD $0x11, 1280(R8), Y1, Y14 // ax < 2^-28: x
	VBLENDVPD Y14, Y0, Y15, Y15
	VMOVUPD Y15, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	INCQ AX
	JMP tanhAVX2loop
tanhAVX2done:
	SHLQ $2, AX
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET

// func tanhAVX512(dst, src *float64, nvec int, tab *tanhTab) int
TEXT ·tanhAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ nvec+16(FP), CX
	MOVQ tab+24(FP), R8
	XORQ AX, AX
tanhAVX512loop:
	CMPQ AX, CX
	JGE tanhAVX512done
	VMOVUPD (SI), Z0
	VPANDQ 0(R8), Z0, Z1 // ax = |x|
	VCMPPD $0x12, 64(R8), Z1, K1 // ax <= 22, false for NaN
	KMOVW K1, BX
	CMPQ BX, $0xff
	JNE tanhAVX512done
	VADDPD Z1, Z1, Z2 // y = 2ax
	VMOVUPD 192(R8), Z3
	VFMADD231PD 128(R8), Z2, Z3 // t = y/ln2 + magic
	VSUBPD 192(R8), Z3, Z4 // k
	VMOVAPD Z2, Z5
	VFNMADD231PD 256(R8), Z4, Z5
	VFNMADD231PD 320(R8), Z4, Z5 // r
	VMULPD Z5, Z5, Z6 // r2
	VMULPD Z6, Z6, Z7 // r4
	VMOVUPD 448(R8), Z8
	VFMADD213PD 384(R8), Z5, Z8 // p01
	VMOVUPD 576(R8), Z9
	VFMADD213PD 512(R8), Z5, Z9 // p23
	VMOVUPD 704(R8), Z10
	VFMADD213PD 640(R8), Z5, Z10 // p45
	VMOVUPD 832(R8), Z11
	VFMADD213PD 768(R8), Z5, Z11 // p67
	VMOVUPD 960(R8), Z12
	VFMADD213PD 896(R8), Z5, Z12 // p89
	VMOVUPD 1088(R8), Z13
	VFMADD213PD 1024(R8), Z5, Z13 // p1011
	VFMADD213PD Z12, Z6, Z13 // p1011*r2 + p89
	VFMADD213PD Z10, Z6, Z11 // p67*r2 + p45
	VFMADD213PD Z11, Z7, Z13 // hi
	VFMADD213PD Z8, Z6, Z9 // p23*r2 + p01
	VFMADD213PD Z9, Z7, Z13 // p
	VFMADD213PD Z5, Z6, Z13 // q = r2*p + r = exp(r) - 1
	VPSUBQ 192(R8), Z3, Z14 // k as an integer
	VPSLLQ $52, Z14, Z14
	VPADDQ 1152(R8), Z14, Z14 // s = 2^k
	VSUBPD 1152(R8), Z14, Z15 // s - 1
	VFMADD231PD Z13, Z14, Z15 // e = s*q + (s-1)
	VADDPD 1216(R8), Z15, Z14 // e + 2
	VDIVPD Z14, Z15, Z15 // e/(e+2)
	VPANDQ 0(R8), Z15, Z15
	VPANDQ 1344(R8), Z0, Z14
	VPORQ Z14, Z15, Z15 // the sign of x
	VCMPPD $0x11, 1280(R8), Z1, K2 // ax < 2^-28: x
	VMOVAPD Z0, K2, Z15
	VMOVUPD Z15, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	INCQ AX
	JMP tanhAVX512loop
tanhAVX512done:
	SHLQ $3, AX
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET
