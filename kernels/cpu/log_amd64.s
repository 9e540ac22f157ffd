// Vector log (see log_amd64.go): logGo's fast path lane for lane, the
// same operations in the same order with the same FMAs, so the bits equal
// the Go code's. k = int64(tmp)>>52 is taken from the top 12 bits of tmp
// through the low bits of 1.5*2^52 (AVX2 has no 64-bit arithmetic shift or
// integer conversion); the value is the same. Each kernel stops before the
// first vector holding a lane that is not a positive normal float64 and
// returns how many elements it wrote. Entry k of logTab is at 64*k.

#include "textflag.h"

// func logAVX2(dst, src *float64, nvec int, tab *logTab) int
TEXT ·logAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ nvec+16(FP), CX
	MOVQ tab+24(FP), R8
	XORQ AX, AX
logAVX2loop:
	CMPQ AX, CX
	JGE logAVX2done
	VMOVUPD (SI), Y0
	VCMPPD $0x1d, 0(R8), Y0, Y1 // x >= 2^-1022, false for NaN
	VCMPPD $0x12, 64(R8), Y0, Y2 // x <= MaxFloat64
	VANDPD Y2, Y1, Y1
	VMOVMSKPD Y1, BX
	CMPQ BX, $0x0f
	JNE logAVX2done
	VPSUBQ 128(R8), Y0, Y1 // tmp
	VPSRLQ $52, Y1, Y2
	VPXOR 192(R8), Y2, Y2
	VPOR 256(R8), Y2, Y2
	VSUBPD 320(R8), Y2, Y2 // k
	VPAND 384(R8), Y1, Y3
	VPSUBQ Y3, Y0, Y3 // m
	VSUBPD 448(R8), Y3, Y4 // f = m - 1
	VADDPD 512(R8), Y4, Y5
	VDIVPD Y5, Y4, Y5 // s = f / (2+f)
	VMULPD Y5, Y5, Y6 // s2
	VMULPD Y6, Y6, Y7 // s4
	VMOVUPD 960(R8), Y8
	VFMADD213PD 832(R8), Y7, Y8
	VFMADD213PD 704(R8), Y7, Y8
	VFMADD213PD 576(R8), Y7, Y8
	VMULPD Y6, Y8, Y8 // t1
	VMOVUPD 896(R8), Y9
	VFMADD213PD 768(R8), Y7, Y9
	VFMADD213PD 640(R8), Y7, Y9
	VMULPD Y7, Y9, Y9 // t2
	VADDPD Y9, Y8, Y8 // R
	VMULPD 1024(R8), Y4, Y10
	VMULPD Y4, Y10, Y10 // hfsq = 0.5*f*f
	VADDPD Y8, Y10, Y11 // hfsq + R
	VMULPD 1088(R8), Y2, Y12 // k*ln2Lo
	VFMADD231PD Y11, Y5, Y12 // a = s*(hfsq+R) + k*ln2Lo
	VSUBPD Y12, Y10, Y10
	VSUBPD Y4, Y10, Y10 // (hfsq - a) - f
	VMULPD 1152(R8), Y2, Y13 // k*ln2Hi
	VSUBPD Y10, Y13, Y13
	VMOVUPD Y13, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	INCQ AX
	JMP logAVX2loop
logAVX2done:
	SHLQ $2, AX
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET

// func logAVX512(dst, src *float64, nvec int, tab *logTab) int
TEXT ·logAVX512(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ nvec+16(FP), CX
	MOVQ tab+24(FP), R8
	XORQ AX, AX
logAVX512loop:
	CMPQ AX, CX
	JGE logAVX512done
	VMOVUPD (SI), Z0
	VCMPPD $0x1d, 0(R8), Z0, K1 // x >= 2^-1022, false for NaN
	VCMPPD $0x12, 64(R8), Z0, K2 // x <= MaxFloat64
	KANDW K1, K2, K1
	KMOVW K1, BX
	CMPQ BX, $0xff
	JNE logAVX512done
	VPSUBQ 128(R8), Z0, Z1 // tmp
	VPSRLQ $52, Z1, Z2
	VPXORQ 192(R8), Z2, Z2
	VPORQ 256(R8), Z2, Z2
	VSUBPD 320(R8), Z2, Z2 // k
	VPANDQ 384(R8), Z1, Z3
	VPSUBQ Z3, Z0, Z3 // m
	VSUBPD 448(R8), Z3, Z4 // f = m - 1
	VADDPD 512(R8), Z4, Z5
	VDIVPD Z5, Z4, Z5 // s = f / (2+f)
	VMULPD Z5, Z5, Z6 // s2
	VMULPD Z6, Z6, Z7 // s4
	VMOVUPD 960(R8), Z8
	VFMADD213PD 832(R8), Z7, Z8
	VFMADD213PD 704(R8), Z7, Z8
	VFMADD213PD 576(R8), Z7, Z8
	VMULPD Z6, Z8, Z8 // t1
	VMOVUPD 896(R8), Z9
	VFMADD213PD 768(R8), Z7, Z9
	VFMADD213PD 640(R8), Z7, Z9
	VMULPD Z7, Z9, Z9 // t2
	VADDPD Z9, Z8, Z8 // R
	VMULPD 1024(R8), Z4, Z10
	VMULPD Z4, Z10, Z10 // hfsq = 0.5*f*f
	VADDPD Z8, Z10, Z11 // hfsq + R
	VMULPD 1088(R8), Z2, Z12 // k*ln2Lo
	VFMADD231PD Z11, Z5, Z12 // a = s*(hfsq+R) + k*ln2Lo
	VSUBPD Z12, Z10, Z10
	VSUBPD Z4, Z10, Z10 // (hfsq - a) - f
	VMULPD 1152(R8), Z2, Z13 // k*ln2Hi
	VSUBPD Z10, Z13, Z13
	VMOVUPD Z13, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	INCQ AX
	JMP logAVX512loop
logAVX512done:
	SHLQ $3, AX
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET
